import type { Key } from '../keys/key-generator';
import type {
  DecisionDefinitionRecord,
  DecisionInstanceRecord,
  DecisionRequirementsRecord,
  DefinitionRecord,
  IncidentRecord,
  InstanceSummaryRecord,
  JobRecord,
  TenantScope,
  UserTaskRecord,
} from './records';

/**
 * Read-only searches of the store (Camunda's `/v2/.../search`), in a
 * store-neutral form: conditions on named fields, a sort, and a keyset
 * position. The repositories map each field to a column through a whitelist
 * (`libs/store`) or to a record property (the in-memory fake); no user value
 * ever becomes SQL text.
 *
 * Semantics every implementation keeps (the fake mirrors Postgres):
 * - `eq`, `in`, `gt`.. on a NULL value are false; `neq` and `notIn` are true
 *   for NULL (Camunda's "not equal" keeps rows without the value).
 * - `like` is SQL LIKE with `\` as the escape character, case-sensitive.
 * - On a text array field (candidate groups) `eq`/`in`/`like` match when
 *   some element matches; `neq`/`notIn` when none does; `exists` when it is
 *   not empty.
 * - Order: ascending puts NULLs last, descending first (Postgres' default);
 *   text compares in byte order; the last sort key is always the key.
 */

/** How a field's values are typed: keys are decimal strings, dates ISO 8601 strings. */
export type SearchFieldType = 'key' | 'text' | 'int' | 'date' | 'bool' | 'textArray';

export type SearchOp = 'eq' | 'neq' | 'in' | 'notIn' | 'exists' | 'like' | 'gt' | 'gte' | 'lt' | 'lte';

/** A scalar as conditions and cursors carry it. */
export type SearchScalar = string | number | boolean | null;

export interface SearchCondition<F extends string = string> {
  readonly field: F;
  readonly op: SearchOp;
  /** A scalar; an array for `in`/`notIn`; a boolean for `exists`; a LIKE pattern for `like`. */
  readonly value: SearchScalar | readonly SearchScalar[];
}

export interface SearchSort<F extends string = string> {
  readonly field: F;
  readonly descending: boolean;
}

export interface SearchFilter<F extends string = string> {
  readonly conditions: readonly SearchCondition<F>[];
  readonly tenants?: TenantScope;
}

export interface SearchQuery<F extends string = string> extends SearchFilter<F> {
  /** Ends with the key field, so every row has one place in the order. */
  readonly sort: readonly SearchSort<F>[];
  /** Rows to return. */
  readonly limit: number;
  /** Rows to skip (bounded by the query service). */
  readonly offset?: number;
  /** The sort values (one per sort key) of the row the page starts after, in the query's order. */
  readonly after?: readonly SearchScalar[];
  /**
   * Page backwards: the rows before `after` in the reversed order (the
   * caller reverses them back).
   */
  readonly backward?: boolean;
}

/** The fields each search offers, with their types (the whitelist both store implementations follow). */
export const INSTANCE_SEARCH_FIELDS = {
  id: 'key',
  tenantId: 'text',
  definitionId: 'key',
  bpmnProcessId: 'text',
  processVersion: 'int',
  status: 'text',
  parentInstanceId: 'key',
  parentElementInstanceId: 'key',
  startedAt: 'date',
  endedAt: 'date',
  hasIncident: 'bool',
  definitionName: 'text',
  versionTag: 'text',
} as const satisfies Record<string, SearchFieldType>;

export const DEFINITION_SEARCH_FIELDS = {
  id: 'key',
  tenantId: 'text',
  bpmnProcessId: 'text',
  version: 'int',
  versionTag: 'text',
  name: 'text',
  deploymentId: 'key',
  isLatest: 'bool',
} as const satisfies Record<string, SearchFieldType>;

export const INCIDENT_SEARCH_FIELDS = {
  id: 'key',
  tenantId: 'text',
  instanceId: 'key',
  definitionId: 'key',
  bpmnProcessId: 'text',
  elementId: 'text',
  elementInstanceId: 'key',
  type: 'text',
  message: 'text',
  jobId: 'key',
  createdAt: 'date',
  resolved: 'bool',
} as const satisfies Record<string, SearchFieldType>;

export const USER_TASK_SEARCH_FIELDS = {
  id: 'key',
  tenantId: 'text',
  instanceId: 'key',
  definitionId: 'key',
  bpmnProcessId: 'text',
  elementId: 'text',
  name: 'text',
  assignee: 'text',
  candidateGroups: 'textArray',
  candidateUsers: 'textArray',
  priority: 'int',
  state: 'text',
  createdAt: 'date',
  completedAt: 'date',
  dueDate: 'date',
  followUpDate: 'date',
} as const satisfies Record<string, SearchFieldType>;

export const JOB_SEARCH_FIELDS = {
  id: 'key',
  tenantId: 'text',
  type: 'text',
  instanceId: 'key',
  elementInstanceId: 'key',
  elementId: 'text',
  definitionId: 'key',
  bpmnProcessId: 'text',
  retries: 'int',
  state: 'text',
  workerId: 'text',
  lockExpiresAt: 'date',
  errorMessage: 'text',
  /** Camunda's job kind, derived from the stored listener event (filter only). */
  kind: 'text',
  /** Camunda's listener event type, `UNSPECIFIED` for an element's own job (filter only). */
  listenerEvent: 'text',
} as const satisfies Record<string, SearchFieldType>;

/**
 * Element instances, read from the history: one per ELEMENT_ACTIVATED event,
 * ended by its instance's ELEMENT_COMPLETED or ELEMENT_TERMINATED event.
 */
export const ELEMENT_INSTANCE_SEARCH_FIELDS = {
  id: 'key',
  tenantId: 'text',
  instanceId: 'key',
  definitionId: 'key',
  bpmnProcessId: 'text',
  elementId: 'text',
  elementType: 'text',
  state: 'text',
  startedAt: 'date',
  endedAt: 'date',
  hasIncident: 'bool',
  incidentId: 'key',
} as const satisfies Record<string, SearchFieldType>;

/**
 * Variables, one row per variable of a scope: the process scope (`scopeId`
 * the instance key) or a live element instance (`scopeId` its key). `id`
 * (`<instance key>:<scope key>:<name>`) orders and identifies a row; `key` is
 * the variable's key once one was handed out (see {@link VariableRepository}).
 */
export const VARIABLE_SEARCH_FIELDS = {
  id: 'text',
  key: 'key',
  instanceId: 'key',
  scopeId: 'key',
  tenantId: 'text',
  name: 'text',
  value: 'text',
} as const satisfies Record<string, SearchFieldType>;

export const DECISION_DEFINITION_SEARCH_FIELDS = {
  id: 'key',
  tenantId: 'text',
  decisionId: 'text',
  version: 'int',
  name: 'text',
  decisionRequirementsKey: 'key',
  decisionRequirementsId: 'text',
} as const satisfies Record<string, SearchFieldType>;

export const DECISION_REQUIREMENTS_SEARCH_FIELDS = {
  id: 'key',
  tenantId: 'text',
  decisionRequirementsId: 'text',
  version: 'int',
  name: 'text',
  resourceName: 'text',
} as const satisfies Record<string, SearchFieldType>;

/**
 * Decision evaluations (one row per evaluation of the decision called), with
 * the called decision's name (its id when it has none) and the process
 * definition of the instance that evaluated it.
 */
export const DECISION_INSTANCE_SEARCH_FIELDS = {
  id: 'key',
  tenantId: 'text',
  state: 'text',
  failureMessage: 'text',
  evaluatedAt: 'date',
  decisionKey: 'key',
  decisionId: 'text',
  decisionName: 'text',
  decisionVersion: 'int',
  processDefinitionId: 'key',
  processInstanceId: 'key',
  elementInstanceId: 'key',
} as const satisfies Record<string, SearchFieldType>;

export type InstanceSearchField = keyof typeof INSTANCE_SEARCH_FIELDS;
export type VariableSearchField = keyof typeof VARIABLE_SEARCH_FIELDS;
export type ElementInstanceSearchField = keyof typeof ELEMENT_INSTANCE_SEARCH_FIELDS;
export type DefinitionSearchField = keyof typeof DEFINITION_SEARCH_FIELDS;
export type IncidentSearchField = keyof typeof INCIDENT_SEARCH_FIELDS;
export type UserTaskSearchField = keyof typeof USER_TASK_SEARCH_FIELDS;
export type JobSearchField = keyof typeof JOB_SEARCH_FIELDS;
export type DecisionDefinitionSearchField = keyof typeof DECISION_DEFINITION_SEARCH_FIELDS;
export type DecisionRequirementsSearchField = keyof typeof DECISION_REQUIREMENTS_SEARCH_FIELDS;
export type DecisionInstanceSearchField = keyof typeof DECISION_INSTANCE_SEARCH_FIELDS;

/** An instance as a search returns it: the summary, its definition's name and tag, and whether an incident is open. */
export interface InstanceSearchRecord extends InstanceSummaryRecord {
  readonly parentElementInstanceId: Key | null;
  readonly definitionName: string | null;
  readonly versionTag: string | null;
  readonly hasIncident: boolean;
}

export interface DefinitionSearchRecord extends DefinitionRecord {
  readonly isLatest: boolean;
}

/** `state`: ACTIVE, COMPLETED or TERMINATED; `incidentId`: the oldest open incident of the element instance. */
export interface ElementInstanceSearchRecord {
  /** The element instance's key; for the process itself, the process instance's key (as in Camunda). */
  readonly id: Key;
  readonly tenantId: string;
  readonly instanceId: Key;
  readonly definitionId: Key;
  readonly bpmnProcessId: string;
  readonly elementId: string;
  /** The BPMN tag name, `process` or `multiInstanceBody` (as in the history). */
  readonly elementType: string;
  readonly state: 'ACTIVE' | 'COMPLETED' | 'TERMINATED';
  readonly startedAt: Date;
  readonly endedAt: Date | null;
  readonly hasIncident: boolean;
  readonly incidentId: Key | null;
}

/** A variable as a search returns it: `value` is its JSON text as the store prints it. */
export interface VariableSearchRecord {
  readonly id: string;
  readonly key: Key | null;
  readonly instanceId: Key;
  readonly scopeId: Key;
  readonly tenantId: string;
  readonly name: string;
  readonly value: string;
}

export type DecisionDefinitionSearchRecord = DecisionDefinitionRecord;
export type DecisionRequirementsSearchRecord = DecisionRequirementsRecord;

export interface DecisionInstanceSearchRecord extends DecisionInstanceRecord {
  /** The decision's name, else its id. */
  readonly decisionName: string;
  /** The key of the process definition of the evaluating instance; null for an evaluation over REST. */
  readonly processDefinitionId: Key | null;
}

export type IncidentSearchRecord = IncidentRecord;
export type UserTaskSearchRecord = UserTaskRecord;
export type JobSearchRecord = JobRecord;

/** The value of a search field of a record (cursor values, and the fake's filtering): dates as ISO strings. */
export function searchValue(record: object, field: string): SearchScalar | readonly string[] {
  if (field === 'resolved') return (record as IncidentRecord).resolvedAt !== null;
  const value = (record as Record<string, unknown>)[field];
  if (value === undefined || value === null) return null;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value as string[];
  return value as SearchScalar;
}

/** Searches a repository offers: a page of rows, and how many rows match (counted up to `cap`). */
export interface Searchable<F extends string, R> {
  search(query: SearchQuery<F>): Promise<R[]>;
  count(filter: SearchFilter<F>, cap: number): Promise<number>;
}

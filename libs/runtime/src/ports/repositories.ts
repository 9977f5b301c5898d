import type { EngineEvent, InstanceState, Variables } from '@baton/engine';
import type { ExportOutboxRepository } from '../export/export.records';
import type { Key } from '../keys/key-generator';
import type { KeyNodeRepository } from '../keys/key-node-lease';
import type { BatchRepository } from '../batches/batch.records';
import type { InstanceMigrationRepository } from '../instances/migration.records';
import type { ChangeSet } from './changes';
import type {
  BufferedMessageRecord,
  DecisionDefinitionRecord,
  DecisionInstanceRecord,
  DecisionRequirementsRecord,
  DecisionRequirementsWithXml,
  DefinitionRecord,
  DefinitionWithXml,
  DueTimer,
  FormRecord,
  FormWithSchema,
  HistoryRecord,
  InboxEvent,
  IncidentRecord,
  InstanceRecord,
  InstanceStatus,
  InstanceSummaryRecord,
  JobRecord,
  MessageSubscriptionRecord,
  NewInstanceRecord,
  PageRequest,
  SignalSubscriptionRecord,
  StartEventKind,
  StartEventRecord,
  StartTimerRecord,
  StoredEvent,
  TenantScope,
  TouchedInstance,
  UserTaskRecord,
  UserTaskTransitionState,
} from './records';
import type {
  DecisionDefinitionSearchField,
  DecisionDefinitionSearchRecord,
  DecisionInstanceSearchField,
  DecisionInstanceSearchRecord,
  DecisionRequirementsSearchField,
  DecisionRequirementsSearchRecord,
  DefinitionSearchField,
  DefinitionSearchRecord,
  ElementInstanceSearchField,
  ElementInstanceSearchRecord,
  VariableSearchField,
  VariableSearchRecord,
  IncidentSearchField,
  IncidentSearchRecord,
  InstanceSearchField,
  InstanceSearchRecord,
  JobSearchField,
  JobSearchRecord,
  Searchable,
  SearchFilter,
  SearchQuery,
  UserTaskSearchField,
  UserTaskSearchRecord,
} from './search';

/**
 * The runtime's store. Use cases see only these interfaces; the SQL lives in
 * the repositories of `libs/store` (Postgres and PGlite), and unit tests run
 * on in-memory fakes. Every repository works inside a transaction (the `tx`
 * handed to `transaction`) or outside one (`repos`: each call its own
 * statement).
 */
export interface RuntimeStore {
  readonly repos: Repositories;
  transaction<R>(work: (tx: Repositories) => Promise<R>, options?: TransactionOptions): Promise<R>;
}

export interface TransactionOptions {
  /**
   * Give up on a row lock after this long with a {@link LockTimeoutError}
   * (commands that must answer fast). Default: wait.
   */
  readonly lockTimeoutMs?: number;
  /** Longest the transaction may run. Default 60 s. */
  readonly timeoutMs?: number;
}

/** A row lock was not granted within `lockTimeoutMs`. */
export class LockTimeoutError extends Error {
  constructor(message = 'a row lock was not granted in time') {
    super(message);
    this.name = 'LockTimeoutError';
  }
}

/** The store cannot be reached or is saturated; the caller may retry later. */
export class StoreUnavailableError extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
    this.name = 'StoreUnavailableError';
  }
}

export interface Repositories {
  readonly definitions: DefinitionRepository;
  readonly decisions: DecisionRepository;
  /** Deployed Camunda Forms (libs/runtime/src/forms). */
  readonly forms: FormRepository;
  readonly startEvents: StartEventRepository;
  readonly instances: InstanceRepository;
  readonly inbox: InboxRepository;
  readonly history: HistoryRepository;
  readonly elementInstances: ElementInstanceRepository;
  readonly variables: VariableRepository;
  readonly jobs: JobRepository;
  readonly userTasks: UserTaskRepository;
  readonly timers: TimerRepository;
  readonly messages: MessageRepository;
  readonly signals: SignalRepository;
  readonly incidents: IncidentRepository;
  readonly idempotency: IdempotencyRepository;
  readonly keyNodes: KeyNodeRepository;
  /** Batch operations and their items (libs/runtime/src/batches). */
  readonly batches: BatchRepository;
  /** The row rewrites of a process instance migration (libs/runtime/src/instances/migration.ts). */
  readonly migrations: InstanceMigrationRepository;
  /** Writes what one unit of work produced. */
  readonly changes: ChangeRepository;
  /** Event export's outbox (libs/runtime/src/export). */
  readonly exports: ExportOutboxRepository;
}

/** Deployed Camunda Forms: versions of each form id per tenant. */
export interface FormRepository {
  /** Serialises deployments of one form id until the transaction ends (versions stay gap-free). */
  lockFormId(tenantId: string, formId: string): Promise<void>;
  /** The latest version not deleted. */
  latest(tenantId: string, formId: string): Promise<FormRecord | null>;
  /** The highest version ever deployed, deleted ones included; 0 for none. */
  highestVersion(tenantId: string, formId: string): Promise<number>;
  insert(row: Omit<FormWithSchema, 'deployedAt'>): Promise<FormRecord>;
  byId(id: Key): Promise<FormWithSchema | null>;
  byVersion(tenantId: string, formId: string, version: number): Promise<FormWithSchema | null>;
  /**
   * The version a binding picks (Camunda's `bindingType`): the latest deployed
   * at or before `at` (latest), the one deployed by `deploymentId`
   * (deployment), or the latest carrying `versionTag` (versionTag). Deleted
   * versions are never picked.
   */
  resolve(
    tenantId: string,
    formId: string,
    binding:
      | { readonly bindingType: 'latest'; readonly at: Date }
      | { readonly bindingType: 'deployment'; readonly deploymentId: Key }
      | { readonly bindingType: 'versionTag'; readonly versionTag: string },
  ): Promise<FormWithSchema | null>;
  /** The latest version of each form id, ordered by form id then tenant, after `after`. */
  listLatest(
    page: { readonly limit: number; readonly after?: { readonly formId: string; readonly tenantId: string } },
    tenants: TenantScope,
  ): Promise<FormRecord[]>;
  /** Marks a version deleted; null when it is unknown or already deleted. */
  markDeleted(id: Key): Promise<FormRecord | null>;
}

export interface DefinitionRepository extends Searchable<DefinitionSearchField, DefinitionSearchRecord> {
  /** Serialises deployments of one process id until the transaction ends (versions stay gap-free). */
  lockProcessId(tenantId: string, bpmnProcessId: string): Promise<void>;
  /** The latest version that is not deleted. */
  latest(tenantId: string, bpmnProcessId: string): Promise<DefinitionRecord | null>;
  /** A version that is not deleted (`withDeleted`: or one that is, for reading what ran on it). */
  byVersion(tenantId: string, bpmnProcessId: string, version: number, options?: { withDeleted?: boolean }): Promise<DefinitionRecord | null>;
  /** A version by key, deleted or not (instances still running on a deleted version need it). */
  byId(id: Key): Promise<DefinitionWithXml | null>;
  /** The version of a process id that a deployment brought (a call activity's `bindingType="deployment"`), not deleted. */
  inDeployment(tenantId: string, bpmnProcessId: string, deploymentId: Key): Promise<DefinitionRecord | null>;
  /** The latest version of a process id carrying a `zeebe:versionTag`, not deleted. */
  byVersionTag(tenantId: string, bpmnProcessId: string, versionTag: string): Promise<DefinitionRecord | null>;
  /** The highest version ever deployed, deleted ones included (versions are never reused); 0 for none. */
  highestVersion(tenantId: string, bpmnProcessId: string): Promise<number>;
  /** Marks a version deleted; null when it is unknown or already deleted. */
  markDeleted(id: Key): Promise<DefinitionRecord | null>;
  insertDeployment(deployment: { id: Key; tenantId: string }): Promise<void>;
  insert(definition: Omit<DefinitionWithXml, 'deployedAt'>): Promise<DefinitionRecord>;
  /** The latest version of each process id and tenant, ordered by process id then tenant, after `after`. */
  listLatest(
    page: { readonly limit: number; readonly after?: { readonly bpmnProcessId: string; readonly tenantId: string } },
    tenants: TenantScope,
  ): Promise<DefinitionRecord[]>;
}

/** Deployed DMN documents (decision requirements), their decisions, and decision evaluations (history). */
export interface DecisionRepository {
  /** Serialises deployments of one decision requirements id until the transaction ends. */
  lockRequirementsId(tenantId: string, decisionRequirementsId: string): Promise<void>;
  /** Reads leave deleted versions (and the decisions of deleted requirements) out, as if they were never deployed. */
  latestRequirements(tenantId: string, decisionRequirementsId: string): Promise<DecisionRequirementsRecord | null>;
  requirementsById(id: Key): Promise<DecisionRequirementsWithXml | null>;
  /** The highest version ever deployed, deleted ones included (versions are never reused); 0 for none. */
  highestRequirementsVersion(tenantId: string, decisionRequirementsId: string): Promise<number>;
  highestDecisionVersion(tenantId: string, decisionId: string): Promise<number>;
  /** Marks a decision requirements version and its decisions deleted; null when it is unknown or already deleted. */
  markRequirementsDeleted(id: Key): Promise<{ requirements: DecisionRequirementsRecord; decisions: DecisionDefinitionRecord[] } | null>;
  insertRequirements(row: Omit<DecisionRequirementsWithXml, 'deployedAt'>): Promise<DecisionRequirementsRecord>;
  latestDecision(tenantId: string, decisionId: string): Promise<DecisionDefinitionRecord | null>;
  decisionByVersion(tenantId: string, decisionId: string, version: number): Promise<DecisionDefinitionRecord | null>;
  /** The latest version of a decision id carrying this version tag. */
  decisionByVersionTag(tenantId: string, decisionId: string, versionTag: string): Promise<DecisionDefinitionRecord | null>;
  /** The version of a decision id deployed by this deployment. */
  decisionInDeployment(tenantId: string, decisionId: string, deploymentId: Key): Promise<DecisionDefinitionRecord | null>;
  decisionById(id: Key): Promise<DecisionDefinitionRecord | null>;
  /** The decisions of one decision requirements version, in document order. */
  decisionsOf(decisionRequirementsKey: Key): Promise<DecisionDefinitionRecord[]>;
  insertDecisions(rows: readonly Omit<DecisionDefinitionRecord, 'deployedAt'>[]): Promise<DecisionDefinitionRecord[]>;
  /** The latest version of each decision id and tenant, ordered by decision id then tenant, after `after`. */
  listLatest(
    page: { readonly limit: number; readonly after?: { readonly decisionId: string; readonly tenantId: string } },
    tenants: TenantScope,
  ): Promise<DecisionDefinitionRecord[]>;
  insertInstances(rows: readonly Omit<DecisionInstanceRecord, 'evaluatedAt'>[]): Promise<void>;
  /** The decision evaluations of a process instance, oldest first. */
  instancesOf(processInstanceId: Key): Promise<DecisionInstanceRecord[]>;
  /** Camunda's `/v2` searches of decision definitions, decision requirements and decision instances. */
  searchDefinitions(query: SearchQuery<DecisionDefinitionSearchField>): Promise<DecisionDefinitionSearchRecord[]>;
  countDefinitions(filter: SearchFilter<DecisionDefinitionSearchField>, cap: number): Promise<number>;
  searchRequirements(query: SearchQuery<DecisionRequirementsSearchField>): Promise<DecisionRequirementsSearchRecord[]>;
  countRequirements(filter: SearchFilter<DecisionRequirementsSearchField>, cap: number): Promise<number>;
  searchInstances(query: SearchQuery<DecisionInstanceSearchField>): Promise<DecisionInstanceSearchRecord[]>;
  countInstances(filter: SearchFilter<DecisionInstanceSearchField>, cap: number): Promise<number>;
}

export interface StartEventRepository {
  /** The start events of a new version replace those of the versions before it (Camunda semantics). */
  replace(tenantId: string, bpmnProcessId: string, rows: readonly StartEventRecord[]): Promise<void>;
  find(tenantId: string, kind: StartEventKind, name: string): Promise<StartEventRecord[]>;
  /** Every start event of a kind in a tenant (conditional start events: every one is evaluated), by process id; `definitionId` narrows to one version. */
  ofKind(tenantId: string, kind: StartEventKind, definitionId?: string): Promise<StartEventRecord[]>;
}

export interface InstanceQuery extends PageRequest {
  readonly status?: InstanceStatus;
  readonly bpmnProcessId?: string;
  /** The process version (with `bpmnProcessId`). */
  readonly version?: number;
  readonly businessKey?: string;
  /** true: an open incident; false: none. */
  readonly hasIncident?: boolean;
  /** Started at or after this instant. */
  readonly startedFrom?: Date;
  /** Started before this instant. */
  readonly startedTo?: Date;
  /** A process-scope variable: `value` (any JSON value) compared for equality; without `value`, the variable is set. */
  readonly variable?: { readonly name: string; readonly value?: unknown };
  readonly tenants?: TenantScope;
}

export interface InstanceRepository extends Searchable<InstanceSearchField, InstanceSearchRecord> {
  /** New, not yet run instances in one statement, marked pending. */
  insertNew(instances: readonly NewInstanceRecord[], now: Date): Promise<void>;
  /**
   * Row-locks the instances in key order (one lock order for every locker of
   * several instances). `skip`: rows another transaction holds are left out;
   * `wait`: waits for them (bounded by the transaction's lock timeout).
   */
  lockForStep(ids: readonly Key[], mode: 'skip' | 'wait'): Promise<InstanceRecord[]>;
  /** Of these keys, those that exist. */
  existing(ids: readonly Key[]): Promise<Key[]>;
  /**
   * Row-locks the instances (key order) for a change made from outside the
   * unit of work (an event for the inbox, a job or task row): the lock order
   * of the unit of work, so the two never wait on each other in opposite orders.
   */
  lock(ids: readonly Key[]): Promise<TouchedInstance[]>;
  /** Counts a failed step; returns the count after it. */
  recordStepFailure(id: Key): Promise<number>;
  /** Live children started by these call activity element instances. */
  liveChildrenOf(parentElementInstanceIds: readonly Key[]): Promise<Key[]>;
  get(id: Key): Promise<InstanceRecord | null>;
  list(query: InstanceQuery): Promise<InstanceSummaryRecord[]>;
  /** Process states, for the variables a job sees. */
  states(ids: readonly Key[]): Promise<Map<Key, InstanceRecord['state']>>;
  /**
   * Instances with overdue work (pending longer than `olderThanSeconds`, or
   * inbox events nobody consumed), re-marked so each is returned at most once
   * per interval. `olderThanSeconds` 0 returns every one (embedded start-up).
   */
  claimOverdue(olderThanSeconds: number, limit: number): Promise<Key[]>;
}

export interface InboxRepository {
  /** Inbox events of these instances, in the order they were written. */
  load(instanceIds: readonly Key[]): Promise<StoredEvent[]>;
  /**
   * Appends events and marks their instances pending, so the sweeper
   * announces them if the announcement after the commit is lost.
   */
  append(events: readonly InboxEvent[]): Promise<void>;
  /** Commands (by type) waiting in these instances' inboxes. */
  pendingCommands(instanceIds: readonly Key[]): Promise<Map<Key, string[]>>;
}

export interface HistoryRepository {
  /** In the order the events were written; the cursor is the last event's position. */
  page(instanceId: Key, page: PageRequest): Promise<HistoryRecord[]>;
}

/** Element instances as Camunda's searches show them, read from the history (read-only). */
export type ElementInstanceRepository = Searchable<ElementInstanceSearchField, ElementInstanceSearchRecord>;

/**
 * Variables as Camunda's searches show them: the process scope and the local
 * variables of live element instances. Baton's variables have no key of their
 * own: a variable gets one the first time a search returns it, and keeps it
 * (a row per instance, scope and name), so a key a client saw always names
 * the same variable.
 */
export interface VariableRepository extends Searchable<VariableSearchField, VariableSearchRecord> {
  /** The keys of these variables (by `<instance key>:<scope key>:<name>`, a record's `id`), handed out now where there was none. */
  assignKeys(variables: readonly { readonly instanceId: Key; readonly scopeId: Key; readonly name: string }[]): Promise<Map<string, Key>>;
}

export interface ActivateJobsQuery {
  readonly type: string;
  readonly workerId: string;
  readonly maxJobs: number;
  readonly lockDurationMs: number;
  readonly tenants?: TenantScope;
}

/** One accepted completion or BPMN error, as {@link JobRepository.settle} writes it. */
export interface JobReportWrite {
  readonly id: Key;
  readonly outcome: 'COMPLETED' | 'ERROR';
  readonly workerId: string;
  readonly digest: string;
  readonly instanceId: Key;
  readonly event: EngineEvent;
}

export interface JobRepository extends Searchable<JobSearchField, JobSearchRecord> {
  /**
   * Leases up to `maxJobs` activatable jobs (or ones whose lease ran out) of
   * ACTIVE instances, in one statement; the first job of each instance
   * carries the instance's state (for the variables the job sees), the others
   * null.
   */
  activate(query: ActivateJobsQuery): Promise<(JobRecord & { readonly instanceState: InstanceState | null })[]>;
  get(id: Key): Promise<JobRecord | null>;
  /** The instances of these jobs (no lock: the caller locks the instances first, then the jobs). */
  instanceIds(jobIds: readonly Key[]): Promise<Key[]>;
  /** Row-locks the jobs (key order). */
  lock(ids: readonly Key[]): Promise<JobRecord[]>;
  /**
   * The jobs with their instances (`instance` null when it is gone): what a
   * completion or BPMN error decides on. `update` row-locks the jobs (key
   * order); the instances are never locked: the unit of work holds an
   * instance while it steps, and a step that ends a job updates the job row,
   * whose lock orders it against a report.
   */
  withInstances(
    ids: readonly Key[],
    lock: 'none' | 'update',
  ): Promise<{ readonly job: JobRecord; readonly instance: TouchedInstance | null }[]>;
  /**
   * Ends leased jobs with a completion or a BPMN error reported by
   * `workerId` and appends each one's `event` to its instance's inbox, in one
   * statement; answers the jobs ended. A job is ended only while `workerId`
   * still holds it (ACTIVATED), and one another transaction has locked is
   * left as it is (SKIP LOCKED), never waited for. The instance rows are not
   * touched (no `pendingSince`): the sweeper finds inbox rows nobody consumed
   * by themselves.
   */
  settle(reports: readonly JobReportWrite[]): Promise<Key[]>;
  /** A failed attempt: back to ACTIVATABLE after `backoffMs`, or FAILED when `retries` is 0. */
  fail(failure: { id: Key; retries: number; errorMessage: string; backoffMs: number; workerId: string; digest: string }): Promise<void>;
  extendLock(id: Key, lockDurationMs: number): Promise<void>;
  /**
   * Sets the retries of a job that has not ended (waiting, leased or FAILED):
   * nothing else changes, so a FAILED job stays FAILED until its incident is
   * resolved (Zeebe's JobUpdateRetriesProcessor only writes RETRIES_UPDATED).
   */
  updateRetries(id: Key, retries: number): Promise<void>;
}

/** A user task update: absent keeps a value; null clears a date. */
export interface UserTaskUpdate {
  readonly dueDate?: string | null;
  readonly followUpDate?: string | null;
  readonly candidateUsers?: readonly string[];
  readonly candidateGroups?: readonly string[];
  readonly priority?: number;
}

export interface UserTaskQuery extends PageRequest {
  readonly instanceId?: Key;
  readonly bpmnProcessId?: string;
  readonly assignee?: string;
  readonly candidateGroup?: string;
  readonly tenants?: TenantScope;
}

export interface UserTaskRepository extends Searchable<UserTaskSearchField, UserTaskSearchRecord> {
  /** Open tasks (also those in ASSIGNING or COMPLETING), oldest first. */
  list(query: UserTaskQuery): Promise<UserTaskRecord[]>;
  get(id: Key): Promise<UserTaskRecord | null>;
  /**
   * Sets the assignee of an open task of an ACTIVE instance when it has none or
   * has this one already; false otherwise.
   */
  claim(id: Key, assignee: string): Promise<boolean>;
  /**
   * Sets (or, with null, clears) the assignee of an open task of an ACTIVE
   * instance; with `allowOverride` false only when it has none or has this
   * one already. False when nothing changed for one of those reasons.
   */
  assign(id: Key, assignee: string | null, allowOverride: boolean): Promise<boolean>;
  /**
   * Puts a CREATED task in ASSIGNING, UPDATING or COMPLETING (its listeners
   * run; the unit of work ends the transition); false when it was not CREATED.
   */
  startTransition(id: Key, state: UserTaskTransitionState): Promise<boolean>;
  /** Writes an update (Camunda's changeset: dates, candidates, priority) to a CREATED task; false when it was not CREATED. */
  update(id: Key, changes: UserTaskUpdate): Promise<boolean>;
  /** Marks an open task COMPLETED; false when it was not open. */
  complete(id: Key, now: Date): Promise<boolean>;
}

export interface TimerRepository {
  /**
   * Cancels the pending start timers of every version of a process and arms
   * the new version's (a new version replaces the schedule of the one before).
   */
  replaceStartTimers(tenantId: string, bpmnProcessId: string, timers: readonly StartTimerRecord[]): Promise<void>;
  /**
   * Claims due timers (instance timers of ACTIVE instances, start timers) and
   * marks them FIRED in the same statement, so each fires once however many
   * pollers there are.
   */
  claimDue(limit: number): Promise<DueTimer[]>;
  /** One cheap look (by the store's clock) at what a poller has to do now and when next: see {@link TimerPeek}. */
  peek(withinMs: number): Promise<TimerPeek>;
  /** Arms the next firing of a start timer's cycle. */
  rearm(id: Key, dueAt: Date, repetitions: number | null): Promise<void>;
}

/** What {@link TimerRepository.peek} sees. */
export interface TimerPeek {
  /** A scheduled timer is due (claimDue may still find none it can fire: its instance is suspended). */
  readonly due: boolean;
  /** Milliseconds until the earliest timer that falls due later, within the window asked for; null when none does. */
  readonly nextInMs: number | null;
}

export interface MessageRepository {
  /** A live buffered message with this id exists. */
  isBuffered(tenantId: string, messageId: string): Promise<boolean>;
  /** Subscriptions of ACTIVE instances to a message name and correlation key, by instance. */
  candidates(tenantId: string, name: string, correlationKey: string): Promise<MessageSubscriptionRecord[]>;
  /**
   * Re-reads a subscription under its instance's lock; false when it is gone.
   * An interrupting one is consumed with every other message subscription of
   * its owner: the trigger ends them all (the other branches of an
   * event-based gateway, the other boundary events of an activity), so none
   * may take a message meanwhile.
   */
  consume(subscriptionId: Key, interrupting: boolean): Promise<boolean>;
  /** Buffers an unmatched message; false when a live message with its id exists. */
  buffer(message: BufferedMessageRecord): Promise<boolean>;
  /** Subscriptions an instance holds (a resumed instance takes buffered messages for them). */
  subscriptionsOf(instanceId: Key): Promise<MessageSubscriptionRecord[]>;
  /** Takes (deletes) the oldest live buffered message for a name and correlation key. */
  takeBuffered(tenantId: string, name: string, correlationKey: string): Promise<Variables | null>;
  countBuffered(tenantId: string, names: readonly string[]): Promise<number>;
  deleteSubscriptions(ids: readonly Key[]): Promise<void>;
}

export interface SignalRepository {
  /** Signal subscriptions of ACTIVE instances, by instance. */
  subscribers(tenantId: string, name: string): Promise<SignalSubscriptionRecord[]>;
}

export interface IncidentQuery extends PageRequest {
  readonly instanceId?: Key;
  /** Open incidents unless RESOLVED is asked for. */
  readonly state?: 'OPEN' | 'RESOLVED';
  readonly tenants?: TenantScope;
}

export interface IncidentRepository extends Searchable<IncidentSearchField, IncidentSearchRecord> {
  list(query: IncidentQuery): Promise<IncidentRecord[]>;
  get(id: Key): Promise<IncidentRecord | null>;
  openOf(instanceId: Key): Promise<IncidentRecord[]>;
}

export interface IdempotencyRepository {
  /**
   * Records the answer to a request under `scope` + `key`, or returns the
   * answer recorded first (a concurrent request with the same key waits for
   * the first to commit). Expired records count as absent.
   */
  claim(record: { scope: string; key: string; resourceId: Key; answer: unknown; expiresAt: Date }): Promise<unknown | null>;
  purgeExpired(): Promise<number>;
}

export interface ChangeRepository {
  apply(changes: ChangeSet): Promise<void>;
}

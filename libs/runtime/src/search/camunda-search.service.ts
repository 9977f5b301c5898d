import { isKey } from '../keys/key-generator';
import type { RuntimeStore } from '../ports/repositories';
import type { TenantScope } from '../ports/records';
import {
  DECISION_DEFINITION_SEARCH_FIELDS,
  DECISION_INSTANCE_SEARCH_FIELDS,
  DECISION_REQUIREMENTS_SEARCH_FIELDS,
  DEFINITION_SEARCH_FIELDS,
  ELEMENT_INSTANCE_SEARCH_FIELDS,
  INCIDENT_SEARCH_FIELDS,
  INSTANCE_SEARCH_FIELDS,
  JOB_SEARCH_FIELDS,
  searchValue,
  USER_TASK_SEARCH_FIELDS,
  VARIABLE_SEARCH_FIELDS,
  type DecisionDefinitionSearchField,
  type DecisionDefinitionSearchRecord,
  type DecisionInstanceSearchField,
  type DecisionInstanceSearchRecord,
  type DecisionRequirementsSearchField,
  type DecisionRequirementsSearchRecord,
  type DefinitionSearchField,
  type DefinitionSearchRecord,
  type ElementInstanceSearchField,
  type ElementInstanceSearchRecord,
  type IncidentSearchField,
  type IncidentSearchRecord,
  type InstanceSearchField,
  type InstanceSearchRecord,
  type JobSearchField,
  type JobSearchRecord,
  type Searchable,
  type SearchScalar,
  type UserTaskSearchField,
  type UserTaskSearchRecord,
  type VariableSearchField,
  type VariableSearchRecord,
} from '../ports/search';
import { RuntimeError } from '../runtime-error';
import {
  decodeCursor,
  encodeCursor,
  enumName,
  sortSignature,
  translateFilter,
  translatePage,
  translateSort,
  type ApiResource,
  type CamundaSearchRequest,
  type EnumMapping,
} from './search-language';

/** Matches are counted up to this many; beyond, `totalItems` is this and `hasMoreTotalItems` true. */
export const MAX_TOTAL_ITEMS = 10_000;

export interface SearchPage<R> {
  readonly items: R[];
  readonly page: {
    readonly totalItems: number;
    readonly hasMoreTotalItems: boolean;
    readonly startCursor?: string;
    readonly endCursor?: string;
  };
}

// ---------------------------------------------------------------------------
// Camunda's names for Baton's values
// ---------------------------------------------------------------------------

/** Baton's CANCELED is Camunda's TERMINATED; a SUSPENDED instance shows as ACTIVE (Camunda has no suspension). */
export const INSTANCE_STATE: EnumMapping = {
  names: ['ACTIVE', 'COMPLETED', 'TERMINATED'],
  stored: [
    ['ACTIVE', 'ACTIVE'],
    ['SUSPENDED', 'ACTIVE'],
    ['COMPLETED', 'COMPLETED'],
    ['CANCELED', 'TERMINATED'],
  ],
};

/**
 * Baton's incident types by Camunda's `errorType`. EXPRESSION_ERROR (a FEEL
 * expression failed) is EXTRACT_VALUE_ERROR, VARIABLE_LIMIT_EXCEEDED (a
 * variable over `maxVariableSize`) MESSAGE_SIZE_EXCEEDED; Baton's own
 * STEP_BUDGET_EXCEEDED and STEP_FAILED, and anything else, are UNKNOWN.
 */
export const INCIDENT_ERROR_TYPE: EnumMapping = {
  names: [
    'UNSPECIFIED',
    'UNKNOWN',
    'IO_MAPPING_ERROR',
    'JOB_NO_RETRIES',
    'EXECUTION_LISTENER_NO_RETRIES',
    'TASK_LISTENER_NO_RETRIES',
    'AD_HOC_SUB_PROCESS_NO_RETRIES',
    'CONDITION_ERROR',
    'EXTRACT_VALUE_ERROR',
    'CALLED_ELEMENT_ERROR',
    'UNHANDLED_ERROR_EVENT',
    'MESSAGE_SIZE_EXCEEDED',
    'CALLED_DECISION_ERROR',
    'DECISION_EVALUATION_ERROR',
    'FORM_NOT_FOUND',
    'RESOURCE_NOT_FOUND',
  ],
  stored: [
    ['JOB_NO_RETRIES', 'JOB_NO_RETRIES'],
    ['EXECUTION_LISTENER_NO_RETRIES', 'EXECUTION_LISTENER_NO_RETRIES'],
    ['TASK_LISTENER_NO_RETRIES', 'TASK_LISTENER_NO_RETRIES'],
    ['UNHANDLED_ERROR', 'UNHANDLED_ERROR_EVENT'],
    ['CONDITION_ERROR', 'CONDITION_ERROR'],
    ['EXPRESSION_ERROR', 'EXTRACT_VALUE_ERROR'],
    ['CALLED_ELEMENT_ERROR', 'CALLED_ELEMENT_ERROR'],
    ['CALLED_DECISION_ERROR', 'CALLED_DECISION_ERROR'],
    ['DECISION_EVALUATION_ERROR', 'DECISION_EVALUATION_ERROR'],
    ['VARIABLE_LIMIT_EXCEEDED', 'MESSAGE_SIZE_EXCEEDED'],
    ['STEP_BUDGET_EXCEEDED', 'UNKNOWN'],
    ['STEP_FAILED', 'UNKNOWN'],
  ],
  otherwise: 'UNKNOWN',
};

/** Open incidents are ACTIVE, resolved ones RESOLVED (Baton keeps them). */
export const INCIDENT_STATE: EnumMapping = {
  names: ['ACTIVE', 'MIGRATED', 'RESOLVED', 'PENDING'],
  stored: [
    [false, 'ACTIVE'],
    [true, 'RESOLVED'],
  ],
};

export const USER_TASK_STATE: EnumMapping = {
  names: ['CREATING', 'CREATED', 'ASSIGNING', 'UPDATING', 'COMPLETING', 'COMPLETED', 'CANCELING', 'CANCELED', 'FAILED'],
  stored: [
    ['CREATED', 'CREATED'],
    ['ASSIGNING', 'ASSIGNING'],
    ['UPDATING', 'UPDATING'],
    ['COMPLETING', 'COMPLETING'],
    ['COMPLETED', 'COMPLETED'],
    ['CANCELED', 'CANCELED'],
  ],
};

/** A job waiting for a worker or leased by one is CREATED; out of retries FAILED. */
export const JOB_STATE: EnumMapping = {
  names: ['CANCELED', 'COMPLETED', 'CREATED', 'ERROR_THROWN', 'FAILED', 'MIGRATED', 'RETRIES_UPDATED', 'TIMED_OUT'],
  stored: [
    ['ACTIVATABLE', 'CREATED'],
    ['ACTIVATED', 'CREATED'],
    ['FAILED', 'FAILED'],
    ['COMPLETED', 'COMPLETED'],
    ['CANCELED', 'CANCELED'],
  ],
};

const JOB_KIND_NAMES = ['BPMN_ELEMENT', 'EXECUTION_LISTENER', 'TASK_LISTENER', 'AD_HOC_SUB_PROCESS'] as const;
const JOB_KIND: EnumMapping = { names: JOB_KIND_NAMES, stored: JOB_KIND_NAMES.map((n) => [n, n] as const) };
const JOB_LISTENER_EVENT_NAMES = ['UNSPECIFIED', 'START', 'END', 'CREATING', 'ASSIGNING', 'UPDATING', 'COMPLETING', 'CANCELING'] as const;
const JOB_LISTENER_EVENT: EnumMapping = { names: JOB_LISTENER_EVENT_NAMES, stored: JOB_LISTENER_EVENT_NAMES.map((n) => [n, n] as const) };

export const ELEMENT_INSTANCE_STATE: EnumMapping = {
  names: ['ACTIVE', 'COMPLETED', 'TERMINATED'],
  stored: [
    ['ACTIVE', 'ACTIVE'],
    ['COMPLETED', 'COMPLETED'],
    ['TERMINATED', 'TERMINATED'],
  ],
};

/**
 * Camunda's element `type` by Baton's element type (the BPMN tag name in the
 * history). An event subprocess is a `subProcess` to Baton: SUB_PROCESS.
 */
export const ELEMENT_TYPE: EnumMapping = {
  names: [
    'UNSPECIFIED',
    'PROCESS',
    'SUB_PROCESS',
    'EVENT_SUB_PROCESS',
    'AD_HOC_SUB_PROCESS',
    'AD_HOC_SUB_PROCESS_INNER_INSTANCE',
    'START_EVENT',
    'INTERMEDIATE_CATCH_EVENT',
    'INTERMEDIATE_THROW_EVENT',
    'BOUNDARY_EVENT',
    'END_EVENT',
    'SERVICE_TASK',
    'RECEIVE_TASK',
    'USER_TASK',
    'MANUAL_TASK',
    'TASK',
    'EXCLUSIVE_GATEWAY',
    'INCLUSIVE_GATEWAY',
    'PARALLEL_GATEWAY',
    'EVENT_BASED_GATEWAY',
    'SEQUENCE_FLOW',
    'MULTI_INSTANCE_BODY',
    'CALL_ACTIVITY',
    'BUSINESS_RULE_TASK',
    'SCRIPT_TASK',
    'SEND_TASK',
    'UNKNOWN',
  ],
  stored: [
    ['process', 'PROCESS'],
    ['subProcess', 'SUB_PROCESS'],
    ['adHocSubProcess', 'AD_HOC_SUB_PROCESS'],
    ['startEvent', 'START_EVENT'],
    ['intermediateCatchEvent', 'INTERMEDIATE_CATCH_EVENT'],
    ['intermediateThrowEvent', 'INTERMEDIATE_THROW_EVENT'],
    ['boundaryEvent', 'BOUNDARY_EVENT'],
    ['endEvent', 'END_EVENT'],
    ['serviceTask', 'SERVICE_TASK'],
    ['receiveTask', 'RECEIVE_TASK'],
    ['userTask', 'USER_TASK'],
    ['manualTask', 'MANUAL_TASK'],
    ['task', 'TASK'],
    ['exclusiveGateway', 'EXCLUSIVE_GATEWAY'],
    ['inclusiveGateway', 'INCLUSIVE_GATEWAY'],
    ['parallelGateway', 'PARALLEL_GATEWAY'],
    ['eventBasedGateway', 'EVENT_BASED_GATEWAY'],
    ['multiInstanceBody', 'MULTI_INSTANCE_BODY'],
    ['callActivity', 'CALL_ACTIVITY'],
    ['businessRuleTask', 'BUSINESS_RULE_TASK'],
    ['scriptTask', 'SCRIPT_TASK'],
    ['sendTask', 'SEND_TASK'],
  ],
  otherwise: 'UNKNOWN',
};

export const camundaElementType = (type: string): string => enumName(ELEMENT_TYPE, type);
export const camundaInstanceState = (status: string): string => enumName(INSTANCE_STATE, status);
export const camundaIncidentType = (type: string): string => enumName(INCIDENT_ERROR_TYPE, type);
export const camundaUserTaskState = (state: string): string => enumName(USER_TASK_STATE, state);
export const camundaJobState = (state: string): string => enumName(JOB_STATE, state);

// ---------------------------------------------------------------------------
// The searches: Camunda's field names -> the store's
// ---------------------------------------------------------------------------

export const INSTANCE_SEARCH: ApiResource<InstanceSearchField> = {
  name: 'process instance',
  key: 'id',
  fields: {
    processInstanceKey: { kind: 'key', field: 'id' },
    processDefinitionId: { kind: 'string', field: 'bpmnProcessId' },
    processDefinitionName: { kind: 'string', field: 'definitionName' },
    processDefinitionVersion: { kind: 'int', field: 'processVersion' },
    processDefinitionVersionTag: { kind: 'string', field: 'versionTag' },
    processDefinitionKey: { kind: 'key', field: 'definitionId' },
    parentProcessInstanceKey: { kind: 'key', field: 'parentInstanceId' },
    parentElementInstanceKey: { kind: 'key', field: 'parentElementInstanceId' },
    startDate: { kind: 'date', field: 'startedAt' },
    endDate: { kind: 'date', field: 'endedAt' },
    state: { kind: 'enum', field: 'status', enum: INSTANCE_STATE },
    hasIncident: { kind: 'bool', field: 'hasIncident' },
    tenantId: { kind: 'string', field: 'tenantId' },
  },
};

export const DEFINITION_SEARCH: ApiResource<DefinitionSearchField> = {
  name: 'process definition',
  key: 'id',
  fields: {
    processDefinitionKey: { kind: 'key', field: 'id' },
    name: { kind: 'string', field: 'name' },
    isLatestVersion: { kind: 'bool', field: 'isLatest', filterOnly: true },
    version: { kind: 'int', field: 'version' },
    versionTag: { kind: 'string', field: 'versionTag' },
    processDefinitionId: { kind: 'string', field: 'bpmnProcessId' },
    tenantId: { kind: 'string', field: 'tenantId' },
    hasStartForm: { kind: 'bool', constant: false, filterOnly: true },
  },
};

export const INCIDENT_SEARCH: ApiResource<IncidentSearchField> = {
  name: 'incident',
  key: 'id',
  fields: {
    incidentKey: { kind: 'key', field: 'id' },
    processDefinitionId: { kind: 'string', field: 'bpmnProcessId' },
    processDefinitionKey: { kind: 'key', field: 'definitionId' },
    processInstanceKey: { kind: 'key', field: 'instanceId' },
    errorType: { kind: 'enum', field: 'type', enum: INCIDENT_ERROR_TYPE },
    errorMessage: { kind: 'string', field: 'message' },
    elementId: { kind: 'string', field: 'elementId' },
    elementInstanceKey: { kind: 'key', field: 'elementInstanceId' },
    creationTime: { kind: 'date', field: 'createdAt' },
    state: { kind: 'enum', field: 'resolved', enum: INCIDENT_STATE },
    jobKey: { kind: 'key', field: 'jobId' },
    tenantId: { kind: 'string', field: 'tenantId' },
  },
};

export const USER_TASK_SEARCH: ApiResource<UserTaskSearchField> = {
  name: 'user task',
  key: 'id',
  fields: {
    userTaskKey: { kind: 'key', field: 'id', filterOnly: true },
    state: { kind: 'enum', field: 'state', enum: USER_TASK_STATE, filterOnly: true },
    assignee: { kind: 'string', field: 'assignee', filterOnly: true },
    priority: { kind: 'int', field: 'priority' },
    elementId: { kind: 'string', field: 'elementId', filterOnly: true },
    name: { kind: 'string', field: 'name' },
    candidateGroup: { kind: 'string', field: 'candidateGroups', filterOnly: true },
    candidateUser: { kind: 'string', field: 'candidateUsers', filterOnly: true },
    tenantId: { kind: 'string', field: 'tenantId', filterOnly: true },
    processDefinitionId: { kind: 'string', field: 'bpmnProcessId', filterOnly: true },
    processDefinitionKey: { kind: 'key', field: 'definitionId', filterOnly: true },
    processInstanceKey: { kind: 'key', field: 'instanceId', filterOnly: true },
    /** A user task's key is its element instance's. */
    elementInstanceKey: { kind: 'key', field: 'id', filterOnly: true },
    creationDate: { kind: 'date', field: 'createdAt' },
    completionDate: { kind: 'date', field: 'completedAt' },
    followUpDate: { kind: 'date', field: 'followUpDate' },
    dueDate: { kind: 'date', field: 'dueDate' },
  },
};

export const JOB_SEARCH: ApiResource<JobSearchField> = {
  name: 'job',
  key: 'id',
  fields: {
    jobKey: { kind: 'key', field: 'id' },
    type: { kind: 'string', field: 'type' },
    state: { kind: 'enum', field: 'state', enum: JOB_STATE },
    processInstanceKey: { kind: 'key', field: 'instanceId' },
    processDefinitionKey: { kind: 'key', field: 'definitionId' },
    processDefinitionId: { kind: 'string', field: 'bpmnProcessId' },
    elementId: { kind: 'string', field: 'elementId' },
    elementInstanceKey: { kind: 'key', field: 'elementInstanceId' },
    retries: { kind: 'int', field: 'retries' },
    tenantId: { kind: 'string', field: 'tenantId' },
    worker: { kind: 'string', field: 'workerId' },
    errorMessage: { kind: 'string', field: 'errorMessage' },
    deadline: { kind: 'date', field: 'lockExpiresAt' },
    kind: { kind: 'enum', field: 'kind', enum: JOB_KIND, filterOnly: true },
    listenerEventType: { kind: 'enum', field: 'listenerEvent', enum: JOB_LISTENER_EVENT, filterOnly: true },
  },
};

/**
 * `elementName` is not stored (the views read it from the model): not a
 * filter or sort field. `elementInstanceScopeKey` is not offered either.
 */
export const ELEMENT_INSTANCE_SEARCH: ApiResource<ElementInstanceSearchField> = {
  name: 'element instance',
  key: 'id',
  fields: {
    elementInstanceKey: { kind: 'key', field: 'id' },
    processInstanceKey: { kind: 'key', field: 'instanceId' },
    processDefinitionKey: { kind: 'key', field: 'definitionId' },
    processDefinitionId: { kind: 'string', field: 'bpmnProcessId' },
    elementId: { kind: 'string', field: 'elementId' },
    type: { kind: 'enum', field: 'elementType', enum: ELEMENT_TYPE },
    state: { kind: 'enum', field: 'state', enum: ELEMENT_INSTANCE_STATE },
    startDate: { kind: 'date', field: 'startedAt' },
    endDate: { kind: 'date', field: 'endedAt' },
    hasIncident: { kind: 'bool', field: 'hasIncident', filterOnly: true },
    incidentKey: { kind: 'key', field: 'incidentId' },
    tenantId: { kind: 'string', field: 'tenantId' },
  },
};

/**
 * Variables of the process scope and local ones (`scopeKey` an element instance key). `variableKey` filters only (a variable gets its
 * key when a search first returns it, so no order by key exists for all);
 * `isTruncated` is not offered.
 */
export const VARIABLE_SEARCH: ApiResource<VariableSearchField> = {
  name: 'variable',
  key: 'id',
  fields: {
    variableKey: { kind: 'key', field: 'key', filterOnly: true },
    processInstanceKey: { kind: 'key', field: 'instanceId' },
    scopeKey: { kind: 'key', field: 'scopeId' },
    tenantId: { kind: 'string', field: 'tenantId' },
    name: { kind: 'string', field: 'name' },
    value: { kind: 'string', field: 'value' },
  },
};

export const DECISION_INSTANCE_STATE: EnumMapping = {
  names: ['EVALUATED', 'FAILED', 'UNSPECIFIED', 'UNKNOWN'],
  stored: [
    ['EVALUATED', 'EVALUATED'],
    ['FAILED', 'FAILED'],
  ],
};

/** `versionTag` is not in Camunda 8.8's decision definition: not offered. */
export const DECISION_DEFINITION_SEARCH: ApiResource<DecisionDefinitionSearchField> = {
  name: 'decision definition',
  key: 'id',
  fields: {
    decisionDefinitionKey: { kind: 'key', field: 'id' },
    decisionDefinitionId: { kind: 'string', field: 'decisionId' },
    name: { kind: 'string', field: 'name' },
    version: { kind: 'int', field: 'version' },
    decisionRequirementsId: { kind: 'string', field: 'decisionRequirementsId' },
    decisionRequirementsKey: { kind: 'key', field: 'decisionRequirementsKey' },
    tenantId: { kind: 'string', field: 'tenantId' },
  },
};

export const DECISION_REQUIREMENTS_SEARCH: ApiResource<DecisionRequirementsSearchField> = {
  name: 'decision requirements',
  key: 'id',
  fields: {
    decisionRequirementsKey: { kind: 'key', field: 'id' },
    decisionRequirementsName: { kind: 'string', field: 'name' },
    version: { kind: 'int', field: 'version' },
    decisionRequirementsId: { kind: 'string', field: 'decisionRequirementsId' },
    tenantId: { kind: 'string', field: 'tenantId' },
    resourceName: { kind: 'string', field: 'resourceName', filterOnly: true },
  },
};

/**
 * One decision instance per evaluation of the decision called (a business
 * rule task's or one over REST): its key is also the evaluation's
 * (`decisionEvaluationKey`). `decisionDefinitionType` is read from the
 * evaluation's record, not stored in a column: not a filter or sort field.
 */
export const DECISION_INSTANCE_SEARCH: ApiResource<DecisionInstanceSearchField> = {
  name: 'decision instance',
  key: 'id',
  fields: {
    decisionEvaluationInstanceKey: { kind: 'key', field: 'id' },
    decisionEvaluationKey: { kind: 'key', field: 'id' },
    state: { kind: 'enum', field: 'state', enum: DECISION_INSTANCE_STATE },
    evaluationFailure: { kind: 'string', field: 'failureMessage' },
    evaluationDate: { kind: 'date', field: 'evaluatedAt' },
    decisionDefinitionId: { kind: 'string', field: 'decisionId' },
    decisionDefinitionName: { kind: 'string', field: 'decisionName' },
    decisionDefinitionVersion: { kind: 'int', field: 'decisionVersion' },
    decisionDefinitionKey: { kind: 'key', field: 'decisionKey' },
    processDefinitionKey: { kind: 'key', field: 'processDefinitionId' },
    processInstanceKey: { kind: 'key', field: 'processInstanceId' },
    elementInstanceKey: { kind: 'key', field: 'elementInstanceId' },
    tenantId: { kind: 'string', field: 'tenantId' },
  },
};

/** A variable as the searches answer it: with its key. */
export type KeyedVariable = VariableSearchRecord & { readonly key: string };

/**
 * Camunda 8's searches and gets (`/v2/.../search`, `GET /v2/...`) over the
 * store's read-only search methods: keyset pagination on the sort (the key
 * breaks ties), `from` offsets up to {@link MAX_FROM}, and `totalItems`
 * counted up to {@link MAX_TOTAL_ITEMS}.
 */
export class CamundaSearchService {
  constructor(private readonly store: RuntimeStore) {}

  processInstances(request: CamundaSearchRequest, tenants?: TenantScope): Promise<SearchPage<InstanceSearchRecord>> {
    return this.search(INSTANCE_SEARCH, Object.keys(INSTANCE_SEARCH_FIELDS), this.store.repos.instances, request, tenants);
  }

  processDefinitions(request: CamundaSearchRequest, tenants?: TenantScope): Promise<SearchPage<DefinitionSearchRecord>> {
    return this.search(DEFINITION_SEARCH, Object.keys(DEFINITION_SEARCH_FIELDS), this.store.repos.definitions, request, tenants);
  }

  incidents(request: CamundaSearchRequest, tenants?: TenantScope): Promise<SearchPage<IncidentSearchRecord>> {
    return this.search(INCIDENT_SEARCH, Object.keys(INCIDENT_SEARCH_FIELDS), this.store.repos.incidents, request, tenants);
  }

  userTasks(request: CamundaSearchRequest, tenants?: TenantScope): Promise<SearchPage<UserTaskSearchRecord>> {
    return this.search(USER_TASK_SEARCH, Object.keys(USER_TASK_SEARCH_FIELDS), this.store.repos.userTasks, request, tenants);
  }

  jobs(request: CamundaSearchRequest, tenants?: TenantScope): Promise<SearchPage<JobSearchRecord>> {
    return this.search(JOB_SEARCH, Object.keys(JOB_SEARCH_FIELDS), this.store.repos.jobs, request, tenants);
  }

  elementInstances(request: CamundaSearchRequest, tenants?: TenantScope): Promise<SearchPage<ElementInstanceSearchRecord>> {
    return this.search(ELEMENT_INSTANCE_SEARCH, Object.keys(ELEMENT_INSTANCE_SEARCH_FIELDS), this.store.repos.elementInstances, request, tenants);
  }

  elementInstance(key: string, tenants?: TenantScope): Promise<ElementInstanceSearchRecord> {
    return this.one('element instance', key, this.store.repos.elementInstances, tenants);
  }

  /** Variables, each with its key (handed out now to a variable seen for the first time). */
  async variables(request: CamundaSearchRequest, tenants?: TenantScope): Promise<SearchPage<KeyedVariable>> {
    const repo = this.store.repos.variables;
    const page = await this.search(VARIABLE_SEARCH, Object.keys(VARIABLE_SEARCH_FIELDS), repo, request, tenants);
    const unkeyed = page.items.filter((v) => v.key === null);
    const keys = await repo.assignKeys(unkeyed.map((v) => ({ instanceId: v.instanceId, scopeId: v.scopeId, name: v.name })));
    const items = page.items.map((v) => ({ ...v, key: v.key ?? keys.get(v.id) ?? '' })).filter((v) => v.key !== '');
    return { items, page: page.page };
  }

  async variable(key: string, tenants?: TenantScope): Promise<KeyedVariable> {
    const missing = () => RuntimeError.notFound(`variable with key '${key.slice(0, 40)}'`);
    if (!isKey(key)) throw missing();
    const [row] = await this.store.repos.variables.search({ conditions: [{ field: 'key', op: 'eq', value: key }], sort: [{ field: 'id', descending: false }], limit: 1, tenants });
    if (row === undefined || row.key === null) throw missing();
    return { ...row, key: row.key };
  }

  processInstance(key: string, tenants?: TenantScope): Promise<InstanceSearchRecord> {
    return this.one('process instance', key, this.store.repos.instances, tenants);
  }

  processDefinition(key: string, tenants?: TenantScope): Promise<DefinitionSearchRecord> {
    return this.one('process definition', key, this.store.repos.definitions, tenants);
  }

  /** The BPMN document as deployed, byte for byte. */
  async processDefinitionXml(key: string, tenants?: TenantScope): Promise<string> {
    const row = isKey(key) ? await this.store.repos.definitions.byId(key) : null;
    if (row === null || (tenants !== undefined && !tenants.includes(row.tenantId))) {
      throw RuntimeError.notFound(`process definition with key '${key}'`);
    }
    return row.xml;
  }

  decisionDefinitions(request: CamundaSearchRequest, tenants?: TenantScope): Promise<SearchPage<DecisionDefinitionSearchRecord>> {
    return this.search(DECISION_DEFINITION_SEARCH, Object.keys(DECISION_DEFINITION_SEARCH_FIELDS), this.decisionSearches().definitions, request, tenants);
  }

  decisionDefinition(key: string, tenants?: TenantScope): Promise<DecisionDefinitionSearchRecord> {
    return this.one('decision definition', key, this.decisionSearches().definitions, tenants);
  }

  /** The DMN document (its decision requirements version) a decision belongs to, as deployed. */
  async decisionDefinitionXml(key: string, tenants?: TenantScope): Promise<string> {
    const decision = await this.decisionDefinition(key, tenants);
    const row = await this.store.repos.decisions.requirementsById(decision.decisionRequirementsKey);
    if (row === null) throw RuntimeError.notFound(`decision requirements of decision definition with key '${key}'`);
    return row.xml;
  }

  decisionRequirements(request: CamundaSearchRequest, tenants?: TenantScope): Promise<SearchPage<DecisionRequirementsSearchRecord>> {
    return this.search(DECISION_REQUIREMENTS_SEARCH, Object.keys(DECISION_REQUIREMENTS_SEARCH_FIELDS), this.decisionSearches().requirements, request, tenants);
  }

  decisionRequirement(key: string, tenants?: TenantScope): Promise<DecisionRequirementsSearchRecord> {
    return this.one('decision requirements', key, this.decisionSearches().requirements, tenants);
  }

  /** The DMN document as deployed, byte for byte. */
  async decisionRequirementsXml(key: string, tenants?: TenantScope): Promise<string> {
    const row = isKey(key) ? await this.store.repos.decisions.requirementsById(key) : null;
    if (row === null || (tenants !== undefined && !tenants.includes(row.tenantId))) {
      throw RuntimeError.notFound(`decision requirements with key '${key}'`);
    }
    return row.xml;
  }

  decisionInstances(request: CamundaSearchRequest, tenants?: TenantScope): Promise<SearchPage<DecisionInstanceSearchRecord>> {
    return this.search(DECISION_INSTANCE_SEARCH, Object.keys(DECISION_INSTANCE_SEARCH_FIELDS), this.decisionSearches().instances, request, tenants);
  }

  decisionInstance(key: string, tenants?: TenantScope): Promise<DecisionInstanceSearchRecord> {
    return this.one('decision instance', key, this.decisionSearches().instances, tenants);
  }

  incident(key: string, tenants?: TenantScope): Promise<IncidentSearchRecord> {
    return this.one('incident', key, this.store.repos.incidents, tenants);
  }

  userTask(key: string, tenants?: TenantScope): Promise<UserTaskSearchRecord> {
    return this.one('user task', key, this.store.repos.userTasks, tenants);
  }

  /** The decision repository's three searches, each as a {@link Searchable}. */
  private decisionSearches() {
    const repo = this.store.repos.decisions;
    return {
      definitions: {
        search: (q) => repo.searchDefinitions(q),
        count: (f, cap) => repo.countDefinitions(f, cap),
      } satisfies Searchable<DecisionDefinitionSearchField, DecisionDefinitionSearchRecord>,
      requirements: {
        search: (q) => repo.searchRequirements(q),
        count: (f, cap) => repo.countRequirements(f, cap),
      } satisfies Searchable<DecisionRequirementsSearchField, DecisionRequirementsSearchRecord>,
      instances: {
        search: (q) => repo.searchInstances(q),
        count: (f, cap) => repo.countInstances(f, cap),
      } satisfies Searchable<DecisionInstanceSearchField, DecisionInstanceSearchRecord>,
    };
  }

  private async one<F extends string, R>(what: string, key: string, repo: Searchable<F | 'id', R>, tenants: TenantScope): Promise<R> {
    if (!isKey(key)) throw RuntimeError.notFound(`${what} with key '${key.slice(0, 40)}'`);
    const [row] = await repo.search({ conditions: [{ field: 'id', op: 'eq', value: key }], sort: [{ field: 'id', descending: false }], limit: 1, tenants });
    if (row === undefined) throw RuntimeError.notFound(`${what} with key '${key}'`);
    return row;
  }

  private async search<F extends string, R extends object>(
    resource: ApiResource<F>,
    catalog: readonly string[],
    repo: Searchable<F, R>,
    request: CamundaSearchRequest,
    tenants: TenantScope,
  ): Promise<SearchPage<R>> {
    const { conditions, impossible } = translateFilter(resource, request.filter);
    const sort = translateSort(resource, request.sort);
    const page = translatePage(request.page);
    if (impossible) return { items: [], page: { totalItems: 0, hasMoreTotalItems: false } };
    const signature = sortSignature(catalog, sort);
    const cursor = page.after ?? page.before;
    const after = cursor === undefined ? undefined : decodeCursor(cursor, signature, page.after !== undefined ? 'page.after' : 'page.before');
    if (after !== undefined && after.length !== sort.length) throw RuntimeError.badRequest('page', 'the cursor does not belong to this sort');
    const backward = page.before !== undefined;
    const [rows, counted] = await Promise.all([
      repo.search({ conditions, tenants, sort, limit: page.limit, offset: page.from > 0 ? page.from : undefined, after, backward }),
      repo.count({ conditions, tenants }, MAX_TOTAL_ITEMS + 1),
    ]);
    const items = backward ? rows.reverse() : rows;
    const cursorOf = (row: R): string => encodeCursor(signature, sort.map((s) => searchValue(row, s.field) as SearchScalar));
    const first = items[0];
    const last = items[items.length - 1];
    return {
      items,
      page: {
        totalItems: Math.min(counted, MAX_TOTAL_ITEMS),
        hasMoreTotalItems: counted > MAX_TOTAL_ITEMS,
        ...(first === undefined ? {} : { startCursor: cursorOf(first) }),
        ...(last === undefined ? {} : { endCursor: cursorOf(last) }),
      },
    };
  }
}


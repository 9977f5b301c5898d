import {
  camundaIncidentType,
  camundaInstanceState,
  camundaJobState,
  camundaUserTaskState,
  jobKindOf,
  type DefinitionSearchRecord,
  type IncidentSearchRecord,
  type InstanceSearchRecord,
  type JobSearchRecord,
  type SearchPage,
  type UserTaskSearchRecord,
} from '@baton/runtime';

/**
 * Baton's records as Camunda 8.8's REST API answers them. Optional members
 * Baton has no value for are left out (the spec's schemas take no null there).
 */

type Json = Record<string, unknown>;

/** Leaves out members whose value is null or undefined. */
function compact(view: Json): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(view)) if (v !== null && v !== undefined) out[k] = v;
  return out;
}

const iso = (date: Date | null): string | null => (date === null ? null : new Date(date).toISOString());

export function searchResult<R>(page: SearchPage<R>, view: (record: R) => Json): object {
  return {
    items: page.items.map(view),
    page: compact({
      totalItems: page.page.totalItems,
      hasMoreTotalItems: page.page.hasMoreTotalItems,
      startCursor: page.page.startCursor,
      endCursor: page.page.endCursor,
    }),
  };
}

export const processInstanceView = (r: InstanceSearchRecord): Json =>
  compact({
    processDefinitionId: r.bpmnProcessId,
    // Camunda falls back to the process id when the process has no name.
    processDefinitionName: r.definitionName ?? r.bpmnProcessId,
    processDefinitionVersion: r.processVersion,
    processDefinitionVersionTag: r.versionTag,
    startDate: iso(r.startedAt),
    endDate: iso(r.endedAt),
    state: camundaInstanceState(r.status),
    hasIncident: r.hasIncident,
    tenantId: r.tenantId,
    processInstanceKey: r.id,
    processDefinitionKey: r.definitionId,
    parentProcessInstanceKey: r.parentInstanceId,
    parentElementInstanceKey: r.parentElementInstanceId,
    tags: [],
  });

export const processDefinitionView = (r: DefinitionSearchRecord): Json =>
  compact({
    name: r.name,
    version: r.version,
    versionTag: r.versionTag,
    processDefinitionId: r.bpmnProcessId,
    tenantId: r.tenantId,
    processDefinitionKey: r.id,
    hasStartForm: false,
  });

export const incidentView = (r: IncidentSearchRecord): Json =>
  compact({
    processDefinitionId: r.bpmnProcessId,
    errorType: camundaIncidentType(r.type),
    errorMessage: r.message,
    elementId: r.elementId,
    creationTime: iso(r.createdAt),
    state: r.resolvedAt === null ? 'ACTIVE' : 'RESOLVED',
    tenantId: r.tenantId,
    incidentKey: r.id,
    processDefinitionKey: r.definitionId,
    processInstanceKey: r.instanceId,
    elementInstanceKey: r.elementInstanceId,
    jobKey: r.jobId,
  });

export const userTaskView = (r: UserTaskSearchRecord): Json =>
  compact({
    name: r.name,
    state: camundaUserTaskState(r.state),
    assignee: r.assignee,
    elementId: r.elementId,
    candidateGroups: r.candidateGroups,
    candidateUsers: r.candidateUsers,
    processDefinitionId: r.bpmnProcessId,
    creationDate: iso(r.createdAt),
    completionDate: iso(r.completedAt),
    followUpDate: iso(r.followUpDate),
    dueDate: iso(r.dueDate),
    tenantId: r.tenantId,
    customHeaders: {},
    priority: r.priority,
    userTaskKey: r.id,
    // A user task's key is its element instance's key.
    elementInstanceKey: r.id,
    processDefinitionKey: r.definitionId,
    processInstanceKey: r.instanceId,
    // Camunda's formKey is a deployed form's key; Baton's form keys are references (not shown).
    formKey: r.formKey !== null && /^[0-9]{1,19}$/.test(r.formKey) ? r.formKey : null,
  });

export const jobView = (r: JobSearchRecord): Json =>
  compact({
    customHeaders: r.customHeaders,
    deadline: iso(r.lockExpiresAt),
    elementId: r.elementId,
    elementInstanceKey: r.elementInstanceId,
    errorMessage: r.errorMessage,
    hasFailedWithRetriesLeft: r.outcome === 'FAILED' && r.state !== 'FAILED',
    jobKey: r.id,
    ...jobKindOf(r),
    processDefinitionId: r.bpmnProcessId,
    processDefinitionKey: r.definitionId ?? '-1',
    processInstanceKey: r.instanceId,
    retries: r.retries,
    state: camundaJobState(r.state),
    tenantId: r.tenantId,
    type: r.type,
    worker: r.workerId ?? '',
  });

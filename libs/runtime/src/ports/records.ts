import type { EngineEvent, HistoryType, InstanceState, Variables } from '@baton/engine';
import type { Key } from '../keys/key-generator';

/**
 * The records the runtime reads from and writes to its store. Keys are
 * decimal strings (64-bit), times are Dates, variables and engine states are
 * plain JSON. Only the engine reads an `InstanceState`'s layout.
 */

/** Camunda's default tenant: rows of a store used without multi-tenancy carry it. */
export const DEFAULT_TENANT = '<default>';

export type InstanceStatus = 'ACTIVE' | 'SUSPENDED' | 'COMPLETED' | 'CANCELED';

export const isEnded = (status: InstanceStatus): boolean => status === 'COMPLETED' || status === 'CANCELED';

export interface DefinitionRecord {
  readonly id: Key;
  readonly deploymentId: Key | null;
  readonly tenantId: string;
  readonly bpmnProcessId: string;
  readonly version: number;
  readonly versionTag: string | null;
  readonly name: string | null;
  readonly hash: string;
  readonly deployedAt: Date;
}

export interface DefinitionWithXml extends DefinitionRecord {
  readonly xml: string;
}

/** One deployed version of a DMN document (Camunda's decision requirements, DRG). */
export interface DecisionRequirementsRecord {
  readonly id: Key;
  readonly deploymentId: Key;
  readonly tenantId: string;
  /** `<definitions id>` of the DMN document. */
  readonly decisionRequirementsId: string;
  readonly version: number;
  readonly name: string | null;
  readonly resourceName: string;
  /** sha256 hex of the document: an identical redeploy keeps the version. */
  readonly hash: string;
  readonly deployedAt: Date;
}

export interface DecisionRequirementsWithXml extends DecisionRequirementsRecord {
  readonly xml: string;
}

/** One deployed version of one decision (versioned per decision id and tenant). */
export interface DecisionDefinitionRecord {
  readonly id: Key;
  readonly deploymentId: Key;
  readonly tenantId: string;
  readonly decisionId: string;
  readonly version: number;
  readonly versionTag: string | null;
  readonly name: string | null;
  readonly decisionRequirementsKey: Key;
  readonly decisionRequirementsId: string;
  readonly deployedAt: Date;
}

/** One deployed version of a Camunda Form (a `.form` file), versioned per form id and tenant. */
export interface FormRecord {
  readonly id: Key;
  readonly deploymentId: Key;
  readonly tenantId: string;
  /** The form's `id` field: what `zeebe:formDefinition formId` names. */
  readonly formId: string;
  readonly version: number;
  /** The form's `versionTag` field, if any. */
  readonly versionTag: string | null;
  readonly resourceName: string;
  /** sha256 hex of the file: an identical redeploy keeps the version. */
  readonly hash: string;
  readonly deployedAt: Date;
}

export interface FormWithSchema extends FormRecord {
  /** The form's JSON, as deployed. */
  readonly schema: string;
}

/** One evaluation of a decision (history): by a business rule task, or over REST (no instance). */
export interface DecisionInstanceRecord {
  readonly id: Key;
  readonly tenantId: string;
  readonly processInstanceId: Key | null;
  readonly elementInstanceId: Key | null;
  readonly elementId: string | null;
  readonly decisionKey: Key;
  readonly decisionId: string;
  readonly decisionVersion: number;
  readonly decisionRequirementsKey: Key;
  readonly state: 'EVALUATED' | 'FAILED';
  /** The decision's result (JSON), null when it failed. */
  readonly output: unknown;
  readonly failureMessage: string | null;
  /** Camunda's `evaluatedDecisions[]`: inputs, matched rules, outputs (JSON). */
  readonly evaluatedDecisions: unknown;
  readonly evaluatedAt: Date;
}

/** A new, not yet run instance (written pending: a worker runs it). */
export interface NewInstanceRecord {
  readonly id: Key;
  readonly tenantId: string;
  readonly definitionId: Key;
  readonly bpmnProcessId: string;
  readonly processVersion: number;
  readonly businessKey: string | null;
  readonly state: InstanceState;
  readonly parentInstanceId: Key | null;
  readonly parentElementInstanceId: Key | null;
}

export interface InstanceRecord {
  readonly id: Key;
  readonly tenantId: string;
  readonly definitionId: Key;
  readonly bpmnProcessId: string;
  readonly processVersion: number;
  readonly status: InstanceStatus;
  readonly businessKey: string | null;
  readonly variables: Variables;
  readonly state: InstanceState;
  readonly parentInstanceId: Key | null;
  readonly parentElementInstanceId: Key | null;
  readonly stepFailures: number;
  readonly startedAt: Date;
  readonly endedAt: Date | null;
}

export type InstanceSummaryRecord = Omit<InstanceRecord, 'variables' | 'state' | 'parentElementInstanceId' | 'stepFailures'>;

/** An instance row locked by a command that only needs its status and variables. */
export interface TouchedInstance {
  readonly id: Key;
  readonly tenantId: string;
  readonly status: InstanceStatus;
  /** Process-scope variables, for the size limits of what an event adds. */
  readonly variables: Variables;
}

export interface StoredEvent {
  /** The inbox row's id (ordering within an instance). */
  readonly id: string;
  readonly instanceId: Key;
  readonly event: EngineEvent;
}

export interface InboxEvent {
  readonly instanceId: Key;
  readonly event: EngineEvent;
}

/** The engine's history entry types, as the store keeps them. */
export type { HistoryType };

export interface HistoryRecord {
  /** Position in the instance's history; also the page cursor. */
  readonly id: string;
  readonly instanceId: Key;
  readonly type: HistoryType;
  readonly elementId: string;
  readonly elementType: string;
  readonly elementInstanceId: Key | null;
  readonly at: Date;
}

export type JobState = 'ACTIVATABLE' | 'ACTIVATED' | 'FAILED' | 'COMPLETED' | 'CANCELED';

export type JobOutcome = 'COMPLETED' | 'ERROR' | 'FAILED';

export interface JobRecord {
  readonly id: Key;
  readonly tenantId: string;
  readonly type: string;
  readonly instanceId: Key;
  readonly elementInstanceId: Key;
  readonly elementId: string;
  readonly definitionId: Key | null;
  readonly bpmnProcessId: string;
  readonly retries: number;
  readonly state: JobState;
  readonly workerId: string | null;
  readonly lockExpiresAt: Date | null;
  readonly customHeaders: Record<string, string>;
  readonly errorMessage: string | null;
  readonly outcome: JobOutcome | null;
  readonly outcomeWorkerId: string | null;
  readonly outcomeDigest: string | null;
  /**
   * The job of an execution listener of this event (`START`, `END`);
   * null or absent: the element's own job.
   */
  readonly listenerEventType?: JobListenerEventType | null;
  /**
   * The engine's effect key of the job, read where a job is locked to be
   * settled: an ad-hoc subprocess tells its successive jobs apart by it.
   */
  readonly key?: string;
}

/** Camunda 8's job kinds: an element's own job, or the job of one of its listeners. */
export type JobKind = 'BPMN_ELEMENT' | 'EXECUTION_LISTENER' | 'TASK_LISTENER';

/** Camunda 8's listener event types of a listener job (`UNSPECIFIED` for an element's own job). */
export type JobListenerEventType = 'START' | 'END' | 'CREATING' | 'ASSIGNING' | 'UPDATING' | 'COMPLETING' | 'CANCELING';

/**
 * Camunda 8.8's job result of a user task listener (`type: userTask`): deny
 * the transition, or correct the task. Baton runs `creating` listeners, which
 * cannot deny.
 */
export interface UserTaskJobResult {
  readonly denied: boolean;
  readonly deniedReason?: string | null;
  readonly corrections?: {
    readonly assignee?: string | null;
    readonly dueDate?: string | null;
    readonly followUpDate?: string | null;
    readonly candidateUsers?: readonly string[] | null;
    readonly candidateGroups?: readonly string[] | null;
    readonly priority?: number | null;
  };
}

/** A job's kind and listener event type as Camunda 8 shows them. */
export function jobKindOf(job: Pick<JobRecord, 'listenerEventType'>): { kind: JobKind; listenerEventType: JobListenerEventType | 'UNSPECIFIED' } {
  const event = job.listenerEventType ?? null;
  if (event === null) return { kind: 'BPMN_ELEMENT', listenerEventType: 'UNSPECIFIED' };
  return { kind: event === 'START' || event === 'END' ? 'EXECUTION_LISTENER' : 'TASK_LISTENER', listenerEventType: event };
}

/** ASSIGNING, UPDATING, COMPLETING: an assignment, update or completion waits for the task's listeners (Camunda 8.8's states). */
export type UserTaskState = 'CREATED' | 'ASSIGNING' | 'UPDATING' | 'COMPLETING' | 'COMPLETED' | 'CANCELED';

/** The states of a task waiting for the listeners of a transition. */
export type UserTaskTransitionState = 'ASSIGNING' | 'UPDATING' | 'COMPLETING';

export interface UserTaskRecord {
  readonly id: Key;
  readonly tenantId: string;
  readonly instanceId: Key;
  readonly definitionId: Key | null;
  readonly bpmnProcessId: string;
  readonly elementId: string;
  readonly name: string | null;
  readonly assignee: string | null;
  readonly candidateGroups: string[];
  readonly candidateUsers: string[];
  readonly formKey: string | null;
  readonly dueDate: Date | null;
  readonly followUpDate: Date | null;
  readonly priority: number;
  readonly state: UserTaskState;
  readonly createdAt: Date;
  readonly completedAt: Date | null;
}

export interface IncidentRecord {
  readonly id: Key;
  readonly tenantId: string;
  readonly instanceId: Key;
  readonly definitionId: Key | null;
  readonly bpmnProcessId: string | null;
  readonly elementId: string;
  readonly elementInstanceId: Key | null;
  readonly type: string;
  readonly message: string;
  readonly jobId: Key | null;
  readonly createdAt: Date;
  readonly resolvedAt: Date | null;
}

export interface DueTimer {
  readonly id: Key;
  readonly tenantId: string;
  readonly instanceId: Key | null;
  readonly definitionId: Key | null;
  readonly ownerInstanceId: Key | null;
  readonly elementId: string;
  readonly dueAt: Date;
  readonly cycle: string | null;
  readonly repetitions: number | null;
}

export interface StartTimerRecord {
  readonly id: Key;
  readonly key: string;
  readonly tenantId: string;
  readonly definitionId: Key;
  readonly elementId: string;
  readonly dueAt: Date;
  readonly cycle: string | null;
  readonly repetitions: number | null;
}

export type StartEventKind = 'MESSAGE' | 'SIGNAL' | 'TIMER' | 'CONDITIONAL';

export interface StartEventRecord {
  readonly id: Key;
  readonly tenantId: string;
  readonly definitionId: Key;
  readonly bpmnProcessId: string;
  readonly kind: StartEventKind;
  /** Message or signal name; for timers the timer expression; for conditional start events the condition (`=...`). */
  readonly name: string;
  readonly elementId: string;
}

/** A message subscription of a live instance. */
export interface MessageSubscriptionRecord {
  readonly id: Key;
  readonly key: string;
  readonly tenantId: string;
  readonly instanceId: Key;
  readonly ownerInstanceId: Key;
  readonly elementId: string;
  readonly bpmnProcessId: string;
  readonly messageName: string;
  readonly correlationKey: string;
  readonly interrupting: boolean;
}

export interface SignalSubscriptionRecord {
  readonly instanceId: Key;
  readonly ownerInstanceId: Key;
  readonly elementId: string;
}

export interface BufferedMessageRecord {
  readonly id: Key;
  readonly tenantId: string;
  readonly messageId: string | null;
  readonly name: string;
  readonly correlationKey: string;
  readonly variables: Variables;
  readonly timeToLiveMs: number;
}

/** A page of a list: `nextCursor` is null on the last page. */
export interface Page<T> {
  readonly items: T[];
  readonly nextCursor: string | null;
}

export interface PageRequest {
  /** 1..1000; the HTTP layer applies the default (50) and the bounds. */
  readonly limit: number;
  /** The last key (or position) of the previous page. */
  readonly cursor?: string;
}

/** Which tenants a read or a correlation may see; undefined = every tenant (no multi-tenancy). */
export type TenantScope = readonly string[] | undefined;

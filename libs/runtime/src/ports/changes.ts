import type { InstanceState, Variables } from '@baton/engine';
import type { Key } from '../keys/key-generator';
import type { HistoryType, InboxEvent, InstanceStatus, NewInstanceRecord } from './records';

/**
 * Everything one unit of work writes, as data: the repositories turn it into
 * one statement per table and kind of change. Wait-state rows are named by
 * their engine effect key, so a replayed batch writes the same rows again
 * (and the store ignores what it already has).
 */
export interface ChangeSet {
  readonly now: Date;
  readonly newInstances: readonly NewInstanceRecord[];
  readonly instanceUpdates: readonly InstanceUpdate[];
  readonly history: readonly HistoryAppend[];
  readonly jobs: KeyedChanges<JobOpen> & { readonly retry: readonly { key: string; retries: number }[] };
  readonly userTasks: KeyedChanges<UserTaskOpen> & {
    /** Transitions (ASSIGNING, UPDATING, COMPLETING) whose task listeners are done: applied or denied. */
    readonly transitions?: readonly UserTaskTransitionEnd[];
  };
  readonly timers: KeyedChanges<TimerOpen>;
  readonly messageSubscriptions: KeyedChanges<MessageSubscriptionOpen>;
  readonly signalSubscriptions: KeyedChanges<SignalSubscriptionOpen>;
  readonly incidents: readonly IncidentOpen[];
  /** Element instances whose open incidents were resolved. */
  readonly resolvedIncidentElements: readonly Key[];
  /** Instances canceled in this unit of work: none of their incidents stays open. */
  readonly canceledInstances: readonly Key[];
  /** Inbox events for instances (others, or the same one later). */
  readonly events: readonly InboxEvent[];
  /** Inbox rows applied in this unit of work (deleted). */
  readonly consumedEvents: readonly string[];
  /**
   * Instances that turned out to have nothing to do: their pending mark is
   * cleared (unless events came in) and their count of failed steps reset.
   */
  readonly idle: readonly Key[];
}

export interface KeyedChanges<T> {
  readonly open: readonly T[];
  /** Effect keys of rows to end (jobs and tasks canceled, timers canceled, subscriptions deleted). */
  readonly close: readonly string[];
}

export interface InstanceUpdate {
  readonly id: Key;
  readonly state: InstanceState;
  readonly variables: Variables;
  readonly status: InstanceStatus;
  /** READY work is left (or events came in): the instance stays marked for the sweeper. */
  readonly pending: boolean;
  /** Ended in this unit of work: `endedAt` is set. */
  readonly ended: boolean;
}

export interface HistoryAppend {
  readonly instanceId: Key;
  readonly type: HistoryType;
  readonly elementId: string;
  readonly elementType: string;
  readonly elementInstanceId: Key | null;
  readonly at: Date;
}

export interface JobOpen {
  readonly id: Key;
  readonly key: string;
  readonly tenantId: string;
  readonly instanceId: Key;
  readonly elementInstanceId: Key;
  readonly elementId: string;
  readonly definitionId: Key;
  readonly bpmnProcessId: string;
  readonly type: string;
  readonly retries: number;
  readonly customHeaders: Readonly<Record<string, string>>;
  /** The job of an execution listener (`START`, `END`) or a task listener (`CREATING`, `ASSIGNING`, `UPDATING`, `COMPLETING`, `CANCELING`); absent for the element's own job. */
  readonly listenerEventType?: 'START' | 'END' | 'CREATING' | 'ASSIGNING' | 'UPDATING' | 'COMPLETING' | 'CANCELING';
}

/**
 * The end of a user task's ASSIGNING, UPDATING or COMPLETING: back to CREATED
 * (an assignment or update applied, or any denied transition) or COMPLETED; `task` is the
 * task's data after an applied transition, null after a denied one (nothing
 * changes). Only a task still in that transition is written.
 */
export interface UserTaskTransitionEnd {
  readonly id: Key;
  readonly state: 'CREATED' | 'COMPLETED';
  readonly task: {
    readonly assignee: string | null;
    readonly candidateGroups: readonly string[];
    readonly candidateUsers: readonly string[];
    readonly dueDate: string | null;
    readonly followUpDate: string | null;
    readonly priority: number;
  } | null;
}

export interface UserTaskOpen {
  readonly id: Key;
  readonly key: string;
  readonly tenantId: string;
  readonly instanceId: Key;
  readonly definitionId: Key;
  readonly bpmnProcessId: string;
  readonly elementId: string;
  readonly name: string | null;
  readonly assignee: string | null;
  readonly candidateGroups: readonly string[];
  readonly candidateUsers: readonly string[];
  readonly formKey: string | null;
  readonly dueDate: string | null;
  readonly followUpDate: string | null;
  /** 0 to 100; absent: Camunda 8's default, 50 (the unit of work always sets it). */
  readonly priority?: number;
}

export interface TimerOpen {
  readonly id: Key;
  readonly key: string;
  readonly tenantId: string;
  readonly instanceId: Key;
  readonly ownerInstanceId: Key;
  readonly elementId: string;
  readonly dueAt: Date;
}

export interface MessageSubscriptionOpen {
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

export interface SignalSubscriptionOpen {
  readonly id: Key;
  readonly key: string;
  readonly tenantId: string;
  readonly instanceId: Key;
  readonly ownerInstanceId: Key;
  readonly elementId: string;
  readonly bpmnProcessId: string;
  readonly signalName: string;
}

export interface IncidentOpen {
  readonly id: Key;
  readonly tenantId: string;
  readonly instanceId: Key;
  readonly definitionId: Key;
  readonly bpmnProcessId: string;
  readonly elementId: string;
  readonly elementInstanceId: Key;
  readonly type: string;
  readonly message: string;
  /** JOB_NO_RETRIES: the effect key of the element's job (the store records the job's key). */
  readonly jobEffectKey?: string;
}

import { hasReadyWork, processVariables, type Effect, type EngineEvent, type StepResult, type Variables } from '@baton/engine';
import type { Key } from '../keys/key-generator';
import type {
  ChangeSet,
  HistoryAppend,
  IncidentOpen,
  InstanceUpdate,
  JobOpen,
  MessageSubscriptionOpen,
  SignalSubscriptionOpen,
  TimerOpen,
  UserTaskOpen,
  UserTaskTransitionEnd,
} from '../ports/changes';
import type { InboxEvent, NewInstanceRecord } from '../ports/records';
import { keepsHistory, type HistoryLevel } from '../retention/history-level';

/** What the unit of work needs to know about a stored instance. */
export interface InstanceHead {
  readonly id: Key;
  readonly tenantId: string;
  readonly definitionId: Key;
  readonly bpmnProcessId: string;
  readonly parentInstanceId: Key | null;
  readonly parentElementInstanceId: Key | null;
  /** Its process's `baton:historyLevel`, when it sets one (it wins over the host's level). */
  readonly historyLevel?: HistoryLevel;
}

export interface ChildStart {
  readonly parent: InstanceHead;
  readonly elementInstanceId: Key;
  /** The call activity. */
  readonly elementId: string;
  readonly bpmnProcessId: string;
  readonly variables: Variables;
}

export interface ThrownSignal {
  readonly tenantId: string;
  readonly name: string;
  readonly variables: Variables;
}

type Op<T> = { readonly kind: 'open'; readonly row: T } | { readonly kind: 'close' };

/** Wait-state rows folded by effect key: the last of "open, close, open" wins. */
class Keyed<T> {
  private readonly ops = new Map<string, Op<T>>();

  open(key: string, row: T): void {
    this.ops.set(key, { kind: 'open', row });
  }

  close(key: string): void {
    this.ops.set(key, { kind: 'close' });
  }

  opened(): T[] {
    const rows: T[] = [];
    for (const op of this.ops.values()) if (op.kind === 'open') rows.push(op.row);
    return rows;
  }

  changes(): { open: T[]; close: string[] } {
    const open: T[] = [];
    const close: string[] = [];
    for (const [key, op] of this.ops) {
      if (op.kind === 'open') open.push(op.row);
      else close.push(key);
    }
    return { open, close };
  }
}

/**
 * Collects what a unit of work writes — the engine's effects for each
 * stepped instance, translated to records — into one {@link ChangeSet}.
 * Effects that need a lookup before they can be written (children to start,
 * signals to broadcast, children to cancel) are collected for the unit of
 * work, which resolves them and hands back instances and events.
 */
export class StepChanges {
  /** Instances that have work for a worker once this unit of work has committed. */
  readonly announce = new Set<Key>();
  readonly childStarts: ChildStart[] = [];
  readonly signals: ThrownSignal[] = [];
  readonly childrenToCancel: Key[] = [];
  /** Instances resumed here: their subscriptions take the messages buffered while they were suspended. */
  readonly resumed: Key[] = [];
  /** Every step recorded here, in order (event export derives its records from them). */
  readonly steps: { readonly instance: InstanceHead; readonly result: StepResult }[] = [];

  private readonly newInstances: NewInstanceRecord[] = [];
  private readonly updates: InstanceUpdate[] = [];
  private readonly history: HistoryAppend[] = [];
  private readonly events: InboxEvent[] = [];
  private readonly consumed: string[] = [];
  private readonly idle: Key[] = [];
  private readonly jobs = new Keyed<JobOpen>();
  private readonly jobRetries: { key: string; retries: number }[] = [];
  private readonly userTasks = new Keyed<UserTaskOpen>();
  private readonly taskTransitions: UserTaskTransitionEnd[] = [];
  private readonly timers = new Keyed<TimerOpen>();
  private readonly messageSubs = new Keyed<MessageSubscriptionOpen>();
  private readonly signalSubs = new Keyed<SignalSubscriptionOpen>();
  private readonly incidents: IncidentOpen[] = [];
  private readonly resolvedIncidents: Key[] = [];
  private readonly canceled: Key[] = [];
  /** The effects of one step share their time: one Date per distinct ms. */
  private lastMs = NaN;
  private lastDate = new Date(0);

  constructor(
    readonly now: Date,
    private readonly newKey: () => Key,
    /** HISTORY_LEVEL: what history events instances without a level of their own write. */
    private readonly historyLevel: HistoryLevel = 'full',
  ) {}

  get historyCount(): number {
    return this.history.length;
  }

  /** Message subscriptions this unit of work opens (buffered messages may be waiting for them). */
  openedMessageSubscriptions(): MessageSubscriptionOpen[] {
    return this.messageSubs.opened();
  }

  /** A one-shot subscription that was satisfied (before it was written, or by a buffered message): it goes. */
  dropMessageSubscription(key: string): void {
    this.messageSubs.close(key);
  }

  /** A locked instance with nothing to do: its pending mark (a hint that was already handled) goes. */
  nothingToDo(instanceId: Key): void {
    this.idle.push(instanceId);
  }

  consumeEvents(ids: readonly string[]): void {
    for (const id of ids) this.consumed.push(id);
  }

  /** Queues an event into an instance's inbox and announces the instance. */
  addEvent(instanceId: Key, event: EngineEvent): void {
    this.events.push({ instanceId, event });
    this.announce.add(instanceId);
  }

  addInstance(instance: NewInstanceRecord): void {
    this.newInstances.push(instance);
    this.announce.add(instance.id);
  }

  /**
   * Records one instance's step: its new state and every effect, translated
   * to records. `moreWork`: the caller knows of work left besides READY
   * tokens (inbox events it did not apply).
   */
  stepped(instance: InstanceHead, result: StepResult, moreWork = false): void {
    const { state, effects } = result;
    this.steps.push({ instance, result });
    let ended = false;
    for (const effect of effects) if (this.effect(instance, effect)) ended = true;
    const pending = state.status === 'ACTIVE' && (moreWork || hasReadyWork(state));
    this.updates.push({ id: instance.id, state, variables: processVariables(state), status: state.status, pending, ended });
    if (pending) this.announce.add(instance.id);
  }

  /** The types of the jobs this change set creates. */
  createdJobTypes(): string[] {
    return this.jobs.opened().map((job) => job.type);
  }

  toChangeSet(): ChangeSet {
    return {
      now: this.now,
      newInstances: this.newInstances,
      instanceUpdates: this.updates,
      history: this.history,
      jobs: { ...this.jobs.changes(), retry: this.jobRetries },
      userTasks: { ...this.userTasks.changes(), transitions: this.taskTransitions },
      timers: this.timers.changes(),
      messageSubscriptions: this.messageSubs.changes(),
      signalSubscriptions: this.signalSubs.changes(),
      incidents: this.incidents,
      resolvedIncidentElements: this.resolvedIncidents,
      canceledInstances: this.canceled,
      events: this.events,
      consumedEvents: this.consumed,
      idle: this.idle,
    };
  }

  /** Returns true when the effect ends the instance. */
  private effect(instance: InstanceHead, effect: Effect): boolean {
    switch (effect.type) {
      case 'history':
        if (!keepsHistory(instance.historyLevel ?? this.historyLevel, effect.historyType, effect.elementType)) return false;
        this.history.push({
          instanceId: instance.id,
          type: effect.historyType,
          elementId: effect.elementId,
          elementType: effect.elementType,
          elementInstanceId: effect.elementInstanceId,
          at: this.dateOf(effect.at),
        });
        return false;
      case 'createJob':
        this.jobs.open(effect.key, {
          id: this.newKey(),
          key: effect.key,
          tenantId: instance.tenantId,
          instanceId: instance.id,
          elementInstanceId: effect.elementInstanceId,
          elementId: effect.elementId,
          definitionId: instance.definitionId,
          bpmnProcessId: instance.bpmnProcessId,
          type: effect.jobType,
          retries: effect.retries,
          customHeaders: effect.customHeaders,
          ...(effect.listener !== undefined ? { listenerEventType: LISTENER_EVENT_TYPES[effect.listener] } : {}),
        });
        return false;
      case 'cancelJob':
        this.jobs.close(effect.key);
        return false;
      case 'retryJob':
        this.jobRetries.push({ key: effect.key, retries: effect.retries });
        return false;
      case 'createUserTask':
        this.userTasks.open(effect.key, {
          id: effect.elementInstanceId,
          key: effect.key,
          tenantId: instance.tenantId,
          instanceId: instance.id,
          definitionId: instance.definitionId,
          bpmnProcessId: instance.bpmnProcessId,
          elementId: effect.elementId,
          name: effect.name,
          assignee: effect.assignee,
          candidateGroups: effect.candidateGroups,
          candidateUsers: effect.candidateUsers,
          formKey: effect.formKey,
          dueDate: effect.dueDate,
          followUpDate: effect.followUpDate,
          priority: effect.priority ?? 50,
        });
        return false;
      case 'cancelUserTask':
        this.userTasks.close(effect.key);
        return false;
      case 'endUserTaskTransition': {
        const { assignee, candidateGroups, candidateUsers, dueDate, followUpDate, priority } = effect.task;
        this.taskTransitions.push({
          id: effect.elementInstanceId,
          state: !effect.denied && effect.event === 'completing' ? 'COMPLETED' : 'CREATED',
          task: effect.denied ? null : { assignee, candidateGroups, candidateUsers, dueDate, followUpDate, priority },
        });
        return false;
      }
      case 'scheduleTimer':
        this.timers.open(effect.key, {
          id: this.newKey(),
          key: effect.key,
          tenantId: instance.tenantId,
          instanceId: instance.id,
          ownerInstanceId: effect.ownerInstanceId,
          elementId: effect.elementId,
          dueAt: new Date(effect.dueAt),
        });
        return false;
      case 'cancelTimer':
        this.timers.close(effect.key);
        return false;
      case 'openMessageSubscription':
        this.messageSubs.open(effect.key, {
          id: this.newKey(),
          key: effect.key,
          tenantId: instance.tenantId,
          instanceId: instance.id,
          ownerInstanceId: effect.ownerInstanceId,
          elementId: effect.elementId,
          bpmnProcessId: instance.bpmnProcessId,
          messageName: effect.messageName,
          correlationKey: effect.correlationKey,
          interrupting: effect.interrupting,
        });
        return false;
      case 'closeMessageSubscription':
        this.messageSubs.close(effect.key);
        return false;
      case 'openSignalSubscription':
        this.signalSubs.open(effect.key, {
          id: this.newKey(),
          key: effect.key,
          tenantId: instance.tenantId,
          instanceId: instance.id,
          ownerInstanceId: effect.ownerInstanceId,
          elementId: effect.elementId,
          bpmnProcessId: instance.bpmnProcessId,
          signalName: effect.signalName,
        });
        return false;
      case 'closeSignalSubscription':
        this.signalSubs.close(effect.key);
        return false;
      case 'throwSignal':
        this.signals.push({ tenantId: instance.tenantId, name: effect.signalName, variables: effect.variables });
        return false;
      case 'startChild':
        this.childStarts.push({
          parent: instance,
          elementInstanceId: effect.elementInstanceId,
          elementId: effect.elementId,
          bpmnProcessId: effect.processId,
          variables: effect.variables,
        });
        return false;
      case 'cancelChild':
        this.childrenToCancel.push(effect.elementInstanceId);
        return false;
      case 'evaluateDecision':
        // Answered by the unit of work before the step's changes are collected.
        return false;
      case 'raiseIncident':
        this.incidents.push({
          id: this.newKey(),
          tenantId: instance.tenantId,
          instanceId: instance.id,
          definitionId: instance.definitionId,
          bpmnProcessId: instance.bpmnProcessId,
          elementId: effect.elementId,
          elementInstanceId: effect.elementInstanceId,
          type: effect.incidentType,
          message: effect.message,
          ...(effect.jobKey !== undefined
            ? { jobEffectKey: effect.jobKey }
            : effect.incidentType === 'JOB_NO_RETRIES'
              ? { jobEffectKey: effect.elementInstanceId }
              : {}),
        });
        return false;
      case 'resolveIncident':
        this.resolvedIncidents.push(effect.elementInstanceId);
        return false;
      case 'instanceResumed':
        this.resumed.push(instance.id);
        return false;
      case 'instanceSuspended':
        return false;
      case 'instanceEnded':
        if (effect.status === 'CANCELED') this.canceled.push(instance.id);
        if (effect.status === 'COMPLETED' && instance.parentInstanceId !== null && instance.parentElementInstanceId !== null) {
          this.addEvent(instance.parentInstanceId, {
            type: 'childCompleted',
            elementInstanceId: instance.parentElementInstanceId,
            variables: effect.variables,
          });
        }
        return true;
    }
  }

  private dateOf(ms: number): Date {
    if (ms !== this.lastMs) {
      this.lastMs = ms;
      this.lastDate = new Date(ms);
    }
    return this.lastDate;
  }
}

/** A listener job's event as stored (Camunda 8's `JobListenerEventType`). */
const LISTENER_EVENT_TYPES = { start: 'START', end: 'END', creating: 'CREATING', assigning: 'ASSIGNING', updating: 'UPDATING', completing: 'COMPLETING', canceling: 'CANCELING' } as const;

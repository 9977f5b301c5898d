import type { FeelLimits } from '../feel/feel.types';
import type { ElementType } from '../model/model.types';
import type { Modification } from './modification';

/** JSON-compatible variable values. */
export type Variables = Record<string, unknown>;

/**
 * What the engine needs from the outside world, injected so that the core
 * stays deterministic: the host passes real time and UUIDs, tests pass a fake
 * clock and a counter.
 */
export interface EngineEnv {
  /** Epoch milliseconds. */
  now(): number;
  /** A fresh unique id (element instances, tokens). */
  newId(): string;
  /** Element activations one `execute` call may perform before it stops with an incident. */
  readonly stepBudget?: number;
  /** Bounds of every FEEL evaluation (`DEFAULT_FEEL_LIMITS` when absent); `EngineEnv` is a `FeelEnv`. */
  readonly feelLimits?: FeelLimits;
  /**
   * Largest variable, in UTF-8 bytes of its JSON encoding, that the engine
   * writes (script results, input and output mappings, multi-instance
   * collections, variables handed in); a larger one is a
   * VARIABLE_LIMIT_EXCEEDED incident naming it. Unbounded when absent.
   */
  readonly maxVariableSize?: number;
  /**
   * Wall-clock milliseconds (read through `now`) one `execute` call may run
   * elements before the element it is at gets a STEP_BUDGET_EXCEEDED
   * incident. Unbounded when absent.
   */
  readonly stepTimeBudgetMs?: number;
}

export const DEFAULT_STEP_BUDGET = 10_000;

/**
 * `SUSPENDED`: the instance keeps its state but does not run; commands
 * (resume, cancel, set variables, resolve incident) still apply, every other
 * event waits in the inbox until it is resumed.
 */
export type InstanceStatus = 'ACTIVE' | 'SUSPENDED' | 'COMPLETED' | 'CANCELED';

/**
 * `READY`: queued to run; `WAITING`: resting in a wait state (task, job, timer,
 * message, signal, event-based gateway, join, a container with live children).
 */
export type TokenState = 'READY' | 'WAITING';

/**
 * Why an element instance is blocked, and what resolving it retries: the
 * lifecycle phase that failed (`activate`, `complete`), or, for a job out of
 * retries, the job itself (`job`: resolving hands the job out again, the
 * element stays where it is, as in Zeebe).
 */
export interface ElementIncident {
  readonly type: IncidentType;
  readonly message: string;
  /** `listener`: a user task transition's listener failed to evaluate; resolving runs it again. */
  readonly phase: 'activate' | 'complete' | 'job' | 'listener';
}

export type IncidentType =
  | 'JOB_NO_RETRIES'
  /** An execution listener's job ran out of retries (Camunda 8's name); resolving hands that listener's job out again. */
  | 'EXECUTION_LISTENER_NO_RETRIES'
  /** A user task listener's job ran out of retries (Camunda 8's name); resolving hands that listener's job out again. */
  | 'TASK_LISTENER_NO_RETRIES'
  | 'UNHANDLED_ERROR'
  | 'CONDITION_ERROR'
  | 'EXPRESSION_ERROR'
  | 'CALLED_ELEMENT_ERROR'
  /** A business rule task's decision is not deployed (Camunda 8's name). */
  | 'CALLED_DECISION_ERROR'
  /** A business rule task's decision failed to evaluate (Camunda 8's name). */
  | 'DECISION_EVALUATION_ERROR'
  | 'STEP_BUDGET_EXCEEDED'
  /** A variable the engine was to write is larger than `maxVariableSize`. */
  | 'VARIABLE_LIMIT_EXCEEDED'
  /** The host could not step the instance (it threw, or its changes could not be written) several times in a row. */
  | 'STEP_FAILED';

/**
 * A live element instance: the process itself, a container (subprocess,
 * multi-instance body, event subprocess) or a flow node holding a token.
 * Element instances form a tree through `parentId`; the leaves are what
 * clients see as tokens.
 */
export interface ElementInstance {
  readonly id: string;
  readonly elementId: string;
  /**
   * `adHocSubProcessInnerInstance`: the scope one activation of an ad-hoc
   * subprocess's element runs in (its `elementId` is the subprocess's).
   */
  readonly elementType: ElementType | 'process' | 'multiInstanceBody' | 'adHocSubProcessInnerInstance';
  /** `null` for the process instance itself. */
  readonly parentId: string | null;
  state: TokenState;
  /** Lifecycle phase still to run when `state` is `READY`. */
  pending?: 'activate' | 'complete';
  /** The sequence flow the token arrived on (joins). */
  viaFlowId?: string;
  /** A token waiting at a parallel or inclusive join for its siblings. */
  joinArrival?: true;
  /** The process instance before it ran: the start event to begin at. */
  startEventId?: string;
  /** Set once ELEMENT_ACTIVATED was emitted, so a retried activation does not repeat it. */
  entered?: true;
  /** Local variables of this scope. */
  variables?: Variables;
  incident?: ElementIncident;
  /**
   * The execution listener whose job the element waits for: the element is
   * WAITING, still activating (`start`) or completing (`end`).
   */
  listener?: ListenerRun;
  /**
   * The listeners of this event all completed: the phase they belong to
   * resumes after them (no second input or output mapping, no listener again).
   */
  listened?: ListenerEvent;
  /**
   * A user task whose `creating` task listeners run: the task as it will be
   * created; whose `assigning` or `completing` ones run: the task as the
   * transition would leave it. With the listeners' corrections so far.
   */
  userTask?: UserTaskData;
  /** A user task transition (assign, complete) paused for its task listeners (Camunda 8.8's ASSIGNING, COMPLETING). */
  transition?: UserTaskTransition;
  /** How many transitions of this user task ran listeners: their jobs' keys differ by it. */
  transitions?: number;
  /**
   * The element is being terminated but waits (Zeebe's ELEMENT_TERMINATING):
   * a user task for its `canceling` task listeners (`listener`), a scope for
   * such a user task inside it. It is removed once they are done; `then`
   * says what its termination was for.
   */
  terminating?: Termination;
  /**
   * A scope whose interrupting event subprocess waits for the scope's
   * children to finish terminating (a user task's `canceling` listeners).
   */
  interruptedBy?: { readonly startId: string; readonly variables?: Variables };
  /** Multi-instance bodies: progress of the loop. */
  loop?: LoopState;
  /** Ad-hoc subprocesses: their job (job-worker mode) and a completion asked for while elements still ran. */
  adHoc?: AdHocState;
  /** Multi-instance inner instances: their index (0-based) in the input collection. */
  loopIndex?: number;
  /** Subprocess-like scopes: set once an interrupting event subprocess took over. */
  interrupted?: boolean;
  /**
   * Timer cycles of events this instance owns, keyed by the timer event's
   * element id: the resolved cycle, repetitions still to fire after the
   * scheduled one (-1 = unbounded) and the due time of the scheduled one.
   */
  cycles?: Record<string, { spec: string; remaining: number; dueAt: number }>;
  /**
   * Scopes (process, subprocess, multi-instance body): what completed in them
   * that a compensation throw can still undo, in completion order.
   */
  compensable?: CompensableRecord[];
  /** A compensation handler: the id of the throw event instance that waits for it. */
  compensationOf?: string;
  /**
   * Element ids of the conditional events this instance owns an open
   * subscription for (its boundary events, itself as a catch event, its
   * event subprocesses' starts), in the order they opened.
   */
  conditions?: string[];
}

/**
 * One completion of an activity that a compensation throw can undo (Zeebe's
 * compensation subscription): `handler` when the activity has a compensation
 * boundary event; `inner`, what completed inside it (a subprocess or
 * multi-instance body) and is undone with it. Kept only for activities that
 * have a handler or hold one.
 */
export interface CompensableRecord {
  readonly elementId: string;
  readonly handler?: true;
  readonly inner?: CompensableRecord[];
}

/** Execution listener events (Camunda 8's `eventType`). */
export type ListenerEvent = 'start' | 'end';

/** User task listener events (Camunda 8's `eventType`). */
export type TaskListenerEvent = 'creating' | TaskTransitionEvent | 'canceling';

/** Task listener events that pause a transition a client asked for, which a listener may deny. */
export type TaskTransitionEvent = 'assigning' | 'updating' | 'completing';

/**
 * An execution or task listener job in flight: its event and its index among
 * that event's listeners; `round`, the transition of the task it belongs to
 * (a task is assigned, and so listened to, any number of times).
 */
export interface ListenerRun {
  readonly event: ListenerEvent | TaskListenerEvent;
  readonly index: number;
  readonly round?: number;
}

/** What a termination that waits goes on with once it is done (see `ElementInstance.terminating`). */
export interface Termination {
  /** An interrupting boundary event fired: it is activated after the activity is terminated. */
  readonly boundary?: { readonly eventId: string; readonly variables?: Variables };
  /** A process instance modification terminated it: its flow scopes left empty are terminated after it. */
  readonly modification?: true;
}

/** A user task transition waiting for its task listeners. */
export interface UserTaskTransition {
  readonly event: TaskTransitionEvent;
  /** Camunda 8's `io.camunda.zeebe:action` header: assign, claim, unassign, update, complete (or the client's own). */
  readonly action: string;
  /** An update's changed attributes (Camunda 8's `io.camunda.zeebe:changedAttributes` header). */
  readonly changedAttributes?: readonly string[];
  /** A completion's variables, written only once the last listener let it through. */
  readonly variables?: Variables;
}

/** What a user task is created with (the `createUserTask` effect's fields). */
export interface UserTaskData {
  readonly name: string | null;
  readonly assignee: string | null;
  readonly candidateGroups: string[];
  readonly candidateUsers: string[];
  readonly formKey: string | null;
  readonly dueDate: string | null;
  readonly followUpDate: string | null;
  readonly priority: number;
}

/**
 * A task listener's corrections (Camunda 8.8's job result `corrections`):
 * absent or null keeps a value; `''` clears the assignee and dates, `[]` the
 * candidate lists.
 */
export interface UserTaskCorrections {
  readonly assignee?: string | null;
  readonly dueDate?: string | null;
  readonly followUpDate?: string | null;
  readonly candidateUsers?: readonly string[] | null;
  readonly candidateGroups?: readonly string[] | null;
  readonly priority?: number | null;
}

/** Replaced, never mutated (the working copy of a step shares it with the input state). */
export interface AdHocState {
  /** Jobs created so far: the next job's key is `<element instance id>:<jobs + 1>`. */
  readonly jobs?: number;
  /** The effect key of the job a worker holds or can take; absent once it completed or was canceled. */
  readonly jobKey?: string;
  /** A job result fulfilled the completion condition while elements still ran: completes when the last ends. */
  readonly fulfilled?: true;
}

/**
 * What a job worker decides when it completes the job of an ad-hoc
 * subprocess (Camunda 8.8's job result of type `adHocSubProcess`).
 */
export interface AdHocJobResult {
  /** Elements to activate, each in a new inner instance holding `variables` as locals. */
  readonly activateElements: readonly { readonly elementId: string; readonly variables?: Variables }[];
  /** The subprocess is done: it completes once nothing runs in it (at once with `isCancelRemainingInstances`). */
  readonly isCompletionConditionFulfilled: boolean;
  /** With a fulfilled condition: terminate what still runs and complete now. */
  readonly isCancelRemainingInstances: boolean;
}

export interface LoopState {
  /** Total number of inner instances to run. */
  readonly total: number;
  /** How many inner instances were started. */
  started: number;
  /** How many inner instances completed. */
  completed: number;
  /** The input collection as evaluated when the body was activated. */
  readonly items?: unknown[];
  /** The output collection so far (the body's own record; the variable can be overwritten). */
  collected?: unknown[];
}

/** The whole runtime state of one process instance: plain JSON. */
export interface InstanceState {
  /** State layout version, for upgrades of stored instances. */
  readonly schemaVersion: 1;
  readonly instanceId: string;
  readonly processId: string;
  status: InstanceStatus;
  /** The process-level element instance id (root of the tree). */
  readonly rootId: string;
  /** Live element instances by id. */
  elements: Record<string, ElementInstance>;
}

// ---------------------------------------------------------------------------
// Events: what happened outside, fed into `execute`. Commands are the events
// a person or client sends to steer an instance (cancel, suspend, resume,
// set variables, resolve an incident); they apply to a suspended instance
// too, and a cancel overtakes everything else.
// ---------------------------------------------------------------------------

export type EngineEvent =
  /**
   * A job (service/send/business-rule task) or user task finished; with
   * `listener`, the job of the element's execution listener of that event.
   */
  | {
      readonly type: 'complete';
      readonly elementInstanceId: string;
      readonly variables?: Variables;
      readonly listener?: ListenerEvent | TaskListenerEvent;
      /** A task listener's job: the corrections of its result. */
      readonly corrections?: UserTaskCorrections;
      /** An assigning or completing listener's job: it denied the transition (the task goes back as it was). */
      readonly denied?: boolean;
      readonly deniedReason?: string;
      /** The job of an ad-hoc subprocess: what the worker decided (Camunda 8.8's job result). */
      readonly adHocResult?: AdHocJobResult;
      /**
       * The effect key of the completed job: an ad-hoc subprocess gets a new
       * job after each activation ends, and a completion of one it replaced
       * is stale.
       */
      readonly jobKey?: string;
    }
  /** A job worker threw a BPMN error. */
  | {
      readonly type: 'throwError';
      readonly elementInstanceId: string;
      readonly errorCode: string;
      readonly errorMessage?: string;
      readonly variables?: Variables;
    }
  /**
   * A subscription fired (timer due, message correlated, signal broadcast).
   * `ownerInstanceId` and `elementId` are those of the effect that opened it.
   */
  | {
      readonly type: 'trigger';
      readonly ownerInstanceId: string;
      readonly elementId: string;
      readonly variables?: Variables;
    }
  /**
   * The decision of a business rule task was evaluated (the host's answer to
   * an `evaluateDecision` effect): `output` becomes the result variable.
   * A decision that cannot be found or fails is an `incident` event instead
   * (CALLED_DECISION_ERROR, DECISION_EVALUATION_ERROR).
   */
  | { readonly type: 'decisionEvaluated'; readonly elementInstanceId: string; readonly output: unknown }
  /** A child started by a call activity completed. */
  | { readonly type: 'childCompleted'; readonly elementInstanceId: string; readonly variables: Variables }
  /**
   * The host could not carry out an effect for this element (e.g. called
   * process not deployed), or sets the element aside: a READY element gets
   * the incident on the phase it was about to run, a waiting one on its
   * activation.
   */
  | {
      readonly type: 'incident';
      readonly elementInstanceId: string;
      readonly incidentType: IncidentType;
      readonly message: string;
    }
  /**
   * A job ran out of retries: the element gets a JOB_NO_RETRIES incident
   * (EXECUTION_LISTENER_NO_RETRIES for the job of a `listener`).
   */
  | {
      readonly type: 'jobFailed';
      readonly elementInstanceId: string;
      readonly errorMessage: string;
      readonly listener?: ListenerEvent | TaskListenerEvent;
    }
  /**
   * An incident was resolved: retry the failed phase, or (job incidents) hand
   * the job out again with `retries` (default 1).
   */
  | { readonly type: 'resolveIncident'; readonly elementInstanceId: string; readonly retries?: number }
  /**
   * Write variables into a scope (default: the process scope). With
   * `propagate`, each variable goes to the nearest scope from that element
   * instance up that has it, else to the process scope (Camunda's non-local).
   */
  | { readonly type: 'setVariables'; readonly variables: Variables; readonly elementInstanceId?: string; readonly propagate?: boolean }
  | { readonly type: 'suspend' }
  | { readonly type: 'resume' }
  /**
   * A client asked to assign, update or complete a user task whose element
   * has listeners of that event: the host has put the task in ASSIGNING,
   * UPDATING or COMPLETING; `task` is the task as the transition leaves it.
   * The engine runs the listeners and answers with a `endUserTaskTransition`
   * effect (and, for a completion let through, completes the element).
   */
  | {
      readonly type: 'transitionUserTask';
      readonly elementInstanceId: string;
      readonly event: TaskTransitionEvent;
      readonly action: string;
      readonly task: UserTaskData;
      readonly variables?: Variables;
      /** An update: the attributes it changes. */
      readonly changedAttributes?: readonly string[];
    }
  /**
   * Process instance modification (runtime/modification.ts): activate
   * elements, terminate element instances; one that does not hold changes nothing.
   */
  | ({ readonly type: 'modify' } & Modification)
  /** Cancel the whole instance, before anything else waiting for it runs. */
  | { readonly type: 'cancel' };

export type CommandType = 'cancel' | 'suspend' | 'resume' | 'setVariables' | 'resolveIncident';

const COMMANDS: ReadonlySet<EngineEvent['type']> = new Set<CommandType>([
  'cancel',
  'suspend',
  'resume',
  'setVariables',
  'resolveIncident',
]);

/** Whether an event is a command (applies to a suspended instance too). */
export function isCommand(event: EngineEvent): boolean {
  return COMMANDS.has(event.type);
}

// ---------------------------------------------------------------------------
// Effects: what the host must do, as data. Every effect carries a stable `key`
// that doubles as an idempotency key.
// ---------------------------------------------------------------------------

export type HistoryType =
  | 'ELEMENT_ACTIVATED'
  | 'ELEMENT_COMPLETED'
  | 'ELEMENT_TERMINATED'
  | 'INCIDENT_CREATED'
  | 'INCIDENT_RESOLVED'
  /** The element instance moved to another process version by a process instance migration (Camunda 8's ELEMENT_MIGRATED). */
  | 'ELEMENT_MIGRATED';

export type Effect =
  | {
      readonly type: 'history';
      readonly historyType: HistoryType;
      readonly elementId: string;
      readonly elementType: string;
      readonly elementInstanceId: string;
      readonly at: number;
    }
  | {
      readonly type: 'createJob';
      readonly key: string;
      readonly elementInstanceId: string;
      readonly elementId: string;
      readonly jobType: string;
      readonly retries: number;
      readonly customHeaders: Readonly<Record<string, string>>;
      /** The variables visible to the job's element. */
      readonly variables: Variables;
      /** The job of an execution or task listener of this event (absent: the element's own job). */
      readonly listener?: ListenerEvent | TaskListenerEvent;
    }
  | { readonly type: 'cancelJob'; readonly key: string; readonly elementInstanceId: string }
  | {
      readonly type: 'createUserTask';
      readonly key: string;
      readonly elementInstanceId: string;
      readonly elementId: string;
      readonly name: string | null;
      readonly assignee: string | null;
      readonly candidateGroups: string[];
      readonly candidateUsers: string[];
      readonly formKey: string | null;
      readonly dueDate: string | null;
      readonly followUpDate: string | null;
      /** 0 to 100; absent: Camunda 8's default, 50. */
      readonly priority?: number;
    }
  | { readonly type: 'cancelUserTask'; readonly key: string; readonly elementInstanceId: string }
  /**
   * A user task transition's listeners are done: applied (`task` is the task
   * with their corrections; a completion: the task is COMPLETED, an
   * assignment: CREATED again with the new data) or denied (CREATED again,
   * unchanged).
   */
  | {
      readonly type: 'endUserTaskTransition';
      readonly key: string;
      readonly elementInstanceId: string;
      readonly event: TaskTransitionEvent;
      readonly denied: boolean;
      readonly deniedReason?: string;
      readonly task: UserTaskData;
    }
  | {
      readonly type: 'scheduleTimer';
      readonly key: string;
      readonly ownerInstanceId: string;
      readonly elementId: string;
      /** Epoch ms. */
      readonly dueAt: number;
    }
  | { readonly type: 'cancelTimer'; readonly key: string; readonly ownerInstanceId: string; readonly elementId: string }
  | {
      readonly type: 'openMessageSubscription';
      readonly key: string;
      readonly ownerInstanceId: string;
      readonly elementId: string;
      readonly messageName: string;
      readonly correlationKey: string;
      readonly interrupting: boolean;
    }
  | {
      readonly type: 'closeMessageSubscription';
      readonly key: string;
      readonly ownerInstanceId: string;
      readonly elementId: string;
    }
  | {
      readonly type: 'openSignalSubscription';
      readonly key: string;
      readonly ownerInstanceId: string;
      readonly elementId: string;
      readonly signalName: string;
    }
  | {
      readonly type: 'closeSignalSubscription';
      readonly key: string;
      readonly ownerInstanceId: string;
      readonly elementId: string;
    }
  | { readonly type: 'throwSignal'; readonly key: string; readonly signalName: string; readonly variables: Variables }
  | {
      readonly type: 'startChild';
      readonly key: string;
      readonly elementInstanceId: string;
      readonly elementId: string;
      readonly processId: string;
      readonly variables: Variables;
    }
  | { readonly type: 'cancelChild'; readonly key: string; readonly elementInstanceId: string }
  /**
   * A business rule task asks the host to evaluate a DMN decision; the
   * element waits for a `decisionEvaluated` (or `incident`) event. The host
   * answers within the same unit of work (see docs/architecture.md).
   */
  | {
      readonly type: 'evaluateDecision';
      readonly key: string;
      readonly elementInstanceId: string;
      readonly elementId: string;
      readonly decisionId: string;
      readonly bindingType: 'latest' | 'deployment' | 'versionTag';
      readonly versionTag: string | null;
      /** The variables visible to the element (the decision's context). */
      readonly variables: Variables;
    }
  | {
      readonly type: 'raiseIncident';
      readonly key: string;
      readonly incidentType: IncidentType;
      readonly elementInstanceId: string;
      readonly elementId: string;
      readonly message: string;
      /** A job incident (JOB_NO_RETRIES, EXECUTION_LISTENER_NO_RETRIES): the effect key of its job. */
      readonly jobKey?: string;
    }
  | { readonly type: 'resolveIncident'; readonly key: string; readonly elementInstanceId: string }
  /** A job incident was resolved: the job of `key` is activatable again with `retries`. */
  | { readonly type: 'retryJob'; readonly key: string; readonly elementInstanceId: string; readonly retries: number }
  /** The instance was suspended or resumed. */
  | { readonly type: 'instanceSuspended' | 'instanceResumed' }
  | {
      /** The instance ended (COMPLETED or CANCELED). `variables` are the process-scope variables. */
      readonly type: 'instanceEnded';
      readonly status: 'COMPLETED' | 'CANCELED';
      readonly variables: Variables;
    };

export interface StepResult {
  readonly state: InstanceState;
  readonly effects: Effect[];
  /**
   * Indexes of the events that were not applied and must stay in the inbox:
   * what arrived for a suspended instance other than commands. Absent when
   * every event was applied (or dropped as stale).
   */
  readonly deferred?: readonly number[];
}

/** A live token as clients see it. */
export interface TokenView {
  readonly id: string;
  readonly elementId: string;
  readonly state: TokenState;
}

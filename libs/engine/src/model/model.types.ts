import type { CompiledExpression } from '../feel/feel.types';

/**
 * The executable graph of one BPMN process, compiled once per deployed
 * definition and shared read-only by every instance of it.
 *
 * Element types are the BPMN tag names, which are also what history and
 * deploy errors report as `elementType`.
 */
export type ElementType =
  | 'startEvent'
  | 'endEvent'
  | 'intermediateCatchEvent'
  | 'intermediateThrowEvent'
  | 'boundaryEvent'
  | 'task'
  | 'serviceTask'
  | 'sendTask'
  | 'receiveTask'
  | 'userTask'
  | 'manualTask'
  | 'scriptTask'
  | 'businessRuleTask'
  | 'exclusiveGateway'
  | 'parallelGateway'
  | 'inclusiveGateway'
  | 'eventBasedGateway'
  | 'subProcess'
  | 'adHocSubProcess'
  | 'callActivity';

/** Element types of containers that hold flow nodes. */
export type ScopeType = 'process' | 'subProcess' | 'adHocSubProcess';

/**
 * A value from the model: a literal string, or a FEEL expression when the
 * attribute started with `=`.
 */
export type ValueSource =
  | { readonly kind: 'literal'; readonly value: string }
  | { readonly kind: 'expression'; readonly expression: CompiledExpression };

export type EventKind =
  | 'none'
  | 'message'
  | 'timer'
  | 'signal'
  | 'error'
  | 'escalation'
  | 'terminate'
  | 'link'
  | 'conditional'
  | 'compensation';

export type TimerDefinition =
  | { readonly kind: 'duration'; readonly value: ValueSource }
  | { readonly kind: 'date'; readonly value: ValueSource }
  /** ISO 8601 repeating interval (`R3/PT10S`, `R/PT1M`) or a 6-field cron. */
  | { readonly kind: 'cycle'; readonly value: ValueSource };

export interface EventDefinition {
  readonly kind: EventKind;
  /** message: `<bpmn:message name>`; signal: `<bpmn:signal name>`. May be FEEL for messages. */
  readonly name?: ValueSource;
  /** message catch: `zeebe:subscription correlationKey`. */
  readonly correlationKey?: ValueSource;
  /** error: the referenced error's `errorCode`; undefined catches every error. */
  readonly errorCode?: string;
  /** escalation: the referenced escalation's `escalationCode`; undefined catches all. */
  readonly escalationCode?: string;
  readonly timer?: TimerDefinition;
  /** link events: the `<linkEventDefinition name>`. */
  readonly linkName?: string;
  /** compensation throw events: the `activityRef` to compensate (absent: every completed activity of the scope). */
  readonly activityRef?: string;
  /** conditional events: the FEEL `<condition>` and its `zeebe:conditionalFilter`. */
  readonly conditional?: ConditionalDefinition;
}

/**
 * A conditional event (Camunda 8.9): `condition` is re-evaluated when a
 * variable it reads (or one of `variableNames`) is created or updated, as
 * `variableEvents` allows (absent: both), in a scope the event sees.
 */
export interface ConditionalDefinition {
  readonly condition: CompiledExpression;
  /** `zeebe:conditionalFilter variableNames`; absent: the names the condition reads. */
  readonly variableNames?: readonly string[];
  /** `zeebe:conditionalFilter variableEvents`; absent: create and update. */
  readonly variableEvents?: readonly ('create' | 'update')[];
}

export interface VariableMapping {
  readonly source: CompiledExpression;
  /** Target variable name; may be a dotted path (`order.total`). */
  readonly target: string;
}

export interface JobDefinition {
  readonly type: ValueSource;
  /** Defaults to `3` when the model leaves it out. */
  readonly retries: ValueSource;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * `zeebe:executionListener`: a job of `type` (with `retries`, FEEL or a
 * literal) that must complete before the element goes on (Camunda 8).
 */
export interface ListenerDefinition {
  readonly type: ValueSource;
  /** Defaults to `3` when the model leaves it out. */
  readonly retries: ValueSource;
}

/** The execution listeners of a process or flow node, by event, in model order. */
export interface ExecutionListeners {
  /** After the input mappings, before the element's own work. */
  readonly start: readonly ListenerDefinition[];
  /** After the output mappings, before the element is left. */
  readonly end: readonly ListenerDefinition[];
}

/**
 * `zeebe:taskListeners` of a Camunda user task, by event, in model order.
 */
export interface TaskListeners {
  /** Before the task is created: the jobs may correct its assignee, candidates, dates and priority. */
  readonly creating: readonly ListenerDefinition[];
  /** Before an assignment (assign, claim, unassign) takes effect: the jobs may deny it or correct the task. */
  readonly assigning?: readonly ListenerDefinition[];
  /** Before an update (dates, candidates, priority) takes effect: the jobs may deny it or correct the task. */
  readonly updating?: readonly ListenerDefinition[];
  /** Before a completion takes effect: the jobs may deny it (its variables are dropped) or correct the task. */
  readonly completing?: readonly ListenerDefinition[];
  /** Once the element is terminated (canceled, interrupted): its termination waits for the jobs, which cannot deny it. */
  readonly canceling?: readonly ListenerDefinition[];
}

export interface UserTaskDefinition {
  readonly assignee?: ValueSource;
  /** Comma-separated list or a FEEL list. */
  readonly candidateGroups?: ValueSource;
  readonly candidateUsers?: ValueSource;
  /** What the task shows: `formId` (linked), `formKey` (embedded or custom) or `externalReference`, as written. */
  readonly formKey?: string;
  /** A linked form (`zeebe:formDefinition formId`): which version the task binds, read when its form is asked for. */
  readonly form?: FormBinding;
  readonly dueDate?: ValueSource;
  readonly followUpDate?: ValueSource;
}

/** How a user task (or a call activity) picks the version of what it links: Camunda 8's `bindingType`. */
export interface FormBinding {
  readonly formId: string;
  readonly bindingType: 'latest' | 'deployment' | 'versionTag';
  readonly versionTag?: string;
}

export interface ScriptDefinition {
  readonly expression: CompiledExpression;
  readonly resultVariable: string;
}

export interface CalledElementDefinition {
  readonly processId: ValueSource;
  /** Camunda 8 default: `true`. */
  readonly propagateAllChildVariables: boolean;
  /** Camunda 8 default: `true`. */
  readonly propagateAllParentVariables: boolean;
  /** Which version is called: `latest` (default), `deployment` (the caller's own deployment) or `versionTag`. */
  readonly bindingType: 'latest' | 'deployment' | 'versionTag';
  /** With `bindingType="versionTag"`. */
  readonly versionTag?: string;
}

/**
 * `zeebe:calledDecision`: a business rule task that evaluates a DMN decision
 * (answered by the host: the engine emits an `evaluateDecision` effect).
 */
export interface CalledDecisionDefinition {
  /** The decision id; may be FEEL (`= expr`). */
  readonly decisionId: ValueSource;
  readonly resultVariable: string;
  /** Camunda 8: `latest` (default), `deployment` (the process's own deployment) or `versionTag`. */
  readonly bindingType: 'latest' | 'deployment' | 'versionTag';
  /** With `bindingType="versionTag"`. */
  readonly versionTag?: string;
}

export interface MultiInstanceDefinition {
  readonly sequential: boolean;
  readonly inputCollection?: CompiledExpression;
  readonly inputElement?: string;
  readonly outputCollection?: string;
  readonly outputElement?: CompiledExpression;
  readonly completionCondition?: CompiledExpression;
  /** `<loopCardinality>` when there is no input collection. */
  readonly loopCardinality?: CompiledExpression;
}

/**
 * One parameter of an ad-hoc activity, read from a `fromAi(...)` call in its
 * input mappings (Camunda 8.8's AI agent tools): `name` is the variable path
 * of the first argument, the rest are the constant arguments as written.
 */
export interface AdHocParameter {
  readonly name: string;
  readonly description?: string;
  readonly type?: string;
  readonly schema?: Readonly<Record<string, unknown>>;
  readonly options?: Readonly<Record<string, unknown>>;
}

/**
 * An element an ad-hoc subprocess can activate, as the job of a job-worker
 * ad-hoc subprocess lists it (Camunda 8.8's `adHocSubProcessElements`; empty
 * fields are left out, as Zeebe leaves them out).
 */
export interface AdHocElement {
  readonly elementId: string;
  readonly elementName?: string;
  readonly documentation?: string;
  readonly properties?: Readonly<Record<string, string>>;
  readonly parameters?: readonly AdHocParameter[];
}

/** `bpmn:adHocSubProcess` with its `zeebe:adHoc` (Camunda 8.8). */
export interface AdHocDefinition {
  /** `zeebe:adHoc activeElementsCollection`: the ids of the elements to activate on entry (BPMN mode). */
  readonly activeElementsCollection?: CompiledExpression;
  /** `<completionCondition>`: checked after each activated element's path ends (BPMN mode). */
  readonly completionCondition?: CompiledExpression;
  /** `cancelRemainingInstances` (default true). */
  readonly cancelRemainingInstances: boolean;
  readonly outputCollection?: string;
  readonly outputElement?: CompiledExpression;
  /** The elements inside that can be activated: activities, gateways and intermediate events without incoming flows. */
  readonly activityIds: readonly string[];
  /** Those elements described for a job worker (job-worker mode: the node has a `job`). */
  readonly elements: readonly AdHocElement[];
}

export interface SequenceFlow {
  readonly id: string;
  readonly name?: string;
  readonly sourceId: string;
  readonly targetId: string;
  /** Absent: unconditional. */
  readonly condition?: CompiledExpression;
}

export interface FlowNode {
  readonly id: string;
  readonly name?: string;
  readonly type: ElementType;
  /** The id of the process or subprocess that directly contains this node. */
  readonly scopeId: string;
  /** Incoming sequence flow ids. */
  readonly incoming: readonly string[];
  /** Outgoing sequence flows in document order. */
  readonly outgoing: readonly SequenceFlow[];
  /** Gateways and activities: the default flow's id. */
  readonly defaultFlowId?: string;

  /** Events: the single event definition (`none` when there is none). */
  readonly event?: EventDefinition;
  /** Boundary events: the activity they are attached to. */
  readonly attachedToId?: string;
  /** Boundary events and event-subprocess start events. */
  readonly interrupting?: boolean;
  /** Compensation boundary events: the handler activity their association points at. */
  readonly compensationHandlerId?: string;
  /** Activities with `isForCompensation="true"`: run only as a compensation handler. */
  readonly isForCompensation?: boolean;
  /** Activities: ids of the boundary events attached to them, document order. */
  readonly boundaryEventIds: readonly string[];

  /** Service, send, business-rule tasks; message throw/end events with a task definition. */
  readonly job?: JobDefinition;
  readonly script?: ScriptDefinition;
  readonly userTask?: UserTaskDefinition;
  readonly calledElement?: CalledElementDefinition;
  /** Business rule tasks that call a DMN decision. */
  readonly calledDecision?: CalledDecisionDefinition;
  readonly multiInstance?: MultiInstanceDefinition;
  /** Ad-hoc subprocesses; with a `job` they run in job-worker mode (a worker decides what to activate). */
  readonly adHoc?: AdHocDefinition;
  /** `zeebe:executionListeners` (absent when there are none). */
  readonly executionListeners?: ExecutionListeners;
  /** Camunda user tasks: `zeebe:taskListeners` (absent when there are none). */
  readonly taskListeners?: TaskListeners;
  readonly inputs: readonly VariableMapping[];
  readonly outputs: readonly VariableMapping[];

  /** Subprocesses: `triggeredByEvent="true"` (event subprocess). */
  readonly triggeredByEvent?: boolean;
  /** Subprocesses and ad-hoc subprocesses: the scope they open (same id as the node). */
  readonly scope?: Scope;
  /** Event-based gateways: ids of the catch events / receive tasks that follow. */
  readonly eventTargets?: readonly string[];
}

/** A process or (event) subprocess: the nodes directly inside it. */
export interface Scope {
  readonly id: string;
  readonly type: ScopeType;
  /** Ids of flow nodes directly inside, excluding event subprocess contents. */
  readonly nodeIds: readonly string[];
  /** None start events (for subprocesses: the single start event). */
  readonly noneStartEventIds: readonly string[];
  /** Ids of event subprocesses directly inside this scope. */
  readonly eventSubProcessIds: readonly string[];
  /** Link catch events by link name, for link throw events in this scope. */
  readonly linkCatchByName: Readonly<Record<string, string>>;
  /**
   * For every inclusive gateway in this scope with more than one incoming
   * flow: the ids of the nodes in this scope from which that gateway can
   * still be reached along sequence flows (counting the flows of boundary
   * events as leaving their activity). A join waits only while a live token
   * sits on one of these nodes.
   */
  readonly inclusiveJoinUpstream: Readonly<Record<string, readonly string[]>>;
}

export interface CompiledProcess {
  /** The `<process id>`: the key clients use. */
  readonly id: string;
  readonly name?: string;
  /** `zeebe:versionTag value`: a label of this version that bindings can name. */
  readonly versionTag?: string;
  /** Embedded forms (`zeebe:userTaskForm`), their JSON text by id: a user task's `camunda-forms:bpmn:<id>` form key. */
  readonly embeddedForms?: ReadonlyMap<string, string>;
  /** The process's own `zeebe:executionListeners` (absent when there are none). */
  readonly executionListeners?: ExecutionListeners;
  /** `baton:historyLevel` (a `zeebe:property` of the process): overrides the host's HISTORY_LEVEL for its instances. */
  readonly historyLevel?: HistoryLevel;
  readonly scope: Scope;
  readonly nodes: ReadonlyMap<string, FlowNode>;
  readonly flows: ReadonlyMap<string, SequenceFlow>;
  /** Start events of the process itself, by kind, for the host's start triggers. */
  readonly startEvents: {
    readonly none: readonly string[];
    readonly message: readonly string[];
    readonly timer: readonly string[];
    readonly signal: readonly string[];
    /** Conditional start events: started by evaluating their conditions against given variables (`evaluateConditionalStarts`). */
    readonly conditional: readonly string[];
  };
}

/**
 * What history an instance writes: `full` every element event, `activity` the
 * lifecycle of the process and its activities (no gateways, events or incident
 * events), `none` nothing.
 */
export type HistoryLevel = 'full' | 'activity' | 'none';

/** The result of deploying one BPMN document: its executable processes. */
export interface CompiledDefinitions {
  readonly processes: readonly CompiledProcess[];
}

/** One problem found while parsing or validating a BPMN document. */
export interface ValidationError {
  /** `null` for document-level problems (not XML, not BPMN, nothing executable). */
  readonly elementId: string | null;
  /** BPMN tag name (`serviceTask`, `sequenceFlow`, ...) or `null`. */
  readonly elementType: string | null;
  readonly message: string;
}

import type { CompiledExpression } from '../../feel/feel.types';
import type { CompiledProcess, FlowNode, Scope, SequenceFlow, ValueSource } from '../../model/model.types';
import type { Effect, ElementIncident, ElementInstance, HistoryType, IncidentType, Variables } from '../runtime.types';

/**
 * What `activate` tells the executor: `complete` continues straight to the
 * completion phase, `wait` rests the token in a wait state, `done` means the
 * behaviour already moved the token on (or it was terminated).
 */
export type ActivateOutcome = 'complete' | 'wait' | 'done';

export type Phase = 'activate' | 'complete';

/**
 * What a behaviour may see and do during one engine step. Behaviours never
 * touch the run queue, the effect list or the element tree directly: every
 * change goes through these operations, which keep the tree, the lifecycle
 * table and the effects consistent.
 */
export interface BehaviorContext {
  /** The compiled model (read-only). */
  readonly process: CompiledProcess;
  /** The process-level element instance id. */
  readonly rootId: string;

  element(id: string): ElementInstance | undefined;
  node(inst: ElementInstance): FlowNode;
  nodeById(id: string): FlowNode;
  /** The scope definition of a process or subprocess instance. */
  scopeOf(inst: ElementInstance): Scope | undefined;
  childIds(id: string): string[];
  hasChildren(id: string): boolean;
  /** A node-id list of the model as a set (built once per list). */
  upstreamSet(ids: readonly string[]): ReadonlySet<string>;

  evaluate(expression: CompiledExpression, fromId: string | null, extra?: Variables): unknown;
  evaluateValue(value: ValueSource, fromId: string | null): unknown;
  /** A value that must be a non-empty string (job type, message name, process id). */
  evaluateString(value: ValueSource, fromId: string | null, what: string): string;
  /** Every variable visible from the instance. */
  visible(inst: ElementInstance): Variables;

  emit(effect: Effect): void;
  history(type: HistoryType, inst: ElementInstance): void;

  schedule(inst: ElementInstance, phase: Phase): void;
  create(
    node: FlowNode,
    parentId: string,
    fields: Partial<Omit<ElementInstance, 'id' | 'elementId' | 'parentId'>> & Pick<ElementInstance, 'state'>,
  ): ElementInstance;
  remove(inst: ElementInstance): void;
  activateNode(node: FlowNode, scopeId: string, viaFlowId?: string, variables?: Variables): ElementInstance;
  /** False when the termination waits for canceling task listeners (see Execution.terminate). */
  terminate(inst: ElementInstance): boolean;
  checkScope(scopeId: string): void;
  /** Enters a scope at its start event; false when it has none. */
  enterScope(scopeInst: ElementInstance, startEventId: string | undefined): boolean;

  /**
   * Writes locals, each held to the variable limits; `checked: false` skips
   * that for a value already checked piece by piece (a collection growing
   * one checked item at a time is checked whole when it leaves its scope).
   */
  setLocalVariables(inst: ElementInstance, variables: Variables, checked?: boolean): void;
  /** Throws when a variable is over the limits (see `EngineEnv.maxVariableSize`). */
  checkVariables(variables: Variables): void;
  /** Writes variables from a scope outwards (nearest scope that has each, else the process). */
  propagateVariables(fromId: string, variables: Variables): void;
  /** Variables handed in by a job, task, message, signal or child (Camunda 8 output rules). */
  acceptVariables(inst: ElementInstance, node: FlowNode | undefined, variables: Variables | undefined): void;

  openSubscription(owner: ElementInstance, event: FlowNode): void;
  closeSubscription(owner: ElementInstance, event: FlowNode): void;
  closeEventSubProcessSubscriptions(scope: ElementInstance, eventSubProcessIds: readonly string[]): void;
  openEventSubProcessSubscriptions(scope: ElementInstance, eventSubProcessIds: readonly string[]): void;
  /** Sets the instance aside with an incident on `phase` (what resolving it retries). */
  raiseIncident(inst: ElementInstance, type: IncidentType, message: string, phase: ElementIncident['phase']): void;

  throwError(thrower: ElementInstance, errorCode: string, errorMessage: string | undefined, variables?: Variables): void;
  /** Returns whether the thrower is still alive. */
  throwEscalation(thrower: ElementInstance, escalationCode: string | undefined): boolean;
}

/** The semantics of one BPMN element type. Only `activate` is required. */
export interface ElementBehavior {
  activate(x: BehaviorContext, inst: ElementInstance, node: FlowNode): ActivateOutcome;
  /** The flows to take when the element completes; default: every outgoing flow. */
  outgoing?(x: BehaviorContext, inst: ElementInstance, node: FlowNode): readonly SequenceFlow[];
  /** Runs in the completion phase before ELEMENT_COMPLETED (close what the element opened). */
  completing?(x: BehaviorContext, inst: ElementInstance, node: FlowNode): void;
  /** Cleanup when a waiting instance is terminated: cancel jobs, tasks, subscriptions, children. */
  terminate?(x: BehaviorContext, inst: ElementInstance, node: FlowNode): void;
  /** Gateways with several incoming flows: a token arrived at the join in scope `scopeId`. */
  join?(x: BehaviorContext, scopeId: string, gateway: FlowNode): void;
  /** A subscription this instance owns fired for `event` (the element itself or one it waits for). */
  trigger?(
    x: BehaviorContext,
    inst: ElementInstance,
    node: FlowNode,
    event: FlowNode,
    variables: Variables | undefined,
  ): void;
  /** A job or user task of this element finished. */
  accepts?: 'job' | 'userTask' | 'child' | 'decision';
}

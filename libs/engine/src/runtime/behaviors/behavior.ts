import type { FlowNode, SequenceFlow } from '../../model/model.types';
import type { Execution } from '../execution';
import type { ElementInstance, Variables } from '../runtime.types';

/**
 * What `activate` tells the executor: `complete` continues straight to the
 * completion phase, `wait` rests the token in a wait state, `done` means the
 * behaviour already moved the token on (or it was terminated).
 */
export type ActivateOutcome = 'complete' | 'wait' | 'done';

/** The semantics of one BPMN element type. Only `activate` is required. */
export interface ElementBehavior {
  activate(x: Execution, inst: ElementInstance, node: FlowNode): ActivateOutcome;
  /** The flows to take when the element completes; default: every outgoing flow. */
  outgoing?(x: Execution, inst: ElementInstance, node: FlowNode): readonly SequenceFlow[];
  /** Runs in the completion phase before ELEMENT_COMPLETED (close what the element opened). */
  completing?(x: Execution, inst: ElementInstance, node: FlowNode): void;
  /** Cleanup when a waiting instance is terminated: cancel jobs, tasks, subscriptions, children. */
  terminate?(x: Execution, inst: ElementInstance, node: FlowNode): void;
  /** Gateways with several incoming flows: a token arrived at the join in scope `scopeId`. */
  join?(x: Execution, scopeId: string, gateway: FlowNode): void;
  /** A subscription this instance owns fired for `event` (the element itself or one it waits for). */
  trigger?(x: Execution, inst: ElementInstance, node: FlowNode, event: FlowNode, variables: Variables | undefined): void;
  /** A job or user task of this element finished. */
  accepts?: 'job' | 'userTask' | 'child';
}

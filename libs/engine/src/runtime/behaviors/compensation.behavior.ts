import type { FlowNode } from '../../model/model.types';
import { EngineError, EngineErrorCode } from '../engine-errors';
import type { CompensableRecord, ElementInstance } from '../runtime.types';
import type { ActivateOutcome, BehaviorContext } from './behavior';

/**
 * Compensation with Camunda 8's semantics (Zeebe's
 * BpmnCompensationSubscriptionBehaviour):
 *
 * - when an activity with a compensation boundary event completes, its scope
 *   instance keeps a record of it; a subprocess or multi-instance body that
 *   completes with records inside keeps them under its own record, so that
 *   compensating the scope around it reaches them;
 * - a compensation throw (intermediate or end event) takes the records of its
 *   scope (from an event subprocess: of the scope around it too), all of them
 *   or those of its `activityRef`, and starts every handler at once: the
 *   throw's scope instance holds the handlers, which see its variables. The
 *   handlers are started in reverse order of completion (Camunda 8 promises no
 *   order); the throw waits until the last one completed;
 * - a record is used once: a second throw does not compensate it again.
 *
 * Active or terminated activities have no record; a terminated scope takes
 * its records with it.
 */

/** Whether the activity has a compensation boundary event. */
function compensationBoundaryOf(x: BehaviorContext, node: FlowNode): FlowNode | undefined {
  for (const id of node.boundaryEventIds) {
    const boundary = x.nodeById(id);
    if (boundary.event?.kind === 'compensation') return boundary;
  }
  return undefined;
}

/** The scope instance that keeps the records of what completes in `id` (an ad-hoc subprocess's inner instance defers to the subprocess). */
function holderOf(x: BehaviorContext, id: string | null): ElementInstance | undefined {
  let inst = id === null ? undefined : x.element(id);
  while (inst?.elementType === 'adHocSubProcessInnerInstance') {
    inst = inst.parentId === null ? undefined : x.element(inst.parentId);
  }
  return inst;
}

/**
 * An element instance completes: keeps a record of it in its scope when a
 * throw can compensate it (it has a handler) or something in it. A
 * multi-instance activity's handler belongs to its body and runs once for
 * all inner instances, as in Camunda 8.
 */
export function recordCompletion(x: BehaviorContext, inst: ElementInstance, node: FlowNode): void {
  const inner = inst.compensable;
  if (node.boundaryEventIds.length === 0 && (inner === undefined || inner.length === 0)) return;
  if (node.triggeredByEvent === true) return;
  const handler = inst.loopIndex === undefined && compensationBoundaryOf(x, node) !== undefined;
  if (!handler && (inner === undefined || inner.length === 0)) return;
  const holder = holderOf(x, inst.parentId);
  if (holder === undefined) return;
  const record: CompensableRecord = {
    elementId: node.id,
    ...(handler ? { handler: true as const } : {}),
    ...(inner !== undefined && inner.length > 0 ? { inner } : {}),
  };
  // Replaced, never mutated: the working copy of a step shares arrays with the stored state.
  holder.compensable = [...(holder.compensable ?? []), record];
}

/**
 * A compensation throw event activates: starts the handlers of what it
 * compensates and waits for them; with nothing to compensate it passes.
 */
export function throwCompensation(x: BehaviorContext, thrower: ElementInstance, node: FlowNode): ActivateOutcome {
  const scopes: ElementInstance[] = [];
  const own = holderOf(x, thrower.parentId);
  if (own !== undefined) {
    scopes.push(own);
    const isEventSubProcess = own.elementType === 'subProcess' && x.node(own).triggeredByEvent === true;
    const outer = isEventSubProcess ? holderOf(x, own.parentId) : undefined;
    if (outer !== undefined) scopes.push(outer);
  }
  const activityRef = node.event?.activityRef;
  let started = 0;
  for (const scope of scopes) {
    const records = scope.compensable ?? [];
    const chosen = records.filter((r) => activityRef === undefined || r.elementId === activityRef);
    if (chosen.length === 0) continue;
    const rest = records.filter((r) => !chosen.includes(r));
    if (rest.length > 0) scope.compensable = rest;
    else delete scope.compensable;
    for (let i = chosen.length - 1; i >= 0; i--) started += compensate(x, thrower, chosen[i]);
  }
  return started > 0 ? 'wait' : 'complete';
}

/** Starts the handler of one record, then those of what completed inside it, latest first; returns how many started. */
function compensate(x: BehaviorContext, thrower: ElementInstance, record: CompensableRecord): number {
  let started = 0;
  if (record.handler === true) {
    startHandler(x, thrower, x.nodeById(record.elementId));
    started += 1;
  }
  const inner = record.inner ?? [];
  for (let i = inner.length - 1; i >= 0; i--) started += compensate(x, thrower, inner[i]);
  return started;
}

/**
 * The compensation boundary event passes (history only, as Zeebe writes it)
 * and the handler it is associated with starts in the throw's scope.
 */
function startHandler(x: BehaviorContext, thrower: ElementInstance, activity: FlowNode): void {
  const boundary = compensationBoundaryOf(x, activity);
  const handlerId = boundary?.compensationHandlerId;
  if (boundary === undefined || handlerId === undefined) {
    throw new EngineError(EngineErrorCode.Bug, `no compensation handler for '${activity.id}'`);
  }
  const scopeId = thrower.parentId as string;
  const event = x.create(boundary, scopeId, { state: 'WAITING', entered: true });
  x.history('ELEMENT_ACTIVATED', event);
  x.history('ELEMENT_COMPLETED', event);
  x.remove(event);
  const handler = x.activateNode(x.nodeById(handlerId), scopeId);
  handler.compensationOf = thrower.id;
}

/** A handler completed: the throw that started it completes once none of its handlers is left. */
export function compensationHandlerCompleted(x: BehaviorContext, handler: ElementInstance): void {
  const throwId = handler.compensationOf;
  if (throwId === undefined || handler.parentId === null) return;
  const thrower = x.element(throwId);
  if (thrower === undefined || thrower.state !== 'WAITING' || thrower.incident !== undefined || thrower.listener !== undefined) return;
  const waiting = x.childIds(handler.parentId).some((id) => x.element(id)?.compensationOf === throwId);
  if (!waiting) x.schedule(thrower, 'complete');
}

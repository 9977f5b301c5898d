import type { FlowNode, SequenceFlow } from '../../model/model.types';
import { NoFlowError } from '../engine-errors';
import type { ElementInstance } from '../runtime.types';
import type { BehaviorContext, ElementBehavior } from './behavior';

const isTrue = (x: BehaviorContext, inst: ElementInstance, flow: SequenceFlow): boolean =>
  // FEEL: a condition that yields null (or anything but true) is false.
  flow.condition === undefined || x.evaluate(flow.condition, inst.id) === true;

/** Exclusive gateway: the first flow (document order) whose condition holds, else the default flow. */
export const exclusiveGateway: ElementBehavior = {
  activate: () => 'complete',
  outgoing(x, inst, node) {
    if (node.outgoing.length <= 1 && node.outgoing.every((f) => f.condition === undefined)) return node.outgoing;
    let fallback: SequenceFlow | undefined;
    for (const flow of node.outgoing) {
      if (flow.id === node.defaultFlowId) {
        fallback = flow;
        continue;
      }
      if (isTrue(x, inst, flow)) return [flow];
    }
    if (fallback !== undefined) return [fallback];
    throw new NoFlowError(
      `no outgoing sequence flow of exclusive gateway '${node.id}' has a condition that is true, and it has no default flow`,
    );
  },
};

/** Inclusive gateway: every flow whose condition holds, else the default flow. */
export const inclusiveGateway: ElementBehavior = {
  activate: () => 'complete',
  outgoing(x, inst, node) {
    let fallback: SequenceFlow | undefined;
    const taken: SequenceFlow[] = [];
    for (const flow of node.outgoing) {
      if (flow.id === node.defaultFlowId) fallback = flow;
      else if (isTrue(x, inst, flow)) taken.push(flow);
    }
    if (taken.length > 0) return taken;
    if (fallback !== undefined) return [fallback];
    throw new NoFlowError(
      `no outgoing sequence flow of inclusive gateway '${node.id}' has a condition that is true, and it has no default flow`,
    );
  },
  /**
   * An inclusive join fires once no live token in the scope can still reach
   * it: a token elsewhere whose node lies upstream of the join keeps it waiting.
   */
  join(x, scopeId, gateway) {
    const arrivals = arrivalsAt(x, scopeId, gateway);
    if (arrivals.size === 0) return;
    const upstream = upstreamOf(x, scopeId, gateway);
    for (const childId of x.childIds(scopeId)) {
      const child = (x.element(childId) as ElementInstance);
      if (child.joinArrival && child.elementId === gateway.id) continue;
      if (upstream.has(child.elementId)) return;
    }
    fire(x, scopeId, gateway, [...arrivals.values()].map((list) => list[0]));
  },
};

/** Parallel gateway: every outgoing flow; as a join, waits for a token on every incoming flow. */
export const parallelGateway: ElementBehavior = {
  activate: () => 'complete',
  join(x, scopeId, gateway) {
    const arrivals = arrivalsAt(x, scopeId, gateway);
    if (arrivals.size < gateway.incoming.length) return;
    fire(x, scopeId, gateway, gateway.incoming.map((flowId) => (arrivals.get(flowId) as ElementInstance[])[0]));
  },
};

/** Event-based gateway: waits for the first of the events after it; that one wins, the others are dropped. */
export const eventBasedGateway: ElementBehavior = {
  activate(x, inst, node) {
    for (const target of targets(x, node)) x.openSubscription(inst, target);
    return 'wait';
  },
  trigger(x, inst, node, event, variables) {
    const flow = node.outgoing.find((f) => f.targetId === event.id);
    if (flow === undefined) return;
    for (const target of targets(x, node)) x.closeSubscription(inst, target);
    x.history('ELEMENT_COMPLETED', inst);
    const scopeId = inst.parentId as string;
    x.remove(inst);
    // The winning event is entered already triggered: it completes at once with the event's variables.
    const caught = x.create(event, scopeId, { state: 'WAITING', viaFlowId: flow.id, entered: true });
    x.history('ELEMENT_ACTIVATED', caught);
    x.acceptVariables(caught, event, variables);
    x.schedule(caught, 'complete');
  },
  terminate(x, inst, node) {
    for (const target of targets(x, node)) x.closeSubscription(inst, target);
  },
};

function targets(x: BehaviorContext, node: FlowNode): FlowNode[] {
  const ids = node.eventTargets ?? node.outgoing.map((f) => f.targetId);
  return ids.map((id) => x.nodeById(id));
}

/** Tokens waiting at a join in one scope instance, grouped by the flow they came in on. */
function arrivalsAt(x: BehaviorContext, scopeId: string, gateway: FlowNode): Map<string, ElementInstance[]> {
  const byFlow = new Map<string, ElementInstance[]>();
  for (const childId of x.childIds(scopeId)) {
    const child = (x.element(childId) as ElementInstance);
    if (!child.joinArrival || child.elementId !== gateway.id) continue;
    const flowId = child.viaFlowId as string;
    const list = byFlow.get(flowId);
    if (list === undefined) byFlow.set(flowId, [child]);
    else list.push(child);
  }
  return byFlow;
}

function upstreamOf(x: BehaviorContext, scopeId: string, gateway: FlowNode): ReadonlySet<string> {
  const scope = (x.element(scopeId) as ElementInstance);
  const definition = x.scopeOf(scope);
  return x.upstreamSet(definition?.inclusiveJoinUpstream[gateway.id] ?? []);
}

/** Consumes one arrival per incoming flow and activates the gateway once. */
function fire(x: BehaviorContext, scopeId: string, gateway: FlowNode, consumed: ElementInstance[]): void {
  for (const arrival of consumed) x.remove(arrival);
  x.activateNode(gateway, scopeId);
}

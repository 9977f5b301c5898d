import { readProcessExtensions } from './process-extensions';
import type { CompiledProcess, FlowNode, Scope, SequenceFlow } from './model.types';
import type { NodeDraft, ProcessDraft, ScopeDraft } from './process-draft';

/**
 * Turns a checked draft into the read-only graph the executor runs: flows
 * and nodes by id, scopes with their precomputed lookups.
 */
export function compileProcess(draft: ProcessDraft): CompiledProcess {
  const flows = new Map<string, SequenceFlow>();
  for (const flow of draft.flows.values()) {
    flows.set(
      flow.id,
      Object.freeze({
        id: flow.id,
        ...(flow.name !== undefined ? { name: flow.name } : {}),
        sourceId: flow.sourceId,
        targetId: flow.targetId,
        ...(flow.condition ? { condition: flow.condition } : {}),
      }),
    );
  }

  const scopes = new Map<string, Scope>();
  for (const scope of draft.scopes.values()) scopes.set(scope.id, compileScope(draft, scope));

  const nodes = new Map<string, FlowNode>();
  for (const node of draft.nodes.values()) nodes.set(node.id, compileNode(node, flows, scopes));

  const processScope = scopes.get(draft.id);
  const processScopeDraft = draft.scopes.get(draft.id);
  if (!processScope || !processScopeDraft)
    throw new Error(`compile: process scope '${draft.id}' missing`);
  const startsOf = (kind: 'message' | 'timer' | 'signal' | 'conditional') =>
    Object.freeze(
      processScopeDraft.startEventIds.filter((id) => draft.nodes.get(id)?.event?.kind === kind),
    );

  return Object.freeze({
    id: draft.id,
    ...(draft.name !== undefined ? { name: draft.name } : {}),
    ...(draft.executionListeners !== undefined ? { executionListeners: draft.executionListeners } : {}),
    ...readProcessExtensions(draft.el),
    scope: processScope,
    nodes,
    flows,
    startEvents: Object.freeze({
      none: processScope.noneStartEventIds,
      message: startsOf('message'),
      timer: startsOf('timer'),
      signal: startsOf('signal'),
      conditional: startsOf('conditional'),
    }),
  });
}

function compileNode(
  node: NodeDraft,
  flows: ReadonlyMap<string, SequenceFlow>,
  scopes: ReadonlyMap<string, Scope>,
): FlowNode {
  const outgoing = node.outgoing
    .map((f) => flows.get(f.id))
    .filter((f): f is SequenceFlow => f !== undefined);
  const compiled: { -readonly [K in keyof FlowNode]: FlowNode[K] } = {
    id: node.id,
    type: node.type,
    scopeId: node.scopeId,
    incoming: Object.freeze([...node.incoming]),
    outgoing: Object.freeze(outgoing),
    boundaryEventIds: Object.freeze([...node.boundaryEventIds]),
    inputs: Object.freeze([...node.inputs]),
    outputs: Object.freeze([...node.outputs]),
  };
  if (node.name !== undefined) compiled.name = node.name;
  if (node.defaultFlowId !== undefined) compiled.defaultFlowId = node.defaultFlowId;
  if (node.event) compiled.event = node.event;
  if (node.attachedToId !== undefined) compiled.attachedToId = node.attachedToId;
  if (node.interrupting !== undefined) compiled.interrupting = node.interrupting;
  if (node.compensationHandlerId !== undefined) compiled.compensationHandlerId = node.compensationHandlerId;
  if (node.isForCompensation === true) compiled.isForCompensation = true;
  if (node.job) compiled.job = node.job;
  if (node.script) compiled.script = node.script;
  if (node.userTask) compiled.userTask = node.userTask;
  if (node.calledElement) compiled.calledElement = node.calledElement;
  if (node.calledDecision) compiled.calledDecision = node.calledDecision;
  if (node.multiInstance) compiled.multiInstance = node.multiInstance;
  if (node.executionListeners) compiled.executionListeners = node.executionListeners;
  if (node.taskListeners) compiled.taskListeners = node.taskListeners;
  if (node.type === 'subProcess') {
    compiled.triggeredByEvent = node.triggeredByEvent === true;
    compiled.scope = scopes.get(node.id);
  }
  if (node.type === 'adHocSubProcess') {
    compiled.scope = scopes.get(node.id);
    if (node.adHoc) compiled.adHoc = node.adHoc;
  }
  if (node.type === 'eventBasedGateway') {
    compiled.eventTargets = Object.freeze(outgoing.map((f) => f.targetId));
  }
  return Object.freeze(compiled);
}

function compileScope(draft: ProcessDraft, scope: ScopeDraft): Scope {
  const nodes = scope.nodeIds
    .map((id) => draft.nodes.get(id))
    .filter((n): n is NodeDraft => n !== undefined);
  const noneStartEventIds = scope.eventSubProcess
    ? scope.startEventIds
    : scope.startEventIds.filter((id) => draft.nodes.get(id)?.event?.kind === 'none');

  const linkCatchByName: Record<string, string> = {};
  for (const node of nodes) {
    if (
      node.type === 'intermediateCatchEvent' &&
      node.event?.kind === 'link' &&
      node.event.linkName
    ) {
      linkCatchByName[node.event.linkName] = node.id;
    }
  }

  return Object.freeze({
    id: scope.id,
    type: scope.type,
    nodeIds: Object.freeze([...scope.nodeIds]),
    noneStartEventIds: Object.freeze([...noneStartEventIds]),
    eventSubProcessIds: Object.freeze([...scope.eventSubProcessIds]),
    linkCatchByName: Object.freeze(linkCatchByName),
    inclusiveJoinUpstream: Object.freeze(inclusiveJoinUpstream(draft, nodes)),
  });
}

/**
 * For each inclusive join of a scope, the nodes of that scope from which it
 * can still be reached. A token on an activity can also leave through the
 * activity's boundary events, so the activity reaches what they reach. The
 * join itself is left out: tokens waiting there are its arrivals, not
 * upstream work. One reverse breadth-first search per join: O(joins * (V + E)).
 */
function inclusiveJoinUpstream(
  draft: ProcessDraft,
  nodes: readonly NodeDraft[],
): Record<string, readonly string[]> {
  const joins = nodes.filter((n) => n.type === 'inclusiveGateway' && n.incoming.length > 1);
  const result: Record<string, readonly string[]> = {};
  if (joins.length === 0) return result;

  const predecessors = new Map<string, string[]>();
  for (const node of nodes) {
    const list: string[] = [];
    for (const flowId of node.incoming) {
      const flow = draft.flows.get(flowId);
      if (flow) list.push(flow.sourceId);
    }
    if (node.type === 'boundaryEvent' && node.attachedToId !== undefined)
      list.push(node.attachedToId);
    predecessors.set(node.id, list);
  }
  const order = new Map(nodes.map((n, i) => [n.id, i]));

  for (const join of joins) {
    const seen = new Set<string>([join.id]);
    const queue = [join.id];
    const upstream: string[] = [];
    for (let i = 0; i < queue.length; i++) {
      for (const pred of predecessors.get(queue[i]) ?? []) {
        if (seen.has(pred)) continue;
        seen.add(pred);
        upstream.push(pred);
        queue.push(pred);
      }
    }
    upstream.sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0));
    result[join.id] = Object.freeze(upstream);
  }
  return result;
}

import type { CompiledProcess, FlowNode } from '../model/model.types';
import type { Execution } from './execution';
import type { ElementInstance, InstanceState, Variables } from './runtime.types';

/**
 * Process instance modification (Camunda 8's ModifyProcessInstance, Zeebe's
 * ProcessInstanceModificationModifyProcessor): an operator activates elements
 * and terminates element instances of a running instance, to repair it.
 *
 * All instructions are checked first against the instance as it is; one bad
 * instruction refuses the whole modification and nothing changes. Then the
 * activations apply (missing flow scopes are created, variables set, the
 * element is activated as if a token arrived: READY, run by the next step),
 * then the terminations (each element instance with everything inside it, as
 * a cancel does; a flow scope left with nothing running is terminated too,
 * up to the process, which then ends CANCELED, as in Zeebe).
 */
export interface Modification {
  readonly activate: readonly ActivateInstruction[];
  readonly terminate: readonly TerminateInstruction[];
}

export interface ActivateInstruction {
  readonly elementId: string;
  /**
   * An active element instance of a flow scope of the element (the process
   * instance included): the element is activated inside it, in new instances
   * of the scopes between. Absent: inside the one active instance of its
   * nearest flow scope that has one.
   */
  readonly ancestorElementInstanceId?: string;
  /** Variables set as locals of a scope: the element itself or one of its flow scopes (default: the process). */
  readonly variables?: readonly VariableInstruction[];
}

export interface VariableInstruction {
  /** The element id of the scope; absent or empty: the process. */
  readonly scopeId?: string;
  readonly variables: Variables;
}

/** One of the two: an element instance, or every active instance of an element (Camunda 8.8). */
export interface TerminateInstruction {
  readonly elementInstanceId?: string;
  readonly elementId?: string;
}

/** Why a modification is refused, naming the element or element instance at fault. */
export interface ModificationProblem {
  readonly message: string;
  readonly elementId?: string;
  readonly elementInstanceId?: string;
}

/** Element types Zeebe refuses to activate (besides what the model cannot name: flows, the process). */
const NOT_ACTIVATABLE: ReadonlySet<string> = new Set(['startEvent', 'boundaryEvent']);

/**
 * What is wrong with a modification of this instance, in instruction order;
 * empty when it can apply. Pure: reads the state only.
 */
export function checkModification(
  process: CompiledProcess,
  state: InstanceState,
  modification: Modification,
): ModificationProblem[] {
  return plan(process, state, modification).problems;
}

/** Applies a modification in a step (the `modify` event). A modification that does not hold (any more) changes nothing. */
export function applyModification(x: Execution, modification: Modification): void {
  const { problems, activations, terminations } = plan(x.process, x.state, modification);
  if (problems.length > 0) return;
  const required = new Set<string>();
  for (const activation of activations) activate(x, activation, required);
  for (const id of terminations) {
    const inst = x.elements[id];
    // Already gone with an earlier instruction's subtree (or the instance ended).
    if (inst === undefined || x.state.status !== 'ACTIVE') continue;
    if (inst.parentId === null) {
      x.cancel();
      return;
    }
    const parentId = inst.parentId;
    if (inst.terminating !== undefined) continue;
    if (!x.terminate(inst)) {
      // Canceling task listeners run first; its empty flow scopes are terminated once it is.
      inst.terminating = { modification: true };
      continue;
    }
    terminateEmptyScopes(x, parentId, required);
  }
}

interface Activation {
  readonly node: FlowNode;
  /** The existing instance the element (or its first created scope) goes into. */
  readonly anchorId: string;
  /** Flow scopes to create inside the anchor, outermost first. */
  readonly create: readonly FlowNode[];
  readonly variables: readonly VariableInstruction[];
}

interface Plan {
  readonly problems: ModificationProblem[];
  readonly activations: Activation[];
  /** Element instance ids to terminate, in order. */
  readonly terminations: string[];
}

function plan(process: CompiledProcess, state: InstanceState, modification: Modification): Plan {
  const problems: ModificationProblem[] = [];
  const activations: Activation[] = [];
  const terminations: string[] = [];
  if (state.status !== 'ACTIVE') {
    problems.push({
      message: `process instance '${state.instanceId}' is ${state.status}; only an ACTIVE instance can be modified`,
    });
    return { problems, activations, terminations };
  }
  const elements = state.elements;
  // Baton does not modify around a termination that waits for canceling task listeners.
  for (const id in elements) {
    const inst = elements[id];
    if (inst.terminating === undefined || inst.listener?.event !== 'canceling') continue;
    problems.push({
      message: `element instance '${id}' of '${inst.elementId}' is being terminated (its canceling task listeners run); modify the instance once it is`,
      elementId: inst.elementId,
      elementInstanceId: id,
    });
    return { problems, activations, terminations };
  }
  const flowIds = sequenceFlowIds(process);
  let byElement: Map<string, string[]> | undefined;

  for (const instruction of modification.activate) {
    const elementId = instruction.elementId;
    const node = process.nodes.get(elementId);
    if (node === undefined) {
      const what = flowIds.has(elementId)
        ? `'${elementId}' is a sequence flow; only flow nodes can be activated`
        : elementId === process.id
          ? `'${elementId}' is the process itself; activate an element inside it`
          : `no element '${elementId}' in process '${process.id}'`;
      problems.push({ message: `cannot activate '${elementId}': ${what}`, elementId });
      continue;
    }
    const refusal = notActivatable(process, node);
    if (refusal !== null) {
      problems.push({ message: `cannot activate '${elementId}': ${refusal}`, elementId });
      continue;
    }
    const chain = flowScopesOf(process, node);
    const variables = instruction.variables ?? [];
    let badScope = false;
    for (const v of variables) {
      const scopeId = v.scopeId ?? '';
      if (
        scopeId === '' ||
        scopeId === process.id ||
        scopeId === elementId ||
        chain.some((s) => s.id === scopeId)
      )
        continue;
      badScope = true;
      problems.push({
        message: process.nodes.has(scopeId)
          ? `variables for '${elementId}' name scope '${scopeId}', which is not a flow scope of '${elementId}'; set them before or after the modification`
          : `variables for '${elementId}' name scope '${scopeId}', which is no element of process '${process.id}'`,
        elementId: scopeId,
      });
    }
    if (badScope) continue;
    byElement ??= instancesByElement(elements);
    const resolved = resolveScope(
      process,
      state,
      byElement,
      node,
      chain,
      instruction.ancestorElementInstanceId,
    );
    if ('problem' in resolved) {
      problems.push(resolved.problem);
      continue;
    }
    activations.push({ node, anchorId: resolved.anchorId, create: resolved.create, variables });
  }

  const seen = new Set<string>();
  const seenElements = new Set<string>();
  for (const instruction of modification.terminate) {
    if (instruction.elementInstanceId !== undefined) {
      const id =
        instruction.elementInstanceId === state.instanceId
          ? state.rootId
          : instruction.elementInstanceId;
      if (elements[id] === undefined) {
        problems.push({
          message: `cannot terminate element instance '${instruction.elementInstanceId}': no active element instance of process instance '${state.instanceId}' has this key`,
          elementInstanceId: instruction.elementInstanceId,
        });
        continue;
      }
      if (!seen.has(id)) terminations.push(id);
      seen.add(id);
      continue;
    }
    const elementId = instruction.elementId ?? '';
    if (!process.nodes.has(elementId)) {
      problems.push({
        message: `cannot terminate the instances of '${elementId}': no element '${elementId}' in process '${process.id}'`,
        elementId,
      });
      continue;
    }
    // Every active instance of the element; a multi-instance body stands for its inner instances.
    if (seenElements.has(elementId)) continue;
    seenElements.add(elementId);
    byElement ??= instancesByElement(elements);
    for (const id of byElement.get(elementId) ?? []) {
      if (seen.has(id)) continue;
      const inst = elements[id];
      const parent = inst.parentId === null ? undefined : elements[inst.parentId];
      if (
        parent !== undefined &&
        parent.elementId === elementId &&
        parent.elementType === 'multiInstanceBody'
      )
        continue;
      terminations.push(id);
      seen.add(id);
    }
  }

  // An activation cannot go into a scope instance that is being terminated (Zeebe refuses it too).
  for (const activation of activations) {
    for (
      let id: string | null = activation.anchorId;
      id !== null;
      id = elements[id]?.parentId ?? null
    ) {
      if (!seen.has(id)) continue;
      problems.push({
        message: `cannot activate '${activation.node.id}': its flow scope instance '${keyOf(state, id)}' (${elements[id].elementId}) is being terminated by the same modification`,
        elementId: activation.node.id,
        elementInstanceId: keyOf(state, id),
      });
      break;
    }
  }
  return { problems, activations, terminations };
}

/** Element instance ids by element id (the process instance left out). */
function instancesByElement(elements: InstanceState['elements']): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const id in elements) {
    const inst = elements[id];
    if (inst.parentId === null) continue;
    const list = map.get(inst.elementId);
    if (list === undefined) map.set(inst.elementId, [id]);
    else list.push(id);
  }
  return map;
}

function notActivatable(process: CompiledProcess, node: FlowNode): string | null {
  if (NOT_ACTIVATABLE.has(node.type)) {
    return `elements of type '${node.type}' cannot be activated (start events, boundary events and sequence flows cannot)`;
  }
  if (node.type === 'intermediateCatchEvent' && followsEventBasedGateway(process, node)) {
    return 'the events of an event-based gateway cannot be activated; activate the gateway';
  }
  for (const scope of flowScopesOf(process, node)) {
    if (scope.type === 'adHocSubProcess') {
      return `it lies inside ad-hoc subprocess '${scope.id}'; activate the subprocess or let its job worker activate elements in it`;
    }
  }
  return null;
}

function followsEventBasedGateway(process: CompiledProcess, node: FlowNode): boolean {
  for (const other of process.nodes.values()) {
    if (other.type === 'eventBasedGateway' && other.outgoing.some((f) => f.targetId === node.id))
      return true;
  }
  return false;
}

function sequenceFlowIds(process: CompiledProcess): Set<string> {
  const ids = new Set<string>();
  for (const node of process.nodes.values()) for (const flow of node.outgoing) ids.add(flow.id);
  return ids;
}

/** The flow scopes (subprocesses, event subprocesses) around a node, innermost first; the process is not in it. */
function flowScopesOf(process: CompiledProcess, node: FlowNode): FlowNode[] {
  const chain: FlowNode[] = [];
  for (
    let scope = process.nodes.get(node.scopeId);
    scope !== undefined;
    scope = process.nodes.get(scope.scopeId)
  ) {
    chain.push(scope);
  }
  return chain;
}

/** A scope instance elements can be activated in: the running process, or an entered scope element waiting on its children. */
function isActiveScope(state: InstanceState, inst: ElementInstance): boolean {
  if (inst.parentId === null) return state.status === 'ACTIVE';
  return (
    inst.state === 'WAITING' &&
    inst.entered === true &&
    inst.elementType !== 'multiInstanceBody' &&
    inst.listener === undefined
  );
}

/** Active instances of a scope element (inner instances of a multi-instance subprocess, not its body). */
function instancesOf(
  state: InstanceState,
  byElement: ReadonlyMap<string, string[]>,
  elementId: string,
): ElementInstance[] {
  return (byElement.get(elementId) ?? [])
    .map((id) => state.elements[id])
    .filter((inst) => isActiveScope(state, inst));
}

type Resolved = { anchorId: string; create: FlowNode[] } | { problem: ModificationProblem };

/**
 * Where an element is activated (Zeebe's ElementActivationBehavior): inside
 * the given ancestor, creating every flow scope in between; otherwise inside
 * the one active instance of its nearest flow scope that has one, creating
 * the scopes below it. A multi-instance scope is never created.
 */
function resolveScope(
  process: CompiledProcess,
  state: InstanceState,
  byElement: ReadonlyMap<string, string[]>,
  node: FlowNode,
  chain: readonly FlowNode[],
  ancestorKey: string | undefined,
): Resolved {
  const refuseCreating = (create: FlowNode[], anchorId: string): Resolved => {
    const mi = create.find((s) => s.multiInstance !== undefined);
    if (mi !== undefined) {
      return {
        problem: {
          message: `cannot activate '${node.id}': it would activate multi-instance element '${mi.id}', which modification does not support; activate '${mi.id}' itself, or pass the key of one of its inner instances as ancestor`,
          elementId: node.id,
        },
      };
    }
    return { anchorId, create };
  };
  if (ancestorKey !== undefined) {
    const id = ancestorKey === state.instanceId ? state.rootId : ancestorKey;
    const ancestor = state.elements[id];
    if (ancestor === undefined || !isActiveScope(state, ancestor)) {
      return {
        problem: {
          message: `cannot activate '${node.id}': ancestor element instance '${ancestorKey}' does not exist in process instance '${state.instanceId}' or is not active`,
          elementId: node.id,
          elementInstanceId: ancestorKey,
        },
      };
    }
    const index =
      ancestor.parentId === null
        ? chain.length
        : chain.findIndex((s) => s.id === ancestor.elementId);
    if (index < 0) {
      return {
        problem: {
          message: `cannot activate '${node.id}': ancestor element instance '${ancestorKey}' (${ancestor.elementId}) is not an instance of a flow scope of '${node.id}'`,
          elementId: node.id,
          elementInstanceId: ancestorKey,
        },
      };
    }
    return refuseCreating(chain.slice(0, index).reverse(), id);
  }
  for (let i = 0; i < chain.length; i++) {
    const found = instancesOf(state, byElement, chain[i].id);
    if (found.length > 1) {
      return {
        problem: {
          message: `cannot activate '${node.id}': its flow scope '${chain[i].id}' has ${found.length} active instances; pass the key of one as ancestorElementInstanceKey`,
          elementId: node.id,
        },
      };
    }
    if (found.length === 1) return refuseCreating(chain.slice(0, i).reverse(), found[0].id);
  }
  return refuseCreating([...chain].reverse(), state.rootId);
}

function activate(x: Execution, activation: Activation, required: Set<string>): void {
  const { node, variables } = activation;
  const processId = x.process.id;
  const varsFor = (scopeId: string): Variables | undefined => {
    let merged: Variables | undefined;
    for (const v of variables) {
      const target = v.scopeId === undefined || v.scopeId === '' ? processId : v.scopeId;
      if (target === scopeId) merged = { ...merged, ...v.variables };
    }
    return merged;
  };
  // Variables of scopes that already run go to those instances.
  for (
    let id: string | null = activation.anchorId;
    id !== null;
    id = x.elements[id]?.parentId ?? null
  ) {
    const scope = x.elements[id];
    if (scope === undefined) break;
    required.add(id);
    // A multi-instance body shares its element id with the inner instance below it, which holds the variables.
    if (scope.elementType === 'multiInstanceBody') continue;
    const own = varsFor(scope.parentId === null ? processId : scope.elementId);
    if (own !== undefined) x.setLocalVariables(scope, own);
  }
  let parentId = activation.anchorId;
  for (const scopeNode of activation.create) {
    const scope = x.create(scopeNode, parentId, { state: 'WAITING', entered: true });
    const own = varsFor(scopeNode.id);
    if (own !== undefined) x.setLocalVariables(scope, own);
    x.history('ELEMENT_ACTIVATED', scope);
    if (scopeNode.scope !== undefined)
      x.openEventSubProcessSubscriptions(scope, scopeNode.scope.eventSubProcessIds);
    if (scopeNode.triggeredByEvent !== true) x.openBoundarySubscriptions(scope, scopeNode);
    required.add(scope.id);
    parentId = scope.id;
  }
  const inst = x.activateNode(node, parentId);
  const own = varsFor(node.id);
  if (own !== undefined) x.setLocalVariables(inst, own);
}

/** Zeebe: a flow scope left with nothing running, and needed by no activation, is terminated, up to the process. */
export function terminateEmptyScopes(
  x: Execution,
  scopeId: string,
  required: ReadonlySet<string>,
): void {
  let scope = x.elements[scopeId];
  while (scope !== undefined && !x.hasChildren(scope.id) && !required.has(scope.id)) {
    if (scope.parentId === null) {
      x.cancel();
      return;
    }
    const parentId: string = scope.parentId;
    x.terminate(scope);
    scope = x.elements[parentId];
  }
  if (scope !== undefined) x.checkInclusiveJoins(scope.id);
}

function keyOf(state: InstanceState, id: string): string {
  return id === state.rootId ? state.instanceId : id;
}

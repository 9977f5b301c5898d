import type { CompiledProcess, FlowNode } from '../model/model.types';
import { Execution } from './execution';
import type { Effect, ElementInstance, EngineEnv, InstanceState } from './runtime.types';

/**
 * Process instance migration (Camunda 8.8's `MigrateProcessInstance`): a
 * running instance moves to another deployed process (another version of the
 * same process or another process) along mapping instructions. What it may
 * refuse and how it moves wait states follows Zeebe's
 * `ProcessInstanceMigrationMigrateProcessor` and
 * `ProcessInstanceMigrationPreconditions`; everything is checked before
 * anything changes, and a refusal names the element.
 */

/** One mapping instruction: an element of the source process and the element of the target it becomes. */
export interface MigrationMapping {
  readonly sourceElementId: string;
  readonly targetElementId: string;
}

/** An element instance that moved: the host rewrites its rows (jobs, user tasks, incidents). */
export interface MigratedElement {
  readonly elementInstanceId: string;
  readonly sourceElementId: string;
  readonly targetElementId: string;
  /** The history `elementType` of the element in the target process. */
  readonly elementType: string;
}

/**
 * A subscription that stays (its catch event was mapped) but whose catch
 * event changed its id: the host renames its row (the effect key is
 * `<owner>:<event id>`) and keeps everything else (due time, message name,
 * correlation key), as Zeebe keeps a mapped catch event's subscription.
 */
export interface RenamedSubscription {
  readonly kind: 'timer' | 'message' | 'signal';
  readonly ownerInstanceId: string;
  readonly fromKey: string;
  readonly toKey: string;
  readonly elementId: string;
  /** The target catch event's `cancelActivity` (message subscriptions keep it on their row). */
  readonly interrupting: boolean;
}

export interface MigrationResult {
  /** The instance on the target process: element ids and the process id rewritten. */
  readonly state: InstanceState;
  /**
   * Subscriptions of unmapped source catch events closed, those of target
   * catch events nothing was mapped to opened, and an ELEMENT_MIGRATED
   * history entry per migrated element instance.
   */
  readonly effects: Effect[];
  readonly elements: readonly MigratedElement[];
  readonly renamed: readonly RenamedSubscription[];
}

/** A migration that cannot be applied: nothing changed; `elementId` names the culprit when there is one. */
export class MigrationRefusedError extends Error {
  constructor(
    message: string,
    readonly elementId: string | null = null,
  ) {
    super(message);
    this.name = 'MigrationRefusedError';
  }
}

/** Element types an active element instance may have for its instance to migrate (Zeebe 8.8's supported set). */
const SUPPORTED_ACTIVE_TYPES: ReadonlySet<string> = new Set([
  'process',
  'serviceTask',
  'userTask',
  'subProcess',
  'callActivity',
  'intermediateCatchEvent',
  'receiveTask',
  'exclusiveGateway',
  'eventBasedGateway',
  'businessRuleTask',
  'scriptTask',
  'sendTask',
  'multiInstanceBody',
]);

const SUBSCRIBING_KINDS: ReadonlySet<string> = new Set(['timer', 'message', 'signal']);

/**
 * Validates the migration of `state` (running on `source`) to `target` along
 * `mappings`, and answers the migrated state with what the host must write.
 * Pure: the input state is not modified; time (new timers) comes from `env`.
 * Throws {@link MigrationRefusedError} when anything refuses it.
 */
export function migrateInstance(
  source: CompiledProcess,
  target: CompiledProcess,
  state: InstanceState,
  mappings: readonly MigrationMapping[],
  env: EngineEnv,
): MigrationResult {
  const instance = state.instanceId;
  const refuse = (message: string, elementId: string | null = null): never => {
    throw new MigrationRefusedError(
      `cannot migrate process instance '${instance}': ${message}`,
      elementId,
    );
  };
  if (state.processId !== source.id)
    refuse(`it runs process '${state.processId}', not '${source.id}'`);
  if (state.status !== 'ACTIVE' && state.status !== 'SUSPENDED')
    refuse(`it is ${state.status}; only an active instance can be migrated`);

  const map = new Map<string, string>();
  const duplicates = new Set<string>();
  for (const m of mappings) {
    if (map.has(m.sourceElementId)) duplicates.add(m.sourceElementId);
    map.set(m.sourceElementId, m.targetElementId);
  }
  if (duplicates.size > 0) {
    const ids = [...duplicates];
    refuse(
      `the mapping instructions contain duplicate source element ids ${quoteAll(ids)}`,
      ids[0],
    );
  }
  for (const m of mappings) {
    if (!source.nodes.has(m.sourceElementId)) {
      refuse(
        `mapping instructions name the source element '${m.sourceElementId}', which process '${source.id}' does not have`,
        m.sourceElementId,
      );
    }
    if (!target.nodes.has(m.targetElementId)) {
      refuse(
        `mapping instructions name the target element '${m.targetElementId}', which process '${target.id}' does not have`,
        m.targetElementId,
      );
    }
  }

  const elements = Object.values(state.elements);
  const root = state.elements[state.rootId];
  const isInnerOfBody = (inst: ElementInstance): boolean =>
    inst.parentId !== null && state.elements[inst.parentId]?.elementType === 'multiInstanceBody';

  // Every active element needs a mapping; all unmapped ones are named at once.
  const unmapped = [
    ...new Set(
      elements.filter((e) => e.parentId !== null && !map.has(e.elementId)).map((e) => e.elementId),
    ),
  ];
  if (unmapped.length > 0) {
    refuse(
      `no mapping instruction for the active element(s) ${quoteAll(unmapped)}; elements cannot be migrated without a mapping`,
      unmapped[0],
    );
  }

  if (root.state === 'READY' && root.incident === undefined) {
    refuse(
      'it has not entered its start event yet (work in flight); retry the migration once it rests',
    );
  }
  // Zeebe migrates active elements only; a terminating one waits for its canceling task listeners.
  const terminating =
    elements.find((e) => e.terminating !== undefined && e.listener?.event === 'canceling') ??
    elements.find((e) => e.terminating !== undefined);
  if (terminating !== undefined) {
    refuse(
      `the element '${terminating.elementId}' is being terminated (its canceling task listeners run); retry the migration once it is`,
      terminating.parentId === null ? undefined : terminating.elementId,
    );
  }
  const newIdOf = (inst: ElementInstance): string =>
    inst.parentId === null ? target.id : (map.get(inst.elementId) as string);

  for (const inst of elements) {
    if (inst.parentId === null) continue;
    const id = inst.elementId;
    const targetId = map.get(id) as string;
    const sourceNode = source.nodes.get(id) as FlowNode;
    const targetNode = target.nodes.get(targetId) as FlowNode;
    checkSupported(inst, sourceNode, refuse);
    if (inst.state === 'READY' && inst.incident === undefined) {
      // Zeebe's "concurrent command": a token is about to move; the state is not at rest.
      refuse(
        `the element '${id}' has work in flight (a token about to run); retry the migration once it rests`,
        id,
      );
    }
    checkSameType(inst, sourceNode, targetNode, isInnerOfBody(inst), refuse);
    if (!isInnerOfBody(inst)) {
      const parent = state.elements[inst.parentId];
      const expected = newIdOf(parent);
      if (targetNode.scopeId !== expected) {
        refuse(
          `the flow scope of the active element '${id}' would change: it is expected to be '${expected}' but the target element '${targetId}' is in '${targetNode.scopeId}'; the flow scope of an element cannot be changed by a migration`,
          id,
        );
      }
    }
    if (inst.joinArrival) checkJoin(sourceNode, targetNode, inst.viaFlowId, refuse);
    checkCatchEvents(source, target, sourceNode, targetNode, map, refuse);
  }
  const rootTargetScope = catchEventsOfRoot(target);
  checkCatchEventMappings(
    source.id,
    catchEventsOfRoot(source),
    rootTargetScope.map((n) => n.id),
    map,
    source,
    target,
    refuse,
  );

  // Everything holds: rewrite a copy.
  const working: InstanceState = { ...state, processId: target.id, elements: {} };
  for (const inst of elements) working.elements[inst.id] = { ...inst, elementId: newIdOf(inst) };
  const x = new Execution(target, working, env);
  const migrated: MigratedElement[] = [];
  const renamed: RenamedSubscription[] = [];
  const at = env.now();
  for (const before of [root, ...elements.filter((e) => e !== root)]) {
    const inst = working.elements[before.id];
    const targetNode =
      inst.parentId === null ? undefined : (target.nodes.get(inst.elementId) as FlowNode);
    const elementType =
      inst.elementType === 'process' || inst.elementType === 'multiInstanceBody'
        ? inst.elementType
        : (targetNode as FlowNode).type;
    migrated.push({
      elementInstanceId: inst.id,
      sourceElementId: before.elementId,
      targetElementId: inst.elementId,
      elementType,
    });
    x.emit({
      type: 'history',
      historyType: 'ELEMENT_MIGRATED',
      elementId: inst.elementId,
      elementType,
      elementInstanceId: inst.id,
      at,
    });
    if (!hasSubscriptions(before)) continue;
    const sourceEvents =
      before.parentId === null
        ? catchEventsOfRoot(source)
        : catchEventsOf(source, source.nodes.get(before.elementId) as FlowNode, before);
    const targetEvents =
      inst.parentId === null
        ? catchEventsOfRoot(target)
        : catchEventsOf(target, targetNode as FlowNode, inst);
    const keptTargets = new Set<string>();
    const closed = new Set<string>();
    for (const event of sourceEvents) {
      const to = map.get(event.id);
      if (to === undefined || !targetEvents.some((t) => t.id === to)) {
        x.closeSubscription(inst, event);
        closed.add(event.id);
        continue;
      }
      keptTargets.add(to);
      const targetEvent = target.nodes.get(to) as FlowNode;
      if (to !== event.id && SUBSCRIBING_KINDS.has(event.event?.kind ?? 'none')) {
        renamed.push({
          kind: event.event?.kind as RenamedSubscription['kind'],
          ownerInstanceId: inst.id,
          fromKey: `${inst.id}:${event.id}`,
          toKey: `${inst.id}:${to}`,
          elementId: to,
          interrupting: targetEvent.interrupting ?? true,
        });
        const cycle = inst.cycles?.[event.id];
        if (cycle !== undefined) {
          const { [event.id]: _moved, ...rest } = inst.cycles as NonNullable<
            ElementInstance['cycles']
          >;
          inst.cycles = { ...rest, [to]: cycle };
        }
      }
    }
    // A scope an interrupting event subprocess took over listens to nothing more.
    for (const event of inst.interrupted === true ? [] : targetEvents) {
      if (keptTargets.has(event.id)) continue;
      const kind = event.event?.kind;
      if (closed.has(event.id) && (kind === 'message' || kind === 'signal')) {
        // Zeebe refuses to subscribe an element again to what it is subscribed to: the mapping keeps it.
        refuse(
          `the active element '${before.elementId}' would subscribe again through the unmapped ${kind} catch event '${event.id}', which the target has too; map '${event.id}' to '${event.id}' to keep its subscription`,
          event.id,
        );
      }
      try {
        x.openSubscription(inst, event);
      } catch (e) {
        refuse(
          `the catch event '${event.id}' of the target cannot subscribe: ${(e as Error).message}`,
          event.id,
        );
      }
    }
  }
  return { state: working, effects: x.effects, elements: migrated, renamed };
}

type Refuse = (message: string, elementId?: string | null) => never;

function checkSupported(inst: ElementInstance, node: FlowNode, refuse: Refuse): void {
  const type = inst.elementType;
  if (inst.joinArrival && (type === 'parallelGateway' || type === 'inclusiveGateway')) return;
  if (!SUPPORTED_ACTIVE_TYPES.has(type)) {
    refuse(
      `the active element '${inst.elementId}' is a ${type}; the migration of an active ${type} is not supported`,
      inst.elementId,
    );
  }
  if (type === 'intermediateCatchEvent') {
    const kind = node.event?.kind ?? 'none';
    if (!SUBSCRIBING_KINDS.has(kind)) {
      refuse(
        `the active element '${inst.elementId}' is an intermediate catch event of type '${kind}', which cannot be migrated`,
        inst.elementId,
      );
    }
  }
}

function checkSameType(
  inst: ElementInstance,
  sourceNode: FlowNode,
  targetNode: FlowNode,
  innerOfBody: boolean,
  refuse: Refuse,
): void {
  const id = inst.elementId;
  if (inst.elementType === 'multiInstanceBody') {
    if (targetNode.multiInstance === undefined) {
      refuse(
        `the active multi-instance element '${id}' is mapped to '${targetNode.id}', which is not multi-instance; a multi-instance body maps only to a multi-instance element`,
        id,
      );
    }
    if (targetNode.type !== sourceNode.type) {
      refuse(
        `the active element '${id}' of type '${sourceNode.type}' is mapped to '${targetNode.id}' of different type '${targetNode.type}'; elements must be mapped to elements of the same type`,
        id,
      );
    }
    if (targetNode.multiInstance?.sequential !== sourceNode.multiInstance?.sequential) {
      refuse(
        `the active element '${id}' has different loop characteristics than the target element '${targetNode.id}'; both must be sequential or both parallel`,
        id,
      );
    }
    return;
  }
  const sourceType = typeName(sourceNode);
  const targetType = typeName(targetNode);
  if (sourceType !== targetType) {
    refuse(
      `the active element '${id}' of type '${sourceType}' is mapped to '${targetNode.id}' of different type '${targetType}'; elements must be mapped to elements of the same type`,
      id,
    );
  }
  if (!innerOfBody && targetNode.multiInstance !== undefined) {
    refuse(
      `the active element '${id}' is not multi-instance but is mapped to the multi-instance element '${targetNode.id}'`,
      id,
    );
  }
}

/** The type as Zeebe tells them apart: an event subprocess is not a subprocess. */
function typeName(node: FlowNode): string {
  return node.type === 'subProcess' && node.triggeredByEvent === true
    ? 'eventSubProcess'
    : node.type;
}

/**
 * A token waiting at a joining gateway is Zeebe's "taken sequence flow": the
 * gateway must be mapped to a gateway of the same type that has the flow it
 * arrived on, and at least as many incoming flows.
 */
function checkJoin(
  sourceNode: FlowNode,
  targetNode: FlowNode,
  viaFlowId: string | undefined,
  refuse: Refuse,
): void {
  if (viaFlowId !== undefined && !targetNode.incoming.includes(viaFlowId)) {
    refuse(
      `the joining gateway '${sourceNode.id}' has a token that arrived on the sequence flow '${viaFlowId}', which the target gateway '${targetNode.id}' has no incoming flow of`,
      sourceNode.id,
    );
  }
  if (targetNode.incoming.length < sourceNode.incoming.length) {
    refuse(
      `the joining gateway '${sourceNode.id}' has taken sequence flows, and the target gateway '${targetNode.id}' has fewer incoming flows (${targetNode.incoming.length}) than it (${sourceNode.incoming.length})`,
      sourceNode.id,
    );
  }
}

/** The catch events of an element: its boundary events, its event subprocesses' starts, itself, an event-based gateway's events. */
function catchEventsOf(
  process: CompiledProcess,
  node: FlowNode,
  inst?: ElementInstance,
): FlowNode[] {
  const events: FlowNode[] = [];
  // The inner instances of a multi-instance body do not carry its boundary events.
  const innerOfBody = inst !== undefined && inst.loopIndex !== undefined;
  if (
    inst === undefined ||
    inst.elementType === 'multiInstanceBody' ||
    (!innerOfBody && node.multiInstance === undefined)
  ) {
    for (const id of node.boundaryEventIds) events.push(process.nodes.get(id) as FlowNode);
  }
  const scopeOwner = inst === undefined || inst.elementType !== 'multiInstanceBody';
  if (scopeOwner && node.scope !== undefined)
    events.push(...eventSubProcessStarts(process, node.scope.eventSubProcessIds));
  if (scopeOwner && (node.type === 'intermediateCatchEvent' || node.type === 'receiveTask')) {
    if (node.event !== undefined && SUBSCRIBING_KINDS.has(node.event.kind)) events.push(node);
  }
  if (scopeOwner && node.type === 'eventBasedGateway')
    for (const id of node.eventTargets ?? []) events.push(process.nodes.get(id) as FlowNode);
  return events.filter((e) => e.event !== undefined);
}

function catchEventsOfRoot(process: CompiledProcess): FlowNode[] {
  return eventSubProcessStarts(process, process.scope.eventSubProcessIds);
}

function eventSubProcessStarts(process: CompiledProcess, espIds: readonly string[]): FlowNode[] {
  const starts: FlowNode[] = [];
  for (const node of process.nodes.values()) {
    if (node.type === 'startEvent' && espIds.includes(node.scopeId)) starts.push(node);
  }
  return starts;
}

/** Whether the element instance holds subscriptions now (it has activated and not yet completed). */
function hasSubscriptions(inst: ElementInstance): boolean {
  if (inst.parentId === null) return inst.state === 'WAITING';
  return inst.state === 'WAITING' || (inst.state === 'READY' && inst.pending === 'complete');
}

function checkCatchEvents(
  source: CompiledProcess,
  target: CompiledProcess,
  sourceNode: FlowNode,
  targetNode: FlowNode,
  map: ReadonlyMap<string, string>,
  refuse: Refuse,
): void {
  const targetIds = catchEventsOf(target, targetNode).map((n) => n.id);
  checkCatchEventMappings(
    sourceNode.id,
    catchEventsOf(source, sourceNode),
    targetIds,
    map,
    source,
    target,
    refuse,
  );
}

/**
 * Zeebe's rules for the catch events of a migrated element: a mapped catch
 * event stays attached to the same element, two catch events are never
 * merged into one, and a catch event keeps its event type.
 */
function checkCatchEventMappings(
  elementId: string,
  sourceEvents: readonly FlowNode[],
  targetEventIds: readonly string[],
  map: ReadonlyMap<string, string>,
  source: CompiledProcess,
  target: CompiledProcess,
  refuse: Refuse,
): void {
  const sourcesByTarget = new Map<string, string[]>();
  for (const event of sourceEvents) {
    const to = map.get(event.id);
    if (to === undefined) continue;
    if (!targetEventIds.includes(to)) {
      refuse(
        `the catch event '${event.id}' of the active element '${elementId}' is mapped to '${to}', which is not a catch event of the element it becomes; catch events must stay attached to the same element`,
        event.id,
      );
    }
    sourcesByTarget.set(to, [...(sourcesByTarget.get(to) ?? []), event.id]);
    const fromKind = source.nodes.get(event.id)?.event?.kind;
    const toKind = target.nodes.get(to)?.event?.kind;
    if (fromKind !== toKind) {
      refuse(
        `the catch event '${event.id}' (${fromKind}) is mapped to '${to}' of a different event type (${toKind}); a migration cannot change the event type of a catch event`,
        event.id,
      );
    }
  }
  for (const [to, from] of sourcesByTarget) {
    if (from.length > 1) {
      refuse(
        `the catch events ${quoteAll(from.sort())} of the active element '${elementId}' are all mapped to '${to}'; catch events cannot be merged by a migration`,
        from[0],
      );
    }
  }
}

function quoteAll(ids: readonly string[]): string {
  return ids.map((id) => `'${id}'`).join(', ');
}

import type { CompiledProcess, FlowNode } from '../model/model.types';
import { behaviors } from './behaviors';
import { adHocSubProcess } from './behaviors/ad-hoc.behavior';
import { EngineError, EngineErrorCode } from './engine-errors';
import { Execution } from './execution';
import { applyModification } from './modification';
import {
  isCommand,
  type ElementInstance,
  type EngineEnv,
  type EngineEvent,
  type InstanceState,
  type StepResult,
  type TokenView,
  type Variables,
} from './runtime.types';
import { mergeIntoOwningScopes } from './variables';

export interface CreateInstanceInput {
  readonly instanceId: string;
  readonly variables?: Variables;
  /** A message, timer or signal start event; default: the process's none start event. */
  readonly startEventId?: string;
}

/**
 * A new instance, not yet run: its process element is READY and will enter at
 * the start event on the first `execute`. Nothing happens until then, so the
 * API can write the instance and leave the work to a worker.
 */
export function createInstance(process: CompiledProcess, input: CreateInstanceInput, env: EngineEnv): StepResult {
  const startEventId = input.startEventId ?? process.startEvents.none[0];
  if (startEventId === undefined) {
    throw new EngineError(
      EngineErrorCode.NoNoneStartEvent,
      `process '${process.id}' has no none start event; it starts only by message, timer, signal or condition`,
    );
  }
  const start = process.nodes.get(startEventId);
  if (start === undefined || start.type !== 'startEvent' || start.scopeId !== process.id) {
    throw new EngineError(
      EngineErrorCode.UnknownStartEvent,
      `'${startEventId}' is not a start event of process '${process.id}'`,
    );
  }
  const rootId = env.newId();
  const root: ElementInstance = {
    id: rootId,
    elementId: process.id,
    elementType: 'process',
    parentId: null,
    state: 'READY',
    pending: 'activate',
    variables: { ...input.variables },
    startEventId,
  };
  return {
    state: {
      schemaVersion: 1,
      instanceId: input.instanceId,
      processId: process.id,
      status: 'ACTIVE',
      rootId,
      elements: { [rootId]: root },
    },
    effects: [],
  };
}

export interface ExecuteOptions {
  /**
   * `false` applies the events and runs nothing: READY work stays READY for a
   * worker. The API applies commands this way, so a request never runs
   * element work (and never waits for it). Default `true`.
   */
  readonly run?: boolean;
}

/**
 * The engine step: applies `events` to the instance in order, then runs every
 * READY token forward until all rest in wait states or the instance ends.
 * Pure: the input state is not modified; time and ids come from `env`.
 *
 * A `cancel` among the events overtakes everything: the instance is canceled
 * before any other event applies or any element runs. A suspended instance
 * applies commands only (resume, cancel, variables, incident resolution);
 * other events are returned in `deferred` and wait until it is resumed.
 */
export function execute(
  process: CompiledProcess,
  state: InstanceState,
  events: readonly EngineEvent[],
  env: EngineEnv,
  options: ExecuteOptions = {},
): StepResult {
  if (state.processId !== process.id || state.schemaVersion !== 1) {
    throw new EngineError(
      EngineErrorCode.StateMismatch,
      `state of instance '${state.instanceId}' (process '${state.processId}', layout ${state.schemaVersion}) does not belong to process '${process.id}'`,
    );
  }
  const working = cloneState(state);
  const x = new Execution(process, working, env);
  // (Unless a cancel already waits for canceling task listeners: their jobs' completions must apply.)
  if (events.some((e) => e.type === 'cancel') && working.elements[working.rootId]?.terminating === undefined) {
    x.cancel();
    return { state: working, effects: x.effects };
  }
  const run = options.run !== false;
  if (run) x.run();
  let deferred: number[] = [];
  const applyOne = (event: EngineEvent): void => {
    apply(x, event);
    // Variables the event changed may fire conditional events (made READY here, run below or by a worker).
    x.checkConditions();
    if (run) x.run();
  };
  for (let i = 0; i < events.length; i++) {
    const event = events[i];
    const status = working.status;
    if (status === 'COMPLETED' || status === 'CANCELED') break;
    if (status === 'SUSPENDED' && !isCommand(event)) {
      deferred.push(i);
      continue;
    }
    applyOne(event);
    if (event.type === 'resume' && working.status === 'ACTIVE' && deferred.length > 0) {
      // What waited for the resume applies now, in the order it arrived.
      const waiting = deferred;
      deferred = [];
      for (const j of waiting) if (working.status === 'ACTIVE') applyOne(events[j]);
    }
  }
  return deferred.length === 0 ? { state: working, effects: x.effects } : { state: working, effects: x.effects, deferred };
}

function apply(x: Execution, event: EngineEvent): void {
  switch (event.type) {
    case 'cancel':
      x.cancel();
      return;
    case 'suspend':
      x.suspend();
      return;
    case 'resume':
      x.resume();
      return;
    case 'setVariables': {
      const target = x.elements[event.elementInstanceId ?? x.state.rootId];
      if (target === undefined) return;
      if (event.propagate === true) mergeIntoOwningScopes(x.elements, x.state.rootId, target.id, event.variables);
      else target.variables = { ...target.variables, ...event.variables };
      return;
    }
    case 'resolveIncident': {
      const inst = x.elements[event.elementInstanceId];
      if (inst !== undefined) x.resolveIncident(inst, event.retries);
      return;
    }
    case 'jobFailed': {
      const inst = waiting(x, event.elementInstanceId);
      if (inst === undefined) return;
      if (inst.listener !== undefined || event.listener !== undefined) {
        // Only the job of the listener the element waits for counts; anything else is stale.
        if (inst.listener?.event === event.listener) x.failListener(inst, event.errorMessage);
        return;
      }
      if (x.node(inst).job === undefined) return;
      x.raiseIncident(inst, 'JOB_NO_RETRIES', event.errorMessage || 'the job failed with no retries left', 'job');
      return;
    }
    case 'incident': {
      const inst = x.elements[event.elementInstanceId];
      if (inst === undefined || inst.incident !== undefined || inst.terminating !== undefined) return;
      // A READY element is set aside on the phase it was about to run, which resolving retries;
      // one waiting for an execution listener on that listener's phase.
      const phase =
        inst.state === 'READY'
          ? (inst.pending ?? 'activate')
          : inst.listener?.event === 'end'
            ? 'complete'
            : 'activate';
      x.raiseIncident(inst, event.incidentType, event.message, phase);
      return;
    }
    case 'complete': {
      const inst = waiting(x, event.elementInstanceId);
      if (inst === undefined) return;
      if (inst.listener !== undefined || event.listener !== undefined) {
        if (inst.listener?.event === event.listener) x.completeListener(inst, event.variables, event.corrections, event);
        return;
      }
      if (inst.elementType === 'adHocSubProcess') {
        // Its job completed: the worker's result says what runs next (behaviors/ad-hoc.behavior.ts).
        x.guard(inst, 'activate', () => adHocSubProcess.jobCompleted(x, inst, event.jobKey, event.variables, event.adHocResult));
        return;
      }
      const node = x.node(inst);
      const accepts = behaviors[node.type].accepts;
      if (accepts === 'userTask' || ((accepts === 'job' || accepts === 'decision') && node.job !== undefined)) {
        x.guard(inst, 'activate', () => {
          x.acceptVariables(inst, node, event.variables);
          x.schedule(inst, 'complete');
        });
      }
      return;
    }
    case 'decisionEvaluated': {
      const inst = waiting(x, event.elementInstanceId);
      if (inst === undefined) return;
      const node = x.node(inst);
      const called = node.calledDecision;
      if (behaviors[node.type].accepts !== 'decision' || called === undefined) return;
      x.guard(inst, 'activate', () => {
        x.acceptVariables(inst, node, { [called.resultVariable]: event.output });
        x.schedule(inst, 'complete');
      });
      return;
    }
    case 'childCompleted': {
      const inst = waiting(x, event.elementInstanceId);
      if (inst === undefined) return;
      const node = x.node(inst);
      if (behaviors[node.type].accepts !== 'child') return;
      x.guard(inst, 'activate', () => {
        // Without propagateAllChildVariables only the output mappings bring child variables back.
        if (node.calledElement?.propagateAllChildVariables !== false) x.acceptVariables(inst, node, event.variables);
        else if (node.outputs.length > 0) x.setLocalVariables(inst, event.variables);
        x.schedule(inst, 'complete');
      });
      return;
    }
    case 'throwError': {
      const inst = waiting(x, event.elementInstanceId);
      // A listener's job cannot throw a BPMN error (Camunda 8 rejects it; the host refuses it before).
      if (inst === undefined || inst.listener !== undefined || x.node(inst).job === undefined) return;
      x.throwError(inst, event.errorCode, event.errorMessage, event.variables);
      return;
    }
    case 'trigger':
      trigger(x, event.ownerInstanceId, event.elementId, event.variables);
      return;
    case 'modify':
      applyModification(x, event);
      return;
    case 'transitionUserTask': {
      // An element that ended meanwhile took its task with it (canceled).
      const inst = x.elements[event.elementInstanceId];
      if (inst === undefined || inst.elementType !== 'userTask') return;
      x.startUserTaskTransition(inst, event.event, event.action, event.task, event.variables, event.changedAttributes);
      return;
    }
  }
}

/** A subscription fired: a boundary event, an event subprocess start, or what the owner itself waits for. */
function trigger(x: Execution, ownerId: string, elementId: string, variables: Variables | undefined): void {
  const owner = x.elements[ownerId];
  const event = x.process.nodes.get(elementId);
  // A stale trigger (the token moved on, the scope ended) changes nothing.
  // Nor does one for an element being terminated (waiting for canceling task listeners).
  if (owner === undefined || event === undefined || owner.state !== 'WAITING' || !owner.entered || owner.terminating !== undefined) return;
  if (event.type === 'boundaryEvent') {
    if (event.attachedToId !== owner.elementId || owner.loopIndex !== undefined) return;
    const interrupting = event.interrupting ?? true;
    if (!interrupting) x.rescheduleCycle(owner, event);
    x.triggerBoundary(owner, event, variables, interrupting);
    return;
  }
  if (event.type === 'startEvent' && isEventSubProcessStartOf(x, owner, event)) {
    // A scope waiting for an execution listener has not entered yet, or has finished its work.
    if (owner.interrupted || owner.listener !== undefined) return;
    const interrupting = event.interrupting ?? true;
    if (!interrupting) x.rescheduleCycle(owner, event);
    x.triggerEventSubProcess(owner, event, variables, interrupting);
    return;
  }
  if (owner.elementType === 'process' || owner.elementType === 'multiInstanceBody' || owner.incident) return;
  const node = x.node(owner);
  behaviors[node.type].trigger?.(x, owner, node, event, variables);
}

function isEventSubProcessStartOf(x: Execution, owner: ElementInstance, start: FlowNode): boolean {
  const esp = x.process.nodes.get(start.scopeId);
  if (esp === undefined || esp.triggeredByEvent !== true) return false;
  const scopeTypes: readonly string[] = ['process', 'subProcess', 'adHocSubProcess'];
  return esp.scopeId === owner.elementId && scopeTypes.includes(owner.elementType);
}

function waiting(x: Execution, id: string): ElementInstance | undefined {
  const inst = x.elements[id];
  return inst !== undefined && inst.state === 'WAITING' && inst.entered && inst.incident === undefined
    ? inst
    : undefined;
}

/**
 * A working copy: element instances are copied (they are mutated); variable
 * maps are shared because the engine replaces them instead of mutating them.
 */
function cloneState(state: InstanceState): InstanceState {
  const elements: Record<string, ElementInstance> = {};
  for (const id in state.elements) {
    const inst = state.elements[id];
    const copy = { ...inst };
    if (inst.loop !== undefined) copy.loop = { ...inst.loop };
    elements[id] = copy;
  }
  return { ...state, elements };
}

/** Live tokens as clients see them: the leaves of the element instance tree. */
export function tokensOf(state: InstanceState): TokenView[] {
  const parents = new Set<string>();
  for (const id in state.elements) {
    const parentId = state.elements[id].parentId;
    if (parentId !== null) parents.add(parentId);
  }
  const tokens: TokenView[] = [];
  for (const id in state.elements) {
    const inst = state.elements[id];
    if (inst.parentId === null || parents.has(id)) continue;
    tokens.push({ id, elementId: inst.elementId, state: inst.state });
  }
  return tokens;
}

/** Whether `execute` has work to do without any event (READY tokens not blocked by an incident). */
export function hasReadyWork(state: InstanceState): boolean {
  if (state.status !== 'ACTIVE') return false;
  for (const id in state.elements) {
    const inst = state.elements[id];
    if (inst.state === 'READY' && inst.incident === undefined) return true;
  }
  return false;
}

/** The process-scope variables. */
export function processVariables(state: InstanceState): Variables {
  return state.elements[state.rootId]?.variables ?? {};
}

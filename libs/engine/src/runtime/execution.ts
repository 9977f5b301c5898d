import type { CompiledExpression } from '../feel/feel.types';
import { FeelEvaluationError } from '../feel/feel.types';
import type { CompiledProcess, FlowNode, Scope, SequenceFlow, ValueSource } from '../model/model.types';
import { behaviors } from './behaviors';
import { adHocSubProcess } from './behaviors/ad-hoc.behavior';
import type { ActivateOutcome, BehaviorContext, Phase } from './behaviors/behavior';
import { compensationHandlerCompleted, recordCompletion } from './behaviors/compensation.behavior';
import { ConditionalWatch } from './behaviors/conditional.behavior';
import { EngineError, EngineErrorCode, NoFlowError, VariableLimitError } from './engine-errors';
import { checkTransition } from './lifecycle';
import {
  correctedTask,
  isTaskListenerEvent,
  listenerJobKey,
  listenersOf,
  startCancelingListenerJob,
  startListenerJob,
  startTaskListenerJob,
  startTransitionListenerJob,
} from './listeners';
import { createUserTask } from './behaviors/tasks.behavior';
import { terminateEmptyScopes } from './modification';
import { processIndex, type ProcessIndex } from './process-index';
import {
  DEFAULT_STEP_BUDGET,
  type Effect,
  type ElementIncident,
  type ElementInstance,
  type EngineEnv,
  type HistoryType,
  type IncidentType,
  type InstanceState,
  type ListenerEvent,
  type ListenerRun,
  type TaskTransitionEvent,
  type Termination,
  type UserTaskCorrections,
  type UserTaskData,
  type Variables,
} from './runtime.types';
import { cycleFirst, cycleNext, dateDue, durationDue, TimerValueError } from './timers';
import {
  assignTargets,
  checkStorableVariables,
  contextFor,
  propagateVariables,
  setLocalVariables,
  visibleVariables,
} from './variables';

/**
 * One run of the engine over one instance: a mutable working copy of the
 * state, the effects produced so far and the queue of element instances that
 * are READY. `execute` builds one, feeds it the events and runs it until every
 * token rests.
 *
 * The element lifecycle follows Zeebe: activate (history, input mappings, the
 * element's own behaviour), then complete (output mappings, history, leave
 * along sequence flows) or terminate (cleanup, history). Element-specific
 * semantics live in `behaviors/`, one behaviour per element type.
 */
export class Execution implements BehaviorContext {
  readonly elements: Record<string, ElementInstance>;
  readonly effects: Effect[] = [];
  readonly at: number;
  private readonly index: ProcessIndex;
  private readonly children = new Map<string, Set<string>>();
  private readonly queue: string[] = [];
  /** Activations of elements that had already been activated in this step (loop rounds, multi-instance rounds). */
  private repeats = 0;
  private readonly activated = new Set<string>();
  private readonly budget: number;
  /** Epoch milliseconds after which the run stops (`stepTimeBudgetMs`), or Infinity. */
  private readonly deadline: number;
  /** Conditional event subscriptions (behaviors/conditional.behavior.ts); absent when the process has none. */
  private readonly conditionals: ConditionalWatch | undefined;

  constructor(
    readonly process: CompiledProcess,
    readonly state: InstanceState,
    readonly env: EngineEnv,
  ) {
    this.elements = state.elements;
    this.index = processIndex(process);
    this.at = env.now();
    this.budget = env.stepBudget ?? DEFAULT_STEP_BUDGET;
    this.deadline = env.stepTimeBudgetMs === undefined ? Infinity : this.at + env.stepTimeBudgetMs;
    for (const id in this.elements) {
      const inst = this.elements[id];
      if (inst.parentId !== null) this.childSet(inst.parentId).add(id);
    }
    for (const id in this.elements) {
      if (this.elements[id].state === 'READY' && !this.elements[id].incident) this.queue.push(id);
    }
    this.conditionals = ConditionalWatch.needed(process) ? new ConditionalWatch(this) : undefined;
  }

  get root(): ElementInstance {
    return this.elements[this.state.rootId];
  }

  get rootId(): string {
    return this.state.rootId;
  }

  element(id: string): ElementInstance | undefined {
    return this.elements[id];
  }

  node(inst: ElementInstance): FlowNode {
    return this.nodeById(inst.elementId);
  }

  nodeById(id: string): FlowNode {
    const node = this.process.nodes.get(id);
    if (!node) throw new EngineError(EngineErrorCode.Bug, `no element '${id}' in process '${this.process.id}'`);
    return node;
  }

  scopeOf(inst: ElementInstance): Scope | undefined {
    return inst.elementType === 'process' ? this.process.scope : this.node(inst).scope;
  }

  upstreamSet(ids: readonly string[]): ReadonlySet<string> {
    return this.index.upstreamSet(ids);
  }

  emit(effect: Effect): void {
    this.effects.push(effect);
  }

  childIds(id: string): string[] {
    const set = this.children.get(id);
    return set === undefined ? [] : [...set];
  }

  hasChildren(id: string): boolean {
    const set = this.children.get(id);
    return set !== undefined && set.size > 0;
  }

  // -------------------------------------------------------------------------
  // The run loop
  // -------------------------------------------------------------------------

  /**
   * Runs READY element instances until all rest, the instance ends or the step
   * budget is spent. The budget counts repeated activations: an element
   * activated again within one step (a loop round, a multi-instance round). A
   * long model without loops runs to its wait states whatever its size.
   */
  run(): void {
    if (this.state.status !== 'ACTIVE') return;
    let runs = 0;
    while (this.queue.length > 0) {
      const id = this.queue.shift() as string;
      const inst = this.elements[id];
      if (inst === undefined || inst.state !== 'READY' || inst.incident !== undefined) continue;
      if ((++runs & 15) === 0 && this.deadline !== Infinity && this.env.now() > this.deadline) {
        this.raiseIncident(
          inst,
          'STEP_BUDGET_EXCEEDED',
          `the instance ran elements for more than ${this.env.stepTimeBudgetMs} ms in one step (STEP_TIME_BUDGET_MS) after ${runs} element runs without reaching a wait state; '${inst.elementId}' was stopped`,
          inst.pending ?? 'activate',
        );
        return;
      }
      if (inst.pending !== 'complete' && !inst.entered && inst.parentId !== null) {
        if (this.activated.has(inst.elementId) && ++this.repeats > this.budget) {
          this.raiseIncident(
            inst,
            'STEP_BUDGET_EXCEEDED',
            `the instance activated elements that had already run in this step ${this.budget} times (STEP_BUDGET) without reaching a wait state; '${inst.elementId}' was stopped (a loop without a wait state, or a multi-instance over more than ${this.budget} items?)`,
            'activate',
          );
          return;
        }
        this.activated.add(inst.elementId);
      }
      if (inst.pending === 'complete') this.completePhase(inst);
      else this.activatePhase(inst);
      this.conditionals?.check();
    }
  }

  /** Evaluates conditional events whose variables changed (or that just opened) since the last check. */
  checkConditions(): void {
    this.conditionals?.check();
  }

  schedule(inst: ElementInstance, phase: Phase): void {
    checkTransition(inst, phase === 'activate' ? 'ACTIVATING' : 'COMPLETING');
    inst.state = 'READY';
    inst.pending = phase;
    this.queue.push(inst.id);
  }

  /** Drops every queued activation (a cancel or a suspend stops the run). */
  private clearQueue(): void {
    this.queue.length = 0;
  }

  private activatePhase(inst: ElementInstance): void {
    if (inst.elementType === 'process') {
      if (inst.listened !== 'start' && listenersOf(this.process, inst, 'start').length > 0) {
        // The process's start listeners run before it enters its start event.
        inst.entered = true;
        this.guard(inst, 'activate', () => this.awaitListeners(inst, 'start'));
        return;
      }
      behaviors.process.activate(this, inst);
      return;
    }
    const node = this.node(inst);
    if (!inst.entered) {
      inst.entered = true;
      this.history('ELEMENT_ACTIVATED', inst);
    }
    this.guard(inst, 'activate', () => {
      let outcome: ActivateOutcome;
      if (inst.elementType === 'multiInstanceBody') {
        outcome = behaviors.multiInstanceBody.activate(this, inst, node);
      } else {
        if (inst.listened !== 'start') {
          if (node.inputs.length > 0) this.applyInputs(inst, node);
          if (this.awaitListeners(inst, 'start')) return;
        }
        outcome = behaviors[node.type].activate(this, inst, node);
      }
      if (outcome === 'complete') {
        this.completePhase(inst);
      } else if (outcome === 'wait') {
        checkTransition(inst, 'ACTIVATED');
        inst.state = 'WAITING';
        delete inst.pending;
        if (inst.loopIndex === undefined) this.openBoundarySubscriptions(inst, node);
      }
    });
  }

  /** Output mappings, cleanup, history, then leave along the outgoing flows. */
  completePhase(inst: ElementInstance): void {
    if (inst.elementType === 'process') {
      this.completeRoot();
      return;
    }
    if (inst.elementType === 'adHocSubProcessInnerInstance') {
      // One activation of an ad-hoc subprocess's element ended (behaviors/ad-hoc.behavior.ts).
      checkTransition(inst, 'COMPLETING');
      this.guard(inst, 'complete', () => behaviors.adHocInnerInstance.complete(this, inst));
      return;
    }
    const node = this.node(inst);
    checkTransition(inst, 'COMPLETING');
    this.guard(inst, 'complete', () => {
      const isBody = inst.elementType === 'multiInstanceBody';
      const isInner = inst.loopIndex !== undefined;
      // Choose flows first: a gateway with no flow to take raises an incident before anything changes.
      const flows = isInner ? [] : isBody ? node.outgoing : this.outgoingOf(inst, node);
      if (inst.listened !== 'end') {
        if (!isBody && node.outputs.length > 0) this.applyOutputs(inst, node);
        if (this.awaitListeners(inst, 'end')) return;
      }
      const conditionMet = isInner && behaviors.multiInstanceBody.innerCompleting(this, inst, node);
      if (isBody) behaviors.multiInstanceBody.completing(this, inst, node);
      else behaviors[node.type].completing?.(this, inst, node);
      if (!isInner) this.closeBoundarySubscriptions(inst, node);
      this.history('ELEMENT_COMPLETED', inst);
      const parentId = inst.parentId as string;
      recordCompletion(this, inst, node);
      this.remove(inst);
      if (inst.compensationOf !== undefined) compensationHandlerCompleted(this, inst);
      if (isInner) behaviors.multiInstanceBody.innerCompleted(this, parentId, node, conditionMet);
      else this.leave(parentId, node, flows);
    });
  }

  private outgoingOf(inst: ElementInstance, node: FlowNode): readonly SequenceFlow[] {
    const behavior = behaviors[node.type];
    return behavior.outgoing ? behavior.outgoing(this, inst, node) : node.outgoing;
  }

  /** Takes flows from a completed node in its scope instance; with none, the path ends. */
  leave(scopeId: string, node: FlowNode, flows: readonly SequenceFlow[]): void {
    for (const flow of flows) this.takeFlow(scopeId, flow);
    if (flows.length === 0) this.checkScope(scopeId);
    else this.checkInclusiveJoins(scopeId);
  }

  takeFlow(scopeId: string, flow: SequenceFlow): void {
    const target = this.process.nodes.get(flow.targetId);
    if (!target) throw new EngineError(EngineErrorCode.Bug, `sequence flow '${flow.id}' targets unknown '${flow.targetId}'`);
    const isJoin =
      (target.type === 'parallelGateway' || target.type === 'inclusiveGateway') && target.incoming.length > 1;
    if (isJoin) {
      this.create(target, scopeId, { state: 'WAITING', viaFlowId: flow.id, joinArrival: true });
      behaviors[target.type].join?.(this, scopeId, target);
      return;
    }
    this.activateNode(target, scopeId, flow.id);
  }

  /** Creates a READY instance of a node in a scope, wrapping it in a multi-instance body when it has one. */
  activateNode(node: FlowNode, scopeId: string, viaFlowId?: string, variables?: Variables): ElementInstance {
    const inst = this.create(node, scopeId, {
      state: 'READY',
      pending: 'activate',
      viaFlowId,
      elementType: node.multiInstance ? 'multiInstanceBody' : node.type,
      variables,
    });
    this.queue.push(inst.id);
    return inst;
  }

  create(
    node: FlowNode,
    parentId: string,
    fields: Partial<Omit<ElementInstance, 'id' | 'elementId' | 'parentId'>> & Pick<ElementInstance, 'state'>,
  ): ElementInstance {
    const inst = { id: this.env.newId(), elementId: node.id, elementType: node.type, parentId } as ElementInstance;
    // Only the fields that are set, copied one by one: spreading `fields` and then deleting the
    // undefined ones cost ~6 % of a worker's CPU under R1 load (object spread plus `delete`, which
    // also leaves the instance a slow dictionary-mode object).
    for (const key in fields) {
      const value = fields[key as keyof typeof fields];
      if (value !== undefined) (inst as unknown as Record<string, unknown>)[key] = value;
    }
    this.elements[inst.id] = inst;
    this.childSet(parentId).add(inst.id);
    return inst;
  }

  remove(inst: ElementInstance): void {
    delete this.elements[inst.id];
    if (inst.parentId !== null) this.children.get(inst.parentId)?.delete(inst.id);
    this.children.delete(inst.id);
  }

  private childSet(id: string): Set<string> {
    let set = this.children.get(id);
    if (set === undefined) {
      set = new Set();
      this.children.set(id, set);
    }
    return set;
  }

  /** A scope instance whose last child ended completes (process, subprocess, event subprocess). */
  checkScope(scopeId: string): void {
    const scope = this.elements[scopeId];
    if (scope === undefined || this.hasChildren(scopeId)) {
      if (scope !== undefined) this.checkInclusiveJoins(scopeId);
      return;
    }
    if (scope.elementType === 'multiInstanceBody' || scope.terminating !== undefined) return;
    // An ad-hoc subprocess decides itself when it is done; only after an interrupting event subprocess it ends here.
    if (scope.elementType === 'adHocSubProcess' && scope.interrupted !== true) return;
    // Already completing: queued, or waiting for an execution listener.
    if (scope.state === 'READY' || scope.listener !== undefined) return;
    if (scope.elementType === 'process') {
      this.completeRoot();
      return;
    }
    this.schedule(scope, 'complete');
  }

  checkInclusiveJoins(scopeId: string): void {
    const scope = this.elements[scopeId];
    if (scope === undefined) return;
    const scopeNode = this.scopeOf(scope);
    if (scopeNode === undefined) return;
    const joins = scopeNode.inclusiveJoinUpstream;
    for (const gatewayId in joins) {
      const set = this.children.get(scopeId);
      if (set === undefined) return;
      for (const childId of set) {
        const child = this.elements[childId];
        if (child.joinArrival && child.elementId === gatewayId) {
          behaviors.inclusiveGateway.join?.(this, scopeId, this.node(child));
          break;
        }
      }
    }
  }

  private completeRoot(): void {
    const root = this.root;
    if (this.state.status !== 'ACTIVE' || root.terminating !== undefined) return;
    if (root.listened !== 'end' && listenersOf(this.process, root, 'end').length > 0) {
      if (root.listener === undefined) this.guard(root, 'complete', () => this.awaitListeners(root, 'end'));
      return;
    }
    this.closeEventSubProcessSubscriptions(root, this.process.scope.eventSubProcessIds);
    this.history('ELEMENT_COMPLETED', root);
    this.state.status = 'COMPLETED';
    root.state = 'WAITING';
    delete root.pending;
    this.effects.push({ type: 'instanceEnded', status: 'COMPLETED', variables: root.variables ?? {} });
  }

  /**
   * Cancels the whole instance: terminates every element instance, runs
   * nothing. A user task with `canceling` task listeners holds the
   * cancellation until they ran (Zeebe's process instance stays TERMINATING):
   * the instance stays ACTIVE meanwhile (a suspended one is resumed for them),
   * runs nothing else, and a second cancel changes nothing (the host refuses it).
   */
  cancel(): void {
    if (this.state.status !== 'ACTIVE' && this.state.status !== 'SUSPENDED') return;
    const root = this.root;
    if (root.terminating !== undefined) return;
    this.clearQueue();
    if (root.listener !== undefined) this.cancelListenerJob(root);
    let waits = false;
    for (const childId of this.childIds(root.id)) if (!this.terminate(this.elements[childId])) waits = true;
    if (root.entered) this.closeEventSubProcessSubscriptions(root, this.process.scope.eventSubProcessIds);
    if (waits) {
      root.terminating = {};
      root.state = 'WAITING';
      delete root.pending;
      if (this.state.status === 'SUSPENDED') {
        this.state.status = 'ACTIVE';
        this.effects.push({ type: 'instanceResumed' });
      }
      return;
    }
    this.endCanceled();
  }

  /** The cancellation is done: the process instance is terminated and the instance ends CANCELED. */
  private endCanceled(): void {
    const root = this.root;
    delete root.terminating;
    this.history('ELEMENT_TERMINATED', root);
    this.state.status = 'CANCELED';
    root.state = 'WAITING';
    delete root.pending;
    this.effects.push({ type: 'instanceEnded', status: 'CANCELED', variables: root.variables ?? {} });
  }

  suspend(): void {
    if (this.state.status !== 'ACTIVE') return;
    this.state.status = 'SUSPENDED';
    this.clearQueue();
    this.effects.push({ type: 'instanceSuspended' });
  }

  /** Back to ACTIVE; READY work left when it was suspended is queued again. */
  resume(): void {
    if (this.state.status !== 'SUSPENDED') return;
    this.state.status = 'ACTIVE';
    for (const id in this.elements) {
      const inst = this.elements[id];
      if (inst.state === 'READY' && inst.incident === undefined) this.queue.push(id);
    }
    // Variables may have changed while it was suspended: every open condition is evaluated again.
    this.conditionals?.retryAll();
    this.effects.push({ type: 'instanceResumed' });
  }

  /**
   * Terminates an element instance and everything inside it, deepest first.
   * Returns false when the termination waits (Zeebe's ELEMENT_TERMINATING):
   * a user task whose task exists runs its `canceling` task listeners first
   * (its task is canceled, its jobs, subscriptions and incident are gone at
   * once), and a scope waits for such a user task inside it. The caller
   * records what the termination was for in `terminating`;
   * `finishTermination` ends them. An element already terminating stays so.
   */
  terminate(inst: ElementInstance): boolean {
    if (inst.terminating !== undefined) return false;
    let waits = false;
    for (const childId of this.childIds(inst.id)) {
      const child = this.elements[childId];
      if (child !== undefined && !this.terminate(child)) waits = true;
    }
    if (inst.joinArrival) {
      this.remove(inst);
      return true;
    }
    const canceling = !waits && this.runsCancelingListeners(inst);
    // A task still being created: its canceling listeners see it as it would have been.
    const creating = canceling && inst.listener?.event === 'creating' ? inst.userTask : undefined;
    if (inst.incident !== undefined) this.resolveIncidentEffect(inst);
    if (inst.elementType !== 'process') {
      const node = this.node(inst);
      if (inst.state === 'WAITING' && inst.entered) {
        if (inst.listener !== undefined) this.cancelListenerJob(inst);
        // Waiting for a start listener, the element has not opened anything yet.
        if (inst.listener?.event !== 'start') {
          if (inst.elementType !== 'multiInstanceBody') behaviors[node.type].terminate?.(this, inst, node);
          if (inst.loopIndex === undefined) this.closeBoundarySubscriptions(inst, node);
        }
      }
      if (waits || canceling) {
        delete inst.incident;
        delete inst.listener;
        delete inst.transition;
        delete inst.userTask;
        delete inst.pending;
        inst.state = 'WAITING';
        inst.terminating = {};
        if (canceling) {
          if (creating !== undefined) inst.userTask = creating;
          this.runCancelingListener(inst, 0);
        }
        return false;
      }
      if (inst.entered) this.history('ELEMENT_TERMINATED', inst);
      checkTransition(inst, 'TERMINATED');
    }
    this.remove(inst);
    return true;
  }

  /**
   * Whether terminating this element runs `canceling` task listeners: a
   * user task whose task exists (created, or being created, assigned,
   * updated or completed by listeners), as Zeebe cancels a user task in any
   * state but CANCELING. Not before its task (a start execution listener, an
   * activation that failed) nor after it (completing: the task is done).
   */
  private runsCancelingListeners(inst: ElementInstance): boolean {
    if (inst.elementType !== 'userTask' || inst.state !== 'WAITING' || !inst.entered) return false;
    const phase = inst.incident?.phase;
    if (phase === 'activate' || phase === 'complete') return false;
    const event = inst.listener?.event;
    if (event === 'start' || event === 'end') return false;
    return listenersOf(this.process, inst, 'canceling').length > 0;
  }

  /**
   * A termination that waited is done: the element ends terminated, then
   * what it was for goes on: its scope's own termination, the interrupting
   * boundary event, the modification; otherwise its scope, which may now
   * start an interrupting event subprocess, complete (a terminate end event,
   * a completion condition) or go on.
   */
  private finishTermination(inst: ElementInstance): void {
    const termination: Termination = inst.terminating ?? {};
    if (inst.parentId === null) {
      this.endCanceled();
      return;
    }
    if (inst.entered) this.history('ELEMENT_TERMINATED', inst);
    delete inst.terminating;
    checkTransition(inst, 'TERMINATED');
    this.remove(inst);
    const scope = this.elements[inst.parentId];
    if (scope === undefined) return;
    if (scope.terminating !== undefined) {
      if (!this.hasChildren(scope.id)) this.finishTermination(scope);
      return;
    }
    // (Not into a scope an interrupting event subprocess took over meanwhile, as in Zeebe.)
    if (termination.boundary !== undefined && scope.interruptedBy === undefined) {
      const event = this.nodeById(termination.boundary.eventId);
      const boundary = this.create(event, scope.id, { state: 'READY', pending: 'activate' });
      this.acceptVariables(boundary, event, termination.boundary.variables);
      this.queue.push(boundary.id);
      this.checkInclusiveJoins(scope.id);
      return;
    }
    if (termination.modification === true) {
      terminateEmptyScopes(this, scope.id, new Set());
      return;
    }
    if (this.hasChildren(scope.id)) {
      this.checkInclusiveJoins(scope.id);
      return;
    }
    const interruptedBy = scope.interruptedBy;
    if (interruptedBy !== undefined) {
      delete scope.interruptedBy;
      this.startEventSubProcess(scope, this.nodeById(interruptedBy.startId), interruptedBy.variables);
    } else if (scope.elementType === 'multiInstanceBody') {
      // Its completion condition held while inner instances still ran.
      this.schedule(scope, 'complete');
    } else if (scope.elementType === 'adHocSubProcess') {
      adHocSubProcess.remainingEnded(this, scope);
    } else {
      this.checkScope(scope.id);
    }
  }

  // -------------------------------------------------------------------------
  // Incidents
  // -------------------------------------------------------------------------

  /** Runs one lifecycle step; FEEL, timer and condition failures become incidents on the element. */
  guard(inst: ElementInstance, phase: Phase, step: () => void): void {
    try {
      step();
    } catch (e) {
      if (e instanceof FeelEvaluationError || e instanceof TimerValueError) {
        this.raiseIncident(inst, 'EXPRESSION_ERROR', `${inst.elementId}: ${e.message}`, phase);
      } else if (e instanceof NoFlowError) {
        this.raiseIncident(inst, 'CONDITION_ERROR', e.message, phase);
      } else if (e instanceof VariableLimitError) {
        this.raiseIncident(inst, 'VARIABLE_LIMIT_EXCEEDED', `${inst.elementId}: ${e.message}`, phase);
      } else {
        throw e;
      }
    }
  }

  raiseIncident(inst: ElementInstance, type: IncidentType, message: string, phase: ElementIncident['phase']): void {
    if (this.elements[inst.id] !== inst) return;
    inst.incident = { type, message, phase };
    inst.state = 'WAITING';
    delete inst.pending;
    this.effects.push({
      type: 'raiseIncident',
      key: `${inst.id}:${phase}:${type}`,
      incidentType: type,
      elementInstanceId: inst.id,
      elementId: inst.elementId,
      message,
      ...(phase === 'job' ? { jobKey: this.jobKeyOf(inst) } : {}),
    });
    this.history('INCIDENT_CREATED', inst);
  }

  /**
   * Retries what failed: the lifecycle phase, or for a job out of retries the
   * job itself, handed out again with `retries` (default 1) while the element
   * keeps waiting for it.
   */
  resolveIncident(inst: ElementInstance, retries?: number): void {
    const incident = inst.incident;
    if (incident === undefined) return;
    this.resolveIncidentEffect(inst);
    if (incident.phase === 'listener') {
      // A transition's task listener whose type or retries failed to evaluate: that listener runs again.
      delete inst.incident;
      if (inst.listener?.event === 'canceling') this.runCancelingListener(inst, inst.listener.index);
      else if (inst.listener !== undefined) this.runTransitionListener(inst, inst.listener.index);
      return;
    }
    if (incident.phase === 'job') {
      delete inst.incident;
      if (inst.elementType === 'adHocSubProcess' && inst.listener === undefined && inst.adHoc?.jobKey === undefined) {
        // The incident was about a job result (the job completed): a new job goes out.
        this.guard(inst, 'activate', () => adHocSubProcess.recreateJob(this, inst));
        return;
      }
      this.effects.push({ type: 'retryJob', key: this.jobKeyOf(inst), elementInstanceId: inst.id, retries: Math.max(1, retries ?? 1) });
      return;
    }
    // Scheduled while the incident still names the failed phase: the lifecycle retries that phase.
    this.schedule(inst, incident.phase);
    delete inst.incident;
  }

  /** The effect key of the job the element waits for: its listener's, or its own. */
  private jobKeyOf(inst: ElementInstance): string {
    if (inst.listener !== undefined) return listenerJobKey(inst.id, inst.listener);
    return inst.adHoc?.jobKey ?? inst.id;
  }

  // -------------------------------------------------------------------------
  // Execution listeners (see listeners.ts)
  // -------------------------------------------------------------------------

  /**
   * Starts the first listener of `event` when the element has any: the
   * element then waits for its job and the phase stops here. A phase that
   * runs again (its incident was resolved) runs all its listeners again.
   */
  private awaitListeners(inst: ElementInstance, event: ListenerEvent): boolean {
    delete inst.listened;
    if (listenersOf(this.process, inst, event).length === 0) return false;
    startListenerJob(this, inst, event, 0);
    return true;
  }

  /**
   * A listener's job completed: its variables are written (a start
   * listener's as locals of the element, an end listener's from the element
   * outwards, as output mappings are), then the next listener runs, or the
   * phase resumes after the last one.
   */
  completeListener(
    inst: ElementInstance,
    variables: Variables | undefined,
    corrections?: UserTaskCorrections,
    denial?: { readonly denied?: boolean; readonly deniedReason?: string },
  ): void {
    const run = inst.listener;
    if (run === undefined) return;
    if (run.event === 'creating') {
      this.completeTaskListener(inst, run, corrections);
      return;
    }
    if (run.event === 'assigning' || run.event === 'updating' || run.event === 'completing') {
      this.completeTransitionListener(inst, run, corrections, denial);
      return;
    }
    if (run.event === 'canceling') {
      this.completeCancelingListener(inst, run, corrections);
      return;
    }
    const event = run.event;
    const phase: Phase = event === 'start' ? 'activate' : 'complete';
    this.guard(inst, phase, () => {
      if (variables !== undefined && Object.keys(variables).length > 0) {
        if (event === 'start' || inst.parentId === null) this.setLocalVariables(inst, variables);
        else this.propagateVariables(inst.loopIndex !== undefined ? inst.id : inst.parentId, variables);
      }
      if (run.index + 1 < listenersOf(this.process, inst, event).length) {
        startListenerJob(this, inst, event, run.index + 1);
        return;
      }
      // Scheduled while the listener still marks the phase: the lifecycle resumes that phase.
      this.schedule(inst, phase);
      delete inst.listener;
      inst.listened = event;
    });
  }

  /**
   * A user task's `creating` listener completed: its corrections apply to
   * the task to be, then the next listener runs, or the task is created. A
   * failure (the next listener's type) is an incident on the activation,
   * whose resolution runs the whole creation again, as in Camunda 8.
   */
  private completeTaskListener(inst: ElementInstance, run: ListenerRun, corrections: UserTaskCorrections | undefined): void {
    this.guard(inst, 'activate', () => {
      const task = correctedTask(inst.userTask as UserTaskData, corrections);
      inst.userTask = task;
      if (run.index + 1 < listenersOf(this.process, inst, 'creating').length) {
        startTaskListenerJob(this, inst, run.index + 1);
        return;
      }
      delete inst.listener;
      delete inst.userTask;
      createUserTask(this, inst, task);
    });
  }

  // -------------------------------------------------------------------------
  // User task transitions paused for task listeners (assigning, completing)
  // -------------------------------------------------------------------------

  /**
   * A client asked to assign or complete a user task whose element has
   * listeners of that event; the host already shows the task ASSIGNING or
   * COMPLETING. The listeners run one at a time on the task as the
   * transition leaves it. An element that cannot take the transition now
   * (another one runs, an incident) answers at once with a denial, so that
   * the task is not left in between.
   */
  startUserTaskTransition(
    inst: ElementInstance,
    event: TaskTransitionEvent,
    action: string,
    task: UserTaskData,
    variables: Variables | undefined,
    changedAttributes?: readonly string[],
  ): void {
    const busy = inst.state !== 'WAITING' || !inst.entered || inst.incident !== undefined || inst.listener !== undefined;
    if (busy || inst.transition !== undefined) {
      this.effects.push(transitionEnd(inst, event, task, true, 'the user task cannot take this transition now'));
      return;
    }
    inst.transitions = (inst.transitions ?? 0) + 1;
    inst.userTask = task;
    inst.transition = {
      event,
      action,
      ...(variables !== undefined ? { variables } : {}),
      ...(changedAttributes !== undefined ? { changedAttributes } : {}),
    };
    if (listenersOf(this.process, inst, event).length === 0) this.endTransition(inst, false);
    else this.runTransitionListener(inst, 0);
  }

  /**
   * Emits the job of a transition's listener. A type or retries that fail to
   * evaluate raise an EXPRESSION_ERROR whose resolution runs that listener
   * again (the task stays in its transition meanwhile).
   */
  private runTransitionListener(inst: ElementInstance, index: number): void {
    const transition = inst.transition;
    if (transition === undefined) return;
    inst.listener = { event: transition.event, index, round: inst.transitions ?? 1 };
    try {
      startTransitionListenerJob(this, inst, index);
    } catch (e) {
      if (!(e instanceof FeelEvaluationError)) throw e;
      this.raiseIncident(inst, 'EXPRESSION_ERROR', `${inst.elementId}: ${e.message}`, 'listener');
    }
  }

  /**
   * An assigning or completing listener completed: a denial ends the
   * transition with the task as it was; otherwise its corrections apply and
   * the next listener runs, or the transition takes effect.
   */
  private completeTransitionListener(
    inst: ElementInstance,
    run: ListenerRun,
    corrections: UserTaskCorrections | undefined,
    denial: { readonly denied?: boolean; readonly deniedReason?: string } | undefined,
  ): void {
    if (inst.transition === undefined) return;
    if (denial?.denied === true) {
      this.endTransition(inst, true, denial.deniedReason);
      return;
    }
    inst.userTask = correctedTask(inst.userTask as UserTaskData, corrections);
    if (run.index + 1 < listenersOf(this.process, inst, inst.transition.event).length) {
      this.runTransitionListener(inst, run.index + 1);
      return;
    }
    this.endTransition(inst, false);
  }

  /**
   * The host applies the transition (or puts the task back, when denied); a
   * completion let through then completes the element with its variables,
   * a denied one drops them, as Camunda 8.8 does.
   */
  private endTransition(inst: ElementInstance, denied: boolean, deniedReason?: string): void {
    const transition = inst.transition;
    if (transition === undefined) return;
    const task = inst.userTask as UserTaskData;
    delete inst.listener;
    delete inst.transition;
    delete inst.userTask;
    this.effects.push(transitionEnd(inst, transition.event, task, denied, deniedReason));
    if (denied || transition.event !== 'completing') return;
    this.guard(inst, 'activate', () => {
      this.acceptVariables(inst, this.node(inst), transition.variables);
      this.schedule(inst, 'complete');
    });
  }

  // -------------------------------------------------------------------------
  // User task termination paused for its canceling task listeners
  // -------------------------------------------------------------------------

  /**
   * Emits the job of a `canceling` listener. A type or retries that fail to
   * evaluate raise an EXPRESSION_ERROR whose resolution runs that listener
   * again (the element keeps terminating meanwhile).
   */
  private runCancelingListener(inst: ElementInstance, index: number): void {
    inst.listener = { event: 'canceling', index };
    try {
      startCancelingListenerJob(this, inst, index);
    } catch (e) {
      if (!(e instanceof FeelEvaluationError)) throw e;
      this.raiseIncident(inst, 'EXPRESSION_ERROR', `${inst.elementId}: ${e.message}`, 'listener');
    }
  }

  /**
   * A `canceling` listener completed (it cannot deny: the host refuses
   * that): the next one runs, or the termination is done. Corrections are
   * accepted, as Camunda 8 accepts them, and change nothing but what a
   * later listener of a task still being created sees: the task is canceled.
   */
  private completeCancelingListener(inst: ElementInstance, run: ListenerRun, corrections: UserTaskCorrections | undefined): void {
    if (inst.terminating === undefined) return;
    if (inst.userTask !== undefined) inst.userTask = correctedTask(inst.userTask, corrections);
    if (run.index + 1 < listenersOf(this.process, inst, 'canceling').length) {
      this.runCancelingListener(inst, run.index + 1);
      return;
    }
    delete inst.listener;
    delete inst.userTask;
    this.finishTermination(inst);
  }

  /** A listener's job ran out of retries: EXECUTION_ or TASK_LISTENER_NO_RETRIES; resolving hands that job out again. */
  failListener(inst: ElementInstance, errorMessage: string): void {
    if (inst.listener === undefined) return;
    const task = isTaskListenerEvent(inst.listener.event);
    this.raiseIncident(
      inst,
      task ? 'TASK_LISTENER_NO_RETRIES' : 'EXECUTION_LISTENER_NO_RETRIES',
      errorMessage || `the ${task ? 'task' : 'execution'} listener job failed with no retries left`,
      'job',
    );
  }

  private cancelListenerJob(inst: ElementInstance): void {
    if (inst.listener === undefined) return;
    this.effects.push({ type: 'cancelJob', key: listenerJobKey(inst.id, inst.listener), elementInstanceId: inst.id });
  }

  private resolveIncidentEffect(inst: ElementInstance): void {
    this.effects.push({ type: 'resolveIncident', key: `${inst.id}:resolve`, elementInstanceId: inst.id });
    this.history('INCIDENT_RESOLVED', inst);
  }

  // -------------------------------------------------------------------------
  // History and expressions
  // -------------------------------------------------------------------------

  history(historyType: HistoryType, inst: ElementInstance): void {
    this.effects.push({
      type: 'history',
      historyType,
      elementId: inst.elementId,
      elementType: inst.elementType,
      elementInstanceId: inst.id,
      at: this.at,
    });
  }

  evaluate(expression: CompiledExpression, fromId: string | null, extra?: Variables): unknown {
    return expression.evaluate(contextFor(this.elements, fromId, expression, extra), this.env);
  }

  evaluateValue(value: ValueSource, fromId: string | null): unknown {
    return value.kind === 'literal' ? value.value : this.evaluate(value.expression, fromId);
  }

  /** A value that must be a non-empty string (job type, message name, process id). */
  evaluateString(value: ValueSource, fromId: string | null, what: string): string {
    const result = this.evaluateValue(value, fromId);
    if (typeof result === 'number' || typeof result === 'boolean') return String(result);
    if (typeof result !== 'string' || result === '') {
      throw new FeelEvaluationError(
        value.kind === 'expression' ? value.expression.source : value.value,
        `expected ${what} to be a non-empty string but got ${JSON.stringify(result ?? null)}`,
      );
    }
    return result;
  }

  visible(inst: ElementInstance): Variables {
    return visibleVariables(this.state, inst.id);
  }

  setLocalVariables(inst: ElementInstance, variables: Variables, checked = true): void {
    if (checked) this.checkVariables(variables);
    setLocalVariables(inst, variables);
  }

  checkVariables(variables: Variables): void {
    checkStorableVariables(variables, this.env.maxVariableSize);
  }

  propagateVariables(fromId: string, variables: Variables): void {
    this.checkVariables(variables);
    propagateVariables(this.elements, this.state.rootId, fromId, variables);
  }

  /** Input mappings: evaluated in the enclosing scope, written as locals of the element. */
  private applyInputs(inst: ElementInstance, node: FlowNode): void {
    const entries = node.inputs.map((m) => [m.target, this.evaluate(m.source, inst.parentId, inst.variables)] as const);
    this.setLocalVariables(inst, assignTargets(entries));
  }

  /**
   * Output mappings: evaluated in the element's scope, propagated from its parent; an inner
   * multi-instance instance propagates from itself, so that a mapping onto its input or output
   * element stays local to it (Zeebe: BpmnVariableMappingBehavior#getVariableScopeKey).
   */
  private applyOutputs(inst: ElementInstance, node: FlowNode): void {
    const entries = node.outputs.map((m) => [m.target, this.evaluate(m.source, inst.id)] as const);
    const values: Variables = {};
    for (const [target, value] of entries) values[target] = value;
    const from = inst.loopIndex !== undefined ? inst.id : (inst.parentId as string);
    this.propagateVariables(from, values);
  }

  /**
   * Variables handed in by a job, user task, message, signal or child: with
   * output mappings they become locals (only the mapped ones propagate, at
   * completion); without, they propagate from the element's own scope.
   */
  acceptVariables(inst: ElementInstance, node: FlowNode | undefined, variables: Variables | undefined): void {
    if (variables === undefined || Object.keys(variables).length === 0) return;
    if (node !== undefined && node.outputs.length > 0) this.setLocalVariables(inst, variables);
    else this.propagateVariables(inst.id, variables);
  }

  // -------------------------------------------------------------------------
  // Subscriptions: timers, messages and signals owned by an element instance
  // -------------------------------------------------------------------------

  openBoundarySubscriptions(inst: ElementInstance, node: FlowNode): void {
    for (const id of node.boundaryEventIds) {
      this.openSubscription(inst, this.process.nodes.get(id) as FlowNode);
    }
  }

  closeBoundarySubscriptions(inst: ElementInstance, node: FlowNode): void {
    for (const id of node.boundaryEventIds) {
      this.closeSubscription(inst, this.process.nodes.get(id) as FlowNode);
    }
  }

  openEventSubProcessSubscriptions(scope: ElementInstance, eventSubProcessIds: readonly string[]): void {
    for (const espId of eventSubProcessIds) this.openSubscription(scope, this.index.eventSubProcessStart(espId));
  }

  closeEventSubProcessSubscriptions(scope: ElementInstance, eventSubProcessIds: readonly string[]): void {
    for (const espId of eventSubProcessIds) this.closeSubscription(scope, this.index.eventSubProcessStart(espId));
  }

  /** Opens the subscription of a catching event (timer, message, signal) on behalf of `owner`. */
  openSubscription(owner: ElementInstance, event: FlowNode): void {
    const definition = event.event;
    if (definition === undefined) return;
    const key = `${owner.id}:${event.id}`;
    switch (definition.kind) {
      case 'timer': {
        const timer = definition.timer;
        if (timer === undefined) return;
        const value = this.evaluateString(timer.value, owner.id, `the timer of '${event.id}'`);
        let dueAt: number;
        if (timer.kind === 'duration') dueAt = durationDue(value, this.at);
        else if (timer.kind === 'date') dueAt = dateDue(value);
        else {
          const first = cycleFirst(value, this.at);
          dueAt = first.dueAt;
          owner.cycles = { ...owner.cycles, [event.id]: { spec: value, remaining: first.remaining, dueAt } };
        }
        this.effects.push({ type: 'scheduleTimer', key, ownerInstanceId: owner.id, elementId: event.id, dueAt });
        return;
      }
      case 'message': {
        const name = this.evaluateString(definition.name as ValueSource, owner.id, `the message name of '${event.id}'`);
        const correlationKey =
          definition.correlationKey === undefined
            ? ''
            : this.evaluateString(definition.correlationKey, owner.id, `the correlation key of '${event.id}'`);
        this.effects.push({
          type: 'openMessageSubscription',
          key,
          ownerInstanceId: owner.id,
          elementId: event.id,
          messageName: name,
          correlationKey,
          interrupting: event.interrupting ?? true,
        });
        return;
      }
      case 'signal': {
        const name = this.evaluateString(definition.name as ValueSource, owner.id, `the signal name of '${event.id}'`);
        this.effects.push({ type: 'openSignalSubscription', key, ownerInstanceId: owner.id, elementId: event.id, signalName: name });
        return;
      }
      case 'conditional':
        this.conditionals?.open(owner, event);
        return;
      default:
        return;
    }
  }

  closeSubscription(owner: ElementInstance, event: FlowNode): void {
    const kind = event.event?.kind;
    const key = `${owner.id}:${event.id}`;
    if (kind === 'timer') {
      this.effects.push({ type: 'cancelTimer', key, ownerInstanceId: owner.id, elementId: event.id });
      if (owner.cycles?.[event.id] !== undefined) {
        const { [event.id]: _closed, ...rest } = owner.cycles;
        owner.cycles = rest;
      }
    } else if (kind === 'message') {
      this.effects.push({ type: 'closeMessageSubscription', key, ownerInstanceId: owner.id, elementId: event.id });
    } else if (kind === 'signal') {
      this.effects.push({ type: 'closeSignalSubscription', key, ownerInstanceId: owner.id, elementId: event.id });
    } else if (kind === 'conditional') {
      this.conditionals?.close(owner, event);
    }
  }

  /**
   * After a timer cycle fired: schedules the next firing if repetitions are
   * left, otherwise forgets the cycle. Returns whether another firing is due.
   */
  rescheduleCycle(owner: ElementInstance, event: FlowNode): boolean {
    const cycle = owner.cycles?.[event.id];
    if (cycle === undefined) return false;
    if (cycle.remaining === 0) {
      const { [event.id]: _done, ...rest } = owner.cycles as NonNullable<ElementInstance['cycles']>;
      owner.cycles = rest;
      return false;
    }
    const dueAt = cycleNext(cycle.spec, cycle.dueAt);
    owner.cycles = {
      ...owner.cycles,
      [event.id]: { spec: cycle.spec, remaining: cycle.remaining < 0 ? -1 : cycle.remaining - 1, dueAt },
    };
    this.effects.push({
      type: 'scheduleTimer',
      key: `${owner.id}:${event.id}`,
      ownerInstanceId: owner.id,
      elementId: event.id,
      dueAt,
    });
    return true;
  }

  // -------------------------------------------------------------------------
  // Errors and escalations
  // -------------------------------------------------------------------------

  /**
   * Propagates a BPMN error from the instance that threw it: at each level
   * first the event subprocesses of a scope, then the boundary events of the
   * activity, then up to the parent. Uncaught -> incident on the thrower.
   */
  throwError(thrower: ElementInstance, errorCode: string, errorMessage: string | undefined, variables?: Variables): void {
    const caught = this.findCatch(thrower, 'error', errorCode);
    if (caught === null) {
      this.raiseIncident(
        thrower,
        'UNHANDLED_ERROR',
        `error '${errorCode}'${errorMessage ? ` (${errorMessage})` : ''} thrown by '${thrower.elementId}' was not caught by any boundary event or event subprocess`,
        thrower.pending ?? 'activate',
      );
      return;
    }
    this.triggerCatch(caught, variables, true);
  }

  /**
   * Propagates an escalation like an error, but a non-interrupting catch lets
   * the thrower go on, and an uncaught escalation is not an incident (Camunda 8).
   * Returns whether the thrower is still alive.
   */
  throwEscalation(thrower: ElementInstance, escalationCode: string | undefined): boolean {
    const caught = this.findCatch(thrower, 'escalation', escalationCode);
    if (caught !== null) this.triggerCatch(caught, undefined, caught.event.interrupting ?? true);
    return this.elements[thrower.id] === thrower;
  }

  private findCatch(thrower: ElementInstance, kind: 'error' | 'escalation', code: string | undefined): Catch | null {
    /** 'code' for a catch of exactly this code, 'all' for a catch without a code, null for no match. */
    const matchOf = (event: FlowNode): 'code' | 'all' | null => {
      if (event.event?.kind !== kind) return null;
      const expected = kind === 'error' ? event.event.errorCode : event.event.escalationCode;
      if (expected === undefined) return 'all';
      return expected === code ? 'code' : null;
    };
    let cameFromEventSubProcess = false;
    let current: ElementInstance | undefined = thrower;
    while (current !== undefined) {
      // The catch events of one level, in precedence order: the event subprocesses of this scope
      // (not the one the error came out of), then the boundary events of the activity (a
      // multi-instance body carries them, not its inner instances).
      const candidates: Catch[] = [];
      const scope =
        current.elementType === 'process' || current.elementType === 'subProcess' || current.elementType === 'adHocSubProcess'
          ? this.scopeOf(current)
          : undefined;
      if (scope !== undefined && !cameFromEventSubProcess) {
        for (const espId of scope.eventSubProcessIds) {
          candidates.push({ kind: 'eventSubProcess', owner: current, event: this.index.eventSubProcessStart(espId) });
        }
      }
      // An ad-hoc subprocess's inner instance shares its element id, not its boundary events.
      const ownsBoundaries = current.elementType !== 'process' && current.elementType !== 'adHocSubProcessInnerInstance';
      if (ownsBoundaries && current.loopIndex === undefined && !current.joinArrival) {
        for (const id of this.node(current).boundaryEventIds) {
          candidates.push({ kind: 'boundary', owner: current, event: this.process.nodes.get(id) as FlowNode });
        }
      }
      // Camunda 8: within one level a catch with the matching code wins over a catch-all,
      // whatever their order in the model (Zeebe's CatchEventAnalyzer sorts catch-alls last).
      const exact = candidates.find((c) => matchOf(c.event) === 'code');
      if (exact !== undefined) return exact;
      const catchAll = candidates.find((c) => matchOf(c.event) === 'all');
      if (catchAll !== undefined) return catchAll;
      cameFromEventSubProcess = current.elementType === 'subProcess' && this.node(current).triggeredByEvent === true;
      current = current.parentId === null ? undefined : this.elements[current.parentId];
    }
    return null;
  }

  private triggerCatch(caught: Catch, variables: Variables | undefined, interrupting: boolean): void {
    if (caught.kind === 'boundary') this.triggerBoundary(caught.owner, caught.event, variables, interrupting);
    else this.triggerEventSubProcess(caught.owner, caught.event, variables, interrupting);
  }

  /** A boundary event fires on its activity instance. */
  triggerBoundary(activity: ElementInstance, event: FlowNode, variables: Variables | undefined, interrupting: boolean): void {
    const scopeId = activity.parentId as string;
    if (interrupting && !this.terminate(activity)) {
      // The activity waits for canceling task listeners; the boundary event is activated once it is terminated (Zeebe).
      activity.terminating = { boundary: { eventId: event.id, ...(variables !== undefined ? { variables } : {}) } };
      return;
    }
    const boundary = this.create(event, scopeId, { state: 'READY', pending: 'activate' });
    this.acceptVariables(boundary, event, variables);
    this.queue.push(boundary.id);
    if (interrupting) this.checkInclusiveJoins(scopeId);
  }

  /** An event subprocess starts inside `scope`; interrupting ones first terminate everything else there. */
  triggerEventSubProcess(scope: ElementInstance, start: FlowNode, variables: Variables | undefined, interrupting: boolean): void {
    if (interrupting) {
      let waits = false;
      for (const childId of this.childIds(scope.id)) if (!this.terminate(this.elements[childId])) waits = true;
      const scopeDefinition = this.scopeOf(scope);
      if (scopeDefinition !== undefined) this.closeEventSubProcessSubscriptions(scope, scopeDefinition.eventSubProcessIds);
      scope.interrupted = true;
      if (waits) {
        // Canceling task listeners run first; the event subprocess starts once everything else is terminated (Zeebe).
        scope.interruptedBy = { startId: start.id, ...(variables !== undefined ? { variables } : {}) };
        return;
      }
    }
    this.startEventSubProcess(scope, start, variables);
  }

  private startEventSubProcess(scope: ElementInstance, start: FlowNode, variables: Variables | undefined): void {
    const espNode = this.process.nodes.get(start.scopeId) as FlowNode;
    const esp = this.create(espNode, scope.id, { state: 'WAITING', entered: true });
    this.history('ELEMENT_ACTIVATED', esp);
    if (espNode.scope !== undefined) this.openEventSubProcessSubscriptions(esp, espNode.scope.eventSubProcessIds);
    const startInst = this.create(start, esp.id, { state: 'READY', pending: 'activate' });
    this.acceptVariables(startInst, start, variables);
    this.queue.push(startInst.id);
  }

  /**
   * Enters a scope (process or subprocess instance): opens its event
   * subprocess subscriptions and activates its start event. Returns false when
   * the scope has no start event, so there is nothing to wait for.
   */
  enterScope(scopeInst: ElementInstance, startEventId: string | undefined): boolean {
    const scope = this.scopeOf(scopeInst);
    if (scope === undefined) throw new EngineError(EngineErrorCode.Bug, `'${scopeInst.elementId}' is not a scope`);
    const startId = startEventId ?? scope.noneStartEventIds[0];
    if (startId === undefined) return false;
    this.openEventSubProcessSubscriptions(scopeInst, scope.eventSubProcessIds);
    this.activateNode(this.process.nodes.get(startId) as FlowNode, scopeInst.id);
    return true;
  }
}

interface Catch {
  readonly kind: 'boundary' | 'eventSubProcess';
  readonly owner: ElementInstance;
  readonly event: FlowNode;
}

export type { Phase };
export { NoFlowError };

/** The `endUserTaskTransition` effect of an element instance's current (or refused) transition. */
function transitionEnd(
  inst: ElementInstance,
  event: TaskTransitionEvent,
  task: UserTaskData,
  denied: boolean,
  deniedReason?: string,
): Effect {
  return {
    type: 'endUserTaskTransition',
    key: `${inst.id}:${event}:${inst.transitions ?? 0}`,
    elementInstanceId: inst.id,
    event,
    denied,
    ...(deniedReason !== undefined ? { deniedReason } : {}),
    task,
  };
}

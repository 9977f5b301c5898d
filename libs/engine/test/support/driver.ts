import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  compileBpmn,
  createInstance,
  execute,
  hasReadyWork,
  processVariables,
  tokensOf,
  type CompiledProcess,
  type Effect,
  type EngineEnv,
  type EngineEvent,
  type InstanceState,
  type TokenView,
  type UserTaskCorrections,
  type UserTaskData,
  type TaskTransitionEvent,
  type ListenerEvent,
  type TaskListenerEvent,
  type Variables,
} from '../../src';

export const FIXTURES = join(__dirname, '..', 'fixtures', 'bpmn');

export function fixture(path: string): string {
  return readFileSync(join(FIXTURES, path), 'utf8');
}

interface Job {
  key: string;
  instanceId: string;
  elementInstanceId: string;
  elementId: string;
  jobType: string;
  retries: number;
  customHeaders: Readonly<Record<string, string>>;
  variables: Variables;
  /** The job of an execution or task listener of this event. */
  listener?: ListenerEvent | TaskListenerEvent;
}
interface Timer {
  instanceId: string;
  ownerInstanceId: string;
  elementId: string;
  dueAt: number;
}
interface Subscription {
  instanceId: string;
  ownerInstanceId: string;
  elementId: string;
  name: string;
  correlationKey: string;
  interrupting: boolean;
}
interface Incident {
  instanceId: string;
  elementInstanceId: string;
  elementId: string;
  type: string;
  message: string;
}
interface Instance {
  id: string;
  process: CompiledProcess;
  state: InstanceState;
  parent?: { instanceId: string; elementInstanceId: string };
}

/**
 * A small in-memory host for scenario tests: it interprets the engine's
 * effects (jobs, user tasks, timers on a fake clock, subscriptions, child
 * instances, incidents) and records history. Every step round-trips the
 * state through JSON, as a real store would.
 */
export class Driver {
  now = Date.UTC(2026, 0, 1, 0, 0, 0);
  private ids = 0;
  readonly env: EngineEnv;
  readonly instances = new Map<string, Instance>();
  readonly jobs = new Map<string, Job>();
  readonly userTasks = new Map<
    string,
    Job & Omit<UserTaskData, 'priority'> & { priority?: number; state?: 'CREATED' | 'ASSIGNING' | 'UPDATING' | 'COMPLETING' }
  >();
  readonly timers = new Map<string, Timer>();
  readonly messages = new Map<string, Subscription>();
  readonly signals = new Map<string, Subscription>();
  readonly incidents = new Map<string, Incident>();
  readonly history = new Map<string, string[]>();
  readonly thrownSignals: { name: string; variables: Variables }[] = [];
  readonly effectLog: Effect[] = [];
  /** Decisions business rule tasks asked for (`evaluateDecision` effects), by effect key; tests answer them. */
  readonly decisionRequests = new Map<string, Extract<Effect, { type: 'evaluateDecision' }> & { instanceId: string }>();
  /** Events a suspended instance did not apply yet (its inbox), fed again with its next step. */
  readonly inbox = new Map<string, EngineEvent[]>();

  constructor(
    private readonly processes: Map<string, CompiledProcess>,
    stepBudget?: number,
  ) {
    this.env = { now: () => this.now, newId: () => `e${++this.ids}`, stepBudget };
  }

  static async load(paths: string[], options: { stepBudget?: number } = {}): Promise<Driver> {
    const processes = new Map<string, CompiledProcess>();
    for (const path of paths) {
      const result = await compileBpmn(fixture(path));
      if (!result.ok) throw new Error(`${path} does not compile: ${JSON.stringify(result.errors, null, 2)}`);
      for (const p of result.definitions.processes) processes.set(p.id, p);
    }
    return new Driver(processes, options.stepBudget);
  }

  process(id: string): CompiledProcess {
    const p = this.processes.get(id);
    if (!p) throw new Error(`process ${id} not loaded`);
    return p;
  }

  start(processId: string, variables: Variables = {}, startEventId?: string, parent?: Instance['parent']): string {
    const process = this.process(processId);
    const id = `i${this.instances.size + 1}`;
    const { state } = createInstance(process, { instanceId: id, variables, startEventId }, this.env);
    this.instances.set(id, { id, process, state, parent });
    this.history.set(id, []);
    this.step(id, []);
    return id;
  }

  /** Feeds events to one instance, runs it to rest and interprets the effects. */
  step(instanceId: string, events: EngineEvent[]): void {
    const inst = this.instance(instanceId);
    const stored = JSON.parse(JSON.stringify(inst.state)) as InstanceState;
    const all = [...(this.inbox.get(instanceId) ?? []), ...events];
    const { state, effects, deferred } = execute(inst.process, stored, all, this.env);
    if (deferred === undefined) this.inbox.delete(instanceId);
    else this.inbox.set(instanceId, deferred.map((i) => all[i]));
    inst.state = JSON.parse(JSON.stringify(state)) as InstanceState;
    for (const effect of effects) this.interpret(inst, effect);
  }

  instance(id: string): Instance {
    const inst = this.instances.get(id);
    if (!inst) throw new Error(`no instance ${id}`);
    return inst;
  }

  status(id: string): string {
    return this.instance(id).state.status;
  }

  variables(id: string): Variables {
    return processVariables(this.instance(id).state);
  }

  tokens(id: string): TokenView[] {
    return tokensOf(this.instance(id).state);
  }

  tokenElements(id: string): string[] {
    return this.tokens(id)
      .map((t) => `${t.elementId}:${t.state}`)
      .sort();
  }

  readyWork(id: string): boolean {
    return hasReadyWork(this.instance(id).state);
  }

  /** History lines `TYPE elementId` of one instance, in order. */
  trail(id: string, types: string[] = ['ELEMENT_ACTIVATED', 'ELEMENT_COMPLETED', 'ELEMENT_TERMINATED']): string[] {
    return (this.history.get(id) ?? []).filter((line) => types.includes(line.split(' ')[0]));
  }

  /** Element ids that completed, in order. */
  completed(id: string): string[] {
    return this.trail(id, ['ELEMENT_COMPLETED']).map((line) => line.split(' ')[1]);
  }

  jobsOf(instanceId: string, elementId?: string): Job[] {
    return [...this.jobs.values()].filter(
      (j) => j.instanceId === instanceId && (elementId === undefined || j.elementId === elementId),
    );
  }

  completeJob(instanceId: string, elementId: string, variables?: Variables): void {
    const job = this.jobsOf(instanceId, elementId)[0];
    if (!job) throw new Error(`no job at ${elementId} in ${instanceId}`);
    this.jobs.delete(job.key);
    this.step(instanceId, [{ type: 'complete', elementInstanceId: job.elementInstanceId, variables, listener: job.listener }]);
  }

  /**
   * Completes the job of a type (a listener's or an element's), as a worker
   * of that type would; a task listener's with `corrections`.
   */
  completeJobOfType(
    instanceId: string,
    jobType: string,
    variables?: Variables,
    corrections?: UserTaskCorrections,
    denial?: { denied: boolean; deniedReason?: string },
  ): void {
    const job = this.jobsOf(instanceId).find((j) => j.jobType === jobType);
    if (!job) throw new Error(`no job of type ${jobType} in ${instanceId}`);
    this.jobs.delete(job.key);
    this.step(instanceId, [
      { type: 'complete', elementInstanceId: job.elementInstanceId, variables, listener: job.listener, corrections, ...denial },
    ]);
  }

  /**
   * Asks for an assignment or completion of a user task whose element has
   * listeners of that event, as the host does: the task shows ASSIGNING or
   * COMPLETING and the engine gets the task as the transition leaves it.
   */
  requestTaskTransition(
    instanceId: string,
    elementId: string,
    event: TaskTransitionEvent,
    action: string,
    changes: Partial<UserTaskData> = {},
    variables?: Variables,
    changedAttributes?: string[],
  ): void {
    const task = [...this.userTasks.values()].find((t) => t.instanceId === instanceId && t.elementId === elementId);
    if (!task) throw new Error(`no user task at ${elementId} in ${instanceId}`);
    task.state = event === 'assigning' ? 'ASSIGNING' : event === 'updating' ? 'UPDATING' : 'COMPLETING';
    const { name, assignee, candidateGroups, candidateUsers, formKey, dueDate, followUpDate, priority = 50 } = task;
    const data: UserTaskData = { name, assignee, candidateGroups, candidateUsers, formKey, dueDate, followUpDate, priority, ...changes };
    this.step(instanceId, [
      { type: 'transitionUserTask', elementInstanceId: task.elementInstanceId, event, action, task: data, variables, changedAttributes },
    ]);
  }

  throwJobError(instanceId: string, elementId: string, errorCode: string, variables?: Variables): void {
    const job = this.jobsOf(instanceId, elementId)[0];
    if (!job) throw new Error(`no job at ${elementId} in ${instanceId}`);
    this.jobs.delete(job.key);
    this.step(instanceId, [{ type: 'throwError', elementInstanceId: job.elementInstanceId, errorCode, variables }]);
  }

  completeUserTask(instanceId: string, elementId: string, variables?: Variables): void {
    const task = [...this.userTasks.values()].find((t) => t.instanceId === instanceId && t.elementId === elementId);
    if (!task) throw new Error(`no user task at ${elementId} in ${instanceId}`);
    this.userTasks.delete(task.key);
    this.step(instanceId, [{ type: 'complete', elementInstanceId: task.elementInstanceId, variables }]);
  }

  /** Moves the fake clock and fires every timer that is due, in due order. */
  advance(ms: number): void {
    const until = this.now + ms;
    for (;;) {
      const due = [...this.timers.entries()]
        .filter(([, t]) => t.dueAt <= until)
        .sort((a, b) => a[1].dueAt - b[1].dueAt)[0];
      if (!due) break;
      const [key, timer] = due;
      this.now = Math.max(this.now, timer.dueAt);
      this.timers.delete(key);
      this.step(timer.instanceId, [{ type: 'trigger', ownerInstanceId: timer.ownerInstanceId, elementId: timer.elementId }]);
    }
    this.now = until;
  }

  /** Correlates a message to every matching subscription, at most one per instance. Returns how many. */
  publishMessage(name: string, correlationKey: string, variables?: Variables): number {
    const seen = new Set<string>();
    let count = 0;
    for (const [key, sub] of [...this.messages.entries()]) {
      if (sub.name !== name || sub.correlationKey !== correlationKey || seen.has(sub.instanceId)) continue;
      seen.add(sub.instanceId);
      if (sub.interrupting) this.messages.delete(key);
      this.step(sub.instanceId, [{ type: 'trigger', ownerInstanceId: sub.ownerInstanceId, elementId: sub.elementId, variables }]);
      count++;
    }
    return count;
  }

  broadcastSignal(name: string, variables?: Variables): number {
    let count = 0;
    for (const [key, sub] of [...this.signals.entries()]) {
      if (sub.name !== name) continue;
      if (sub.interrupting) this.signals.delete(key);
      this.step(sub.instanceId, [{ type: 'trigger', ownerInstanceId: sub.ownerInstanceId, elementId: sub.elementId, variables }]);
      count++;
    }
    return count;
  }

  incidentsOf(instanceId: string): Incident[] {
    return [...this.incidents.values()].filter((i) => i.instanceId === instanceId);
  }

  resolveIncident(instanceId: string, elementId: string, retries?: number): void {
    const incident = this.incidentsOf(instanceId).find((i) => i.elementId === elementId);
    if (!incident) throw new Error(`no incident at ${elementId}`);
    this.step(instanceId, [{ type: 'resolveIncident', elementInstanceId: incident.elementInstanceId, retries }]);
  }

  /** The job of an element ran out of retries (the host keeps the job row, failed). */
  failJob(instanceId: string, elementId: string, errorMessage: string): void {
    const job = this.jobsOf(instanceId, elementId)[0];
    if (!job) throw new Error(`no job at ${elementId} in ${instanceId}`);
    this.jobs.set(job.key, { ...job, retries: 0 });
    this.step(instanceId, [{ type: 'jobFailed', elementInstanceId: job.elementInstanceId, errorMessage, listener: job.listener }]);
  }

  /** Answers the decision a business rule task asked for (as the host would, in the same unit of work). */
  answerDecision(instanceId: string, elementId: string, answer: { output: unknown } | { incident: 'CALLED_DECISION_ERROR' | 'DECISION_EVALUATION_ERROR'; message: string }): void {
    const request = [...this.decisionRequests.values()].find((r) => r.instanceId === instanceId && r.elementId === elementId);
    if (!request) throw new Error(`no decision request at ${elementId} in ${instanceId}`);
    this.decisionRequests.delete(request.key);
    this.step(instanceId, [
      'output' in answer
        ? { type: 'decisionEvaluated', elementInstanceId: request.elementInstanceId, output: answer.output }
        : { type: 'incident', elementInstanceId: request.elementInstanceId, incidentType: answer.incident, message: answer.message },
    ]);
  }

  suspend(instanceId: string): void {
    this.step(instanceId, [{ type: 'suspend' }]);
  }

  resume(instanceId: string): void {
    this.step(instanceId, [{ type: 'resume' }]);
  }

  setVariables(instanceId: string, variables: Variables): void {
    this.step(instanceId, [{ type: 'setVariables', variables }]);
  }

  cancel(instanceId: string): void {
    this.step(instanceId, [{ type: 'cancel' }]);
  }

  private interpret(inst: Instance, effect: Effect): void {
    this.effectLog.push(effect);
    const instanceId = inst.id;
    switch (effect.type) {
      case 'history':
        this.history.get(instanceId)?.push(`${effect.historyType} ${effect.elementId} ${effect.elementType}`);
        return;
      case 'evaluateDecision':
        this.decisionRequests.set(effect.key, { ...effect, instanceId });
        return;
      case 'createJob':
        this.jobs.set(effect.key, { ...effect, instanceId });
        return;
      case 'cancelJob':
        this.jobs.delete(effect.key);
        return;
      case 'createUserTask':
        this.userTasks.set(effect.key, {
          ...effect,
          instanceId,
          jobType: 'user',
          retries: 0,
          customHeaders: {},
          variables: {},
        });
        return;
      case 'cancelUserTask':
        this.userTasks.delete(effect.key);
        return;
      case 'endUserTaskTransition': {
        const task = this.userTasks.get(effect.elementInstanceId);
        if (task === undefined) return;
        if (effect.denied) task.state = 'CREATED';
        else if (effect.event === 'completing') this.userTasks.delete(effect.elementInstanceId);
        else Object.assign(task, effect.task, { state: 'CREATED' });
        return;
      }
      case 'scheduleTimer':
        this.timers.set(effect.key, { instanceId, ownerInstanceId: effect.ownerInstanceId, elementId: effect.elementId, dueAt: effect.dueAt });
        return;
      case 'cancelTimer':
        this.timers.delete(effect.key);
        return;
      case 'openMessageSubscription':
        this.messages.set(effect.key, {
          instanceId,
          ownerInstanceId: effect.ownerInstanceId,
          elementId: effect.elementId,
          name: effect.messageName,
          correlationKey: effect.correlationKey,
          interrupting: effect.interrupting,
        });
        return;
      case 'closeMessageSubscription':
        this.messages.delete(effect.key);
        return;
      case 'openSignalSubscription': {
        const event = inst.process.nodes.get(effect.elementId);
        this.signals.set(effect.key, {
          instanceId,
          ownerInstanceId: effect.ownerInstanceId,
          elementId: effect.elementId,
          name: effect.signalName,
          correlationKey: '',
          interrupting: event?.interrupting ?? true,
        });
        return;
      }
      case 'closeSignalSubscription':
        this.signals.delete(effect.key);
        return;
      case 'throwSignal':
        this.thrownSignals.push({ name: effect.signalName, variables: effect.variables });
        return;
      case 'startChild': {
        if (!this.processes.has(effect.processId)) {
          this.step(instanceId, [
            {
              type: 'incident',
              elementInstanceId: effect.elementInstanceId,
              incidentType: 'CALLED_ELEMENT_ERROR',
              message: `process '${effect.processId}' is not deployed`,
            },
          ]);
          return;
        }
        this.start(effect.processId, effect.variables, undefined, { instanceId, elementInstanceId: effect.elementInstanceId });
        return;
      }
      case 'cancelChild':
        for (const child of this.instances.values()) {
          if (child.parent?.elementInstanceId === effect.elementInstanceId && child.state.status === 'ACTIVE') {
            this.cancel(child.id);
          }
        }
        return;
      case 'raiseIncident':
        this.incidents.set(effect.key, {
          instanceId,
          elementInstanceId: effect.elementInstanceId,
          elementId: effect.elementId,
          type: effect.incidentType,
          message: effect.message,
        });
        return;
      case 'resolveIncident':
        for (const [key, incident] of this.incidents) {
          if (incident.elementInstanceId === effect.elementInstanceId) this.incidents.delete(key);
        }
        return;
      case 'retryJob': {
        const job = this.jobs.get(effect.key);
        if (job) this.jobs.set(effect.key, { ...job, retries: effect.retries });
        return;
      }
      case 'instanceSuspended':
      case 'instanceResumed':
        return;
      case 'instanceEnded':
        if (effect.status === 'COMPLETED' && inst.parent) {
          const parent = inst.parent;
          this.step(parent.instanceId, [
            { type: 'childCompleted', elementInstanceId: parent.elementInstanceId, variables: effect.variables },
          ]);
        }
        return;
    }
  }
}

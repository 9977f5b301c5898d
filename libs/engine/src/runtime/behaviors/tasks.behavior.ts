import { FeelEvaluationError } from '../../feel/feel.types';
import type { FlowNode, ValueSource } from '../../model/model.types';
import { startTaskListenerJob } from '../listeners';
import type { ElementInstance, UserTaskData } from '../runtime.types';
import type { BehaviorContext, ElementBehavior } from './behavior';

/** Task and manual task: nothing to do, the token passes. */
export const passThrough: ElementBehavior = {
  activate: () => 'complete',
};

/** Creates the job of a service, send or business-rule task (or a message throw event with a task definition). */
export function createJob(x: BehaviorContext, inst: ElementInstance, node: FlowNode): void {
  const job = node.job;
  if (job === undefined) return;
  const jobType = x.evaluateString(job.type, inst.id, `the job type of '${node.id}'`);
  const retries = jobRetries(x, job.retries, inst.id, `'${node.id}'`);
  x.emit({
    type: 'createJob',
    key: inst.id,
    elementInstanceId: inst.id,
    elementId: node.id,
    jobType,
    retries,
    customHeaders: job.headers,
    variables: x.visible(inst),
  });
}

/** A job's retries (FEEL or a literal) as a whole number >= 0; `what` names the job's owner in the error. */
export function jobRetries(x: BehaviorContext, value: ValueSource, fromId: string, what: string): number {
  const retriesValue = x.evaluateValue(value, fromId);
  const retries = typeof retriesValue === 'string' ? Number(retriesValue) : retriesValue;
  if (typeof retries !== 'number' || !Number.isInteger(retries) || retries < 0) {
    throw new FeelEvaluationError(sourceOf(value), `retries of ${what} must be a whole number >= 0, got ${JSON.stringify(retriesValue)}`);
  }
  return retries;
}

export const cancelJob = (x: BehaviorContext, inst: ElementInstance): void => {
  x.emit({ type: 'cancelJob', key: inst.id, elementInstanceId: inst.id });
};

/** Service, send and business-rule tasks: a job for a worker; the token waits for its completion. */
export const jobTask: ElementBehavior = {
  accepts: 'job',
  activate(x, inst, node) {
    createJob(x, inst, node);
    return 'wait';
  },
  terminate: cancelJob,
};

/**
 * Business rule task: with `zeebe:calledDecision` the host evaluates the
 * decision (an `evaluateDecision` effect) and answers with a
 * `decisionEvaluated` event in the same unit of work; otherwise a job.
 */
export const businessRuleTask: ElementBehavior = {
  accepts: 'decision',
  activate(x, inst, node) {
    const called = node.calledDecision;
    if (called === undefined) return jobTask.activate(x, inst, node);
    const decisionId = x.evaluateString(called.decisionId, inst.id, `the called decision id of '${node.id}'`);
    x.emit({
      type: 'evaluateDecision',
      key: inst.id,
      elementInstanceId: inst.id,
      elementId: node.id,
      decisionId,
      bindingType: called.bindingType,
      versionTag: called.versionTag ?? null,
      variables: x.visible(inst),
    });
    return 'wait';
  },
  terminate(x, inst, node) {
    if (node.calledDecision === undefined) cancelJob(x, inst);
  },
};

/** Script task: evaluates its FEEL expression into the result variable. */
export const scriptTask: ElementBehavior = {
  activate(x, inst, node) {
    const script = node.script;
    if (script === undefined) return 'complete';
    const value = x.evaluate(script.expression, inst.id);
    x.acceptVariables(inst, node, { [script.resultVariable]: value });
    return 'complete';
  },
};

/** User task: a task for a person; the token waits until it is completed. */
export const userTask: ElementBehavior = {
  accepts: 'userTask',
  activate(x, inst, node) {
    const definition = node.userTask ?? {};
    const optionalString = (value: ValueSource | undefined, what: string): string | null => {
      if (value === undefined) return null;
      const result = x.evaluateValue(value, inst.id);
      if (result === null || result === '') return null;
      if (typeof result !== 'string') {
        throw new FeelEvaluationError(sourceOf(value), `${what} of '${node.id}' must be a string, got ${JSON.stringify(result)}`);
      }
      return result;
    };
    const dateTime = (value: ValueSource | undefined, what: string): string | null => {
      const text = optionalString(value, what);
      if (text === null) return null;
      const stored = isoDateTime(text);
      if (stored === null) {
        throw new FeelEvaluationError(
          sourceOf(value as ValueSource),
          `${what} of '${node.id}' must be an ISO 8601 date-time with an offset (such as 2026-03-01T09:00:00Z), got ${JSON.stringify(text)}`,
        );
      }
      return stored;
    };
    const task: UserTaskData = {
      name: node.name ?? null,
      assignee: optionalString(definition.assignee, 'the assignee'),
      candidateGroups: stringList(x, inst, definition.candidateGroups, `the candidate groups of '${node.id}'`),
      candidateUsers: stringList(x, inst, definition.candidateUsers, `the candidate users of '${node.id}'`),
      formKey: definition.formKey ?? null,
      dueDate: dateTime(definition.dueDate, 'the due date'),
      followUpDate: dateTime(definition.followUpDate, 'the follow-up date'),
      priority: DEFAULT_PRIORITY,
    };
    if ((node.taskListeners?.creating.length ?? 0) > 0) {
      // The task is created once its creating listeners have run (see listeners.ts).
      inst.userTask = task;
      startTaskListenerJob(x, inst, 0);
    } else {
      createUserTask(x, inst, task);
    }
    return 'wait';
  },
  terminate(x, inst) {
    x.emit({ type: 'cancelUserTask', key: inst.id, elementInstanceId: inst.id });
  },
};

/** Camunda 8's priority of a user task that names none. */
const DEFAULT_PRIORITY = 50;

/** The user task of an element, as the host creates it. */
export function createUserTask(x: BehaviorContext, inst: ElementInstance, task: UserTaskData): void {
  x.emit({ type: 'createUserTask', key: inst.id, elementInstanceId: inst.id, elementId: inst.elementId, ...task });
}

/** Receive task: waits for its message. */
export const receiveTask: ElementBehavior = {
  activate(x, inst, node) {
    x.openSubscription(inst, node);
    return 'wait';
  },
  trigger(x, inst, node, event, variables) {
    if (event.id !== node.id) return;
    x.closeSubscription(inst, node);
    x.acceptVariables(inst, node, variables);
    x.schedule(inst, 'complete');
  },
  terminate(x, inst, node) {
    x.closeSubscription(inst, node);
  },
};

/** Call activity: starts a child instance (by the host) and waits for it to complete. */
export const callActivity: ElementBehavior = {
  accepts: 'child',
  activate(x, inst, node) {
    const called = node.calledElement;
    if (called === undefined) return 'complete';
    const processId = x.evaluateString(called.processId, inst.id, `the called process id of '${node.id}'`);
    x.emit({
      type: 'startChild',
      key: inst.id,
      elementInstanceId: inst.id,
      elementId: node.id,
      processId,
      variables: called.propagateAllParentVariables ? x.visible(inst) : { ...inst.variables },
    });
    return 'wait';
  },
  terminate(x, inst) {
    x.emit({ type: 'cancelChild', key: inst.id, elementInstanceId: inst.id });
  },
};

/** A candidate list: a FEEL list of strings, or a comma-separated string. */
function stringList(x: BehaviorContext, inst: ElementInstance, value: ValueSource | undefined, what: string): string[] {
  if (value === undefined) return [];
  const result = x.evaluateValue(value, inst.id);
  if (result === null) return [];
  if (typeof result === 'string') {
    return result
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
  }
  if (Array.isArray(result) && result.every((s) => typeof s === 'string')) return result as string[];
  throw new FeelEvaluationError(sourceOf(value), `${what} must be a list of strings, got ${JSON.stringify(result)}`);
}

function sourceOf(value: ValueSource): string {
  return value.kind === 'literal' ? value.value : value.expression.source;
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2}))(?:\[[A-Za-z0-9_+\-/]+\])?$/;

/**
 * A user task date as Camunda 8 takes it (`2026-03-01T09:00:00+01:00`,
 * optionally with a zone id in brackets), returned without the zone id: the
 * offset already fixes the instant. Null when it is not such a date-time or
 * names a day that does not exist.
 */
export function isoDateTime(text: string): string | null {
  const m = DATE_TIME.exec(text);
  if (m === null) return null;
  const [, year, month, day, hour, minute, second = '0', offsetHours = '0', offsetMinutes = '0'] = m;
  const y = Number(year);
  const mo = Number(month);
  const d = Number(day);
  const calendar = new Date(Date.UTC(y, mo - 1, d));
  if (y < 1 || calendar.getUTCMonth() !== mo - 1 || calendar.getUTCDate() !== d) return null;
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) return null;
  if (Number(offsetHours) > 18 || Number(offsetMinutes) > 59) return null;
  const bracket = text.indexOf('[');
  return bracket === -1 ? text : text.slice(0, bracket);
}

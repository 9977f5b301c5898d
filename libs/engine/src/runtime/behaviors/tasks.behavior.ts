import { FeelEvaluationError } from '../../feel/feel.types';
import type { FlowNode, ValueSource } from '../../model/model.types';
import type { ElementInstance } from '../runtime.types';
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
  const retriesValue = x.evaluateValue(job.retries, inst.id);
  const retries = typeof retriesValue === 'string' ? Number(retriesValue) : retriesValue;
  if (typeof retries !== 'number' || !Number.isInteger(retries) || retries < 0) {
    throw new FeelEvaluationError(sourceOf(job.retries), `retries of '${node.id}' must be a whole number >= 0, got ${JSON.stringify(retriesValue)}`);
  }
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
    x.emit({
      type: 'createUserTask',
      key: inst.id,
      elementInstanceId: inst.id,
      elementId: node.id,
      name: node.name ?? null,
      assignee: optionalString(definition.assignee, 'the assignee'),
      candidateGroups: stringList(x, inst, definition.candidateGroups, `the candidate groups of '${node.id}'`),
      candidateUsers: stringList(x, inst, definition.candidateUsers, `the candidate users of '${node.id}'`),
      formKey: definition.formKey ?? null,
      dueDate: optionalString(definition.dueDate, 'the due date'),
      followUpDate: optionalString(definition.followUpDate, 'the follow-up date'),
    });
    return 'wait';
  },
  terminate(x, inst) {
    x.emit({ type: 'cancelUserTask', key: inst.id, elementInstanceId: inst.id });
  },
};

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

import { FeelEvaluationError } from '../../feel/feel.types';
import type { AdHocDefinition, FlowNode } from '../../model/model.types';
import type {
  AdHocJobResult,
  AdHocState,
  Effect,
  ElementInstance,
  Variables,
} from '../runtime.types';
import type { BehaviorContext, ElementBehavior } from './behavior';
import { jobRetries } from './tasks.behavior';

/**
 * The ad-hoc subprocess (Camunda 8.8). Each activation of one of its
 * elements runs in an inner instance (`adHocSubProcessInnerInstance`, a
 * child of the subprocess) that holds the variables of that activation, so
 * that two activations of one element do not share them. When the path
 * started in an inner instance ends, the inner instance completes: its
 * output element is appended to the output collection and the subprocess
 * decides whether it is done.
 *
 * BPMN mode: `activeElementsCollection` says which elements start on entry;
 * after each path the `completionCondition` is checked (without one, the
 * subprocess completes once nothing runs in it).
 *
 * Job-worker mode (`zeebe:taskDefinition` on the subprocess): a job hands
 * the worker the elements it may activate (`adHocSubProcessElements`); its
 * completion result activates elements and says whether the subprocess is
 * done. After each path a new job is created (the open one canceled), so an
 * AI agent sees every tool result, as in Zeebe.
 */

/** The local that lists the activatable elements (Camunda 8.8's name). */
export const AD_HOC_ELEMENTS_VARIABLE = 'adHocSubProcessElements';

export const adHocSubProcess: ElementBehavior & {
  remainingEnded(x: BehaviorContext, inst: ElementInstance): void;
  jobCompleted(
    x: BehaviorContext,
    inst: ElementInstance,
    jobKey: string | undefined,
    variables: Variables | undefined,
    result: AdHocJobResult | undefined,
  ): void;
  recreateJob(x: BehaviorContext, inst: ElementInstance): void;
} = {
  activate(x, inst, node) {
    const adHoc = definitionOf(node);
    // Set before the element runs, as Zeebe does before the input mappings: a mapping onto the same name wins.
    const locals: Variables = { [AD_HOC_ELEMENTS_VARIABLE]: adHoc.elements };
    if (adHoc.outputCollection !== undefined) locals[adHoc.outputCollection] = [];
    for (const name of Object.keys(inst.variables ?? {})) delete locals[name];
    x.setLocalVariables(inst, locals);
    // What can fail is evaluated before anything is opened: an incident retries this whole phase.
    const job = node.job === undefined ? undefined : adHocJob(x, inst, node);
    const ids = node.job === undefined ? activeElements(x, inst, node, adHoc) : [];
    if (node.scope !== undefined)
      x.openEventSubProcessSubscriptions(inst, node.scope.eventSubProcessIds);
    if (job !== undefined) emitJob(x, inst, job);
    for (const elementId of ids) activateElement(x, inst, node, elementId, undefined);
    return 'wait';
  },

  /** The output collection goes to the enclosing scope; what the subprocess opened is closed. */
  completing(x, inst, node) {
    const name = node.adHoc?.outputCollection;
    if (name !== undefined)
      x.propagateVariables(inst.parentId as string, { [name]: inst.variables?.[name] ?? [] });
    closeAll(x, inst, node);
  },

  terminate(x, inst, node) {
    closeAll(x, inst, node);
  },

  /** The last activation still terminating (canceling task listeners) is gone: a fulfilled subprocess completes now. */
  remainingEnded(x: BehaviorContext, inst: ElementInstance): void {
    if (inst.adHoc?.fulfilled === true) fulfilled(x, inst, false);
    else x.checkScope(inst.id);
  },

  /**
   * The worker completed the subprocess's job: its variables are written
   * from the subprocess outwards, then the elements it chose start, or the
   * subprocess completes. A result the REST edge would have refused (unknown
   * elements, activating while completing) is an incident on the
   * subprocess; resolving it hands a new job out.
   */
  jobCompleted(x, inst, jobKey, variables, result) {
    const open = inst.adHoc?.jobKey;
    // No job open, or the completion of a job that was replaced since (a tool ended meanwhile): stale.
    if (open === undefined || (jobKey !== undefined && jobKey !== open)) return;
    const node = x.node(inst);
    setAdHoc(inst, { ...inst.adHoc, jobKey: undefined });
    const invalid = result === undefined ? null : invalidResult(node, result);
    if (invalid !== null) {
      x.raiseIncident(inst, 'EXPRESSION_ERROR', `${node.id}: ${invalid}`, 'job');
      return;
    }
    if (variables !== undefined && Object.keys(variables).length > 0)
      x.propagateVariables(inst.id, variables);
    if (result === undefined) return;
    for (const element of result.activateElements)
      activateElement(x, inst, node, element.elementId, element.variables);
    if (result.isCompletionConditionFulfilled)
      fulfilled(x, inst, result.isCancelRemainingInstances);
  },

  /** A job incident on the subprocess was resolved with no job open: a new job goes out. */
  recreateJob(x, inst) {
    createAdHocJob(x, inst, x.node(inst));
  },
};

/**
 * The inner instance of one activation completes (the path in it ended):
 * its output element is collected, then the subprocess decides whether it
 * is done (BPMN mode: the completion condition; job-worker mode: a new job,
 * unless a job result already fulfilled the condition).
 */
export const adHocInnerInstance = {
  complete(x: BehaviorContext, inner: ElementInstance): void {
    const node = x.node(inner);
    const adHoc = definitionOf(node);
    const parent = x.element(inner.parentId as string) as ElementInstance;
    const before = parent.variables;
    if (adHoc.outputCollection !== undefined && adHoc.outputElement !== undefined) {
      const value = x.evaluate(adHoc.outputElement, inner.id);
      const collected = parent.variables?.[adHoc.outputCollection] ?? [];
      if (!Array.isArray(collected)) {
        throw new FeelEvaluationError(
          adHoc.outputElement.source,
          `the output collection '${adHoc.outputCollection}' of '${node.id}' must be a list, got ${JSON.stringify(collected)}`,
        );
      }
      x.setLocalVariables(parent, { [adHoc.outputCollection]: [...collected, value] });
    }
    const jobWorker = node.job !== undefined;
    let condition: boolean | undefined;
    try {
      // Evaluated after the collection grew (a condition may count the results), as in Zeebe.
      condition = jobWorker ? undefined : completionCondition(x, parent, node, adHoc);
    } catch (e) {
      // The incident retries this completion: the item must not be collected twice.
      parent.variables = before;
      throw e;
    }
    x.remove(inner);
    if (jobWorker) {
      cancelOpenJob(x, parent);
      if (parent.adHoc?.fulfilled === true) fulfilled(x, parent, adHoc.cancelRemainingInstances);
      else createAdHocJob(x, parent, node);
      return;
    }
    if (condition === undefined) {
      if (!x.hasChildren(parent.id)) x.schedule(parent, 'complete');
    } else if (condition) {
      fulfilled(x, parent, adHoc.cancelRemainingInstances);
    }
  },
};

function definitionOf(node: FlowNode): AdHocDefinition {
  return node.adHoc as AdHocDefinition;
}

/** `activeElementsCollection`: a list of ids of activatable elements (EXPRESSION_ERROR otherwise, as Zeebe's EXTRACT_VALUE_ERROR). */
function activeElements(
  x: BehaviorContext,
  inst: ElementInstance,
  node: FlowNode,
  adHoc: AdHocDefinition,
): string[] {
  const expression = adHoc.activeElementsCollection;
  if (expression === undefined) return [];
  const value = x.evaluate(expression, inst.id);
  if (value === null) return [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new FeelEvaluationError(
      expression.source,
      `Failed to activate ad-hoc elements. Expected the activeElementsCollection of '${node.id}' to be a list of element ids, got ${JSON.stringify(value)}`,
    );
  }
  const unknown = value.filter((id) => !adHoc.activityIds.includes(id));
  if (unknown.length > 0) {
    throw new FeelEvaluationError(
      expression.source,
      `Failed to activate ad-hoc elements. No BPMN elements found with ids: ${unknown.map((id) => `'${id}'`).join(', ')}.`,
    );
  }
  return value as string[];
}

/** The completion condition after a path ended, in the subprocess's scope; undefined when there is none. */
function completionCondition(
  x: BehaviorContext,
  parent: ElementInstance,
  node: FlowNode,
  adHoc: AdHocDefinition,
): boolean | undefined {
  if (adHoc.completionCondition === undefined) return undefined;
  const value = x.evaluate(adHoc.completionCondition, parent.id);
  if (typeof value !== 'boolean') {
    throw new FeelEvaluationError(
      adHoc.completionCondition.source,
      `Failed to evaluate completion condition of '${node.id}'. Expected a boolean, got ${JSON.stringify(value ?? null)}`,
    );
  }
  return value;
}

/** One activation: an inner instance with the given variables (and the output element's variable as a null local), the element inside it. */
function activateElement(
  x: BehaviorContext,
  parent: ElementInstance,
  node: FlowNode,
  elementId: string,
  variables: Variables | undefined,
): void {
  const locals: Variables = {};
  const outputVariable = outputElementVariable(definitionOf(node));
  if (outputVariable !== undefined) locals[outputVariable] = null;
  Object.assign(locals, variables);
  const inner = x.create(node, parent.id, {
    state: 'WAITING',
    elementType: 'adHocSubProcessInnerInstance',
  });
  x.setLocalVariables(inner, locals);
  x.activateNode(x.nodeById(elementId), inner.id);
}

/**
 * The completion condition holds: with `cancelRemaining` what still runs is
 * terminated and the subprocess completes now; otherwise it completes when
 * nothing runs in it any more.
 */
function fulfilled(x: BehaviorContext, parent: ElementInstance, cancelRemaining: boolean): void {
  if (cancelRemaining) {
    for (const childId of x.childIds(parent.id)) x.terminate(x.element(childId) as ElementInstance);
  }
  if (!x.hasChildren(parent.id)) {
    cancelOpenJob(x, parent);
    x.schedule(parent, 'complete');
    return;
  }
  setAdHoc(parent, { ...parent.adHoc, fulfilled: true });
}

function createAdHocJob(x: BehaviorContext, inst: ElementInstance, node: FlowNode): void {
  const job = adHocJob(x, inst, node);
  if (job !== undefined) emitJob(x, inst, job);
}

type JobEffect = Extract<Effect, { type: 'createJob' }>;

/** The subprocess's next job (its type and retries evaluated), not yet emitted. */
function adHocJob(
  x: BehaviorContext,
  inst: ElementInstance,
  node: FlowNode,
): JobEffect | undefined {
  const job = node.job;
  if (job === undefined) return undefined;
  const jobType = x.evaluateString(job.type, inst.id, `the job type of '${node.id}'`);
  const retries = jobRetries(x, job.retries, inst.id, `'${node.id}'`);
  // A new key per job: the store keeps a completed job's row, and a worker's late answer to an
  // earlier job must not complete this one.
  const key = `${inst.id}:${(inst.adHoc?.jobs ?? 0) + 1}`;
  return {
    type: 'createJob',
    key,
    elementInstanceId: inst.id,
    elementId: node.id,
    jobType,
    retries,
    customHeaders: job.headers,
    variables: {},
  };
}

/** Emits the job with the variables visible now, and records it as the open one. */
function emitJob(x: BehaviorContext, inst: ElementInstance, job: JobEffect): void {
  setAdHoc(inst, { ...inst.adHoc, jobs: (inst.adHoc?.jobs ?? 0) + 1, jobKey: job.key });
  x.emit({ ...job, variables: x.visible(inst) });
}

function cancelOpenJob(x: BehaviorContext, inst: ElementInstance): void {
  const key = inst.adHoc?.jobKey;
  if (key === undefined) return;
  x.emit({ type: 'cancelJob', key, elementInstanceId: inst.id });
  setAdHoc(inst, { ...inst.adHoc, jobKey: undefined });
}

function closeAll(x: BehaviorContext, inst: ElementInstance, node: FlowNode): void {
  cancelOpenJob(x, inst);
  if (node.scope !== undefined)
    x.closeEventSubProcessSubscriptions(inst, node.scope.eventSubProcessIds);
}

/** Why a job result cannot apply (Zeebe rejects such a completion), or null. */
export function invalidResult(node: FlowNode, result: AdHocJobResult): string | null {
  const ids = result.activateElements.map((e) => e.elementId);
  const unknown = ids.filter((id) => !(node.adHoc?.activityIds ?? []).includes(id));
  if (unknown.length > 0) {
    return `the job result activates elements that the ad-hoc subprocess cannot activate: ${unknown.map((id) => `'${id}'`).join(', ')}`;
  }
  if (ids.length > 0 && result.isCompletionConditionFulfilled) {
    return 'the job result cannot activate elements and fulfil the completion condition at once';
  }
  return null;
}

/** Writes the state without undefined fields (it is stored as JSON). */
function setAdHoc(
  inst: ElementInstance,
  state: { -readonly [K in keyof AdHocState]: AdHocState[K] },
): void {
  for (const key of Object.keys(state) as (keyof AdHocState)[])
    if (state[key] === undefined) delete state[key];
  inst.adHoc = state;
}

const PATH = /^\s*([A-Za-z_$][\w$]*)(\.[A-Za-z_$][\w$]*)*\s*$/;

/** The variable an output element such as `= result` or `= result.total` reads, if it is only that. */
function outputElementVariable(adHoc: AdHocDefinition): string | undefined {
  const expression = adHoc.outputElement;
  if (expression === undefined) return undefined;
  const name = PATH.exec(expression.source)?.[1];
  return name !== undefined && expression.variables.includes(name) ? name : undefined;
}

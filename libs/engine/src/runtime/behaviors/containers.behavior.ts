import { FeelEvaluationError } from '../../feel/feel.types';
import type { FlowNode, MultiInstanceDefinition } from '../../model/model.types';
import type { ElementInstance, LoopState, Variables } from '../runtime.types';
import type { ActivateOutcome, BehaviorContext, ElementBehavior } from './behavior';

/** The process instance itself: opens its event subprocesses and enters at its start event. */
export const processBehavior = {
  activate(x: BehaviorContext, root: ElementInstance): void {
    root.entered = true;
    root.state = 'WAITING';
    delete root.pending;
    const startEventId = root.startEventId;
    delete root.startEventId;
    x.history('ELEMENT_ACTIVATED', root);
    if (!x.enterScope(root, startEventId)) x.checkScope(root.id);
  },
};

/** Embedded subprocess (event subprocesses are started by their trigger, not by a flow). */
export const subProcess: ElementBehavior = {
  activate(x, inst) {
    return x.enterScope(inst, undefined) ? 'wait' : 'complete';
  },
  completing(x, inst, node) {
    if (node.scope !== undefined) x.closeEventSubProcessSubscriptions(inst, node.scope.eventSubProcessIds);
  },
  terminate(x, inst, node) {
    if (node.scope !== undefined) x.closeEventSubProcessSubscriptions(inst, node.scope.eventSubProcessIds);
  },
};

/**
 * The multi-instance body wraps an activity: it evaluates the input
 * collection, runs one inner instance per item (all at once or one after the
 * other), collects the output collection and checks the completion condition
 * after every inner completion. Boundary events attach to the body.
 */
export const multiInstanceBody = {
  activate(x: BehaviorContext, body: ElementInstance, node: FlowNode): ActivateOutcome {
    const mi = node.multiInstance as MultiInstanceDefinition;
    let items: unknown[] | undefined;
    let total: number;
    if (mi.inputCollection !== undefined) {
      const value = x.evaluate(mi.inputCollection, body.parentId);
      if (!Array.isArray(value)) {
        throw new FeelEvaluationError(
          mi.inputCollection.source,
          `the input collection of multi-instance '${node.id}' must be a list, got ${JSON.stringify(value ?? null)}`,
        );
      }
      items = value;
      total = value.length;
    } else {
      const value = mi.loopCardinality === undefined ? null : x.evaluate(mi.loopCardinality, body.parentId);
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
        throw new FeelEvaluationError(
          mi.loopCardinality?.source ?? '',
          `the loop cardinality of multi-instance '${node.id}' must be a whole number >= 0, got ${JSON.stringify(value ?? null)}`,
        );
      }
      total = value;
    }
    body.loop = items === undefined ? { total, started: 0, completed: 0 } : { total, started: 0, completed: 0, items };
    if (mi.outputCollection !== undefined) {
      x.setLocalVariables(body, { [mi.outputCollection]: new Array<unknown>(total).fill(null) }, false);
    }
    if (total === 0) return 'complete';
    const first = mi.sequential ? 1 : total;
    for (let i = 0; i < first; i++) startInner(x, body, node, mi);
    return 'wait';
  },

  /** Before an inner instance is removed: collect its output element; returns whether the completion condition holds. */
  innerCompleting(x: BehaviorContext, inner: ElementInstance, node: FlowNode): boolean {
    const mi = node.multiInstance as MultiInstanceDefinition;
    const body = (x.element(inner.parentId as string) as ElementInstance);
    const loop = body.loop as LoopState;
    if (mi.outputCollection !== undefined && mi.outputElement !== undefined) {
      const value = x.evaluate(mi.outputElement, inner.id);
      // Collected into the body's loop state, not read back from the variable: a child or worker
      // that hands back every variable it saw writes its stale copy of the collection over the
      // variable (the lost results of camunda/camunda#11476).
      const collected = loop.collected !== undefined ? [...loop.collected] : new Array<unknown>(loop.total).fill(null);
      collected[inner.loopIndex as number] = value;
      loop.collected = collected;
      // The item is checked now, the whole collection when it leaves the body (`completing`):
      // checking it whole at every item would cost quadratic time on a large loop.
      x.checkVariables({ [`${mi.outputCollection}[${inner.loopIndex as number}]`]: value });
      x.setLocalVariables(body, { [mi.outputCollection]: collected }, false);
    }
    if (mi.completionCondition === undefined) return false;
    const counters: Variables = {
      numberOfInstances: loop.total,
      numberOfCompletedInstances: loop.completed + 1,
      numberOfActiveInstances: x.childIds(body.id).length - 1,
    };
    return x.evaluate(mi.completionCondition, inner.id, counters) === true;
  },

  /** After an inner instance completed: start the next (sequential), or finish the body. */
  innerCompleted(x: BehaviorContext, bodyId: string, node: FlowNode, conditionMet: boolean): void {
    const body = (x.element(bodyId) as ElementInstance);
    if (body === undefined) return;
    const mi = node.multiInstance as MultiInstanceDefinition;
    const loop = body.loop as LoopState;
    loop.completed += 1;
    if (conditionMet) {
      let waits = false;
      for (const childId of x.childIds(body.id)) if (!x.terminate(x.element(childId) as ElementInstance)) waits = true;
      // Inner instances running canceling task listeners: the body completes once they are terminated.
      if (!waits) x.schedule(body, 'complete');
      return;
    }
    if (mi.sequential && loop.started < loop.total) {
      startInner(x, body, node, mi);
      return;
    }
    if (!x.hasChildren(body.id)) x.schedule(body, 'complete');
  },

  /** The body completes: its output collection goes to the enclosing scope. */
  completing(x: BehaviorContext, body: ElementInstance, node: FlowNode): void {
    const name = node.multiInstance?.outputCollection;
    if (name === undefined) return;
    const collected = body.loop?.collected ?? body.variables?.[name] ?? [];
    x.propagateVariables(body.parentId as string, { [name]: collected });
  },
};

function startInner(x: BehaviorContext, body: ElementInstance, node: FlowNode, mi: MultiInstanceDefinition): void {
  const loop = body.loop as LoopState;
  const index = loop.started;
  loop.started += 1;
  const variables: Variables = {};
  // Camunda 8: an output element that just names a variable (or a property of one) gets that
  // variable as a null local of the inner instance, so what a job, child or mapping sets under
  // that name stays in this inner instance instead of being shared by all of them.
  const outputVariable = outputElementVariable(mi);
  if (outputVariable !== undefined) variables[outputVariable] = null;
  if (mi.inputElement !== undefined) variables[mi.inputElement] = loop.items?.[index] ?? null;
  variables.loopCounter = index + 1;
  const inner = x.create(node, body.id, { state: 'READY', pending: 'activate', loopIndex: index, variables });
  x.schedule(inner, 'activate');
}

const PATH = /^\s*([A-Za-z_$][\w$]*)(\.[A-Za-z_$][\w$]*)*\s*$/;

/** The variable an output element such as `= result` or `= result.total` reads, if it is only that. */
function outputElementVariable(mi: MultiInstanceDefinition): string | undefined {
  const expression = mi.outputElement;
  if (expression === undefined) return undefined;
  const name = PATH.exec(expression.source)?.[1];
  return name !== undefined && expression.variables.includes(name) ? name : undefined;
}

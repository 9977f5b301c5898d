import { feelFunction, toJsonValue } from '../feel-adapter';
import { defineEntry, definedFunction, typeFailure } from '../compile/boxed-expressions';
import {
  internalsOf,
  type DecisionNode,
  type DrgInternals,
  type KnowledgeNode,
} from '../compile/compile-drg';
import type { TableAudit } from '../compile/decision-table';
import {
  DmnErrorCode,
  type CompiledDrg,
  type DecisionEvaluation,
  type DmnEnv,
  type DmnEvaluationError,
} from '../dmn.types';
import { asFailure, DmnFailure, nested, type Evaluator, type Frame, type Scope } from './frame';

/**
 * Evaluates one decision of a compiled graph against `variables` (JSON
 * values, or FEEL values). Its required decisions are evaluated first, each
 * once per call, and their results passed by their result names; knowledge
 * models and decision services it requires are in scope as functions. Never
 * throws for anything the model or the variables do: a failure is a result
 * naming the decision and the element at fault.
 */
export function evaluateDecision(
  drg: CompiledDrg,
  decisionId: string,
  variables: Readonly<Record<string, unknown>>,
  env: DmnEnv,
): DecisionEvaluation {
  const outcome = runDecision(drg, decisionId, variables, env);
  if (!outcome.ok) return outcome;
  const node = internalsOf(drg).decisions.get(decisionId) as DecisionNode;
  return {
    ok: true,
    decisionId,
    decisionName: node.info.name,
    output: toJsonValue(outcome.value),
    evaluatedDecisions: outcome.evaluatedDecisions,
  };
}

export type RawOutcome =
  | {
      readonly ok: true;
      /** The FEEL value, before it is turned into JSON. */
      readonly value: unknown;
      readonly evaluatedDecisions: DecisionEvaluation['evaluatedDecisions'];
    }
  | Extract<DecisionEvaluation, { ok: false }>;

/** {@link evaluateDecision}, with the result as a FEEL value (conformance tests compare typed values). */
export function runDecision(
  drg: CompiledDrg,
  decisionId: string,
  variables: Readonly<Record<string, unknown>>,
  env: DmnEnv,
): RawOutcome {
  const graph = internalsOf(drg);
  const node = graph.decisions.get(decisionId);
  if (node === undefined) {
    return notFound(decisionId, `no decision with id '${decisionId}' in the graph '${drg.id}'`);
  }
  const frame = newFrame(graph, env);
  try {
    const value = evaluateNode(graph, node, variables, frame);
    return { ok: true, value, evaluatedDecisions: frame.audit };
  } catch (e) {
    return failed(decisionId, e, frame, node);
  }
}

/**
 * Invokes a decision service with its parameters by name: the result of its
 * single output decision, or a context of its output decisions' results.
 */
export function runDecisionService(
  drg: CompiledDrg,
  serviceId: string,
  parameters: Readonly<Record<string, unknown>>,
  env: DmnEnv,
): RawOutcome {
  const graph = internalsOf(drg);
  const service = graph.knowledge.get(serviceId);
  if (service === undefined || service.kind !== 'service') {
    return notFound(
      serviceId,
      `no decision service with id '${serviceId}' in the graph '${drg.id}'`,
    );
  }
  const frame = newFrame(graph, env);
  try {
    const args = service.parameters.map((p) =>
      Object.hasOwn(parameters, p) ? parameters[p] : null,
    );
    const value = callService(graph, service, args, frame);
    return { ok: true, value, evaluatedDecisions: frame.audit };
  } catch (e) {
    return failed(serviceId, e, frame, undefined);
  }
}

function newFrame(graph: DrgInternals, env: DmnEnv): Frame {
  return { env, limits: graph.limits, steps: 0, depth: 0, audit: [], results: new Map() };
}

function notFound(id: string, message: string): RawOutcome {
  return {
    ok: false,
    error: {
      code: DmnErrorCode.DECISION_NOT_FOUND,
      message: `Expected to evaluate decision '${id}', but ${message}`,
      decisionId: id,
      elementId: null,
      elementType: null,
    },
    evaluatedDecisions: [],
  };
}

function failed(
  requested: string,
  e: unknown,
  frame: Frame,
  node: DecisionNode | undefined,
): RawOutcome {
  const failure =
    e instanceof DmnFailure
      ? e
      : asFailure(
          e,
          node?.culprit ?? { elementId: null, elementType: null },
          'the evaluation failed',
        );
  const error: DmnEvaluationError = {
    code: failure.code,
    message: `Expected to evaluate decision '${requested}', but ${failure.message}`,
    decisionId: failure.decisionId ?? requested,
    elementId: failure.culprit.elementId,
    elementType: failure.culprit.elementType,
  };
  return { ok: false, error, evaluatedDecisions: frame.audit };
}

function evaluateNode(
  graph: DrgInternals,
  node: DecisionNode,
  variables: Scope,
  frame: Frame,
): unknown {
  const id = node.info.id;
  if (frame.results.has(id)) return frame.results.get(id);
  return nested(frame, node.culprit, () => {
    const scope: Record<string, unknown> = { ...variables };
    for (const required of node.requiredDecisions) {
      const requiredNode = graph.decisions.get(required) as DecisionNode;
      defineEntry(
        scope,
        requiredNode.info.resultName,
        evaluateNode(graph, requiredNode, variables, frame),
      );
    }
    let value: unknown;
    const audit: TableAudit | undefined = node.table ? { inputs: [], rules: [] } : undefined;
    try {
      for (const knowledgeId of node.knowledge) {
        const knowledge = graph.knowledge.get(knowledgeId) as KnowledgeNode;
        defineEntry(scope, knowledge.name, knowledgeFunction(graph, knowledge, frame));
      }
      value = node.table ? node.table.run(scope, frame, audit) : node.logic(scope, frame);
      if (node.table && node.resultType) value = node.resultType(value);
    } catch (e) {
      const failure = asFailure(e, node.culprit, 'the evaluation failed');
      failure.decisionId ??= id;
      throw failure;
    }
    frame.results.set(id, value);
    frame.audit.push({
      decisionId: id,
      decisionName: node.info.name,
      decisionType: node.info.decisionType,
      ...(node.info.versionTag !== undefined ? { versionTag: node.info.versionTag } : {}),
      output: toJsonValue(value),
      evaluatedInputs: audit?.inputs ?? [],
      matchedRules: audit?.rules ?? [],
    });
    return value;
  });
}

/** A knowledge model or decision service as the FEEL function its requirers call. */
function knowledgeFunction(graph: DrgInternals, knowledge: KnowledgeNode, frame: Frame): unknown {
  if (knowledge.kind === 'service') {
    return feelFunction(knowledge.parameters, (args) => callService(graph, knowledge, args, frame));
  }
  // the body sees its parameters and the knowledge it requires, nothing of its caller
  const scope: Record<string, unknown> = {};
  for (const requiredId of knowledge.knowledge) {
    const required = graph.knowledge.get(requiredId) as KnowledgeNode;
    // created when called: knowledge models may require each other
    defineLazy(scope, required.name, () => knowledgeFunction(graph, required, frame));
  }
  const inner = knowledge.body ?? (() => null);
  const output = knowledge.output;
  const body: Evaluator =
    output === undefined
      ? inner
      : (scope, frame) => checkedOutput(knowledge, output, inner(scope, frame));
  return definedFunction(
    knowledge.parameters,
    body,
    scope,
    knowledge.culprit,
    frame,
    knowledge.check,
  );
}

function checkedOutput(
  invocable: KnowledgeNode,
  output: NonNullable<KnowledgeNode['output']>,
  value: unknown,
): unknown {
  const checked = output.conformance(value);
  if (checked.ok) return checked.value;
  throw typeFailure(value, output.typeRef, invocable.culprit, `the result of '${invocable.name}'`);
}

function defineLazy(target: Record<string, unknown>, name: string, make: () => unknown): void {
  let made = false;
  let value: unknown;
  Object.defineProperty(target, name, {
    enumerable: true,
    configurable: true,
    get: () => {
      if (!made) {
        value = make();
        made = true;
      }
      return value;
    },
  });
}

function callService(
  graph: DrgInternals,
  service: KnowledgeNode,
  args: readonly unknown[],
  outer: Frame,
): unknown {
  if (args.length !== service.parameters.length) {
    throw new DmnFailure(
      DmnErrorCode.DECISION_EVALUATION_ERROR,
      `the decision service '${service.name}' takes ${service.parameters.length} parameters, but got ${args.length}`,
      service.culprit,
    );
  }
  const checked = [...args];
  service.check?.(checked, service.culprit);
  return nested(outer, service.culprit, () => {
    // a service evaluates its decisions afresh: its input decisions come from
    // its parameters, not from the caller's evaluation of them
    const frame: Frame = { ...outer, results: new Map() };
    const variables: Record<string, unknown> = {};
    const inputNames = service.parameters;
    inputNames.forEach((name, i) =>
      defineEntry(variables, name, i < checked.length ? checked[i] : null),
    );
    service.inputDecisions.forEach((decisionId, i) => {
      const value = checked[service.inputData.length + i] ?? null;
      frame.results.set(decisionId, value);
    });
    try {
      const results = service.outputDecisions.map((decisionId) => {
        const node = graph.decisions.get(decisionId) as DecisionNode;
        return [node.info.resultName, evaluateNode(graph, node, variables, frame)] as const;
      });
      let value: unknown;
      if (results.length === 1) {
        value = results[0][1];
      } else {
        const context: Record<string, unknown> = {};
        for (const [name, result] of results) defineEntry(context, name, result);
        value = context;
      }
      return service.output === undefined ? value : checkedOutput(service, service.output, value);
    } finally {
      outer.steps = frame.steps;
    }
  });
}

import {
  evaluate,
  parseExpression,
  type EvaluationResult,
  type Warning,
  type WarningType,
} from 'feelin';
import {
  compileTree,
  isCallTarget,
  nameOf,
  NotCompilable,
  type Evaluator,
  type FeelTree,
} from './feel-compiler';
import { FEEL_DIALECT } from './feel-dialect';
import { NotJsonError, toJsonValue } from './feel-json';
import { calledFunction, describeFailure, findSyntaxProblem } from './feel-messages';
import { DEFER } from './feel-semantics';
import {
  FeelEvaluationError,
  FeelSyntaxError,
  type CompiledExpression,
  type CompiledFeelExpression,
  type EvaluationMode,
} from './feel.types';

/**
 * FEEL expressions are parsed once, at deploy time, with feelin's parser and
 * compiled to JavaScript closures (feel-compiler.ts). feelin stays the
 * reference: an expression using a construct the compiler does not cover is
 * evaluated by feelin's `evaluate` as a whole (`mode: 'fallback'`), and the
 * compiled path hands over to feelin, for one evaluation, when it meets a
 * value only feelin models (a date passed in as a variable, say).
 *
 * Either way an evaluation reads only the context entries named in
 * `variables` (the compiled path also looks up a called function's name,
 * which is not a variable, so the engine never puts it in the context).
 * feelin gets a context holding just those names, which also keeps its
 * context-sensitive parser reading the expression the way it was compiled.
 *
 * Errors. feelin throws for few problems; most evaluate to `null` with a
 * warning. Baton's rule:
 * - a call that cannot run is a {@link FeelEvaluationError} (an incident for
 *   the engine), because its `null` would otherwise steer the process
 *   silently: no such function (`NO_FUNCTION_FOUND`, e.g. `is defined(x)`,
 *   which feelin 8 lacks), parameters the function does not take
 *   (`FUNCTION_INVOCATION_FAILURE`), arguments it rejects
 *   (`INVALID_ARGUMENTS`, e.g. `number("abc")`), an unsupported construct
 *   (`UNSUPPORTED`);
 * - missing variables and context entries (`NO_VARIABLE_FOUND`,
 *   `NO_CONTEXT_ENTRY_FOUND`, `NO_PROPERTY_FOUND`) and operands of the wrong
 *   type (`INVALID_TYPE`, `NOT_COMPARABLE`, e.g. `1 + "a"`) are FEEL's null
 *   rules, not errors: they evaluate to `null`;
 * - feelin throwing (`x > [1, 2]`: a list cannot bound a comparison) and a
 *   result no variable can hold (a function, a range) are errors too.
 */

const ERROR_WARNINGS: ReadonlySet<WarningType> = new Set<WarningType>([
  'NO_FUNCTION_FOUND',
  'FUNCTION_INVOCATION_FAILURE',
  'INVALID_ARGUMENTS',
  'UNSUPPORTED',
]);

const hasOwn = Object.prototype.hasOwnProperty;

type Context = Readonly<Record<string, unknown>>;

export function compileExpression(source: string): CompiledFeelExpression {
  const tree = parse(source);
  const variables: readonly string[] = Object.freeze(readVariables(tree, source));
  const viaFeelin = (context: Context): unknown => evaluateWithFeelin(source, variables, context);
  const { program, fallbackReason } = compileProgram(tree, source, variables);
  if (program === undefined) {
    return describeMode({ source, variables, evaluate: viaFeelin }, 'fallback', fallbackReason);
  }
  const evaluateCompiled = (context: Context): unknown => {
    for (let i = 0; i < variables.length; i++) {
      const name = variables[i];
      if (hasOwn.call(context, name) && !isJsonShaped(context[name])) return viaFeelin(context);
    }
    let value: unknown;
    try {
      value = program(context);
    } catch (e) {
      if (e === DEFER) return viaFeelin(context);
      throw evaluationError(source, e);
    }
    return toJson(source, value);
  };
  return describeMode({ source, variables, evaluate: evaluateCompiled }, 'compiled', undefined);
}

function parse(source: string): FeelTree {
  let tree: FeelTree;
  try {
    tree = parseExpression(source, {}, FEEL_DIALECT);
  } catch (e) {
    throw new FeelSyntaxError(source, `the expression does not parse: ${messageOf(e)}`);
  }
  const problem = findSyntaxProblem(tree, source);
  if (problem !== undefined) {
    throw new FeelSyntaxError(source, problem.message, { from: problem.from, to: problem.to });
  }
  return tree;
}

/**
 * Every name the expression reads as a variable, in order. Names bound
 * inside it (`for x in ...`, `item`) are included: where they are not bound,
 * feelin reads them from the variables. Function names are not variables.
 */
function readVariables(tree: FeelTree, source: string): string[] {
  const names = new Set<string>();
  tree.iterate({
    enter: (ref) => {
      if (ref.type.isSkipped) return false;
      if (ref.name !== 'VariableName') return undefined;
      const node = ref.node;
      if (!isCallTarget(node)) names.add(nameOf(node, source) ?? source.slice(node.from, node.to));
      return false;
    },
  });
  return [...names];
}

function compileProgram(
  tree: FeelTree,
  source: string,
  variables: readonly string[],
): { program?: Evaluator; fallbackReason?: string } {
  if (!parsesAlike(tree, source, variables)) {
    return { fallbackReason: 'the expression parses differently once its variables are known' };
  }
  try {
    return { program: compileTree(tree, source) };
  } catch (e) {
    if (e instanceof NotCompilable) return { fallbackReason: e.message };
    throw e;
  }
}

/**
 * feelin parses against the variables it is given: with a variable named
 * `order-id`, the text `order-id` is that name, not a subtraction. The
 * compiled tree was parsed without variables, so it is only used when
 * knowing them does not change the parse.
 */
function parsesAlike(tree: FeelTree, source: string, variables: readonly string[]): boolean {
  if (variables.length === 0) return true;
  const context = Object.fromEntries(variables.map((name) => [name, null]));
  return treeShape(parseExpression(source, context, FEEL_DIALECT)) === treeShape(tree);
}

function treeShape(tree: FeelTree): string {
  const parts: string[] = [];
  tree.iterate({
    enter: (ref) => {
      parts.push(`${ref.name}:${ref.from}-${ref.to}`);
    },
  });
  return parts.join(' ');
}

function evaluateWithFeelin(
  source: string,
  variables: readonly string[],
  context: Context,
): unknown {
  const visible: Record<string, unknown> = {};
  for (const name of variables) {
    if (hasOwn.call(context, name)) visible[name] = context[name];
  }
  let result: EvaluationResult<unknown>;
  try {
    result = evaluate(source, visible, FEEL_DIALECT);
  } catch (e) {
    throw evaluationError(source, e);
  }
  const failure = result.warnings.find((warning) => ERROR_WARNINGS.has(warning.type));
  if (failure !== undefined) {
    throw new FeelEvaluationError(
      source,
      `cannot evaluate '${source}': ${describeWarning(failure, source)}`,
    );
  }
  return toJson(source, result.value);
}

function describeWarning(warning: Warning, source: string): string {
  const { from, to } = warning.position;
  return describeFailure(warning.type, warning.message, calledFunction(source, from, to));
}

/**
 * Variables are JSON values. Anything else at the top (a `Date`, a Temporal
 * value) is evaluated by feelin, which converts such values to FEEL ones.
 */
function isJsonShaped(value: unknown): boolean {
  switch (typeof value) {
    case 'object':
      return (
        value === null || Array.isArray(value) || Object.getPrototypeOf(value) === Object.prototype
      );
    case 'function':
    case 'bigint':
    case 'symbol':
      return false;
    default:
      return true;
  }
}

function toJson(source: string, value: unknown): unknown {
  try {
    return toJsonValue(value);
  } catch (e) {
    if (e instanceof NotJsonError)
      throw new FeelEvaluationError(source, `cannot evaluate '${source}': ${e.message}`);
    throw e;
  }
}

function evaluationError(source: string, error: unknown): FeelEvaluationError {
  if (error instanceof FeelEvaluationError) return error;
  return new FeelEvaluationError(source, `cannot evaluate '${source}': ${messageOf(error)}`);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** `mode` and `fallbackReason` are for diagnostics and tests: not enumerable, so not part of equality. */
function describeMode(
  expression: CompiledExpression,
  mode: EvaluationMode,
  fallbackReason: string | undefined,
): CompiledFeelExpression {
  Object.defineProperty(expression, 'mode', { value: mode, enumerable: false });
  if (fallbackReason !== undefined) {
    Object.defineProperty(expression, 'fallbackReason', {
      value: fallbackReason,
      enumerable: false,
    });
  }
  return expression as CompiledFeelExpression;
}

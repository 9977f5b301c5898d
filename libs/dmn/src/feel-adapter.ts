/**
 * The one place where the DMN core meets a FEEL implementation.
 *
 * Everything else in libs/dmn calls {@link compileExpression},
 * {@link compileUnaryTests}, {@link feelFunction}, {@link invokeFunction}
 * and {@link toJsonValue} from here, so moving to another FEEL engine is a
 * change to this file only. Today it is built on Baton's FEEL
 * (`@baton/engine`'s `compileExpression`, compiled closures over JSON
 * values) with feelin as the reference and the fallback:
 *
 * - Decisions pass FEEL values between them (dates, durations, functions of
 *   business knowledge models), which the engine's compiled expressions
 *   turn into JSON. An expression takes the compiled path only when every
 *   variable it reads is a JSON value and it parses the same way with and
 *   without the names in scope; otherwise feelin evaluates it and its
 *   FEEL value is kept as is.
 * - feelin reads names with spaces (`Monthly Salary`) only when it knows
 *   them, so compiling takes the names in scope (input data, decisions,
 *   knowledge models, context entries, parameters).
 * - A unary test made of comparisons, intervals and literals compiles to
 *   `<input> in (<tests>)`; anything else (`?`, function calls, names that
 *   may hold booleans or lists) is left to feelin's `unaryTest`, whose
 *   expression-as-test semantics the `in` operator does not have.
 * - The clock: `now()` and `today()` read {@link FeelEnv.now}, never the
 *   machine's clock.
 */
import {
  compileExpression as compileBatonExpression,
  FeelEvaluationError,
  FeelSyntaxError,
  type CompiledExpression as CompiledFeelExpression,
} from '@baton/engine';
import {
  date,
  dateAndTime,
  evaluate,
  FeelFunction,
  FeelDate,
  FeelDateTime,
  FeelDuration,
  FeelRange,
  FeelTime,
  isFunction,
  parseExpression,
  parseUnaryTests,
  unaryTest,
  type EvaluationResult,
  type Warning,
  type WarningType,
} from 'feelin';

export { FeelEvaluationError, FeelSyntaxError };

/** What an evaluation may need from outside: the clock. */
export interface FeelEnv {
  /** Epoch milliseconds; `now()` and `today()` read it (in UTC). */
  now(): number;
}

export interface CompiledExpression {
  readonly source: string;
  /** Names the expression reads from its context (may over-approximate). */
  readonly variables: readonly string[];
  /** Evaluates to a FEEL value; throws {@link FeelEvaluationError}. */
  evaluate(context: Readonly<Record<string, unknown>>, env?: FeelEnv): unknown;
}

export interface CompiledUnaryTests {
  readonly source: string;
  readonly variables: readonly string[];
  /** `true` when `input` passes, `false` when not, `null` when the test cannot tell. */
  test(input: unknown, context?: Readonly<Record<string, unknown>>, env?: FeelEnv): boolean | null;
}

const DIALECT = 'camunda';
/** The name the input value is bound to on the compiled path of a unary test. */
const INPUT = '__dmn_input__';
const hasOwn = Object.prototype.hasOwnProperty;
const EMPTY: Readonly<Record<string, unknown>> = Object.freeze({});

/** feelin warnings that mean the expression failed rather than evaluated to null. */
const ERROR_WARNINGS: ReadonlySet<WarningType> = new Set<WarningType>([
  'NO_FUNCTION_FOUND',
  'FUNCTION_INVOCATION_FAILURE',
  'INVALID_ARGUMENTS',
  'UNSUPPORTED',
]);

type Tree = ReturnType<typeof parseExpression>;

/**
 * Compiles a FEEL expression once. `names` are the names in scope where it
 * is evaluated (needed for names with spaces). Throws {@link FeelSyntaxError}.
 */
export function compileExpression(
  source: string,
  names: readonly string[] = [],
): CompiledExpression {
  const scopeNames = namesContext(names);
  const tree = parseOrThrow(source, () => parseExpression(source, scopeNames, DIALECT));
  const variables = readNames(tree, source, scopeNames);
  // the compiled closure is built on first use: a graph may hold many
  // expressions that are never evaluated on the compiled path
  let fast: CompiledFeelExpression | undefined | null = null;
  return {
    source,
    variables,
    evaluate: (context, env) => {
      if (fast === null) fast = fastPath(source, tree, () => compileBatonExpression(source));
      if (fast !== undefined && allJson(context, variables)) return runFast(fast, context);
      return viaFeelin(source, variables, context, env, (text, ctx) =>
        evaluate(text, ctx, DIALECT),
      );
    },
  };
}

/** Compiles the unary tests of an input entry once. Throws {@link FeelSyntaxError}. */
export function compileUnaryTests(
  source: string,
  names: readonly string[] = [],
): CompiledUnaryTests {
  const trimmed = source.trim();
  if (trimmed === '' || trimmed === '-') {
    return { source, variables: [], test: () => true };
  }
  const scopeNames = namesContext(names);
  const tree = parseOrThrow(source, () => parseUnaryTests(source, scopeNames, DIALECT));
  const variables = readNames(tree, source, scopeNames);
  const parts = positiveTests(tree, source);
  const literal = literalPredicate(tree, source);
  if (literal !== undefined) return { source, variables: [], test: literal };
  const asIn = simpleTestsAsIn(parts);
  const fast =
    asIn === undefined
      ? undefined
      : fastPath(asIn, parseExpression(asIn, scopeNames, DIALECT), () =>
          compileBatonExpression(asIn),
        );
  return {
    source,
    variables,
    test: (input, context = EMPTY, env) => {
      if (fast !== undefined && isJson(input) && allJson(context, variables)) {
        const scope: Record<string, unknown> = { [INPUT]: input };
        for (const name of variables) {
          if (hasOwn.call(context, name))
            Object.defineProperty(scope, name, { value: context[name], enumerable: true });
        }
        return asTestResult(runFast(fast, scope));
      }
      if (parts === undefined || parts.tests.some((t) => t.usesInput)) {
        const result = viaFeelin(source, variables, context, env, (text, ctx) =>
          unaryTest(text, { ...ctx, '?': input }, DIALECT),
        );
        return asTestResult(result);
      }
      return testEach(parts, input, variables, context, env);
    },
  };
}

/** A FEEL function value backed by a JavaScript implementation (knowledge models, decision services). */
export function feelFunction(
  parameters: readonly string[],
  implementation: (args: readonly unknown[]) => unknown,
): unknown {
  const fn = (...args: unknown[]): unknown => {
    try {
      return implementation(args);
    } catch (e) {
      // feelin would turn a thrown error into its own; carry ours through it unchanged
      throw new HostFailure(e);
    }
  };
  return new FeelFunction(fn, [...parameters]);
}

export function isFeelFunction(value: unknown): boolean {
  // feelin hands built-ins out as plain functions (`bkm(abs)`)
  return isFunction(value) || typeof value === 'function';
}

/** The parameter names of a FEEL function value. */
export function functionParameters(value: unknown): readonly string[] {
  return isFunction(value) ? value.parameterNames : [];
}

/** Calls a FEEL function value with positional arguments. */
export function invokeFunction(fn: unknown, args: readonly unknown[]): unknown {
  if (!isFunction(fn)) throw new FeelEvaluationError('', 'the value is not a function');
  let result: unknown;
  try {
    result = fn.invoke([...args]);
  } catch (e) {
    throw unwrap(e);
  }
  if (isInvocationFailure(result)) {
    throw new FeelEvaluationError('', 'the function does not take these arguments');
  }
  return result;
}

/**
 * A FEEL value as JSON, the way it is stored as a variable or shown in an
 * audit: temporal values become ISO 8601 strings, functions and ranges
 * `null`, non-finite numbers `null`.
 */
export function toJsonValue(value: unknown): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : null;
    case 'object': {
      if (value === null) return null;
      if (Array.isArray(value)) return value.map(toJsonValue);
      if (value instanceof FeelDateTime) return value.toString();
      if (value instanceof FeelDate || value instanceof FeelTime || value instanceof FeelDuration)
        return value.toString();
      if (value instanceof FeelRange || isFunction(value)) return null;
      if (value instanceof Date) return value.toISOString();
      const result: Record<string, unknown> = {};
      for (const key of Object.keys(value)) {
        Object.defineProperty(result, key, {
          value: toJsonValue((value as Record<string, unknown>)[key]),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return result;
    }
    default:
      return null;
  }
}

/** The FEEL type of a value, as DMN type references name them. */
export function valueType(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'function':
      return 'function';
    case 'object':
      if (value === null) return 'null';
      if (Array.isArray(value)) return 'list';
      if (value instanceof FeelDateTime) return 'date and time';
      if (value instanceof FeelDate) return 'date';
      if (value instanceof FeelTime) return 'time';
      if (value instanceof FeelDuration) {
        return value.yearsMonths ? 'years and months duration' : 'days and time duration';
      }
      if (value instanceof FeelRange) return 'range';
      if (isFunction(value)) return 'function';
      return Object.getPrototypeOf(value) === Object.prototype ||
        Object.getPrototypeOf(value) === null
        ? 'context'
        : 'unknown';
    default:
      return 'unknown';
  }
}

/** FEEL equality of two values as decision tables need it (ANY hit policy, output priorities). */
export function feelEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  try {
    return evaluate('a = b', { a, b }, DIALECT).value === true;
  } catch {
    return false;
  }
}

// internals /////////////////////////////////////////////////////////

/** An error thrown by a host function, carried through feelin. */
class HostFailure extends Error {
  constructor(readonly original: unknown) {
    super(original instanceof Error ? original.message : String(original));
  }
}

function unwrap(error: unknown): unknown {
  return error instanceof HostFailure ? error.original : error;
}

function isInvocationFailure(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    value.constructor?.name === 'InvocationFailure' &&
    typeof (value as { warning?: unknown }).warning === 'string'
  );
}

const PLAIN_NAME = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * The names feelin must know to parse: those with spaces or operator
 * characters. Plain identifiers parse the same either way, and a large
 * context slows feelin's tokenizer down.
 */
function namesContext(names: readonly string[]): Record<string, unknown> {
  const context: Record<string, unknown> = {};
  for (const name of names) if (!PLAIN_NAME.test(name)) context[name] = null;
  return context;
}

function parseOrThrow(source: string, parse: () => Tree): Tree {
  let tree: Tree;
  try {
    tree = parse();
  } catch (e) {
    throw new FeelSyntaxError(source, `'${source}' does not parse: ${messageOf(e)}`);
  }
  let error: { from: number } | undefined;
  tree.iterate({
    enter: (node) => {
      if (error !== undefined) return false;
      if (node.type.isError) {
        error = { from: node.from };
        return false;
      }
      return undefined;
    },
  });
  if (error !== undefined) {
    throw new FeelSyntaxError(
      source,
      `'${source}' does not parse: unexpected input at column ${error.from + 1}`,
      { from: error.from, to: error.from + 1 },
    );
  }
  return tree;
}

/** Names the tree reads: variables and called functions that are in scope (knowledge models). */
function readNames(tree: Tree, source: string, scope: Record<string, unknown>): string[] {
  const names = new Set<string>();
  tree.iterate({
    enter: (node) => {
      if (node.name !== 'VariableName' && node.name !== 'Name') return undefined;
      const text = source.slice(node.from, node.to).trim();
      const name = text.startsWith('`') && text.endsWith('`') ? text.slice(1, -1) : text;
      names.add(name);
      return false;
    },
  });
  // a name feelin read as one token may also be the prefix of a longer name in scope
  for (const candidate of Object.keys(scope)) if (source.includes(candidate)) names.add(candidate);
  return [...names];
}

/**
 * The engine's compiled closure for `source`, when it reads the expression
 * exactly as feelin does with the names in scope.
 */
function fastPath(
  source: string,
  scopedTree: Tree,
  compile: () => CompiledFeelExpression,
): CompiledFeelExpression | undefined {
  let compiled: CompiledFeelExpression;
  try {
    compiled = compile();
  } catch {
    return undefined;
  }
  const bare = parseExpression(source, {}, DIALECT);
  return treeShape(bare) === treeShape(scopedTree) ? compiled : undefined;
}

function treeShape(tree: Tree): string {
  const parts: string[] = [];
  tree.iterate({
    enter: (node) => {
      parts.push(`${node.name}:${node.from}-${node.to}`);
    },
  });
  return parts.join(' ');
}

function runFast(
  fast: CompiledFeelExpression,
  context: Readonly<Record<string, unknown>>,
): unknown {
  try {
    return fast.evaluate(context);
  } catch (e) {
    throw unwrap(e);
  }
}

interface PositiveTest {
  readonly text: string;
  /** A comparison, an interval or a literal: what `in` tests the same way. */
  readonly simple: boolean;
  /** Reads `?`, which only feelin's unary-test evaluation binds. */
  readonly usesInput: boolean;
}

interface Tests {
  readonly negated: boolean;
  readonly tests: readonly PositiveTest[];
}

function positiveTests(tree: Tree, source: string): Tests | undefined {
  const top = tree.topNode;
  if (top.name !== 'UnaryTests') return undefined;
  const first = top.firstChild;
  const negated = first !== null && source.slice(first.from, first.to) === 'not';
  const tests: PositiveTest[] = [];
  const visit = (node: Node): void => {
    for (let c = node.firstChild; c !== null; c = c.nextSibling) {
      if (c.name === 'PositiveUnaryTests') {
        visit(c);
      } else if (c.name === 'PositiveUnaryTest') {
        const inner = c.firstChild;
        const text = source.slice(c.from, c.to);
        tests.push({
          text,
          simple: inner !== null && isSimpleTest(inner, source),
          usesInput: readsInput(c),
        });
      }
    }
  };
  visit(top);
  return tests.length === 0 ? undefined : { negated, tests };
}

type Predicate = (input: unknown) => boolean;

/**
 * Unary tests made only of literals (`"gold", "silver"`, `[1..10]`,
 * `>= 18`, `not(true)`) as a plain JavaScript predicate: the form most
 * decision tables use, and the one a table tests on every rule. It keeps
 * feelin's `unaryTest` semantics (held to them by feel-adapter.spec.ts):
 * a test matches only when it is true, values of different types never
 * match, `not(...)` matches whatever its tests do not.
 */
function literalPredicate(tree: Tree, source: string): ((input: unknown) => boolean) | undefined {
  const top = tree.topNode;
  if (top.name !== 'UnaryTests') return undefined;
  const first = top.firstChild;
  const negated = first !== null && source.slice(first.from, first.to) === 'not';
  const predicates: Predicate[] = [];
  let ok = true;
  const visit = (node: Node): void => {
    for (let c = node.firstChild; c !== null && ok; c = c.nextSibling) {
      if (c.name === 'PositiveUnaryTests') visit(c);
      else if (c.name === 'PositiveUnaryTest') {
        const predicate = c.firstChild === null ? undefined : literalTest(c.firstChild, source);
        if (predicate === undefined) ok = false;
        else predicates.push(predicate);
      }
    }
  };
  visit(top);
  if (!ok || predicates.length === 0) return undefined;
  return (input) => {
    let matched = false;
    for (let i = 0; i < predicates.length && !matched; i++) matched = predicates[i](input);
    return negated ? !matched : matched;
  };
}

function literalTest(node: Node, source: string): Predicate | undefined {
  if (node.name === 'SimplePositiveUnaryTest') {
    const op = node.firstChild;
    if (op === null) return undefined;
    if (op.name === 'Interval') return intervalTest(op, source);
    if (op.name !== 'CompareOp') return undefined;
    const operand = op.nextSibling;
    const value = operand === null ? undefined : literalValue(operand, source);
    if (typeof value !== 'number' && typeof value !== 'string') return undefined;
    return comparison(source.slice(op.from, op.to).trim(), value);
  }
  const value = literalValue(node, source);
  if (value === undefined) return undefined;
  return (input) => input === value;
}

function intervalTest(node: Node, source: string): Predicate | undefined {
  const text = source.slice(node.from, node.to).trim();
  const parts: Node[] = [];
  for (let c = node.firstChild; c !== null; c = c.nextSibling) {
    if (c.name !== '[' && c.name !== ']' && c.name !== '(' && c.name !== ')' && c.name !== '..')
      parts.push(c);
  }
  if (parts.length !== 2) return undefined;
  const low = literalValue(parts[0], source);
  const high = literalValue(parts[1], source);
  if (typeof low !== typeof high || (typeof low !== 'number' && typeof low !== 'string'))
    return undefined;
  const lowIncluded = text.startsWith('[');
  const highIncluded = text.endsWith(']');
  return (input) =>
    typeof input === typeof low &&
    (lowIncluded ? (input as number) >= (low as number) : (input as number) > (low as number)) &&
    (highIncluded ? (input as number) <= (high as number) : (input as number) < (high as number));
}

function comparison(op: string, value: number | string): Predicate | undefined {
  const type = typeof value;
  switch (op) {
    case '<':
      return (input) => typeof input === type && (input as number) < (value as number);
    case '<=':
      return (input) => typeof input === type && (input as number) <= (value as number);
    case '>':
      return (input) => typeof input === type && (input as number) > (value as number);
    case '>=':
      return (input) => typeof input === type && (input as number) >= (value as number);
    case '=':
      return (input) => input === value;
    default:
      return undefined;
  }
}

/** The value of a number, string, boolean or null literal; `undefined` for anything else. */
function literalValue(node: Node, source: string): unknown {
  const text = source.slice(node.from, node.to);
  const numeric =
    node.name === 'NumericLiteral' ||
    (node.name === 'ArithmeticExpression' && /^-\s*\d+(\.\d+)?$/.test(text.trim()));
  if (!numeric && !LITERALS.has(node.name)) return undefined;
  const value = evaluate(text, {}, DIALECT).value;
  return typeof value === 'number' ||
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    value === null
    ? value
    : undefined;
}

function readsInput(node: Node): boolean {
  let found = false;
  node.toTree().iterate({
    enter: (n) => {
      if (n.name === '?') found = true;
      return found ? false : undefined;
    },
  });
  return found;
}

/** The unary tests as an `in` expression when every test is simple; `undefined` otherwise. */
function simpleTestsAsIn(parts: Tests | undefined): string | undefined {
  if (parts === undefined || !parts.tests.every((t) => t.simple && !t.usesInput)) return undefined;
  const inExpression = `${INPUT} in (${parts.tests.map((t) => t.text).join(', ')})`;
  // feelin negates "not true" (false or null) to true, and so does this
  return parts.negated ? `not((${inExpression}) = true)` : inExpression;
}

/**
 * DMN unary-test semantics, test by test: a comparison or an interval tests
 * the input; an expression matches when its value equals the input, is a
 * list or range holding it, or is `true` (a boolean compared with a
 * boolean input is equality). feelin's own evaluation takes any boolean
 * result as the outcome, which misreads `flag` against a boolean input.
 */
function testEach(
  parts: Tests,
  input: unknown,
  variables: readonly string[],
  context: Readonly<Record<string, unknown>>,
  env: FeelEnv | undefined,
): boolean | null {
  let unknown = false;
  for (const test of parts.tests) {
    let result: boolean | null;
    if (test.simple) {
      result = asTestResult(
        viaFeelin(test.text, variables, context, env, (text, ctx) =>
          unaryTest(text, { ...ctx, '?': input }, DIALECT),
        ),
      );
    } else {
      const value = viaFeelin(test.text, variables, context, env, (text, ctx) =>
        evaluate(text, ctx, DIALECT),
      );
      result = expressionMatches(value, input);
    }
    if (result === true) return !parts.negated;
    if (result === null) unknown = true;
  }
  if (unknown) return null;
  return parts.negated;
}

function expressionMatches(value: unknown, input: unknown): boolean | null {
  if (typeof value === 'boolean') return typeof input === 'boolean' ? value === input : value;
  if (Array.isArray(value)) return value.some((v) => feelEquals(v, input));
  if (value instanceof FeelRange) return value.includes(input) === true;
  if (value === null) return input === null;
  return feelEquals(value, input);
}

type Node = Tree['topNode'];

const LITERALS: ReadonlySet<string> = new Set([
  'NumericLiteral',
  'StringLiteral',
  'BooleanLiteral',
  'null',
]);

function isSimpleTest(node: Node, source: string): boolean {
  if (node.name === 'SimplePositiveUnaryTest')
    return !source.slice(node.from, node.to).includes('?');
  if (LITERALS.has(node.name)) return true;
  if (node.name === 'ArithmeticExpression') {
    // a negative number literal: `-5`
    return /^-\s*\d+(\.\d+)?$/.test(source.slice(node.from, node.to).trim());
  }
  return false;
}

function viaFeelin(
  source: string,
  variables: readonly string[],
  context: Readonly<Record<string, unknown>>,
  env: FeelEnv | undefined,
  run: (source: string, context: Record<string, unknown>) => EvaluationResult<unknown>,
): unknown {
  const visible: Record<string, unknown> = clockFunctions(env);
  for (const name of variables) {
    if (hasOwn.call(context, name))
      Object.defineProperty(visible, name, { value: context[name], enumerable: true });
  }
  let result: EvaluationResult<unknown>;
  try {
    result = run(source, visible);
  } catch (e) {
    const cause = unwrap(e);
    if (cause !== e || e instanceof FeelEvaluationError) throw cause;
    if (e instanceof RangeError) {
      throw new FeelEvaluationError(source, `cannot evaluate '${source}': it recurses too deeply`);
    }
    throw new FeelEvaluationError(source, `cannot evaluate '${source}': ${messageOf(e)}`);
  }
  const failure = result.warnings.find((warning) => ERROR_WARNINGS.has(warning.type));
  if (failure !== undefined) {
    throw new FeelEvaluationError(source, `cannot evaluate '${source}': ${describe(failure)}`);
  }
  return result.value;
}

function clockFunctions(env: FeelEnv | undefined): Record<string, unknown> {
  const clock = (): FeelDateTime | null => {
    if (env === undefined) throw new Error('no clock is available for now() or today()');
    return dateAndTime(new Date(env.now()).toISOString());
  };
  return {
    now: new FeelFunction(() => clock(), []),
    today: new FeelFunction(() => date(String(clock()).slice(0, 10)), []),
  };
}

function describe(warning: Warning): string {
  return warning.message;
}

function asTestResult(value: unknown): boolean | null {
  if (value === true || value === false) return value;
  return null;
}

function allJson(context: Readonly<Record<string, unknown>>, names: readonly string[]): boolean {
  for (let i = 0; i < names.length; i++) {
    const name = names[i];
    if (hasOwn.call(context, name) && !isJson(context[name])) return false;
  }
  return true;
}

/** A JSON value, checked to the first level: nested values are checked by the compiled path itself. */
function isJson(value: unknown): boolean {
  switch (typeof value) {
    case 'object':
      if (value === null) return true;
      if (Array.isArray(value)) return value.every(isJsonLeaf);
      return (
        Object.getPrototypeOf(value) === Object.prototype && Object.values(value).every(isJsonLeaf)
      );
    case 'function':
    case 'bigint':
    case 'symbol':
    case 'undefined':
      return false;
    default:
      return true;
  }
}

function isJsonLeaf(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return typeof value !== 'function';
  return isJson(value);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

import { childrenOf, parseExpressionText, parseUnaryTestsText, SyntaxFailure } from './feel-parser';
import type { Node } from './feel-ast';
import {
  CompileProblem,
  compileProgram,
  rootScope,
  type Evaluator,
  type ProgramOptions,
} from './feel-evaluator';
import { NotJsonError, toJsonValue } from './feel-json';
import { compilePattern } from './feel-regex';
import { EvalState, FeelFailure } from './feel-state';
import {
  FeelEvaluationError,
  FeelSyntaxError,
  FeelUnknownFunctionError,
  type CompiledExpression,
  type CompiledUnaryTests,
  type FeelEnv,
} from './feel.types';

/**
 * FEEL expressions are parsed once, at deploy time, by Baton's own parser
 * (feel-parser.ts, feel-scala's grammar in linear time) and compiled to
 * JavaScript closures (feel-evaluator.ts, feel-scala's semantics). Nothing
 * is left to another evaluator at run time: every evaluation runs under the
 * bounds of its {@link FeelEnv} (or the defaults).
 *
 * What cannot work whatever the variables is refused at compile time, as a
 * {@link FeelSyntaxError}: text that does not parse, a call of a function
 * that exists neither as a built-in (with those parameters) nor in the
 * expression ({@link FeelUnknownFunctionError}), a regular expression
 * literal that the linear-time engine cannot run.
 *
 * Errors quote at most {@link MAX_QUOTED} characters of the expression.
 */

export const MAX_QUOTED = 200;

type Context = Readonly<Record<string, unknown>>;

/** The expression as error messages quote it: at most 200 characters, then an ellipsis. */
export function quoteExpression(source: string): string {
  return `'${source.length > MAX_QUOTED ? `${source.slice(0, MAX_QUOTED)}…` : source}'`;
}

export function compileExpression(source: string): CompiledExpression {
  const { run, variables, constant } = compile(source, parseExpressionText);
  if (constant !== undefined) {
    // `= 1`, `= "EUR"`: nothing to evaluate, nothing to bound
    const value = constant.value;
    return { source, variables, evaluate: () => value };
  }
  return {
    source,
    variables,
    evaluate: (context: Context, env?: FeelEnv): unknown => {
      const state = new EvalState(context, env);
      try {
        const value = run(rootScope(context), state);
        return typeof value === 'object' && value !== null
          ? toJsonValue(value)
          : value === undefined
            ? null
            : value;
      } catch (e) {
        throw evaluationError(source, e);
      }
    },
  };
}

export function compileUnaryTests(source: string): CompiledUnaryTests {
  const { run, variables } = compile(source, parseUnaryTestsText);
  return { source, variables, test: unaryTestRunner(source, run) };
}

/**
 * How a host other than the BPMN engine compiles FEEL (DMN): its contexts
 * hold FEEL values (dates, durations, functions of knowledge models), and
 * its names may have spaces.
 */
export interface FeelCompileOptions extends ProgramOptions {
  /**
   * The names in scope where the expression is evaluated. Those that are not
   * one identifier (`Monthly Salary`) are read as names where they stand.
   */
  readonly names?: readonly string[];
}

/**
 * An expression whose value stays a FEEL value (see {@link compileFeelExpression}):
 * a date, a duration, a range or a function is returned as the evaluator
 * holds it (the classes of feel-values.ts), not turned into JSON.
 */
export interface CompiledFeelExpression {
  readonly source: string;
  readonly variables: readonly string[];
  /** Evaluates to a FEEL value; throws {@link FeelEvaluationError} (bounded by `env.feelLimits`). */
  evaluate(context: Readonly<Record<string, unknown>>, env?: FeelEnv): unknown;
}

/**
 * Compiles an expression for a host that keeps FEEL values (DMN): the
 * context may hold any FEEL value, and the result is not turned into JSON.
 * Same bounds and errors as {@link compileExpression}.
 */
export function compileFeelExpression(
  source: string,
  options: FeelCompileOptions = {},
): CompiledFeelExpression {
  const { run, variables } = compile(
    source,
    (text) => parseExpressionText(text, { names: options.names, dmn: options.dmn }),
    options,
  );
  const dmn = options.dmn === true;
  return {
    source,
    variables,
    evaluate: (context: Context, env?: FeelEnv): unknown => {
      const state = new EvalState(context, env);
      state.dmn = dmn;
      try {
        const value = run(rootScope(context), state);
        return value === undefined ? null : value;
      } catch (e) {
        throw evaluationError(source, e);
      }
    },
  };
}

/** Unary tests for a host that keeps FEEL values (DMN); see {@link compileFeelExpression}. */
export function compileFeelUnaryTests(
  source: string,
  options: FeelCompileOptions = {},
): CompiledUnaryTests {
  const { run, variables } = compile(
    source,
    (text) => parseUnaryTestsText(text, { names: options.names, dmn: options.dmn }),
    { ...options, undecidedTestsFail: options.undecidedTestsFail ?? options.dmn },
  );
  return { source, variables, test: unaryTestRunner(source, run, options.dmn === true) };
}

function unaryTestRunner(
  source: string,
  run: Evaluator,
  dmn = false,
): (input: unknown, context?: Context, env?: FeelEnv) => boolean | null {
  return (input: unknown, context: Context = {}, env?: FeelEnv): boolean | null => {
    const state = new EvalState(context, env);
    state.dmn = dmn;
    try {
      const result = run(rootScope(context, { value: input === undefined ? null : input }), state);
      return typeof result === 'boolean' ? result : null;
    } catch (e) {
      throw evaluationError(source, e);
    }
  };
}

function compile(
  source: string,
  parse: (source: string) => Node,
  options?: ProgramOptions,
): { run: Evaluator; variables: readonly string[]; constant?: { readonly value: unknown } } {
  let tree: Node;
  try {
    tree = parse(source);
  } catch (e) {
    if (e instanceof SyntaxFailure)
      throw new FeelSyntaxError(source, e.message, { from: e.from, to: e.to });
    if (e instanceof RangeError)
      throw new FeelSyntaxError(source, `the expression cannot be parsed: ${e.message}`);
    throw e;
  }
  checkPatterns(source, tree);
  try {
    const program = compileProgram(tree, options);
    const constant =
      tree.type === 'number' ||
      tree.type === 'string' ||
      tree.type === 'boolean' ||
      tree.type === 'null'
        ? { value: tree.type === 'null' ? null : tree.value }
        : undefined;
    return { run: program.run, variables: Object.freeze(program.variables), constant };
  } catch (e) {
    if (e instanceof CompileProblem) {
      throw new FeelUnknownFunctionError(source, e.message, e.functionName, {
        from: e.from,
        to: e.to,
      });
    }
    throw e;
  }
}

const PATTERN_FUNCTIONS: ReadonlySet<string> = new Set(['matches', 'replace', 'split', 'extract']);

/**
 * A literal pattern that the linear-time engine cannot run (a backreference,
 * lookaround) is refused at deploy time instead of failing every evaluation.
 */
function checkPatterns(source: string, node: Node): void {
  const stack: Node[] = [node];
  while (stack.length > 0) {
    const n = stack.pop() as Node;
    if (n.type === 'call' && PATTERN_FUNCTIONS.has(n.name) && n.parameters.kind === 'positional') {
      const [, pattern, third, fourth] = n.parameters.values;
      const flagsNode = n.name === 'matches' ? third : n.name === 'replace' ? fourth : undefined;
      const flags =
        flagsNode === undefined ? '' : flagsNode.type === 'string' ? flagsNode.value : undefined;
      if (pattern !== undefined && pattern.type === 'string' && flags !== undefined) {
        try {
          compilePattern(pattern.value, flags);
        } catch (e) {
          if (e instanceof FeelFailure)
            throw new FeelSyntaxError(source, e.message, { from: pattern.from, to: pattern.to });
          throw e;
        }
      }
    }
    for (const child of childrenOf(n)) stack.push(child);
  }
}

function evaluationError(source: string, error: unknown): Error {
  if (error instanceof FeelFailure) {
    return new FeelEvaluationError(
      source,
      `cannot evaluate ${quoteExpression(source)}: ${error.message}`,
      error.limit,
    );
  }
  if (error instanceof NotJsonError) {
    return new FeelEvaluationError(
      source,
      `cannot evaluate ${quoteExpression(source)}: ${error.message}`,
    );
  }
  if (error instanceof RangeError) {
    // a stack overflow on absurdly nested values, or a date out of the calendar's range
    return new FeelEvaluationError(
      source,
      `cannot evaluate ${quoteExpression(source)}: ${error.message}`,
    );
  }
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * Bounds on one FEEL evaluation. Every evaluation runs under them, so a
 * hostile expression (or hostile variables) ends in a
 * {@link FeelEvaluationError} naming the bound instead of exhausting the
 * worker's memory or time.
 */
export interface FeelLimits {
  /**
   * Work units one evaluation may spend: one per iteration of `for`,
   * `some`/`every` and filters, one per function call, one per list element
   * a built-in touches, and one per 16 characters of a string it builds.
   */
  readonly maxWork: number;
  /** Items in any list the evaluation builds (ranges iterate lazily, so `1..1e9` is not a list). */
  readonly maxListLength: number;
  /** Characters (UTF-16 code units) in any string the evaluation builds. */
  readonly maxStringLength: number;
  /** Entries in any context the evaluation builds. */
  readonly maxContextEntries: number;
  /** Nested calls of functions defined in FEEL (recursion). */
  readonly maxDepth: number;
}

/**
 * Defaults no model written for Camunda 8 comes near: Zeebe itself caps a
 * variable document at 4 MB, so a legitimate expression never builds a list
 * of more than 100,000 items or a string of more than a million characters;
 * a million work units is a few hundred milliseconds of evaluation at worst;
 * 10,000 entries is far beyond any hand-written context; 100 nested calls is
 * far beyond any recursion a modeler writes (feel-scala has no bound and
 * fails with a stack overflow instead).
 */
export const DEFAULT_FEEL_LIMITS: FeelLimits = Object.freeze({
  maxWork: 1_000_000,
  maxListLength: 100_000,
  maxStringLength: 1_000_000,
  maxContextEntries: 10_000,
  maxDepth: 100,
});

/** The setting that names each bound (in error messages and configuration). */
export const FEEL_LIMIT_SETTINGS: Readonly<Record<keyof FeelLimits, string>> = Object.freeze({
  maxWork: 'FEEL_MAX_WORK',
  maxListLength: 'FEEL_MAX_LIST_LENGTH',
  maxStringLength: 'FEEL_MAX_STRING_LENGTH',
  maxContextEntries: 'FEEL_MAX_CONTEXT_ENTRIES',
  maxDepth: 'FEEL_MAX_DEPTH',
});

/**
 * What feel-scala reports beside a `null` result (its `EvaluationFailureType`):
 * the evaluation still succeeds, the warning only explains the `null`.
 */
export type FeelWarningType =
  | 'NO_VARIABLE_FOUND'
  | 'NO_CONTEXT_ENTRY_FOUND'
  | 'NO_PROPERTY_FOUND'
  | 'NOT_COMPARABLE'
  | 'INVALID_TYPE'
  | 'FUNCTION_INVOCATION_FAILURE'
  | 'NO_FUNCTION_FOUND';

export interface FeelWarning {
  readonly type: FeelWarningType;
  readonly message: string;
}

/**
 * What an evaluation takes from its host. The engine core has no clock and no
 * randomness of its own: `now()` and `today()` read `now`, `random number()`
 * and `uuid()` read `random` and `uuid`. `EngineEnv` is shaped so that it can
 * be passed as a `FeelEnv` as it is.
 */
export interface FeelEnv {
  /** Epoch milliseconds: the engine's clock. */
  now(): number;
  /** Bounds of the evaluation; {@link DEFAULT_FEEL_LIMITS} when absent. */
  readonly feelLimits?: FeelLimits;
  /** A number in [0, 1); without it `random number()` is deterministic (a fixed sequence per evaluation). */
  readonly random?: () => number;
  /** A UUID string; without it `uuid()` is deterministic (a counter per evaluation). */
  readonly uuid?: () => string;
  /** When given, the warnings behind `null` results are appended here. */
  readonly warnings?: FeelWarning[];
}

/**
 * A FEEL expression parsed once (at deploy time) and evaluated many times.
 *
 * `variables` are the top-level names the expression reads; callers build the
 * evaluation context from those names only, so evaluation never walks (or
 * converts) the whole variable map of an instance.
 */
export interface CompiledExpression {
  /** The expression text without the leading `=`. */
  readonly source: string;
  /** Top-level variable names the expression reads (may over-approximate). */
  readonly variables: readonly string[];
  /**
   * Evaluates against a context holding (at least) `variables`. Absent
   * variables evaluate as `null`. The result is a JSON value (temporal values
   * as ISO 8601 strings). Throws {@link FeelEvaluationError} when the
   * expression cannot be evaluated or exceeds a bound of `env.feelLimits`.
   * Without `env`, `now()` and `today()` fail (the engine core has no clock)
   * and the default limits apply.
   */
  evaluate(context: Readonly<Record<string, unknown>>, env?: FeelEnv): unknown;
}

/** FEEL unary tests (a DMN input entry): `-`, `< 10`, `[1..5]`, `"a","b"`, `not("x")`, `? > 3`. */
export interface CompiledUnaryTests {
  readonly source: string;
  /** Top-level variable names the tests read besides the input (may over-approximate). */
  readonly variables: readonly string[];
  /**
   * Whether `input` passes; `null` when the tests cannot decide (FEEL's third
   * value: e.g. comparing values of different types). Same bounds and errors
   * as {@link CompiledExpression.evaluate}.
   */
  test(input: unknown, context?: Readonly<Record<string, unknown>>, env?: FeelEnv): boolean | null;
}

/** Where in the expression text a syntax error is (offsets, end exclusive). */
export interface SourceSpan {
  readonly from: number;
  readonly to: number;
}

/** The expression does not parse, or cannot run whatever the variables. Raised at deploy time. */
export class FeelSyntaxError extends Error {
  constructor(
    readonly source: string,
    message: string,
    readonly position?: SourceSpan,
  ) {
    super(message);
    this.name = 'FeelSyntaxError';
  }
}

/** The expression calls a function that exists neither as a built-in nor in the expression. */
export class FeelUnknownFunctionError extends FeelSyntaxError {
  constructor(
    source: string,
    message: string,
    readonly functionName: string,
    position?: SourceSpan,
  ) {
    super(source, message, position);
    this.name = 'FeelUnknownFunctionError';
  }
}

/** The expression parsed but could not be evaluated. Becomes an incident. */
export class FeelEvaluationError extends Error {
  constructor(
    readonly source: string,
    message: string,
    /** The bound the evaluation exceeded, when that is why it failed. */
    readonly limit?: keyof FeelLimits,
  ) {
    super(message);
    this.name = 'FeelEvaluationError';
  }
}

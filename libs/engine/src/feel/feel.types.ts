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
   * variables evaluate as `null`. Throws {@link FeelEvaluationError} when the
   * expression cannot be evaluated.
   */
  evaluate(context: Readonly<Record<string, unknown>>): unknown;
}

/**
 * How a compiled expression runs: as closures compiled from its syntax tree,
 * or through feelin's own `evaluate` (constructs the compiler does not cover).
 */
export type EvaluationMode = 'compiled' | 'fallback';

/** What `compileExpression` returns: the contract plus how it evaluates. */
export interface CompiledFeelExpression extends CompiledExpression {
  readonly mode: EvaluationMode;
  /** For `fallback`: the construct that is left to feelin. */
  readonly fallbackReason?: string;
}

/** Where in the expression text a syntax error is (offsets, end exclusive). */
export interface SourceSpan {
  readonly from: number;
  readonly to: number;
}

/** The expression does not parse. Raised at deploy time. */
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

/** The expression parsed but could not be evaluated. Becomes an incident. */
export class FeelEvaluationError extends Error {
  constructor(
    readonly source: string,
    message: string,
  ) {
    super(message);
    this.name = 'FeelEvaluationError';
  }
}

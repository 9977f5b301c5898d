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

/** The expression does not parse. Raised at deploy time. */
export class FeelSyntaxError extends Error {
  constructor(
    readonly source: string,
    message: string,
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

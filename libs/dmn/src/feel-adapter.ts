/**
 * The one place where the DMN core meets FEEL.
 *
 * Everything else in libs/dmn calls {@link compileExpression},
 * {@link compileUnaryTests}, {@link feelFunction}, {@link invokeFunction}
 * and {@link toJsonValue} from here. FEEL is Baton's own (`@baton/engine`,
 * libs/engine/src/feel): the parser, the compiled closures, the built-ins
 * and the bounds ({@link FeelLimits}) that BPMN expressions use, compiled
 * for DMN with three differences (see `FeelCompileOptions`):
 *
 * - Values stay FEEL values: decisions pass dates, durations and functions
 *   of business knowledge models between them; they become JSON only at the
 *   end ({@link toJsonValue}).
 * - Names with spaces (`Monthly Salary`) are read from the names in scope
 *   (input data, decisions, knowledge models, context entries, parameters),
 *   and calls of names that are not built-ins resolve against functions in
 *   scope (knowledge models, decision services).
 * - A unary test that is an expression compares a boolean value with a
 *   boolean input (DMN), and tests a range value as an interval.
 *
 * The clock: `now()` and `today()` read {@link FeelEnv.now}, never the
 * machine's clock; the bounds are `env.feelLimits` or FEEL's defaults.
 */
import {
  compileFeelExpression,
  compileFeelUnaryTests,
  feelEquals as equalsInFeel,
  FeelDate,
  FeelDateTime,
  FeelDaysTimeDuration,
  FeelEvaluationError,
  FeelFunction,
  FeelLocalDateTime,
  FeelLocalTime,
  FeelRange,
  FeelSyntaxError,
  FeelTime,
  feelToJson,
  feelTypeName,
  FeelYearsMonthsDuration,
  type CompiledUnaryTests,
  type FeelEnv,
  type FeelLimits,
} from '@baton/engine';

export { FeelEvaluationError, FeelSyntaxError };
export type { CompiledUnaryTests, FeelEnv, FeelLimits };

export interface CompiledExpression {
  readonly source: string;
  /** Names the expression reads from its context (may over-approximate). */
  readonly variables: readonly string[];
  /** Evaluates to a FEEL value; throws {@link FeelEvaluationError}. */
  evaluate(context: Readonly<Record<string, unknown>>, env?: FeelEnv): unknown;
}

const ALWAYS: CompiledUnaryTests = Object.freeze({
  source: '-',
  variables: Object.freeze([]) as readonly string[],
  test: () => true,
});

/**
 * Compiles a FEEL expression once. `names` are the names in scope where it
 * is evaluated (needed for names with spaces). Throws {@link FeelSyntaxError}.
 */
export function compileExpression(
  source: string,
  names: readonly string[] = [],
): CompiledExpression {
  return quotingSyntaxErrors(source, () =>
    compileFeelExpression(source, { names, contextFunctions: true, dmn: true }),
  );
}

/** Compiles the unary tests of an input entry once. Throws {@link FeelSyntaxError}. */
export function compileUnaryTests(
  source: string,
  names: readonly string[] = [],
): CompiledUnaryTests {
  const trimmed = source.trim();
  if (trimmed === '' || trimmed === '-') return { ...ALWAYS, source };
  return quotingSyntaxErrors(source, () =>
    compileFeelUnaryTests(source, { names, contextFunctions: true, dmn: true }),
  );
}

/** A syntax error names the text: `'[1..' does not parse: ...`. */
function quotingSyntaxErrors<T>(source: string, compile: () => T): T {
  try {
    return compile();
  } catch (e) {
    if (e instanceof FeelSyntaxError) {
      throw new FeelSyntaxError(source, `'${source}' does not parse: ${e.message}`, e.position);
    }
    throw e;
  }
}

/** A FEEL function value backed by a JavaScript implementation (knowledge models, decision services). */
export function feelFunction(
  parameters: readonly string[],
  implementation: (args: readonly unknown[]) => unknown,
): unknown {
  return new FeelFunction([...parameters], (args) => implementation(args));
}

export function isFeelFunction(value: unknown): boolean {
  return value instanceof FeelFunction;
}

/** The parameter names of a FEEL function value. */
export function functionParameters(value: unknown): readonly string[] {
  return value instanceof FeelFunction ? value.params : [];
}

/** Calls a FEEL function value with positional arguments. */
export function invokeFunction(fn: unknown, args: readonly unknown[]): unknown {
  if (!(fn instanceof FeelFunction))
    throw new FeelEvaluationError('', 'the value is not a function');
  const arranged = fn.varArgs
    ? [...args.slice(0, fn.params.length - 1), args.slice(fn.params.length - 1)]
    : [...args];
  const result = fn.invoke(arranged);
  return result === undefined ? null : result;
}

/**
 * A FEEL value as JSON, the way it is stored as a variable or shown in an
 * audit: temporal values become ISO 8601 strings (as BPMN variables hold
 * them), functions and ranges `null`, non-finite numbers `null`.
 */
export function toJsonValue(value: unknown): unknown {
  if (value instanceof FeelFunction || value instanceof FeelRange) return null;
  if (typeof value === 'function') return null;
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (typeof value === 'object' && value !== null && isPlainObject(value)) {
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
  try {
    return feelToJson(value);
  } catch {
    return null;
  }
}

/** The FEEL type of a value, as DMN type references name them. */
export function valueType(value: unknown): string {
  return feelTypeName(value);
}

/** Whether a value is a temporal FEEL value (a date, time, date and time or duration). */
export function isTemporal(value: unknown): boolean {
  return (
    value instanceof FeelDate ||
    value instanceof FeelTime ||
    value instanceof FeelLocalTime ||
    value instanceof FeelDateTime ||
    value instanceof FeelLocalDateTime ||
    value instanceof FeelYearsMonthsDuration ||
    value instanceof FeelDaysTimeDuration
  );
}

/** FEEL equality of two values as decision tables need it (ANY hit policy, output priorities). */
export function feelEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  try {
    return equalsInFeel(a, b) === true;
  } catch {
    return false;
  }
}

function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

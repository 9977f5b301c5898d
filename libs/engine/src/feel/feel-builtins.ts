import { evaluate, FeelFunction } from 'feelin';
import { FEEL_DIALECT } from './feel-dialect';

/**
 * feelin's built-in functions, reused by the compiled path so that a call
 * computes exactly what feelin computes. feelin does not export its table,
 * but it hands a built-in out as a value when a name is not bound
 * (`evaluate('upper case')`), which is how each one is picked up here.
 */

/** The built-in names of feelin 8.2 (`builtins` in its `builtins.d.ts`). */
// prettier-ignore
const FEELIN_BUILTINS: ReadonlySet<string> = new Set([
  'number', 'string', 'date', 'date and time', 'time', 'duration', 'years and months duration', '@', 'now',
  'today', 'not', 'substring', 'string length', 'upper case', 'lower case', 'substring before',
  'substring after', 'replace', 'contains', 'matches', 'starts with', 'ends with', 'split', 'string join',
  'list contains', 'list replace', 'count', 'min', 'max', 'sum', 'mean', 'all', 'any', 'sublist', 'append',
  'concatenate', 'insert before', 'remove', 'reverse', 'index of', 'union', 'distinct values', 'flatten',
  'product', 'median', 'stddev', 'mode', 'decimal', 'floor', 'ceiling', 'abs', 'round up', 'round down',
  'round half up', 'round half down', 'modulo', 'sqrt', 'log', 'exp', 'odd', 'even', 'is', 'before', 'after',
  'meets', 'met by', 'overlaps', 'overlaps before', 'overlaps after', 'finishes', 'finished by', 'includes',
  'during', 'starts', 'started by', 'coincides', 'day of year', 'day of week', 'month of year', 'week of year',
  'sort', 'get value', 'get entries', 'context', 'context merge', 'context put',
]);

/**
 * Built-ins the compiled path calls: over JSON arguments they return JSON
 * values. Temporal constructors and functions, the clock (`now`, `today`),
 * range relations and `sort` (which takes a FEEL function) stay with feelin.
 */
// prettier-ignore
export const COMPILED_CALLS: ReadonlySet<string> = new Set([
  'not', 'number', 'string',
  'substring', 'string length', 'upper case', 'lower case', 'substring before', 'substring after', 'replace',
  'contains', 'matches', 'starts with', 'ends with', 'split', 'string join',
  'list contains', 'list replace', 'count', 'min', 'max', 'sum', 'mean', 'all', 'any', 'sublist', 'append',
  'concatenate', 'insert before', 'remove', 'reverse', 'index of', 'union', 'distinct values', 'flatten',
  'product', 'median', 'stddev', 'mode',
  'decimal', 'floor', 'ceiling', 'abs', 'round up', 'round down', 'round half up', 'round half down', 'modulo',
  'sqrt', 'log', 'exp', 'odd', 'even',
  'get value', 'get entries', 'context', 'context merge', 'context put',
]);

/**
 * feelin signals a failed call (wrong parameters, unusable arguments) by
 * returning an `InvocationFailure` instead of a value. The class is not
 * exported; a call with too many arguments yields one, which identifies it.
 * If that ever stops working, calls are left to feelin.
 */
const invocationFailure: (abstract new (...args: never[]) => object) | null = (() => {
  const probe: unknown = new FeelFunction(() => null, []).invoke([1]);
  if (
    probe === null ||
    typeof probe !== 'object' ||
    typeof (probe as { warning?: unknown }).warning !== 'string'
  ) {
    return null;
  }
  return (probe as object).constructor as abstract new (...args: never[]) => object;
})();

export interface Builtin {
  /** The value feelin gives an unbound name that is a built-in. */
  readonly value: unknown;
  /** How feelin invokes it; absent when calls stay with feelin. */
  readonly callable: FeelFunction | undefined;
}

export function isBuiltinName(name: string): boolean {
  return FEELIN_BUILTINS.has(name);
}

const resolved = new Map<string, Builtin | null>();

/**
 * The built-in called `name`; `undefined` when feelin has no such built-in,
 * `null` when it has one that could not be picked up (the caller then leaves
 * the expression to feelin).
 */
export function builtinNamed(name: string): Builtin | null | undefined {
  if (!FEELIN_BUILTINS.has(name)) return undefined;
  let builtin = resolved.get(name);
  if (builtin === undefined) {
    builtin = pickUp(name);
    resolved.set(name, builtin);
  }
  return builtin;
}

function pickUp(name: string): Builtin | null {
  let value: unknown;
  try {
    value = evaluate(name, {}, FEEL_DIALECT).value;
  } catch {
    return null;
  }
  if (typeof value !== 'function') return null;
  const parameterNames: unknown = (value as { $args?: unknown }).$args;
  const callable =
    COMPILED_CALLS.has(name) && invocationFailure !== null && isStringArray(parameterNames)
      ? new FeelFunction(value as (...args: unknown[]) => unknown, parameterNames)
      : undefined;
  return { value, callable };
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

export interface InvocationFailure {
  readonly warning: string;
  readonly template: string;
  readonly values: Record<string, unknown>;
}

export function asInvocationFailure(result: unknown): InvocationFailure | undefined {
  return invocationFailure !== null && result instanceof invocationFailure
    ? (result as InvocationFailure)
    : undefined;
}

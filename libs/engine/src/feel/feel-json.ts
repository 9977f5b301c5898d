import {
  FeelDate,
  FeelDateTime,
  FeelDaysTimeDuration,
  FeelFunction,
  FeelLocalDateTime,
  FeelLocalTime,
  FeelRange,
  FeelTime,
  FeelYearsMonthsDuration,
  putEntry,
} from './feel-values';

/** The value cannot be stored as a JSON variable. */
export class NotJsonError extends Error {
  constructor(what: string) {
    super(`the expression yields ${what}, which is not a value a variable can hold`);
    this.name = 'NotJsonError';
  }
}

/**
 * Turns an evaluation result into a JSON value: temporal values become ISO
 * 8601 strings (a date-time in a named zone with the zone's offset at that
 * instant, `2024-07-15T10:00:00+02:00`; a time of day in a zone keeps
 * feel-scala's `10:00:00@Europe/Paris`, which ISO 8601 cannot write),
 * durations feel-scala's notation (`P1DT2H`, `P1Y2M`), `undefined` and
 * non-finite numbers `null`; a function or a range is an error.
 *
 * Unchanged arrays and objects are returned as they are, not copied: the
 * engine never mutates a variable value in place (runtime/variables.ts), so
 * a result may share structure with the variables it was computed from.
 */
export function toJsonValue(value: unknown, depth = 0): unknown {
  switch (typeof value) {
    case 'boolean':
    case 'string':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : null;
    case 'undefined':
      return null;
    case 'object':
      return value === null ? null : objectToJson(value, depth);
    case 'function':
      throw new NotJsonError('a function');
    default:
      throw new NotJsonError(`a ${typeof value}`);
  }
}

function objectToJson(value: object, depth: number): unknown {
  if (depth > 1000) throw new RangeError('the result nests too deeply');
  if (Array.isArray(value)) return arrayToJson(value, depth);
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null)
    return recordToJson(value as Record<string, unknown>, depth);
  if (value instanceof FeelDateTime || value instanceof FeelTime) {
    return value instanceof FeelDateTime || value.zone === null
      ? value.toIsoString()
      : value.toString();
  }
  if (
    value instanceof FeelDate ||
    value instanceof FeelLocalTime ||
    value instanceof FeelLocalDateTime ||
    value instanceof FeelDaysTimeDuration ||
    value instanceof FeelYearsMonthsDuration
  ) {
    return value.toString();
  }
  if (value instanceof FeelRange) throw new NotJsonError(`the range ${value.toString()}`);
  if (value instanceof FeelFunction) throw new NotJsonError('a function');
  if (value instanceof Date) return value.toISOString();
  throw new NotJsonError(`an object of type ${value.constructor?.name ?? 'unknown'}`);
}

function arrayToJson(array: readonly unknown[], depth: number): unknown[] {
  let copy: unknown[] | undefined;
  for (let i = 0; i < array.length; i++) {
    const element = array[i];
    const converted = toJsonValue(element, depth + 1);
    if (copy === undefined && converted !== element) copy = array.slice(0, i);
    if (copy !== undefined) copy.push(converted);
  }
  return copy ?? (array as unknown[]);
}

function recordToJson(record: Record<string, unknown>, depth: number): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined;
  const keys = Object.keys(record);
  for (let i = 0; i < keys.length; i++) {
    const element = record[keys[i]];
    const converted = toJsonValue(element, depth + 1);
    if (copy === undefined && converted !== element) {
      copy = {};
      for (let j = 0; j < i; j++) putEntry(copy, keys[j], record[keys[j]]);
    }
    if (copy !== undefined) putEntry(copy, keys[i], converted);
  }
  return copy ?? record;
}

import { FeelDate, FeelDateTime, FeelDuration, FeelFunction, FeelRange, FeelTime } from 'feelin';

/** The value cannot be stored as a JSON variable. */
export class NotJsonError extends Error {
  constructor(what: string) {
    super(`the expression yields ${what}, which is not a value a variable can hold`);
    this.name = 'NotJsonError';
  }
}

/**
 * Turns an evaluation result into a JSON value: temporal values become their
 * ISO 8601 strings, `undefined` and non-finite numbers become `null`, and a
 * function or a range is an error.
 *
 * Unchanged arrays and objects are returned as they are, not copied: the
 * engine never mutates a variable value in place (runtime/variables.ts), so
 * a result may share structure with the variables it was computed from.
 */
export function toJsonValue(value: unknown): unknown {
  switch (typeof value) {
    case 'boolean':
    case 'string':
      return value;
    case 'number':
      // JSON has no NaN or Infinity; storing one would silently become null anyway
      return Number.isFinite(value) ? value : null;
    case 'undefined':
      return null;
    case 'object':
      return value === null ? null : objectToJson(value);
    case 'function':
      throw new NotJsonError('a function');
    default:
      throw new NotJsonError(`a ${typeof value}`);
  }
}

function objectToJson(value: object): unknown {
  if (Array.isArray(value)) return arrayToJson(value);
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null)
    return recordToJson(value as Record<string, unknown>);
  if (value instanceof FeelDate || value instanceof FeelDuration || value instanceof FeelTime)
    return value.toString();
  if (value instanceof FeelDateTime) return dateTimeToIso(value);
  if (value instanceof FeelRange) throw new NotJsonError(`the range ${value.toString()}`);
  if (value instanceof FeelFunction) throw new NotJsonError('a function');
  if (value instanceof Date) return value.toISOString();
  throw new NotJsonError(`an object of type ${value.constructor?.name ?? 'unknown'}`);
}

function arrayToJson(array: readonly unknown[]): unknown[] {
  let copy: unknown[] | undefined;
  for (let i = 0; i < array.length; i++) {
    const element = array[i];
    const converted = toJsonValue(element);
    if (copy === undefined && converted !== element) copy = array.slice(0, i);
    if (copy !== undefined) copy.push(converted);
  }
  return copy ?? (array as unknown[]);
}

function recordToJson(record: Record<string, unknown>): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined;
  const keys = Object.keys(record);
  for (let i = 0; i < keys.length; i++) {
    const element = record[keys[i]];
    const converted = toJsonValue(element);
    if (copy === undefined && converted !== element) {
      copy = {};
      for (let j = 0; j < i; j++) setEntry(copy, keys[j], record[keys[j]]);
    }
    if (copy !== undefined) setEntry(copy, keys[i], converted);
  }
  return copy ?? record;
}

function setEntry(record: Record<string, unknown>, key: string, value: unknown): void {
  // a `__proto__` key (JSON.parse makes it an own entry) must stay an entry
  Object.defineProperty(record, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

/**
 * feelin writes a date-time in a named zone as `2020-01-01T10:00:00@Europe/Paris`,
 * which is not ISO 8601; such values are written with the zone's offset at
 * that instant instead (`2020-01-01T10:00:00+01:00`). Local, UTC and fixed
 * offset date-times are ISO 8601 already. (A time of day in a named zone has
 * no ISO form and keeps feelin's notation.)
 */
function dateTimeToIso(value: FeelDateTime): string {
  const text = value.toString();
  if (!text.includes('@') || value.zone === null) return text;
  try {
    return value.unwrap().toZonedDateTime(value.zone).toString({ timeZoneName: 'never' });
  } catch {
    return text;
  }
}

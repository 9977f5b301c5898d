import { Temporal } from 'temporal-polyfill';
import { Decimal } from './feel-number';

/**
 * FEEL values as the evaluator holds them. JSON values are themselves
 * (`null`, booleans, numbers, strings, arrays as lists, plain objects as
 * contexts); the rest are the classes below, modelled on feel-scala's `Val`
 * types: a date, a local or zoned time, a local or zoned date-time, the two
 * kinds of duration, a range and a function.
 */

export class FeelDate {
  constructor(readonly value: Temporal.PlainDate) {}
  toString(): string {
    return formatDate(this.value);
  }
}

/** A time of day without offset (feel-scala `ValLocalTime`). */
export class FeelLocalTime {
  constructor(readonly value: Temporal.PlainTime) {}
  toString(): string {
    return formatTime(this.value);
  }
}

/** A time of day with an offset, and possibly a zone (feel-scala `ValTime` over `ZonedTime`). */
export class FeelTime {
  constructor(
    readonly value: Temporal.PlainTime,
    /** Offset from UTC in seconds. */
    readonly offsetSeconds: number,
    /** IANA zone id, when the time was given in a zone. */
    readonly zone: string | null,
  ) {}
  /** Nanoseconds of the day in UTC, the order of times (feel-scala `ZonedTime.nanos`). */
  get utcNanos(): number {
    const t = this.value;
    const nanoOfDay =
      ((t.hour * 60 + t.minute) * 60 + t.second) * 1e9 +
      t.millisecond * 1e6 +
      t.microsecond * 1e3 +
      t.nanosecond;
    return nanoOfDay - this.offsetSeconds * 1e9;
  }
  toString(): string {
    return this.zone !== null
      ? `${formatTime(this.value)}@${this.zone}`
      : formatTime(this.value) + formatOffset(this.offsetSeconds);
  }
  /** ISO 8601: the offset even for a zoned time (feel-scala `formatToIso`). */
  toIsoString(): string {
    return formatTime(this.value) + formatOffset(this.offsetSeconds);
  }
}

export class FeelLocalDateTime {
  constructor(readonly value: Temporal.PlainDateTime) {}
  toString(): string {
    return `${formatDate(this.value)}T${formatTime(this.value)}`;
  }
}

/**
 * A date-time at an offset or in a zone (feel-scala `ValDateTime` over
 * `ZonedDateTime`). An offset-only value lives in the fixed-offset zone of
 * that offset; `zoned` tells the two apart.
 */
export class FeelDateTime {
  constructor(
    readonly value: Temporal.ZonedDateTime,
    readonly zoned: boolean,
  ) {}
  get offsetSeconds(): number {
    return Math.round(this.value.offsetNanoseconds / 1e9);
  }
  toString(): string {
    const local = `${formatDate(this.value)}T${formatTime(this.value)}`;
    return this.zoned
      ? `${local}@${this.value.timeZoneId}`
      : local + formatOffset(this.offsetSeconds);
  }
  /** ISO 8601 with the offset at that instant (a zone has no ISO 8601 notation). */
  toIsoString(): string {
    return `${formatDate(this.value)}T${formatTime(this.value)}${formatOffset(this.offsetSeconds)}`;
  }
}

/** feel-scala `ValYearMonthDuration` (a normalized `Period`): whole months. */
export class FeelYearsMonthsDuration {
  constructor(readonly months: number) {}
  get years(): number {
    return Math.trunc(this.months / 12);
  }
  get monthsOfYear(): number {
    return this.months % 12;
  }
  toString(): string {
    const years = Math.trunc(this.months / 12);
    const months = this.months % 12;
    if (years === 0 && months === 0) return 'P0Y';
    const part = (y: number, m: number): string =>
      `P${y !== 0 ? `${y}Y` : ''}${m !== 0 ? `${m}M` : ''}`;
    return years <= 0 && months <= 0 ? `-${part(-years, -months)}` : part(years, months);
  }
}

const NANOS_PER_SECOND = 1_000_000_000n;

/** feel-scala `ValDayTimeDuration` (a `java.time.Duration`): exact nanoseconds. */
export class FeelDaysTimeDuration {
  constructor(readonly nanos: bigint) {}
  /** Java `Duration.getSeconds`: floored, the nanoseconds part is never negative. */
  get seconds(): number {
    const s = this.nanos / NANOS_PER_SECOND;
    return Number(this.nanos < 0n && s * NANOS_PER_SECOND !== this.nanos ? s - 1n : s);
  }
  get days(): number {
    return Math.trunc(this.seconds / 86400);
  }
  get hoursOfDay(): number {
    return Math.trunc(this.seconds / 3600) % 24;
  }
  get minutesOfHour(): number {
    return Math.trunc(this.seconds / 60) % 60;
  }
  get secondsOfMinute(): number {
    return this.seconds % 60;
  }
  get millis(): number {
    return Number(this.nanos / 1_000_000n);
  }
  /** feel-scala's notation: days, hours, minutes and whole seconds (`P1DT2H`, `-PT30M`, `P0D`). */
  toString(): string {
    const d = this.days;
    const h = this.hoursOfDay;
    const m = this.minutesOfHour;
    const s = this.secondsOfMinute;
    if (d === 0 && h === 0 && m === 0 && s === 0) return 'P0D';
    const part = (d: number, h: number, m: number, s: number): string => {
      const time = `${h !== 0 ? `${h}H` : ''}${m !== 0 ? `${m}M` : ''}${s !== 0 ? `${s}S` : ''}`;
      return `P${d !== 0 ? `${d}D` : ''}${time === '' ? '' : `T${time}`}`;
    };
    return d <= 0 && h <= 0 && m <= 0 && s <= 0 ? `-${part(-d, -h, -m, -s)}` : part(d, h, m, s);
  }
}

export interface RangeBoundary {
  readonly value: unknown;
  readonly closed: boolean;
}

/** `[a..b]`, `(a..b]`, ... (feel-scala `ValRange`). */
export class FeelRange {
  constructor(
    readonly start: RangeBoundary,
    readonly end: RangeBoundary,
  ) {}
  toString(): string {
    return `${this.start.closed ? '[' : '('}${describe(this.start.value)}..${describe(this.end.value)}${this.end.closed ? ']' : ')'}`;
  }
}

/**
 * A function value: a built-in, or a `function(...)` of the expression.
 * `invoke` receives the arguments already matched to `params` (a variadic
 * function gets its trailing arguments as one list).
 */
export class FeelFunction {
  constructor(
    readonly params: readonly string[],
    readonly invoke: (args: unknown[]) => unknown,
    readonly varArgs = false,
  ) {}
  toString(): string {
    return `function(${this.params.join(', ')})`;
  }
}

// formatting ////////////////////////////////////////////////////////

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

interface DateFields {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

interface TimeFields {
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly millisecond: number;
  readonly microsecond: number;
  readonly nanosecond: number;
}

/** Java `LocalDate.toString`: four-digit years, a sign beyond them. */
export function formatDate(d: DateFields): string {
  const year = d.year < 0 ? `-${pad(-d.year, 4)}` : d.year > 9999 ? `+${d.year}` : pad(d.year, 4);
  return `${year}-${pad(d.month, 2)}-${pad(d.day, 2)}`;
}

/** `HH:mm:ss` and the shortest fraction (feel-scala's `localTimeFormatter`). */
export function formatTime(t: TimeFields): string {
  const base = `${pad(t.hour, 2)}:${pad(t.minute, 2)}:${pad(t.second, 2)}`;
  const nanos = t.millisecond * 1e6 + t.microsecond * 1e3 + t.nanosecond;
  if (nanos === 0) return base;
  return `${base}.${pad(nanos, 9).replace(/0+$/, '')}`;
}

/** Java `ZoneOffset.getId`: `Z`, `+01:00`, `-05:30:15`. */
export function formatOffset(seconds: number): string {
  if (seconds === 0) return 'Z';
  const sign = seconds < 0 ? '-' : '+';
  const abs = Math.abs(seconds);
  const h = Math.trunc(abs / 3600);
  const m = Math.trunc(abs / 60) % 60;
  const s = abs % 60;
  return `${sign}${pad(h, 2)}:${pad(m, 2)}${s !== 0 ? `:${pad(s, 2)}` : ''}`;
}

// types /////////////////////////////////////////////////////////////

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * A context: a plain object (JSON object or one the evaluator built). Plain
 * objects of another realm count too (their prototype is that realm's
 * `Object.prototype`, whose own prototype is null): a host may hand in state
 * copied by `structuredClone` across a realm boundary, as Jest's sandbox does.
 */
export function isContext(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null || Object.getPrototypeOf(proto) === null;
}

/** A context's own entry; `undefined` when there is none (never an inherited property). */
export function entryOf(context: Readonly<Record<string, unknown>>, key: string): unknown {
  return hasOwn.call(context, key) ? context[key] : undefined;
}

/** A fresh context; entries are written with {@link putEntry} so `__proto__` stays a key. */
export function newContext(): Record<string, unknown> {
  return {};
}

export function putEntry(context: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(context, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else {
    context[key] = value;
  }
}

/**
 * The kinds of value that feel-scala tells apart (its `Val` classes); two
 * values are of the same type when their kinds are equal.
 */
export type Kind =
  | 'null'
  | 'boolean'
  | 'number'
  | 'string'
  | 'list'
  | 'context'
  | 'date'
  | 'local time'
  | 'time'
  | 'local date time'
  | 'date time'
  | 'years months duration'
  | 'days time duration'
  | 'range'
  | 'function'
  | 'unknown';

export function kindOf(value: unknown): Kind {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'boolean':
      return 'boolean';
    case 'number':
      return 'number';
    case 'string':
      return 'string';
    case 'object':
      if (Array.isArray(value)) return 'list';
      if (isContext(value)) return 'context';
      if (value instanceof FeelDate) return 'date';
      if (value instanceof FeelLocalTime) return 'local time';
      if (value instanceof FeelTime) return 'time';
      if (value instanceof FeelLocalDateTime) return 'local date time';
      if (value instanceof FeelDateTime) return 'date time';
      if (value instanceof FeelYearsMonthsDuration) return 'years months duration';
      if (value instanceof FeelDaysTimeDuration) return 'days time duration';
      if (value instanceof FeelRange) return 'range';
      if (value instanceof FeelFunction) return 'function';
      return 'unknown';
    default:
      return 'unknown';
  }
}

/** feel-scala `getTypeName`: the names `instance of` and messages use. */
export function typeName(value: unknown): string {
  switch (kindOf(value)) {
    case 'local time':
      return 'time';
    case 'local date time':
    case 'date time':
      return 'date and time';
    case 'years months duration':
      return 'years and months duration';
    case 'days time duration':
      return 'days and time duration';
    case 'unknown':
      return 'unknown';
    default:
      return kindOf(value);
  }
}

/** A value as feel-scala prints it in messages and `string()` (`"a"`, `[1, 2]`, `{a:1}`). */
export function describe(value: unknown, depth = 0): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return `"${value}"`;
  if (typeof value === 'number') return formatNumber(value);
  if (depth > 32) return '...';
  if (Array.isArray(value)) return `[${value.map((v) => describe(v, depth + 1)).join(', ')}]`;
  if (isContext(value)) {
    return `{${Object.keys(value)
      .map((k) => `${k}:${describe(value[k], depth + 1)}`)
      .join(', ')}}`;
  }
  return String(value);
}

/**
 * A number as `string()` writes it: Java `BigDecimal.toString` of the
 * decimal the double stands for (plain up to 1e21, then scientific with `E`).
 */
export function formatNumber(n: number): string {
  const text = String(n);
  if (!text.includes('e')) return text;
  // Java writes large numbers in full and small ones as `1E-7`
  return n > 1 || n < -1 ? new Decimal(n).toFixed() : text.replace('e', 'E');
}

// comparison ////////////////////////////////////////////////////////

/** feel-scala `Val.isComparable` for a scalar. */
export function isScalarComparable(kind: Kind): boolean {
  switch (kind) {
    case 'number':
    case 'string':
    case 'date':
    case 'local time':
    case 'time':
    case 'local date time':
    case 'date time':
    case 'years months duration':
    case 'days time duration':
      return true;
    default:
      return false;
  }
}

/**
 * feel-scala `Val.compare` for two values of the same comparable kind:
 * negative, zero or positive.
 */
export function compareSameKind(kind: Kind, a: unknown, b: unknown): number {
  switch (kind) {
    case 'number':
      return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
    case 'string':
      return (a as string) < (b as string) ? -1 : (a as string) > (b as string) ? 1 : 0;
    case 'date':
      return Temporal.PlainDate.compare((a as FeelDate).value, (b as FeelDate).value);
    case 'local time':
      return Temporal.PlainTime.compare((a as FeelLocalTime).value, (b as FeelLocalTime).value);
    case 'time':
      return Math.sign((a as FeelTime).utcNanos - (b as FeelTime).utcNanos);
    case 'local date time':
      return Temporal.PlainDateTime.compare(
        (a as FeelLocalDateTime).value,
        (b as FeelLocalDateTime).value,
      );
    case 'date time':
      return Temporal.ZonedDateTime.compare((a as FeelDateTime).value, (b as FeelDateTime).value);
    case 'years months duration':
      return Math.sign(
        (a as FeelYearsMonthsDuration).months - (b as FeelYearsMonthsDuration).months,
      );
    case 'days time duration': {
      const x = (a as FeelDaysTimeDuration).nanos;
      const y = (b as FeelDaysTimeDuration).nanos;
      return x < y ? -1 : x > y ? 1 : 0;
    }
    default:
      throw new Error(`values of kind ${kind} have no order`);
  }
}

/**
 * feel-scala `ValComparator.compare`: `true`/`false` for values of the same
 * type, `null` when the types differ (or cannot be compared: functions,
 * ranges). `null` equals only `null`. `depth` guards against cyclic or
 * absurdly deep structures.
 */
export function feelEquals(a: unknown, b: unknown, depth = 0): boolean | null {
  if (a === null || a === undefined) return b === null || b === undefined;
  if (b === null || b === undefined) return false;
  if (typeof a !== 'object' && typeof b !== 'object') {
    return typeof a === typeof b ? a === b : null;
  }
  const kind = kindOf(a);
  if (kind !== kindOf(b)) return null;
  if (depth > 1000) throw new RangeError('the values nest too deeply to compare');
  switch (kind) {
    case 'list': {
      const x = a as unknown[];
      const y = b as unknown[];
      if (x.length !== y.length) return false;
      for (let i = 0; i < x.length; i++)
        if (feelEquals(x[i], y[i], depth + 1) !== true) return false;
      return true;
    }
    case 'context': {
      const x = a as Record<string, unknown>;
      const y = b as Record<string, unknown>;
      const keys = Object.keys(x);
      if (keys.length !== Object.keys(y).length) return false;
      for (const key of keys) {
        if (!hasOwn.call(y, key) || feelEquals(x[key], y[key], depth + 1) !== true) return false;
      }
      return true;
    }
    case 'date':
      return (a as FeelDate).value.equals((b as FeelDate).value);
    case 'local time':
      return (a as FeelLocalTime).value.equals((b as FeelLocalTime).value);
    case 'time': {
      const x = a as FeelTime;
      const y = b as FeelTime;
      return x.value.equals(y.value) && x.offsetSeconds === y.offsetSeconds && x.zone === y.zone;
    }
    case 'local date time':
      return (a as FeelLocalDateTime).value.equals((b as FeelLocalDateTime).value);
    case 'date time': {
      const x = a as FeelDateTime;
      const y = b as FeelDateTime;
      return (
        x.zoned === y.zoned &&
        x.value.epochNanoseconds === y.value.epochNanoseconds &&
        x.value.offsetNanoseconds === y.value.offsetNanoseconds &&
        x.value.timeZoneId === y.value.timeZoneId
      );
    }
    case 'years months duration':
      return (a as FeelYearsMonthsDuration).months === (b as FeelYearsMonthsDuration).months;
    case 'days time duration':
      return (a as FeelDaysTimeDuration).nanos === (b as FeelDaysTimeDuration).nanos;
    case 'range': {
      const x = a as FeelRange;
      const y = b as FeelRange;
      return (
        x.start.closed === y.start.closed &&
        x.end.closed === y.end.closed &&
        feelEquals(x.start.value, y.start.value, depth + 1) === true &&
        feelEquals(x.end.value, y.end.value, depth + 1) === true
      );
    }
    default:
      return null;
  }
}

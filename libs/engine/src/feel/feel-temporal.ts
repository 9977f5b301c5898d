import { Temporal } from 'temporal-polyfill';
import {
  FeelDate,
  FeelDateTime,
  FeelDaysTimeDuration,
  FeelLocalDateTime,
  FeelLocalTime,
  FeelTime,
  FeelYearsMonthsDuration,
} from './feel-values';

/**
 * Temporal values: parsing as feel-scala parses them (its `isValidDate`,
 * `isOffsetTime`, ... patterns and `java.time` formatters), and the
 * arithmetic of its interpreter (`addOp`, `subOp`, ...), on top of the
 * Temporal API (temporal-polyfill), which has the same ISO calendar rules as
 * `java.time` (month-end clamping, DST resolution).
 */

const NS = 1_000_000_000n;

const DATE = /^(-?(?:[1-9]\d{0,4})?\d{4})-([01]\d)-([0-3]\d)$/;
const LOCAL_TIME = /^T?(\d{2}):(\d{2})(?::(\d{2}))?(?:\.(\d{1,9}))?$/;
const OFFSET_TIME = /^T?(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2}|@(.+))$/;
const DATE_TIME =
  /^(-?(?:[1-9]\d{0,4})?\d{4})-([01]\d)-([0-3]\d)T([0-2]\d):([0-5]\d)(?::([0-5]\d))?(?:\.(\d{1,9}))?(?:(Z|[+-][01]\d:[0-5]\d)(?:\[(.+)\])?|@(.+))?$/;
const YEARS_MONTHS = /^([-+]?)P(?:([-+]?\d+)Y)?(?:([-+]?\d+)M)?$/;
const DAYS_TIME =
  /^([-+]?)P(?:([-+]?\d+)D)?(?:T(?:([-+]?\d+)H)?(?:([-+]?\d+)M)?(?:([-+]?\d+)(?:[.,](\d{0,9}))?S)?)?$/;

function plainDate(year: string, month: string, day: string): Temporal.PlainDate | null {
  try {
    return Temporal.PlainDate.from(
      { year: Number(year), month: Number(month), day: Number(day) },
      { overflow: 'reject' },
    );
  } catch {
    return null;
  }
}

interface TimeParts {
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly millisecond: number;
  readonly microsecond: number;
  readonly nanosecond: number;
}

function timeParts(
  h: string,
  m: string,
  s: string | undefined,
  f: string | undefined,
): TimeParts | null {
  const hour = Number(h);
  const minute = Number(m);
  const second = s === undefined ? 0 : Number(s);
  if (hour > 23 || minute > 59 || second > 59) return null;
  const nanos = f === undefined ? 0 : Number(f.padEnd(9, '0'));
  return {
    hour,
    minute,
    second,
    millisecond: Math.trunc(nanos / 1e6),
    microsecond: Math.trunc(nanos / 1e3) % 1000,
    nanosecond: nanos % 1000,
  };
}

/** An IANA zone as Temporal spells it, or null when unknown. */
export function zoneId(name: string): string | null {
  if (/^[+-]\d{2}:\d{2}$/.test(name) || name === 'Z') return null;
  try {
    return new Temporal.ZonedDateTime(0n, name).timeZoneId;
  } catch {
    return null;
  }
}

function offsetSeconds(text: string): number {
  if (text === 'Z') return 0;
  const sign = text.startsWith('-') ? -1 : 1;
  const [h, m] = text.slice(1).split(':').map(Number);
  return sign * (h * 3600 + m * 60);
}

function offsetZone(seconds: number): string {
  const sign = seconds < 0 ? '-' : '+';
  const abs = Math.abs(seconds);
  return `${sign}${String(Math.trunc(abs / 3600)).padStart(2, '0')}:${String(Math.trunc(abs / 60) % 60).padStart(2, '0')}`;
}

/**
 * A zone's standard offset, which feel-scala gives a time of day in a zone
 * (`getStandardOffset(Instant.now)`). Baton takes it at a fixed instant, not
 * the wall clock: the smaller of the offsets in January and July 2024.
 */
function standardOffsetSeconds(zone: string): number {
  const jan = Temporal.ZonedDateTime.from({ year: 2024, month: 1, day: 1, timeZone: zone });
  const jul = Temporal.ZonedDateTime.from({ year: 2024, month: 7, day: 1, timeZone: zone });
  return Math.round(Math.min(jan.offsetNanoseconds, jul.offsetNanoseconds) / 1e9);
}

// parsing ///////////////////////////////////////////////////////////

export function isValidDateText(text: string): boolean {
  return DATE.test(text);
}

export function parseDate(text: string): FeelDate | null {
  const m = DATE.exec(text);
  if (m === null) return null;
  const date = plainDate(m[1], m[2], m[3]);
  return date === null ? null : new FeelDate(date);
}

/** `time("...")`: an offset or zone makes a time, otherwise a local time. */
export function parseTime(text: string): FeelTime | FeelLocalTime | null {
  const zoned = OFFSET_TIME.exec(text);
  if (zoned !== null) {
    const parts = timeParts(zoned[1], zoned[2], zoned[3], zoned[4]);
    if (parts === null) return null;
    const time = Temporal.PlainTime.from(parts);
    if (zoned[6] !== undefined) {
      const zone = zoneId(zoned[6]);
      if (zone === null) return null;
      return new FeelTime(time, standardOffsetSeconds(zone), zone);
    }
    return new FeelTime(time, offsetSeconds(zoned[5]), null);
  }
  const local = LOCAL_TIME.exec(text);
  if (local === null) return null;
  const parts = timeParts(local[1], local[2], local[3], local[4]);
  return parts === null ? null : new FeelLocalTime(Temporal.PlainTime.from(parts));
}

/** `date and time("...")`: a date alone is its midnight; an offset or zone makes a zoned value. */
export function parseDateTime(text: string): FeelDateTime | FeelLocalDateTime | null {
  const date = parseDate(text);
  if (date !== null) return new FeelLocalDateTime(date.value.toPlainDateTime());
  const m = DATE_TIME.exec(text);
  if (m === null) return null;
  const day = plainDate(m[1], m[2], m[3]);
  const time = timeParts(m[4], m[5], m[6], m[7]);
  if (day === null || time === null) return null;
  const local = day.toPlainDateTime(Temporal.PlainTime.from(time));
  const zoneName = m[10] ?? m[9];
  if (zoneName !== undefined) {
    const zone = zoneId(zoneName);
    if (zone === null) return null;
    try {
      const offset = m[8];
      const zdt =
        offset !== undefined
          ? Temporal.ZonedDateTime.from(
              `${local.toString()}${offset === 'Z' ? '+00:00' : offset}[${zone}]`,
              {
                offset: 'prefer',
              },
            )
          : local.toZonedDateTime(zone);
      return new FeelDateTime(zdt, true);
    } catch {
      return null;
    }
  }
  if (m[8] !== undefined) {
    return new FeelDateTime(local.toZonedDateTime(offsetZone(offsetSeconds(m[8]))), false);
  }
  return new FeelLocalDateTime(local);
}

function signed(sign: string, text: string | undefined): bigint {
  if (text === undefined) return 0n;
  const value = BigInt(text.replace('+', ''));
  return sign === '-' ? -value : value;
}

/** Java `Period.parse` restricted to years and months, normalized to months. */
export function parseYearsMonthsDuration(text: string): FeelYearsMonthsDuration | null {
  const m = YEARS_MONTHS.exec(text);
  if (m === null || (m[2] === undefined && m[3] === undefined)) return null;
  const months = signed(m[1], m[2]) * 12n + signed(m[1], m[3]);
  const n = Number(months);
  return Number.isSafeInteger(n) ? new FeelYearsMonthsDuration(n) : null;
}

/** Java `Duration.parse`. */
export function parseDaysTimeDuration(text: string): FeelDaysTimeDuration | null {
  const m = DAYS_TIME.exec(text);
  if (m === null) return null;
  if (m[2] === undefined && m[3] === undefined && m[4] === undefined && m[5] === undefined)
    return null;
  if (text.includes('T') && m[3] === undefined && m[4] === undefined && m[5] === undefined)
    return null;
  const sign = m[1];
  const seconds =
    signed(sign, m[2]) * 86400n +
    signed(sign, m[3]) * 3600n +
    signed(sign, m[4]) * 60n +
    signed(sign, m[5]);
  let fraction = 0n;
  if (m[6] !== undefined && m[6] !== '') {
    fraction = BigInt(m[6].padEnd(9, '0'));
    const secondsNegative = (m[5] ?? '').startsWith('-') !== (sign === '-');
    if (secondsNegative) fraction = -fraction;
  }
  return new FeelDaysTimeDuration(seconds * NS + fraction);
}

/** `duration("...")`: years and months, else days and time (feel-scala `parseDuration`). */
export function parseDuration(text: string): FeelYearsMonthsDuration | FeelDaysTimeDuration | null {
  if (/^-?P-?(\d+Y)?-?(\d+M)?$/.test(text)) return parseYearsMonthsDuration(text);
  return parseDaysTimeDuration(text);
}

export type TemporalValue =
  | FeelDate
  | FeelTime
  | FeelLocalTime
  | FeelDateTime
  | FeelLocalDateTime
  | FeelYearsMonthsDuration
  | FeelDaysTimeDuration;

/** `@"..."`: whatever the text is (feel-scala `parseTemporalValue`); null when it is none. */
export function parseTemporalLiteral(text: string): TemporalValue | null {
  if (DATE.test(text)) return parseDate(text);
  if (OFFSET_TIME.test(text)) return parseTime(text);
  if (DATE_TIME.test(text)) return parseDateTime(text);
  if (/^-?P-?(\d+Y)?-?(\d+M)?$/.test(text)) return parseYearsMonthsDuration(text);
  if (/^-?P/.test(text)) return parseDaysTimeDuration(text);
  return parseTime(text);
}

// constructors //////////////////////////////////////////////////////

export function dateOf(year: number, month: number, day: number): FeelDate | null {
  if (![year, month, day].every(Number.isFinite)) return null;
  const date = plainDate(
    String(Math.trunc(year)),
    String(Math.trunc(month)),
    String(Math.trunc(day)),
  );
  return date === null ? null : new FeelDate(date);
}

/** `time(hour, minute, second[, offset])`; a fractional second keeps its nanoseconds. */
export function timeOf(
  hour: number,
  minute: number,
  second: number,
  offset: FeelDaysTimeDuration | null,
): FeelTime | FeelLocalTime | null {
  const h = Math.trunc(hour);
  const m = Math.trunc(minute);
  const s = Math.trunc(second);
  if (h < 0 || h > 23 || m < 0 || m > 59 || s < 0 || s > 59) return null;
  const nanos = Math.min(999_999_999, Math.round((second - s) * 1e9));
  const time = Temporal.PlainTime.from({
    hour: h,
    minute: m,
    second: s,
    millisecond: Math.trunc(nanos / 1e6),
    microsecond: Math.trunc(nanos / 1e3) % 1000,
    nanosecond: nanos % 1000,
  });
  if (offset === null) return new FeelLocalTime(time);
  const seconds = offset.seconds;
  if (Math.abs(seconds) > 18 * 3600) return null;
  return new FeelTime(time, seconds, null);
}

/** `date and time(date, time)`. */
export function combine(
  date: Temporal.PlainDate,
  time: FeelTime | FeelLocalTime,
): FeelDateTime | FeelLocalDateTime {
  if (time instanceof FeelLocalTime) return new FeelLocalDateTime(date.toPlainDateTime(time.value));
  const local = date.toPlainDateTime(time.value);
  if (time.zone !== null) return new FeelDateTime(local.toZonedDateTime(time.zone), true);
  return new FeelDateTime(local.toZonedDateTime(offsetZone(time.offsetSeconds)), false);
}

/** A local date-time placed in a zone (`date and time(ldt, "Europe/Paris")`). */
export function inZone(
  value: FeelLocalDateTime | FeelDateTime,
  zoneName: string,
): FeelDateTime | null {
  const zone = zoneId(zoneName);
  if (zone === null) {
    if (/^[+-]\d{2}:\d{2}$|^Z$/.test(zoneName)) {
      const offset = offsetZone(offsetSeconds(zoneName));
      return value instanceof FeelLocalDateTime
        ? new FeelDateTime(value.value.toZonedDateTime(offset), false)
        : new FeelDateTime(value.value.withTimeZone(offset), false);
    }
    return null;
  }
  return value instanceof FeelLocalDateTime
    ? new FeelDateTime(value.value.toZonedDateTime(zone), true)
    : new FeelDateTime(value.value.withTimeZone(zone), true);
}

/** The engine clock's instant as `now()` returns it: a date-time at UTC (`Z`). */
export function dateTimeAt(epochMilliseconds: number): FeelDateTime {
  return new FeelDateTime(
    Temporal.Instant.fromEpochMilliseconds(epochMilliseconds).toZonedDateTimeISO('+00:00'),
    false,
  );
}

/** The time of day of a date-time (`time(dateTime)`). */
export function timeOfDateTime(value: FeelDateTime): FeelTime {
  return new FeelTime(
    value.value.toPlainTime(),
    value.offsetSeconds,
    value.zoned ? value.value.timeZoneId : null,
  );
}

// arithmetic ////////////////////////////////////////////////////////

function durationFields(nanos: bigint): Temporal.DurationLike {
  const seconds = nanos / NS;
  return { seconds: Number(seconds), nanoseconds: Number(nanos - seconds * NS) };
}

function plusNanos<T extends Temporal.PlainDateTime | Temporal.ZonedDateTime | Temporal.PlainTime>(
  value: T,
  nanos: bigint,
): T {
  return (value as Temporal.PlainDateTime).add(durationFields(nanos)) as T;
}

/** `a + b` for temporal operands; undefined when feel-scala has no such sum. */
export function addTemporal(a: unknown, b: unknown): unknown {
  if (a instanceof FeelDaysTimeDuration || a instanceof FeelYearsMonthsDuration) {
    if (b instanceof FeelDaysTimeDuration || b instanceof FeelYearsMonthsDuration) {
      if (a instanceof FeelDaysTimeDuration && b instanceof FeelDaysTimeDuration)
        return new FeelDaysTimeDuration(a.nanos + b.nanos);
      if (a instanceof FeelYearsMonthsDuration && b instanceof FeelYearsMonthsDuration)
        return new FeelYearsMonthsDuration(a.months + b.months);
      return undefined;
    }
    return shift(b, a, 1);
  }
  if (b instanceof FeelDaysTimeDuration || b instanceof FeelYearsMonthsDuration)
    return shift(a, b, 1);
  return undefined;
}

/** `a - b` for temporal operands; undefined when feel-scala has no such difference. */
export function subtractTemporal(a: unknown, b: unknown): unknown {
  if (a instanceof FeelDaysTimeDuration && b instanceof FeelDaysTimeDuration)
    return new FeelDaysTimeDuration(a.nanos - b.nanos);
  if (a instanceof FeelYearsMonthsDuration && b instanceof FeelYearsMonthsDuration)
    return new FeelYearsMonthsDuration(a.months - b.months);
  if (b instanceof FeelDaysTimeDuration || b instanceof FeelYearsMonthsDuration)
    return shift(a, b, -1);
  if (a instanceof FeelDate && b instanceof FeelDate) {
    return new FeelDaysTimeDuration(
      BigInt(a.value.since(b.value, { largestUnit: 'days' }).days) * 86400n * NS,
    );
  }
  if (a instanceof FeelLocalTime && b instanceof FeelLocalTime) {
    return new FeelDaysTimeDuration(BigInt(a.value.since(b.value).total('nanoseconds')));
  }
  if (a instanceof FeelTime && b instanceof FeelTime) {
    // feel-scala `ZonedTime.between`: the distance, never negative
    return new FeelDaysTimeDuration(BigInt(Math.abs(a.utcNanos - b.utcNanos)));
  }
  if (a instanceof FeelLocalDateTime && b instanceof FeelLocalDateTime) {
    return new FeelDaysTimeDuration(
      a.value.toZonedDateTime('UTC').epochNanoseconds -
        b.value.toZonedDateTime('UTC').epochNanoseconds,
    );
  }
  if (a instanceof FeelDateTime && b instanceof FeelDateTime) {
    return new FeelDaysTimeDuration(a.value.epochNanoseconds - b.value.epochNanoseconds);
  }
  return undefined;
}

/** A point in time moved by a duration (`sign` -1 subtracts). */
function shift(
  point: unknown,
  by: FeelDaysTimeDuration | FeelYearsMonthsDuration,
  sign: 1 | -1,
): unknown {
  if (by instanceof FeelYearsMonthsDuration) {
    const months = { months: by.months * sign };
    if (point instanceof FeelDate) return new FeelDate(point.value.add(months));
    if (point instanceof FeelLocalDateTime) return new FeelLocalDateTime(point.value.add(months));
    if (point instanceof FeelDateTime)
      return new FeelDateTime(point.value.add(months), point.zoned);
    return undefined;
  }
  const nanos = sign === 1 ? by.nanos : -by.nanos;
  if (point instanceof FeelDate) {
    // feel-scala: `date.atStartOfDay.plus(duration).toLocalDate`
    return new FeelDate(plusNanos(point.value.toPlainDateTime(), nanos).toPlainDate());
  }
  if (point instanceof FeelLocalDateTime)
    return new FeelLocalDateTime(plusNanos(point.value, nanos));
  if (point instanceof FeelDateTime)
    return new FeelDateTime(plusNanos(point.value, nanos), point.zoned);
  if (point instanceof FeelLocalTime) return new FeelLocalTime(plusNanos(point.value, nanos));
  if (point instanceof FeelTime)
    return new FeelTime(plusNanos(point.value, nanos), point.offsetSeconds, point.zone);
  return undefined;
}

/** The years-and-months between two dates (`years and months duration(from, to)`). */
export function monthsBetween(
  from: Temporal.PlainDate,
  to: Temporal.PlainDate,
): FeelYearsMonthsDuration {
  const d = from.until(to, { largestUnit: 'months' });
  return new FeelYearsMonthsDuration(d.months);
}

/** The date part of a date-like value; undefined for anything else. */
export function datePart(value: unknown): Temporal.PlainDate | undefined {
  if (value instanceof FeelDate) return value.value;
  if (value instanceof FeelLocalDateTime) return value.value.toPlainDate();
  if (value instanceof FeelDateTime) return value.value.toPlainDate();
  return undefined;
}

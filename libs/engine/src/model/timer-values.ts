import { CronExpressionParser } from 'cron-parser';
import { Temporal } from 'temporal-polyfill';
import type { TimerDefinition } from './model.types';

/**
 * Timer values as Camunda 8 writes them. Deploy validates literal values with
 * these parsers; the executor can use the same functions on the strings that
 * FEEL timer expressions produce at run time.
 */
export class TimerValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TimerValueError';
  }
}

export type TimeCycle =
  /** ISO 8601 repeating interval; `repetitions` null means unbounded (`R/PT1M`). */
  | {
      readonly kind: 'repeat';
      readonly repetitions: number | null;
      readonly start?: number;
      readonly interval: Temporal.Duration;
    }
  /** 6-field cron with seconds (Spring syntax, as Camunda 8), or a macro such as `@daily`. */
  | { readonly kind: 'cron'; readonly expression: string };

export type ParsedTimer =
  | { readonly kind: 'duration'; readonly duration: Temporal.Duration }
  | { readonly kind: 'date'; readonly epochMs: number }
  | { readonly kind: 'cycle'; readonly cycle: TimeCycle };

/** `PT5S`, `P1DT2H`, `P1M`; negative durations are refused. */
export function parseIsoDuration(text: string): Temporal.Duration {
  const value = text.trim();
  let duration: Temporal.Duration;
  try {
    duration = Temporal.Duration.from(value);
  } catch {
    throw new TimerValueError(`'${value}' is not an ISO 8601 duration (such as PT5S or P1DT2H)`);
  }
  if (duration.sign < 0) throw new TimerValueError(`'${value}' is a negative duration`);
  return duration;
}

/**
 * `2026-01-01T10:00:00Z`, with an offset, or with a zone (`...+01:00[Europe/Berlin]`);
 * a date-time without any zone is UTC. Returns epoch milliseconds.
 */
export function parseIsoDateTime(text: string): number {
  const value = text.trim();
  if (!/^[+-]?\d{4,6}-\d{2}-\d{2}[Tt ]\d{2}/.test(value)) {
    throw new TimerValueError(
      `'${value}' is not an ISO 8601 date-time (such as 2026-01-01T10:00:00Z)`,
    );
  }
  try {
    return Temporal.Instant.from(value).epochMilliseconds;
  } catch {
    // no offset: a zoned or a plain date-time
  }
  try {
    return Temporal.ZonedDateTime.from(value).epochMilliseconds;
  } catch {
    // no zone either
  }
  try {
    return Temporal.PlainDateTime.from(value).toZonedDateTime('UTC').epochMilliseconds;
  } catch {
    throw new TimerValueError(
      `'${value}' is not an ISO 8601 date-time (such as 2026-01-01T10:00:00Z)`,
    );
  }
}

/** `R3/PT10S`, `R/PT1M`, `R3/2026-01-01T00:00:00Z/PT1H`, or 6-field cron (`0 0/5 * * * ?`). */
export function parseTimeCycle(text: string): TimeCycle {
  const value = text.trim();
  if (/^R\d*\//i.test(value)) return parseRepeatingInterval(value);
  return { kind: 'cron', expression: parseCron(value) };
}

export function parseTimerValue(kind: TimerDefinition['kind'], text: string): ParsedTimer {
  switch (kind) {
    case 'duration':
      return { kind, duration: parseIsoDuration(text) };
    case 'date':
      return { kind, epochMs: parseIsoDateTime(text) };
    case 'cycle':
      return { kind, cycle: parseTimeCycle(text) };
  }
}

/** Adds a duration in UTC calendar arithmetic (so `P1M` means one calendar month). */
export function addDuration(epochMs: number, duration: Temporal.Duration): number {
  return Temporal.Instant.fromEpochMilliseconds(epochMs).toZonedDateTimeISO('UTC').add(duration)
    .epochMilliseconds;
}

/** The first time strictly after `afterEpochMs` at which a cron expression fires (UTC). */
export function nextCronTime(expression: string, afterEpochMs: number): number {
  return CronExpressionParser.parse(expression, { currentDate: afterEpochMs, tz: 'UTC' })
    .next()
    .getTime();
}

function parseRepeatingInterval(value: string): TimeCycle {
  const parts = value.split('/');
  const count = parts[0].slice(1);
  const repetitions = count === '' ? null : Number(count);
  if (repetitions !== null && !Number.isSafeInteger(repetitions)) {
    throw new TimerValueError(`'${value}' has an invalid repetition count`);
  }
  if (repetitions === 0) throw new TimerValueError(`'${value}' repeats zero times`);
  let start: number | undefined;
  let intervalText: string;
  if (parts.length === 2) {
    intervalText = parts[1];
  } else if (parts.length === 3) {
    try {
      start = parseIsoDateTime(parts[1]);
    } catch (e) {
      throw new TimerValueError(`'${value}' has an invalid start: ${(e as Error).message}`);
    }
    intervalText = parts[2];
  } else {
    throw new TimerValueError(
      `'${value}' is not a repeating interval (R<n>/<duration> or R<n>/<start>/<duration>)`,
    );
  }
  let interval: Temporal.Duration;
  try {
    interval = parseIsoDuration(intervalText);
  } catch (e) {
    throw new TimerValueError(`'${value}' has an invalid interval: ${(e as Error).message}`);
  }
  if (interval.sign === 0) throw new TimerValueError(`'${value}' repeats with an interval of zero`);
  return { kind: 'repeat', repetitions, start, interval };
}

function parseCron(value: string): string {
  const fields = value.split(/\s+/);
  if (!value.startsWith('@') && fields.length !== 6) {
    throw new TimerValueError(
      `'${value}' is neither a repeating interval (R3/PT10S) nor a 6-field cron expression with seconds (0 0/5 * * * ?)`,
    );
  }
  try {
    CronExpressionParser.parse(value, { tz: 'UTC' });
  } catch (e) {
    throw new TimerValueError(`'${value}' is not a valid cron expression: ${(e as Error).message}`);
  }
  return value;
}

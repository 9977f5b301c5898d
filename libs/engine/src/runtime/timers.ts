import { CronExpressionParser } from 'cron-parser';
import { Temporal } from 'temporal-polyfill';

/**
 * Timer arithmetic over ISO 8601 values and Camunda 8 cron, as pure functions
 * of a given "now" (epoch ms). Dates without a zone are UTC; durations with
 * calendar units (P1M) are added on the UTC calendar.
 */

export class TimerValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TimerValueError';
  }
}

export interface CycleSchedule {
  /** Due time of the first firing. */
  readonly dueAt: number;
  /** Firings left after the first one; -1 when unbounded. */
  readonly remaining: number;
}

const REPEATING = /^R(\d*)\/(.+)$/;

export function durationDue(value: string, now: number): number {
  return addDuration(now, parseDuration(value));
}

export function dateDue(value: string): number {
  return parseDate(value);
}

export function isCron(value: string): boolean {
  return !value.startsWith('R') && value.trim().split(/\s+/).length >= 5;
}

/** First firing of a cycle (`R3/PT10S`, `R/PT1M`, `R2/2026-01-01T00:00:00Z/PT1H`, cron). */
export function cycleFirst(value: string, now: number): CycleSchedule {
  const spec = value.trim();
  if (isCron(spec)) return { dueAt: cronNext(spec, now), remaining: -1 };
  const match = REPEATING.exec(spec);
  if (!match) throw new TimerValueError(`'${value}' is neither an ISO 8601 repeating interval (R3/PT10S) nor a cron expression`);
  const repetitions = match[1] === '' ? -1 : Number(match[1]);
  if (repetitions === 0) throw new TimerValueError(`'${value}' repeats zero times`);
  const parts = match[2].split('/');
  let dueAt: number;
  if (parts.length === 1) {
    dueAt = addDuration(now, parseDuration(parts[0]));
  } else if (parts.length === 2) {
    // R/start/duration: the first firing is at the start (or one interval after now if it has passed).
    const start = parseDate(parts[0]);
    const duration = parseDuration(parts[1]);
    dueAt = start;
    while (dueAt < now) dueAt = addDuration(dueAt, duration);
  } else {
    throw new TimerValueError(`'${value}' has too many parts for a repeating interval`);
  }
  return { dueAt, remaining: repetitions < 0 ? -1 : repetitions - 1 };
}

/** The firing after the one that was due at `lastDueAt`. */
export function cycleNext(value: string, lastDueAt: number): number {
  const spec = value.trim();
  if (isCron(spec)) return cronNext(spec, lastDueAt);
  const match = REPEATING.exec(spec);
  if (!match) throw new TimerValueError(`'${value}' is not a timer cycle`);
  const parts = match[2].split('/');
  return addDuration(lastDueAt, parseDuration(parts[parts.length - 1]));
}

/** Checks a literal timer value of the given kind; returns a message when it is malformed. */
export function checkTimerValue(kind: 'duration' | 'date' | 'cycle', value: string): string | null {
  try {
    if (kind === 'duration') parseDuration(value);
    else if (kind === 'date') parseDate(value);
    else cycleFirst(value, 0);
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

function parseDuration(value: string): Temporal.Duration {
  try {
    const duration = Temporal.Duration.from(value.trim());
    if (duration.sign < 0) throw new TimerValueError(`'${value}' is a negative duration`);
    return duration;
  } catch (e) {
    if (e instanceof TimerValueError) throw e;
    throw new TimerValueError(`'${value}' is not an ISO 8601 duration (e.g. PT5S, P1DT2H)`);
  }
}

function parseDate(value: string): number {
  const text = value.trim();
  try {
    return Temporal.Instant.from(text).epochMilliseconds;
  } catch {
    try {
      // Camunda 8: a date-time without an offset or zone is UTC.
      return Temporal.PlainDateTime.from(text).toZonedDateTime('UTC').epochMilliseconds;
    } catch {
      try {
        return Temporal.ZonedDateTime.from(text).epochMilliseconds;
      } catch {
        throw new TimerValueError(`'${value}' is not an ISO 8601 date-time (e.g. 2026-01-01T10:00:00Z)`);
      }
    }
  }
}

function addDuration(from: number, duration: Temporal.Duration): number {
  return Temporal.Instant.fromEpochMilliseconds(from).toZonedDateTimeISO('UTC').add(duration).epochMilliseconds;
}

function cronNext(expression: string, after: number): number {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 6) {
    throw new TimerValueError(`cron '${expression}' must have 6 fields (seconds first), as in Camunda 8`);
  }
  try {
    const interval = CronExpressionParser.parse(expression, { currentDate: new Date(after), tz: 'UTC' });
    return interval.next().getTime();
  } catch (e) {
    throw new TimerValueError(`cron '${expression}' is invalid: ${(e as Error).message}`);
  }
}

import {
  addDuration,
  nextCronTime,
  parseIsoDateTime,
  parseIsoDuration,
  parseTimeCycle,
  TimerValueError,
} from '../model/timer-values';

/**
 * When timers are due, as pure functions of a given "now" (epoch ms), over the
 * same parsers that validate literal timer values at deploy time.
 */

export interface CycleSchedule {
  /** Due time of the first firing. */
  readonly dueAt: number;
  /** Firings left after the first one; -1 when unbounded. */
  readonly remaining: number;
}

export function durationDue(value: string, now: number): number {
  return addDuration(now, parseIsoDuration(value));
}

export function dateDue(value: string): number {
  return parseIsoDateTime(value);
}

/** First firing of a cycle (`R3/PT10S`, `R/PT1M`, `R2/2026-01-01T00:00:00Z/PT1H`, cron). */
export function cycleFirst(value: string, now: number): CycleSchedule {
  const cycle = parseTimeCycle(value);
  if (cycle.kind === 'cron') return { dueAt: nextCronTime(cycle.expression, now), remaining: -1 };
  if (cycle.repetitions === 0) throw new TimerValueError(`'${value}' repeats zero times`);
  let dueAt: number;
  if (cycle.start === undefined) {
    dueAt = addDuration(now, cycle.interval);
  } else {
    // With a start date the first firing is at the start, or the next one after now if it has passed.
    dueAt = cycle.start;
    while (dueAt < now) dueAt = addDuration(dueAt, cycle.interval);
  }
  return { dueAt, remaining: cycle.repetitions === null ? -1 : cycle.repetitions - 1 };
}

/** The firing after the one that was due at `lastDueAt`. */
export function cycleNext(value: string, lastDueAt: number): number {
  const cycle = parseTimeCycle(value);
  return cycle.kind === 'cron' ? nextCronTime(cycle.expression, lastDueAt) : addDuration(lastDueAt, cycle.interval);
}

export { TimerValueError };

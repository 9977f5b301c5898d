import {
  addDuration,
  nextCronTime,
  parseIsoDateTime,
  parseIsoDuration,
  parseTimeCycle,
  TimerValueError,
} from '../../src/model';

const at = (iso: string) => Date.parse(iso);

describe('timer values', () => {
  it('durations', () => {
    expect(parseIsoDuration('PT5S').total('millisecond')).toBe(5000);
    expect(parseIsoDuration(' P1DT2H ').total({ unit: 'hour', relativeTo: '2026-01-01' })).toBe(26);
    expect(() => parseIsoDuration('5S')).toThrow(TimerValueError);
    expect(() => parseIsoDuration('-PT5S')).toThrow(/negative/);
    expect(addDuration(at('2026-01-31T00:00:00Z'), parseIsoDuration('P1M'))).toBe(
      at('2026-02-28T00:00:00Z'),
    );
  });

  it('dates: with zone, with offset, and without zone as UTC', () => {
    expect(parseIsoDateTime('2026-01-01T10:00:00Z')).toBe(at('2026-01-01T10:00:00Z'));
    expect(parseIsoDateTime('2026-01-01T10:00:00')).toBe(at('2026-01-01T10:00:00Z'));
    expect(parseIsoDateTime('2026-01-01T10:00:00+02:00')).toBe(at('2026-01-01T08:00:00Z'));
    expect(parseIsoDateTime('2026-01-01T10:00:00[Europe/Berlin]')).toBe(at('2026-01-01T09:00:00Z'));
    expect(() => parseIsoDateTime('2026-01-01')).toThrow(TimerValueError);
    expect(() => parseIsoDateTime('tomorrow')).toThrow(TimerValueError);
  });

  it('repeating intervals', () => {
    expect(parseTimeCycle('R3/PT10S')).toMatchObject({ kind: 'repeat', repetitions: 3 });
    expect(parseTimeCycle('R/PT1M')).toMatchObject({ kind: 'repeat', repetitions: null });
    expect(parseTimeCycle('R3/2026-01-01T00:00:00Z/PT1H')).toMatchObject({
      kind: 'repeat',
      repetitions: 3,
      start: at('2026-01-01T00:00:00Z'),
    });
    expect(() => parseTimeCycle('R3/PT0S')).toThrow(/interval of zero/);
    expect(() => parseTimeCycle('R3/a/b/c')).toThrow(TimerValueError);
  });

  it('6-field cron with seconds', () => {
    expect(parseTimeCycle('0 0/5 * * * ?')).toEqual({ kind: 'cron', expression: '0 0/5 * * * ?' });
    expect(parseTimeCycle('0 */5 * * * *')).toEqual({ kind: 'cron', expression: '0 */5 * * * *' });
    expect(() => parseTimeCycle('*/5 * * * *')).toThrow(/6-field cron/);
    expect(() => parseTimeCycle('0 0 25 * * *')).toThrow(/not a valid cron expression/);
    expect(nextCronTime('0 0/5 * * * ?', at('2026-01-01T00:01:00Z'))).toBe(
      at('2026-01-01T00:05:00Z'),
    );
  });
});

import { loadSettings, SettingsError } from '../src';

const problemsOf = (env: Record<string, string>): string => {
  try {
    loadSettings(env);
  } catch (e) {
    if (e instanceof SettingsError) return e.problems.join('\n');
    throw e;
  }
  throw new Error('no problem found');
};

describe('history and retention settings', () => {
  it('defaults: full history, kept forever, chunks of 1000, a pass an hour', () => {
    expect(loadSettings({})).toMatchObject({ HISTORY_LEVEL: 'full', RETENTION_CHUNK: 1000, RETENTION_INTERVAL: 3600 });
    const s = loadSettings({});
    expect(s.HISTORY_RETENTION).toBeUndefined();
    expect(s.INSTANCE_RETENTION).toBeUndefined();
  });

  it('reads retentions as days or ISO 8601 durations, in milliseconds; 0 and off keep forever', () => {
    expect(loadSettings({ HISTORY_RETENTION: '30', INSTANCE_RETENTION: 'P1W' })).toMatchObject({
      HISTORY_RETENTION: 30 * 86_400_000,
      INSTANCE_RETENTION: 7 * 86_400_000,
    });
    expect(loadSettings({ HISTORY_RETENTION: 'P1DT12H', INSTANCE_RETENTION: 'pt90m' })).toMatchObject({
      HISTORY_RETENTION: 36 * 3_600_000,
      INSTANCE_RETENTION: 90 * 60_000,
    });
    expect(loadSettings({ HISTORY_RETENTION: '0', INSTANCE_RETENTION: 'off' }).HISTORY_RETENTION).toBeUndefined();
    expect(loadSettings({ RETENTION_INTERVAL: 'PT5M', HISTORY_LEVEL: 'Activity' })).toMatchObject({ RETENTION_INTERVAL: 300, HISTORY_LEVEL: 'activity' });
  });

  it('names a bad value', () => {
    const problems = problemsOf({ HISTORY_LEVEL: 'verbose', HISTORY_RETENTION: 'P1M', INSTANCE_RETENTION: '-3', RETENTION_INTERVAL: 'PT0S', RETENTION_CHUNK: '0' });
    expect(problems).toContain("HISTORY_LEVEL must be one of full, activity, none, got 'verbose'");
    expect(problems).toContain("HISTORY_RETENTION must be a number of days or an ISO 8601 duration such as P30D or PT12H (0 or off: keep forever), got 'P1M'");
    expect(problems).toContain("INSTANCE_RETENTION must be a number of days");
    expect(problems).toContain("RETENTION_INTERVAL must be a number of seconds > 0 or an ISO 8601 duration such as PT1H, got 'PT0S'");
    expect(problems).toContain('RETENTION_CHUNK must be a whole number > 0');
  });
});

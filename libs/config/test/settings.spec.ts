import { loadSettings, SettingsError } from '../src';

describe('settings', () => {
  it('applies the documented defaults', () => {
    const s = loadSettings({});
    expect(s).toMatchObject({
      TOKEN_BATCH_SIZE: 100,
      MAX_PARALLEL_TOKENS: 50,
      STATE_CHECK_INTERVAL: 5,
      MAX_VARIABLE_SIZE: 1048576,
      MAX_TOTAL_VARIABLES: 10485760,
      DEFINITION_CACHE_TTL: 300,
      MIGRATE_ON_START: false,
    });
    expect(s.DATABASE_URL).toBeUndefined();
  });

  it('names every bad setting', () => {
    let error: unknown;
    try {
      loadSettings({ TOKEN_BATCH_SIZE: 'ten', DATABASE_URL: 'mysql://x', MIGRATE_ON_START: 'maybe' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SettingsError);
    const problems = (error as SettingsError).problems.join('\n');
    expect(problems).toContain("TOKEN_BATCH_SIZE must be a whole number > 0, got 'ten'");
    expect(problems).toContain('DATABASE_URL must use postgres:// or postgresql://');
    expect(problems).toContain("MIGRATE_ON_START must be true or false, got 'maybe'");
  });

  it('refuses a single-variable limit above the total limit', () => {
    expect(() => loadSettings({ MAX_VARIABLE_SIZE: '20', MAX_TOTAL_VARIABLES: '10' })).toThrow(
      /MAX_VARIABLE_SIZE \(20\) must not exceed MAX_TOTAL_VARIABLES \(10\)/,
    );
  });

  it('does not print passwords of bad URLs', () => {
    expect(() => loadSettings({ REDIS_URL: 'http://user:secret@host' })).toThrow(/REDIS_URL must use/);
    const bad = (): unknown => loadSettings({ DATABASE_URL: 'postgres://user:secret@[bad-host' });
    expect(bad).toThrow(/DATABASE_URL is not a URL: 'postgres:\/\/user:\*\*\*@\[bad-host'/);
    expect(bad).not.toThrow(/secret/);
  });
});

import { format, inspect } from 'node:util';
import { loadSettings, printableSettings, redact, SETTING_NAMES, SettingsError } from '../src';

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

  it('refuses more batches in flight than the pool has connections', () => {
    expect(() => loadSettings({ TOKEN_CONCURRENCY: '5', DB_POOL_SIZE: '4' })).toThrow(
      /TOKEN_CONCURRENCY \(5\) must not exceed DB_POOL_SIZE \(4\)/,
    );
    expect(loadSettings({ TOKEN_CONCURRENCY: '4', DB_POOL_SIZE: '4' }).TOKEN_CONCURRENCY).toBe(4);
    expect(loadSettings({}).TOKEN_CONCURRENCY).toBe(2);
  });

  it('does not print passwords of bad URLs', () => {
    expect(() => loadSettings({ REDIS_URL: 'http://user:secret@host' })).toThrow(/REDIS_URL must use/);
    const bad = (): unknown => loadSettings({ DATABASE_URL: 'postgres://user:secret@[bad-host' });
    expect(bad).toThrow(/DATABASE_URL is not a URL: 'postgres:\/\/user:\*\*\*@\[bad-host'/);
    expect(bad).not.toThrow(/secret/);
  });
});

describe('security settings', () => {
  it('have safe defaults', () => {
    expect(loadSettings({})).toMatchObject({
      METRICS_HOST: '127.0.0.1',
      RATE_LIMIT_PER_MINUTE: 6000,
      TRUST_PROXY: false,
      HTTP_JOB_MAX_RESPONSE_BYTES: 1_048_576,
    });
    const s = loadSettings({});
    expect(s.HOST).toBeUndefined();
    expect(s.CORS_ORIGINS).toBeUndefined();
    expect(s.HTTP_JOB_ALLOW).toBeUndefined();
  });

  it('parse lists and proxies, and name a bad entry', () => {
    const s = loadSettings({
      HOST: '::',
      METRICS_HOST: '0.0.0.0',
      CORS_ORIGINS: 'https://App.example.com/, http://localhost:5173',
      HTTP_JOB_ALLOW: '*.svc.cluster.local,10.0.0.0/8,fd00::/8,billing',
      TRUST_PROXY: '10.0.0.0/8, 127.0.0.1',
      RATE_LIMIT_PER_MINUTE: '0',
    });
    expect(s).toMatchObject({
      HOST: '::',
      METRICS_HOST: '0.0.0.0',
      CORS_ORIGINS: ['https://app.example.com', 'http://localhost:5173'],
      HTTP_JOB_ALLOW: ['*.svc.cluster.local', '10.0.0.0/8', 'fd00::/8', 'billing'],
      TRUST_PROXY: ['10.0.0.0/8', '127.0.0.1'],
      RATE_LIMIT_PER_MINUTE: 0,
    });
    expect(loadSettings({ TRUST_PROXY: 'true' }).TRUST_PROXY).toBe(true);
    let error: unknown;
    try {
      loadSettings({
        HOST: 'not a host',
        CORS_ORIGINS: 'https://ok.example.com,https://x.example.com/path',
        HTTP_JOB_ALLOW: '300.1.1.1/8',
        TRUST_PROXY: 'maybe',
        RATE_LIMIT_PER_MINUTE: '1.5',
        HTTP_JOB_MAX_RESPONSE_BYTES: '0',
      });
    } catch (e) {
      error = e;
    }
    const problems = (error as SettingsError).problems.join('\n');
    expect(problems).toContain("HOST must be an IP address or a host name, got 'not a host'");
    expect(problems).toContain("CORS_ORIGINS takes origins such as https://app.example.com; not one: 'https://x.example.com/path'");
    expect(problems).toContain("HTTP_JOB_ALLOW takes host names (*.example.com for subdomains), IP addresses or CIDRs; not one: '300.1.1.1/8'");
    expect(problems).toContain("TRUST_PROXY must be true, false or proxy addresses/CIDRs, got 'maybe'");
    expect(problems).toContain("RATE_LIMIT_PER_MINUTE must be a whole number >= 0 (0 turns it off), got '1.5'");
    expect(problems).toContain("HTTP_JOB_MAX_RESPONSE_BYTES must be a whole number > 0, got '0'");
  });
});

describe('secrets in settings', () => {
  it('redact masks URL passwords (an empty user, an @ in the password) and password-like query parameters', () => {
    expect(redact('postgresql://baton:s3cret@db:5432/baton?schema=x')).toBe('postgresql://baton:***@db:5432/baton?schema=x');
    expect(redact('redis://:s3cret@redis:6379')).toBe('redis://:***@redis:6379');
    expect(redact('amqp://u:p@ss@rabbit:5672/vhost')).toBe('amqp://u:***@rabbit:5672/vhost');
    expect(redact('postgresql://db/baton?user=x&password=s3cret&sslmode=require')).toBe(
      'postgresql://db/baton?user=x&password=***&sslmode=require',
    );
    expect(redact('https://api.example.com/x?token=abc')).toBe('https://api.example.com/x?token=***');
    expect(redact('redis://redis:6379')).toBe('redis://redis:6379');
  });

  it('a loaded Settings object prints without passwords (console, util.inspect, JSON), and reads unchanged', () => {
    const s = loadSettings({
      DATABASE_URL: 'postgresql://baton:db-s3cret@db:5432/baton',
      REDIS_URL: 'redis://:redis-s3cret@redis:6379',
      RABBITMQ_URL: 'amqp://baton:mq-s3cret@rabbitmq:5672',
    });
    expect(s.DATABASE_URL).toBe('postgresql://baton:db-s3cret@db:5432/baton');
    expect({ ...s }.REDIS_URL).toBe('redis://:redis-s3cret@redis:6379');
    for (const printed of [inspect(s), JSON.stringify(s), format('%o', s), format('%j', s)]) {
      expect(printed).not.toMatch(/s3cret/);
      expect(printed).toContain('postgresql://baton:***@db:5432/baton');
      expect(printed).toContain('amqp://baton:***@rabbitmq:5672');
    }
    expect(printableSettings(s)).toMatchObject({ REDIS_URL: 'redis://:***@redis:6379', PORT: 3000 });
    // The printing hooks are not enumerable: spreading and comparing settings see only settings.
    expect(Object.keys(s).filter((k) => !(SETTING_NAMES as string[]).includes(k))).toEqual([]);
    expect(Object.getOwnPropertySymbols(s).filter((k) => Object.getOwnPropertyDescriptor(s, k)?.enumerable)).toEqual([]);
  });
});

import { isIP } from 'node:net';
import { inspect } from 'node:util';
import { DEFAULT_FEEL_LIMITS, type FeelLimits } from '@baton/engine';
import { z } from 'zod';

/**
 * Every setting Baton reads, validated once at start-up. Nothing outside this
 * library reads `process.env`. The README's "Settings" table is the contract
 * for names and defaults (test/ops/readme.spec.ts holds the two together).
 */

const positiveInt = (name: string, fallback: number) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value.trim() === '') return fallback;
      const n = Number(value);
      if (!Number.isInteger(n) || n <= 0) {
        ctx.addIssue({ code: 'custom', message: `${name} must be a whole number > 0, got '${value}'` });
        return z.NEVER;
      }
      return n;
    });

/** A whole number >= 0, where 0 means "off". */
const countOrOff = (name: string, fallback: number) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value.trim() === '') return fallback;
      const n = Number(value);
      if (!Number.isInteger(n) || n < 0) {
        ctx.addIssue({ code: 'custom', message: `${name} must be a whole number >= 0 (0 turns it off), got '${value}'` });
        return z.NEVER;
      }
      return n;
    });

/** An address to listen on: an IP address or a host name. */
const listenHost = (name: string, fallback: string | undefined) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value.trim() === '') return fallback;
      const v = value.trim();
      if (isIP(v) === 0 && !HOST_NAME.test(v)) {
        ctx.addIssue({ code: 'custom', message: `${name} must be an IP address or a host name, got '${value}'` });
        return z.NEVER;
      }
      return v;
    });

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*\.?$/i;

/** `a.b.c.d`, `a.b.c.d/n`, an IPv6 address (`::1`, `fd00::/8`). */
function isAddressOrCidr(entry: string): boolean {
  const [address, prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/** A comma-separated list (blanks dropped), `undefined` when empty; each entry checked by `valid`. */
const list = (name: string, what: string, valid: (entry: string) => boolean, normalise: (entry: string) => string = (e) => e) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      const entries = (value ?? '')
        .split(',')
        .map((e) => e.trim())
        .filter((e) => e !== '');
      if (entries.length === 0) return undefined;
      const bad = entries.filter((e) => !valid(e));
      if (bad.length > 0) {
        ctx.addIssue({ code: 'custom', message: `${name} takes ${what}; not one: ${bad.map((b) => `'${b}'`).join(', ')}` });
        return z.NEVER;
      }
      return entries.map(normalise) as readonly string[];
    });

/** A web origin as a browser sends it: scheme, host and port only. */
function isOrigin(entry: string): boolean {
  try {
    const parsed = new URL(entry);
    return (parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.origin === entry.replace(/\/$/, '').toLowerCase();
  } catch {
    return false;
  }
}

const url = (name: string, protocols: string[]) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value.trim() === '') return undefined;
      let parsed: URL;
      try {
        parsed = new URL(value);
      } catch {
        ctx.addIssue({ code: 'custom', message: `${name} is not a URL: '${redact(value)}'` });
        return z.NEVER;
      }
      if (!protocols.includes(parsed.protocol)) {
        ctx.addIssue({
          code: 'custom',
          message: `${name} must use ${protocols.map((p) => `${p}//`).join(' or ')}, got '${parsed.protocol}//'`,
        });
        return z.NEVER;
      }
      return value;
    });

const bool = (name: string, fallback: boolean) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value.trim() === '') return fallback;
      const v = value.trim().toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(v)) return true;
      if (['0', 'false', 'no', 'off'].includes(v)) return false;
      ctx.addIssue({ code: 'custom', message: `${name} must be true or false, got '${value}'` });
      return z.NEVER;
    });

/** How a caller may prove who it is (docs/security.md). */
export const AUTH_MODES = ['basic', 'api-key', 'oidc'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

/** A comma-separated list of free-form names (claims, audiences), `fallback` when empty. */
const names = (fallback: readonly string[] | undefined) =>
  z
    .string()
    .optional()
    .transform((value) => {
      const entries = (value ?? '')
        .split(',')
        .map((e) => e.trim())
        .filter((e) => e !== '');
      return entries.length === 0 ? fallback : (entries as readonly string[]);
    });

/** What history rows the workers write (README "Operate"): every element event, activity lifecycles only, or none. */
export const HISTORY_LEVELS = ['full', 'activity', 'none'] as const;

const DAY_MS = 86_400_000;

/**
 * Milliseconds of an ISO 8601 duration made of weeks, days, hours, minutes and
 * seconds (`P30D`, `PT12H`, `P1W`); months and years are refused, having no
 * fixed length. Undefined when `text` is not one.
 */
export function durationMs(text: string): number | undefined {
  const m = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i.exec(text);
  if (m === null || text.toUpperCase() === 'P' || /T$/i.test(text)) return undefined;
  const [w, d, h, min, sec] = m.slice(1).map((v) => Number(v ?? 0));
  return Math.round(((w * 7 + d) * 24 * 3600 + h * 3600 + min * 60 + sec) * 1000);
}

/** A retention: an ISO 8601 duration or a number of days; unset, `0` or `off`: no retention (undefined). */
const retention = (name: string) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      const v = (value ?? '').trim();
      if (v === '' || v === '0' || v.toLowerCase() === 'off') return undefined;
      const ms = /^\d+$/.test(v) ? Number(v) * DAY_MS : durationMs(v);
      if (ms === undefined || ms <= 0) {
        ctx.addIssue({ code: 'custom', message: `${name} must be a number of days or an ISO 8601 duration such as P30D or PT12H (0 or off: keep forever), got '${value}'` });
        return z.NEVER;
      }
      return ms;
    });

/** An interval: an ISO 8601 duration or a number of seconds, at least one second; in seconds. */
const interval = (name: string, fallbackSeconds: number) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      const v = (value ?? '').trim();
      if (v === '') return fallbackSeconds;
      const ms = /^\d+$/.test(v) ? Number(v) * 1000 : durationMs(v);
      if (ms === undefined || ms < 1000) {
        ctx.addIssue({ code: 'custom', message: `${name} must be a number of seconds > 0 or an ISO 8601 duration such as PT1H, got '${value}'` });
        return z.NEVER;
      }
      return Math.round(ms / 1000);
    });

const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const schema = z.object({
  DATABASE_URL: url('DATABASE_URL', ['postgres:', 'postgresql:']),
  REDIS_URL: url('REDIS_URL', ['redis:', 'rediss:']),
  RABBITMQ_URL: url('RABBITMQ_URL', ['amqp:', 'amqps:']),
  PORT: positiveInt('PORT', 3000),
  /**
   * Address the API listens on. Unset, each app picks its own: the API app
   * (`start:api`, the compose file) all interfaces, `0.0.0.0`.
   */
  HOST: listenHost('HOST', undefined),
  METRICS_PORT: positiveInt('METRICS_PORT', 9464),
  /** Address of the worker's health and metrics listener: loopback unless a scraper on the network needs it (compose sets 0.0.0.0). */
  METRICS_HOST: listenHost('METRICS_HOST', '127.0.0.1'),
  /**
   * Requests one client address may make to the API per minute (health and
   * metrics exempt); 0 turns the limit off. Over it: 429 with Retry-After.
   */
  RATE_LIMIT_PER_MINUTE: countOrOff('RATE_LIMIT_PER_MINUTE', 6_000),
  /** Requests one authenticated caller (principal) may make per minute to one API process, from any address; 0 (the default): no such limit. */
  RATE_LIMIT_PER_PRINCIPAL_PER_MINUTE: countOrOff('RATE_LIMIT_PER_PRINCIPAL_PER_MINUTE', 0),
  /**
   * Whether the API believes X-Forwarded-For (the client address for the rate
   * limit): `true` for any proxy, or the proxies' addresses/CIDRs. Off: the
   * peer address is the client.
   */
  TRUST_PROXY: z
    .string()
    .optional()
    .transform((value, ctx): boolean | readonly string[] => {
      if (value === undefined || value.trim() === '') return false;
      const v = value.trim().toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(v)) return true;
      if (['0', 'false', 'no', 'off'].includes(v)) return false;
      const entries = v.split(',').map((e) => e.trim()).filter((e) => e !== '');
      const bad = entries.filter((e) => !isAddressOrCidr(e));
      if (bad.length > 0) {
        ctx.addIssue({
          code: 'custom',
          message: `TRUST_PROXY must be true, false or proxy addresses/CIDRs, got ${bad.map((b) => `'${b}'`).join(', ')}`,
        });
        return z.NEVER;
      }
      return entries;
    }),
  /** Browser origins allowed to call the API cross-origin (`https://app.example.com`); unset: no CORS headers at all. */
  CORS_ORIGINS: list('CORS_ORIGINS', 'origins such as https://app.example.com', isOrigin, (e) => e.replace(/\/$/, '').toLowerCase()),
  /**
   * Hosts, addresses and CIDRs the built-in `http` job may call although they
   * are not public (loopback, private, link-local, ...): `billing.internal`,
   * `*.svc.cluster.local`, `10.0.0.0/8`, `fd00::/8`. Unset: public addresses only.
   */
  HTTP_JOB_ALLOW: list(
    'HTTP_JOB_ALLOW',
    'host names (*.example.com for subdomains), IP addresses or CIDRs',
    (e) => isAddressOrCidr(e) || HOST_NAME.test(e.replace(/^\*\./, '')),
    (e) => e.toLowerCase(),
  ),
  /** Bytes of an answer the built-in `http` job reads at most; a larger one fails the job. */
  HTTP_JOB_MAX_RESPONSE_BYTES: positiveInt('HTTP_JOB_MAX_RESPONSE_BYTES', 1_048_576),
  /**
   * How callers authenticate: `none`, or a comma list of `basic` (users of
   * AUTH_USERS_FILE), `api-key` (keys made with `npm run api-key`, as Bearer
   * or Basic), `oidc` (JWT bearer tokens of OIDC_ISSUER). `none` is `[]`.
   * Unset: the API app refuses to start; `npm start` (embedded, loopback) uses `none`.
   */
  AUTH: z
    .string()
    .optional()
    .transform((value, ctx): readonly AuthMode[] | undefined => {
      if (value === undefined || value.trim() === '') return undefined;
      const entries = value
        .split(',')
        .map((e) => e.trim().toLowerCase())
        .filter((e) => e !== '');
      if (entries.length === 1 && entries[0] === 'none') return [];
      const bad = entries.filter((e) => !(AUTH_MODES as readonly string[]).includes(e));
      if (bad.length > 0) {
        ctx.addIssue({
          code: 'custom',
          message: `AUTH must be 'none' or a comma list of ${AUTH_MODES.join(', ')}; not one: ${bad.map((b) => `'${b}'`).join(', ')}`,
        });
        return z.NEVER;
      }
      return [...new Set(entries)] as AuthMode[];
    }),
  /** JSON file of HTTP Basic users `[{ name, passwordHash, permissions, tenants, groups }]` (AUTH=basic; hashes from `npm run api-key -- hash-password`). */
  AUTH_USERS_FILE: optionalText,
  /** The OIDC issuer (`iss` of its tokens); its discovery document names the JWKS (AUTH=oidc). */
  OIDC_ISSUER: url('OIDC_ISSUER', ['https:', 'http:']),
  /** Where the issuer's signing keys are, when not from discovery (`<issuer>/.well-known/openid-configuration`). */
  OIDC_JWKS_URL: url('OIDC_JWKS_URL', ['https:', 'http:']),
  /** Accepted `aud` values of tokens (comma list); required with AUTH=oidc. */
  OIDC_AUDIENCE: names(undefined),
  /** Claims naming the caller, first present wins: `sub`, or `azp,sub` for client-credentials tokens. */
  OIDC_PRINCIPAL_CLAIM: names(['sub']),
  /** Dotted path of the claim listing permissions (an array or a space-separated string): `scope`, `permissions` (Auth0), `realm_access.roles` (Keycloak), `roles` (Entra ID). */
  OIDC_PERMISSIONS_CLAIM: optionalText.transform((v) => v ?? 'scope'),
  /** Dotted path of the claim listing the caller's tenants (`*` for all); unset or absent: the default tenant only. */
  OIDC_TENANTS_CLAIM: optionalText,
  /** Dotted path of the claim listing the caller's groups (`groups`, Keycloak's group mapper; Entra ID's `groups`); unset: no groups. */
  OIDC_GROUPS_CLAIM: optionalText,
  /** The cockpit's client at the issuer (a public client: authorization code flow with PKCE); unset: no OIDC sign-in in the cockpit. */
  OIDC_CLIENT_ID: optionalText,
  /** Scopes the cockpit asks the issuer for (space-separated). */
  OIDC_SCOPES: optionalText.transform((v) => v ?? 'openid profile'),
  /** Days the audit log keeps an entry (written only with authentication on); 0 turns the audit log off. */
  AUDIT_RETENTION_DAYS: countOrOff('AUDIT_RETENTION_DAYS', 90),
  /** Bearer token Prometheus must send to the API's `/metrics`; unset: `/metrics` is open (docs/security.md). */
  METRICS_TOKEN: optionalText,
  DB_POOL_SIZE: positiveInt('DB_POOL_SIZE', 10),
  TOKEN_BATCH_SIZE: positiveInt('TOKEN_BATCH_SIZE', 100),
  /**
   * Batches one worker steps at once, each its own consumer and transaction:
   * while one waits on Postgres the next is stepped. Each holds a connection
   * of DB_POOL_SIZE while it runs (at most DB_POOL_SIZE).
   */
  TOKEN_CONCURRENCY: positiveInt('TOKEN_CONCURRENCY', 2),
  MAX_PARALLEL_TOKENS: positiveInt('MAX_PARALLEL_TOKENS', 50),
  STATE_CHECK_INTERVAL: positiveInt('STATE_CHECK_INTERVAL', 5),
  MAX_VARIABLE_SIZE: positiveInt('MAX_VARIABLE_SIZE', 1_048_576),
  MAX_TOTAL_VARIABLES: positiveInt('MAX_TOTAL_VARIABLES', 10_485_760),
  /** Largest BPMN document a deploy takes, in bytes. */
  MAX_MODEL_BYTES: positiveInt('MAX_MODEL_BYTES', 4 * 1_048_576),
  /** Most XML elements (diagram included) in a deployed BPMN document. */
  MAX_MODEL_ELEMENTS: positiveInt('MAX_MODEL_ELEMENTS', 100_000),
  /** Seconds a published message may wait for a subscription at most (its timeToLive); longer is refused. */
  MAX_MESSAGE_TTL: positiveInt('MAX_MESSAGE_TTL', 30 * 86_400),
  DEFINITION_CACHE_TTL: positiveInt('DEFINITION_CACHE_TTL', 300),
  STEP_BUDGET: positiveInt('STEP_BUDGET', 10_000),
  /** Milliseconds one instance may run elements in one step before the element it is at gets a STEP_BUDGET_EXCEEDED incident. */
  STEP_TIME_BUDGET_MS: positiveInt('STEP_TIME_BUDGET_MS', 5_000),
  /** Milliseconds a worker steps the instances of one batch before it commits and hands the rest back to the queue. */
  BATCH_TIME_BUDGET_MS: positiveInt('BATCH_TIME_BUDGET_MS', 15_000),
  /** Failed steps in a row (an engine fault, a crash while stepping it) before an instance is set aside with a STEP_FAILED incident. */
  STEP_FAILURE_LIMIT: positiveInt('STEP_FAILURE_LIMIT', 3),
  /** Bounds of one FEEL evaluation: steps of work, list and string length, context entries, nesting depth. */
  FEEL_MAX_WORK: positiveInt('FEEL_MAX_WORK', DEFAULT_FEEL_LIMITS.maxWork),
  FEEL_MAX_LIST_LENGTH: positiveInt('FEEL_MAX_LIST_LENGTH', DEFAULT_FEEL_LIMITS.maxListLength),
  FEEL_MAX_STRING_LENGTH: positiveInt('FEEL_MAX_STRING_LENGTH', DEFAULT_FEEL_LIMITS.maxStringLength),
  FEEL_MAX_CONTEXT_ENTRIES: positiveInt('FEEL_MAX_CONTEXT_ENTRIES', DEFAULT_FEEL_LIMITS.maxContextEntries),
  FEEL_MAX_DEPTH: positiveInt('FEEL_MAX_DEPTH', DEFAULT_FEEL_LIMITS.maxDepth),
  /** Milliseconds a command (cancel, suspend, ...) waits for an instance a worker is stepping before it is queued (202). */
  COMMAND_LOCK_TIMEOUT_MS: positiveInt('COMMAND_LOCK_TIMEOUT_MS', 500),
  /** Seconds an `Idempotency-Key` of a start is remembered. */
  IDEMPOTENCY_TTL: positiveInt('IDEMPOTENCY_TTL', 86_400),
  MIGRATE_ON_START: bool('MIGRATE_ON_START', false),
  /** Milliseconds between two passes of a worker's timer poller (every worker polls; each timer fires once). */
  TIMER_POLL_INTERVAL_MS: positiveInt('TIMER_POLL_INTERVAL_MS', 100),
  /** Whether a worker runs its in-process job handlers (the built-in `http` and any registered type). */
  JOB_HANDLERS: bool('JOB_HANDLERS', true),
  /** RabbitMQ queue of work items: one per deployment, one per test. */
  WORK_QUEUE: z.string().optional().transform((v) => (v === undefined || v.trim() === '' ? 'baton.work' : v.trim())),
  /** Items of a batch operation one chunk job applies (README "Operate"). */
  BATCH_CHUNK_SIZE: positiveInt('BATCH_CHUNK_SIZE', 100),
  /** Chunk jobs of batch operations one worker process runs at once. */
  BATCH_CONCURRENCY: positiveInt('BATCH_CONCURRENCY', 2),
  /** Milliseconds a worker's hold on a chunk job lasts without renewal: after a crash, another worker takes the chunk over this late. */
  BATCH_LOCK_MS: positiveInt('BATCH_LOCK_MS', 30_000),
  /** BullMQ queue of batch operation chunks (with REDIS_URL): one per deployment, one per test. */
  BATCH_QUEUE: z.string().optional().transform((v) => (v === undefined || v.trim() === '' ? 'baton-batches' : v.trim())),
  /** History rows the workers write: full (every element event), activity (the process and its activities' lifecycle), none. A process's `baton:historyLevel` property overrides it. */
  HISTORY_LEVEL: z
    .string()
    .optional()
    .transform((value, ctx) => {
      const v = (value ?? '').trim().toLowerCase();
      if (v === '') return 'full' as const;
      if (!(HISTORY_LEVELS as readonly string[]).includes(v)) {
        ctx.addIssue({ code: 'custom', message: `HISTORY_LEVEL must be one of ${HISTORY_LEVELS.join(', ')}, got '${value}'` });
        return z.NEVER;
      }
      return v as (typeof HISTORY_LEVELS)[number];
    }),
  /** Age after its instance ended at which history rows are deleted (milliseconds); undefined: kept. */
  HISTORY_RETENTION: retention('HISTORY_RETENTION'),
  /** Age after it ended at which an instance is deleted with all its rows (milliseconds); undefined: kept. */
  INSTANCE_RETENTION: retention('INSTANCE_RETENTION'),
  /** Ended instances one retention statement group handles (each chunk its own short transaction). */
  RETENTION_CHUNK: positiveInt('RETENTION_CHUNK', 1_000),
  /** Seconds between two retention passes (one pass across all workers). */
  RETENTION_INTERVAL: interval('RETENTION_INTERVAL', 3_600),
  /** Event export (docs/export.md): each record POSTed here, one request per record; unset: no webhook sink. */
  EXPORT_WEBHOOK_URL: url('EXPORT_WEBHOOK_URL', ['http:', 'https:']),
  /** Key of the webhook's `X-Baton-Signature: sha256=<hex>` (HMAC-SHA256 of the body); unset: unsigned. */
  EXPORT_WEBHOOK_SECRET: optionalText,
  /** Topic exchange on RABBITMQ_URL that export records are published to (routing key `<type>.<bpmnProcessId>`); unset: no RabbitMQ sink. */
  EXPORT_RABBITMQ_EXCHANGE: optionalText,
  /** Failed deliveries in a row of a sink's oldest record before it goes to the dead letters. */
  EXPORT_MAX_ATTEMPTS: positiveInt('EXPORT_MAX_ATTEMPTS', 10),
  /** Wait between a sink's attempts: `exponential` (EXPORT_RETRY_DELAY_MS doubled after each failure, at most 5 min) or `fixed`. */
  EXPORT_RETRY_BACKOFF: z
    .string()
    .optional()
    .transform((value, ctx) => {
      const v = (value ?? '').trim().toLowerCase();
      if (v === '') return 'exponential' as const;
      if (v !== 'exponential' && v !== 'fixed') {
        ctx.addIssue({ code: 'custom', message: `EXPORT_RETRY_BACKOFF must be exponential or fixed, got '${value}'` });
        return z.NEVER;
      }
      return v;
    }),
  /** Milliseconds before a sink's first retry (the fixed wait, or the exponential base). */
  EXPORT_RETRY_DELAY_MS: positiveInt('EXPORT_RETRY_DELAY_MS', 1_000),
  /** Records one sink delivers per round. */
  EXPORT_BATCH_SIZE: positiveInt('EXPORT_BATCH_SIZE', 100),
  /** Milliseconds between two looks at the outbox while it is empty. */
  EXPORT_INTERVAL_MS: positiveInt('EXPORT_INTERVAL_MS', 500),
  DATA_DIR: z.string().optional().transform((v) => (v === undefined || v.trim() === '' ? './.baton/data' : v)),
  /** Embedded store: seconds between two rounds of VACUUM (ANALYZE) of the tables with dead rows (PGlite has no autovacuum); 0 turns it off. */
  EMBEDDED_VACUUM_INTERVAL: countOrOff('EMBEDDED_VACUUM_INTERVAL', 60),
  LOG_LEVEL: z
    .string()
    .optional()
    .transform((value, ctx) => {
      const levels = ['fatal', 'error', 'warn', 'info', 'debug', 'verbose'];
      if (value === undefined || value.trim() === '') return 'info';
      if (!levels.includes(value)) {
        ctx.addIssue({ code: 'custom', message: `LOG_LEVEL must be one of ${levels.join(', ')}, got '${value}'` });
        return z.NEVER;
      }
      return value;
    }),
});

export type Settings = z.output<typeof schema>;

/** The names of every setting, for docs and for checks of deployment files. */
export const SETTING_NAMES = Object.keys(schema.shape) as (keyof Settings)[];

export class SettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid settings:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'SettingsError';
  }
}

/** Validates an environment; throws {@link SettingsError} naming every bad setting. */
export function loadSettings(env: Record<string, string | undefined>): Settings {
  const result = schema.safeParse(env);
  if (!result.success) throw new SettingsError(result.error.issues.map((issue) => issue.message));
  if (result.data.MAX_VARIABLE_SIZE > result.data.MAX_TOTAL_VARIABLES) {
    throw new SettingsError([
      `MAX_VARIABLE_SIZE (${result.data.MAX_VARIABLE_SIZE}) must not exceed MAX_TOTAL_VARIABLES (${result.data.MAX_TOTAL_VARIABLES})`,
    ]);
  }
  const auth = result.data.AUTH ?? [];
  const problems: string[] = [];
  if (result.data.TOKEN_CONCURRENCY > result.data.DB_POOL_SIZE) {
    problems.push(
      `TOKEN_CONCURRENCY (${result.data.TOKEN_CONCURRENCY}) must not exceed DB_POOL_SIZE (${result.data.DB_POOL_SIZE}): ` +
        'each batch in flight holds a connection of the pool',
    );
  }
  if (auth.includes('basic') && result.data.AUTH_USERS_FILE === undefined) {
    problems.push('AUTH includes basic, so AUTH_USERS_FILE must name the JSON file of users');
  }
  if (auth.includes('oidc') && result.data.OIDC_ISSUER === undefined) problems.push('AUTH includes oidc, so OIDC_ISSUER must be set');
  if (auth.includes('oidc') && result.data.OIDC_AUDIENCE === undefined) {
    problems.push('AUTH includes oidc, so OIDC_AUDIENCE must name the audience its tokens carry');
  }
  if (problems.length > 0) throw new SettingsError(problems);
  return withRedactedPrinting(result.data);
}

/** A copy of `settings` with one setting replaced (printing still redacted): a composition's own default. */
export function withSetting<K extends keyof Settings>(settings: Settings, name: K, value: Settings[K]): Settings {
  return withRedactedPrinting({ ...settings, [name]: value });
}

/** The URL settings, which may carry credentials. */
const SECRET_URLS = ['DATABASE_URL', 'REDIS_URL', 'RABBITMQ_URL'] as const;

/**
 * The settings as they would be printed: every URL with its password
 * replaced by `***`. What `console.log(settings)`, `util.inspect` and
 * `JSON.stringify` show of a loaded Settings object.
 */
export function printableSettings(settings: Settings): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...settings };
  for (const name of SECRET_URLS) {
    const value = settings[name];
    if (value !== undefined) copy[name] = redact(value);
  }
  if (settings.METRICS_TOKEN !== undefined) copy.METRICS_TOKEN = '***';
  if (settings.EXPORT_WEBHOOK_SECRET !== undefined) copy.EXPORT_WEBHOOK_SECRET = '***';
  return copy;
}

/**
 * Settings whose printing (a log line, an error report, a debugger) never
 * shows a password: non-enumerable `toJSON` and `util.inspect` hooks, so
 * spreading, comparing and reading the values are unchanged.
 */
function withRedactedPrinting(settings: Settings): Settings {
  Object.defineProperty(settings, 'toJSON', { value: () => printableSettings(settings), enumerable: false });
  Object.defineProperty(settings, inspect.custom, {
    value: (_depth: number, options: object) => inspect(printableSettings(settings), options),
    enumerable: false,
  });
  return settings;
}

/**
 * For an app's main(): the settings of this process's environment, or, when
 * one is bad, a message naming every bad setting and exit code 1.
 */
export function loadSettingsOrExit(env: Record<string, string | undefined> = process.env): Settings {
  try {
    return loadSettings(env);
  } catch (e) {
    if (e instanceof SettingsError) {
      console.error(e.message);
      process.exit(1);
    }
    throw e;
  }
}

/** The FEEL bounds these settings give, for every evaluation the engine and DMN run. */
export function feelLimits(settings: Settings): FeelLimits {
  return {
    maxWork: settings.FEEL_MAX_WORK,
    maxListLength: settings.FEEL_MAX_LIST_LENGTH,
    maxStringLength: settings.FEEL_MAX_STRING_LENGTH,
    maxContextEntries: settings.FEEL_MAX_CONTEXT_ENTRIES,
    maxDepth: settings.FEEL_MAX_DEPTH,
  };
}

/** Which adapter each port uses: the real server when its URL is set, embedded otherwise. */
export function adapters(settings: Settings): { store: string; bus: string; cache: string; jobs: string } {
  return {
    store: settings.DATABASE_URL ? 'postgres' : 'pglite',
    bus: settings.RABBITMQ_URL ? 'rabbitmq' : 'in-process',
    cache: settings.REDIS_URL ? 'redis' : 'memory',
    // Jobs and timers are rows of the store, leased with FOR UPDATE SKIP LOCKED (not BullMQ).
    jobs: settings.DATABASE_URL ? 'postgres' : 'pglite',
  };
}

/**
 * A URL (or any text) with the secrets of connection URLs masked: the
 * password of `scheme://user:password@host` (also with an empty user), and
 * `password=` / `pass=` query parameters.
 */
export function redact(value: string): string {
  return value
    .replace(/\/\/([^:@/\s]*):([^/\s]*)@/g, '//$1:***@')
    .replace(/([?&](?:password|pass|pwd|secret|token)=)[^&#\s]*/gi, '$1***');
}

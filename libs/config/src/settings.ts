import { DEFAULT_FEEL_LIMITS, type FeelLimits } from '@baton/engine';
import { z } from 'zod';

/**
 * Every setting Baton reads, validated once at start-up. Nothing outside this
 * library reads `process.env`. DESIGN.md §5 is the contract for names and
 * defaults.
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

const schema = z.object({
  DATABASE_URL: url('DATABASE_URL', ['postgres:', 'postgresql:']),
  REDIS_URL: url('REDIS_URL', ['redis:', 'rediss:']),
  RABBITMQ_URL: url('RABBITMQ_URL', ['amqp:', 'amqps:']),
  PORT: positiveInt('PORT', 3000),
  METRICS_PORT: positiveInt('METRICS_PORT', 9464),
  DB_POOL_SIZE: positiveInt('DB_POOL_SIZE', 10),
  TOKEN_BATCH_SIZE: positiveInt('TOKEN_BATCH_SIZE', 100),
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
  /** RabbitMQ queue of work items (not in DESIGN §5): one per deployment, one per test. */
  WORK_QUEUE: z.string().optional().transform((v) => (v === undefined || v.trim() === '' ? 'baton.work' : v.trim())),
  DATA_DIR: z.string().optional().transform((v) => (v === undefined || v.trim() === '' ? './.baton/data' : v)),
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
  return result.data;
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

function redact(value: string): string {
  return value.replace(/\/\/([^:@/]+):([^@/]+)@/, '//$1:***@');
}

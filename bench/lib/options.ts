/**
 * What `npm run bench` runs, from its flags. `npm run bench -- --quick` and
 * `npm run bench --quick` (npm turns the latter into npm_config_quick) both work.
 * The bench is a tool, not an app: it reads its few settings here, in one place.
 */

export type BenchMode = 'quick' | 'full';

export const SECTIONS = ['limits', 'engine', 'rows', 'e2e', 'api', 'embedded', 'timers', 'retention', 'camunda', 'soak'] as const;
export type Section = (typeof SECTIONS)[number];

export interface BenchOptions {
  readonly mode: BenchMode;
  /** The 10-minute soak (off unless asked for). */
  readonly soak: boolean;
  /** Sections to run (`--only=e2e,api`, for working on one part); all by default. */
  readonly sections: ReadonlySet<Section>;
  /** Soak length in seconds (`--soak-seconds=N`, default 600). */
  readonly soakSeconds: number;
  /** End-to-end cells of these reference processes only (`--processes=R3`); all by default. */
  readonly e2eProcesses: ReadonlySet<string>;
  readonly databaseUrl: string;
  readonly rabbitmqUrl: string;
  readonly redisUrl: string;
}

export const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/test';
export const DEFAULT_RABBITMQ_URL = 'amqp://guest:guest@127.0.0.1:5672';
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export function parseOptions(
  argv: readonly string[] = process.argv.slice(2),
  env: Record<string, string | undefined> = process.env,
): BenchOptions {
  const flag = (name: string) =>
    argv.includes(`--${name}`) || env[`npm_config_${name.replace(/-/g, '_')}`] === 'true';
  const value = (name: string) => {
    const prefix = `--${name}=`;
    const arg = argv.find((a) => a.startsWith(prefix));
    return arg === undefined
      ? env[`npm_config_${name.replace(/-/g, '_')}`]
      : arg.slice(prefix.length);
  };
  const soak = flag('soak');
  const only = value('only');
  const sections = new Set<Section>();
  if (only) {
    for (const name of only.split(',').map((s) => s.trim())) {
      if (!(SECTIONS as readonly string[]).includes(name)) {
        throw new Error(`--only: unknown section '${name}' (one of ${SECTIONS.join(', ')})`);
      }
      sections.add(name as Section);
    }
  } else {
    for (const s of SECTIONS) if (s !== 'soak' || soak) sections.add(s);
  }
  const soakSeconds = Number(value('soak-seconds') ?? 600);
  if (!Number.isFinite(soakSeconds) || soakSeconds < 30)
    throw new Error('--soak-seconds must be a number >= 30');
  const processes = (value('processes') ?? 'R1,R2,R3').split(',').map((s) => s.trim());
  for (const p of processes) {
    if (!['R1', 'R2', 'R3'].includes(p)) throw new Error(`--processes: unknown process '${p}' (R1, R2, R3)`);
  }
  return {
    mode: flag('quick') ? 'quick' : 'full',
    soak: sections.has('soak'),
    sections,
    soakSeconds,
    e2eProcesses: new Set(processes),
    databaseUrl: env.DATABASE_URL || DEFAULT_DATABASE_URL,
    rabbitmqUrl: env.RABBITMQ_URL || DEFAULT_RABBITMQ_URL,
    redisUrl: env.REDIS_URL || DEFAULT_REDIS_URL,
  };
}

import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sleep } from './stats';
import { freePort } from '../../test/support/free-port';
export { freePort };

export const ROOT = path.join(__dirname, '..', '..');

/** Every child the bench started, so that a failure or Ctrl-C never leaves one behind. */
const live = new Set<BenchChild>();

/** A process the bench started (a worker, the API, a plain HTTP server), with its last lines of output. */
export class BenchChild {
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  exit?: { code: number | null; signal: NodeJS.Signals | null };
  private readonly lines: string[] = [];
  private readonly child: ChildProcess;

  constructor(
    readonly name: string,
    args: readonly string[],
    env: Record<string, string>,
    /** The executable; node by default. */
    command: string = process.execPath,
  ) {
    this.child = spawn(command, args, {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: process.env.HOME ?? '/tmp',
        NO_COLOR: '1',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const collect = (stream: NodeJS.ReadableStream | null) =>
      stream?.on('data', (chunk: Buffer) => {
        for (const line of chunk.toString('utf8').split('\n')) {
          if (line === '') continue;
          this.lines.push(line);
          if (this.lines.length > 200) this.lines.shift();
        }
      });
    collect(this.child.stdout);
    collect(this.child.stderr);
    live.add(this);
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        live.delete(this);
        resolve(this.exit);
      });
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get text(): string {
    return this.lines.join('\n');
  }

  /** Resident set size in MB from /proc (null where there is no /proc or the process is gone). */
  rssMB(): number | null {
    try {
      const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
      const kb = /VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1];
      return kb === undefined ? null : Math.round((Number(kb) / 1024) * 10) / 10;
    } catch {
      return null;
    }
  }

  /** User + system CPU seconds so far (from /proc; null without it). */
  cpuSeconds(): number | null {
    try {
      const fields = readFileSync(`/proc/${this.pid}/stat`, 'utf8').split(') ')[1].split(' ');
      // utime and stime are fields 14 and 15 of stat, i.e. 11 and 12 after "pid (comm) ".
      return (Number(fields[11]) + Number(fields[12])) / 100;
    } catch {
      return null;
    }
  }

  /** Polls `url` until it answers 200; fails early if the process exits. */
  async ready(url: string, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.exit)
        throw new Error(`${this.name} exited early (${JSON.stringify(this.exit)}):\n${this.text}`);
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
        await res.arrayBuffer();
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline)
        throw new Error(`${this.name} not ready after ${timeoutMs} ms:\n${this.text}`);
      await sleep(100);
    }
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it exited. */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.exit) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  kill(): void {
    if (!this.exit) this.child.kill('SIGKILL');
  }
}

/** Kills whatever is still running (failure paths, Ctrl-C). */
export async function killAllChildren(): Promise<void> {
  const children = [...live];
  for (const child of children) child.kill();
  await Promise.all(children.map((c) => Promise.race([c.exited, sleep(5_000)])));
}


export interface WorkerSpec {
  readonly name: string;
  readonly databaseUrl: string;
  readonly rabbitmqUrl: string;
  readonly queue: string;
  readonly batchSize: number;
  /** Extra node flags (`--cpu-prof`, ...). */
  readonly nodeArgs?: readonly string[];
  readonly env?: Record<string, string>;
}

/** A worker process from source (`node --import tsx apps/worker/src/main.ts`), ready once /health/ready answers 200. */
export async function startWorker(spec: WorkerSpec): Promise<BenchChild & { port: number }> {
  const port = await freePort();
  const child = new BenchChild(
    spec.name,
    [...(spec.nodeArgs ?? []), '--import', 'tsx', 'apps/worker/src/main.ts'],
    {
      DATABASE_URL: spec.databaseUrl,
      RABBITMQ_URL: spec.rabbitmqUrl,
      WORK_QUEUE: spec.queue,
      TOKEN_BATCH_SIZE: String(spec.batchSize),
      METRICS_PORT: String(port),
      // Four workers and the bench share Postgres' 100 connections with whatever else runs here;
      // a worker has TOKEN_CONCURRENCY (2) batches in flight, so a small pool is all it uses.
      DB_POOL_SIZE: '4',
      LOG_LEVEL: 'warn',
      ...spec.env,
    },
  );
  try {
    await child.ready(`http://127.0.0.1:${port}/health/ready`);
  } catch (e) {
    child.kill();
    throw e;
  }
  return Object.assign(child, { port });
}

export interface ApiSpec {
  readonly databaseUrl: string;
  readonly rabbitmqUrl?: string;
  readonly queue?: string;
  readonly env?: Record<string, string>;
  readonly nodeArgs?: readonly string[];
}

/** The API process from source (`node --import tsx apps/api/src/main.ts`) on a free port, ready once /health answers. */
export async function startApi(
  spec: ApiSpec,
): Promise<BenchChild & { port: number; origin: string }> {
  const port = await freePort();
  const child = new BenchChild(
    'api',
    [...(spec.nodeArgs ?? []), '--import', 'tsx', 'apps/api/src/main.ts'],
    {
      DATABASE_URL: spec.databaseUrl,
      ...(spec.rabbitmqUrl ? { RABBITMQ_URL: spec.rabbitmqUrl } : {}),
      ...(spec.queue ? { WORK_QUEUE: spec.queue } : {}),
      PORT: String(port),
      LOG_LEVEL: 'warn',
      // The bench saturates the API from one address: the per-address limit would measure itself.
      RATE_LIMIT_PER_MINUTE: '0',
      // The bench measures the engine, not the check of a credential.
      AUTH: 'none',
      ...spec.env,
    },
  );
  const origin = `http://127.0.0.1:${port}`;
  try {
    await child.ready(`${origin}/health`);
  } catch (e) {
    child.kill();
    throw e;
  }
  return Object.assign(child, { port, origin });
}

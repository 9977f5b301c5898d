import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as amqp from 'amqplib';
import { decodeWorkMessage, RabbitTokenBus, type BusLogger } from '@baton/bus';
import {
  Announcer,
  DefinitionRegistry,
  InstanceStarter,
  type LoadedDefinition,
  type RuntimeLogger,
  type RuntimeStore,
  type WorkPublisher,
} from '@baton/runtime';
import { PgRuntimeStore } from '@baton/store';
import { testKeys, testObserver } from '../../libs/runtime/test/runtime-harness';
import { freshSchema, type FreshSchema } from '../../libs/store/test/fresh-schema';
import { freePort } from '../support/free-port';
import { MemoryDefinitionCache } from '@baton/cache';
export { freePort };

export const ROOT = join(__dirname, '..', '..');
export const RABBITMQ_URL = 'amqp://guest:guest@127.0.0.1:5672';

/**
 * From source by default; `WORKER_MAIN=dist/apps/worker/apps/worker/src/main.js`
 * runs the same suite against the build (`nest build worker`).
 */
const WORKER_ARGS = process.env.WORKER_MAIN
  ? [process.env.WORKER_MAIN]
  : ['--import', 'tsx', 'apps/worker/src/main.ts'];

const quiet: RuntimeLogger & BusLogger = {
  log: () => undefined,
  warn: () => undefined,
  error: (m) => console.error(m),
};

export function fixture(path: string): string {
  return readFileSync(join(ROOT, path), 'utf8');
}


/** Polls `probe` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  options: { timeoutMs: number; intervalMs?: number },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${options.timeoutMs} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`,
      );
    }
    await sleep(options.intervalMs ?? 50);
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));


export interface WorkerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A worker started as its own process from source (`node --import tsx apps/worker/src/main.ts`). */
export class WorkerProcess {
  readonly output: string[] = [];
  readonly exited: Promise<WorkerExit>;
  exit?: WorkerExit;
  private readonly child: ChildProcess;

  constructor(
    readonly name: string,
    readonly port: number,
    env: Record<string, string>,
  ) {
    this.child = spawn(process.execPath, WORKER_ARGS, {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const collect = (stream: NodeJS.ReadableStream | null) =>
      stream?.on('data', (chunk: Buffer) =>
        this.output.push(
          ...chunk
            .toString('utf8')
            .split('\n')
            .filter((l) => l !== ''),
        ),
      );
    collect(this.child.stdout);
    collect(this.child.stderr);
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      });
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get text(): string {
    return this.output.join('\n');
  }

  /** `/health/ready` answers 200: subscribed and Postgres reachable. */
  async ready(timeoutMs = 45_000): Promise<void> {
    await waitFor(
      `${this.name} to be ready`,
      async () => {
        if (this.exit)
          throw new Error(
            `${this.name} exited early (${JSON.stringify(this.exit)}):\n${this.text}`,
          );
        return (await this.get('/health/ready')).status === 200;
      },
      { timeoutMs, intervalMs: 100 },
    );
  }

  async get(path: string): Promise<{ status: number; body: string }> {
    const res = await fetch(`http://127.0.0.1:${this.port}${path}`, {
      signal: AbortSignal.timeout(5_000),
    });
    return { status: res.status, body: await res.text() };
  }

  kill(signal: NodeJS.Signals): void {
    if (!this.exit) this.child.kill(signal);
  }

  async waitExit(timeoutMs: number): Promise<WorkerExit> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${this.name} did not exit within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * One test's world: a fresh Postgres schema, a RabbitMQ queue of its own, the
 * runtime classes in this process to deploy and start instances, and the
 * worker processes it spawned — all torn down by `close()`.
 */
export class Scenario {
  readonly queue: string;
  readonly runtime: RuntimeStore;
  readonly registry: DefinitionRegistry;
  readonly bus: RabbitTokenBus;
  readonly starter: InstanceStarter;
  private readonly workers: WorkerProcess[] = [];

  private constructor(
    readonly db: FreshSchema,
    prefix: string,
  ) {
    this.queue = `baton.test.worker.${prefix}.${Date.now().toString(36)}.${randomBytes(3).toString('hex')}`;
    this.runtime = new PgRuntimeStore(db.prisma);
    this.registry = new DefinitionRegistry(this.runtime, new MemoryDefinitionCache(), testKeys, { cacheTtlSeconds: 60 });
    this.bus = new RabbitTokenBus({
      url: RABBITMQ_URL,
      queue: this.queue,
      logger: quiet,
      connectionName: 'baton-test',
    });
    this.starter = new InstanceStarter(this.runtime, new Announcer(this.bus, testObserver), testKeys, { observer: testObserver });
  }

  static async create(prefix: string): Promise<Scenario> {
    return new Scenario(await freshSchema({ prefix: `worker_${prefix}`, poolSize: 4 }), prefix);
  }

  /** Starts a worker process on this scenario's schema and queue; `env` overrides settings. */
  async spawnWorker(name: string, env: Record<string, string> = {}): Promise<WorkerProcess> {
    const port = await freePort();
    const worker = new WorkerProcess(name, port, {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/tmp',
      NO_COLOR: '1',
      DATABASE_URL: this.db.url,
      RABBITMQ_URL,
      WORK_QUEUE: this.queue,
      METRICS_PORT: String(port),
      DB_POOL_SIZE: '4',
      ...env,
    });
    this.workers.push(worker);
    return worker;
  }

  async deploy(path: string): Promise<LoadedDefinition> {
    const { processes } = await this.registry.deploy(fixture(path));
    const definition = await this.registry.byId(processes[0].id);
    if (definition === null) throw new Error(`deployed ${path} but cannot load it`);
    return definition;
  }

  /** Starts `count` instances through the starter (grouped inserts, published on this scenario's queue). */
  async start(
    definition: LoadedDefinition,
    count: number,
    variables: (i: number) => Record<string, unknown> = (i) => ({ i }),
  ) {
    return Promise.all(
      Array.from({ length: count }, (_, i) =>
        this.starter.start({ definition, variables: variables(i) }),
      ),
    );
  }

  /** Starts instances whose publish is lost: committed with pendingSince, never on the queue. */
  async startUnpublished(definition: LoadedDefinition, count: number) {
    const dropping: WorkPublisher = { publish: async () => undefined };
    const starter = new InstanceStarter(this.runtime, new Announcer(dropping, testObserver), testKeys);
    return Promise.all(
      Array.from({ length: count }, (_, i) => starter.start({ definition, variables: { i } })),
    );
  }

  async count(sql: string, ...params: unknown[]): Promise<number> {
    const [row] = await this.db.prisma.$queryRawUnsafe<{ n: bigint | number }[]>(sql, ...params);
    return Number(row.n);
  }

  /**
   * Work items waiting in the queue (a message carries up to 10): every ready
   * message is taken and read, then handed back unacked when the channel closes.
   */
  async queuedItems(): Promise<number> {
    const connection = await amqp.connect(RABBITMQ_URL);
    try {
      const channel = await connection.createChannel();
      let items = 0;
      for (;;) {
        const message = await channel.get(this.queue, { noAck: false });
        if (message === false) return items;
        items += decodeWorkMessage(message.content)?.length ?? 0;
      }
    } finally {
      await connection.close();
    }
  }

  /** Runs the test body; on failure prints what every worker said. */
  async run(body: () => Promise<void>): Promise<void> {
    try {
      await body();
    } catch (e) {
      for (const worker of this.workers) {
        console.error(
          `---- ${worker.name} (pid ${worker.pid}, exit ${JSON.stringify(worker.exit ?? null)}) ----\n${worker.text}`,
        );
      }
      throw e;
    }
  }

  async close(): Promise<void> {
    for (const worker of this.workers) worker.kill('SIGKILL');
    await Promise.all(this.workers.map((w) => w.waitExit(10_000).catch(() => undefined)));
    await this.bus.close().catch(() => undefined);
    await deleteQueue(this.queue).catch(() => undefined);
    await this.db.drop();
  }
}

async function deleteQueue(queue: string): Promise<void> {
  const connection = await amqp.connect(RABBITMQ_URL);
  try {
    const channel = await connection.createChannel();
    await channel.deleteQueue(queue);
  } finally {
    await connection.close();
  }
}

/** History rows that occur more than once per (instance, element instance, type): must be none. */
export async function duplicateHistory(scenario: Scenario): Promise<number> {
  return scenario.count(
    `SELECT count(*) AS n FROM (
       SELECT 1 FROM "HistoryEvent" GROUP BY "instanceId", "elementInstanceId", type HAVING count(*) > 1) d`,
  );
}

/**
 * Instances (of the given ids) that do not have exactly one ELEMENT_COMPLETED
 * of each named element: must be none.
 */
export async function notCompletedOnce(
  scenario: Scenario,
  ids: readonly string[],
  elementIds: readonly string[],
): Promise<number> {
  const filters = elementIds
    .map(
      (_, k) =>
        `count(*) FILTER (WHERE h."elementId" = $${k + 2} AND h.type = 'ELEMENT_COMPLETED') <> 1`,
    )
    .join(' OR ');
  return scenario.count(
    `SELECT count(*) AS n FROM (
       SELECT i.id FROM unnest($1::bigint[]) AS i(id) LEFT JOIN "HistoryEvent" h ON h."instanceId" = i.id
        GROUP BY i.id HAVING ${filters}) bad`,
    ids,
    ...elementIds,
  );
}

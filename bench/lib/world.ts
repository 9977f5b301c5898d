import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as amqp from 'amqplib';
import { RabbitTokenBus, type BusLogger } from '@baton/bus';
import {
  Announcer,
  DefinitionRegistry,
  InstanceStarter,
  LeasedKeys,
  type Key,
  type LoadedDefinition,
  type RuntimeLogger,
  type RuntimeObserver,
} from '@baton/runtime';
import { PgRuntimeStore } from '@baton/store';
import { freshSchema, type FreshSchema } from '../../libs/store/test/fresh-schema';
import { ROOT } from './children';
import { MemoryDefinitionCache } from '@baton/cache';
import { CompletionCounter } from './completion-counter';

export const quiet: RuntimeLogger & BusLogger = {
  log: () => undefined,
  warn: (m) => console.error(`  warn: ${m}`),
  error: (m) => console.error(`  error: ${m}`),
};

/** What the bench process reports of its own runtime pieces: failures, on stderr. */
export const quietObserver: RuntimeObserver = {
  failure: (kind, detail) => console.error(`  warn: ${kind}: ${detail}`),
};

export const benchFile = (name: string): string =>
  readFileSync(path.join(ROOT, 'bench', 'processes', name), 'utf8');

/**
 * One measurement's world: a fresh Postgres schema with the real migrations,
 * a RabbitMQ queue of its own, and the runtime pieces the bench process needs
 * to deploy and start instances, wired as libs/host wires them: the store
 * port on the schema, a key node leased from it (the workers lease theirs from
 * the same table, so keys never collide), an announcer on the bus.
 * `close()` drops both.
 */
export class BenchWorld {
  readonly queue: string;
  readonly runtime: PgRuntimeStore;
  readonly registry: DefinitionRegistry;
  readonly bus: RabbitTokenBus;
  readonly announcer: Announcer;
  readonly starter: InstanceStarter;
  /** Keys for what the bench process creates. */
  readonly newKey: () => Key;
  private readonly completions: CompletionCounter;

  private constructor(
    readonly db: FreshSchema,
    readonly rabbitmqUrl: string,
    label: string,
    runtime: PgRuntimeStore,
    private readonly keys: LeasedKeys,
  ) {
    this.queue = `baton.bench.${label}.${Date.now().toString(36)}.${randomBytes(3).toString('hex')}`;
    this.runtime = runtime;
    this.newKey = keys.next;
    this.registry = new DefinitionRegistry(runtime, new MemoryDefinitionCache(), this.newKey, {
      cacheTtlSeconds: 3600,
      observer: quietObserver,
    });
    this.bus = new RabbitTokenBus({
      url: rabbitmqUrl,
      queue: this.queue,
      logger: quiet,
      connectionName: 'baton-bench',
    });
    this.announcer = new Announcer(this.bus, quietObserver);
    this.starter = new InstanceStarter(runtime, this.announcer, this.newKey, { observer: quietObserver });
    this.completions = new CompletionCounter(async (ids) =>
      (
        await this.db.prisma.$queryRawUnsafe<{ id: string }[]>(
          `SELECT id::text AS id FROM "ProcessInstance" WHERE id = ANY($1::bigint[]) AND status = 'COMPLETED'`,
          ids,
        )
      ).map((r) => r.id),
    );
  }

  static async create(label: string, rabbitmqUrl: string, poolSize = 8): Promise<BenchWorld> {
    const db = await freshSchema({ prefix: `bench_${label}`, poolSize });
    try {
      const runtime = new PgRuntimeStore(db.prisma);
      const keys = await LeasedKeys.acquire(runtime.repos.keyNodes, `bench-${label}@${process.pid}`, {
        onError: (e) => console.error(`  warn: renewing the bench's key node lease failed: ${e.message}`),
      });
      return new BenchWorld(db, rabbitmqUrl, label, runtime, keys);
    } catch (e) {
      await db.drop().catch(() => undefined);
      throw e;
    }
  }

  async deploy(xml: string): Promise<LoadedDefinition> {
    const { processes } = await this.registry.deploy(xml);
    const definition = await this.registry.byId(processes[0].id);
    if (definition === null) throw new Error('deployed a definition but cannot load it');
    return definition;
  }

  async count(sql: string, ...params: unknown[]): Promise<number> {
    const [row] = await this.db.prisma.$queryRawUnsafe<{ n: bigint | number }[]>(sql, ...params);
    return Number(row.n);
  }

  /**
   * CHECKPOINT, where the bench's role may run it (a superuser, or
   * pg_checkpoint from Postgres 15): the dirty pages earlier cells left are
   * written now rather than by a checkpoint that falls inside a later cell.
   */
  async checkpoint(): Promise<void> {
    await this.db.prisma.$executeRawUnsafe('CHECKPOINT').catch((e: Error) => {
      console.error(`  warn: CHECKPOINT before the cell failed (${e.message}); cells may share checkpoints`);
    });
  }

  /** How many of the instances handed to {@link started} have completed. */
  completed(): Promise<number> {
    return this.completions.count();
  }

  /** An instance the cell started: {@link completed} counts it once it completes. */
  started(id: Key): void {
    this.completions.add(id);
  }

  async close(): Promise<void> {
    await this.announcer.settled();
    await this.bus.close().catch(() => undefined);
    await this.keys.release().catch(() => undefined);
    await deleteQueue(this.rabbitmqUrl, this.queue).catch(() => undefined);
    await this.db
      .drop()
      .catch((e: Error) =>
        console.error(`  warn: dropping ${this.db.schema} failed: ${e.message}`),
      );
  }
}

export async function deleteQueue(url: string, queue: string): Promise<void> {
  const connection = await amqp.connect(url);
  try {
    const channel = await connection.createChannel();
    await channel.deleteQueue(queue);
  } finally {
    await connection.close();
  }
}

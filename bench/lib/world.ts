import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as amqp from 'amqplib';
import { RabbitTokenBus, type BusLogger } from '@baton/bus';
import {
  DefinitionRegistry,
  InstanceStarter,
  type LoadedDefinition,
  type RuntimeLogger,
} from '@baton/runtime';
import { freshSchema, type FreshSchema } from '../../libs/store/test/fresh-schema';
import { ROOT } from './children';
import { MemoryDefinitionCache } from '@baton/cache';

export const quiet: RuntimeLogger & BusLogger = {
  log: () => undefined,
  warn: (m) => console.error(`  warn: ${m}`),
  error: (m) => console.error(`  error: ${m}`),
};


export const benchFile = (name: string): string =>
  readFileSync(path.join(ROOT, 'bench', 'processes', name), 'utf8');

/**
 * One measurement's world: a fresh Postgres schema with the real migrations,
 * a RabbitMQ queue of its own, and the runtime pieces the bench process needs
 * to deploy and start instances. `close()` drops both.
 */
export class BenchWorld {
  readonly queue: string;
  readonly registry: DefinitionRegistry;
  readonly bus: RabbitTokenBus;
  readonly starter: InstanceStarter;

  private constructor(
    readonly db: FreshSchema,
    readonly rabbitmqUrl: string,
    label: string,
  ) {
    this.queue = `baton.bench.${label}.${Date.now().toString(36)}.${randomBytes(3).toString('hex')}`;
    this.registry = new DefinitionRegistry(db.prisma, new MemoryDefinitionCache(), { cacheTtlSeconds: 3600 });
    this.bus = new RabbitTokenBus({
      url: rabbitmqUrl,
      queue: this.queue,
      logger: quiet,
      connectionName: 'baton-bench',
    });
    this.starter = new InstanceStarter(db.prisma, this.bus, { logger: quiet });
  }

  static async create(label: string, rabbitmqUrl: string, poolSize = 8): Promise<BenchWorld> {
    const db = await freshSchema({ prefix: `bench_${label}`, poolSize });
    return new BenchWorld(db, rabbitmqUrl, label);
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

  completed(): Promise<number> {
    return this.count(`SELECT count(*) AS n FROM "ProcessInstance" WHERE status = 'COMPLETED'`);
  }

  async close(): Promise<void> {
    await this.bus.close().catch(() => undefined);
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

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MemoryDefinitionCache } from '@baton/cache';
import { PgRuntimeStore, type PrismaClient } from '@baton/store';
import { freshSchema, type FreshSchema } from '../../store/test/fresh-schema';
import {
  Announcer,
  DefinitionRegistry,
  InstanceStarter,
  KeyGenerator,
  UnitOfWork,
  type Key,
  type RuntimeLogger,
  type RuntimeObserver,
  type RuntimeStore,
} from '../src';

export const quietLogger: RuntimeLogger = { log: () => undefined, warn: () => undefined, error: (m) => console.error(m) };

/** Reports failures on the console (a test that expects one asserts on its own observer). */
export const testObserver: RuntimeObserver = {
  failure: (kind, detail) => {
    if (kind !== 'publish_failed') console.error(`${kind}: ${detail}`);
  },
};

/** Keys for tests: one generator per test process (each suite has a schema of its own). */
export const testKeys: () => Key = new KeyGenerator({ node: process.pid % 1024 }).next;

/** Postgres keys are bigints in Prisma's model API. */
export const big = (key: Key): bigint => BigInt(key);

/** A publisher that keeps what was published, for tests that drive batches by hand. */
export class QueuePublisher {
  readonly items: string[] = [];
  async publish(items: readonly { instanceId: string }[]) {
    for (const item of items) this.items.push(item.instanceId);
  }
  take(n = Infinity): string[] {
    return this.items.splice(0, n);
  }
}

/** The runtime's pieces on a store, with work driven by hand. */
export interface RuntimeParts {
  readonly prisma: PrismaClient;
  readonly runtime: RuntimeStore;
  readonly registry: DefinitionRegistry;
  readonly publisher: QueuePublisher;
  readonly announcer: Announcer;
  readonly unitOfWork: UnitOfWork;
  readonly starter: InstanceStarter;
  /** Runs published work in batches until none is left; returns the number of batches. */
  drain(batchSize?: number): Promise<number>;
}

export function runtimeParts(prisma: PrismaClient, observer: RuntimeObserver = testObserver): RuntimeParts {
  const runtime = new PgRuntimeStore(prisma);
  // A fresh registry and an empty cache: every definition is first read from the store,
  // inside a batch transaction where that happens.
  const registry = new DefinitionRegistry(runtime, new MemoryDefinitionCache(), testKeys, { cacheTtlSeconds: 60, observer });
  const publisher = new QueuePublisher();
  const announcer = new Announcer(publisher, observer);
  const unitOfWork = new UnitOfWork(runtime, registry, announcer, testKeys, { maxParallel: 50, stepBudget: 10_000, observer });
  const starter = new InstanceStarter(runtime, announcer, testKeys, { observer });
  return {
    prisma,
    runtime,
    registry,
    publisher,
    announcer,
    unitOfWork,
    starter,
    async drain(batchSize = 100) {
      let batches = 0;
      while (publisher.items.length > 0) {
        await unitOfWork.runBatch(publisher.take(batchSize));
        if (++batches > 10_000) throw new Error('work does not drain');
      }
      return batches;
    },
  };
}

export interface Harness extends RuntimeParts {
  readonly db: FreshSchema;
  close(): Promise<void>;
}

export async function harness(prefix: string): Promise<Harness> {
  const db = await freshSchema({ prefix, poolSize: 6 });
  return { ...runtimeParts(db.prisma), db, close: () => db.drop() };
}

export function bpmn(path: string): string {
  return readFileSync(join(__dirname, '..', '..', '..', path), 'utf8');
}

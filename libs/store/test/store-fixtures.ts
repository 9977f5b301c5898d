import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BatchProcessor,
  DefinitionRegistry,
  InstanceStarter,
  type LoadedDefinition,
} from '@baton/runtime';
import { openEmbeddedDatabase, type PrismaClient } from '../src';
import { MemoryDefinitionCache } from '@baton/cache';
import { QueuePublisher, quietLogger } from '../../runtime/test/runtime-harness';
import { freshSchema } from './fresh-schema';

/** One of the two store adapters (DESIGN §1), opened empty and migrated for one suite. */
export interface StoreUnderTest {
  readonly kind: 'postgres' | 'pglite';
  readonly prisma: PrismaClient;
  /**
   * Postgres runs transactions side by side (row locks, SKIP LOCKED decide);
   * PGlite has one connection, so transactions take turns. Each contract
   * check states the guarantee both give, and how each gives it.
   */
  readonly concurrentTransactions: boolean;
  close(): Promise<void>;
}

export interface StoreAdapter {
  readonly name: string;
  open(prefix: string): Promise<StoreUnderTest>;
}

export const POSTGRES: StoreAdapter = {
  name: 'Postgres (adapter-pg)',
  async open(prefix) {
    const db = await freshSchema({ prefix, poolSize: 6 });
    return { kind: 'postgres', prisma: db.prisma, concurrentTransactions: true, close: () => db.drop() };
  },
};

export const PGLITE: StoreAdapter = {
  name: 'PGlite (embedded)',
  async open() {
    const db = await openEmbeddedDatabase({ dataDir: 'memory://' });
    return { kind: 'pglite', prisma: db.prisma, concurrentTransactions: false, close: () => db.close() };
  },
};

export const STORE_ADAPTERS: readonly StoreAdapter[] = [POSTGRES, PGLITE];

export { QueuePublisher, quietLogger } from '../../runtime/test/runtime-harness';

/** The runtime on a store: what the worker and the API build on either adapter. */
export interface RuntimeOnStore {
  readonly store: StoreUnderTest;
  readonly prisma: PrismaClient;
  readonly registry: DefinitionRegistry;
  readonly publisher: QueuePublisher;
  readonly processor: BatchProcessor;
  readonly starter: InstanceStarter;
  deploy(file: string): Promise<LoadedDefinition>;
  /** Deploys `file`, starts one instance, runs it until it rests; returns its id. */
  start(file: string, variables?: Record<string, unknown>): Promise<string>;
  /** Runs published work in batches until none is left; returns the number of batches. */
  drain(batchSize?: number): Promise<number>;
  status(id: string): Promise<string>;
  close(): Promise<void>;
}

export async function runtimeOn(adapter: StoreAdapter, prefix: string): Promise<RuntimeOnStore> {
  const store = await adapter.open(prefix);
  const prisma = store.prisma;
  // A fresh registry per suite, and its cache empty: every definition is first read from the store,
  // inside a batch transaction where that happens (the case PGlite's single connection must survive).
  const registry = new DefinitionRegistry(prisma, new MemoryDefinitionCache(), { cacheTtlSeconds: 60 });
  const publisher = new QueuePublisher();
  const processor = new BatchProcessor(prisma, registry, publisher, { maxParallel: 50, stepBudget: 10_000, logger: quietLogger });
  const starter = new InstanceStarter(prisma, publisher, { logger: quietLogger });
  const runtime: RuntimeOnStore = {
    store,
    prisma,
    registry,
    publisher,
    processor,
    starter,
    async deploy(file) {
      const { processes } = await registry.deploy(repoFile(file));
      const definition = await registry.byId(processes[0].id);
      if (definition === null) throw new Error(`${file} did not deploy`);
      return definition;
    },
    async start(file, variables = {}) {
      const definition = await runtime.deploy(file);
      const { id } = await starter.start({ definition, variables });
      await runtime.drain();
      return id;
    },
    async drain(batchSize = 100) {
      let batches = 0;
      while (publisher.items.length > 0) {
        await processor.process(publisher.take(batchSize));
        if (++batches > 10_000) throw new Error('work does not drain');
      }
      return batches;
    },
    async status(id) {
      return (await prisma.processInstance.findUniqueOrThrow({ where: { id } })).status;
    },
    close: () => store.close(),
  };
  return runtime;
}

const ROOT = join(__dirname, '..', '..', '..');

/** A file of the repository as text (fixtures, bench processes). */
export const repoFile = (path: string): string => readFileSync(join(ROOT, path), 'utf8');
export const engineFixture = (path: string): string => `libs/engine/test/fixtures/bpmn/${path}`;

/** Polls until `probe` returns something other than undefined/false; fails after `timeoutMs`. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

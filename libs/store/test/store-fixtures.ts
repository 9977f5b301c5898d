import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  Announcer,
  DefinitionRegistry,
  IncidentService,
  InstanceService,
  InstanceStarter,
  UnitOfWork,
  VariableLimits,
  type Key,
  type LoadedDefinition,
} from '@baton/runtime';
import { openEmbeddedDatabase, PgRuntimeStore, type PrismaClient } from '../src';
import { MemoryDefinitionCache } from '@baton/cache';
import { big, QueuePublisher, testKeys, testObserver } from '../../runtime/test/runtime-harness';
import { freshSchema } from './fresh-schema';

/** One of the two store adapters (Postgres, PGlite), opened empty and migrated for one suite. */
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

export { big, QueuePublisher, testKeys, testObserver } from '../../runtime/test/runtime-harness';

/** The runtime on a store: what the worker and the API build on either adapter (as libs/host wires it). */
export interface RuntimeOnStore {
  readonly store: StoreUnderTest;
  readonly prisma: PrismaClient;
  /** The runtime's port on this store: every use case reads and writes through it. */
  readonly runtime: PgRuntimeStore;
  readonly registry: DefinitionRegistry;
  readonly publisher: QueuePublisher;
  readonly announcer: Announcer;
  readonly unitOfWork: UnitOfWork;
  readonly starter: InstanceStarter;
  readonly instances: InstanceService;
  readonly incidents: IncidentService;
  deploy(file: string): Promise<LoadedDefinition>;
  /** Deploys `file`, starts one instance, runs it until it rests; returns its id. */
  start(file: string, variables?: Record<string, unknown>): Promise<Key>;
  /** Runs published work in batches until none is left; returns the number of batches. */
  drain(batchSize?: number): Promise<number>;
  status(id: Key): Promise<string>;
  close(): Promise<void>;
}

/** The limits the suites run with (small: nothing here is big). */
export const TEST_LIMITS = new VariableLimits({ maxVariableSize: 64 * 1024, maxTotalVariables: 256 * 1024 });

export async function runtimeOn(adapter: StoreAdapter, prefix: string): Promise<RuntimeOnStore> {
  const store = await adapter.open(prefix);
  const prisma = store.prisma;
  const runtime = new PgRuntimeStore(prisma);
  // A fresh registry per suite, and its cache empty: every definition is first read from the store,
  // inside a batch transaction where that happens (the case PGlite's single connection must survive).
  const registry = new DefinitionRegistry(runtime, new MemoryDefinitionCache(), testKeys, { cacheTtlSeconds: 60, observer: testObserver });
  const publisher = new QueuePublisher();
  const announcer = new Announcer(publisher, testObserver);
  const unitOfWork = newUnitOfWork(runtime, registry, announcer);
  const starter = new InstanceStarter(runtime, announcer, testKeys, { observer: testObserver });
  const instances = new InstanceService(runtime, registry, starter, unitOfWork, TEST_LIMITS, { commandLockTimeoutMs: 2_000 });
  const incidents = new IncidentService(runtime, unitOfWork, { commandLockTimeoutMs: 2_000 });
  const rt: RuntimeOnStore = {
    store,
    prisma,
    runtime,
    registry,
    publisher,
    announcer,
    unitOfWork,
    starter,
    instances,
    incidents,
    async deploy(file) {
      const { processes } = await registry.deploy(repoFile(file));
      const definition = await registry.byId(processes[0].id);
      if (definition === null) throw new Error(`${file} did not deploy`);
      return definition;
    },
    async start(file, variables = {}) {
      const definition = await rt.deploy(file);
      const { id } = await starter.start({ definition, variables });
      await rt.drain();
      return id;
    },
    async drain(batchSize = 100) {
      let batches = 0;
      for (;;) {
        await announcer.settled();
        if (publisher.items.length === 0) return batches;
        await unitOfWork.runBatch(publisher.take(batchSize));
        if (++batches > 10_000) throw new Error('work does not drain');
      }
    },
    async status(id) {
      return (await prisma.processInstance.findUniqueOrThrow({ where: { id: big(id) } })).status;
    },
    close: () => store.close(),
  };
  return rt;
}

/** A unit of work on `runtime` as a worker builds it. */
export function newUnitOfWork(runtime: PgRuntimeStore, registry: DefinitionRegistry, announcer: Announcer): UnitOfWork {
  return new UnitOfWork(runtime, registry, announcer, testKeys, { maxParallel: 50, stepBudget: 10_000, observer: testObserver });
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

import { randomBytes } from 'node:crypto';
import * as amqp from 'amqplib';
import { Logger } from '@nestjs/common';
import { RabbitTokenBus, type BusLogger } from '@baton/bus';
import { MemoryDefinitionCache } from '@baton/cache';
import type { Settings } from '@baton/config';
import {
  Announcer,
  DefinitionRegistry,
  InstanceStarter,
  JobService,
  LeasedKeys,
  PartitionedUnitOfWork,
  partitionNodes,
  partitionOf,
  Sweeper,
  UnitOfWork,
  VariableLimits,
  type InstanceStepper,
  type Key,
  type LoadedDefinition,
} from '@baton/runtime';
import { PgRuntimeStore } from '@baton/store';
import { TokenWorker } from '@baton/worker';
import { testObserver } from '../../libs/runtime/test/runtime-harness';
import { freshSchema, type FreshSchema } from '../../libs/store/test/fresh-schema';
import { fixture, RABBITMQ_URL, waitFor } from './worker-harness';

/**
 * Two token workers against two store partitions (two Postgres schemas
 * standing in for two databases), one work queue: each instance's key names
 * its partition, and whichever worker takes its work steps it on that
 * partition's store. docs/scaling.md, "Beyond one Postgres".
 */
const PARTITIONS = 2;
const PER_PARTITION = 120;
const quiet: BusLogger = { warn: () => undefined, error: (m) => console.error(m) };

interface Partition {
  readonly index: number;
  readonly db: FreshSchema;
  readonly store: PgRuntimeStore;
}

/** A process's view of one partition: its own key node from the partition's range, the partition's store. */
interface ProcessOnPartition {
  readonly keys: LeasedKeys;
  readonly registry: DefinitionRegistry;
  readonly announcer: Announcer;
}

describe('two workers, two store partitions', () => {
  const queue = `baton-partitions-${randomBytes(4).toString('hex')}`;
  const partitions: Partition[] = [];
  const buses: RabbitTokenBus[] = [];
  const leases: LeasedKeys[] = [];
  const workers: TokenWorker[] = [];
  /** Which partition each worker stepped instances of, as the partitioned unit of work handed them on. */
  const stepped = new Map<string, Map<number, Set<Key>>>();

  const bus = () => {
    const b = new RabbitTokenBus({ url: RABBITMQ_URL, queue, connectionName: 'baton-test-partitions', logger: quiet });
    buses.push(b);
    return b;
  };

  async function onPartition(partition: Partition, owner: string, publisher: RabbitTokenBus): Promise<ProcessOnPartition> {
    const keys = await LeasedKeys.acquire(partition.store.repos.keyNodes, owner, { nodes: partitionNodes(partition.index, PARTITIONS) });
    leases.push(keys);
    return {
      keys,
      registry: new DefinitionRegistry(partition.store, new MemoryDefinitionCache(), keys.next, { cacheTtlSeconds: 60, observer: testObserver }),
      announcer: new Announcer(publisher, testObserver),
    };
  }

  /** A worker process: a unit of work and a sweeper per partition, its batches routed by instance key. */
  async function startWorker(name: string): Promise<TokenWorker> {
    const publisher = bus();
    const steppers: InstanceStepper[] = [];
    const sweepers: Sweeper[] = [];
    const seen = new Map<number, Set<Key>>();
    stepped.set(name, seen);
    for (const partition of partitions) {
      const own = await onPartition(partition, `${name}-p${partition.index}`, publisher);
      const unitOfWork = new UnitOfWork(partition.store, own.registry, own.announcer, own.keys.next, {
        maxParallel: 50,
        stepBudget: 10_000,
        observer: testObserver,
      });
      steppers.push({
        runBatch: (ids) => {
          for (const id of ids) {
            const keys = seen.get(partition.index) ?? new Set<Key>();
            seen.set(partition.index, keys.add(id));
          }
          return unitOfWork.runBatch(ids);
        },
        runRedelivered: (id) => unitOfWork.runRedelivered(id),
      });
      sweepers.push(new Sweeper(partition.store, own.announcer, { intervalSeconds: 60 }));
    }
    const sweeper = {
      start: () => {
        const stops = sweepers.map((s) => s.start());
        return async () => {
          await Promise.all(stops.map((stop) => stop()));
        };
      },
    } as unknown as Sweeper;
    // Small batches and one consumer each, so that the second worker takes what the first has no room for.
    const settings = { TOKEN_BATCH_SIZE: 5, TOKEN_CONCURRENCY: 1 } as Settings;
    const worker = new TokenWorker(settings, publisher, new PartitionedUnitOfWork(steppers), sweeper);
    workers.push(worker);
    await worker.start();
    return worker;
  }

  beforeAll(async () => {
    Logger.overrideLogger(false);
    for (let index = 0; index < PARTITIONS; index++) {
      const db = await freshSchema({ prefix: `partition${index}`, poolSize: 6 });
      partitions.push({ index, db, store: new PgRuntimeStore(db.prisma) });
    }
  });

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await Promise.all(leases.map((l) => l.release().catch(() => undefined)));
    await Promise.all(buses.map((b) => b.close()));
    const connection = await amqp.connect(RABBITMQ_URL);
    const channel = await connection.createChannel();
    await channel.deleteQueue(queue);
    await connection.close();
    await Promise.all(partitions.map((p) => p.db.drop()));
  });

  it('refuses a partition outside the count, and a count the key nodes cannot hold', () => {
    expect(() => partitionNodes(2, 2)).toThrow('store partition 2 does not exist: there are 2 (0 to 1)');
    expect(() => partitionNodes(0, 1025)).toThrow('the number of store partitions must be a whole number from 1 to 1024, got 1025');
    expect([0, 1, 2].map((p) => partitionNodes(p, 3))).toEqual([
      { from: 0, to: 341 },
      { from: 342, to: 682 },
      { from: 683, to: 1023 },
    ]);
  });

  it("steps every instance on its own partition's store, whichever worker takes its work", async () => {
    // The API side: a process with a key node in each partition, deploying to each and starting instances on both.
    const api = bus();
    const definitions: LoadedDefinition[] = [];
    const starters: InstanceStarter[] = [];
    const jobs: JobService[] = [];
    for (const partition of partitions) {
      const own = await onPartition(partition, `api-p${partition.index}`, api);
      const { processes } = await own.registry.deploy(fixture('libs/engine/test/fixtures/bpmn/tasks/service-task.bpmn'));
      definitions.push((await own.registry.byId(processes[0].id))!);
      starters.push(new InstanceStarter(partition.store, own.announcer, own.keys.next, { observer: testObserver }));
      jobs.push(new JobService(partition.store, own.announcer, new VariableLimits({ maxVariableSize: 1 << 20, maxTotalVariables: 1 << 22 })));
    }
    const worker1 = await startWorker('worker-1');
    const worker2 = await startWorker('worker-2');

    const started = await Promise.all(
      Array.from({ length: PER_PARTITION * PARTITIONS }, (_, i) =>
        starters[i % PARTITIONS].start({ definition: definitions[i % PARTITIONS], variables: { i } }).then(({ id }) => ({ id, partition: i % PARTITIONS })),
      ),
    );
    for (const { id, partition } of started) expect(partitionOf(id, PARTITIONS)).toBe(partition);

    // First steps: each instance waits at its service task, with its job in its own partition.
    const count = (partition: Partition, sql: string) =>
      partition.db.prisma.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM ${sql}`).then((rows) => rows[0].n);
    for (const partition of partitions) {
      await waitFor(`jobs of partition ${partition.index}`, async () => (await count(partition, `"Job"`)) === PER_PARTITION, { timeoutMs: 30_000 });
    }

    // Second steps: the jobs completed through each partition's job service (activation asks every partition).
    for (const [index, service] of jobs.entries()) {
      for (;;) {
        const batch = await service.activate({ type: 'charge-card', workerId: 'test', maxJobs: 50, lockDurationMs: 60_000 });
        if (batch.length === 0) break;
        for (const job of batch) {
          expect(partitionOf(job.id, PARTITIONS)).toBe(index);
          await service.complete(job.id, { workerId: 'test', variables: { receipt: `r-${job.id}` } });
        }
      }
    }
    for (const partition of partitions) {
      await waitFor(
        `instances of partition ${partition.index} completed`,
        async () => (await count(partition, `"ProcessInstance" WHERE status = 'COMPLETED'`)) === PER_PARTITION,
        { timeoutMs: 30_000 },
      );
    }

    // Every row where its key says: each partition holds its own instances, jobs and history, and nothing of the other's.
    for (const partition of partitions) {
      const mine = started.filter((s) => s.partition === partition.index).map((s) => s.id);
      const ids = await partition.db.prisma.$queryRawUnsafe<{ id: string }[]>(`SELECT id::text AS id FROM "ProcessInstance"`);
      expect(ids.map((r) => r.id).sort()).toEqual([...mine].sort());
      const owners = await partition.db.prisma.$queryRawUnsafe<{ id: string }[]>(
        `SELECT DISTINCT "instanceId"::text AS id FROM "Job" UNION SELECT DISTINCT "instanceId"::text FROM "HistoryStep"`,
      );
      expect(owners.every((r) => mine.includes(r.id))).toBe(true);
      const elementKeys = await partition.db.prisma.$queryRawUnsafe<{ key: string }[]>(
        `SELECT DISTINCT unnest("elementInstanceIds")::text AS key FROM "HistoryStep"`,
      );
      expect(elementKeys.length).toBeGreaterThan(PER_PARTITION);
      expect(elementKeys.every((r) => partitionOf(r.key, PARTITIONS) === partition.index)).toBe(true);
    }

    // Both workers took work, and between them stepped instances of both partitions (an instance stepped
    // against the wrong store would find no row there and never complete).
    expect(worker1.stats.stepped).toBeGreaterThan(0);
    expect(worker2.stats.stepped).toBeGreaterThan(0);
    const partitionsStepped = new Set([...stepped.values()].flatMap((seen) => [...seen.keys()]));
    expect([...partitionsStepped].sort()).toEqual([0, 1]);
  });
});

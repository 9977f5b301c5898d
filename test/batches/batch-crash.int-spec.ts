import { BatchService, type Key } from '@baton/runtime';
import type { Settings } from '@baton/config';
import { batchQueuePrefix, BullMqBatchQueue } from '@baton/host';
import { Scenario, waitFor, type WorkerProcess } from '../worker/worker-harness';
import { testKeys } from '../../libs/runtime/test/runtime-harness';

const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
/**
 * Sized for the suite's time budget (two worker processes start from source); `BATCH_CRASH_INSTANCES=10000`
 * is the manual run README "Operate" reports.
 */
const INSTANCES = Number(process.env.BATCH_CRASH_INSTANCES ?? 1_000);

/**
 * Batch operations survive a worker's death: a batch of cancellations runs
 * on real Postgres and BullMQ (Redis) in a worker process, the worker is
 * SIGKILLed mid-batch, a second worker takes over the stalled chunks, and
 * every instance ends canceled exactly once.
 */
describe('batch operations across a worker crash (Postgres, Redis/BullMQ, worker processes)', () => {
  let s: Scenario;
  let queue: BullMqBatchQueue;
  const batchQueue = `baton-test-batches-${Date.now().toString(36)}`;

  beforeAll(async () => {
    s = await Scenario.create('batch_crash');
  });

  afterAll(async () => {
    await queue?.drop();
    await s?.close();
  });

  it(
    `cancels ${INSTANCES} instances, none twice, though the worker running the batch is killed`,
    async () => {
      await s.run(async () => {
        const definition = await s.deploy('libs/engine/test/fixtures/bpmn/tasks/service-task.bpmn');
        const started = await s.start(definition, INSTANCES);
        const ids = new Set<Key>(started.map((i) => i.id));

        queue = new BullMqBatchQueue({
          url: REDIS_URL,
          name: batchQueue,
          prefix: batchQueuePrefix({ DATABASE_URL: s.db.url } as Settings),
          concurrency: 1,
          lockMs: 2_000,
          connectionName: 'baton-test',
        });
        const batches = new BatchService(s.runtime, queue, testKeys, { chunkSize: 50 });
        const batch = await batches.create({
          type: 'CANCEL_PROCESS_INSTANCE',
          filter: { kind: 'v2', filter: { processDefinitionId: definition.bpmnProcessId } },
        });
        expect(batch.counts.total).toBe(INSTANCES);

        const env = {
          // The instances wait with their first step unrun (the workers consume another work queue and
          // sweep too rarely to find them): what is measured is the batch, not the workers racing it for
          // the same rows. The second worker finds the first one's chunks through BullMQ's stalled jobs.
          WORK_QUEUE: `${s.queue}.idle`,
          STATE_CHECK_INTERVAL: '3600',
          DB_POOL_SIZE: '8',
          REDIS_URL,
          BATCH_QUEUE: batchQueue,
          BATCH_LOCK_MS: '2000',
          BATCH_CONCURRENCY: '4',
          JOB_HANDLERS: 'false',
          LOG_LEVEL: process.env.BATCH_LOG_LEVEL ?? 'warn',
        };
        const completed = async (): Promise<number> =>
          (await batches.get(batch.key)).counts.completed;

        const t0 = Date.now();
        const mark = (what: string) =>
          process.env.BATCH_TIMING && console.log(`${what} at ${Date.now() - t0} ms`);
        const first: WorkerProcess = await s.spawnWorker('first', env);
        await waitFor(
          'the first worker to apply some items',
          async () => (await completed()) >= INSTANCES / 10,
          { timeoutMs: 60_000, intervalMs: 20 },
        );
        mark(`kill (${await completed()} done)`);
        first.kill('SIGKILL');
        await first.exited;
        const atCrash = await completed();
        // Killed mid-batch, or the test proves nothing.
        expect(atCrash).toBeLessThan(INSTANCES);

        const second = await s.spawnWorker('second', env);
        const done = await waitFor(
          'the batch to complete',
          async () => {
            const b = await batches.get(batch.key);
            return b.state !== 'ACTIVE' && b;
          },
          { timeoutMs: 60_000 + INSTANCES * 20, intervalMs: 500 },
        );
        mark('completed');
        expect(done).toMatchObject({
          state: 'COMPLETED',
          counts: { total: INSTANCES, completed: INSTANCES, failed: 0, pending: 0 },
        });

        // Each instance canceled, and terminated once: one ELEMENT_TERMINATED of the process per instance.
        const rows = await s.db.prisma.$queryRawUnsafe<
          { id: string; status: string; terminated: number }[]
        >(
          `SELECT p.id::text AS id, p.status::text AS status,
                (SELECT count(*)::int FROM "HistoryEvent" h
                  WHERE h."instanceId" = p.id AND h."elementId" = p."bpmnProcessId" AND h.type = 'ELEMENT_TERMINATED') AS terminated
           FROM "ProcessInstance" p`,
        );
        expect(rows).toHaveLength(INSTANCES);
        expect(new Set(rows.map((r) => r.id))).toEqual(ids);
        expect(rows.filter((r) => r.status !== 'CANCELED')).toEqual([]);
        expect(rows.filter((r) => r.terminated !== 1)).toEqual([]);
        second.kill('SIGTERM');
        await second.exited;
      });
    },
    150_000 + INSTANCES * 40,
  );
});

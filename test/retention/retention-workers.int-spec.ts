import { Queue } from 'bullmq';
import type { Settings } from '@baton/config';
import { batchQueuePrefix, RETENTION_SCHEDULER_ID } from '@baton/host';
import { rowsOf, seedInstances } from '../../libs/store/test/retention-seed';
import { Scenario, waitFor } from '../worker/worker-harness';

const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const DAY = 86_400_000;

/** `baton_retention_deleted_rows_total{table="<table>"}` of one worker's scrape (0 when absent). */
const deletedRows = (scrape: string, table: string): number =>
  Number(new RegExp(`^baton_retention_deleted_rows_total\\{table="${table}"\\} (\\d+)$`, 'm').exec(scrape)?.[1] ?? 0);

/**
 * Retention in two real worker processes sharing Redis: one job scheduler in
 * BullMQ, the ended instances past INSTANCE_RETENTION deleted with their rows,
 * counted once in the workers' metrics.
 */
describe('retention across worker processes (Postgres, Redis/BullMQ)', () => {
  let s: Scenario;
  let queue: Queue | undefined;
  beforeAll(async () => {
    s = await Scenario.create('retention');
  });
  afterAll(async () => {
    await queue?.obliterate({ force: true }).catch(() => undefined);
    await queue?.close();
    await s?.close();
  });

  it('deletes the instances past INSTANCE_RETENTION once, from one schedule, keeping a running one', async () => {
    await s.run(async () => {
      const old = await seedInstances(s.db.prisma, { firstId: 10_000n, count: 7, endedAt: new Date(Date.now() - 3 * DAY), history: 6, related: true });
      const running = await seedInstances(s.db.prisma, { firstId: 20_000n, count: 1, endedAt: null, history: 6, related: true });
      const env = { REDIS_URL, INSTANCE_RETENTION: 'P1D', RETENTION_INTERVAL: '1', RETENTION_CHUNK: '3', JOB_HANDLERS: 'false', LOG_LEVEL: 'warn' };
      const workers = [await s.spawnWorker('first', env), await s.spawnWorker('second', env)];
      await Promise.all(workers.map((w) => w.ready()));

      await waitFor('the old instances to be gone', async () => (await rowsOf(s.db.prisma, old)).ProcessInstance === 0, { timeoutMs: 30_000, intervalMs: 200 });
      expect(await rowsOf(s.db.prisma, old)).toMatchObject({ HistoryEvent: 0, UserTask: 0, Job: 0, Incident: 0, VariableKey: 0, BatchOperationItem: 7 });
      expect(await rowsOf(s.db.prisma, running)).toMatchObject({ ProcessInstance: 1, HistoryEvent: 6, UserTask: 1 });

      // Both workers upserted the one scheduler id: Redis holds one schedule.
      queue = new Queue('baton-retention', { connection: { url: REDIS_URL }, prefix: batchQueuePrefix({ DATABASE_URL: s.db.url } as Settings) });
      const schedulers = await queue.getJobSchedulers();
      expect(schedulers.map((j) => j.key)).toEqual([RETENTION_SCHEDULER_ID]);

      const scrapes = await Promise.all(workers.map(async (w) => (await w.get('/metrics')).body));
      expect(scrapes.reduce((n, scrape) => n + deletedRows(scrape, 'ProcessInstance'), 0)).toBe(7);
      // 7 instances of 6 history events, two to a step row.
      expect(scrapes.reduce((n, scrape) => n + deletedRows(scrape, 'HistoryStep'), 0)).toBe(21);
    });
  }, 90_000);
});

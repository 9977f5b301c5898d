import { Queue } from 'bullmq';
import { BullMqRetentionSchedule, RETENTION_SCHEDULER_ID } from '../src';

const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const INTERVAL_MS = 500;

/**
 * Two workers (two queue connections) start the retention schedule with the
 * same scheduler id: Redis holds one schedule, each interval makes one job,
 * and one of the two runs it.
 */
describe('retention schedule on BullMQ (Redis)', () => {
  const name = `baton-test-retention-${Date.now().toString(36)}`;
  const schedules: BullMqRetentionSchedule[] = [];
  afterAll(async () => {
    await schedules[0]?.drop();
    for (const s of schedules.slice(1)) await s.close();
  });

  it('runs one pass per interval across two schedulers, not two', async () => {
    const passes: { by: number; at: number }[] = [];
    for (const by of [0, 1]) {
      const schedule = new BullMqRetentionSchedule({ url: REDIS_URL, name, prefix: 'baton-test', intervalMs: INTERVAL_MS, connectionName: `retention-${by}` });
      schedules.push(schedule);
      await schedule.start(async () => {
        passes.push({ by, at: Date.now() });
        // Longer than a scheduler tick would take to double up, shorter than the interval.
        await new Promise((r) => setTimeout(r, 50));
      });
    }
    const windowMs = 10 * INTERVAL_MS;
    const started = Date.now();
    await new Promise((r) => setTimeout(r, windowMs));
    const inWindow = passes.filter((p) => p.at >= started);

    // One pass per interval (a pass at each end of the window at most); two schedules would make about twice as many.
    expect(inWindow.length).toBeGreaterThanOrEqual(8);
    expect(inWindow.length).toBeLessThanOrEqual(11);
    // Redis holds one schedule, not one per scheduler.
    const queue = new Queue(name, { connection: { url: REDIS_URL }, prefix: 'baton-test' });
    try {
      const schedulers = await queue.getJobSchedulers();
      expect(schedulers.map((s) => s.key)).toEqual([RETENTION_SCHEDULER_ID]);
    } finally {
      await queue.close();
    }
    // Two schedules at some offset d would alternate gaps d and INTERVAL - d, two of them summing to one interval.
    // One schedule's two consecutive gaps sum to two intervals, less what the first pass was picked up late (a
    // loaded machine delays a pass, which shortens the gap after it, never both).
    const gaps = inWindow.slice(1).map((p, i) => p.at - inWindow[i].at);
    const pairs = gaps.slice(1).map((g, i) => g + gaps[i]);
    expect(Math.min(...pairs)).toBeGreaterThan(1.25 * INTERVAL_MS);
  });
});

import { BatonMetrics, METRIC } from '@baton/metrics';
import { BullMqBatchQueue, BullMqRetentionSchedule } from '../src';

const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

/** The value of one sample (`name{labels}`) of a scrape; undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/**
 * `baton_queue_jobs{queue,state}` read from real BullMQ queues on Redis: the
 * batch queue's chunks as they wait and run, and the retention queue only
 * once its schedule started (an API replica has it closed).
 */
describe('BullMQ queue job counts as metrics (Redis)', () => {
  const suffix = `${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
  const batchName = `baton-test-batches-${suffix}`;
  const retentionName = `baton-test-retention-${suffix}`;
  const queue = new BullMqBatchQueue({ url: REDIS_URL, name: batchName, prefix: 'baton-test', concurrency: 1, lockMs: 30_000, connectionName: 'queue-metrics' });
  const retention = new BullMqRetentionSchedule({ url: REDIS_URL, name: retentionName, prefix: 'baton-test', intervalMs: 3_600_000, connectionName: 'queue-metrics-retention' });
  afterAll(async () => {
    await queue.drop();
    await retention.drop();
  });

  it('reports waiting, active, delayed and failed jobs per queue', async () => {
    let now = 0;
    const metrics = new BatonMetrics({ defaultMetrics: false, now: () => now });
    metrics.watchJobQueue(batchName, () => queue.jobCounts());
    metrics.watchJobQueue(retentionName, () => retention.jobCounts());
    const series = (q: string, state: string) => `${METRIC.queueJobs}{queue="${q}",state="${state}"}`;

    await queue.enqueue([0, 1, 2].map((chunk) => ({ batchKey: '77', chunk })));
    let text = await metrics.metrics();
    expect(sample(text, series(batchName, 'waiting'))).toBe(3);
    expect(sample(text, series(batchName, 'active'))).toBe(0);
    expect(sample(text, series(batchName, 'delayed'))).toBe(0);
    expect(sample(text, series(batchName, 'failed'))).toBe(0);
    // Not started: no samples for the retention queue.
    expect(text).not.toContain(retentionName);

    // One chunk runs and holds: 2 waiting, 1 active (concurrency 1).
    let hold = true;
    let release: () => void = () => undefined;
    const running = new Promise<void>((resolve) => {
      queue.consume(async () => {
        if (!hold) return;
        hold = false;
        resolve();
        await new Promise<void>((r) => (release = r));
      });
    });
    await running;
    now += 10_000;
    text = await metrics.metrics();
    expect(sample(text, series(batchName, 'waiting'))).toBe(2);
    expect(sample(text, series(batchName, 'active'))).toBe(1);

    // Started, the retention schedule has its next pass delayed by the interval.
    await retention.start(async () => undefined);
    const deadline = Date.now() + 5_000;
    do {
      now += 10_000;
      text = await metrics.metrics();
    } while (sample(text, series(retentionName, 'delayed')) !== 1 && Date.now() < deadline);
    expect(sample(text, series(retentionName, 'delayed'))).toBe(1);
    expect(sample(text, series(retentionName, 'failed'))).toBe(0);
    release();
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BatonMetrics, METRIC, type QueueJobCounts } from '@baton/metrics';

/** `name{labels} value` lines of a scrape, as a map (HELP/TYPE lines dropped). */
async function samples(metrics: BatonMetrics): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const line of (await metrics.metrics()).split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

describe('BatonMetrics: BullMQ queues and batch progress', () => {
  let now = 1_000_000;
  const make = () => new BatonMetrics({ defaultMetrics: false, now: () => now });

  it('reports the jobs of every watched queue by state, and nothing for a queue not open here', async () => {
    const metrics = make();
    let batches: QueueJobCounts = { waiting: 3, active: 2, delayed: 1, failed: 0 };
    metrics.watchJobQueue('baton-batches', async () => batches);
    metrics.watchJobQueue('baton-retention', async () => null);
    let s = await samples(metrics);
    expect(s.get(`${METRIC.queueJobs}{queue="baton-batches",state="waiting"}`)).toBe(3);
    expect(s.get(`${METRIC.queueJobs}{queue="baton-batches",state="active"}`)).toBe(2);
    expect(s.get(`${METRIC.queueJobs}{queue="baton-batches",state="delayed"}`)).toBe(1);
    expect(s.get(`${METRIC.queueJobs}{queue="baton-batches",state="failed"}`)).toBe(0);
    expect([...s.keys()].filter((k) => k.includes('baton-retention'))).toEqual([]);

    // Read again once the cached read is stale.
    batches = { waiting: 0, active: 1, delayed: 0, failed: 4 };
    now += 5_000;
    s = await samples(metrics);
    expect(s.get(`${METRIC.queueJobs}{queue="baton-batches",state="waiting"}`)).toBe(0);
    expect(s.get(`${METRIC.queueJobs}{queue="baton-batches",state="failed"}`)).toBe(4);
    expect(() => metrics.watchJobQueue('baton-batches', async () => null)).toThrow('baton-batches');
  });

  it('leaves a queue that does not answer empty and counts probe_failed', async () => {
    const metrics = make();
    metrics.watchJobQueue('baton-batches', () => new Promise<QueueJobCounts>(() => undefined), { timeoutMs: 20 });
    metrics.watchJobQueue('baton-retention', async () => ({ waiting: 1, active: 0, delayed: 0, failed: 0 }));
    const s = await samples(metrics);
    expect([...s.keys()].filter((k) => k.includes('baton-batches'))).toEqual([]);
    expect(s.get(`${METRIC.queueJobs}{queue="baton-retention",state="waiting"}`)).toBe(1);
    expect((await samples(metrics)).get('baton_errors_total{kind="probe_failed"}')).toBeGreaterThanOrEqual(1);
  });

  it('sums the items of active batches by type and state, dropping what went away', async () => {
    const metrics = make();
    let rows = [
      { type: 'SET_VARIABLES', state: 'pending', count: 7 },
      { type: 'SET_VARIABLES', state: 'completed', count: 3 },
      { type: 'DELETE_PROCESS_INSTANCE', state: 'failed', count: 2 },
    ];
    metrics.watchBatchProgress(async () => rows);
    let s = await samples(metrics);
    expect(s.get(`${METRIC.batchActiveItems}{type="SET_VARIABLES",state="pending"}`)).toBe(7);
    expect(s.get(`${METRIC.batchActiveItems}{type="SET_VARIABLES",state="completed"}`)).toBe(3);
    expect(s.get(`${METRIC.batchActiveItems}{type="DELETE_PROCESS_INSTANCE",state="failed"}`)).toBe(2);
    rows = [{ type: 'SET_VARIABLES', state: 'completed', count: 10 }];
    now += 5_000;
    s = await samples(metrics);
    expect(s.get(`${METRIC.batchActiveItems}{type="SET_VARIABLES",state="completed"}`)).toBe(10);
    expect(s.has(`${METRIC.batchActiveItems}{type="SET_VARIABLES",state="pending"}`)).toBe(false);
    expect(s.has(`${METRIC.batchActiveItems}{type="DELETE_PROCESS_INSTANCE",state="failed"}`)).toBe(false);
  });
});

describe('README "Metrics"', () => {
  it('has a row for every metric Baton exports', () => {
    const readme = readFileSync(join(__dirname, '../../../README.md'), 'utf8');
    const table = readme.split(/^### /m).find((s) => s.startsWith('Metrics')) ?? '';
    const undocumented = Object.values(METRIC).filter((name) => !table.includes(`| \`${name}\` |`));
    expect(undocumented).toEqual([]);
  });
});

import { BatonMetrics, CORE_METRICS, ErrorKind, METRIC, RefreshingValue } from '@baton/metrics';

/** `name{labels} value` lines of a scrape, as a map (HELP/TYPE lines dropped). */
async function samples(metrics: BatonMetrics): Promise<Map<string, number>> {
  const text = await metrics.metrics();
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

describe('BatonMetrics', () => {
  let now = 1_000_000;
  const make = (options: { maxLabelValues?: number } = {}) =>
    new BatonMetrics({ defaultMetrics: false, now: () => now, ...options });

  it('declares every metric of the README "Metrics" contract (the store gauge once a store is watched)', async () => {
    const metrics = make();
    metrics.watchStore(async () => ({ activeInstances: [], openIncidents: [] }));
    const text = await metrics.metrics();
    for (const name of CORE_METRICS) expect(text).toContain(`# TYPE ${name} `);
  });

  it('turns a batch report into instance events, execution times, tokens and batch sizes', async () => {
    const metrics = make();
    metrics.onInstanceStarted('order');
    metrics.onBatch({
      items: 3,
      seconds: 0.004,
      started: [{ processKey: 'child' }],
      completed: [
        { processKey: 'order', startedAt: new Date(now - 1500) },
        { processKey: 'child', startedAt: new Date(now - 20) },
      ],
      canceled: [{ processKey: 'order' }],
    });
    const s = await samples(metrics);
    expect(s.get('baton_process_instances_total{process="order",event="started"}')).toBe(1);
    expect(s.get('baton_process_instances_total{process="order",event="completed"}')).toBe(1);
    expect(s.get('baton_process_instances_total{process="order",event="canceled"}')).toBe(1);
    expect(s.get('baton_process_instances_total{process="child",event="started"}')).toBe(1);
    expect(s.get('baton_process_execution_seconds_sum{process="order"}')).toBeCloseTo(1.5);
    expect(s.get('baton_process_execution_seconds_bucket{le="1",process="order"}')).toBe(0);
    expect(s.get('baton_process_execution_seconds_bucket{le="2.5",process="order"}')).toBe(1);
    expect(s.get('baton_tokens_processed_total')).toBe(3);
    expect(s.get('baton_token_batch_size_count')).toBe(1);
    expect(s.get('baton_token_batch_size_sum')).toBe(3);
    expect(s.get('baton_batch_duration_seconds_count')).toBe(1);
  });

  it('starts error kinds and cache results at 0, then counts them', async () => {
    const metrics = make();
    let s = await samples(metrics);
    for (const kind of Object.values(ErrorKind))
      expect(s.get(`baton_errors_total{kind="${kind}"}`)).toBe(0);
    expect(s.get('baton_definition_cache_total{result="hit"}')).toBe(0);
    metrics.onDefinitionLookup('hit');
    metrics.onDefinitionLookup('hit');
    metrics.onDefinitionLookup('miss');
    metrics.error(ErrorKind.BatchFailed);
    s = await samples(metrics);
    expect(s.get('baton_definition_cache_total{result="hit"}')).toBe(2);
    expect(s.get('baton_definition_cache_total{result="miss"}')).toBe(1);
    expect(s.get('baton_errors_total{kind="batch_failed"}')).toBe(1);
  });

  it('counts job outcomes by type, every outcome of a seen type present', async () => {
    const metrics = make();
    metrics.onJobOutcome('charge-card', 'activated');
    metrics.onJobOutcome('charge-card', 'completed');
    const s = await samples(metrics);
    expect(s.get('baton_jobs_total{type="charge-card",outcome="activated"}')).toBe(1);
    expect(s.get('baton_jobs_total{type="charge-card",outcome="completed"}')).toBe(1);
    expect(s.get('baton_jobs_total{type="charge-card",outcome="incident"}')).toBe(0);
  });

  it('labels HTTP requests by route pattern, unmatched ones as such, and counts 5xx as errors', async () => {
    const metrics = make();
    metrics.observeHttp('GET', '/api/v1/instances/:id', 200, 0.003);
    metrics.observeHttp('GET', '/api/v1/instances/:id', 200, 0.02);
    metrics.observeHttp('BREW', undefined, 404, 0.001);
    metrics.observeHttp('POST', '/api/v1/processes', 503, 0.001);
    const s = await samples(metrics);
    expect(
      s.get(
        'baton_http_request_duration_seconds_count{method="GET",route="/api/v1/instances/:id",status="200"}',
      ),
    ).toBe(2);
    expect(
      s.get(
        'baton_http_request_duration_seconds_bucket{le="0.015",method="GET",route="/api/v1/instances/:id",status="200"}',
      ),
    ).toBe(1);
    expect(
      s.get(
        'baton_http_request_duration_seconds_count{method="OTHER",route="unmatched",status="404"}',
      ),
    ).toBe(1);
    expect(s.get('baton_errors_total{kind="http_5xx"}')).toBe(1);
  });

  it('keeps open-ended labels bounded: values past the limit count as "other"', async () => {
    const metrics = make({ maxLabelValues: 2 });
    for (const key of ['a', 'b', 'c', 'd']) metrics.onInstanceStarted(key);
    metrics.onInstanceStarted('a');
    const s = await samples(metrics);
    expect(s.get('baton_process_instances_total{process="a",event="started"}')).toBe(2);
    expect(s.get('baton_process_instances_total{process="b",event="started"}')).toBe(1);
    expect(s.get('baton_process_instances_total{process="other",event="started"}')).toBe(2);
    expect([...s.keys()].some((k) => k.includes('process="c"'))).toBe(false);
  });

  it('reads store counts on scrape, reuses them while fresh, and drops series that went away', async () => {
    const metrics = make();
    let reads = 0;
    let active = [
      { processKey: 'order', count: 4 },
      { processKey: 'invoice', count: 1 },
    ];
    metrics.watchStore(async () => {
      reads++;
      return { activeInstances: active, openIncidents: [{ type: 'JOB_NO_RETRIES', count: 2 }] };
    });
    let s = await samples(metrics);
    expect(s.get(`${METRIC.activeInstances}{process="order"}`)).toBe(4);
    expect(s.get(`${METRIC.incidentsOpen}{type="JOB_NO_RETRIES"}`)).toBe(2);
    expect(reads).toBe(1); // both gauges from one read
    active = [{ processKey: 'order', count: 3 }];
    await samples(metrics);
    expect(reads).toBe(1);
    now += 5_000;
    s = await samples(metrics);
    expect(reads).toBe(2);
    expect(s.get(`${METRIC.activeInstances}{process="order"}`)).toBe(3);
    expect(s.has(`${METRIC.activeInstances}{process="invoice"}`)).toBe(false);
  });

  it('leaves a probe gauge empty and counts probe_failed when the probe fails or hangs', async () => {
    const metrics = make();
    metrics.watchQueue('baton.work', () => new Promise<number>(() => undefined), { timeoutMs: 20 });
    const s = await samples(metrics);
    expect([...s.keys()].some((k) => k.startsWith(METRIC.workQueueDepth))).toBe(false);
    // Metrics are collected concurrently: the failure shows from the next scrape on.
    expect(
      (await samples(metrics)).get('baton_errors_total{kind="probe_failed"}'),
    ).toBeGreaterThanOrEqual(1);
  });

  it('reports the queue depth under the queue name', async () => {
    const metrics = make();
    metrics.watchQueue('baton.work', async () => 42);
    expect((await samples(metrics)).get(`${METRIC.workQueueDepth}{queue="baton.work"}`)).toBe(42);
  });

  it('observes timer lateness in seconds', async () => {
    const metrics = make();
    metrics.onTimersFired([10, 300, -5]);
    const s = await samples(metrics);
    expect(s.get('baton_timer_lateness_seconds_count')).toBe(3);
    expect(s.get('baton_timer_lateness_seconds_sum')).toBeCloseTo(0.31);
  });
});

describe('RefreshingValue', () => {
  it('shares one read between concurrent callers', async () => {
    let reads = 0;
    let release: (n: number) => void = () => undefined;
    const value = new RefreshingValue(
      () => {
        reads++;
        return new Promise<number>((resolve) => (release = resolve));
      },
      { maxAgeMs: 1000, timeoutMs: 1000, onError: () => undefined },
    );
    const both = Promise.all([value.get(), value.get()]);
    release(7);
    expect(await both).toEqual([7, 7]);
    expect(reads).toBe(1);
  });
});

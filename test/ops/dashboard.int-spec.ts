import { randomBytes } from 'node:crypto';
import { loadSettings } from '@baton/config';
import { CORE_METRICS, METRIC } from '@baton/metrics';
import { createApiApp } from '@baton/api';
import { repoFile, startApi, xmlPost, type ApiHarness } from '../../apps/api/test/api-harness';
import { repoText, repoYaml } from './ops-files';
import {
  deleteQueue,
  RABBITMQ_URL,
  REDIS_URL,
  sample,
  sampleLines,
  startWorker,
  until,
  type InProcessWorker,
} from './ops-harness';
import {
  dashboardExpressions,
  EXTERNAL_METRIC,
  metricNamesInPromQL,
  metricNamesInScrape,
  ruleExpressions,
  scrapeHas,
} from './promql';

// An API and a worker on the real Postgres, Redis and RabbitMQ of this
// machine, driven through a few instances (completed, canceled, with a job
// that fails into an incident); then their /metrics are scraped and held to
// the README's "Metrics" contract, the Grafana dashboard and the alert rules.
jest.setTimeout(90_000);

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

describe('metrics of a running api and worker', () => {
  const queue = `baton.test.ops.${Date.now().toString(36)}.${randomBytes(3).toString('hex')}`;
  const env = { REDIS_URL, RABBITMQ_URL, WORK_QUEUE: queue };
  let h: ApiHarness;
  let worker: InProcessWorker | undefined;
  let apiScrape = '';
  let workerScrape = '';

  beforeAll(async () => {
    h = await startApi('ops_dash', env);
    worker = await startWorker(
      loadSettings({ DATABASE_URL: h.db.url, DB_POOL_SIZE: '4', LOG_LEVEL: 'error', AUTH: 'none', ...env }),
    );

    expect(
      (await h.api('/processes', xmlPost(repoFile('bench/processes/r1-exclusive-script.bpmn'))))
        .status,
    ).toBe(201);
    expect(
      (await h.api('/processes', xmlPost(repoFile('bench/processes/r3-service-task.bpmn')))).status,
    ).toBe(201);
    const r1 = await Promise.all(
      [50, 500, 7].map((amount) =>
        h.json('POST', '/processes/R1/instances', { variables: { amount } }),
      ),
    );
    const r3 = await Promise.all(
      [1, 2, 3].map(() => h.json('POST', '/processes/R3/instances', {})),
    );
    for (const r of [...r1, ...r3]) expect(r.status).toBe(201);
    await until('the R1 instances to complete', async () =>
      (await Promise.all(r1.map((r) => h.json('GET', `/instances/${r.body.id}`)))).every(
        (v) => v.body.status === 'COMPLETED',
      ),
    );

    // R3: one job completed, one failed without retries (an incident), one instance canceled.
    const { body } = await until('three R3 jobs', async () => {
      const r = await h.json('POST', '/jobs/activate', {
        type: 'bench-task',
        workerId: 'ops-test',
        maxJobs: 3,
        lockDurationMs: 30_000,
      });
      return r.status === 200 && r.body.jobs.length === 3 ? r : undefined;
    });
    const [done, failed, canceled] = body.jobs as { id: string; instanceId: string }[];
    expect(
      (
        await h.json('POST', `/jobs/${done.id}/complete`, {
          workerId: 'ops-test',
          variables: { ok: true },
        })
      ).status,
    ).toBe(204);
    expect(
      (
        await h.json('POST', `/jobs/${failed.id}/fail`, {
          workerId: 'ops-test',
          errorMessage: 'boom',
          retries: 0,
        })
      ).status,
    ).toBe(204);
    expect((await h.json('POST', `/instances/${canceled.instanceId}/cancel`)).status).toBe(200);
    await until(
      'the completed R3 instance',
      async () =>
        (await h.json('GET', `/instances/${done.instanceId}`)).body.status === 'COMPLETED',
    );
    expect((await h.json('GET', '/instances/not-a-uuid')).status).toBe(404);

    apiScrape = await (await fetch(`${h.origin}/metrics`)).text();
    // The worker's store gauges are read on scrape (cached 5 s): wait for the incident to show.
    workerScrape = await until('the worker to report the open incident', async () => {
      const text = await (await fetch(`${worker!.origin}/metrics`)).text();
      return (sample(text, `${METRIC.incidentsOpen}{type="JOB_NO_RETRIES"}`) ?? 0) >= 1
        ? text
        : undefined;
    });
  });

  afterAll(async () => {
    await worker?.close();
    await h?.close();
    await deleteQueue(queue).catch(() => undefined);
  });

  it('serves Prometheus text at /metrics on both, with every contract metric (README "Metrics") sampled', async () => {
    const response = await fetch(`${h.origin}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const both = sampleLines(`${apiScrape}\n${workerScrape}`);
    for (const name of CORE_METRICS) {
      expect({ name, sampled: both.some((l) => l.startsWith(name)) }).toEqual({
        name,
        sampled: true,
      });
    }
    // Node.js process metrics in both.
    for (const text of [apiScrape, workerScrape]) {
      expect(text).toContain('# TYPE process_resident_memory_bytes gauge');
      expect(text).toContain('# TYPE nodejs_eventloop_lag_p99_seconds gauge');
    }
  });

  it('counts instance events where they happen: starts and cancels in the API, completions in the worker', () => {
    expect(sample(apiScrape, 'baton_process_instances_total{process="R1",event="started"}')).toBe(
      3,
    );
    expect(sample(apiScrape, 'baton_process_instances_total{process="R3",event="started"}')).toBe(
      3,
    );
    expect(sample(apiScrape, 'baton_process_instances_total{process="R3",event="canceled"}')).toBe(
      1,
    );
    expect(
      sample(workerScrape, 'baton_process_instances_total{process="R1",event="completed"}'),
    ).toBe(3);
    expect(
      sample(workerScrape, 'baton_process_instances_total{process="R3",event="completed"}'),
    ).toBe(1);
    expect(sample(workerScrape, 'baton_process_execution_seconds_count{process="R1"}')).toBe(3);
    expect(sample(workerScrape, 'baton_tokens_processed_total')).toBeGreaterThanOrEqual(4);
    expect(sample(workerScrape, 'baton_token_batch_size_count')).toBeGreaterThanOrEqual(1);
    expect(
      sample(workerScrape, 'baton_definition_cache_total{result="miss"}'),
    ).toBeGreaterThanOrEqual(1);
  });

  it('counts job outcomes by type', () => {
    const jobs = (outcome: string) =>
      sample(apiScrape, `baton_jobs_total{type="bench-task",outcome="${outcome}"}`);
    expect([
      jobs('activated'),
      jobs('completed'),
      jobs('incident'),
      jobs('failed'),
      jobs('error'),
    ]).toEqual([3, 1, 1, 0, 0]);
  });

  it('reports store counts and the queue depth from the worker only', () => {
    // R3: one instance waits on its incident; the rest ended.
    expect(sample(workerScrape, `${METRIC.activeInstances}{process="R3"}`)).toBe(1);
    expect(sample(workerScrape, `${METRIC.activeInstances}{process="R1"}`)).toBeUndefined();
    expect(sample(workerScrape, `${METRIC.workQueueDepth}{queue="${queue}"}`)).toBe(0);
    expect(apiScrape).not.toContain(METRIC.activeInstances);
  });

  it('labels HTTP durations by route pattern, never by URL', () => {
    const http = sampleLines(apiScrape).filter((l) =>
      l.startsWith(`${METRIC.httpRequestDuration}_count`),
    );
    expect(http).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^baton_http_request_duration_seconds_count\{method="POST",route="\/api\/v1\/processes\/:key\/instances",status="201"\} 6$/,
        ),
        expect.stringMatching(/route="\/api\/v1\/instances\/:id",status="404"\} 1$/),
        expect.stringMatching(/route="\/api\/v1\/jobs\/:id\/complete",status="204"\} 1$/),
      ]),
    );
    for (const line of http) expect(line).not.toMatch(UUID);
  });

  it('exports every metric the Grafana dashboard and the alert rules ask for', () => {
    const families = metricNamesInScrape(`${apiScrape}\n${workerScrape}`);
    const expressions = [
      ...dashboardExpressions(JSON.parse(repoText('grafana/dashboards/baton.json'))),
      ...ruleExpressions(repoYaml('prometheus/alerts.yml')),
    ];
    expect(expressions.length).toBeGreaterThan(30);
    const missing: string[] = [];
    const used = new Set<string>();
    for (const { where, expr } of expressions) {
      const names = metricNamesInPromQL(expr);
      if (names.length === 0) missing.push(`${where}: no metric in ${expr}`);
      for (const name of names) {
        used.add(name);
        if (!EXTERNAL_METRIC(name) && !scrapeHas(families, name)) missing.push(`${where}: ${name}`);
      }
    }
    expect(missing).toEqual([]);
    // Every contract metric is on the dashboard.
    for (const name of CORE_METRICS) {
      expect({
        name,
        onDashboard: [...used].some((u) => u === name || u.startsWith(`${name}_`)),
      }).toEqual({ name, onDashboard: true });
    }
  });

  it('answers readiness with Postgres, Redis and RabbitMQ up, on both', async () => {
    const api = await fetch(`${h.origin}/health/ready`);
    expect(api.status).toBe(200);
    expect(await api.json()).toEqual({
      status: 'ok',
      ready: true,
      checks: { postgres: { status: 'up' }, redis: { status: 'up' }, rabbitmq: { status: 'up' } },
    });
    const w = await fetch(`${worker!.origin}/health/ready`);
    expect(w.status).toBe(200);
    expect(await w.json()).toEqual({
      status: 'ok',
      checks: {
        postgres: { status: 'up' },
        redis: { status: 'up' },
        rabbitmq: { status: 'up' },
        consumer: { status: 'up' },
      },
    });
  });

  it('turns readiness 503 naming each dependency that does not answer, within its timeout', async () => {
    // Nothing listens on port 1: Redis and RabbitMQ are "down", Postgres is fine.
    const settings = loadSettings({
      DATABASE_URL: h.db.url,
      DB_POOL_SIZE: '2',
      LOG_LEVEL: 'error',
      AUTH: 'none',
      REDIS_URL: 'redis://127.0.0.1:1',
      RABBITMQ_URL: 'amqp://guest:guest@127.0.0.1:1',
      WORK_QUEUE: queue,
    });
    const app = await createApiApp(settings, { logger: false });
    try {
      await app.listen(0, '127.0.0.1');
      const origin = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
      const t0 = Date.now();
      const ready = await fetch(`${origin}/health/ready`);
      expect(Date.now() - t0).toBeLessThan(4_000);
      expect(ready.status).toBe(503);
      const body = await ready.json();
      expect(body).toMatchObject({
        status: 'unavailable',
        ready: false,
        checks: {
          postgres: { status: 'up' },
          redis: { status: 'down', message: expect.any(String) },
          rabbitmq: { status: 'down', message: expect.any(String) },
        },
      });
      expect((await fetch(`${origin}/health`)).status).toBe(200);
    } finally {
      await app.close();
    }
  });
});

import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadSettings } from '@baton/config';
import { BatonMetrics } from '@baton/metrics';
import { createApiApp } from '@baton/api';
import { repoFile, startApi, xmlPost, type ApiHarness } from '../../apps/api/test/api-harness';
import { findNginx, NginxProcess } from './nginx-config';
import { freePort, sample } from './ops-harness';

// nginx/nginx.conf on loopback in front of two API processes (in this
// process, one schema): requests spread over both, a stopped replica is
// routed around, rate limiting and "no replica" answer with Retry-After.
jest.setTimeout(60_000);

const nginx = findNginx();
if (nginx === undefined) {
  console.warn(
    'test/ops/nginx.int-spec.ts skipped: no nginx binary. Install it (Debian: apt-get install -y nginx-light); .ci/run does.',
  );
}
const describeWithNginx = nginx === undefined ? describe.skip : describe;

const LIST = '/api/v1/processes';

/** How many `GET /api/v1/processes` this replica answered with 200, from its own metrics. */
async function served(app: NestFastifyApplication): Promise<number> {
  const text = await app.get(BatonMetrics).metrics();
  return (
    sample(
      text,
      `baton_http_request_duration_seconds_count{method="GET",route="${LIST}",status="200"}`,
    ) ?? 0
  );
}

/** `count` GETs through nginx, `concurrency` at a time; their statuses. */
async function hammer(origin: string, count: number, concurrency = 4): Promise<number[]> {
  const statuses: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        next++;
        const r = await fetch(`${origin}${LIST}`, { signal: AbortSignal.timeout(10_000) });
        await r.arrayBuffer();
        statuses.push(r.status);
      }
    }),
  );
  return statuses;
}

describeWithNginx('nginx in front of two API replicas', () => {
  let h: ApiHarness;
  let second: NestFastifyApplication | undefined;
  let ports: number[] = [];
  let proxy: NginxProcess | undefined;
  let limited: NginxProcess | undefined;

  beforeAll(async () => {
    h = await startApi('ops_nginx');
    second = await createApiApp(
      loadSettings({ DATABASE_URL: h.db.url, DB_POOL_SIZE: '4', LOG_LEVEL: 'error', AUTH: 'none' }),
      { logger: false },
    );
    await second.listen(0, '127.0.0.1');
    ports = [h.app, second].map((app) => (app.getHttpServer().address() as { port: number }).port);
    proxy = new NginxProcess(nginx as string, { port: await freePort(), upstreams: ports });
  });

  afterAll(async () => {
    await proxy?.stop();
    await limited?.stop();
    await second?.close();
    await h?.close();
  });

  it('accepts the configuration (nginx -t)', () => {
    expect(proxy!.test()).toMatch(/syntax is ok|test is successful|^$/);
  });

  it('spreads requests over both replicas', async () => {
    await proxy!.start();
    expect(
      (
        await fetch(
          `${proxy!.origin}${LIST}`,
          xmlPost(repoFile('bench/processes/r1-exclusive-script.bpmn')),
        )
      ).status,
    ).toBe(201);
    const before = await Promise.all([h.app, second!].map(served));
    const statuses = await hammer(proxy!.origin, 40);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    const after = await Promise.all([h.app, second!].map(served));
    const share = after.map((n, i) => n - before[i]);
    expect(share[0] + share[1]).toBe(40);
    // least_conn with ties falls back to round robin: both replicas take a real share.
    for (const n of share) expect(n).toBeGreaterThanOrEqual(8);

    // The JSON access log names the replica and the upstream timing of each request.
    const proxied = proxy!.accessLog().filter((e) => e.uri === LIST && e.method === 'GET');
    expect(proxied.length).toBeGreaterThanOrEqual(40);
    expect(new Set(proxied.map((e) => e.upstream_addr))).toEqual(
      new Set(ports.map((p) => `127.0.0.1:${p}`)),
    );
    for (const e of proxied) {
      expect(e).toMatchObject({
        status: 200,
        upstream_status: '200',
        request_id: expect.stringMatching(/^[0-9a-f]{32}$/),
      });
      expect(Number(e.upstream_response_time)).toBeGreaterThanOrEqual(0);
      expect(Number(e.request_time)).toBeGreaterThanOrEqual(0);
    }
  });

  it('hides /metrics, passes /health, compresses JSON and tags answers with a request id', async () => {
    expect((await fetch(`${proxy!.origin}/metrics`)).status).toBe(404);
    const ready = await fetch(`${proxy!.origin}/health/ready`);
    expect(ready.status).toBe(200);
    expect(ready.headers.get('x-request-id')).toMatch(/^[0-9a-f]{32}$/);
    const docs = await fetch(`${proxy!.origin}/api/docs-json`, {
      headers: { 'accept-encoding': 'gzip' },
    });
    expect(docs.status).toBe(200);
    expect(docs.headers.get('content-encoding')).toBe('gzip');
    expect(((await docs.json()) as { openapi: string }).openapi).toMatch(/^3\./);
  });

  it('answers a client over its rate with 429 and Retry-After, at once', async () => {
    limited = new NginxProcess(nginx as string, {
      port: await freePort(),
      upstreams: ports,
      rate: { perSecond: 1, burst: 1 },
    });
    await limited.start();
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        fetch(`${limited!.origin}${LIST}`, { signal: AbortSignal.timeout(5_000) }),
      ),
    );
    const refused = answers.filter((r) => r.status === 429);
    expect(refused.length).toBeGreaterThanOrEqual(5);
    expect(answers.filter((r) => r.status !== 429).every((r) => r.status === 200)).toBe(true);
    expect(refused[0].headers.get('retry-after')).toBe('1');
    expect(refused[0].headers.get('content-type')).toBe('application/problem+json');
    expect(await refused[0].json()).toMatchObject({ status: 429, title: 'Too Many Requests' });
    await limited.stop();
    limited = undefined;
  });

  it('routes around a stopped replica: every request still succeeds', async () => {
    await second!.close();
    second = undefined;
    const before = await served(h.app);
    const statuses = await hammer(proxy!.origin, 30);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect((await served(h.app)) - before).toBe(30);
  });

  it('answers 503 with Retry-After when no replica is left, without hanging', async () => {
    await h.app.close();
    const t0 = Date.now();
    const r = await fetch(`${proxy!.origin}${LIST}`, { signal: AbortSignal.timeout(10_000) });
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(r.status).toBe(503);
    expect(r.headers.get('retry-after')).toBe('5');
    expect(await r.json()).toMatchObject({ status: 503, title: 'Service Unavailable' });
  });
});

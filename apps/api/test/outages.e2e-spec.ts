import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadSettings } from '@baton/config';
import { Sweeper } from '@baton/runtime';
import { freshSchema } from '../../../libs/store/test/fresh-schema';
import { TcpProxy } from '../../../test/support/tcp-proxy';
import { createApiApp } from '@baton/api';
import { harnessOn, repoFile, xmlPost, type ApiHarness } from './api-harness';

const RABBITMQ_URL = process.env.RABBITMQ_URL || 'amqp://guest:guest@127.0.0.1:5672';
const R1 = 'bench/processes/r1-exclusive-script.bpmn';

/** The API with its Postgres or RabbitMQ behind a proxy the test can cut. */
async function apiBehind(prefix: string, env: (db: { url: string }) => Record<string, string>): Promise<ApiHarness> {
  const db = await freshSchema({ prefix, poolSize: 2 });
  let app: NestFastifyApplication;
  try {
    app = await createApiApp(loadSettings({ DATABASE_URL: db.url, DB_POOL_SIZE: '4', LOG_LEVEL: 'fatal', AUTH: 'none', ...env(db) }), { logger: false });
    await app.listen(0, '127.0.0.1');
  } catch (e) {
    await db.drop();
    throw e;
  }
  return harnessOn(app, db);
}

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await work();
  return { ms: performance.now() - t0, value };
}

/**
 * What clients see while a dependency is away: the store answers 503 with
 * Retry-After (never a 500), and a broker outage does not slow starts down
 * (the announcement after the commit waits for no broker); once it is back,
 * every instance started meanwhile runs.
 */
describe('outages', () => {
  describe('Postgres unreachable', () => {
    let proxy: TcpProxy;
    let h: ApiHarness;
    beforeAll(async () => {
      proxy = await TcpProxy.start({ host: '127.0.0.1', port: 5432 });
      h = await apiBehind('api_pg_outage', (db) => ({ DATABASE_URL: proxy.url(db.url) }));
      expect((await h.api('/processes', xmlPost(repoFile(R1)))).status).toBe(201);
    }, 60_000);
    afterAll(async () => {
      await proxy.up();
      await h?.close();
      await proxy.down();
    });

    it('answers 503 problem+json with Retry-After while it is away, and 201 once it is back', async () => {
      const start = () => h.json('POST', '/processes/R1/instances', { variables: { amount: 5 } });
      expect((await start()).status).toBe(201);

      await proxy.down();
      for (let i = 0; i < 5; i++) {
        const { ms, value } = await timed(start);
        expect(value.status).toBe(503);
        expect(value.headers.get('retry-after')).toBe('2');
        expect(value.headers.get('content-type')).toMatch(/application\/problem\+json/);
        expect(value.body).toMatchObject({ status: 503, code: 'UNAVAILABLE', detail: expect.stringContaining('database') });
        // Refused at once, not after a hang.
        expect(ms).toBeLessThan(5_000);
      }
      const read = await h.json('GET', '/instances?limit=1');
      expect(read.status).toBe(503);

      await proxy.up();
      let again = await start();
      // The pool may hand out one connection that died with the outage before it notices.
      for (let i = 0; i < 3 && again.status === 503; i++) again = await start();
      expect(again.status).toBe(201);
      const metrics = await (await fetch(`${h.origin}/metrics`)).text();
      expect(metrics).toMatch(/baton_errors_total\{kind="store_unavailable"\} [1-9]/);
      expect(metrics).not.toMatch(/baton_http_request_duration_seconds_count\{[^}]*status="500"/);
    }, 60_000);
  });

  describe('RabbitMQ unreachable', () => {
    let proxy: TcpProxy;
    let h: ApiHarness;
    beforeAll(async () => {
      proxy = await TcpProxy.start({ host: '127.0.0.1', port: 5672 });
      h = await apiBehind('api_mq_outage', () => ({
        RABBITMQ_URL: proxy.url(RABBITMQ_URL),
        WORK_QUEUE: `baton.test.outage.${Date.now().toString(36)}`,
      }));
      expect((await h.api('/processes', xmlPost(repoFile(R1)))).status).toBe(201);
    }, 60_000);
    afterAll(async () => {
      await proxy.up();
      await h?.close();
      await proxy.down();
    });

    it('starts answer as fast during the outage as before it, and every instance completes once it is back', async () => {
      const start = (i: number) => h.json('POST', '/processes/R1/instances', { variables: { amount: i } });
      const before: number[] = [];
      for (let i = 0; i < 20; i++) before.push((await timed(() => start(i))).ms);

      await proxy.down();
      const during: { ms: number; id: string }[] = [];
      for (let i = 0; i < 40; i++) {
        const { ms, value } = await timed(() => start(i));
        expect(value.status).toBe(201);
        during.push({ ms, id: value.body.id });
      }
      const p50 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
      console.log(`[outage] start latency p50 before ${p50(before).toFixed(1)} ms, while RabbitMQ is away ${p50(during.map((d) => d.ms)).toFixed(1)} ms`);
      // The answer waits for Postgres only; a broker that does not answer adds nothing measurable.
      expect(Math.max(...during.map((d) => d.ms))).toBeLessThan(1_000);

      await proxy.up();
      const stopWorker = await h.worker();
      try {
        // Announcements that could not wait are the sweeper's: one pass with no age limit.
        await h.app.get(Sweeper).sweepOnce(0);
        const deadline = Date.now() + 30_000;
        for (;;) {
          const statuses = await Promise.all(during.map(async (d) => (await h.json('GET', `/instances/${d.id}`)).body.status));
          if (statuses.every((s) => s === 'COMPLETED')) break;
          if (Date.now() > deadline) throw new Error(`not completed after the outage: ${statuses.filter((s) => s !== 'COMPLETED').length}`);
          await new Promise((r) => setTimeout(r, 200));
        }
      } finally {
        await stopWorker();
      }
    }, 90_000);
  });
});

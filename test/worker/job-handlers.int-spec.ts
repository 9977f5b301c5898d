import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Injectable, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadSettings } from '@baton/config';
import { openStore } from '@baton/host';
import { BpmnError, type ActivatedJob, type RuntimeLogger } from '@baton/runtime';
import { TokenWorker } from '@baton/worker';
import { JobHandler } from '@baton/worker';
import { JobHandlers } from '@baton/worker';
import { TimerPoller } from '@baton/worker';
import { WorkerModule } from '@baton/worker';
import { duplicateHistory, fixture, notCompletedOnce, RABBITMQ_URL, Scenario, waitFor } from './worker-harness';

// The worker application in this process (so the test can register its own
// handlers), on the real Postgres and RabbitMQ: the in-process job handlers
// lease jobs from Postgres exactly as REST workers do.
jest.setTimeout(60_000);

const quiet: RuntimeLogger = { log: () => undefined, warn: () => undefined, error: (m) => console.error(m) };

/** R3's job type: completes at once with a variable. */
@Injectable()
class BenchTaskHandler {
  readonly seen = new Map<string, number>();

  @JobHandler('bench-task', { maxJobs: 64 })
  work(job: ActivatedJob) {
    this.seen.set(job.id, (this.seen.get(job.id) ?? 0) + 1);
    return { worked: true };
  }
}

/** Always fails: the attempts must be spaced by the type's exponential backoff. */
@Injectable()
class FlakyHandler {
  readonly attempts: number[] = [];

  @JobHandler('flaky', { backoff: { kind: 'exponential', baseMs: 200, capMs: 5_000 } })
  work() {
    this.attempts.push(Date.now());
    throw new Error('still down');
  }
}

/** A modelled business error, caught by the error boundary of `error-boundary`. */
@Injectable()
class DecliningCharge {
  @JobHandler('charge')
  charge(): never {
    throw new BpmnError('PAYMENT_FAILED', 'card declined', { reason: 'limit' });
  }
}

describe('in-process job handlers in the worker app (Postgres, RabbitMQ)', () => {
  let s: Scenario;
  let app: INestApplicationContext;
  let server: Server;
  let baseUrl: string;
  const charges: { path: string; body: unknown }[] = [];
  let flakyCalls = 0;

  beforeAll(async () => {
    s = await Scenario.create('handlers');
    server = createServer(async (req, res) => {
      let text = '';
      for await (const chunk of req) text += String(chunk);
      charges.push({ path: req.url ?? '', body: text === '' ? null : JSON.parse(text) });
      if ((req.url ?? '').startsWith('/orders/FLAKY/') && flakyCalls++ === 0) {
        res.writeHead(503).end('try later');
        return;
      }
      const { amount } = JSON.parse(text) as { amount: number };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ approved: amount < 100, id: `ch-${charges.length}` }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const settings = loadSettings({
      DATABASE_URL: s.db.url,
      RABBITMQ_URL,
      WORK_QUEUE: s.queue,
      DB_POOL_SIZE: '8',
      LOG_LEVEL: 'error',
      TIMER_POLL_INTERVAL_MS: '50',
      // The charge server below is on loopback: the http job refuses it unless allow-listed.
      HTTP_JOB_ALLOW: '127.0.0.1',
    });
    const store = await openStore(settings, quiet);
    app = await NestFactory.createApplicationContext(
      WorkerModule.forRoot({ settings, store, handlers: [BenchTaskHandler, FlakyHandler, DecliningCharge] }),
      { logger: false },
    );
    await app.get(TokenWorker).start();
    app.get(TimerPoller).start();
    expect(app.get(JobHandlers).start().sort()).toEqual(['bench-task', 'charge', 'flaky', 'http']);
  });

  afterAll(async () => {
    await app?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await s?.close();
  });

  const completed = (ids: string[]) =>
    s.count(`SELECT count(*) AS n FROM "ProcessInstance" WHERE status = 'COMPLETED' AND id = ANY($1::bigint[])`, ids);

  it('completes R3 end to end: every bench-task job handled once, every instance completed once', async () => {
    const definition = await s.deploy('bench/processes/r3-service-task.bpmn');
    const t0 = performance.now();
    const ids = (await s.start(definition, 300)).map((x) => x.id);
    await waitFor('300 R3 instances to complete', async () => (await completed(ids)) === 300, { timeoutMs: 30_000, intervalMs: 20 });
    const seconds = (performance.now() - t0) / 1000;
    console.log(`[job handlers] R3, 1 in-process worker: 300 instances in ${seconds.toFixed(2)} s = ${Math.round(300 / seconds)} instances/s`);

    const handler = app.get(BenchTaskHandler);
    expect(handler.seen.size).toBe(300);
    expect([...handler.seen.values()].every((n) => n === 1)).toBe(true);
    expect(await s.count(`SELECT count(*) AS n FROM "Job" WHERE type = 'bench-task' AND state = 'COMPLETED'`)).toBe(300);
    const rows = await s.db.prisma.processInstance.findMany({ where: { id: { in: ids.map((k) => BigInt(k)) } }, select: { variables: true } });
    expect(rows.every((r) => (r.variables as { worked?: boolean }).worked === true)).toBe(true);
    expect(await notCompletedOnce(s, ids, ['Task_Bench', 'EndEvent_1'])).toBe(0);
    expect(await duplicateHistory(s)).toBe(0);
  });

  it('the built-in http handler calls the URL from the task headers and maps the answer; a 503 is retried', async () => {
    const definition = await s.deploy('test/worker/fixtures/http-task.bpmn');
    const [small, large, flaky] = (
      await Promise.all([
        s.starter.start({ definition, variables: { baseUrl, orderId: 'A-1', amount: 40 } }),
        s.starter.start({ definition, variables: { baseUrl, orderId: 'B-2', amount: 400 } }),
        s.starter.start({ definition, variables: { baseUrl, orderId: 'FLAKY', amount: 10 } }),
      ])
    ).map((x) => x.id);
    await waitFor('the http instances to complete', async () => (await completed([small, large, flaky])) === 3, { timeoutMs: 20_000 });

    const variables = async (id: string) => (await s.db.prisma.processInstance.findUniqueOrThrow({ where: { id: BigInt(id) } })).variables;
    expect(await variables(small)).toMatchObject({ charge: { status: 200, body: { approved: true, id: expect.any(String) } } });
    expect(await variables(large)).toMatchObject({ charge: { status: 200, body: { approved: false } } });
    expect(await variables(flaky)).toMatchObject({ charge: { status: 200, body: { approved: true } } });
    expect(await notCompletedOnce(s, [small, flaky], ['end_approved'])).toBe(0);
    expect(await notCompletedOnce(s, [large], ['end_declined'])).toBe(0);
    expect(charges.filter((c) => c.path === '/orders/A-1/charge')).toEqual([{ path: '/orders/A-1/charge', body: { amount: 40, currency: 'EUR' } }]);
    expect(charges.filter((c) => c.path === '/orders/FLAKY/charge')).toHaveLength(2);
    // The first attempt's failure is on the job; it left one retry of two.
    const job = await s.db.prisma.job.findFirstOrThrow({ where: { instanceId: BigInt(flaky) } });
    expect(job).toMatchObject({ state: 'COMPLETED', retries: 1, errorMessage: expect.stringContaining('answered 503: try later') });
  });

  it('a target the http job may not call (cloud metadata) opens an incident at once, naming the URL and why', async () => {
    const definition = await s.deploy('test/worker/fixtures/http-task.bpmn');
    const { id } = await s.starter.start({
      definition,
      variables: { baseUrl: 'http://169.254.169.254/latest/meta-data', orderId: 'M-1', amount: 1 },
    });
    await waitFor('the incident', async () => (await s.db.prisma.incident.count({ where: { instanceId: BigInt(id) } })) === 1, {
      timeoutMs: 20_000,
    });
    const incident = await s.db.prisma.incident.findFirstOrThrow({ where: { instanceId: BigInt(id) } });
    expect(incident).toMatchObject({
      type: 'JOB_NO_RETRIES',
      elementId: 'charge',
      resolvedAt: null,
      message: expect.stringMatching(
        /^http: POST http:\/\/169\.254\.169\.254\/latest\/meta-data\/orders\/M-1\/charge refused: 169\.254\.169\.254 is a link-local address .*HTTP_JOB_ALLOW/,
      ),
    });
    // One attempt: the model's two retries were not spent on a target that cannot change.
    expect(await s.db.prisma.job.findFirstOrThrow({ where: { instanceId: BigInt(id) } })).toMatchObject({ state: 'FAILED', retries: 0 });
    expect(charges.filter((c) => c.path.includes('M-1'))).toEqual([]);
  });

  it('failed attempts are spaced by the type\'s backoff policy; out of retries, an incident opens', async () => {
    const xml = fixture('libs/engine/test/fixtures/bpmn/tasks/service-task.bpmn')
      .replaceAll('"service-task"', '"flaky-task"')
      .replace('type="charge-card" retries="5"', 'type="flaky" retries="4"');
    const { processes } = await s.registry.deploy(xml);
    const definition = (await s.registry.byId(processes[0].id))!;
    const { id } = await s.starter.start({ definition });
    await waitFor('the incident', async () => (await s.db.prisma.incident.count({ where: { instanceId: BigInt(id) } })) === 1, { timeoutMs: 20_000 });

    const { attempts } = app.get(FlakyHandler);
    expect(attempts).toHaveLength(4);
    const gaps = attempts.slice(1).map((t, i) => t - attempts[i]);
    console.log(`[job handlers] exponential 200 ms backoff: gaps between attempts ${gaps.join(', ')} ms`);
    // Exponential from 200 ms: at least 200, 400, 800 ms apart (plus the poll that finds the job again), growing.
    [200, 400, 800].forEach((delay, i) => {
      expect(gaps[i]).toBeGreaterThanOrEqual(delay - 15);
      expect(gaps[i]).toBeLessThan(delay + 1_000);
    });
    expect(gaps[0]).toBeLessThan(gaps[1]);
    expect(gaps[1]).toBeLessThan(gaps[2]);
    const incident = await s.db.prisma.incident.findFirstOrThrow({ where: { instanceId: BigInt(id) } });
    expect(incident).toMatchObject({ type: 'JOB_NO_RETRIES', message: 'still down', elementId: 'charge', resolvedAt: null });
    expect(await s.db.prisma.job.findFirstOrThrow({ where: { instanceId: BigInt(id) } })).toMatchObject({ state: 'FAILED', retries: 0 });
  });

  it('a BpmnError thrown by a handler is caught by the matching error boundary event', async () => {
    const definition = await s.deploy('libs/engine/test/fixtures/bpmn/events/error-boundary.bpmn');
    const [{ id }] = await s.start(definition, 1, () => ({ valid: true }));
    await waitFor('the instance to complete', async () => (await completed([id])) === 1, { timeoutMs: 20_000 });
    expect((await s.db.prisma.processInstance.findUniqueOrThrow({ where: { id: BigInt(id) } })).variables).toMatchObject({ reason: 'limit' });
    expect(await notCompletedOnce(s, [id], ['payment_failed', 'end_failed'])).toBe(0);
    expect(await s.db.prisma.incident.count({ where: { instanceId: BigInt(id) } })).toBe(0);
  });
});

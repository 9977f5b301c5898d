import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadSettings } from '@baton/config';
import { createBatonApp, startBaton, type StartedBaton } from '../src/baton-app';
import { banner } from '../src/banner';

const ROOT = join(__dirname, '..', '..', '..');
const file = (path: string) => readFileSync(join(ROOT, path), 'utf8');

/**
 * `npm start`'s application in this process, running: its own worker
 * consumes the in-process bus, its timer poller fires timers. Nothing here
 * drains by hand: what a client sees is what the embedded engine does.
 */
describe('the embedded engine, running (API + worker, PGlite in memory)', () => {
  let app: NestFastifyApplication;
  let started: StartedBaton;
  let origin: string;

  beforeAll(async () => {
    Logger.overrideLogger(['error']);
    const settings = loadSettings({ DATA_DIR: 'memory://', LOG_LEVEL: 'error', TIMER_POLL_INTERVAL_MS: '50' });
    app = await createBatonApp(settings, { logger: false });
    started = (await startBaton(app, settings)) as StartedBaton;
    await app.listen(0, '127.0.0.1');
    origin = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  }, 60_000);

  afterAll(async () => {
    await app?.close();
  });

  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${origin}/api/v1${path}`, {
      method,
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    const text = await response.text();
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return { status: response.status, body: (text === '' ? undefined : JSON.parse(text)) as any };
  };
  const deploy = async (path: string) => {
    const response = await fetch(`${origin}/api/v1/processes`, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: file(path) });
    expect([200, 201]).toContain(response.status);
  };
  const until = async (what: string, probe: () => Promise<boolean>, timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await probe())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  };
  const status = async (id: string) => (await call('GET', `/instances/${id}`)).body.status as string;

  it('deploys the demo into the empty store and runs it from the printed request', async () => {
    expect(started.demo).toEqual({ key: 'order', deployedNow: true });
    expect(started.store.kind).toBe('pglite');
    const text = banner({ settings: loadSettings({}), store: started.store, origin, demo: started.demo, readySeconds: 1 });
    const body = text.match(/-d '(.+)'$/m)?.[1];
    const small = await call('POST', '/processes/order/instances', { variables: { amount: 40 } });
    const big = await call('POST', '/processes/order/instances', JSON.parse(body ?? '{}'));
    expect([small.status, big.status]).toEqual([201, 201]);
    await until('both orders to complete', async () => (await status(small.body.id)) === 'COMPLETED' && (await status(big.body.id)) === 'COMPLETED');
    expect((await call('GET', `/instances/${small.body.id}`)).body.variables).toEqual({ amount: 40, total: 40 });
    expect((await call('GET', `/instances/${big.body.id}`)).body.variables).toEqual({ amount: 150, total: 135 });
    const history = await call('GET', `/instances/${big.body.id}/history`);
    expect(history.body.items.map((e: { elementId: string; type: string }) => `${e.type} ${e.elementId}`)).toEqual([
      'ELEMENT_ACTIVATED order',
      'ELEMENT_ACTIVATED OrderReceived',
      'ELEMENT_COMPLETED OrderReceived',
      'ELEMENT_ACTIVATED Gateway_Amount',
      'ELEMENT_COMPLETED Gateway_Amount',
      'ELEMENT_ACTIVATED Task_Discount',
      'ELEMENT_COMPLETED Task_Discount',
      'ELEMENT_ACTIVATED Gateway_Merge',
      'ELEMENT_COMPLETED Gateway_Merge',
      'ELEMENT_ACTIVATED OrderPriced',
      'ELEMENT_COMPLETED OrderPriced',
      'ELEMENT_COMPLETED order',
    ]);
  });

  it('completes a user task through the API and the in-process worker', async () => {
    await deploy('libs/engine/test/fixtures/bpmn/tasks/user-task.bpmn');
    const { body } = await call('POST', '/processes/user-task/instances', { variables: { owner: 'bob' } });
    let task: { id: string; assignee: string } | undefined;
    await until('the task to open', async () => {
      task = (await call('GET', `/tasks?instanceId=${body.id}`)).body.items[0];
      return task !== undefined;
    });
    expect(task?.assignee).toBe('bob');
    expect((await call('POST', `/tasks/${task?.id}/complete`, { variables: { approved: true } })).status).toBe(200);
    await until('the instance to complete', async () => (await status(body.id)) === 'COMPLETED');
    expect((await call('GET', `/instances/${body.id}`)).body.variables).toMatchObject({ owner: 'bob', approved: true });
  });

  it('runs batch operations in process: a batch of suspensions completes with nobody draining it', async () => {
    await deploy('libs/engine/test/fixtures/bpmn/tasks/user-task.bpmn');
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await call('POST', '/processes/user-task/instances', { businessKey: 'batch-embedded' })).body.id);
    const created = await call('POST', '/batches', { type: 'SUSPEND_PROCESS_INSTANCE', filter: { businessKey: 'batch-embedded' } });
    expect(created).toMatchObject({ status: 201, body: { total: 3 } });
    await until('the batch to complete', async () => (await call('GET', `/batches/${created.body.key}`)).body.state === 'COMPLETED');
    for (const id of ids) expect(await status(id)).toBe('SUSPENDED');
  });

  it('fires timers with its own poller and leases jobs to REST workers', async () => {
    await deploy('libs/runtime/test/fixtures/short-timer.bpmn');
    await deploy('libs/engine/test/fixtures/bpmn/tasks/service-task.bpmn');
    const timer = await call('POST', '/processes/short-timer/instances', { variables: { wait: 'PT0.3S' } });
    const job = await call('POST', '/processes/service-task/instances', { variables: { amount: 5 } });
    await until('the timer to fire', async () => (await status(timer.body.id)) === 'COMPLETED');
    let jobs: { id: string; instanceId: string }[] = [];
    await until('the job to be activatable', async () => {
      jobs = (await call('POST', '/jobs/activate', { type: 'charge-card', workerId: 'e2e', maxJobs: 1, lockDurationMs: 10_000 })).body.jobs;
      return jobs.length === 1;
    });
    expect(jobs[0].instanceId).toBe(job.body.id);
    expect((await call('POST', `/jobs/${jobs[0].id}/complete`, { workerId: 'e2e', variables: { charged: 5 } })).status).toBe(204);
    await until('the job instance to complete', async () => (await status(job.body.id)) === 'COMPLETED');
  });

  it('answers health and readiness at the root, and the OpenAPI document', async () => {
    expect((await fetch(`${origin}/health`)).status).toBe(200);
    const ready = await fetch(`${origin}/health/ready`);
    expect(ready.status).toBe(200);
    expect((await fetch(`${origin}/api/docs-json`)).status).toBe(200);
  });
});

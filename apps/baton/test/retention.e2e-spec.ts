import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadSettings } from '@baton/config';
import { createBatonApp, startBaton } from '../src/baton-app';
import { levelProcess } from '../../../libs/runtime/test/retention/retention-fixtures';

/**
 * `npm start` (no Redis) runs retention passes on a timer in its own process:
 * an instance ended longer ago than INSTANCE_RETENTION is gone a pass later,
 * one still running stays.
 */
describe('retention in the embedded engine (PGlite, in-process schedule)', () => {
  let app: NestFastifyApplication;
  let origin: string;

  beforeAll(async () => {
    Logger.overrideLogger(['error']);
    const settings = loadSettings({ DATA_DIR: 'memory://', LOG_LEVEL: 'error', INSTANCE_RETENTION: 'PT1S', RETENTION_INTERVAL: '1' });
    app = await createBatonApp(settings, { logger: false });
    await startBaton(app, settings, { demo: false });
    await app.listen(0, '127.0.0.1');
    origin = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  }, 60_000);
  afterAll(async () => {
    await app?.close();
  });

  const get = (path: string) => fetch(`${origin}/api/v1${path}`);
  const until = async (what: string, probe: () => Promise<boolean>, timeoutMs = 15_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await probe())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  it('deletes an ended instance once it is older than INSTANCE_RETENTION; a waiting one stays', async () => {
    const deployed = await fetch(`${origin}/api/v1/processes`, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: levelProcess('short_lived') });
    expect(deployed.status).toBe(201);
    const waitingXml = readFileSync(join(__dirname, '..', '..', '..', 'libs/engine/test/fixtures/bpmn/tasks/service-task.bpmn'), 'utf8');
    expect((await fetch(`${origin}/api/v1/processes`, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: waitingXml })).status).toBe(201);
    const waiting = (await (await fetch(`${origin}/api/v1/processes/service-task/instances`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).json()) as { id: string };
    const started = await fetch(`${origin}/api/v1/processes/short_lived/instances`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    const { id } = (await started.json()) as { id: string };
    await until('the instance to end', async () => ((await (await get(`/instances/${id}`)).json()) as { status?: string }).status === 'COMPLETED');
    await until('the retention pass to delete it', async () => (await get(`/instances/${id}`)).status === 404);
    expect((await get(`/instances/${id}/history`)).status).toBe(404);
    // Two passes later the instance waiting for its job is still there.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(((await (await get(`/instances/${waiting.id}`)).json()) as { status?: string }).status).toBe('ACTIVE');
  }, 30_000);
});

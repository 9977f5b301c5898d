import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryDefinitionCache } from '@baton/cache';
import { Announcer, DefinitionRegistry, InstanceStarter, LeasedKeys } from '@baton/runtime';
import { openEmbeddedDatabase, PgRuntimeStore } from '@baton/store';
import { embeddedEnv, freePort, ROOT, startCommand, StartedProcess, until } from './start-process';

/**
 * A fresh clone with nothing else running: `npm start` with none of
 * DATABASE_URL, REDIS_URL, RABBITMQ_URL, on a free port and an empty
 * DATA_DIR. The printed curl starts an instance that completes; a SIGTERM
 * stops it cleanly (exit 0); the next start on the same directory finds the
 * instance, runs work a crash left unpublished, and the timer and the job it
 * left waiting resume. The host is
 * put in a zone other than UTC, where PGlite's own default would shift every
 * timestamp.
 */
describe('npm start (embedded mode)', () => {
  let dataDir: string;
  let port: number;
  const started: StartedProcess[] = [];
  const timings: string[] = [];

  const start = (group = false) => {
    const argv = group ? ['npm', 'start'] : startCommand();
    const env = embeddedEnv({ PORT: String(port), DATA_DIR: dataDir, TZ: 'America/New_York', STATE_CHECK_INTERVAL: '1' });
    const process = new StartedProcess(argv, env, { group });
    started.push(process);
    return process;
  };
  const ready = async (baton: StartedProcess) => {
    await baton.waitFor(/^Baton is ready/, 90_000);
    timings.push(`${((Date.now() - baton.startedAt) / 1000).toFixed(1)} s`);
  };

  beforeAll(async () => {
    dataDir = join(mkdtempSync(join(tmpdir(), 'baton-npm-start-')), 'data');
    port = await freePort();
  });

  afterAll(() => {
    for (const p of started) p.kill();
    console.log(`time to ready (spawn -> banner): ${timings.join(', ')}`);
    rmSync(join(dataDir, '..'), { recursive: true, force: true });
  });

  const api = (path: string, init?: RequestInit) => fetch(`http://127.0.0.1:${port}/api/v1${path}`, init);
  const json = async (path: string, init?: RequestInit) => {
    const response = await api(path, init);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const post = (path: string, body: unknown) =>
    json(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const deploy = async (file: string) => {
    const response = await api('/processes', {
      method: 'POST',
      headers: { 'content-type': 'application/xml' },
      body: readFileSync(join(ROOT, file), 'utf8'),
    });
    expect(response.status).toBe(201);
  };

  let demoInstance: string;
  let timerInstance: string;
  let jobInstance: string;
  let unpublished: string;

  it('starts with no servers, deploys the demo and prints a curl that starts an instance that completes', async () => {
    const baton = start();
    await ready(baton);
    expect(baton.text).toMatch(/adapters: store=pglite bus=in-process cache=memory/);
    expect(baton.text).toMatch(new RegExp(`API docs +http://localhost:${port}/api/docs`));
    expect(baton.text).toMatch(/Deployed the demo process 'order'/);
    expect((await fetch(`http://127.0.0.1:${port}/api/docs`)).status).toBe(200);
    // The cockpit, built by `npm install` (docs/cockpit.md).
    expect(baton.text).toMatch(new RegExp(`Cockpit +http://localhost:${port}/cockpit/`));
    expect((await fetch(`http://127.0.0.1:${port}/cockpit/`)).status).toBe(200);

    // The printed request, as a user would paste it.
    const [, url, body] = await baton.waitFor(/^ +curl -s -X POST (\S+) -H 'content-type: application\/json' -d '(.+)'$/, 1000);
    const [, readUrl] = await baton.waitFor(/^ +curl -s (\S+\/instances\/)<id>$/, 1000);
    const answer = await fetch(url.replace('localhost', '127.0.0.1'), { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(answer.status).toBe(201);
    const instance = (await answer.json()) as { id: string; processKey: string };
    expect(instance.processKey).toBe('order');
    demoInstance = instance.id;
    const completed = await until(
      'the demo instance to complete',
      async () => {
        const read = (await (await fetch(`${readUrl.replace('localhost', '127.0.0.1')}${instance.id}`)).json()) as Record<string, unknown>;
        return read.status === 'COMPLETED' ? read : undefined;
      },
      15_000,
    );
    expect(completed).toMatchObject({ variables: { amount: 150, total: 135 }, tokens: [] });
    // Stored and read back in UTC: PGlite in the host's zone would be 4 or 5 hours off.
    expect(Math.abs(Date.parse(completed.startedAt as string) - Date.now())).toBeLessThan(60_000);

    // State for after the restart: a timer that falls due while Baton is down, and a job nobody took yet.
    await deploy('libs/runtime/test/fixtures/short-timer.bpmn');
    await deploy('libs/engine/test/fixtures/bpmn/tasks/service-task.bpmn');
    timerInstance = (await post('/processes/short-timer/instances', { variables: { wait: 'PT3S' } })).body.id as string;
    jobInstance = (await post('/processes/service-task/instances', { variables: { amount: 7 } })).body.id as string;
    await until('the timer and the job to be waiting', async () => {
      const [timer, job] = await Promise.all([json(`/instances/${timerInstance}`), json(`/instances/${jobInstance}`)]);
      const waiting = (b: Record<string, unknown>) => (b.tokens as { state: string }[]).some((t) => t.state === 'WAITING');
      return waiting(timer.body) && waiting(job.body);
    }, 15_000);

    baton.signal('SIGTERM');
    expect(await baton.waitForExit(30_000)).toEqual({ code: 0, signal: null });
    expect(baton.text).toMatch(/Baton\] stopped/);
    expect(existsSync(`${dataDir}.lock`)).toBe(false);
  }, 180_000);

  it('starts again on the same DATA_DIR: the instance is there, the timer fires, the job is handed out', async () => {
    // While it is down: an instance committed but never published, as a crash between the two leaves it.
    const db = await openEmbeddedDatabase({ dataDir });
    try {
      const runtime = new PgRuntimeStore(db.prisma);
      const keys = await LeasedKeys.acquire(runtime.repos.keyNodes, 'npm-start test');
      try {
        const registry = new DefinitionRegistry(runtime, new MemoryDefinitionCache(), keys.next, { cacheTtlSeconds: 60 });
        const definition = await registry.byProcessId('order');
        const dropped = new Announcer({ publish: async () => undefined }, {});
        unpublished = (await new InstanceStarter(runtime, dropped, keys.next).start({ definition: definition!, variables: { amount: 20 } })).id;
      } finally {
        await keys.release();
      }
    } finally {
      await db.close();
    }

    const baton = start();
    await ready(baton);
    expect(baton.text).toMatch(/queued 1 instance\(s\) whose work was in flight at the last stop/);
    await until('the unpublished instance to run', async () => (await json(`/instances/${unpublished}`)).body.status === 'COMPLETED', 10_000);
    expect(baton.text).toMatch(/schema is up to date/);
    expect(baton.text).not.toMatch(/Deployed the demo process/);
    expect(baton.text).toMatch(/Start an instance of the demo process 'order'/);

    expect((await json(`/instances/${demoInstance}`)).body).toMatchObject({ status: 'COMPLETED', variables: { total: 135 } });
    await until('the timer to fire after the restart', async () => (await json(`/instances/${timerInstance}`)).body.status === 'COMPLETED', 20_000);

    const activated = await post('/jobs/activate', { type: 'charge-card', workerId: 'after-restart', maxJobs: 5, lockDurationMs: 30_000 });
    const jobs = activated.body.jobs as { id: string; instanceId: string; variables: Record<string, unknown> }[];
    expect(jobs).toEqual([expect.objectContaining({ instanceId: jobInstance, variables: { amount: 7 } })]);
    const done = await api(`/jobs/${jobs[0].id}/complete`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ workerId: 'after-restart', variables: { paid: true } }),
    });
    expect(done.status).toBe(204);
    await until('the job instance to complete', async () => (await json(`/instances/${jobInstance}`)).body.status === 'COMPLETED', 15_000);

    const history = await json(`/instances/${timerInstance}/history`);
    expect((history.body.items as { type: string; elementId: string }[]).filter((e) => e.elementId === 'wait').map((e) => e.type)).toEqual([
      'ELEMENT_ACTIVATED',
      'ELEMENT_COMPLETED',
    ]);

    baton.signal('SIGTERM');
    expect(await baton.waitForExit(30_000)).toEqual({ code: 0, signal: null });
  }, 180_000);

  it('refuses a second Baton on the same DATA_DIR with a clear message, and Ctrl+C on `npm start` stops it cleanly', async () => {
    const baton = start(true);
    await ready(baton);
    const second = new StartedProcess(startCommand(), embeddedEnv({ PORT: String(await freePort()), DATA_DIR: dataDir }));
    started.push(second);
    expect(await second.waitForExit(60_000)).toEqual({ code: 1, signal: null });
    expect(second.text).toMatch(/DATA_DIR .* is in use by process \d+/);

    // Ctrl+C in a terminal: SIGINT to the whole process group (npm, sh, node).
    baton.signal('SIGINT');
    await baton.waitForExit(30_000);
    expect(baton.text).toMatch(/SIGINT: finishing the work in flight/);
    expect(baton.text).toMatch(/Baton\] stopped/);
    await until('the data directory to be released', async () => !existsSync(`${dataDir}.lock`), 10_000);
  }, 180_000);
});

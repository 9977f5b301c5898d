import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { embeddedEnv, freePort, startCommand, StartedProcess } from '../../../test/embedded/start-process';

/**
 * What a new user sees on the first `npm start` from a fresh clone, as a
 * child process whose stdout is a pipe (not a terminal): a line saying the
 * database is being created (it takes a while) and one when it is done, no
 * Nest route-mapping lines at info, no ANSI colours, and URLs in the banner
 * that answer. The second start on the same DATA_DIR, with LOG_LEVEL=debug,
 * creates nothing and shows the route lines.
 */
describe('the first `npm start` (embedded, fresh DATA_DIR, output not a terminal)', () => {
  let root: string;
  let dataDir: string;
  let port: number;
  const started: StartedProcess[] = [];
  const timings: string[] = [];

  const start = (env: Record<string, string>) => {
    const processEnv = embeddedEnv({ PORT: String(port), DATA_DIR: dataDir, ...env });
    // Plain output must come from stdout not being a terminal, not from NO_COLOR.
    delete processEnv.NO_COLOR;
    delete processEnv.FORCE_COLOR;
    const baton = new StartedProcess(startCommand(), processEnv);
    started.push(baton);
    return baton;
  };
  const ready = async (baton: StartedProcess, what: string) => {
    await baton.waitFor(/^Baton is ready/, 170_000);
    timings.push(`${what} ${((Date.now() - baton.startedAt) / 1000).toFixed(1)} s`);
  };
  const stop = async (baton: StartedProcess) => {
    baton.signal('SIGTERM');
    expect(await baton.waitForExit(30_000)).toEqual({ code: 0, signal: null });
  };
  const url = (path: string) => `http://127.0.0.1:${port}${path}`;
  const ROUTE_LINES = /\[(RoutesResolver|RouterExplorer|InstanceLoader)\]|Mapped \{/;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'baton-first-start-'));
    dataDir = join(root, 'data');
    port = await freePort();
  });

  afterAll(() => {
    for (const p of started) p.kill();
    console.log(`time to ready (spawn -> banner): ${timings.join(', ')}`);
    rmSync(root, { recursive: true, force: true });
  });

  it('says it is creating the database, keeps Nest plumbing out of the info log, prints no colours, and the banner URLs answer', async () => {
    const baton = start({ LOG_LEVEL: 'info' });
    await ready(baton, 'first start');
    const creating = baton.lines.findIndex((l) => l.includes(`first start: creating the database in ${dataDir}\u2026`));
    const created = baton.lines.findIndex((l) => /first start: database created in \d+\.\d s/.test(l));
    const banner = baton.lines.findIndex((l) => l.startsWith('Baton is ready'));
    expect(creating).toBeGreaterThanOrEqual(0);
    expect(created).toBeGreaterThan(creating);
    expect(banner).toBeGreaterThan(created);
    expect(baton.lines.filter((l) => ROUTE_LINES.test(l))).toEqual([]);
    expect(baton.text).not.toContain('\x1b[');
    // What is left of Nest's start-up log is short: the banner is not scrolled away.
    expect(baton.lines.slice(0, banner).filter((l) => /^\[Nest\]/.test(l)).length).toBeLessThan(15);

    const home = await fetch(url('/'), { redirect: 'manual' });
    expect(home.status).toBe(302);
    expect(home.headers.get('location')).toBe('/cockpit/');
    expect((await fetch(url('/cockpit/'))).status).toBe(200);
    expect((await fetch(url('/api/docs'))).status).toBe(200);

    const index = await fetch(url('/api/v1'));
    expect(index.status).toBe(200);
    const body = (await index.json()) as { resources: Record<string, { href: string; methods: string[] }> };
    expect(Object.keys(body.resources)).toEqual([
      'processes',
      'instances',
      'tasks',
      'jobs',
      'messages',
      'signals',
      'conditionals',
      'incidents',
      'timers',
      'messageSubscriptions',
      'incidentGroups',
      'decisions',
      'forms',
      'batches',
      'overview',
    ]);
    for (const { href, methods } of Object.values(body.resources)) {
      if (methods.includes('GET')) expect(`${href} ${(await fetch(url(href))).status}`).toBe(`${href} 200`);
    }

    // Under tsx (no decorator metadata) @nestjs/swagger infers no path parameters: they are declared explicitly.
    const doc = (await (await fetch(url('/api/docs-json'))).json()) as {
      paths: Record<string, Record<string, { parameters?: { name: string; in: string; schema?: { example?: unknown } }[] }>>;
    };
    const undeclared: string[] = [];
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        for (const [, name] of path.matchAll(/\{([^}]+)\}/g)) {
          const param = (op.parameters ?? []).find((p) => p.in === 'path' && p.name === name);
          if (param?.schema?.example === undefined) undeclared.push(`${method.toUpperCase()} ${path} {${name}}`);
        }
      }
    }
    expect(undeclared).toEqual([]);

    await stop(baton);
  }, 240_000);

  it('starts again without creating anything; LOG_LEVEL=debug shows the route lines, still without colours', async () => {
    const baton = start({ LOG_LEVEL: 'debug' });
    await ready(baton, 'second start');
    expect(baton.text).not.toMatch(/first start/);
    expect(baton.text).toMatch(/DEBUG \[RouterExplorer\] Mapped \{\/api\/v1\/processes, POST\} route/);
    expect(baton.text).not.toContain('\x1b[');
    await stop(baton);
  }, 240_000);
});

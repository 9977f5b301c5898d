import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { compileBpmn } from '@baton/engine';

// The load-test scripts cannot run here (no locust, no k6), so CI checks what
// it can: they parse, and the process they drive compiles.

const DIR = __dirname;

function hasPython(): boolean {
  return spawnSync('python3', ['--version']).status === 0;
}

describe('loadtest scripts', () => {
  it('k6/start-instances.js is valid ES module syntax (node --check)', () => {
    const source = readFileSync(path.join(DIR, 'k6', 'start-instances.js'));
    const result = spawnSync(process.execPath, ['--input-type=module', '--check'], {
      input: source,
    });
    expect(result.stderr.toString()).toBe('');
    expect(result.status).toBe(0);
  });

  (hasPython() ? it : it.skip)('locustfile.py compiles (python3 -m py_compile)', () => {
    // py_compile writes the bytecode to a scratch file, so no __pycache__ lands in the tree.
    const scratch = mkdtempSync(path.join(os.tmpdir(), 'baton-pycompile-'));
    try {
      execFileSync('python3', [
        '-c',
        'import py_compile, sys; py_compile.compile(sys.argv[1], cfile=sys.argv[2], doraise=True)',
        path.join(DIR, 'locustfile.py'),
        path.join(scratch, 'locustfile.pyc'),
      ]);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it('order-process.bpmn, the process both scripts drive, compiles', async () => {
    const compiled = await compileBpmn(readFileSync(path.join(DIR, 'order-process.bpmn'), 'utf8'));
    if (!compiled.ok) throw new Error(JSON.stringify(compiled.errors));
    expect(compiled.definitions.processes.map((p) => p.id)).toEqual(['OrderProcess']);
  });

  describe('run-locust.sh', () => {
    const SCRIPT = path.join(DIR, 'run-locust.sh');
    let bin: string;
    let server: Server;
    let origin: string;

    /** A PATH with only the tools the script uses (and, when asked, a `locust` that prints its arguments). */
    const pathWith = (locust: boolean): string => {
      const dir = mkdtempSync(path.join(bin, 'path-'));
      for (const tool of ['dirname', 'cat', 'curl']) {
        const found = spawnSync('sh', ['-c', `command -v ${tool}`]).stdout.toString().trim();
        if (found !== '') symlinkSync(found, path.join(dir, tool));
      }
      if (locust) {
        writeFileSync(path.join(dir, 'locust'), '#!/bin/sh\necho "locust $*"\n');
        chmodSync(path.join(dir, 'locust'), 0o755);
      }
      return dir;
    };
    const run = (args: string[], env: Record<string, string>) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        execFile('/bin/sh', [SCRIPT, ...args], { env }, (error, stdout, stderr) =>
          resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        );
      });

    beforeAll(async () => {
      bin = mkdtempSync(path.join(os.tmpdir(), 'baton-run-locust-'));
      server = createServer((request, response) => {
        response.statusCode = request.url === '/health' ? 200 : 404;
        response.end('{"status":"ok"}');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    });

    afterAll(async () => {
      await new Promise((resolve) => server?.close(resolve));
      rmSync(bin, { recursive: true, force: true });
    });

    it('is valid sh', () => {
      expect(spawnSync('sh', ['-n', SCRIPT]).status).toBe(0);
    });

    it('says how to install Locust when it is not installed', async () => {
      const result = await run([], { PATH: pathWith(false) });
      expect(result.code).toBe(127);
      expect(result.stderr).toContain('apt-get install python3-locust');
    });

    it('runs the locustfile headless for 60 s with 20 users against 127.0.0.1:3000 by default', async () => {
      // The default target is checked for /health first; point BASE_URL at a stand-in to see the rest.
      const defaults = await run([], { PATH: pathWith(true), BASE_URL: origin });
      expect(defaults.code).toBe(0);
      expect(defaults.stdout.trim()).toBe(
        `locust -f ${path.join(DIR, 'locustfile.py')} --host ${origin} --headless --users 20 --spawn-rate 2 --run-time 60s --stop-timeout 10 --only-summary`,
      );
      expect(readFileSync(SCRIPT, 'utf8')).toMatch(/BASE_URL:-http:\/\/127\.0\.0\.1:3000/);
      const custom = await run([`${origin}/`], { PATH: pathWith(true), DURATION: '5m', USERS: '200', CSV: '/tmp/x' });
      expect(custom.stdout).toContain(`--host ${origin} --headless --users 200 --spawn-rate 20 --run-time 5m`);
      expect(custom.stdout).toContain('--csv /tmp/x');
    });

    const hasCurl = spawnSync('sh', ['-c', 'command -v curl']).status === 0;
    (hasCurl ? it : it.skip)('stops at once when no Baton answers (checked with curl when installed)', async () => {
      const result = await run(['http://127.0.0.1:9'], { PATH: pathWith(true) });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('No Baton answers at http://127.0.0.1:9/health');
    });
  });
});

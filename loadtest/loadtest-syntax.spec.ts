import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
});

import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startApi, type ApiHarness } from './api-harness';

// `npm run api-key` (scripts/api-key.ts) against the database DATABASE_URL names: the way the
// first admin key is made, before anyone can call the API.

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..', '..');

describe('npm run api-key', () => {
  let h: ApiHarness;

  beforeAll(async () => {
    h = await startApi('apikeycli', { AUTH: 'api-key' });
  });

  afterAll(async () => {
    await h?.close();
  });

  const cli = (...args: string[]) =>
    run(process.execPath, ['--import', 'tsx', 'scripts/api-key.ts', ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', DATABASE_URL: h.db.url, LOG_LEVEL: 'error' },
    });

  it('makes a key the API accepts, lists it without its secret, and revokes it', async () => {
    const made = await cli('create', '--name', 'first-admin', '--permissions', 'admin', '--tenants', '*');
    const key = made.stdout.trim().split('\n').pop() ?? '';
    expect(key).toMatch(/^baton_[0-9a-f]{12}_/);
    const id = key.slice('baton_'.length, 'baton_'.length + 12);
    const listed = await fetch(`${h.origin}/api/v1/api-keys`, { headers: { authorization: `Bearer ${key}` } });
    expect(listed.status).toBe(200);
    expect(await listed.json()).toMatchObject({ items: [{ id, name: 'first-admin', permissions: ['admin'], tenants: ['*'] }] });

    const list = await cli('list');
    expect(list.stdout).toContain(`${id}  first-admin  permissions=admin  tenants=*`);
    expect(list.stdout).not.toContain(key.slice(20));

    await cli('revoke', id);
    expect((await fetch(`${h.origin}/api/v1/api-keys`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(401);
  }, 60_000);

  it('refuses unknown permissions and missing names with a usage message', async () => {
    await expect(cli('create', '--name', 'x', '--permissions', 'deploi')).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('not permissions: deploi'),
    });
    await expect(cli('create', '--permissions', 'read')).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('--name') });
  }, 60_000);
});

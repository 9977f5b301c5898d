import { ApiKeyService, PERMISSIONS } from '@baton/api';
import { fixture, startApi, xmlPost, type ApiHarness } from './api-harness';
import { bearer, caller } from './auth-support';

// What the cockpit relies on beyond the plain routes: `GET /api/v1/me` (who the caller is, so
// the UI hides what it may not do) and ETags on the reads it polls (304 while nothing changed).

describe('GET /api/v1/me with AUTH=api-key', () => {
  let h: ApiHarness;
  let keys: ApiKeyService;
  const call = caller(() => h.origin);

  beforeAll(async () => {
    h = await startApi('me_auth', { AUTH: 'api-key', RATE_LIMIT_PER_MINUTE: '0' });
    keys = h.app.get(ApiKeyService);
  });
  afterAll(() => h?.close());

  it('answers any authenticated caller with its principal, permissions and tenants', async () => {
    const reader = (
      await keys.create({ name: 'reader', permissions: ['read'], tenants: ['acme', 'globex'] })
    ).key;
    const me = await call('GET', '/api/v1/me', bearer(reader));
    expect(me.status).toBe(200);
    expect(me.body).toEqual({
      principal: 'reader',
      via: 'api-key',
      permissions: ['read'],
      tenants: ['acme', 'globex'],
      groups: [],
    });

    // No permission at all is still a caller that may ask who it is.
    const nothing = (
      await keys.create({
        name: 'starter',
        permissions: ['start:order', 'jobs:charge'],
        tenants: ['*'],
      })
    ).key;
    expect((await call('GET', '/api/v1/me', bearer(nothing))).body).toMatchObject({
      permissions: ['jobs:charge', 'start:order'],
      tenants: ['*'],
    });

    // An admin is listed with every permission, so a client needs no rule of its own for `admin`.
    const admin = (await keys.create({ name: 'root', permissions: ['admin'], tenants: ['*'] })).key;
    expect((await call('GET', '/api/v1/me', bearer(admin))).body?.permissions).toEqual(
      [...PERMISSIONS].sort(),
    );
  });

  it('is a 401 without credentials or with a wrong key', async () => {
    expect((await call('GET', '/api/v1/me')).status).toBe(401);
    const wrong = await call(
      'GET',
      '/api/v1/me',
      bearer('baton_0123456789ab_notarealsecretnotarealsecretnotarealsecret1'),
    );
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toContain('Bearer');
  });
});

describe('GET /api/v1/me and ETags with AUTH=none', () => {
  let h: ApiHarness;

  beforeAll(async () => {
    h = await startApi('me_etag');
  });
  afterAll(() => h?.close());

  it('answers the anonymous caller with every permission and every tenant', async () => {
    const me = await h.json('GET', '/me');
    expect(me.status).toBe(200);
    expect(me.body).toEqual({
      principal: 'anonymous',
      via: 'none',
      permissions: [...PERMISSIONS].sort(),
      tenants: ['*'],
      groups: [],
    });
  });

  it('answers 304 to an unchanged instance, list and history, and 200 with a new ETag once the instance changed', async () => {
    expect((await h.api('/processes', xmlPost(fixture('tasks/service-task.bpmn')))).status).toBe(
      201,
    );
    const started = await h.json('POST', '/processes/service-task/instances', {
      variables: { n: 1 },
    });
    expect(started.status).toBe(201);
    await h.drain();
    const id = started.body.id as string;

    const conditional = async (path: string, tag: string | null) => {
      const response = await h.api(path, tag === null ? {} : { headers: { 'if-none-match': tag } });
      return {
        status: response.status,
        etag: response.headers.get('etag'),
        body: await response.text(),
      };
    };
    for (const path of [
      `/instances/${id}`,
      `/instances?processKey=service-task`,
      `/instances/${id}/history`,
      `/instances/${id}/waiting`,
      `/jobs?instanceId=${id}`,
    ]) {
      const first = await conditional(path, null);
      expect({ path, status: first.status, etag: first.etag }).toEqual({
        path,
        status: 200,
        etag: expect.stringMatching(/^W\/"/),
      });
      const again = await conditional(path, first.etag);
      expect({ path, status: again.status, body: again.body }).toEqual({
        path,
        status: 304,
        body: '',
      });
    }

    const before = await conditional(`/instances/${id}`, null);
    const patched = await h.json('PATCH', `/instances/${id}/variables`, { variables: { n: 2 } });
    expect(patched.status).toBe(200);
    const after = await conditional(`/instances/${id}`, before.etag);
    expect(after.status).toBe(200);
    expect(after.etag).not.toBe(before.etag);
    expect(JSON.parse(after.body).variables).toEqual({ n: 2 });
    // The XML is not JSON: no ETag, whatever is asked.
    const xml = await h.api('/processes/service-task/xml', { headers: { 'if-none-match': '*' } });
    expect([xml.status, xml.headers.get('etag')]).toEqual([200, null]);
  });
});

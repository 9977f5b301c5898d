import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSettings } from '@baton/config';
import {
  ApiKeyService,
  createApiApp,
  hashPassword,
  Permission,
  PERMISSIONS,
  registeredRoutes,
  ROUTE_PERMISSIONS,
} from '@baton/api';
import { fixture, startApi, type ApiHarness } from './api-harness';
import { startIssuer, type TestIssuer } from './oidc-issuer';
import { deploy, failure } from './camunda-support';
import { createCamundaClient } from '@camunda8/orchestration-cluster-api';
import { basic, bearer, caller } from './auth-support';

// Authentication and permissions (docs/security.md): every route of the table, with no
// credentials, with credentials that lack its permission, and with credentials that hold it;
// API keys as Bearer and Basic, users of AUTH_USERS_FILE, OIDC tokens of a local issuer.

const AUDIENCE = 'baton-api';

describe('authentication and permissions', () => {
  let h: ApiHarness;
  let issuer: TestIssuer;
  let dir: string;
  let keys: ApiKeyService;
  let admin: string;

  beforeAll(async () => {
    issuer = await startIssuer(AUDIENCE);
    dir = mkdtempSync(join(tmpdir(), 'baton-auth-'));
    writeFileSync(
      join(dir, 'users.json'),
      JSON.stringify([
        { name: 'demo', passwordHash: await hashPassword('demo'), permissions: ['read', 'deploy'], tenants: ['*'] },
        { name: 'reader', passwordHash: await hashPassword('s3cret:with colon'), permissions: ['read'] },
      ]),
    );
    h = await startApi('auth', {
      AUTH: 'api-key,basic,oidc',
      AUTH_USERS_FILE: join(dir, 'users.json'),
      OIDC_ISSUER: issuer.issuer,
      OIDC_AUDIENCE: AUDIENCE,
      OIDC_PRINCIPAL_CLAIM: 'preferred_username,azp,sub',
      OIDC_PERMISSIONS_CLAIM: 'realm_access.roles',
      OIDC_TENANTS_CLAIM: 'tenants',
      METRICS_TOKEN: 'scrape-me',
      RATE_LIMIT_PER_MINUTE: '0',
    });
    keys = h.app.get(ApiKeyService);
    admin = (await keys.create({ name: 'admin', permissions: ['admin'], tenants: ['*'] })).key;
  });

  afterAll(async () => {
    await h?.close();
    await issuer?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const call = caller(() => h.origin);

  describe('the permission table', () => {
    it('covers every route the application registers (new routes must join it)', () => {
      const routes = registeredRoutes(h.app.getHttpAdapter().getInstance());
      expect(routes.length).toBeGreaterThan(50);
      const missing = [...new Set(routes.map((r) => r.replace(/^HEAD /, 'GET ')))].filter((r) => !ROUTE_PERMISSIONS.has(r));
      expect(missing).toEqual([]);
      // And nothing stale: every entry is a route that exists.
      const known = new Set(routes);
      expect([...ROUTE_PERMISSIONS.keys()].filter((r) => !known.has(r))).toEqual([]);
    });
  });

  describe('every route × {no credentials, lacking the permission, holding it}', () => {
    const guarded = [...ROUTE_PERMISSIONS].filter(
      (entry): entry is [string, Extract<(typeof entry)[1], { access: 'permission' }>] => entry[1].access === 'permission',
    );
    const publicRoutes = [...ROUTE_PERMISSIONS].filter(([, rule]) => rule.access === 'public').map(([route]) => route);
    const holding = new Map<string, string>();
    const lacking = new Map<string, string>();

    beforeAll(async () => {
      for (const permission of PERMISSIONS) {
        holding.set(permission, (await keys.create({ name: `has-${permission}`, permissions: [permission], tenants: ['*'] })).key);
        const others = PERMISSIONS.filter((p) => p !== permission && p !== Permission.Admin);
        lacking.set(permission, (await keys.create({ name: `lacks-${permission}`, permissions: others, tenants: ['*'] })).key);
      }
    });

    const request = (route: string, headers: Record<string, string>) => {
      const [method, pattern] = route.split(' ');
      const path = pattern.replace(/:[A-Za-z]+/g, '1');
      return call(method, path, headers, method === 'GET' || method === 'DELETE' ? undefined : {});
    };

    it.each(guarded.map(([route, rule]) => [route, rule.permission] as const))('%s needs %s', async (route, permission) => {
      const none = await request(route, {});
      expect({ route, status: none.status }).toEqual({ route, status: 401 });
      expect(none.headers.get('www-authenticate')).toMatch(/Bearer realm="baton"/);
      expect(none.headers.get('content-type')).toMatch(/^application\/problem\+json/);

      const denied = await request(route, bearer(lacking.get(permission) ?? ''));
      expect({ route, status: denied.status }).toEqual({ route, status: 403 });
      expect(denied.body?.detail).toContain(`'${permission}'`);
      expect(denied.body?.detail).toContain(`'lacks-${permission}'`);

      const allowed = await request(route, bearer(holding.get(permission) ?? ''));
      expect({ route, status: [401, 403].includes(allowed.status) ? allowed.status : 'let in' }).toEqual({ route, status: 'let in' });
    });

    it.each(publicRoutes)('%s is public', async (route) => {
      const [method, path] = route.split(' ');
      const response = await call(method, path);
      expect({ route, status: [401, 403].includes(response.status) ? response.status : 'open' }).toEqual({ route, status: 'open' });
    });
  });

  describe('problem answers', () => {
    it('401 on /api/v1 is Baton problem+json with a Bearer WWW-Authenticate, and echoes no credential', async () => {
      const r = await call('GET', '/api/v1/instances', bearer('baton_0123456789ab_notarealsecretnotarealsecretnotarealsecret1'));
      expect(r.status).toBe(401);
      expect(r.body).toMatchObject({ status: 401, title: 'Unauthorized', code: 'UNAUTHORIZED', instance: '/api/v1/instances' });
      expect(r.body?.detail).toBe('the API key is unknown or revoked');
      expect(r.text).not.toContain('notarealsecret');
      // Never a Basic challenge: a browser would prompt, then send the password cross-site by itself.
      expect(r.headers.get('www-authenticate')).toBe('Bearer realm="baton", error="invalid_token"');
      expect((await call('GET', '/api/v1/instances', basic('demo', 'wrong'))).headers.get('www-authenticate')).toBe('Bearer realm="baton"');
    });

    it('401 and 403 on /v2 are in Camunda\'s shape', async () => {
      const r = await call('POST', '/v2/process-instances/search', {}, {});
      expect(r.status).toBe(401);
      expect(r.body).toMatchObject({ type: 'about:blank', title: 'UNAUTHORIZED', status: 401, instance: '/v2/process-instances/search' });
      const f = await call('POST', '/v2/deployments', basic('reader', 's3cret:with colon'));
      expect(f.status).toBe(403);
      expect(f.body).toMatchObject({ title: 'FORBIDDEN', status: 403, detail: "'reader' lacks the permission 'deploy'" });
    });

    it('/metrics needs METRICS_TOKEN when it is set', async () => {
      expect((await call('GET', '/metrics')).status).toBe(401);
      expect((await call('GET', '/metrics', bearer('wrong'))).status).toBe(401);
      expect((await call('GET', '/metrics', bearer(admin))).status).toBe(401);
      const ok = await call('GET', '/metrics', bearer('scrape-me'));
      expect(ok.status).toBe(200);
      expect(ok.text).toContain('baton_');
    });
  });

  describe('API keys', () => {
    it('are made over REST by admins, shown once, listed without secrets, and stop working when revoked', async () => {
      const made = await call('POST', '/api/v1/api-keys', bearer(admin), { name: 'ci', permissions: ['deploy', 'start:order'], tenants: ['*'] });
      expect(made.status).toBe(201);
      expect(made.body).toMatchObject({ name: 'ci', permissions: ['deploy', 'start:order'], tenants: ['*'], lastUsedAt: null, revokedAt: null });
      const key = made.body?.key as string;
      expect(key).toMatch(/^baton_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);

      const listed = await call('GET', '/api/v1/api-keys', bearer(admin));
      expect(listed.status).toBe(200);
      expect(listed.text).not.toContain(key.slice(20));
      expect(listed.text).not.toMatch(/secret|"key"/i);

      expect((await call('POST', '/api/v1/processes', bearer(key), { xml: fixture('tasks/script-task.bpmn') })).status).not.toBe(403);
      const used = (await call('GET', '/api/v1/api-keys', bearer(admin))).body?.items as { name: string; lastUsedAt: string | null }[];
      expect(used.find((k) => k.name === 'ci')?.lastUsedAt).not.toBeNull();

      expect((await call('POST', '/api/v1/api-keys', bearer(admin), { name: 'ci', permissions: ['read'] })).status).toBe(409);
      const typo = await call('POST', '/api/v1/api-keys', bearer(admin), { name: 'x', permissions: ['deploi'] });
      expect(typo.status).toBe(400);
      expect(typo.body?.detail).toContain("'deploi'");

      const revoked = await call('DELETE', `/api/v1/api-keys/${made.body?.id as string}`, bearer(admin));
      expect(revoked.status).toBe(200);
      expect(revoked.body?.revokedAt).not.toBeNull();
      expect((await call('GET', '/api/v1/processes', bearer(key))).status).toBe(401);
      expect((await call('DELETE', '/api/v1/api-keys/000000000000', bearer(admin))).status).toBe(404);
    });

    it('work as HTTP Basic with the key id or name as the user name', async () => {
      const { record, key } = await keys.create({ name: 'modeler', permissions: ['read'], tenants: ['*'] });
      expect((await call('GET', '/api/v1/processes', basic('modeler', key))).status).toBe(200);
      expect((await call('GET', '/api/v1/processes', basic(record.id, key))).status).toBe(200);
      expect((await call('GET', '/api/v1/processes', basic('someone-else', key))).status).toBe(401);
      const tampered = key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A');
      expect((await call('GET', '/api/v1/processes', bearer(tampered))).status).toBe(401);
    });

    it('scoped to a process may start only that process', async () => {
      expect((await call('POST', '/api/v1/processes', bearer(admin), { xml: fixture('tasks/script-task.bpmn') })).status).toBeLessThan(300);
      const { key } = await keys.create({ name: 'starter', permissions: ['start:script-task'], tenants: ['*'] });
      const ok = await call('POST', '/api/v1/processes/script-task/instances', bearer(key), {});
      expect(ok.status).toBe(201);
      const other = await call('POST', '/api/v1/processes/other/instances', bearer(key), {});
      expect(other.status).toBe(403);
      expect(other.body?.detail).toBe("'starter' lacks the permission 'start:other'");
      const v2 = await call('POST', '/v2/process-instances', bearer(key), { processDefinitionId: 'other' });
      expect(v2.status).toBe(403);
      expect((await call('POST', '/v2/process-instances', bearer(key), { processDefinitionId: 'script-task' })).status).toBe(200);
      // A message could start any process: the whole start permission.
      expect((await call('POST', '/api/v1/messages', bearer(key), { name: 'm' })).status).toBe(403);
    });

    it('scoped to a job type activate only jobs of that type', async () => {
      const { key } = await keys.create({ name: 'mailer', permissions: ['jobs:mail'], tenants: ['*'] });
      const body = (type: string) => ({ type, workerId: 'w', maxJobs: 1, lockDurationMs: 1000 });
      expect((await call('POST', '/api/v1/jobs/activate', bearer(key), body('mail'))).status).toBe(200);
      const denied = await call('POST', '/api/v1/jobs/activate', bearer(key), body('charge-card'));
      expect(denied.status).toBe(403);
      expect(denied.body?.detail).toContain("'jobs:charge-card'");
      const v2 = await call('POST', '/v2/jobs/activation', bearer(key), { type: 'charge-card', maxJobsToActivate: 1, timeout: 1000 });
      expect(v2.status).toBe(403);
      expect((await call('POST', '/v2/jobs/activation', bearer(key), { type: 'mail', maxJobsToActivate: 1, timeout: 1000, requestTimeout: 100 })).status).toBe(200);
    });
  });

  describe('Basic users of AUTH_USERS_FILE', () => {
    it('are let in with the right password only', async () => {
      expect((await call('GET', '/api/v1/processes', basic('demo', 'demo'))).status).toBe(200);
      expect((await call('GET', '/api/v1/processes', basic('reader', 's3cret:with colon'))).status).toBe(200);
      const wrong = await call('GET', '/api/v1/processes', basic('demo', 'demo2'));
      expect(wrong.status).toBe(401);
      expect(wrong.body?.detail).toBe('the name or the password is wrong');
      expect((await call('GET', '/api/v1/processes', basic('nobody', 'demo'))).status).toBe(401);
      expect((await call('GET', '/api/v1/processes', { authorization: 'Basic !!!' })).status).toBe(401);
    });
  });

  describe('OIDC bearer tokens', () => {
    const roles = (list: string[]) => ({ realm_access: { roles: list }, preferred_username: 'alice', tenants: ['*'] });

    it('are verified against the issuer found by discovery, and map claims to the caller', async () => {
      const token = await issuer.sign(roles(['read', 'offline_access']));
      expect((await call('GET', '/api/v1/processes', bearer(token))).status).toBe(200);
      expect(issuer.hits).toContain('/realms/baton/.well-known/openid-configuration');
      expect(issuer.hits).toContain('/realms/baton/protocol/openid-connect/certs');
      const denied = await call('POST', '/api/v1/processes', bearer(token), { xml: '<x/>' });
      expect(denied.status).toBe(403);
      expect(denied.body?.detail).toBe("'alice' lacks the permission 'deploy'");
    });

    it.each([
      ['expired', () => issuer.sign(roles(['read']), { expiresIn: Math.floor(Date.now() / 1000) - 120 }), 'the bearer token has expired'],
      ['for another audience', () => issuer.sign({ ...roles(['read']), aud: 'someone-else' }), "'aud' claim"],
      ['from another issuer', () => issuer.sign(roles(['read']), { issuer: 'https://evil.example.com' }), "'iss' claim"],
      ['signed with another key', () => issuer.sign(roles(['read']), { key: 'other' }), 'bad signature'],
      ['not a JWT at all', async () => 'not-a-jwt', 'not valid'],
    ])('are refused when %s', async (_what, token, detail) => {
      const r = await call('GET', '/api/v1/processes', bearer(await token()));
      expect(r.status).toBe(401);
      expect(r.body?.detail).toContain(detail);
      expect(r.headers.get('www-authenticate')).toContain('error="invalid_token"');
    });
  });

  describe('user tasks', () => {
    it('are claimed and completed by their candidate users, or by callers holding operate', async () => {
      expect((await call('POST', '/api/v1/processes', bearer(admin), { xml: fixture('tasks/user-task.bpmn') })).status).toBeLessThan(300);
      const started = await call('POST', '/api/v1/processes/user-task/instances', bearer(admin), { variables: { owner: null } });
      expect(started.status).toBe(201);
      await h.drain();
      const tasks = await call('GET', `/api/v1/tasks?instanceId=${started.body?.id as string}`, bearer(admin));
      const taskId = (tasks.body?.items as { id: string }[])[0].id;
      const anna = (await keys.create({ name: 'anna', permissions: ['tasks'], tenants: ['*'] })).key;
      const bob = (await keys.create({ name: 'bob', permissions: ['tasks'], tenants: ['*'] })).key;
      const operator = (await keys.create({ name: 'operator', permissions: ['tasks', 'operate'], tenants: ['*'] })).key;
      const refused = await call('POST', `/api/v1/tasks/${taskId}/claim`, bearer(bob), { assignee: 'bob' });
      expect(refused.status).toBe(403);
      expect(refused.body?.detail).toContain("'bob' is neither the assignee nor a candidate user");
      expect((await call('POST', `/api/v1/tasks/${taskId}/claim`, bearer(anna), { assignee: 'anna' })).status).toBe(200);
      expect((await call('POST', `/v2/user-tasks/${taskId}/completion`, bearer(bob), {})).status).toBe(403);
      expect((await call('POST', `/api/v1/tasks/${taskId}/complete`, bearer(operator), {})).status).toBe(200);
    });
  });

  describe('tenants of a caller', () => {
    const deployTo = async (tenantId: string, xml: string) => {
      const form = new FormData();
      form.append('resources', new File([xml], 'p.bpmn', { type: 'application/octet-stream' }));
      form.append('tenantId', tenantId);
      const r = await fetch(`${h.origin}/v2/deployments`, { method: 'POST', headers: bearer(admin), body: form });
      expect(r.status).toBe(200);
    };
    const xml = fixture('tasks/service-task.bpmn').replaceAll('"service-task"', '"tenanted"').replace('type="charge-card"', 'type="tenanted"');
    const ids: Record<string, string> = {};

    beforeAll(async () => {
      await deployTo('acme', xml);
      await deployTo('<default>', xml);
      for (const tenantId of ['acme', '<default>']) {
        const r = await call('POST', '/v2/process-instances', bearer(admin), { processDefinitionId: 'tenanted', tenantId });
        expect(r.status).toBe(200);
        ids[tenantId] = r.body?.processInstanceKey as string;
      }
      await h.drain();
    });

    it('confine the lists to them', async () => {
      const acme = (await keys.create({ name: 'acme-reader', permissions: ['read'], tenants: ['acme'] })).key;
      const plain = (await keys.create({ name: 'default-reader', permissions: ['read'], tenants: ['<default>'] })).key;
      const listed = async (key: string) =>
        ((await call('GET', '/api/v1/instances?processKey=tenanted', bearer(key))).body?.items as { id: string }[]).map((i) => i.id);
      expect(await listed(acme)).toEqual([ids.acme]);
      expect(await listed(plain)).toEqual([ids['<default>']]);
      expect((await listed(admin)).sort()).toEqual([ids.acme, ids['<default>']].sort());
    });

    it('hide instances of other tenants behind their ids, in both APIs', async () => {
      const acme = (await keys.create({ name: 'acme-operator', permissions: ['read', 'operate'], tenants: ['acme'] })).key;
      expect((await call('GET', `/api/v1/instances/${ids.acme}`, bearer(acme))).status).toBe(200);
      const hidden = await call('GET', `/api/v1/instances/${ids['<default>']}`, bearer(acme));
      expect(hidden.status).toBe(404);
      expect(hidden.body?.detail).toBe(`process instance ${ids['<default>']} was not found`);
      expect((await call('GET', `/api/v1/instances/${ids['<default>']}/history`, bearer(acme))).status).toBe(404);
      expect((await call('POST', `/api/v1/instances/${ids['<default>']}/cancel`, bearer(acme))).status).toBe(404);
      const v2 = await call('GET', `/v2/process-instances/${ids['<default>']}`, bearer(acme));
      expect(v2.status).toBe(404);
      expect(v2.body).toMatchObject({ title: 'NOT_FOUND' });
      expect((await call('GET', `/v2/process-instances/${ids.acme}`, bearer(acme))).status).toBe(200);
    });

    it('confine job activation to them, and refuse work in other tenants', async () => {
      const worker = (await keys.create({ name: 'acme-worker', permissions: ['jobs:tenanted'], tenants: ['acme'] })).key;
      const activate = await call('POST', '/api/v1/jobs/activate', bearer(worker), { type: 'tenanted', workerId: 'w', maxJobs: 10, lockDurationMs: 60_000 });
      expect(activate.status).toBe(200);
      const jobs = activate.body?.jobs as { id: string; instanceId: string }[];
      expect(jobs.map((j) => j.instanceId)).toEqual([ids.acme]);
      const v2 = await call('POST', '/v2/jobs/activation', bearer(worker), { type: 'tenanted', maxJobsToActivate: 1, timeout: 1000, tenantIds: ['<default>'] });
      expect(v2.status).toBe(403);
      expect(v2.body?.detail).toBe("'acme-worker' may not act in tenant '<default>'");
      expect((await call('POST', '/v2/process-instances', bearer(worker), { processDefinitionId: 'tenanted', tenantId: 'acme' })).status).toBe(403);
      expect((await call('POST', `/api/v1/jobs/${jobs[0].id}/complete`, bearer(worker), { workerId: 'w' })).status).toBe(204);
    });

    it('hide jobs of other tenants and types behind their ids', async () => {
      const other = await call('POST', '/api/v1/jobs/activate', bearer(admin), { type: 'tenanted', workerId: 'w2', maxJobs: 10, lockDurationMs: 60_000 });
      const job = (other.body?.jobs as { id: string }[])[0];
      expect(job).toBeDefined();
      const acmeWorker = (await keys.create({ name: 'acme-worker-2', permissions: ['jobs'], tenants: ['acme'] })).key;
      expect((await call('POST', `/api/v1/jobs/${job.id}/complete`, bearer(acmeWorker), { workerId: 'w2' })).status).toBe(404);
      const mailer = (await keys.create({ name: 'mailer-2', permissions: ['jobs:mail'], tenants: ['*'] })).key;
      const wrongType = await call('POST', `/api/v1/jobs/${job.id}/complete`, bearer(mailer), { workerId: 'w2' });
      expect(wrongType.status).toBe(403);
      expect(wrongType.body?.detail).toContain("'jobs:tenanted'");
    });
  });

  describe('the Camunda client', () => {
    const client = (config: Record<string, string>) =>
      createCamundaClient({
        env: {},
        config: { CAMUNDA_REST_ADDRESS: h.origin, CAMUNDA_SDK_LOG_LEVEL: 'error', CAMUNDA_SDK_VALIDATION: 'req:strict,res:strict', ...config },
      });
    const xml = fixture('tasks/service-task.bpmn').replaceAll('"service-task"', '"via-client"');

    it('authenticates with BASIC (a user of AUTH_USERS_FILE, or an API key)', async () => {
      const demo = client({ CAMUNDA_AUTH_STRATEGY: 'BASIC', CAMUNDA_BASIC_AUTH_USERNAME: 'demo', CAMUNDA_BASIC_AUTH_PASSWORD: 'demo' });
      expect((await deploy(demo, 'via-client', xml)).processDefinitionId).toBe('via-client');
      const wrong = client({ CAMUNDA_AUTH_STRATEGY: 'BASIC', CAMUNDA_BASIC_AUTH_USERNAME: 'demo', CAMUNDA_BASIC_AUTH_PASSWORD: 'nope' });
      expect((await failure(deploy(wrong, 'via-client', xml))).status).toBe(401);
      const { key } = await keys.create({ name: 'c8ctl', permissions: ['deploy'], tenants: ['*'] });
      const viaKey = client({ CAMUNDA_AUTH_STRATEGY: 'BASIC', CAMUNDA_BASIC_AUTH_USERNAME: 'c8ctl', CAMUNDA_BASIC_AUTH_PASSWORD: key });
      expect((await deploy(viaKey, 'via-client', xml)).processDefinitionId).toBe('via-client');
    });

    it('authenticates with OAUTH client credentials of the issuer', async () => {
      issuer.clients.set('orders-service', { secret: 'cc-secret', claims: { realm_access: { roles: ['deploy', 'start'] }, tenants: ['*'] } });
      const oauth = client({
        CAMUNDA_AUTH_STRATEGY: 'OAUTH',
        CAMUNDA_CLIENT_ID: 'orders-service',
        CAMUNDA_CLIENT_SECRET: 'cc-secret',
        CAMUNDA_OAUTH_URL: issuer.tokenUrl,
        CAMUNDA_TOKEN_AUDIENCE: AUDIENCE,
      });
      const { processDefinitionKey } = await deploy(oauth, 'via-client', xml);
      const instance = await oauth.createProcessInstance({ processDefinitionKey: processDefinitionKey as never });
      expect(instance.processInstanceKey).toMatch(/^\d+$/);
      // Its token names no read permission: the client's 403 says which.
      const denied = await failure(oauth.searchProcessInstances({}, { consistency: { waitUpToMs: 0 } }));
      expect(denied.status).toBe(403);
      expect(denied.detail).toBe("'orders-service' lacks the permission 'read'");
    });
  });

  describe('the audit log', () => {
    const entries = async (query: string) => {
      const r = await call('GET', `/api/v1/audit-log?${query}`, bearer(admin));
      expect(r.status).toBe(200);
      return r.body?.items as { principal: string; via: string; method: string; route: string; targetId: string | null; status: number; tenants: string[] }[];
    };

    it('records who changed what, allowed or refused, for admins to read', async () => {
      // Written after the answer: give the last ones a moment.
      let starter: Awaited<ReturnType<typeof entries>> = [];
      for (let i = 0; i < 50 && starter.length < 4; i++) {
        starter = await entries('principal=starter');
        if (starter.length < 4) await new Promise((r) => setTimeout(r, 50));
      }
      expect(starter.map((e) => `${e.method} ${e.route} ${e.targetId} ${e.status}`)).toEqual([
        'POST /api/v1/messages null 403',
        'POST /v2/process-instances null 200',
        'POST /v2/process-instances null 403',
        'POST /api/v1/processes/:key/instances other 403',
        'POST /api/v1/processes/:key/instances script-task 201',
      ]);
      expect(starter[0]).toMatchObject({ principal: 'starter', via: 'api-key', tenants: ['*'] });
      // Job workers' traffic is not audited; reads neither.
      expect(await entries('principal=mailer')).toEqual([]);
      expect(await entries('principal=alice')).toMatchObject([{ method: 'POST', route: '/api/v1/processes', status: 403, via: 'oidc' }]);
      const page = await call('GET', '/api/v1/audit-log?principal=starter&limit=2', bearer(admin));
      expect((page.body?.items as unknown[]).length).toBe(2);
      const next = await call('GET', `/api/v1/audit-log?principal=starter&limit=2&cursor=${page.body?.nextCursor as string}`, bearer(admin));
      expect((next.body?.items as { status: number }[]).map((e) => e.status)).toEqual([403, 403]);
      expect((await call('GET', '/api/v1/audit-log?from=yesterday', bearer(admin))).status).toBe(400);
    });
  });

  it('the API app refuses to start without AUTH, naming the setting', async () => {
    await expect(createApiApp(loadSettings({ DATA_DIR: 'memory://' }), { logger: false })).rejects.toThrow(/AUTH is not set.*'none'/);
  });
});

describe('auth settings', () => {
  it('are validated with the culprit named', () => {
    expect(loadSettings({ AUTH: 'none' }).AUTH).toEqual([]);
    expect(loadSettings({ AUTH: ' Basic, api-key ', AUTH_USERS_FILE: '/u.json' }).AUTH).toEqual(['basic', 'api-key']);
    expect(loadSettings({}).AUTH).toBeUndefined();
    expect(() => loadSettings({ AUTH: 'ldap' })).toThrow(/AUTH must be 'none' or a comma list of basic, api-key, oidc; not one: 'ldap'/);
    expect(() => loadSettings({ AUTH: 'basic' })).toThrow(/AUTH_USERS_FILE/);
    expect(() => loadSettings({ AUTH: 'oidc' })).toThrow(/OIDC_ISSUER must be set/);
    expect(() => loadSettings({ AUTH: 'oidc', OIDC_ISSUER: 'https://id.example.com' })).toThrow(/OIDC_AUDIENCE/);
    expect(JSON.stringify(loadSettings({ METRICS_TOKEN: 'hush' }))).not.toContain('hush');
  });
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiKeyService, hashPassword } from '@baton/api';
import { fixture, startApi, type ApiHarness } from './api-harness';
import { startIssuer, type TestIssuer } from './oidc-issuer';
import { basic, bearer, caller, type Json } from './auth-support';

// A caller's tenants on /v2 (searches, gets by key, deployments), process definitions by key in
// both APIs, `start:<processId>` on a /v2 start by definition key, and candidate groups
// (docs/security.md). Two tenants, `acme` and the default one, hold the same processes.

const AUDIENCE = 'baton-api';
const ACME = 'acme';
const DEFAULT = '<default>';


describe('tenants, definition keys and candidate groups', () => {
  let h: ApiHarness;
  let issuer: TestIssuer;
  let dir: string;
  let keys: ApiKeyService;
  let admin: string;
  /** Per tenant: the service-task instance, its definition, its incident, its variable; the user-task instance and task. */
  const of: Record<string, { instance: string; definition: string; incident: string; variable: string; job: string; task: string; taskInstance: string }> = {};

  beforeAll(async () => {
    issuer = await startIssuer(AUDIENCE);
    dir = mkdtempSync(join(tmpdir(), 'baton-auth-tenants-'));
    writeFileSync(
      join(dir, 'users.json'),
      JSON.stringify([
        { name: 'carol', passwordHash: await hashPassword('pw'), permissions: ['tasks'], tenants: ['*'], groups: ['sales'] },
        { name: 'dave', passwordHash: await hashPassword('pw'), permissions: ['tasks'], tenants: ['*'], groups: ['hr'] },
      ]),
    );
    h = await startApi('auth_tenants', {
      AUTH: 'api-key,basic,oidc',
      AUTH_USERS_FILE: join(dir, 'users.json'),
      OIDC_ISSUER: issuer.issuer,
      OIDC_AUDIENCE: AUDIENCE,
      OIDC_PRINCIPAL_CLAIM: 'preferred_username,sub',
      OIDC_PERMISSIONS_CLAIM: 'realm_access.roles',
      OIDC_TENANTS_CLAIM: 'tenants',
      OIDC_GROUPS_CLAIM: 'realm_access.groups',
      RATE_LIMIT_PER_MINUTE: '0',
    });
    keys = h.app.get(ApiKeyService);
    admin = (await keys.create({ name: 'admin', permissions: ['admin'], tenants: ['*'] })).key;

    const service = fixture('tasks/service-task.bpmn').replaceAll('"service-task"', '"tenanted"').replace('type="charge-card"', 'type="tenanted"');
    const userTask = fixture('tasks/user-task.bpmn');
    for (const tenant of [ACME, DEFAULT]) {
      const deployed = await deployAs(admin, tenant, service);
      expect(deployed.status).toBe(200);
      expect((await deployAs(admin, tenant, userTask)).status).toBe(200);
      const definitions = (deployed.body?.deployments as { processDefinition: { processDefinitionKey: string } }[]).map((d) => d.processDefinition);
      const started = await call('POST', '/v2/process-instances', bearer(admin), { processDefinitionId: 'tenanted', tenantId: tenant, variables: { secret: `${tenant}-secret` } });
      expect(started.status).toBe(200);
      const withTask = await call('POST', '/v2/process-instances', bearer(admin), { processDefinitionId: 'user-task', tenantId: tenant, variables: { owner: null } });
      expect(withTask.status).toBe(200);
      of[tenant] = {
        instance: started.body?.processInstanceKey as string,
        definition: definitions[0].processDefinitionKey,
        taskInstance: withTask.body?.processInstanceKey as string,
        incident: '',
        variable: '',
        job: '',
        task: '',
      };
    }
    await h.drain();
    // One incident per tenant: the job fails with no retries left.
    const activated = await call('POST', '/api/v1/jobs/activate', bearer(admin), { type: 'tenanted', workerId: 'w', maxJobs: 10, lockDurationMs: 60_000 });
    const jobs = activated.body?.jobs as { id: string; instanceId: string }[];
    expect(jobs).toHaveLength(2);
    for (const job of jobs) {
      expect((await call('POST', `/api/v1/jobs/${job.id}/fail`, bearer(admin), { workerId: 'w', errorMessage: 'down', retries: 0 })).status).toBe(204);
    }
    await h.drain();
    for (const tenant of [ACME, DEFAULT]) {
      const first = async (path: string, filter: Json): Promise<Json> => {
        const r = await call('POST', path, bearer(admin), { filter });
        expect(r.status).toBe(200);
        const items = r.body?.items as Json[];
        expect(items.length).toBeGreaterThan(0);
        return items[0];
      };
      of[tenant].incident = (await first('/v2/incidents/search', { processInstanceKey: of[tenant].instance })).incidentKey as string;
      of[tenant].variable = (await first('/v2/variables/search', { processInstanceKey: of[tenant].instance, name: 'secret' })).variableKey as string;
      of[tenant].job = (await first('/v2/jobs/search', { processInstanceKey: of[tenant].instance })).jobKey as string;
      of[tenant].task = (await first('/v2/user-tasks/search', { processInstanceKey: of[tenant].taskInstance })).userTaskKey as string;
    }
  }, 60_000);

  afterAll(async () => {
    await h?.close();
    await issuer?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const call = caller(() => h.origin);
  async function deployAs(key: string, tenantId: string | undefined, xml: string) {
    const form = new FormData();
    form.append('resources', new File([xml], 'p.bpmn', { type: 'application/octet-stream' }));
    if (tenantId !== undefined) form.append('tenantId', tenantId);
    const r = await fetch(`${h.origin}/v2/deployments`, { method: 'POST', headers: bearer(key), body: form });
    return { status: r.status, body: (await r.json()) as Json };
  }
  const keyFor = async (name: string, permissions: string[], tenants: string[]) => (await keys.create({ name, permissions, tenants })).key;

  describe('the overview and the instance list filters', () => {
    it('count only the caller\'s tenants, and leave the installation\'s processes and queue to a caller of every tenant', async () => {
      const acme = await keyFor('acme-overview', ['read'], [ACME]);
      const mine = (await call('GET', '/api/v1/overview', bearer(acme))).body as Json;
      const n = (count: number) => ({ count, capped: false });
      // Each tenant: the failed service-task instance and the user-task instance.
      expect(mine.instances).toMatchObject({ active: n(2), withIncident: n(1) });
      expect(mine.incidents).toEqual({ open: n(1) });
      expect([mine.processes, mine.tokenQueue]).toEqual([null, null]);
      const all = (await call('GET', '/api/v1/overview', bearer(admin))).body as Json;
      expect(all.instances).toMatchObject({ active: n(4), withIncident: n(2) });
      expect(all.processes).toEqual(expect.arrayContaining([expect.objectContaining({ pid: process.pid })]));
      expect(all.tokenQueue).toEqual({ bus: 'in-process', depth: 0 });

      const listed = async (query: string) =>
        ((await call('GET', `/api/v1/instances?${query}`, bearer(acme))).body?.items as Json[]).map((i) => i.id);
      expect(await listed('hasIncident=true')).toEqual([of[ACME].instance]);
      expect(await listed(`variableName=secret&variableValue=${encodeURIComponent('"acme-secret"')}`)).toEqual([of[ACME].instance]);
      expect(await listed(`variableName=secret&variableValue=${encodeURIComponent(`"${DEFAULT}-secret"`)}`)).toEqual([]);
    });
  });

  describe('/v2 searches', () => {
    const searches: [string, string, (t: string) => Json, string][] = [
      ['/v2/process-instances/search', 'processInstanceKey', () => ({ processDefinitionId: 'tenanted' }), 'instance'],
      ['/v2/process-definitions/search', 'processDefinitionKey', () => ({ processDefinitionId: 'tenanted' }), 'definition'],
      ['/v2/incidents/search', 'incidentKey', () => ({}), 'incident'],
      ['/v2/user-tasks/search', 'userTaskKey', () => ({}), 'task'],
      ['/v2/jobs/search', 'jobKey', () => ({ type: 'tenanted' }), 'job'],
      ['/v2/variables/search', 'variableKey', () => ({ name: 'secret' }), 'variable'],
    ];

    it.each(searches)('%s shows a tenant caller only its tenants, whatever its filter asks', async (path, keyField, filter, what) => {
      const acme = await keyFor(`acme-reader-${keyField}`, ['read'], [ACME]);
      const keysOf = async (key: string, extra: Json = {}) => {
        const r = await call('POST', path, bearer(key), { filter: { ...filter(ACME), ...extra } });
        expect(r.status).toBe(200);
        return (r.body?.items as Json[]).map((i) => ({ key: i[keyField], tenantId: i.tenantId }));
      };
      const mine = { key: of[ACME][what as keyof (typeof of)[string]], tenantId: ACME };
      const theirs = { key: of[DEFAULT][what as keyof (typeof of)[string]], tenantId: DEFAULT };
      expect(await keysOf(acme)).toEqual([mine]);
      // The client's own tenantId filter narrows; it cannot widen.
      expect(await keysOf(acme, { tenantId: DEFAULT })).toEqual([]);
      // A caller of every tenant sees both.
      expect(await keysOf(admin)).toEqual(expect.arrayContaining([mine, theirs]));
      expect(await keysOf(admin)).toHaveLength(2);
    });

    it('element instances: only the caller\'s tenants', async () => {
      const acme = await keyFor('acme-reader-elements', ['read'], [ACME]);
      const elements = async (key: string, instance: string) => {
        const r = await call('POST', '/v2/element-instances/search', bearer(key), { filter: { processInstanceKey: instance } });
        expect(r.status).toBe(200);
        return r.body?.items as Json[];
      };
      expect((await elements(acme, of[ACME].instance)).length).toBeGreaterThan(0);
      expect(await elements(acme, of[DEFAULT].instance)).toEqual([]);
      expect((await elements(admin, of[DEFAULT].instance)).length).toBeGreaterThan(0);
      const all = await call('POST', '/v2/element-instances/search', bearer(acme), { filter: { processDefinitionId: 'tenanted' } });
      expect(new Set((all.body?.items as Json[]).map((i) => i.tenantId))).toEqual(new Set([ACME]));
    });
  });

  describe('/v2 gets by key', () => {
    const gets: [string, (t: string) => string][] = [
      ['process instance', (t) => `/v2/process-instances/${of[t].instance}`],
      ['process definition', (t) => `/v2/process-definitions/${of[t].definition}`],
      ['process definition XML', (t) => `/v2/process-definitions/${of[t].definition}/xml`],
      ['incident', (t) => `/v2/incidents/${of[t].incident}`],
      ['user task', (t) => `/v2/user-tasks/${of[t].task}`],
      ['element instance', (t) => `/v2/element-instances/${of[t].instance}`],
      ['variable', (t) => `/v2/variables/${of[t].variable}`],
    ];

    it.each(gets)('a %s of another tenant is not found', async (_what, path) => {
      const acme = await keyFor(`acme-getter-${_what.replace(/ /g, '-')}`, ['read'], [ACME]);
      expect((await call('GET', path(ACME), bearer(acme))).status).toBe(200);
      const hidden = await call('GET', path(DEFAULT), bearer(acme));
      expect(hidden.status).toBe(404);
      expect(hidden.body).toMatchObject({ title: 'NOT_FOUND', status: 404 });
      expect((await call('GET', path(DEFAULT), bearer(admin))).status).toBe(200);
    });

    it('variables of another tenant\'s element cannot be set', async () => {
      const acme = await keyFor('acme-operator', ['operate'], [ACME]);
      const hidden = await call('PUT', `/v2/element-instances/${of[DEFAULT].instance}/variables`, bearer(acme), { variables: { secret: 'overwritten' } });
      expect(hidden.status).toBe(404);
      const value = await call('GET', `/v2/variables/${of[DEFAULT].variable}`, bearer(admin));
      expect(value.body?.value).toBe(JSON.stringify(`${DEFAULT}-secret`));
      expect((await call('PUT', `/v2/element-instances/${of[ACME].instance}/variables`, bearer(acme), { variables: { other: 1 } })).status).toBe(204);
    });
  });

  describe('/api/v1 process definitions', () => {
    it('are those of the default tenant, hidden from callers outside it', async () => {
      const acme = await keyFor('acme-v1-reader', ['read'], [ACME]);
      const plain = await keyFor('default-v1-reader', ['read'], [DEFAULT]);
      for (const path of ['/api/v1/processes/tenanted', '/api/v1/processes/tenanted/xml', '/api/v1/processes/tenanted?version=1']) {
        expect({ path, status: (await call('GET', path, bearer(plain))).status }).toEqual({ path, status: 200 });
        const hidden = await call('GET', path, bearer(acme));
        expect({ path, status: hidden.status }).toEqual({ path, status: 404 });
        expect(hidden.body?.detail).toMatch(/process 'tenanted' was not found/);
      }
      const listed = async (key: string) =>
        ((await call('GET', '/api/v1/processes?limit=100', bearer(key))).body?.items as { key?: string; bpmnProcessId?: string; tenantId: string }[]).map(
          (d) => d.tenantId,
        );
      expect(new Set(await listed(acme))).toEqual(new Set([ACME]));
      expect(new Set(await listed(plain))).toEqual(new Set([DEFAULT]));
    });
  });

  describe('/v2 deployments', () => {
    it("refuse a tenant that is not the caller's, naming it", async () => {
      const deployer = await keyFor('acme-deployer', ['deploy'], [ACME]);
      const xml = fixture('tasks/service-task.bpmn').replaceAll('"service-task"', '"acme-only"');
      const foreign = await deployAs(deployer, DEFAULT, xml);
      expect(foreign.status).toBe(403);
      expect(foreign.body).toMatchObject({ title: 'FORBIDDEN', status: 403, detail: `'acme-deployer' may not act in tenant '${DEFAULT}'` });
      // No tenantId is the default tenant.
      expect((await deployAs(deployer, undefined, xml)).status).toBe(403);
      const other = await deployAs(deployer, 'globex', xml);
      expect(other.body?.detail).toBe("'acme-deployer' may not act in tenant 'globex'");
      const mine = await deployAs(deployer, ACME, xml);
      expect(mine.status).toBe(200);
      expect(mine.body?.tenantId).toBe(ACME);
      // Nothing of the refused ones was deployed.
      const found = await call('POST', '/v2/process-definitions/search', bearer(admin), { filter: { processDefinitionId: 'acme-only' } });
      expect((found.body?.items as Json[]).map((d) => d.tenantId)).toEqual([ACME]);
    });
  });

  describe('start:<processId> on /v2 by definition key', () => {
    it('is checked against the process the key names', async () => {
      const starter = await keyFor('tenanted-starter', ['start:tenanted'], ['*']);
      const ok = await call('POST', '/v2/process-instances', bearer(starter), { processDefinitionKey: of[DEFAULT].definition });
      expect(ok.status).toBe(200);
      expect(ok.body?.processDefinitionId).toBe('tenanted');
      const userTaskKey = ((await call('POST', '/v2/process-definitions/search', bearer(admin), { filter: { processDefinitionId: 'user-task', tenantId: DEFAULT } })).body
        ?.items as Json[])[0].processDefinitionKey as string;
      const refused = await call('POST', '/v2/process-instances', bearer(starter), { processDefinitionKey: userTaskKey });
      expect(refused.status).toBe(403);
      expect(refused.body?.detail).toBe("'tenanted-starter' lacks the permission 'start:user-task'");
      // An unknown key is the handler's 404, as for anyone.
      expect((await call('POST', '/v2/process-instances', bearer(starter), { processDefinitionKey: '2251799813999999' })).status).toBe(404);
    });

    it("hides another tenant's definition key", async () => {
      const starter = await keyFor('acme-starter', ['start:tenanted'], [ACME]);
      expect((await call('POST', '/v2/process-instances', bearer(starter), { processDefinitionKey: of[ACME].definition, tenantId: ACME })).status).toBe(200);
      const hidden = await call('POST', '/v2/process-instances', bearer(starter), { processDefinitionKey: of[DEFAULT].definition, tenantId: ACME });
      expect(hidden.status).toBe(404);
    });
  });

  describe('candidate groups', () => {
    const startTask = async (): Promise<string> => {
      const started = await call('POST', '/v2/process-instances', bearer(admin), { processDefinitionId: 'user-task', variables: { owner: null } });
      expect(started.status).toBe(200);
      await h.drain();
      const found = await call('POST', '/v2/user-tasks/search', bearer(admin), { filter: { processInstanceKey: started.body?.processInstanceKey } });
      const task = (found.body?.items as Json[])[0];
      expect(task.candidateGroups).toEqual(['sales', 'managers']);
      return task.userTaskKey as string;
    };

    it('let a member (a Basic user with groups) claim and complete; others are refused', async () => {
      const task = await startTask();
      const dave = await call('POST', `/api/v1/tasks/${task}/claim`, basic('dave', 'pw'), { assignee: 'dave' });
      expect(dave.status).toBe(403);
      expect(dave.body?.detail).toContain("'dave' is neither the assignee nor a candidate user or in a candidate group");
      // An API key has no groups.
      const key = await keyFor('sales', ['tasks'], ['*']);
      expect((await call('POST', `/api/v1/tasks/${task}/claim`, bearer(key), { assignee: 'sales' })).status).toBe(403);
      expect((await call('POST', `/api/v1/tasks/${task}/claim`, basic('carol', 'pw'), { assignee: 'carol' })).status).toBe(200);
      expect((await call('POST', `/v2/user-tasks/${task}/completion`, basic('dave', 'pw'), {})).status).toBe(403);
      expect((await call('POST', `/v2/user-tasks/${task}/completion`, basic('carol', 'pw'), {})).status).toBe(204);
    });

    it('come from OIDC_GROUPS_CLAIM for OIDC callers', async () => {
      const task = await startTask();
      const token = (groups: string[]) =>
        issuer.sign({ preferred_username: 'erin', realm_access: { roles: ['tasks'], groups }, tenants: ['*'] });
      expect((await call('POST', `/v2/user-tasks/${task}/assignment`, bearer(await token(['hr'])), { assignee: 'erin' })).status).toBe(403);
      expect((await call('POST', `/v2/user-tasks/${task}/assignment`, bearer(await token(['managers'])), { assignee: 'erin' })).status).toBe(204);
      expect((await call('POST', `/v2/user-tasks/${task}/completion`, bearer(await token([])), {})).status).toBe(204);
    });
  });
});

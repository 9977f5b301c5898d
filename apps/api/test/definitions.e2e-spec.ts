import { fixture, repoFile, startApi, xmlPost, type ApiHarness } from './api-harness';

const PROBLEM = /^application\/problem\+json/;

describe('definitions over HTTP', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApi('api_defs');
  }, 60_000);
  afterAll(() => h?.close());

  const definitionRows = () => h.db.prisma.definition.count();

  describe('POST /processes', () => {
    it('deploys raw XML (201), returns the same version for identical XML (200) and a new version for changed XML', async () => {
      const xml = fixture('tasks/script-task.bpmn');
      const first = await h.api('/processes', xmlPost(xml));
      expect(first.status).toBe(201);
      const body = (await first.json()) as { processes: { id: string; key: string; version: number; name: string | null; deployedAt: string }[] };
      expect(body.processes).toEqual([
        {
          id: expect.stringMatching(/^[1-9][0-9]*$/),
          key: 'script-task',
          version: 1,
          name: expect.any(String),
          versionTag: null,
          deploymentId: (body as unknown as { deploymentId: string }).deploymentId,
          tenantId: '<default>',
          deployedAt: expect.any(String),
        },
      ]);
      expect(body).toMatchObject({ deploymentId: expect.stringMatching(/^[1-9][0-9]*$/), warnings: [] });
      expect(new Date(body.processes[0].deployedAt).toISOString()).toBe(body.processes[0].deployedAt);

      const again = await h.api('/processes', xmlPost(xml));
      expect(again.status).toBe(200);
      expect(await again.json()).toEqual(body);

      const changed = await h.api('/processes', xmlPost(xml.replace('name="Script task"', 'name="Renamed"')));
      expect(changed.status).toBe(201);
      const v2 = (await changed.json()) as typeof body;
      expect(v2.processes[0]).toMatchObject({ key: 'script-task', version: 2, name: 'Renamed' });
      expect(v2.processes[0].id).not.toBe(body.processes[0].id);
    });

    it('accepts text/xml too', async () => {
      const r = await h.api('/processes', { method: 'POST', headers: { 'content-type': 'text/xml' }, body: fixture('gateways/parallel.bpmn') });
      expect(r.status).toBe(201);
    });

    it('deploys from multipart field "file"', async () => {
      const form = new FormData();
      form.append('file', new Blob([fixture('tasks/service-task.bpmn')], { type: 'application/xml' }), 'service-task.bpmn');
      const r = await h.api('/processes', { method: 'POST', body: form });
      expect(r.status).toBe(201);
      expect(await r.json()).toEqual({
        deploymentId: expect.any(String),
        processes: [expect.objectContaining({ key: 'service-task', version: 1 })],
        warnings: [],
      });
    });

    it('refuses multipart without a "file" field (400)', async () => {
      const form = new FormData();
      form.append('document', new Blob([fixture('tasks/service-task.bpmn')]), 'x.bpmn');
      const r = await h.api('/processes', { method: 'POST', body: form });
      expect(r.status).toBe(400);
      expect(r.headers.get('content-type')).toMatch(PROBLEM);
      expect(await r.json()).toMatchObject({ status: 400, errors: [{ field: 'file', message: expect.any(String) }] });
    });

    it('deploys JSON { xml }', async () => {
      const r = await h.json('POST', '/processes', { xml: fixture('tasks/receive-task.bpmn') });
      expect(r.status).toBe(201);
      expect(r.body.processes[0]).toMatchObject({ key: 'receive-task', version: 1 });
    });

    it('refuses JSON without xml or with unknown fields, naming the field (400)', async () => {
      const missing = await h.json('POST', '/processes', {});
      expect(missing.status).toBe(400);
      expect(missing.body.errors).toEqual([{ field: 'xml', message: expect.any(String) }]);
      const unknown = await h.json('POST', '/processes', { xml: fixture('tasks/receive-task.bpmn'), xmll: 1 });
      expect(unknown.status).toBe(400);
      expect(unknown.body.errors).toEqual([{ field: 'xmll', message: expect.any(String) }]);
    });

    it('refuses invalid BPMN with 400 naming the element, and writes nothing', async () => {
      const before = await definitionRows();
      const r = await h.api('/processes', xmlPost(fixture('invalid/dangling-flow.bpmn')));
      expect(r.status).toBe(400);
      expect(r.headers.get('content-type')).toMatch(PROBLEM);
      const problem = (await r.json()) as { type: string; title: string; detail: string; instance: string; errors: { elementId: string | null; elementType: string | null; message: string }[] };
      expect(problem).toMatchObject({ status: 400, code: 'INVALID_DEFINITION', instance: '/api/v1/processes' });
      expect(problem.errors.map((e) => e.elementId)).toEqual(expect.arrayContaining(['f_missing_target']));
      expect(problem.errors.find((e) => e.elementId === 'f_missing_target')).toMatchObject({ elementType: 'sequenceFlow', message: expect.any(String) });
      expect(await definitionRows()).toBe(before);
    });

    it('refuses documents that are not BPMN or not XML with elementId null', async () => {
      const before = await definitionRows();
      for (const body of ['this is not XML at all', fixture('invalid/not-bpmn.xml')]) {
        const r = await h.api('/processes', { method: 'POST', headers: { 'content-type': 'application/xml' }, body });
        expect(r.status).toBe(400);
        const problem = (await r.json()) as { errors: { elementId: string | null; elementType: string | null; message: string }[] };
        expect(problem.errors.length).toBeGreaterThan(0);
        expect(problem.errors[0]).toEqual({ elementId: null, elementType: null, message: expect.any(String) });
      }
      // Bytes that are not text (a PNG) are refused before any parsing, naming the body.
      const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0xff, 0xfe]);
      const r = await h.api('/processes', { method: 'POST', headers: { 'content-type': 'application/xml' }, body: png });
      expect(r.status).toBe(400);
      expect(((await r.json()) as { errors: unknown[] }).errors).toEqual([{ field: 'body', message: 'not valid UTF-8 at byte 0' }]);
      expect(await definitionRows()).toBe(before);
    });

    it('answers 400 for an empty body and 415 for an unsupported content type', async () => {
      expect((await h.api('/processes', { method: 'POST' })).status).toBe(400);
      const r = await h.api('/processes', { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: 'x' });
      expect(r.status).toBe(415);
      expect(r.headers.get('content-type')).toMatch(PROBLEM);
    });
  });

  describe('GET /processes', () => {
    beforeAll(async () => {
      for (const key of ['list-a', 'list-b', 'list-c', 'list-d']) {
        const xml = fixture('tasks/script-task.bpmn').replace(/id="script-task"/, `id="${key}"`).replace(/bpmnElement="script-task"/, `bpmnElement="${key}"`);
        expect((await h.api('/processes', xmlPost(xml))).status).toBe(201);
        expect((await h.api('/processes', xmlPost(xml.replace('name="Script task"', 'name="v2"')))).status).toBe(201);
      }
    });

    it('lists the latest version of each key, by key, with cursor pages', async () => {
      const all = await h.json('GET', '/processes?limit=1000');
      expect(all.status).toBe(200);
      const keys = all.body.items.map((d: { key: string }) => d.key);
      expect(keys).toEqual([...keys].sort());
      expect(new Set(keys).size).toBe(keys.length);
      expect(all.body.items.filter((d: { key: string }) => d.key.startsWith('list-'))).toEqual(
        ['list-a', 'list-b', 'list-c', 'list-d'].map((key) => expect.objectContaining({ key, version: 2, name: 'v2' })),
      );
      expect(all.body.nextCursor).toBeNull();

      const walked: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { body: { items: { key: string }[]; nextCursor: string | null } } = await h.json(
          'GET',
          `/processes?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        );
        expect(page.body.items.length).toBeLessThanOrEqual(2);
        walked.push(...page.body.items.map((d) => d.key));
        cursor = page.body.nextCursor;
      } while (cursor !== null);
      expect(walked).toEqual(keys);
    });

    it('refuses a limit over 1000 or below 1, naming the field', async () => {
      for (const limit of ['1001', '0', 'ten']) {
        const r = await h.json('GET', `/processes?limit=${limit}`);
        expect(r.status).toBe(400);
        expect(r.headers.get('content-type')).toMatch(PROBLEM);
        expect(r.body.errors).toEqual([{ field: 'limit', message: expect.any(String) }]);
      }
    });

    it('gets a key (latest or ?version) and its XML', async () => {
      const latest = await h.json('GET', '/processes/list-a');
      expect(latest.status).toBe(200);
      expect(latest.body).toEqual({
        id: expect.any(String),
        key: 'list-a',
        version: 2,
        name: 'v2',
        versionTag: null,
        deploymentId: expect.any(String),
        tenantId: '<default>',
        deployedAt: expect.any(String),
      });
      const v1 = await h.json('GET', '/processes/list-a?version=1');
      expect(v1.body).toMatchObject({ key: 'list-a', version: 1 });

      const xml = await h.api('/processes/list-a/xml?version=1');
      expect(xml.status).toBe(200);
      expect(xml.headers.get('content-type')).toMatch(/^application\/xml/);
      const text = await xml.text();
      expect(text).toContain('id="list-a"');
      expect(text).not.toContain('name="v2"');
      expect(await (await h.api('/processes/list-a/xml')).text()).toContain('name="v2"');
    });

    it('answers 404 for an unknown key or version, 400 for a malformed version', async () => {
      for (const path of ['/processes/nope', '/processes/list-a?version=9', '/processes/nope/xml', '/processes/list-a/xml?version=9']) {
        const r = await h.json('GET', path);
        expect(r.status).toBe(404);
        expect(r.headers.get('content-type')).toMatch(PROBLEM);
        expect(r.body).toMatchObject({ type: 'urn:baton:problem:not-found', title: 'Not Found', status: 404, detail: expect.stringMatching(/not found/) });
      }
      const bad = await h.json('GET', '/processes/list-a?version=abc');
      expect(bad.status).toBe(400);
      expect(bad.body.errors).toEqual([{ field: 'version', message: expect.any(String) }]);
    });
  });

  describe('around the routes', () => {
    it('serves the OpenAPI document listing every route, and the Swagger UI', async () => {
      const doc = (await (await fetch(`${h.origin}/api/docs-json`)).json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
      expect(doc.openapi).toMatch(/^3\./);
      const routes = Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`));
      expect(routes).toEqual(
        expect.arrayContaining([
          'POST /api/v1/processes',
          'GET /api/v1/processes',
          'GET /api/v1/processes/{key}',
          'GET /api/v1/processes/{key}/xml',
          'POST /api/v1/processes/{key}/instances',
          'GET /api/v1/instances',
          'GET /api/v1/instances/{id}',
          'GET /api/v1/instances/{id}/history',
          'POST /api/v1/instances/{id}/cancel',
          'POST /api/v1/instances/{id}/suspend',
          'POST /api/v1/instances/{id}/resume',
          'PATCH /api/v1/instances/{id}/variables',
          'GET /api/v1/tasks',
          'POST /api/v1/tasks/{id}/claim',
          'POST /api/v1/tasks/{id}/complete',
          'GET /health',
          'GET /health/ready',
        ]),
      );
      const start = doc.paths['/api/v1/processes/{key}/instances'].post as {
        requestBody: { content: Record<string, { schema: { properties: Record<string, unknown> } }> };
        responses: Record<string, { content: Record<string, unknown> }>;
      };
      expect(Object.keys(start.requestBody.content['application/json'].schema.properties)).toEqual(['variables', 'businessKey', 'version']);
      expect(Object.keys(start.responses)).toEqual(expect.arrayContaining(['201', '404', '422']));
      expect(Object.keys(start.responses['404'].content)).toEqual(['application/problem+json']);

      const ui = await fetch(`${h.origin}/api/docs`);
      expect(ui.status).toBe(200);
      expect(await ui.text()).toContain('swagger-ui');
      expect((await fetch(`${h.origin}/api/docs/swagger-ui-bundle.js`)).status).toBe(200);
    });

    it('answers unknown routes with a 404 problem', async () => {
      for (const path of ['/api/v1/nothing-here', '/nothing-here', '/api/v1/health']) {
        const r = await fetch(`${h.origin}${path}`);
        expect(r.status).toBe(404);
        expect(r.headers.get('content-type')).toMatch(PROBLEM);
        expect(await r.json()).toMatchObject({ type: 'about:blank', title: 'Not Found', status: 404, instance: path });
      }
    });

    it('answers malformed JSON with a 400 problem', async () => {
      const r = await h.api('/processes', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"xml":' });
      expect(r.status).toBe(400);
      expect(r.headers.get('content-type')).toMatch(PROBLEM);
    });

    it('treats an empty JSON body as no body', async () => {
      const r = await h.api('/instances/01a20400-8f9d-75a9-8540-3380e10b1aee/cancel', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
      });
      expect(r.status).toBe(404);
    });

    it('serves /health and /health/ready at the root', async () => {
      expect(await (await fetch(`${h.origin}/health`)).json()).toEqual({ status: 'ok' });
      const ready = await fetch(`${h.origin}/health/ready`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ status: 'ok', ready: true, checks: { postgres: { status: 'up' } } });
    });

    it('keeps the bench processes deployable', async () => {
      for (const file of ['r1-exclusive-script.bpmn', 'r2-parallel-scripts.bpmn', 'r3-service-task.bpmn']) {
        expect((await h.api('/processes', xmlPost(repoFile(`bench/processes/${file}`)))).status).toBe(201);
      }
    });
  });
});

import { fixture, startApi, xmlPost, type ApiHarness } from './api-harness';

const PROBLEM = /^application\/problem\+json/;
const UNKNOWN = '12345';

interface Incident {
  id: string;
  instanceId: string;
  elementId: string;
  type: string;
  message: string;
  jobId: string | null;
  createdAt: string;
  resolvedAt: string | null;
}

describe('incidents over HTTP', () => {
  let h: ApiHarness;
  /** Instances whose job ran out of retries, in start order. */
  const failed: string[] = [];

  beforeAll(async () => {
    h = await startApi('api_incidents');
    for (const file of ['tasks/service-task.bpmn', 'subprocess/call-activity.bpmn']) {
      expect((await h.api('/processes', xmlPost(fixture(file)))).status).toBe(201);
    }
    for (let i = 0; i < 3; i++) {
      failed.push((await h.json('POST', '/processes/service-task/instances', { variables: { i } })).body.id);
    }
    await h.drain();
    const { body } = await h.json('POST', '/jobs/activate', { type: 'charge-card', workerId: 'w', maxJobs: 3, lockDurationMs: 60_000 });
    expect(body.jobs).toHaveLength(3);
    for (const job of body.jobs) {
      const r = await h.json('POST', `/jobs/${job.id}/fail`, { workerId: 'w', errorMessage: `declined ${job.variables.i}`, retries: 0 });
      expect(r.status).toBe(204);
    }
    // The engine raises the JOB_NO_RETRIES incidents when a worker applies the failures.
    await h.drain();
  }, 60_000);
  afterAll(() => h?.close());

  const list = async (query = ''): Promise<{ items: Incident[]; nextCursor: string | null }> => {
    const r = await h.json('GET', `/incidents${query}`);
    expect(r.status).toBe(200);
    return r.body;
  };

  it('lists open incidents, filters by instance, and pages with a cursor', async () => {
    const all = await list();
    expect(all.nextCursor).toBeNull();
    expect(all.items).toHaveLength(3);
    expect(new Set(all.items.map((i) => i.instanceId))).toEqual(new Set(failed));
    for (const incident of all.items) {
      expect(incident).toEqual({
        id: expect.any(String),
        instanceId: expect.any(String),
        elementId: 'charge',
        elementInstanceId: expect.stringMatching(/^[1-9][0-9]*$/),
        type: 'JOB_NO_RETRIES',
        message: expect.stringMatching(/^declined \d$/),
        jobId: expect.any(String),
        createdAt: expect.any(String),
        resolvedAt: null,
      });
      expect(new Date(incident.createdAt).toISOString()).toBe(incident.createdAt);
    }
    expect((await list(`?instanceId=${failed[1]}`)).items.map((i) => i.message)).toEqual(['declined 1']);
    expect((await list(`?instanceId=${UNKNOWN}`)).items).toEqual([]);

    const first = await list('?limit=2');
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).toBe(first.items[1].id);
    const second = await list(`?limit=2&cursor=${first.nextCursor}`);
    expect(second).toEqual({ items: [all.items[2]], nextCursor: null });
    expect([...first.items, ...second.items]).toEqual(all.items);

    const one = await h.json('GET', `/incidents/${all.items[0].id}`);
    expect(one.status).toBe(200);
    expect(one.body).toEqual(all.items[0]);
  });

  it('400 for bad query parameters; 404 for unknown incidents', async () => {
    for (const [query, field] of [
      ['?instanceId=nope', 'instanceId'],
      ['?state=CLOSED', 'state'],
      ['?limit=0', 'limit'],
      ['?limit=1001', 'limit'],
      ['?cursor=x', 'cursor'],
    ] as const) {
      const r = await h.json('GET', `/incidents${query}`);
      expect(r.status).toBe(400);
      expect(r.headers.get('content-type')).toMatch(PROBLEM);
      expect(r.body.errors.map((e: { field: string }) => e.field)).toEqual([field]);
    }
    for (const id of [UNKNOWN, 'not-a-uuid']) {
      expect((await h.json('GET', `/incidents/${id}`)).status).toBe(404);
      const r = await h.json('POST', `/incidents/${id}/resolve`, {});
      expect(r.status).toBe(404);
      expect(r.headers.get('content-type')).toMatch(PROBLEM);
    }
  });

  it('resolve a job incident: without retries the job gets one; the incident moves to state=RESOLVED; twice is a 409', async () => {
    const [incident] = (await list(`?instanceId=${failed[0]}`)).items;
    for (const body of [{ retries: 0 }, { retries: 1.5 }, { retries: 'two' }, { retry: 1 }]) {
      const r = await h.json('POST', `/incidents/${incident.id}/resolve`, body);
      expect(r.status).toBe(400);
    }
    const resolved = await h.api(`/incidents/${incident.id}/resolve`, { method: 'POST' });
    expect(resolved.status).toBe(200);
    const view = (await resolved.json()) as Incident;
    expect(view).toEqual({ ...incident, resolvedAt: expect.any(String) });
    expect(Date.parse(view.resolvedAt!)).toBeGreaterThanOrEqual(Date.parse(incident.createdAt));

    expect((await list()).items.map((i) => i.id)).not.toContain(incident.id);
    expect((await list('?state=RESOLVED')).items.map((i) => i.id)).toEqual([incident.id]);
    expect((await list('?state=OPEN')).items).toHaveLength(2);
    const again = await h.json('POST', `/incidents/${incident.id}/resolve`, {});
    expect(again.status).toBe(409);
    expect(again.body.detail).toContain('already resolved');

    const { body } = await h.json('POST', '/jobs/activate', { type: 'charge-card', workerId: 'w', maxJobs: 5, lockDurationMs: 60_000 });
    expect(body.jobs).toEqual([expect.objectContaining({ id: incident.jobId, instanceId: failed[0], retries: 1 })]);
    expect((await h.json('POST', `/jobs/${incident.jobId}/complete`, { workerId: 'w' })).status).toBe(204);
    await h.drain();
    expect((await h.json('GET', `/instances/${failed[0]}`)).body).toMatchObject({ status: 'COMPLETED', incidents: [] });
  });

  it('canceling an instance resolves its incidents', async () => {
    expect((await h.json('POST', `/instances/${failed[2]}/cancel`)).status).toBe(200);
    expect((await list(`?instanceId=${failed[2]}`)).items).toEqual([]);
    expect((await list(`?instanceId=${failed[2]}&state=RESOLVED`)).items).toHaveLength(1);
  });

  it('an engine incident (missing called process): resolving retries the step; once the cause is fixed the instance goes on', async () => {
    const id = (await h.json('POST', '/processes/call-activity/instances', { variables: { value: 21 } })).body.id;
    await h.drain();
    const [first] = (await list(`?instanceId=${id}`)).items;
    expect(first).toMatchObject({ type: 'CALLED_ELEMENT_ERROR', elementId: 'call_child', jobId: null });
    expect(first.message).toContain("'call-activity-child'");
    expect((await h.json('GET', `/instances/${id}`)).body.incidents).toEqual([first]);

    // Not fixed yet: the retried step fails again, a new incident opens in place of the old one.
    const retried = await h.json('POST', `/incidents/${first.id}/resolve`, {});
    expect(retried.status).toBe(200);
    await h.drain();
    const [second] = (await list(`?instanceId=${id}`)).items;
    expect(second.id).not.toBe(first.id);
    expect(second.type).toBe('CALLED_ELEMENT_ERROR');

    expect((await h.api('/processes', xmlPost(fixture('subprocess/call-activity-child.bpmn')))).status).toBe(201);
    expect((await h.json('POST', `/incidents/${second.id}/resolve`, {})).status).toBe(200);
    await h.drain();
    expect((await h.json('GET', `/instances/${id}`)).body).toMatchObject({ status: 'COMPLETED', incidents: [], variables: { result: 42 } });
    expect((await list(`?instanceId=${id}&state=RESOLVED`)).items.map((i) => i.id).sort()).toEqual([first.id, second.id].sort());
  });

  it('the OpenAPI document describes the job, message, signal and incident routes', async () => {
    const doc = (await (await fetch(`${h.origin}/api/docs-json`)).json()) as {
      paths: Record<string, Record<string, { requestBody?: unknown; responses: Record<string, unknown> }>>;
    };
    const routes = Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`));
    const expected = [
      'POST /api/v1/jobs/activate',
      'POST /api/v1/jobs/{id}/complete',
      'POST /api/v1/jobs/{id}/fail',
      'POST /api/v1/jobs/{id}/bpmn-error',
      'POST /api/v1/jobs/{id}/heartbeat',
      'POST /api/v1/messages',
      'POST /api/v1/signals',
      'GET /api/v1/incidents',
      'GET /api/v1/incidents/{id}',
      'POST /api/v1/incidents/{id}/resolve',
    ];
    expect(routes).toEqual(expect.arrayContaining(expected));
    const activate = doc.paths['/api/v1/jobs/activate'].post;
    expect(JSON.stringify(activate.requestBody)).toContain('lockDurationMs');
    expect(Object.keys(activate.responses)).toEqual(expect.arrayContaining(['200', '400']));
    expect(Object.keys(doc.paths['/api/v1/jobs/{id}/complete'].post.responses)).toEqual(expect.arrayContaining(['204', '404', '409', '413', '422']));
    expect(JSON.stringify(doc.paths['/api/v1/messages'].post.responses['200'])).toContain('buffered');
  });
});

import { fixture, startApi, xmlPost, type ApiHarness } from './api-harness';

const PROBLEM = /^application\/problem\+json/;
const UNKNOWN = '12345';
// Small limits, so requests over them stay cheap: body limit = 4,096 + 64 KiB.
const LIMITS = { MAX_VARIABLE_SIZE: '1024', MAX_TOTAL_VARIABLES: '4096' };

interface Job {
  id: string;
  type: string;
  instanceId: string;
  elementId: string;
  elementInstanceId: string;
  retries: number;
  variables: Record<string, unknown>;
  customHeaders: Record<string, string>;
  lockExpiresAt: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('jobs over HTTP', () => {
  let h: ApiHarness;

  beforeAll(async () => {
    h = await startApi('api_jobs', LIMITS);
    expect((await h.api('/processes', xmlPost(fixture('events/error-boundary.bpmn')))).status).toBe(201);
  }, 60_000);
  afterAll(() => h?.close());

  /**
   * The service-task fixture under its own process key and job type, so each
   * test works only its own jobs (the suite shares one schema).
   */
  async function serviceTask(name: string): Promise<string> {
    const xml = fixture('tasks/service-task.bpmn').replaceAll('"service-task"', `"${name}"`).replace('type="charge-card"', `type="${name}"`);
    expect((await h.api('/processes', xmlPost(xml))).status).toBe(201);
    return name;
  }
  async function start(key: string, variables: Record<string, unknown> = {}): Promise<string> {
    const r = await h.json('POST', `/processes/${key}/instances`, { variables });
    expect(r.status).toBe(201);
    await h.drain();
    return r.body.id;
  }
  const activate = (body: Record<string, unknown>) => h.json<{ jobs: Job[] }>('POST', '/jobs/activate', body);
  async function activateOne(type: string, workerId: string, lockDurationMs = 30_000): Promise<Job> {
    const r = await activate({ type, workerId, maxJobs: 1, lockDurationMs });
    expect(r.status).toBe(200);
    expect(r.body.jobs).toHaveLength(1);
    return r.body.jobs[0];
  }
  const none = async (type: string) => expect((await activate({ type, workerId: 'probe', maxJobs: 10, lockDurationMs: 1000 })).body).toEqual({ jobs: [] });
  const instance = async (id: string) => (await h.json('GET', `/instances/${id}`)).body;

  it('activate: up to maxJobs jobs with variables, headers and an ISO lock; none answers at once', async () => {
    const type = await serviceTask('activate-basic');
    const ids = [await start(type, { i: 0 }), await start(type, { i: 1 }), await start(type, { i: 2 })];
    const t0 = Date.now();
    const first = await activate({ type, workerId: 'w1', maxJobs: 2, lockDurationMs: 60_000 });
    expect(first.status).toBe(200);
    expect(first.body.jobs).toHaveLength(2);
    const job = first.body.jobs[0];
    expect(job).toEqual({
      id: expect.any(String),
      type,
      instanceId: expect.any(String),
      elementId: 'charge',
      elementInstanceId: expect.any(String),
      definitionId: expect.any(String),
      processKey: type,
      tenantId: '<default>',
      retries: 5,
      variables: { i: expect.any(Number) },
      customHeaders: { method: 'visa', region: 'eu' },
      lockExpiresAt: expect.any(String),
      // The element's own job, not a listener's (Camunda's job kinds).
      kind: 'BPMN_ELEMENT',
      listenerEventType: 'UNSPECIFIED',
    });
    expect(new Date(job.lockExpiresAt).toISOString()).toBe(job.lockExpiresAt);
    const lockedFor = Date.parse(job.lockExpiresAt) - t0;
    expect(lockedFor).toBeGreaterThan(55_000);
    expect(lockedFor).toBeLessThan(65_000);

    const second = await activate({ type, workerId: 'w2', maxJobs: 5, lockDurationMs: 60_000 });
    expect(second.body.jobs).toHaveLength(1);
    const all = [...first.body.jobs, ...second.body.jobs];
    expect(new Set(all.map((j) => j.instanceId))).toEqual(new Set(ids));
    const t1 = Date.now();
    await none(type);
    expect(Date.now() - t1).toBeLessThan(1_000);

    for (const j of all) {
      const workerId = first.body.jobs.includes(j) ? 'w1' : 'w2';
      expect((await h.api(`/jobs/${j.id}/complete`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ workerId }) })).status).toBe(204);
    }
    await h.drain();
    for (const id of ids) expect((await instance(id)).status).toBe('COMPLETED');
  });

  it('long poll: requestTimeoutMs waits for a job that appears, and answers none when it runs out', async () => {
    const type = await serviceTask('long-poll');
    const t0 = Date.now();
    const polled = activate({ type, workerId: 'w', maxJobs: 1, lockDurationMs: 10_000, requestTimeoutMs: 5_000 });
    await sleep(300);
    const id = await start(type);
    const r = await polled;
    expect(r.body.jobs.map((j) => j.instanceId)).toEqual([id]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);

    const t1 = Date.now();
    expect((await activate({ type, workerId: 'w', maxJobs: 1, lockDurationMs: 10_000, requestTimeoutMs: 300 })).body).toEqual({ jobs: [] });
    expect(Date.now() - t1).toBeGreaterThanOrEqual(280);
    expect((await h.json('POST', `/jobs/${r.body.jobs[0].id}/complete`, { workerId: 'w' })).status).toBe(204);
  });

  it('complete: 204 and the instance moves on with the variables; a retried report answers as the first, another is a 409; unknown jobs are 404', async () => {
    const type = await serviceTask('complete');
    const id = await start(type, { amount: 5 });
    const job = await activateOne(type, 'w');
    const done = await h.json('POST', `/jobs/${job.id}/complete`, { workerId: 'w', variables: { receipt: 'R-1' } });
    expect(done.status).toBe(204);
    expect(done.body).toBeUndefined();
    // A worker whose answer was lost retries: the same report is answered as the first was, and applied once.
    const retried = await h.json('POST', `/jobs/${job.id}/complete`, { workerId: 'w', variables: { receipt: 'R-1' } });
    expect(retried.status).toBe(204);
    expect(await h.db.prisma.instanceEvent.count({ where: { instanceId: BigInt(id) } })).toBe(1);
    // Someone else, or another outcome, is told why not.
    const thief = await h.json('POST', `/jobs/${job.id}/complete`, { workerId: 'w2', variables: { receipt: 'R-1' } });
    expect(thief).toMatchObject({ status: 409, body: { detail: expect.stringContaining(`by worker 'w'`) } });
    const changedMind = await h.json('POST', `/jobs/${job.id}/fail`, { workerId: 'w', errorMessage: 'oops' });
    expect(changedMind).toMatchObject({ status: 409, body: { detail: expect.stringContaining('as COMPLETED') } });
    const otherResult = await h.json('POST', `/jobs/${job.id}/complete`, { workerId: 'w', variables: { receipt: 'R-2' } });
    expect(otherResult).toMatchObject({ status: 409, body: { detail: expect.stringContaining('different result') } });
    await h.drain();
    expect(await instance(id)).toMatchObject({ status: 'COMPLETED', variables: { amount: 5, receipt: 'R-1' } });

    const again = await h.json('POST', `/jobs/${job.id}/complete`, { workerId: 'w' });
    expect(again.status).toBe(409);
    expect(again.headers.get('content-type')).toMatch(PROBLEM);
    expect(again.body.detail).toContain('ended');
    for (const [action, body] of [
      ['complete', {}],
      ['fail', { errorMessage: 'x' }],
      ['bpmn-error', { errorCode: 'E' }],
      ['heartbeat', { lockDurationMs: 1000 }],
    ] as const) {
      for (const jobId of [UNKNOWN, 'not-a-uuid']) {
        const r = await h.json('POST', `/jobs/${jobId}/${action}`, { workerId: 'w', ...body });
        expect(r.status).toBe(404);
        expect(r.headers.get('content-type')).toMatch(PROBLEM);
      }
    }
  });

  it('only the lock holder acts; an expired lock hands the job to another worker and the old holder gets 409s', async () => {
    const type = await serviceTask('lock-expiry');
    const id = await start(type);
    // Long enough for the thief and the probe to answer on a loaded machine; then wait it out.
    const job = await activateOne(type, 'slow', 1_500);
    const thief = await h.json('POST', `/jobs/${job.id}/complete`, { workerId: 'thief' });
    expect(thief.status).toBe(409);
    expect(thief.body.detail).toContain("not by 'thief'");
    await none(type);

    await sleep(Math.max(0, Date.parse(job.lockExpiresAt) - Date.now()) + 100);
    const taken = await activateOne(type, 'fast');
    expect(taken.id).toBe(job.id);
    for (const [action, body] of [
      ['complete', {}],
      ['fail', { errorMessage: 'late' }],
      ['bpmn-error', { errorCode: 'PAYMENT_FAILED' }],
      ['heartbeat', { lockDurationMs: 60_000 }],
    ] as const) {
      const r = await h.json('POST', `/jobs/${job.id}/${action}`, { workerId: 'slow', ...body });
      expect(r.status).toBe(409);
      expect(r.headers.get('content-type')).toMatch(PROBLEM);
    }
    // The slow worker's lock ran out while nobody else took the job: still 409 (its lease is over).
    const lapsedType = await serviceTask('lock-lapsed');
    await start(lapsedType);
    const lapsedJob = await activateOne(lapsedType, 'sleepy', 100);
    await sleep(200);
    const lapsed = await h.json('POST', `/jobs/${lapsedJob.id}/complete`, { workerId: 'sleepy' });
    expect(lapsed.status).toBe(409);
    expect(lapsed.body.detail).toContain('expired');
    // Nobody took it meanwhile: it is activatable again.
    expect((await activateOne(lapsedType, 'next')).id).toBe(lapsedJob.id);

    expect((await h.json('POST', `/jobs/${job.id}/complete`, { workerId: 'fast', variables: { by: 'fast' } })).status).toBe(204);
    await h.drain();
    expect(await instance(id)).toMatchObject({ status: 'COMPLETED', variables: { by: 'fast' } });
  });

  it('heartbeat extends the lock of the holder', async () => {
    const type = await serviceTask('heartbeat');
    await start(type);
    const job = await activateOne(type, 'w', 200);
    expect((await h.json('POST', `/jobs/${job.id}/heartbeat`, { workerId: 'w', lockDurationMs: 60_000 })).status).toBe(204);
    await sleep(300);
    await none(type);
    expect((await h.json('POST', `/jobs/${job.id}/heartbeat`, { workerId: 'other', lockDurationMs: 60_000 })).status).toBe(409);
    expect((await h.json('POST', `/jobs/${job.id}/complete`, { workerId: 'w' })).status).toBe(204);
  });

  it('fail: retries go down, retryBackoffMs delays the job; at 0 an incident shows on the instance and in /incidents; resolve continues', async () => {
    const type = await serviceTask('fail');
    const id = await start(type);
    const job = await activateOne(type, 'w');
    expect(job.retries).toBe(5);

    const failedAt = Date.now();
    expect((await h.json('POST', `/jobs/${job.id}/fail`, { workerId: 'w', errorMessage: 'card declined', retryBackoffMs: 600 })).status).toBe(204);
    await none(type);
    const retried = await activate({ type, workerId: 'w', maxJobs: 1, lockDurationMs: 30_000, requestTimeoutMs: 5_000 });
    expect(Date.now() - failedAt).toBeGreaterThanOrEqual(550);
    expect(retried.body.jobs[0]).toMatchObject({ id: job.id, retries: 4 });

    // Explicit retries; no backoff: activatable again at once.
    expect((await h.json('POST', `/jobs/${job.id}/fail`, { workerId: 'w', errorMessage: 'again', retries: 1 })).status).toBe(204);
    expect((await activateOne(type, 'w')).retries).toBe(1);
    expect((await h.json('POST', `/jobs/${job.id}/fail`, { workerId: 'w', errorMessage: 'gateway down' })).status).toBe(204);
    await none(type);
    // The engine raises the incident when a worker applies the failure.
    await h.drain();

    const view = await instance(id);
    expect(view.status).toBe('ACTIVE');
    expect(view.incidents).toEqual([
      {
        id: expect.any(String),
        instanceId: id,
        elementId: 'charge',
        elementInstanceId: job.elementInstanceId,
        type: 'JOB_NO_RETRIES',
        message: 'gateway down',
        jobId: job.id,
        createdAt: expect.any(String),
        resolvedAt: null,
      },
    ]);
    const listed = await h.json('GET', `/incidents?instanceId=${id}`);
    expect(listed.body).toEqual({ items: view.incidents, nextCursor: null });
    const incidentId = view.incidents[0].id;

    const resolved = await h.json('POST', `/incidents/${incidentId}/resolve`, { retries: 2 });
    expect(resolved.status).toBe(200);
    expect(resolved.body).toMatchObject({ id: incidentId, type: 'JOB_NO_RETRIES', resolvedAt: expect.any(String) });
    expect((await instance(id)).incidents).toEqual([]);
    expect((await h.json('GET', `/incidents?instanceId=${id}`)).body.items).toEqual([]);
    expect((await h.json('GET', `/incidents?instanceId=${id}&state=RESOLVED`)).body.items.map((i: { id: string }) => i.id)).toEqual([incidentId]);
    expect((await h.json('POST', `/incidents/${incidentId}/resolve`, {})).status).toBe(409);

    const again = await activateOne(type, 'w');
    expect(again).toMatchObject({ id: job.id, retries: 2 });
    expect((await h.json('POST', `/jobs/${job.id}/complete`, { workerId: 'w' })).status).toBe(204);
    await h.drain();
    expect((await instance(id)).status).toBe('COMPLETED');
    const history = await h.json('GET', `/instances/${id}/history?limit=1000`);
    const types = history.body.items.map((e: { type: string }) => e.type);
    expect(types.filter((t: string) => t.startsWith('INCIDENT'))).toEqual(['INCIDENT_CREATED', 'INCIDENT_RESOLVED']);
  });

  it('bpmn-error: caught by the matching boundary event, with its variables', async () => {
    const id = await start('error-boundary', { valid: true });
    const job = await activateOne('charge', 'w');
    const thrown = await h.json('POST', `/jobs/${job.id}/bpmn-error`, {
      workerId: 'w',
      errorCode: 'PAYMENT_FAILED',
      errorMessage: 'card declined',
      variables: { reason: 'limit' },
    });
    expect(thrown.status).toBe(204);
    await h.drain();
    expect(await instance(id)).toMatchObject({ status: 'COMPLETED', variables: { valid: true, reason: 'limit' }, incidents: [] });
    const history = await h.json('GET', `/instances/${id}/history?limit=1000`);
    const completed = history.body.items.filter((e: { type: string }) => e.type === 'ELEMENT_COMPLETED').map((e: { elementId: string }) => e.elementId);
    expect(completed).toEqual(expect.arrayContaining(['payment_failed', 'refund', 'end_failed']));
    expect(completed).not.toContain('charge');
  });

  it('bpmn-error that nothing catches: an UNHANDLED_ERROR incident; resolving it creates the job again', async () => {
    const type = await serviceTask('uncaught');
    const id = await start(type);
    const job = await activateOne(type, 'w');
    expect((await h.json('POST', `/jobs/${job.id}/bpmn-error`, { workerId: 'w', errorCode: 'NOBODY_CATCHES' })).status).toBe(204);
    await h.drain();
    const view = await instance(id);
    expect(view.status).toBe('ACTIVE');
    expect(view.incidents).toEqual([
      expect.objectContaining({ type: 'UNHANDLED_ERROR', elementId: 'charge', jobId: null, message: expect.stringContaining("'NOBODY_CATCHES'") }),
    ]);
    await none(type);
    const resolved = await h.json('POST', `/incidents/${view.incidents[0].id}/resolve`, {});
    expect(resolved.status).toBe(200);
    expect(resolved.body.resolvedAt).not.toBeNull();
    // Resolving retries the element's activation, which a worker runs: it creates the job again.
    await h.drain();
    const again = await activateOne(type, 'w');
    expect(again.id).toBe(job.id);
    expect((await h.json('POST', `/jobs/${again.id}/complete`, { workerId: 'w' })).status).toBe(204);
    await h.drain();
    expect((await instance(id)).status).toBe('COMPLETED');
  });

  it('variables over the limits: 422 naming the variable (nothing written); a body over the limit: 413', async () => {
    const type = await serviceTask('limits');
    const id = await start(type);
    const job = await activateOne(type, 'w');
    const note = { note: 'n'.repeat(2000) };
    for (const [action, body] of [
      ['complete', { workerId: 'w', variables: note }],
      ['bpmn-error', { workerId: 'w', errorCode: 'PAYMENT_FAILED', variables: note }],
    ] as const) {
      const big = await h.json('POST', `/jobs/${job.id}/${action}`, body);
      expect(big.status).toBe(422);
      expect(big.headers.get('content-type')).toMatch(PROBLEM);
      expect(big.body.errors).toEqual([{ variable: 'note', message: expect.any(String) }]);
      expect(big.body.detail).toContain("'note'");
    }
    const total = await h.json('POST', `/jobs/${job.id}/complete`, {
      workerId: 'w',
      variables: { a: 'a'.repeat(1000), b: 'b'.repeat(1000), c: 'c'.repeat(1000), d: 'd'.repeat(1000), e: 'e'.repeat(1000) },
    });
    expect(total.status).toBe(422);
    expect(total.body.detail).toContain('MAX_TOTAL_VARIABLES');
    const huge = await h.json('POST', `/jobs/${job.id}/complete`, { workerId: 'w', variables: { blob: 'x'.repeat(80_000) } });
    expect(huge.status).toBe(413);
    expect(huge.headers.get('content-type')).toMatch(PROBLEM);
    expect(await h.db.prisma.instanceEvent.count({ where: { instanceId: BigInt(id) } })).toBe(0);
    expect((await h.db.prisma.job.findUniqueOrThrow({ where: { id: BigInt(job.id) } })).state).toBe('ACTIVATED');
    expect((await h.json('POST', `/jobs/${job.id}/complete`, { workerId: 'w', variables: { note: 'short' } })).status).toBe(204);
  });

  it('a suspended instance: its jobs are not activatable until it is resumed', async () => {
    const type = await serviceTask('suspended');
    const id = await start(type);
    expect((await h.json('POST', `/instances/${id}/suspend`)).status).toBe(200);
    await none(type);
    expect((await h.json('POST', `/instances/${id}/resume`)).status).toBe(200);
    const job = await activateOne(type, 'w');
    expect(job.instanceId).toBe(id);
    expect((await h.json('POST', `/jobs/${job.id}/complete`, { workerId: 'w' })).status).toBe(204);
    await h.drain();
    expect((await instance(id)).status).toBe('COMPLETED');
  });

  it('400 naming every bad field', async () => {
    const cases: [string, unknown, string[]][] = [
      ['/jobs/activate', {}, ['type', 'workerId', 'maxJobs', 'lockDurationMs']],
      ['/jobs/activate', { type: 'x', workerId: 'w', maxJobs: 0, lockDurationMs: 1.5, requestTimeoutMs: -1 }, ['maxJobs', 'lockDurationMs', 'requestTimeoutMs']],
      ['/jobs/activate', { type: '', workerId: 'w', maxJobs: 1, lockDurationMs: 10, extra: true }, ['type', 'extra']],
      [`/jobs/${UNKNOWN}/complete`, { variables: [] }, ['workerId', 'variables']],
      [`/jobs/${UNKNOWN}/fail`, { workerId: 'w', retries: -1, retryBackoffMs: 'soon' }, ['errorMessage', 'retries', 'retryBackoffMs']],
      [`/jobs/${UNKNOWN}/bpmn-error`, { workerId: 'w' }, ['errorCode']],
      [`/jobs/${UNKNOWN}/heartbeat`, { workerId: 'w' }, ['lockDurationMs']],
    ];
    for (const [path, body, fields] of cases) {
      const r = await h.json('POST', path, body);
      expect({ path, status: r.status }).toEqual({ path, status: 400 });
      expect(r.headers.get('content-type')).toMatch(PROBLEM);
      expect(r.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([...fields].sort());
    }
    const empty = await h.api(`/jobs/${UNKNOWN}/complete`, { method: 'POST' });
    expect(empty.status).toBe(400);
  });
});

import { fixture, startApi, xmlPost, type ApiHarness } from './api-harness';

const PROBLEM = /^application\/problem\+json/;

/**
 * The inspection API (docs/cockpit.md): waiting work across instances, what
 * an instance's tokens wait for, per-element statistics and incident groups.
 * One process of each kind of wait: a service task with a timer boundary, a
 * user task with message boundaries, a plain service task whose job fails.
 */
describe('the inspection API over HTTP', () => {
  let h: ApiHarness;
  const timerInstances: string[] = [];
  const messageInstances: string[] = [];
  let failed = '';
  let completed = '';

  beforeAll(async () => {
    h = await startApi('api_inspection');
    for (const file of [
      'events/timer-boundary-service-task.bpmn',
      'events/message-boundary-user-task.bpmn',
      'tasks/service-task.bpmn',
    ]) {
      expect((await h.api('/processes', xmlPost(fixture(file)))).status).toBe(201);
    }
    for (let i = 0; i < 3; i++)
      timerInstances.push(
        (await h.json('POST', '/processes/timer-boundary-service-task/instances')).body.id,
      );
    for (const applicationId of ['A-1', 'A-2']) {
      messageInstances.push(
        (
          await h.json('POST', '/processes/message-boundary-user-task/instances', {
            variables: { applicationId },
          })
        ).body.id,
      );
    }
    failed = (await h.json('POST', '/processes/service-task/instances')).body.id;
    completed = (await h.json('POST', '/processes/service-task/instances')).body.id;
    await h.drain();
    const { body } = await h.json('POST', '/jobs/activate', {
      type: 'charge-card',
      workerId: 'w',
      maxJobs: 2,
      lockDurationMs: 60_000,
    });
    const jobOf = (instanceId: string) =>
      body.jobs.find((j: { instanceId: string }) => j.instanceId === instanceId).id;
    expect(
      (
        await h.json('POST', `/jobs/${jobOf(failed)}/fail`, {
          workerId: 'w',
          errorMessage: 'card declined',
          retries: 0,
        })
      ).status,
    ).toBe(204);
    expect(
      (await h.json('POST', `/jobs/${jobOf(completed)}/complete`, { workerId: 'w' })).status,
    ).toBe(204);
    await h.drain();
  }, 60_000);
  afterAll(() => h?.close());

  const get = async (path: string) => {
    const r = await h.json('GET', path);
    expect(r.status).toBe(200);
    return r.body;
  };

  it('lists jobs with filters and a cursor, and leases none', async () => {
    const waiting = await get('/jobs?type=call-api&state=ACTIVATABLE');
    expect(waiting.items.map((j: { instanceId: string }) => j.instanceId)).toEqual(timerInstances);
    expect(waiting.items[0]).toEqual({
      id: expect.stringMatching(/^[1-9]\d*$/),
      type: 'call-api',
      instanceId: timerInstances[0],
      processKey: 'timer-boundary-service-task',
      elementId: 'call_api',
      elementInstanceId: expect.stringMatching(/^[1-9]\d*$/),
      state: 'ACTIVATABLE',
      retries: 3,
      worker: null,
      lockExpiresAt: null,
      errorMessage: null,
      tenantId: '<default>',
    });
    const first = await get('/jobs?type=call-api&limit=2');
    const second = await get(`/jobs?type=call-api&limit=2&cursor=${first.nextCursor}`);
    expect([...first.items, ...second.items]).toEqual(waiting.items);
    expect(second.nextCursor).toBeNull();
    expect((await get('/jobs?state=FAILED')).items).toEqual([
      expect.objectContaining({
        instanceId: failed,
        state: 'FAILED',
        retries: 0,
        errorMessage: 'card declined',
      }),
    ]);
    // Looking leased nothing: a worker still gets all three.
    const activated = await h.json('POST', '/jobs/activate', {
      type: 'call-api',
      workerId: 'w2',
      maxJobs: 10,
      lockDurationMs: 1,
    });
    expect(activated.body.jobs).toHaveLength(3);
  });

  it('lists timers in the order they fall due and pages by an opaque cursor', async () => {
    const all = await get('/timers?processKey=timer-boundary-service-task');
    expect(all.items.map((t: { instanceId: string }) => t.instanceId)).toEqual(timerInstances);
    expect(all.items[0]).toMatchObject({
      elementId: 'timeout',
      state: 'SCHEDULED',
      processKey: 'timer-boundary-service-task',
      instanceId: timerInstances[0],
    });
    const dues = all.items.map((t: { dueAt: string }) => Date.parse(t.dueAt));
    expect([...dues].sort((a, b) => a - b)).toEqual(dues);
    const first = await get('/timers?limit=2');
    const second = await get(`/timers?limit=2&cursor=${encodeURIComponent(first.nextCursor)}`);
    expect([...first.items, ...second.items]).toEqual(all.items);
    expect(
      (await get(`/timers?dueBefore=${encodeURIComponent(all.items[0].dueAt)}`)).items.map(
        (t: { id: string }) => t.id,
      ),
    ).toContain(all.items[0].id);
    expect((await get('/timers?dueBefore=2000-01-01T00:00:00Z')).items).toEqual([]);
    expect((await get('/timers?state=FIRED')).items).toEqual([]);
  });

  it('lists message subscriptions by name and correlation key', async () => {
    const all = await get('/message-subscriptions');
    expect(all.items).toHaveLength(4);
    const one = await get(
      '/message-subscriptions?messageName=application-withdrawn&correlationKey=A-2',
    );
    expect(one.items).toEqual([
      {
        id: expect.stringMatching(/^[1-9]\d*$/),
        instanceId: messageInstances[1],
        processKey: 'message-boundary-user-task',
        elementId: 'withdrawn',
        messageName: 'application-withdrawn',
        correlationKey: 'A-2',
        interrupting: true,
        tenantId: '<default>',
        createdAt: expect.any(String),
      },
    ]);
    const page1 = await get('/message-subscriptions?limit=3');
    const page2 = await get(`/message-subscriptions?limit=3&cursor=${page1.nextCursor}`);
    expect([...page1.items, ...page2.items]).toEqual(all.items);
  });

  it('tells what each token of an instance waits for', async () => {
    const timer = await get(`/instances/${timerInstances[0]}/waiting`);
    expect(timer.tokens).toHaveLength(1);
    expect(timer.tokens[0]).toMatchObject({ elementId: 'call_api', state: 'WAITING' });
    expect(timer.tokens[0].waitingFor.map((w: { kind: string }) => w.kind).sort()).toEqual([
      'job',
      'timer',
    ]);
    const message = await get(`/instances/${messageInstances[0]}/waiting`);
    expect(message.tokens[0].waitingFor).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'userTask', assignee: null }),
        expect.objectContaining({
          kind: 'message',
          messageName: 'application-withdrawn',
          correlationKey: 'A-1',
        }),
        expect.objectContaining({ kind: 'message', messageName: 'document-uploaded' }),
      ]),
    );
    const incident = await get(`/instances/${failed}/waiting`);
    expect(incident.tokens[0].waitingFor.map((w: { kind: string }) => w.kind).sort()).toEqual([
      'incident',
      'job',
    ]);
    const missing = await h.json('GET', '/instances/12345/waiting');
    expect(missing.status).toBe(404);
  });

  it('counts element instances per element of a process version, also in Camunda 8.8 shape', async () => {
    const stats = await get('/processes/service-task/statistics');
    const of = (id: string) => stats.items.find((s: { elementId: string }) => s.elementId === id);
    expect(of('charge')).toEqual({
      elementId: 'charge',
      active: 0,
      incidents: 1,
      completed: 1,
      canceled: 0,
    });
    expect(of('start')).toEqual({
      elementId: 'start',
      active: 0,
      incidents: 0,
      completed: 2,
      canceled: 0,
    });
    expect(of('end')).toMatchObject({ completed: 1 });
    expect((await get('/processes/service-task/statistics?version=1')).items).toEqual(stats.items);
    expect((await h.json('GET', '/processes/service-task/statistics?version=2')).status).toBe(404);
    expect((await h.json('GET', '/processes/nope/statistics')).status).toBe(404);
    const bad = await h.json('GET', '/processes/service-task/statistics?version=x');
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toMatch(PROBLEM);

    const definition = await get('/processes/service-task');
    const v2 = await fetch(
      `${h.origin}/v2/process-definitions/${definition.id}/statistics/element-instances`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      },
    );
    expect(v2.status).toBe(200);
    const body = (await v2.json()) as { items: { elementId: string }[] };
    expect(body.items.find((s: { elementId: string }) => s.elementId === 'charge')).toEqual({
      elementId: 'charge',
      active: 0,
      canceled: 0,
      incidents: 1,
      completed: 1,
    });
    const filtered = await fetch(
      `${h.origin}/v2/process-definitions/${definition.id}/statistics/element-instances`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ filter: { hasIncident: true } }),
      },
    );
    expect(filtered.status).toBe(400);
    const unknown = await fetch(
      `${h.origin}/v2/process-definitions/12345/statistics/element-instances`,
      { method: 'POST' },
    );
    expect(unknown.status).toBe(404);
  });

  it('groups open incidents by type and message and lists a group to retry it', async () => {
    const groups = await get('/incident-groups');
    expect(groups.items).toEqual([
      {
        type: 'JOB_NO_RETRIES',
        message: 'card declined',
        count: 1,
        firstCreatedAt: expect.any(String),
        lastCreatedAt: expect.any(String),
      },
    ]);
    const members = await get(
      `/incident-groups/incidents?type=JOB_NO_RETRIES&message=${encodeURIComponent('card declined')}`,
    );
    expect(members.items.map((i: { instanceId: string }) => i.instanceId)).toEqual([failed]);
    expect((await get('/incident-groups?processKey=other')).items).toEqual([]);
    const missing = await h.json('GET', '/incident-groups/incidents');
    expect(missing.status).toBe(400);
    expect(missing.body.errors.map((e: { field: string }) => e.field)).toEqual(
      expect.arrayContaining(['type']),
    );
  });

  it('refuses bad filters with a problem naming the field', async () => {
    for (const [path, field] of [
      ['/jobs?state=SLEEPING', 'state'],
      ['/jobs?cursor=abc', 'cursor'],
      ['/timers?dueBefore=tomorrow', 'dueBefore'],
      ['/timers?cursor=abc', 'cursor'],
      ['/message-subscriptions?limit=0', 'limit'],
      ['/timers?nope=1', 'nope'],
    ] as const) {
      const r = await h.json('GET', path);
      expect({ path, status: r.status }).toEqual({ path, status: 400 });
      expect(r.headers.get('content-type')).toMatch(PROBLEM);
      expect(JSON.stringify(r.body.errors)).toContain(field);
    }
  });
});

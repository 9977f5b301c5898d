import type { CamundaClient } from '@camunda8/orchestration-cluster-api';
import { fixture, startApi, type ApiHarness } from './api-harness';
import { camundaClient, deploy as deployTo, failure, serviceTask, until } from './camunda-support';

/**
 * Camunda 8.8's searches and gets (`/v2/.../search`, `GET /v2/...`) and user
 * task commands, driven by `@camunda8/orchestration-cluster-api` with every
 * request and answer checked against the spec's schemas.
 */





/** Searches read what is committed: no eventual consistency to wait for. */
const NOW = { consistency: { waitUpToMs: 0 } };

describe('Camunda 8 REST API (/v2): searches, gets and user tasks', () => {
  let h: ApiHarness;
  let camunda: CamundaClient;
  /**
   * Answers checked strictly, requests not: under strict request validation
   * the client (8.8.4) drops `page.after`/`page.before`, as its page union
   * matches the offset form first and strips what that form lacks.
   */
  let cursorClient: CamundaClient;
  let stopWorker: () => Promise<void>;

  beforeAll(async () => {
    h = await startApi('api_v2_search');
    stopWorker = await h.worker();
    camunda = camundaClient(h.origin);
    expect(camunda.getConfig().validation).toMatchObject({ req: 'strict', res: 'strict' });
    cursorClient = camundaClient(h.origin, 'req:none,res:strict');
  }, 60_000);
  afterAll(async () => {
    camunda?.stopAllWorkers();
    await stopWorker?.();
    await h?.close();
  });

  const deploy = (name: string, xml: string) => deployTo(camunda, name, xml);


  /** A raw `/v2` POST (what the strict client would refuse to send). */
  async function post(path: string, body: unknown): Promise<{ status: number; body: { title?: string; detail?: string } }> {
    const r = await fetch(`${h.origin}/v2${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: r.status, body: (await r.json()) as { title?: string; detail?: string } };
  }

  const stateOf = async (processInstanceKey: string) => (await camunda.getProcessInstance({ processInstanceKey: processInstanceKey as never }, NOW)).state;

  describe('process instances and definitions', () => {
    const a: string[] = [];
    const b: string[] = [];
    let definitionA: { processDefinitionKey: string; processDefinitionId: string };
    let xmlA: string;

    beforeAll(async () => {
      xmlA = serviceTask('v2s-alpha');
      definitionA = await deploy('v2s-alpha', xmlA);
      await deploy('v2s-beta', serviceTask('v2s-beta'));
      for (let i = 0; i < 5; i++) a.push((await camunda.createProcessInstance({ processDefinitionId: 'v2s-alpha' as never, variables: { i } })).processInstanceKey);
      for (let i = 0; i < 2; i++) b.push((await camunda.createProcessInstance({ processDefinitionId: 'v2s-beta' as never })).processInstanceKey);
      await camunda.cancelProcessInstance({ processInstanceKey: a[4] as never });
      await until(() => stateOf(a[4]), (s) => s === 'TERMINATED', 'the canceled instance to be TERMINATED');
    });

    it('searches by process id, state, $in and $like', async () => {
      const byId = await camunda.searchProcessInstances({ filter: { processDefinitionId: 'v2s-alpha' } }, NOW);
      expect(Number(byId.page.totalItems)).toBe(5);
      expect(byId.items.map((i) => i.processInstanceKey).sort()).toEqual([...a].sort());
      expect(byId.items[0]).toMatchObject({
        processDefinitionId: 'v2s-alpha',
        processDefinitionName: 'Service task',
        processDefinitionVersion: 1,
        processDefinitionKey: definitionA.processDefinitionKey,
        tenantId: '<default>',
        hasIncident: false,
      });

      const terminated = await camunda.searchProcessInstances({ filter: { processDefinitionId: 'v2s-alpha', state: 'TERMINATED' } }, NOW);
      expect(terminated.items.map((i) => i.processInstanceKey)).toEqual([a[4]]);
      expect(terminated.items[0].endDate).toEqual(expect.any(String));

      const active = await camunda.searchProcessInstances(
        { filter: { processDefinitionId: { $in: ['v2s-alpha', 'v2s-beta'] }, state: { $eq: 'ACTIVE' } } },
        NOW,
      );
      expect(Number(active.page.totalItems)).toBe(6);

      const notAlpha = await camunda.searchProcessInstances({ filter: { processDefinitionId: { $like: 'v2s-*', $neq: 'v2s-alpha' } } }, NOW);
      expect(notAlpha.items.map((i) => i.processInstanceKey).sort()).toEqual([...b].sort());

      const like = await camunda.searchProcessInstances({ filter: { processDefinitionId: { $like: 'v2s-?eta' } } }, NOW);
      expect(Number(like.page.totalItems)).toBe(2);

      const byKey = await camunda.searchProcessInstances({ filter: { processInstanceKey: { $in: [a[0], b[1]] as never } } }, NOW);
      expect(byKey.items.map((i) => i.processInstanceKey).sort()).toEqual([a[0], b[1]].sort());

      const started = await camunda.searchProcessInstances(
        { filter: { processDefinitionId: 'v2s-alpha', startDate: { $lte: new Date(Date.now() + 60_000).toISOString() } } },
        NOW,
      );
      expect(Number(started.page.totalItems)).toBe(5);

      const one = await camunda.getProcessInstance({ processInstanceKey: a[1] as never }, NOW);
      expect(one).toMatchObject({ processInstanceKey: a[1], state: 'ACTIVE', processDefinitionId: 'v2s-alpha', hasIncident: false });
      const missing = await failure(camunda.getProcessInstance({ processInstanceKey: '2251799813685249' as never }, NOW));
      expect(missing).toMatchObject({ status: 404, title: 'NOT_FOUND' });
    });

    it('pages with cursors across 3 pages, forwards and back, and sorts both ways', async () => {
      const filter = { processDefinitionId: { $like: 'v2s-*' } };
      const all = [...a, ...b].sort((x, y) => (BigInt(x) < BigInt(y) ? -1 : 1));
      const sort = [{ field: 'processInstanceKey' as const, order: 'DESC' as const }];

      const p1 = await camunda.searchProcessInstances({ filter, sort, page: { limit: 3 } }, NOW);
      const p2 = await cursorClient.searchProcessInstances({ filter, sort, page: { limit: 3, after: p1.page.endCursor as never } }, NOW);
      const p3 = await cursorClient.searchProcessInstances({ filter, sort, page: { limit: 3, after: p2.page.endCursor as never } }, NOW);
      const keys = (r: { items: { processInstanceKey: string }[] }) => r.items.map((i) => i.processInstanceKey);
      expect([keys(p1), keys(p2), keys(p3)].map((k) => k.length)).toEqual([3, 3, 1]);
      expect([...keys(p1), ...keys(p2), ...keys(p3)]).toEqual([...all].reverse());
      expect(Number(p1.page.totalItems)).toBe(7);

      const back = await cursorClient.searchProcessInstances({ filter, sort, page: { limit: 3, before: p2.page.startCursor as never } }, NOW);
      expect(keys(back)).toEqual(keys(p1));

      const ascending = await camunda.searchProcessInstances({ filter, sort: [{ field: 'processInstanceKey', order: 'ASC' }], page: { limit: 10 } }, NOW);
      expect(keys(ascending)).toEqual(all);

      // By process id then key; offsets too.
      const byProcess = await camunda.searchProcessInstances(
        { filter, sort: [{ field: 'processDefinitionId', order: 'DESC' }, { field: 'startDate' }], page: { from: 5, limit: 5 } },
        NOW,
      );
      expect(byProcess.items.map((i) => i.processDefinitionId)).toEqual(['v2s-alpha', 'v2s-alpha']);

      // Missing values (the endDate of live instances) sort last ascending; cursors cross them.
      const byEnd: string[] = [];
      let after: string | undefined;
      for (let i = 0; i < 4; i++) {
        const r = await cursorClient.searchProcessInstances(
          { filter, sort: [{ field: 'endDate', order: 'ASC' }], page: after === undefined ? { limit: 2 } : { limit: 2, after: after as never } },
          NOW,
        );
        byEnd.push(...keys(r));
        after = r.page.endCursor;
      }
      expect(byEnd).toEqual([a[4], ...all.filter((k) => k !== a[4])]);

      // Lower-case orders are taken too (what some clients send).
      const lower = await post('/process-instances/search', { filter, sort: [{ field: 'processInstanceKey', order: 'desc' }], page: { limit: 2 } });
      expect(lower.status).toBe(200);
    });

    it('refuses unknown filter and sort fields, operators a field does not take, foreign cursors and far offsets', async () => {
      const unknown = await post('/process-instances/search', { filter: { color: 'red' } });
      expect(unknown).toMatchObject({ status: 400, body: { title: 'INVALID_ARGUMENT' } });
      expect(unknown.body.detail).toContain('color');
      const sort = await post('/process-instances/search', { sort: [{ field: 'color' }] });
      expect(sort.status).toBe(400);
      const op = await post('/process-instances/search', { filter: { processInstanceKey: { $like: '1*' } } });
      expect(op.status).toBe(400);
      const far = await post('/process-instances/search', { page: { from: 20_000, limit: 10 } });
      expect(far.status).toBe(400);
      const cursor = await post('/process-instances/search', { page: { after: Buffer.from('["x",1]').toString('base64') } });
      expect(cursor.status).toBe(400);
      const variables = await post('/process-instances/search', { filter: { variables: [{ name: 'i', value: '1' }] } });
      expect(variables.status).toBe(400);
    });

    it('searches definitions and serves one and its XML verbatim', async () => {
      const found = await camunda.searchProcessDefinitions({ filter: { processDefinitionId: 'v2s-alpha', isLatestVersion: true } }, NOW);
      expect(found.items).toEqual([
        {
          name: 'Service task',
          version: 1,
          processDefinitionId: 'v2s-alpha',
          tenantId: '<default>',
          processDefinitionKey: definitionA.processDefinitionKey,
          hasStartForm: false,
        },
      ]);
      const liked = await camunda.searchProcessDefinitions(
        { filter: { processDefinitionId: { $like: 'v2s-*' } }, sort: [{ field: 'processDefinitionId', order: 'DESC' }] },
        NOW,
      );
      expect(liked.items!.map((d) => d.processDefinitionId)).toEqual(['v2s-beta', 'v2s-alpha']);

      const one = await camunda.getProcessDefinition({ processDefinitionKey: definitionA.processDefinitionKey as never }, NOW);
      expect(one).toMatchObject({ processDefinitionId: 'v2s-alpha', version: 1 });

      const xml = await camunda.getProcessDefinitionXml({ processDefinitionKey: definitionA.processDefinitionKey as never }, NOW);
      expect(xml).toBe(xmlA);
      const raw = await fetch(`${h.origin}/v2/process-definitions/${definitionA.processDefinitionKey}/xml`);
      expect(raw.headers.get('content-type')).toMatch(/^text\/xml/);
      const missing = await failure(camunda.getProcessDefinition({ processDefinitionKey: '2251799813685249' as never }, NOW));
      expect(missing).toMatchObject({ status: 404 });
    });
  });

  it('finds the incident of a job out of retries, and the job; resolves it', async () => {
    await deploy('v2s-fail', serviceTask('v2s-fail'));
    const { processInstanceKey } = await camunda.createProcessInstance({ processDefinitionId: 'v2s-fail' as never });
    const { jobs } = await camunda.activateJobs({ type: 'v2s-fail', worker: 'w1', maxJobsToActivate: 1, timeout: 30_000, requestTimeout: 5_000 });
    expect(jobs).toHaveLength(1);

    const leased = await camunda.searchJobs({ filter: { processInstanceKey } }, NOW);
    expect(leased.items).toEqual([
      expect.objectContaining({ jobKey: jobs[0].jobKey, type: 'v2s-fail', state: 'CREATED', worker: 'w1', retries: 5, kind: 'BPMN_ELEMENT' }),
    ]);

    await camunda.failJob({ jobKey: jobs[0].jobKey, retries: 0, errorMessage: 'card declined' });
    const incidents = await until(
      () => camunda.searchIncidents({ filter: { processInstanceKey, state: 'ACTIVE' } }, NOW),
      (r) => r.items!.length === 1,
      'the incident',
    );
    const incident = incidents.items![0];
    expect(incident).toMatchObject({
      errorType: 'JOB_NO_RETRIES',
      errorMessage: 'card declined',
      state: 'ACTIVE',
      processDefinitionId: 'v2s-fail',
      elementId: 'charge',
      jobKey: jobs[0].jobKey,
      tenantId: '<default>',
    });
    const byType = await camunda.searchIncidents({ filter: { errorType: 'JOB_NO_RETRIES', processDefinitionId: 'v2s-fail' as never } }, NOW);
    expect(byType.items!.map((i) => i.incidentKey)).toEqual([incident.incidentKey]);
    const none = await camunda.searchIncidents({ filter: { errorType: 'CONDITION_ERROR', processInstanceKey } }, NOW);
    expect(Number(none.page.totalItems)).toBe(0);

    expect(await camunda.getIncident({ incidentKey: incident.incidentKey as never }, NOW)).toMatchObject({ incidentKey: incident.incidentKey, state: 'ACTIVE' });
    const withIncident = await camunda.searchProcessInstances({ filter: { processInstanceKey, hasIncident: true } }, NOW);
    expect(withIncident.items).toHaveLength(1);
    const failed = await camunda.searchJobs({ filter: { processInstanceKey, state: 'FAILED' } }, NOW);
    expect(failed.items.map((j) => j.retries)).toEqual([0]);

    await camunda.resolveIncident({ incidentKey: incident.incidentKey as never });
    const resolved = await until(
      () => camunda.searchIncidents({ filter: { processInstanceKey, state: 'RESOLVED' } }, NOW),
      (r) => r.items!.length === 1,
      'the incident to be resolved',
    );
    expect(resolved.items![0].incidentKey).toBe(incident.incidentKey);
    expect((await camunda.getProcessInstance({ processInstanceKey }, NOW)).hasIncident).toBe(false);
  });

  it('searches, assigns, unassigns and completes user tasks', async () => {
    await deploy('user-task', fixture('tasks/user-task.bpmn'));
    const first = await camunda.createProcessInstance({ processDefinitionId: 'user-task' as never, variables: { owner: 'anna', followUpAt: '2026-01-15T12:00:00Z' } });
    const second = await camunda.createProcessInstance({ processDefinitionId: 'user-task' as never, variables: { owner: 'bob', followUpAt: '2026-01-20T12:00:00Z' } });
    const instances = [first.processInstanceKey, second.processInstanceKey];

    const tasks = await until(
      () => camunda.searchUserTasks({ filter: { processInstanceKey: first.processInstanceKey } }, NOW).then(async (r) => [r, await camunda.searchUserTasks({ filter: { processInstanceKey: second.processInstanceKey } }, NOW)]),
      ([x, y]) => x.items.length === 1 && y.items.length === 1,
      'the user tasks',
    );
    const task = tasks[0].items[0];
    expect(task).toMatchObject({
      name: 'Approve order',
      state: 'CREATED',
      assignee: 'anna',
      elementId: 'approve',
      candidateGroups: ['sales', 'managers'],
      candidateUsers: ['anna'],
      processDefinitionId: 'user-task',
      processInstanceKey: first.processInstanceKey,
      dueDate: '2026-01-31T12:00:00.000Z',
      tenantId: '<default>',
    });

    const byAssignee = await camunda.searchUserTasks({ filter: { assignee: 'anna', state: 'CREATED', processDefinitionId: 'user-task' as never } }, NOW);
    expect(byAssignee.items.map((t) => t.userTaskKey)).toEqual([task.userTaskKey]);
    const byGroup = await camunda.searchUserTasks(
      { filter: { candidateGroup: 'managers', processDefinitionId: 'user-task' as never }, sort: [{ field: 'followUpDate', order: 'DESC' }] },
      NOW,
    );
    expect(byGroup.items.map((t) => t.processInstanceKey)).toEqual([...instances].reverse());

    await camunda.assignUserTask({ userTaskKey: task.userTaskKey, assignee: 'carl' });
    expect((await camunda.getUserTask({ userTaskKey: task.userTaskKey }, NOW)).assignee).toBe('carl');
    const refused = await failure(camunda.assignUserTask({ userTaskKey: task.userTaskKey, assignee: 'dora', allowOverride: false }));
    expect(refused).toMatchObject({ status: 409, title: 'INVALID_STATE' });

    await camunda.unassignUserTask({ userTaskKey: task.userTaskKey });
    const unassigned = await camunda.getUserTask({ userTaskKey: task.userTaskKey }, NOW);
    expect(unassigned.assignee).toBeUndefined();
    const open = await camunda.searchUserTasks({ filter: { processInstanceKey: first.processInstanceKey, assignee: { $exists: false } } }, NOW);
    expect(open.items).toHaveLength(1);

    await camunda.completeUserTask({ userTaskKey: task.userTaskKey, variables: { approved: true } });
    expect((await camunda.getUserTask({ userTaskKey: task.userTaskKey }, NOW)).state).toBe('COMPLETED');
    await until(() => stateOf(first.processInstanceKey), (s) => s === 'COMPLETED', 'the instance to complete');
    const again = await failure(camunda.completeUserTask({ userTaskKey: task.userTaskKey }));
    expect(again).toMatchObject({ status: 409 });

    const completed = await camunda.searchUserTasks({ filter: { state: 'COMPLETED', processDefinitionId: 'user-task' as never } }, NOW);
    expect(completed.items.map((t) => t.userTaskKey)).toEqual([task.userTaskKey]);
    expect(completed.items[0].completionDate).toEqual(expect.any(String));
    const missing = await failure(camunda.getUserTask({ userTaskKey: '2251799813685249' as never }, NOW));
    expect(missing).toMatchObject({ status: 404 });
  });
});

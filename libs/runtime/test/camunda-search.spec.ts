import {
  CamundaSearchService,
  INCIDENT_SEARCH,
  INSTANCE_SEARCH,
  JOB_SEARCH,
  likePattern,
  matchesLike,
  RuntimeError,
  RuntimeErrorCode,
  translateFilter,
  translatePage,
  translateSort,
  USER_TASK_SEARCH,
  DEFINITION_SEARCH,
  ELEMENT_INSTANCE_SEARCH,
  VARIABLE_SEARCH,
  type Key,
} from '../src';
import { engineFixture, RuntimeKit } from './fakes';

const SERVICE_TASK = engineFixture('tasks/service-task.bpmn');
const USER_TASK = engineFixture('tasks/user-task.bpmn');
const renamed = (id: string) => SERVICE_TASK.replaceAll('"service-task"', `"${id}"`).replace('type="charge-card"', `type="${id}"`);

function badRequest(fn: () => unknown): RuntimeError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(RuntimeError);
    expect((e as RuntimeError).code).toBe(RuntimeErrorCode.BadRequest);
    return e as RuntimeError;
  }
  throw new Error('expected a 400');
}

describe('the search language: filters', () => {
  it('takes a plain value as $eq and operators as given', () => {
    expect(translateFilter(INSTANCE_SEARCH, { processDefinitionId: 'order', processDefinitionVersion: { $gte: 2, $lt: 5 } }).conditions).toEqual([
      { field: 'bpmnProcessId', op: 'eq', value: 'order' },
      { field: 'processVersion', op: 'gte', value: 2 },
      { field: 'processVersion', op: 'lt', value: 5 },
    ]);
    expect(
      translateFilter(INSTANCE_SEARCH, {
        processInstanceKey: { $in: ['1', '2'], $neq: '3' },
        parentProcessInstanceKey: { $exists: false },
        tenantId: { $notIn: ['x'] },
        hasIncident: true,
      }).conditions,
    ).toEqual([
      { field: 'id', op: 'in', value: ['1', '2'] },
      { field: 'id', op: 'neq', value: '3' },
      { field: 'parentInstanceId', op: 'exists', value: false },
      { field: 'tenantId', op: 'notIn', value: ['x'] },
      { field: 'hasIncident', op: 'eq', value: true },
    ]);
  });

  it('normalises dates to ISO 8601 UTC and skips null members', () => {
    expect(translateFilter(INSTANCE_SEARCH, { startDate: { $gt: '2026-01-01T01:00:00+01:00', $lte: null }, endDate: null }).conditions).toEqual([
      { field: 'startedAt', op: 'gt', value: '2026-01-01T00:00:00.000Z' },
    ]);
  });

  it("maps Camunda's instance states to Baton's: TERMINATED is CANCELED, ACTIVE takes SUSPENDED", () => {
    const conditions = (state: unknown) => translateFilter(INSTANCE_SEARCH, { state }).conditions;
    expect(conditions('TERMINATED')).toEqual([{ field: 'status', op: 'in', value: ['CANCELED'] }]);
    expect(conditions({ $eq: 'ACTIVE' })).toEqual([{ field: 'status', op: 'in', value: ['ACTIVE', 'SUSPENDED'] }]);
    expect(conditions({ $neq: 'ACTIVE' })).toEqual([{ field: 'status', op: 'in', value: ['COMPLETED', 'CANCELED'] }]);
    expect(conditions({ $in: ['COMPLETED', 'TERMINATED'] })).toEqual([{ field: 'status', op: 'in', value: ['COMPLETED', 'CANCELED'] }]);
    expect(conditions({ $like: '*TE*' })).toEqual([{ field: 'status', op: 'in', value: ['COMPLETED', 'CANCELED'] }]);
    expect(conditions({ $exists: false })).toEqual([{ field: 'status', op: 'in', value: [] }]);
    expect(badRequest(() => conditions('CANCELED')).message).toContain('ACTIVE, COMPLETED, TERMINATED');
  });

  it("maps incident error types; UNKNOWN is Baton's own types and anything unmapped", () => {
    const conditions = (errorType: unknown) => translateFilter(INCIDENT_SEARCH, { errorType }).conditions;
    expect(conditions('EXTRACT_VALUE_ERROR')).toEqual([{ field: 'type', op: 'in', value: ['EXPRESSION_ERROR'] }]);
    expect(conditions('UNHANDLED_ERROR_EVENT')).toEqual([{ field: 'type', op: 'in', value: ['UNHANDLED_ERROR'] }]);
    expect(conditions('MESSAGE_SIZE_EXCEEDED')).toEqual([{ field: 'type', op: 'in', value: ['VARIABLE_LIMIT_EXCEEDED'] }]);
    expect(conditions('UNKNOWN')).toEqual([
      {
        field: 'type',
        op: 'notIn',
        value: [
          'JOB_NO_RETRIES',
          'EXECUTION_LISTENER_NO_RETRIES',
          'TASK_LISTENER_NO_RETRIES',
          'UNHANDLED_ERROR',
          'CONDITION_ERROR',
          'EXPRESSION_ERROR',
          'CALLED_ELEMENT_ERROR',
          'CALLED_DECISION_ERROR',
          'DECISION_EVALUATION_ERROR',
          'VARIABLE_LIMIT_EXCEEDED',
        ],
      },
    ]);
    expect(conditions('DECISION_EVALUATION_ERROR')).toEqual([{ field: 'type', op: 'in', value: ['DECISION_EVALUATION_ERROR'] }]);
    expect(conditions('FORM_NOT_FOUND')).toEqual([{ field: 'type', op: 'in', value: [] }]);
    expect(conditions('EXECUTION_LISTENER_NO_RETRIES')).toEqual([{ field: 'type', op: 'in', value: ['EXECUTION_LISTENER_NO_RETRIES'] }]);
    expect(translateFilter(INCIDENT_SEARCH, { state: 'RESOLVED' }).conditions).toEqual([{ field: 'resolved', op: 'in', value: [true] }]);
  });

  it('a constant field asked for another value matches nothing', () => {
    expect(translateFilter(DEFINITION_SEARCH, { hasStartForm: false })).toEqual({ conditions: [], impossible: false });
    expect(translateFilter(DEFINITION_SEARCH, { hasStartForm: true }).impossible).toBe(true);
  });

  it("filters jobs by Camunda's kind and listener event type", () => {
    expect(translateFilter(JOB_SEARCH, { kind: 'TASK_LISTENER' })).toEqual({
      conditions: [{ field: 'kind', op: 'in', value: ['TASK_LISTENER'] }],
      impossible: false,
    });
    expect(translateFilter(JOB_SEARCH, { listenerEventType: { $in: ['START', 'END'] } }).conditions).toEqual([
      { field: 'listenerEvent', op: 'in', value: ['START', 'END'] },
    ]);
  });

  it('refuses unknown fields, operators a field does not take, and values of the wrong type, naming them', () => {
    expect(badRequest(() => translateFilter(INSTANCE_SEARCH, { color: 'red' })).errors).toEqual([expect.objectContaining({ field: 'filter.color' })]);
    expect(badRequest(() => translateFilter(INSTANCE_SEARCH, { variables: [] })).message).toContain('variables');
    expect(badRequest(() => translateFilter(INSTANCE_SEARCH, { processInstanceKey: { $like: '1*' } })).message).toContain('$like');
    expect(badRequest(() => translateFilter(INSTANCE_SEARCH, { processInstanceKey: { $regex: '1' } })).message).toContain('$regex');
    expect(badRequest(() => translateFilter(INSTANCE_SEARCH, { processInstanceKey: 'abc' })).message).toContain('key');
    expect(badRequest(() => translateFilter(INSTANCE_SEARCH, { processInstanceKey: '99999999999999999999' })).message).toContain('key');
    expect(badRequest(() => translateFilter(INSTANCE_SEARCH, { startDate: 'yesterday' })).message).toContain('ISO 8601');
    expect(badRequest(() => translateFilter(INSTANCE_SEARCH, { processDefinitionVersion: '2' })).message).toContain('integer');
    expect(badRequest(() => translateFilter(INSTANCE_SEARCH, { hasIncident: 'yes' })).message).toContain('true or false');
    expect(badRequest(() => translateFilter(INSTANCE_SEARCH, { tenantId: { $in: 'x' } })).message).toContain('array');
    expect(badRequest(() => translateFilter(INSTANCE_SEARCH, { tenantId: ['x'] })).message).toContain('array');
    // Sort-only and filter-only fields keep to their side.
    badRequest(() => translateFilter(DEFINITION_SEARCH, { resourceName: 'a.bpmn' }));
    badRequest(() => translateSort(USER_TASK_SEARCH, [{ field: 'assignee' }]));
  });

  it("translates Camunda's $like (* ? and \\ escapes) to SQL LIKE, and matches like Postgres", () => {
    expect(likePattern('order-*')).toBe('order-%');
    expect(likePattern('a?c')).toBe('a_c');
    expect(likePattern('100%_done')).toBe('100\\%\\_done');
    expect(likePattern('literal\\*star\\?')).toBe('literal*star?');
    expect(likePattern('back\\\\slash')).toBe('back\\\\slash');
    expect(matchesLike('order-42', likePattern('order-*'))).toBe(true);
    expect(matchesLike('xorder-42', likePattern('order-*'))).toBe(false);
    expect(matchesLike('100%_done', likePattern('100%_done'))).toBe(true);
    expect(matchesLike('100x_done', likePattern('100%_done'))).toBe(false);
    expect(matchesLike('a*b', likePattern('a\\*b'))).toBe(true);
    expect(matchesLike('axb', likePattern('a\\*b'))).toBe(false);
    expect(matchesLike('line\nbreak', likePattern('line*'))).toBe(true);
    expect(matchesLike('Order', likePattern('order'))).toBe(false);
    expect(matchesLike('a.c', likePattern('a?c'))).toBe(true);
  });
});

describe('the search language: sort and page', () => {
  it('sorts by the fields asked, in either case, with the key last', () => {
    expect(translateSort(INSTANCE_SEARCH, [{ field: 'startDate', order: 'desc' }, { field: 'processDefinitionId' }])).toEqual([
      { field: 'startedAt', descending: true },
      { field: 'bpmnProcessId', descending: false },
      { field: 'id', descending: false },
    ]);
    expect(translateSort(INSTANCE_SEARCH, [{ field: 'processInstanceKey', order: 'DESC' }])).toEqual([{ field: 'id', descending: true }]);
    expect(translateSort(INSTANCE_SEARCH, undefined)).toEqual([{ field: 'id', descending: false }]);
    expect(badRequest(() => translateSort(INSTANCE_SEARCH, [{ field: 'color' }])).message).toContain('color');
    expect(badRequest(() => translateSort(INSTANCE_SEARCH, [{ field: 'startDate', order: 'UP' }])).message).toContain('ASC or DESC');
  });

  it('bounds limit and from, and takes one of from, after and before', () => {
    expect(translatePage(undefined)).toEqual({ limit: 100, from: 0, after: undefined, before: undefined });
    expect(translatePage({ from: 10_000, limit: 5 })).toMatchObject({ from: 10_000, limit: 5 });
    badRequest(() => translatePage({ from: 10_001 }));
    badRequest(() => translatePage({ limit: 0 }));
    badRequest(() => translatePage({ limit: 10_001 }));
    badRequest(() => translatePage({ from: 5, after: 'abcd' }));
    badRequest(() => translatePage({ after: 'abcd', before: 'abcd' }));
  });
});

describe('CamundaSearchService on the memory store', () => {
  async function world(): Promise<{ kit: RuntimeKit; search: CamundaSearchService; alpha: Key[]; beta: Key[] }> {
    const kit = new RuntimeKit();
    await kit.deploy(renamed('alpha'));
    await kit.deploy(renamed('beta'));
    const alpha: Key[] = [];
    const beta: Key[] = [];
    for (let i = 0; i < 4; i++) {
      alpha.push((await kit.instances.start('alpha', {})).id);
      kit.clock.advance(1_000);
    }
    for (let i = 0; i < 3; i++) {
      beta.push((await kit.instances.start('beta', {})).id);
      kit.clock.advance(1_000);
    }
    await kit.drain();
    await kit.instances.cancel(alpha[3]);
    await kit.drain();
    return { kit, search: new CamundaSearchService(kit.store), alpha, beta };
  }

  const keys = (page: { items: { id: Key }[] }) => page.items.map((i) => i.id);

  it('filters by state, process id, $in, $like and dates; counts every match', async () => {
    const { search, alpha, beta } = await world();

    const terminated = await search.processInstances({ filter: { state: 'TERMINATED' } });
    expect(keys(terminated)).toEqual([alpha[3]]);
    expect(terminated.page).toMatchObject({ totalItems: 1, hasMoreTotalItems: false });

    const active = await search.processInstances({ filter: { state: 'ACTIVE', processDefinitionId: { $in: ['alpha', 'beta'] } }, page: { limit: 2 } });
    expect(active.page.totalItems).toBe(6);
    expect(keys(active)).toEqual(alpha.slice(0, 2));

    expect(keys(await search.processInstances({ filter: { processDefinitionId: { $like: 'b*' } } }))).toEqual(beta);
    expect(keys(await search.processInstances({ filter: { processDefinitionId: { $neq: 'alpha' }, processDefinitionName: 'Service task' } }))).toEqual(beta);

    const first = await search.processInstance(alpha[0]);
    const later = await search.processInstances({ filter: { startDate: { $gt: first.startedAt.toISOString() }, processDefinitionId: 'alpha' } });
    expect(keys(later)).toEqual(alpha.slice(1));
    expect(keys(await search.processInstances({ filter: { endDate: { $exists: true } } }))).toEqual([alpha[3]]);
  });

  it('pages with cursors forwards and backwards on any sort, and with offsets', async () => {
    const { search, alpha, beta } = await world();
    const all = [...alpha, ...beta];
    const sort = [{ field: 'processDefinitionId', order: 'DESC' }, { field: 'startDate', order: 'DESC' }];

    const p1 = await search.processInstances({ sort, page: { limit: 3 } });
    const p2 = await search.processInstances({ sort, page: { limit: 3, after: p1.page.endCursor } });
    const p3 = await search.processInstances({ sort, page: { limit: 3, after: p2.page.endCursor } });
    const expected = [...[...beta].reverse(), ...[...alpha].reverse()];
    expect([...keys(p1), ...keys(p2), ...keys(p3)]).toEqual(expected);
    expect(keys(p3)).toHaveLength(1);
    expect(p1.page.totalItems).toBe(7);

    const back = await search.processInstances({ sort, page: { limit: 3, before: p2.page.startCursor } });
    expect(keys(back)).toEqual(keys(p1));
    const backFromEnd = await search.processInstances({ sort, page: { limit: 3, before: p3.page.startCursor } });
    expect(keys(backFromEnd)).toEqual(keys(p2));

    expect(keys(await search.processInstances({ page: { from: 5, limit: 5 } }))).toEqual(all.slice(5));
    expect(keys(await search.processInstances({ sort: [{ field: 'processInstanceKey', order: 'DESC' }] }))).toEqual([...all].reverse());

    // NULLs: ascending last, descending first; cursors cross them.
    const byEnd = await search.processInstances({ sort: [{ field: 'endDate', order: 'ASC' }], page: { limit: 1 } });
    expect(keys(byEnd)).toEqual([alpha[3]]);
    const rest = await search.processInstances({ sort: [{ field: 'endDate', order: 'ASC' }], page: { limit: 10, after: byEnd.page.endCursor } });
    expect(keys(rest)).toEqual(all.filter((k) => k !== alpha[3]));
    const descending = await search.processInstances({ sort: [{ field: 'endDate', order: 'DESC' }], page: { limit: 6 } });
    const tail = await search.processInstances({ sort: [{ field: 'endDate', order: 'DESC' }], page: { limit: 6, after: descending.page.endCursor } });
    expect(keys(tail)).toEqual([alpha[3]]);

    // A cursor of another sort (or none at all) is a 400.
    await expect(search.processInstances({ page: { after: p1.page.endCursor } })).rejects.toMatchObject({ code: RuntimeErrorCode.BadRequest });
    await expect(search.processInstances({ page: { after: 'bm90IGEgY3Vyc29y' } })).rejects.toMatchObject({ code: RuntimeErrorCode.BadRequest });
    const empty = await search.processInstances({ filter: { processDefinitionId: 'nothing' } });
    expect(empty).toEqual({ items: [], page: { totalItems: 0, hasMoreTotalItems: false } });
  });

  it('searches definitions (latest versions) and serves the XML verbatim', async () => {
    const { kit, search } = await world();
    const [v2] = await kit.deploy(renamed('alpha').replace('retries="5"', 'retries="6"'));
    const latest = await search.processDefinitions({ filter: { processDefinitionId: 'alpha', isLatestVersion: true } });
    expect(latest.items.map((d) => [d.version, d.isLatest])).toEqual([[2, true]]);
    const every = await search.processDefinitions({ filter: { processDefinitionId: 'alpha' }, sort: [{ field: 'version', order: 'DESC' }] });
    expect(every.items.map((d) => d.version)).toEqual([2, 1]);
    expect(await search.processDefinitionXml(v2.id)).toBe(renamed('alpha').replace('retries="5"', 'retries="6"'));
    await expect(search.processDefinitionXml('42')).rejects.toMatchObject({ code: RuntimeErrorCode.NotFound });
    await expect(search.processDefinition('not-a-key')).rejects.toMatchObject({ code: RuntimeErrorCode.NotFound });
  });

  it('finds incidents, their instances (hasIncident) and their jobs without leasing any', async () => {
    const { kit, search, alpha } = await world();
    const [job] = await kit.jobs.activate({ type: 'alpha', workerId: 'w', maxJobs: 1, lockDurationMs: 60_000 });
    await kit.jobs.fail(job.id, { workerId: 'w', errorMessage: 'boom', retries: 0 });
    await kit.drain();

    const incidents = await search.incidents({ filter: { errorType: 'JOB_NO_RETRIES', state: 'ACTIVE' } });
    expect(incidents.items).toEqual([expect.objectContaining({ instanceId: job.instanceId, jobId: job.id, message: 'boom', resolvedAt: null })]);
    expect((await search.incidents({ filter: { errorType: { $in: ['UNKNOWN', 'CONDITION_ERROR'] } } })).items).toEqual([]);
    expect(keys(await search.processInstances({ filter: { hasIncident: true } }))).toEqual([job.instanceId]);
    expect(alpha).toContain(job.instanceId);

    const jobs = await search.jobs({ filter: { type: 'alpha' }, sort: [{ field: 'retries', order: 'ASC' }] });
    expect(jobs.items[0]).toMatchObject({ id: job.id, state: 'FAILED', retries: 0 });
    expect(jobs.page.totalItems).toBe(4); // one failed, one canceled with its instance, two waiting
    expect((await search.jobs({ filter: { state: 'CREATED', type: 'alpha' } })).page.totalItems).toBe(2);
    const before = kit.store.rows('jobs').map((j) => [j.id, j.state, j.workerId]);
    await search.jobs({ filter: { worker: { $exists: false } } });
    expect(kit.store.rows('jobs').map((j) => [j.id, j.state, j.workerId])).toEqual(before);

    await kit.incidents.resolve(incidents.items[0].id);
    await kit.drain();
    expect((await search.incidents({ filter: { state: 'RESOLVED' } })).items.map((i) => i.id)).toEqual([incidents.items[0].id]);
    expect((await search.incident(incidents.items[0].id)).resolvedAt).not.toBeNull();
  });

  it('searches user tasks by assignee, candidate group and state; assigns, overrides only when allowed, unassigns', async () => {
    const kit = new RuntimeKit();
    await kit.deploy(USER_TASK);
    const a = (await kit.instances.start('user-task', { variables: { owner: 'anna' } })).id;
    const b = (await kit.instances.start('user-task', { variables: { owner: null } })).id;
    await kit.drain();
    const search = new CamundaSearchService(kit.store);

    const anna = await search.userTasks({ filter: { assignee: 'anna', state: 'CREATED' } });
    expect(anna.items.map((t) => t.instanceId)).toEqual([a]);
    expect((await search.userTasks({ filter: { assignee: { $exists: false } } })).items.map((t) => t.instanceId)).toEqual([b]);
    expect((await search.userTasks({ filter: { candidateGroup: 'managers' } })).page.totalItems).toBe(2);
    expect((await search.userTasks({ filter: { candidateGroup: { $like: 'sal*' } } })).page.totalItems).toBe(2);
    expect((await search.userTasks({ filter: { candidateGroup: { $neq: 'sales' } } })).page.totalItems).toBe(0);
    expect((await search.userTasks({ filter: { candidateUser: { $in: ['bob', 'anna'] } } })).page.totalItems).toBe(2);

    const task = anna.items[0];
    await kit.tasks.assign(task.id, 'bob', true);
    expect((await search.userTask(task.id)).assignee).toBe('bob');
    await expect(kit.tasks.assign(task.id, 'carl', false)).rejects.toMatchObject({ code: RuntimeErrorCode.Conflict });
    await kit.tasks.assign(task.id, 'bob', false);
    await kit.tasks.unassign(task.id);
    expect((await search.userTask(task.id)).assignee).toBeNull();

    await kit.tasks.complete(task.id, { ok: true });
    await kit.drain();
    expect((await search.userTasks({ filter: { state: 'COMPLETED' } })).items.map((t) => t.id)).toEqual([task.id]);
    await expect(kit.tasks.unassign(task.id)).rejects.toMatchObject({ code: RuntimeErrorCode.Conflict });
  });

  it('derives element instances from the history: the process keyed by its instance, states, ends, open incidents', async () => {
    const { kit, search, alpha } = await world();
    const [job] = await kit.jobs.activate({ type: 'alpha', workerId: 'w', maxJobs: 1, lockDurationMs: 60_000 });
    await kit.jobs.fail(job.id, { workerId: 'w', errorMessage: 'boom', retries: 0 });
    await kit.drain();
    const [incident] = (await search.incidents({ filter: { jobKey: job.id } })).items;

    const of = await search.elementInstances({ filter: { processInstanceKey: job.instanceId }, sort: [{ field: 'elementId' }] });
    expect(of.items.map((e) => [e.elementId, e.elementType, e.state, e.hasIncident])).toEqual([
      ['alpha', 'process', 'ACTIVE', false],
      ['charge', 'serviceTask', 'ACTIVE', true],
      ['start', 'startEvent', 'COMPLETED', false],
    ]);
    expect(of.items[0]).toMatchObject({ id: job.instanceId, instanceId: job.instanceId, bpmnProcessId: 'alpha', endedAt: null, incidentId: null });
    expect(of.items[1]).toMatchObject({ id: job.elementInstanceId, incidentId: incident.id });
    expect(of.items[2].endedAt).toEqual(of.items[2].startedAt);
    expect(await search.elementInstance(job.instanceId)).toMatchObject({ elementType: 'process' });
    expect(await search.elementInstance(job.elementInstanceId)).toMatchObject({ elementId: 'charge' });
    await expect(search.elementInstance('77')).rejects.toMatchObject({ code: RuntimeErrorCode.NotFound });

    expect((await search.elementInstances({ filter: { type: 'SERVICE_TASK', state: 'TERMINATED' } })).items.map((e) => e.instanceId)).toEqual([alpha[3]]);
    expect((await search.elementInstances({ filter: { incidentKey: incident.id } })).items.map((e) => e.id)).toEqual([job.elementInstanceId]);
    expect((await search.elementInstances({ filter: { type: 'SUB_PROCESS' } })).page.totalItems).toBe(0);
    badRequest(() => translateFilter(ELEMENT_INSTANCE_SEARCH, { elementName: 'x' }));
    badRequest(() => translateSort(ELEMENT_INSTANCE_SEARCH, [{ field: 'hasIncident' }]));

    await kit.jobs.updateRetries(job.id, 1);
    await kit.incidents.resolve(incident.id);
    const [again] = await kit.jobs.activate({ type: 'alpha', workerId: 'w', maxJobs: 1, lockDurationMs: 60_000 });
    await kit.jobs.complete(again.id, { workerId: 'w' });
    await kit.drain();
    const done = await search.elementInstances({ filter: { processInstanceKey: job.instanceId } });
    expect(done.items.map((e) => [e.elementId, e.state, e.hasIncident])).toEqual(
      expect.arrayContaining([['alpha', 'COMPLETED', false], ['charge', 'COMPLETED', false], ['end', 'COMPLETED', false]]),
    );
  });

  it('lists process-scope variables as JSON text; a variable gets a key when first returned and keeps it', async () => {
    const kit = new RuntimeKit();
    await kit.deploy(renamed('vars'));
    const a = (await kit.instances.start('vars', { variables: { x: 1, name: 'ann' } })).id;
    const b = (await kit.instances.start('vars', { variables: { x: 2 } })).id;
    await kit.drain();
    const search = new CamundaSearchService(kit.store);
    expect(kit.store.rows('variableKeys')).toEqual([]);

    const xs = await search.variables({ filter: { name: 'x' }, sort: [{ field: 'value', order: 'DESC' }] });
    expect(xs.items.map((v) => [v.instanceId, v.scopeId, v.value])).toEqual([
      [b, b, '2'],
      [a, a, '1'],
    ]);
    expect(kit.store.rows('variableKeys')).toHaveLength(2);
    const all = await search.variables({ filter: { processInstanceKey: a } });
    expect(all.items.map((v) => [v.name, v.value])).toEqual([
      ['name', '"ann"'],
      ['x', '1'],
    ]);
    expect(all.items.find((v) => v.name === 'x')?.key).toBe(xs.items[1].key);
    expect(kit.store.rows('variableKeys')).toHaveLength(3);
    expect(await search.variable(xs.items[0].key)).toMatchObject({ instanceId: b, name: 'x', value: '2' });
    expect((await search.variables({ filter: { variableKey: xs.items[0].key } })).items.map((v) => v.instanceId)).toEqual([b]);
    await expect(search.variable('999')).rejects.toMatchObject({ code: RuntimeErrorCode.NotFound });
    badRequest(() => translateSort(VARIABLE_SEARCH, [{ field: 'variableKey' }]));
    badRequest(() => translateFilter(VARIABLE_SEARCH, { isTruncated: true }));
  });
});

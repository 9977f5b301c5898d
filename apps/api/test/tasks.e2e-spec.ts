import { fixture, startApi, xmlPost, type ApiHarness } from './api-harness';

const PROBLEM = /^application\/problem\+json/;
const UNKNOWN = '12345';

interface Task {
  id: string;
  instanceId: string;
  processKey: string;
  elementId: string;
  name: string | null;
  assignee: string | null;
  candidateGroups: string[];
  candidateUsers: string[];
  formKey: string | null;
  state: string;
  createdAt: string;
}

describe('user tasks over HTTP', () => {
  let h: ApiHarness;
  const instances: Record<string, string> = {};

  beforeAll(async () => {
    h = await startApi('api_tasks', { MAX_VARIABLE_SIZE: '1024', MAX_TOTAL_VARIABLES: '4096' });
    expect((await h.api('/processes', xmlPost(fixture('tasks/user-task.bpmn')))).status).toBe(201);
    const other = fixture('tasks/user-task.bpmn')
      .replace('id="user-task"', 'id="other-task"')
      .replace('bpmnElement="user-task"', 'bpmnElement="other-task"')
      .replace('candidateGroups="sales, managers"', 'candidateGroups="support"');
    expect((await h.api('/processes', xmlPost(other))).status).toBe(201);
    for (const owner of ['bob', 'carol', 'dave']) {
      instances[owner] = (await h.json('POST', '/processes/user-task/instances', { variables: { owner } })).body.id;
    }
    instances.nobody = (await h.json('POST', '/processes/user-task/instances', {})).body.id;
    instances.support = (await h.json('POST', '/processes/other-task/instances', { variables: { owner: 'erin' } })).body.id;
    await h.drain();
  }, 60_000);
  afterAll(() => h?.close());

  const list = async (query = ''): Promise<{ items: Task[]; nextCursor: string | null }> => {
    const r = await h.json('GET', `/tasks${query}`);
    expect(r.status).toBe(200);
    return r.body;
  };
  const taskOf = async (instanceId: string): Promise<Task> => {
    const { items } = await list(`?instanceId=${instanceId}`);
    expect(items).toHaveLength(1);
    return items[0];
  };

  it('lists open tasks with their assignment', async () => {
    const { items, nextCursor } = await list();
    expect(items).toHaveLength(5);
    expect(nextCursor).toBeNull();
    const bob = items.find((t) => t.instanceId === instances.bob)!;
    expect(bob).toMatchObject({
      processKey: 'user-task',
      elementId: 'approve',
      name: 'Approve order',
      assignee: 'bob',
      candidateGroups: ['sales', 'managers'],
      candidateUsers: ['anna'],
      state: 'CREATED',
    });
    expect(new Date(bob.createdAt).toISOString()).toBe(bob.createdAt);
    expect(items.find((t) => t.instanceId === instances.nobody)!.assignee).toBeNull();
  });

  it('filters by instanceId, processKey, assignee and candidateGroup, and pages', async () => {
    expect((await list(`?instanceId=${instances.carol}`)).items.map((t) => t.assignee)).toEqual(['carol']);
    expect((await list('?processKey=other-task')).items.map((t) => t.instanceId)).toEqual([instances.support]);
    expect((await list('?assignee=dave')).items.map((t) => t.instanceId)).toEqual([instances.dave]);
    expect((await list('?candidateGroup=sales')).items).toHaveLength(4);
    expect((await list('?candidateGroup=support')).items).toHaveLength(1);
    expect((await list('?candidateGroup=nobody')).items).toEqual([]);
    expect((await list('?processKey=user-task&assignee=bob')).items).toHaveLength(1);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: Task[]; nextCursor: string | null } = await list(`?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.items.map((t) => t.id));
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(seen).toEqual((await list()).items.map((t) => t.id));
    expect(new Set(seen).size).toBe(5);

    for (const query of ['?instanceId=nope', '?limit=5000', '?cursor=x']) {
      const r = await h.json('GET', `/tasks${query}`);
      expect(r.status).toBe(400);
      expect(r.headers.get('content-type')).toMatch(PROBLEM);
    }
  });

  it('claim: sets the assignee; the same assignee again is fine; someone else gets 409', async () => {
    const task = await taskOf(instances.nobody);
    const claimed = await h.json<Task>('POST', `/tasks/${task.id}/claim`, { assignee: 'frank' });
    expect(claimed.status).toBe(200);
    expect(claimed.body).toMatchObject({ id: task.id, assignee: 'frank', state: 'CREATED' });
    expect((await h.json('POST', `/tasks/${task.id}/claim`, { assignee: 'frank' })).status).toBe(200);

    const taken = await h.json('POST', `/tasks/${task.id}/claim`, { assignee: 'gina' });
    expect(taken.status).toBe(409);
    expect(taken.headers.get('content-type')).toMatch(PROBLEM);
    expect(taken.body.detail).toContain("'frank'");
    const preassigned = await taskOf(instances.bob);
    expect((await h.json('POST', `/tasks/${preassigned.id}/claim`, { assignee: 'gina' })).status).toBe(409);
    expect((await list('?assignee=frank')).items.map((t) => t.id)).toEqual([task.id]);

    expect((await h.json('POST', `/tasks/${task.id}/claim`, {})).status).toBe(400);
    expect((await h.json('POST', `/tasks/${task.id}/claim`, { assignee: '' })).status).toBe(400);
    expect((await h.json('POST', `/tasks/${UNKNOWN}/claim`, { assignee: 'x' })).status).toBe(404);
    expect((await h.json('POST', '/tasks/not-a-uuid/claim', { assignee: 'x' })).status).toBe(404);
  });

  it('complete: the task closes, the instance moves on with the variables; a second completion is a 409', async () => {
    const task = await taskOf(instances.carol);
    const done = await h.json<Task>('POST', `/tasks/${task.id}/complete`, { variables: { approved: true } });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ id: task.id, state: 'COMPLETED', completedAt: expect.any(String) });
    expect((await list(`?instanceId=${instances.carol}`)).items).toEqual([]);

    await h.drain();
    const instance = await h.json('GET', `/instances/${instances.carol}`);
    expect(instance.body).toMatchObject({ status: 'COMPLETED', variables: { owner: 'carol', approved: true }, tokens: [] });
    const history = await h.json('GET', `/instances/${instances.carol}/history?limit=1000`);
    expect(history.body.items.map((i: { type: string; elementId: string }) => `${i.type} ${i.elementId}`)).toContain('ELEMENT_COMPLETED approve');

    const again = await h.json('POST', `/tasks/${task.id}/complete`, {});
    expect(again.status).toBe(409);
    expect(again.body.detail).toContain('COMPLETED');
  });

  it('complete: without a body, 404 for unknown tasks, 422 over the variable limits (nothing written)', async () => {
    const task = await taskOf(instances.dave);
    const big = await h.json('POST', `/tasks/${task.id}/complete`, { variables: { note: 'n'.repeat(2000) } });
    expect(big.status).toBe(422);
    expect(big.body.errors).toEqual([{ variable: 'note', message: expect.any(String) }]);
    const total = await h.json('POST', `/tasks/${task.id}/complete`, {
      variables: { a: 'a'.repeat(1000), b: 'b'.repeat(1000), c: 'c'.repeat(1000), d: 'd'.repeat(1000), e: 'e'.repeat(1000) },
    });
    expect(total.status).toBe(422);
    expect(total.body.detail).toContain('MAX_TOTAL_VARIABLES');
    expect((await h.json('GET', `/tasks/${task.id}`)).body.state).toBe('CREATED');
    expect(await h.db.prisma.instanceEvent.count({ where: { instanceId: BigInt(instances.dave) } })).toBe(0);

    const plain = await h.api(`/tasks/${task.id}/complete`, { method: 'POST' });
    expect(plain.status).toBe(200);
    await h.drain();
    expect((await h.json('GET', `/instances/${instances.dave}`)).body.status).toBe('COMPLETED');

    expect((await h.json('POST', `/tasks/${UNKNOWN}/complete`, {})).status).toBe(404);
    expect((await h.json('GET', `/tasks/${UNKNOWN}`)).status).toBe(404);
    expect((await h.json('POST', `/tasks/${task.id}/complete`, { variables: 3 })).status).toBe(400);
  });
});

import { RuntimeErrorCode, type Key } from '../src';
import { engineFixture, RuntimeKit } from './fakes';

const USER_TASK = engineFixture('tasks/user-task.bpmn');
const MESSAGE_BOUNDARY = engineFixture('events/message-boundary-user-task.bpmn');

async function withTasks(...owners: (string | null)[]): Promise<{ kit: RuntimeKit; ids: Key[] }> {
  const kit = new RuntimeKit({ limits: { maxVariableSize: 100, maxTotalVariables: 400 } });
  await kit.deploy(USER_TASK);
  const ids: Key[] = [];
  for (const owner of owners) ids.push((await kit.instances.start('user-task', { variables: { owner } })).id);
  await kit.drain();
  return { kit, ids };
}

const taskOf = async (kit: RuntimeKit, instanceId: Key) => (await kit.tasks.list({ limit: 10, instanceId })).items[0];

describe('TaskService', () => {
  it('lists open tasks oldest first, with the task as modelled', async () => {
    const { kit, ids } = await withTasks('anna', null);

    const page = await kit.tasks.list({ limit: 10 });

    expect(page.nextCursor).toBeNull();
    expect(page.items.map((t) => t.instanceId)).toEqual(ids);
    expect(page.items[0]).toMatchObject({
      processKey: 'user-task',
      elementId: 'approve',
      name: 'Approve order',
      assignee: 'anna',
      candidateGroups: ['sales', 'managers'],
      candidateUsers: ['anna'],
      dueDate: '2026-01-31T12:00:00.000Z',
      followUpDate: null,
      state: 'CREATED',
      createdAt: kit.clock.date().toISOString(),
      completedAt: null,
    });
  });

  it('filters by instance, process, assignee and candidate group, and pages by key', async () => {
    const { kit, ids } = await withTasks('anna', 'ben', null);
    await kit.deploy(MESSAGE_BOUNDARY);
    const other = await kit.startAndRun('message-boundary-user-task', { applicationId: 'a-1' });

    expect((await kit.tasks.list({ limit: 10, assignee: 'ben' })).items.map((t) => t.instanceId)).toEqual([ids[1]]);
    expect((await kit.tasks.list({ limit: 10, candidateGroup: 'clerks' })).items.map((t) => t.instanceId)).toEqual([other]);
    expect((await kit.tasks.list({ limit: 10, processKey: 'user-task' })).items).toHaveLength(3);
    expect((await kit.tasks.list({ limit: 10, instanceId: ids[2] })).items.map((t) => t.instanceId)).toEqual([ids[2]]);
    expect((await kit.tasks.list({ limit: 10, instanceId: 'not-a-key' })).items).toEqual([]);

    const first = await kit.tasks.list({ limit: 2 });
    const rest = await kit.tasks.list({ limit: 2, cursor: first.nextCursor ?? undefined });
    expect([...first.items, ...rest.items].map((t) => t.instanceId)).toEqual([...ids, other]);
    await expect(kit.tasks.list({ limit: 2, cursor: 'zz' })).rejects.toMatchObject({ code: RuntimeErrorCode.BadRequest });
  });

  it('answers 404 for a task that does not exist', async () => {
    const { kit } = await withTasks();
    await expect(kit.tasks.get('12345')).rejects.toMatchObject({ code: RuntimeErrorCode.NotFound });
    await expect(kit.tasks.get('task-1')).rejects.toMatchObject({ code: RuntimeErrorCode.NotFound });
  });

  describe('claim', () => {
    it('assigns an unassigned task; the same user again is a no-op; another user is refused with 409', async () => {
      const { kit, ids } = await withTasks(null);
      const task = await taskOf(kit, ids[0]);

      expect((await kit.tasks.claim(task.id, 'carl')).assignee).toBe('carl');
      expect((await kit.tasks.claim(task.id, 'carl')).assignee).toBe('carl');
      await expect(kit.tasks.claim(task.id, 'dora')).rejects.toMatchObject({
        code: RuntimeErrorCode.Conflict,
        message: expect.stringContaining("assigned to 'carl'"),
      });
    });

    it('refuses a task of a suspended instance, and a closed task', async () => {
      const { kit, ids } = await withTasks(null, null);
      const [a, b] = [await taskOf(kit, ids[0]), await taskOf(kit, ids[1])];
      await kit.instances.suspend(ids[0]);
      await kit.tasks.complete(b.id, {});

      await expect(kit.tasks.claim(a.id, 'carl')).rejects.toMatchObject({ message: expect.stringContaining('SUSPENDED') });
      await expect(kit.tasks.claim(b.id, 'carl')).rejects.toMatchObject({ message: expect.stringContaining('COMPLETED') });
      expect((await kit.tasks.get(a.id)).assignee).toBeNull();
    });
  });

  describe('complete', () => {
    it('closes the task, puts the completion into the inbox, and the instance moves on with the variables', async () => {
      const { kit, ids } = await withTasks('anna');
      const task = await taskOf(kit, ids[0]);

      const view = await kit.tasks.complete(task.id, { approved: true });

      expect(view).toMatchObject({ state: 'COMPLETED', completedAt: kit.clock.date().toISOString() });
      expect(kit.store.rows('inbox').map((e) => e.event)).toEqual([{ type: 'complete', elementInstanceId: task.id, variables: { approved: true } }]);
      expect(kit.publisher.queue).toEqual([ids[0]]);
      await kit.drain();
      expect(await kit.instances.get(ids[0])).toMatchObject({ status: 'COMPLETED', variables: { owner: 'anna', approved: true } });
      expect((await kit.tasks.list({ limit: 10 })).items).toEqual([]);
    });

    it('refuses a second completion with 409', async () => {
      const { kit, ids } = await withTasks('anna');
      const task = await taskOf(kit, ids[0]);
      await kit.tasks.complete(task.id, {});

      await expect(kit.tasks.complete(task.id, {})).rejects.toMatchObject({ code: RuntimeErrorCode.Conflict });
      expect(kit.store.rows('inbox')).toHaveLength(1);
    });

    it('refuses the task of a suspended instance with 409 and leaves it open', async () => {
      const { kit, ids } = await withTasks('anna');
      const task = await taskOf(kit, ids[0]);
      await kit.instances.suspend(ids[0]);

      await expect(kit.tasks.complete(task.id, {})).rejects.toMatchObject({ code: RuntimeErrorCode.Conflict, message: expect.stringContaining('SUSPENDED') });
      expect((await kit.tasks.get(task.id)).state).toBe('CREATED');
      expect(kit.store.rows('inbox')).toEqual([]);
    });

    it('refuses a task canceled with its instance', async () => {
      const { kit, ids } = await withTasks('anna');
      const task = await taskOf(kit, ids[0]);
      await kit.instances.cancel(ids[0]);

      expect((await kit.tasks.get(task.id)).state).toBe('CANCELED');
      await expect(kit.tasks.complete(task.id, {})).rejects.toMatchObject({ code: RuntimeErrorCode.Conflict, message: expect.stringContaining('CANCELED') });
    });

    it('refuses variables over the limits, counting what the instance holds, and changes nothing', async () => {
      const { kit, ids } = await withTasks('anna');
      const task = await taskOf(kit, ids[0]);

      await expect(kit.tasks.complete(task.id, { huge: 'h'.repeat(150) })).rejects.toMatchObject({ errors: [{ variable: 'huge' }] });
      const many = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`n${i}`, 'x'.repeat(90)]));
      await expect(kit.tasks.complete(task.id, many)).rejects.toMatchObject({ code: RuntimeErrorCode.Unprocessable });
      expect((await kit.tasks.get(task.id)).state).toBe('CREATED');
      expect(kit.store.rows('inbox')).toEqual([]);
    });

    it('waits for the worker that holds the instance, then commits', async () => {
      const { kit, ids } = await withTasks('anna');
      const task = await taskOf(kit, ids[0]);
      kit.store.holdLock(ids[0]);

      const completing = kit.tasks.complete(task.id, {});
      await new Promise((resolve) => setImmediate(resolve));
      expect(kit.store.lockWaits).toBe(1);
      expect((await kit.tasks.get(task.id)).state).toBe('CREATED');

      kit.store.releaseLock(ids[0]);
      expect((await completing).state).toBe('COMPLETED');
    });
  });

  describe('update (Camunda 8.8 changeset)', () => {
    it('writes dates, candidates and priority at once; null keeps, empty clears; bad values are 400s naming the field', async () => {
      const { kit, ids } = await withTasks('anna');
      const task = await taskOf(kit, ids[0]);
      const updated = await kit.tasks.update(task.id, {
        dueDate: '',
        followUpDate: '2026-02-01T10:00:00+01:00',
        candidateGroups: [],
        candidateUsers: null,
        priority: 80,
      });
      expect(updated).toMatchObject({
        state: 'CREATED',
        assignee: 'anna',
        dueDate: null,
        followUpDate: '2026-02-01T09:00:00.000Z',
        candidateGroups: [],
        candidateUsers: ['anna'],
        priority: 80,
      });
      await expect(kit.tasks.update(task.id, { dueDate: 'tomorrow' })).rejects.toMatchObject({
        code: RuntimeErrorCode.BadRequest,
        errors: [expect.objectContaining({ field: 'changeset.dueDate' })],
      });
      await expect(kit.tasks.update(task.id, { priority: 101 })).rejects.toMatchObject({
        errors: [expect.objectContaining({ field: 'changeset.priority' })],
      });
      await kit.tasks.complete(task.id, {});
      await expect(kit.tasks.update(task.id, { priority: 1 })).rejects.toMatchObject({ code: RuntimeErrorCode.Conflict });
      expect((await kit.tasks.get(task.id)).priority).toBe(80);
    });
  });
});

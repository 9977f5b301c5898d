import { RuntimeErrorCode } from '../src';
import { engineFixture, RuntimeKit } from './fakes';

const SERVICE_TASK = engineFixture('tasks/service-task.bpmn');
const USER_TASK = engineFixture('tasks/user-task.bpmn');

async function kitWith(...xml: string[]): Promise<RuntimeKit> {
  const kit = new RuntimeKit({ limits: { maxVariableSize: 100, maxTotalVariables: 250 } });
  for (const doc of xml) await kit.deploy(doc);
  return kit;
}

describe('InstanceService', () => {
  describe('start', () => {
    it('starts the latest version, or the version asked for', async () => {
      const kit = await kitWith(SERVICE_TASK);
      await kit.deploy(SERVICE_TASK.replace('name="Charge card"', 'name="Charge the card"'));

      const latest = await kit.instances.start('service-task', {});
      const first = await kit.instances.start('service-task', { version: 1, businessKey: 'order-1' });

      expect(latest).toEqual({ id: expect.any(String), processKey: 'service-task', version: 2, status: 'ACTIVE' });
      expect(first.version).toBe(1);
      expect((await kit.instances.get(first.id)).businessKey).toBe('order-1');
    });

    it('answers 404 naming the process, or the version, that is not deployed', async () => {
      const kit = await kitWith(SERVICE_TASK);

      await expect(kit.instances.start('nope', {})).rejects.toMatchObject({ code: RuntimeErrorCode.NotFound, message: expect.stringContaining("'nope'") });
      await expect(kit.instances.start('service-task', { version: 9 })).rejects.toMatchObject({
        code: RuntimeErrorCode.NotFound,
        message: expect.stringContaining('version 9'),
      });
      expect(kit.store.rows('instances')).toEqual([]);
    });

    it('refuses variables over the limits with 422 naming the variable, and writes nothing', async () => {
      const kit = await kitWith(SERVICE_TASK);

      await expect(kit.instances.start('service-task', { variables: { ok: 1, blob: 'x'.repeat(200) } })).rejects.toMatchObject({
        code: RuntimeErrorCode.Unprocessable,
        errors: [{ variable: 'blob', message: expect.stringContaining('MAX_VARIABLE_SIZE') }],
      });
      expect(kit.store.rows('instances')).toEqual([]);
    });

    it('does not start in another tenant', async () => {
      const kit = await kitWith();
      await kit.deploy(SERVICE_TASK, 'tenant-a');

      await expect(kit.instances.start('service-task', {})).rejects.toMatchObject({ code: RuntimeErrorCode.NotFound });
      const started = await kit.instances.start('service-task', { tenantId: 'tenant-a' });
      expect((await kit.instances.get(started.id)).tenantId).toBe('tenant-a');
    });

    it('a variable holding U+0000 is refused naming it, before anything is written (Postgres JSON cannot hold it)', async () => {
      const kit = await kitWith(SERVICE_TASK);
      await expect(kit.instances.start('service-task', { variables: { note: 'a\u0000b' } })).rejects.toMatchObject({
        code: RuntimeErrorCode.Unprocessable,
        errors: [{ variable: 'note' }],
      });
      await expect(kit.instances.start('service-task', { variables: { order: { lines: [{ 'k\u0000': 1 }] } } })).rejects.toMatchObject({
        errors: [{ variable: 'order' }],
      });
      expect(kit.store.rows('instances')).toEqual([]);
    });

    it('a variable nested deeper than any model reads is refused naming it, without overflowing the stack', async () => {
      const kit = await kitWith(SERVICE_TASK);
      let deep: unknown = 'bottom';
      for (let i = 0; i < 5_000; i++) deep = { next: deep };
      await expect(kit.instances.start('service-task', { variables: { deep } })).rejects.toMatchObject({
        code: RuntimeErrorCode.Unprocessable,
        errors: [{ variable: 'deep', message: expect.stringContaining('nested more than 100 levels') }],
      });
      let fine: unknown = 'bottom';
      for (let i = 0; i < 40; i++) fine = [fine];
      await expect(kit.instances.start('service-task', { variables: { fine } })).resolves.toMatchObject({ id: expect.any(String) });
    });
  });

  describe('reads', () => {
    it('shows a new instance with one READY token at its start event, then its wait state', async () => {
      const kit = await kitWith(SERVICE_TASK);
      const { id } = await kit.instances.start('service-task', { variables: { amount: 5 } });

      expect(await kit.instances.get(id)).toMatchObject({
        id,
        processKey: 'service-task',
        status: 'ACTIVE',
        variables: { amount: 5 },
        tokens: [{ elementId: 'start', state: 'READY' }],
        incidents: [],
        endedAt: null,
      });
      await kit.drain();
      expect((await kit.instances.get(id)).tokens).toEqual([{ id: expect.any(String), elementId: 'charge', state: 'WAITING' }]);
    });

    it('answers 404 for an id that is not a key or names no instance', async () => {
      const kit = await kitWith();
      await expect(kit.instances.get('abc')).rejects.toMatchObject({ code: RuntimeErrorCode.NotFound });
      await expect(kit.instances.get('99999999999999999999')).rejects.toMatchObject({ code: RuntimeErrorCode.NotFound });
      await expect(kit.instances.get('123')).rejects.toMatchObject({ code: RuntimeErrorCode.NotFound });
    });

    it('lists newest first, page by page, with filters', async () => {
      const kit = await kitWith(SERVICE_TASK, USER_TASK);
      const a = await kit.instances.start('service-task', { businessKey: 'b-1' });
      const b = await kit.instances.start('user-task', { variables: { owner: 'x' } });
      const c = await kit.instances.start('service-task', {});
      await kit.instances.cancel(c.id);

      const page1 = await kit.instances.list({ limit: 2 });
      const page2 = await kit.instances.list({ limit: 2, cursor: page1.nextCursor ?? undefined });

      expect(page1.items.map((i) => i.id)).toEqual([c.id, b.id]);
      expect(page2).toEqual({ items: [expect.objectContaining({ id: a.id })], nextCursor: null });
      expect((await kit.instances.list({ limit: 10, processKey: 'service-task' })).items.map((i) => i.id)).toEqual([c.id, a.id]);
      expect((await kit.instances.list({ limit: 10, status: 'CANCELED' })).items.map((i) => i.id)).toEqual([c.id]);
      expect((await kit.instances.list({ limit: 10, businessKey: 'b-1' })).items.map((i) => i.id)).toEqual([a.id]);
      await expect(kit.instances.list({ limit: 10, cursor: 'x' })).rejects.toMatchObject({ code: RuntimeErrorCode.BadRequest });
    });

    it('filters by version, start time and a variable, and refuses a filter that cannot be asked', async () => {
      const kit = await kitWith(SERVICE_TASK, USER_TASK);
      const a = await kit.instances.start('service-task', { variables: { tier: 'gold', n: { x: 1, y: [2] } } });
      const b = await kit.instances.start('user-task', { variables: { tier: 'silver' } });
      const ids = async (query: Parameters<typeof kit.instances.list>[0]) => (await kit.instances.list(query)).items.map((i) => i.id);
      expect(await ids({ limit: 10, processKey: 'service-task', version: 1 })).toEqual([a.id]);
      expect(await ids({ limit: 10, processKey: 'service-task', version: 2 })).toEqual([]);
      expect(await ids({ limit: 10, variableName: 'tier', variableValue: 'gold' })).toEqual([a.id]);
      expect(await ids({ limit: 10, variableName: 'n', variableValue: { y: [2], x: 1.0 } })).toEqual([a.id]);
      expect(await ids({ limit: 10, variableName: 'tier' })).toEqual([b.id, a.id]);
      expect(await ids({ limit: 10, hasIncident: false })).toEqual([b.id, a.id]);
      expect(await ids({ limit: 10, hasIncident: true })).toEqual([]);
      expect(await ids({ limit: 10, startedFrom: new Date(Date.now() + 60_000) })).toEqual([]);
      expect(await ids({ limit: 10, startedTo: new Date(Date.now() + 60_000) })).toEqual([b.id, a.id]);
      await expect(kit.instances.list({ limit: 10, version: 1 })).rejects.toMatchObject({ code: RuntimeErrorCode.BadRequest, errors: [expect.objectContaining({ field: 'version' })] });
      await expect(kit.instances.list({ limit: 10, variableValue: 1 })).rejects.toMatchObject({ errors: [expect.objectContaining({ field: 'variableValue' })] });
      await expect(kit.instances.list({ limit: 10, startedFrom: new Date(2), startedTo: new Date(1) })).rejects.toMatchObject({ errors: [expect.objectContaining({ field: 'startedFrom' })] });
    });

    it('pages the history in the order it was written', async () => {
      const kit = await kitWith(SERVICE_TASK);
      const id = await kit.startAndRun('service-task');

      const first = await kit.instances.history(id, { limit: 2 });
      const rest = await kit.instances.history(id, { limit: 10, cursor: first.nextCursor ?? undefined });

      expect([...first.items, ...rest.items].map((h) => `${h.elementId}:${h.type}`)).toEqual([
        'service-task:ELEMENT_ACTIVATED',
        'start:ELEMENT_ACTIVATED',
        'start:ELEMENT_COMPLETED',
        'charge:ELEMENT_ACTIVATED',
      ]);
      expect(rest.nextCursor).toBeNull();
      await expect(kit.instances.history(id, { limit: 10, cursor: '-1' })).rejects.toMatchObject({ code: RuntimeErrorCode.BadRequest });
    });
  });

  describe('commands', () => {
    it('shows CANCELING, SUSPENDING and RESUMING while the command waits for the worker holding the instance', async () => {
      const kit = await kitWith(SERVICE_TASK);
      const id = await kit.startAndRun('service-task');

      kit.store.holdLock(id);
      const suspending = await kit.instances.suspend(id);
      expect(suspending).toMatchObject({ outcome: 'queued', value: { status: 'SUSPENDING' } });
      expect((await kit.instances.list({ limit: 10 })).items[0].status).toBe('SUSPENDING');
      kit.store.releaseLock(id);
      await kit.drain();
      expect((await kit.instances.get(id)).status).toBe('SUSPENDED');

      kit.store.holdLock(id);
      expect((await kit.instances.resume(id)).value.status).toBe('RESUMING');
      // A cancel overtakes whatever else waits.
      expect((await kit.instances.cancel(id)).value.status).toBe('CANCELING');
      kit.store.releaseLock(id);
      await kit.drain();
      expect((await kit.instances.get(id)).status).toBe('CANCELED');
    });

    it('applies suspend, resume and cancel at once when the instance is free', async () => {
      const kit = await kitWith(SERVICE_TASK);
      const id = await kit.startAndRun('service-task');

      expect(await kit.instances.suspend(id)).toMatchObject({ outcome: 'applied', value: { status: 'SUSPENDED' } });
      expect(await kit.instances.resume(id)).toMatchObject({ outcome: 'applied', value: { status: 'ACTIVE' } });
      expect(await kit.instances.cancel(id)).toMatchObject({ outcome: 'applied', value: { status: 'CANCELED', tokens: [] } });
      expect(kit.store.rows('jobs').map((j) => j.state)).toEqual(['CANCELED']);
    });

    it('refuses suspend, resume and cancel the state forbids with 409 saying why', async () => {
      const kit = await kitWith(SERVICE_TASK);
      const id = await kit.startAndRun('service-task');

      await expect(kit.instances.resume(id)).rejects.toMatchObject({ code: RuntimeErrorCode.Conflict, message: expect.stringContaining('only a SUSPENDED instance') });
      await kit.instances.suspend(id);
      await expect(kit.instances.suspend(id)).rejects.toMatchObject({ code: RuntimeErrorCode.Conflict, message: expect.stringContaining('only an ACTIVE instance') });
      await kit.instances.cancel(id);
      await expect(kit.instances.cancel(id)).rejects.toMatchObject({ code: RuntimeErrorCode.Conflict, message: expect.stringContaining('CANCELED') });
      await expect(kit.instances.suspend(id)).rejects.toMatchObject({ code: RuntimeErrorCode.Conflict });
      await expect(kit.instances.cancel('not-a-key')).rejects.toMatchObject({ code: RuntimeErrorCode.NotFound });
    });

    it('guards a queued command against the stored state too', async () => {
      const kit = await kitWith(SERVICE_TASK);
      const id = await kit.startAndRun('service-task');
      kit.store.holdLock(id);

      await expect(kit.instances.resume(id)).rejects.toMatchObject({ code: RuntimeErrorCode.Conflict });
      expect(kit.store.rows('inbox')).toEqual([]);
    });
  });

  describe('setElementVariables', () => {
    it('writes into an active element instance (local or propagated) or, by the process instance key, the process scope', async () => {
      const kit = await kitWith(SERVICE_TASK);
      const id = await kit.startAndRun('service-task', { a: 1 });
      const [job] = await kit.jobs.activate({ type: 'charge-card', workerId: 'w', maxJobs: 1, lockDurationMs: 60_000 });

      expect(await kit.instances.setElementVariables(job.elementInstanceId, { local: 1 }, true)).toBe('applied');
      expect(await kit.instances.setElementVariables(job.elementInstanceId, { a: 2, b: 3 }, false)).toBe('applied');
      expect(await kit.instances.setElementVariables(id, { c: 4 }, true)).toBe('applied');

      expect((await kit.instances.get(id)).variables).toEqual({ a: 2, b: 3, c: 4 });
      await kit.jobs.fail(job.id, { workerId: 'w', errorMessage: 'x', retries: 1 });
      const [again] = await kit.jobs.activate({ type: 'charge-card', workerId: 'w', maxJobs: 1, lockDurationMs: 60_000 });
      expect(again.variables).toEqual({ a: 2, b: 3, c: 4, local: 1 });
    });

    it('refuses an unknown or ended element instance (404) and variables over the limits (422), writing nothing', async () => {
      const kit = await kitWith(SERVICE_TASK);
      const id = await kit.startAndRun('service-task', { a: 1 });
      const [job] = await kit.jobs.activate({ type: 'charge-card', workerId: 'w', maxJobs: 1, lockDurationMs: 60_000 });

      await expect(kit.instances.setElementVariables('77', { x: 1 }, false)).rejects.toMatchObject({ code: RuntimeErrorCode.NotFound });
      await expect(kit.instances.setElementVariables('nope', { x: 1 }, false)).rejects.toMatchObject({ code: RuntimeErrorCode.NotFound });
      await expect(kit.instances.setElementVariables(id, { big: 'x'.repeat(120) }, false)).rejects.toMatchObject({
        code: RuntimeErrorCode.Unprocessable,
        errors: [{ variable: 'big' }],
      });
      await kit.jobs.complete(job.id, { workerId: 'w' });
      await kit.drain();
      await expect(kit.instances.setElementVariables(job.elementInstanceId, { x: 1 }, true)).rejects.toMatchObject({ code: RuntimeErrorCode.NotFound });
      await expect(kit.instances.setElementVariables(id, { x: 1 }, true)).rejects.toMatchObject({ code: RuntimeErrorCode.NotFound });
      expect((await kit.instances.get(id)).variables).toEqual({ a: 1 });
    });
  });

  describe('patchVariables', () => {
    it('merges into the process scope and answers the whole map', async () => {
      const kit = await kitWith(SERVICE_TASK);
      const id = await kit.startAndRun('service-task', { a: 1, b: 2 });

      const result = await kit.instances.patchVariables(id, { b: 3, c: 'x' });

      expect(result).toEqual({ outcome: 'applied', value: { variables: { a: 1, b: 3, c: 'x' } } });
      const [job] = await kit.jobs.activate({ type: 'charge-card', workerId: 'w', maxJobs: 1, lockDurationMs: 1000 });
      expect(job.variables).toEqual({ a: 1, b: 3, c: 'x' });
    });

    it('answers the stored variables with the change merged in while the change is queued', async () => {
      const kit = await kitWith(SERVICE_TASK);
      const id = await kit.startAndRun('service-task', { a: 1 });
      kit.store.holdLock(id);

      expect(await kit.instances.patchVariables(id, { b: 2 })).toEqual({ outcome: 'queued', value: { variables: { a: 1, b: 2 } } });
      expect((await kit.instances.get(id)).variables).toEqual({ a: 1 });
      kit.store.releaseLock(id);
      await kit.drain();
      expect((await kit.instances.get(id)).variables).toEqual({ a: 1, b: 2 });
    });

    it('sets variables of a suspended instance', async () => {
      const kit = await kitWith(SERVICE_TASK);
      const id = await kit.startAndRun('service-task');
      await kit.instances.suspend(id);

      expect((await kit.instances.patchVariables(id, { late: true })).value.variables).toEqual({ late: true });
      expect((await kit.instances.get(id)).status).toBe('SUSPENDED');
    });

    it('refuses a variable over its limit, or a total over the limit with what is stored, naming the variable', async () => {
      const kit = await kitWith(SERVICE_TASK);
      const id = await kit.startAndRun('service-task', { stored: 'y'.repeat(90) });

      await expect(kit.instances.patchVariables(id, { big: 'x'.repeat(120) })).rejects.toMatchObject({
        code: RuntimeErrorCode.Unprocessable,
        errors: [{ variable: 'big' }],
      });
      await expect(kit.instances.patchVariables(id, { s1: 'a'.repeat(80), s2: 'b'.repeat(90) })).rejects.toMatchObject({
        code: RuntimeErrorCode.Unprocessable,
        message: expect.stringContaining('MAX_TOTAL_VARIABLES'),
        errors: [{ variable: 's2' }],
      });
      expect((await kit.instances.get(id)).variables).toEqual({ stored: 'y'.repeat(90) });
    });

    it('refuses to change an ended instance with 409', async () => {
      const kit = await kitWith(SERVICE_TASK);
      const id = await kit.startAndRun('service-task');
      await kit.instances.cancel(id);

      await expect(kit.instances.patchVariables(id, { a: 1 })).rejects.toMatchObject({ code: RuntimeErrorCode.Conflict });
    });

    it('answers 404 for an id that is not a key, as every other instance route does', async () => {
      // patchVariables hands the id to the unit of work unchecked; Postgres refuses the bigint
      // cast (22P02) and the client gets a 500.
      const kit = await kitWith();
      await expect(kit.instances.patchVariables('not-a-key', { a: 1 })).rejects.toMatchObject({ code: RuntimeErrorCode.NotFound });
    });
  });
});

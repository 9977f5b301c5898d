import { RuntimeErrorCode } from '../src';
import { engineFixture, RuntimeKit } from './fakes';

const SERVICE_TASK = engineFixture('tasks/service-task.bpmn');
const MESSAGE_START = engineFixture('events/message-start.bpmn');
const TIMER_START = engineFixture('events/timer-start.bpmn');
const POOLS = engineFixture('misc/pools-and-lanes.bpmn');
const DANGLING = engineFixture('invalid/dangling-flow.bpmn');

describe('DefinitionRegistry', () => {
  describe('deploy', () => {
    it('numbers versions per process id; identical XML returns the existing version and its deployment', async () => {
      const kit = new RuntimeKit();

      const first = await kit.registry.deploy(SERVICE_TASK);
      const same = await kit.registry.deploy(SERVICE_TASK);
      const changed = await kit.registry.deploy(SERVICE_TASK.replace('retries="5"', 'retries="7"'));

      expect(first).toMatchObject({ created: true, processes: [{ bpmnProcessId: 'service-task', version: 1, name: 'Service task' }] });
      expect(first.processes[0].deploymentId).toBe(first.deploymentId);
      expect(same).toEqual({ ...first, created: false });
      expect(changed).toMatchObject({ created: true, processes: [{ version: 2 }] });
      expect(changed.deploymentId).not.toBe(first.deploymentId);
      expect(kit.store.rows('definitions').map((d) => d.version)).toEqual([1, 2]);
      expect(kit.store.rows('deployments')).toHaveLength(2);
    });

    it('redeploys an older document as a new version (only the latest is compared)', async () => {
      const kit = new RuntimeKit();
      await kit.deploy(SERVICE_TASK);
      await kit.deploy(SERVICE_TASK.replace('retries="5"', 'retries="7"'));

      expect((await kit.registry.deploy(SERVICE_TASK)).processes[0].version).toBe(3);
    });

    it('keeps versions apart per tenant', async () => {
      const kit = new RuntimeKit();
      const a = await kit.deploy(SERVICE_TASK, 'tenant-a');
      const b = await kit.deploy(SERVICE_TASK, 'tenant-b');

      expect([a[0].version, b[0].version]).toEqual([1, 1]);
      expect(a[0].id).not.toBe(b[0].id);
      expect((await kit.registry.byProcessId('service-task', { tenantId: 'tenant-b' }))?.id).toBe(b[0].id);
      expect(await kit.registry.byProcessId('service-task')).toBeNull();
    });

    it('deploys only the executable processes of a file', async () => {
      const kit = new RuntimeKit();
      const result = await kit.registry.deploy(POOLS);

      expect(result.processes.map((p) => p.bpmnProcessId)).toEqual(['pools-and-lanes']);
      expect(kit.store.rows('definitions')).toHaveLength(1);
    });

    it('refuses an invalid document naming the elements, and writes nothing', async () => {
      const kit = new RuntimeKit();

      const refusal = kit.registry.deploy(DANGLING);

      await expect(refusal).rejects.toMatchObject({
        code: RuntimeErrorCode.InvalidDefinition,
        errors: expect.arrayContaining([expect.objectContaining({ elementId: 'f_missing_target' }), expect.objectContaining({ elementId: 'f_missing_source' })]),
      });
      await expect(kit.registry.deploy('<not-bpmn/>')).rejects.toMatchObject({ code: RuntimeErrorCode.InvalidDefinition });
      expect(kit.store.rows('definitions')).toEqual([]);
      expect(kit.store.rows('deployments')).toEqual([]);
    });

    it('refuses a timer start event whose timer cannot be read, naming it', async () => {
      const kit = new RuntimeKit();

      await expect(kit.registry.deploy(TIMER_START.replace('R/PT1H', '= 42'))).rejects.toMatchObject({
        code: RuntimeErrorCode.InvalidDefinition,
        errors: [expect.objectContaining({ elementId: 'hourly' })],
      });
      expect(kit.store.rows('definitions')).toEqual([]);
      expect(kit.store.rows('timers')).toEqual([]);
    });

    it('rolls a deployment back whole when a write fails', async () => {
      const kit = new RuntimeKit();
      kit.store.failNext('timers.replaceStartTimers');

      await expect(kit.registry.deploy(TIMER_START)).rejects.toThrow('timers.replaceStartTimers failed');

      expect(kit.store.rows('definitions')).toEqual([]);
      expect(kit.store.rows('startEvents')).toEqual([]);
      expect(kit.store.rows('deployments')).toEqual([]);
      expect((await kit.registry.deploy(TIMER_START)).processes[0].version).toBe(1);
    });

    it('replaces the start events of the versions before it', async () => {
      const kit = new RuntimeKit();
      const [v1] = await kit.deploy(MESSAGE_START);
      expect(kit.store.rows('startEvents').map((s) => [s.definitionId, s.kind, s.name, s.elementId])).toEqual([[v1.id, 'MESSAGE', 'order-placed', 'start_order']]);

      const [v2] = await kit.deploy(MESSAGE_START.replace('name="Handle order"', 'name="Handle it"'));

      expect(kit.store.rows('startEvents').map((s) => s.definitionId)).toEqual([v2.id]);
      const { started } = await kit.correlation.publishMessage({ name: 'order-placed' });
      expect((await kit.instances.get(started[0])).version).toBe(2);
    });
  });

  describe('reads', () => {
    it('finds the latest version, a given version, and sees a new version at once', async () => {
      const kit = new RuntimeKit();
      const [v1] = await kit.deploy(SERVICE_TASK);
      expect((await kit.registry.byProcessId('service-task'))?.version).toBe(1);

      await kit.deploy(SERVICE_TASK.replace('retries="5"', 'retries="7"'));

      expect((await kit.registry.byProcessId('service-task'))?.version).toBe(2);
      expect((await kit.registry.byProcessId('service-task', { version: 1 }))?.id).toBe(v1.id);
      expect(await kit.registry.byProcessId('service-task', { version: 3 })).toBeNull();
      expect(await kit.registry.byProcessId('other')).toBeNull();
    });

    it('compiles a version once and serves it from memory after that', async () => {
      const kit = new RuntimeKit();
      const [v1] = await kit.deploy(SERVICE_TASK);

      const a = await kit.registry.byId(v1.id);
      const b = await kit.registry.byId(v1.id);

      expect(a?.process.id).toBe('service-task');
      expect(b).toBe(a);
      expect(kit.store.statements('definitions.byId')).toBe(1);
      expect(kit.observer.lookups).toEqual(['miss', 'hit']);
      expect(await kit.registry.xml(v1.id)).toBe(SERVICE_TASK);
      expect(await kit.registry.byId('123')).toBeNull();
    });

    it('lists the latest version of each process, by process id, page by page', async () => {
      const kit = new RuntimeKit();
      await kit.deploy(SERVICE_TASK);
      await kit.deploy(MESSAGE_START);
      await kit.deploy(SERVICE_TASK.replace('retries="5"', 'retries="7"'));
      await kit.deploy(TIMER_START);

      const first = await kit.definitions.listLatest({ limit: 2 });
      const rest = await kit.definitions.listLatest({ limit: 2, cursor: first.nextCursor ?? undefined });

      expect([...first.items, ...rest.items].map((d) => [d.key, d.version])).toEqual([
        ['message-start', 1],
        ['service-task', 2],
        ['timer-start', 1],
      ]);
      expect(rest.nextCursor).toBeNull();
      expect(await kit.definitions.xml('service-task', 1)).toBe(SERVICE_TASK);
      await expect(kit.definitions.get('service-task', 9)).rejects.toMatchObject({ code: RuntimeErrorCode.NotFound });
    });

    it('pages across tenants without skipping a tenant that shares a process id', async () => {
      // listLatest's cursor is the process id alone while rows are one per (process id, tenant):
      // a page that ends on tenant-a's 'service-task' makes the next page start after
      // 'service-task', so tenant-b's is never listed.
      const kit = new RuntimeKit();
      await kit.deploy(SERVICE_TASK, 'tenant-a');
      await kit.deploy(SERVICE_TASK, 'tenant-b');

      const first = await kit.definitions.listLatest({ limit: 1 });
      const rest = await kit.definitions.listLatest({ limit: 1, cursor: first.nextCursor ?? undefined });

      expect([...first.items, ...rest.items].map((d) => d.tenantId)).toEqual(['tenant-a', 'tenant-b']);
    });
  });

  describe('deleteVersion', () => {
    const TIMER_V2 = TIMER_START.replace('R/PT1H', 'R/PT2H');

    it('hands the timer start events back to the version before when the latest is deleted, armed from now', async () => {
      const kit = new RuntimeKit();
      const [v1] = await kit.deploy(TIMER_START);
      const [v2] = await kit.deploy(TIMER_V2);
      const scheduled = () => kit.store.rows('timers').filter((t) => t.state === 'SCHEDULED').map((t) => t.definitionId);
      expect(scheduled()).toEqual([v2.id]);

      expect(await kit.registry.deleteVersion(v2.id)).toMatchObject({ id: v2.id, version: 2 });

      expect(scheduled()).toEqual([v1.id]);
      expect(kit.store.rows('startEvents').map((e) => [e.definitionId, e.kind])).toEqual([[v1.id, 'TIMER']]);
      expect((await kit.registry.byProcessId('timer-start'))?.id).toBe(v1.id);
      // Still loadable by key: instances running on it need the model.
      expect((await kit.registry.byId(v2.id))?.version).toBe(2);
    });

    it('leaves no start event when the only version is deleted, and the start events alone when an older one is', async () => {
      const kit = new RuntimeKit();
      const [v1] = await kit.deploy(TIMER_START);
      const [v2] = await kit.deploy(TIMER_V2);
      await kit.registry.deleteVersion(v1.id);
      expect(kit.store.rows('startEvents').map((e) => e.definitionId)).toEqual([v2.id]);

      await kit.registry.deleteVersion(v2.id);
      expect(kit.store.rows('startEvents')).toEqual([]);
      expect(kit.store.rows('timers').filter((t) => t.state === 'SCHEDULED')).toEqual([]);
      expect(await kit.registry.byProcessId('timer-start')).toBeNull();
      expect((await kit.registry.deploy(TIMER_START)).processes[0].version).toBe(3);
    });

    it('refuses a version with running instances (Zeebe 8.8: INVALID_STATE), and deletes it once they ended', async () => {
      const kit = new RuntimeKit();
      const [v1] = await kit.deploy(SERVICE_TASK);
      const id = await kit.startAndRun('service-task');

      await expect(kit.registry.deleteVersion(v1.id)).rejects.toMatchObject({ code: RuntimeErrorCode.Conflict });
      expect((await kit.registry.byProcessId('service-task'))?.id).toBe(v1.id);

      await kit.instances.cancel(id);
      await kit.drain();
      expect(await kit.registry.deleteVersion(v1.id)).toMatchObject({ id: v1.id });
      expect(await kit.registry.byProcessId('service-task')).toBeNull();
    });

    it('answers null for an unknown key, a deleted one and one outside the tenants', async () => {
      const kit = new RuntimeKit();
      const [v1] = await kit.deploy(SERVICE_TASK, 'tenant-a');
      expect(await kit.registry.deleteVersion('123')).toBeNull();
      expect(await kit.registry.deleteVersion(v1.id, ['tenant-b'])).toBeNull();
      expect(await kit.registry.deleteVersion(v1.id, ['tenant-a'])).not.toBeNull();
      expect(await kit.registry.deleteVersion(v1.id)).toBeNull();
    });
  });
});

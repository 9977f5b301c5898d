import { EngineError } from '@baton/engine';
import { FailureKind, type LoadedDefinition } from '../src';
import { engineFixture, RuntimeKit } from './fakes';

const SERVICE_TASK = engineFixture('tasks/service-task.bpmn');
const USER_TASK = engineFixture('tasks/user-task.bpmn');

async function setUp(): Promise<{ kit: RuntimeKit; definition: LoadedDefinition }> {
  const kit = new RuntimeKit();
  await kit.deploy(SERVICE_TASK);
  const definition = await kit.registry.byProcessId('service-task');
  if (definition === null) throw new Error('service-task is not deployed');
  return { kit, definition };
}

describe('InstanceStarter', () => {
  it('writes starts that arrive together in one insert and announces them in one publish', async () => {
    const { kit, definition } = await setUp();

    const started = await Promise.all([1, 2, 3, 4, 5].map((n) => kit.starter.start({ definition, variables: { n } })));
    await kit.announcer.settled();

    expect(kit.store.statements('instances.insertNew')).toBe(1);
    expect(kit.publisher.calls).toEqual([started.map((s) => s.id)]);
    const rows = kit.store.rows('instances');
    expect(rows.map((r) => r.id)).toEqual(started.map((s) => s.id));
    // Written pending, so the sweeper finds them should the publish be lost.
    for (const row of rows) expect(row).toMatchObject({ status: 'ACTIVE', pendingSince: kit.clock.date(), startedAt: kit.clock.date() });
    expect(rows.map((r) => r.variables)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }, { n: 5 }]);
    expect(kit.observer.started).toEqual(Array(5).fill('service-task'));
    expect(started[0]).toEqual({ id: rows[0].id, bpmnProcessId: 'service-task', version: 1, definitionId: definition.id, tenantId: '<default>', status: 'ACTIVE' });
  });

  it('fails every start of a group whose insert fails, writes none of them and announces nothing', async () => {
    const { kit, definition } = await setUp();
    kit.store.failNext('instances.insertNew', new Error('disk full'));

    const results = await Promise.allSettled([1, 2, 3].map(() => kit.starter.start({ definition })));
    await kit.announcer.settled();

    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(kit.store.rows('instances')).toEqual([]);
    expect(kit.publisher.calls).toEqual([]);
    expect(kit.observer.failuresOf(FailureKind.StartFailed)).toHaveLength(1);
  });

  it('refuses a process that has no none start event before writing anything', async () => {
    const kit = new RuntimeKit();
    await kit.deploy(engineFixture('events/timer-start.bpmn'));
    const definition = await kit.registry.byProcessId('timer-start');

    await expect(kit.starter.start({ definition: definition as LoadedDefinition })).rejects.toThrow(EngineError);
    expect(kit.store.rows('instances')).toEqual([]);
  });

  describe('with an Idempotency-Key', () => {
    it('answers a repeated start with the first answer and creates one instance', async () => {
      const { kit, definition } = await setUp();

      const first = await kit.starter.start({ definition, variables: { n: 1 }, idempotencyKey: 'order-17' });
      const again = await kit.starter.start({ definition, variables: { n: 2 }, idempotencyKey: 'order-17' });

      expect(again).toEqual(first);
      expect(kit.store.rows('instances').map((r) => [r.id, r.variables])).toEqual([[first.id, { n: 1 }]]);
      expect(kit.observer.started).toEqual(['service-task']);
    });

    it('creates one instance for concurrent requests with the same key', async () => {
      const { kit, definition } = await setUp();

      const answers = await Promise.all([1, 2, 3, 4].map((n) => kit.starter.start({ definition, variables: { n }, idempotencyKey: 'same' })));

      expect(new Set(answers.map((a) => a.id)).size).toBe(1);
      expect(kit.store.rows('instances')).toHaveLength(1);
    });

    it('scopes keys by process id: the same key on another process starts that process', async () => {
      const { kit, definition } = await setUp();
      await kit.deploy(USER_TASK);
      const other = (await kit.registry.byProcessId('user-task')) as LoadedDefinition;

      const a = await kit.starter.start({ definition, idempotencyKey: 'k' });
      const b = await kit.starter.start({ definition: other, idempotencyKey: 'k' });

      expect(b.id).not.toBe(a.id);
      expect(kit.store.rows('instances')).toHaveLength(2);
    });

    it('forgets a key once its record expired', async () => {
      const { kit, definition } = await setUp();
      const first = await kit.starter.start({ definition, idempotencyKey: 'k' });

      kit.clock.advance(24 * 3600_000 + 1);
      const later = await kit.starter.start({ definition, idempotencyKey: 'k' });

      expect(later.id).not.toBe(first.id);
      expect(kit.store.rows('instances')).toHaveLength(2);
    });

    it('keeps no record of a start that failed: the retry creates the instance', async () => {
      const { kit, definition } = await setUp();
      kit.store.failNext('instances.insertNew');

      await expect(kit.starter.start({ definition, idempotencyKey: 'k' })).rejects.toThrow('instances.insertNew failed');
      expect(kit.store.rows('idempotency')).toEqual([]);
      const retried = await kit.starter.start({ definition, idempotencyKey: 'k' });

      expect(kit.store.rows('instances').map((r) => r.id)).toEqual([retried.id]);
    });
  });
});

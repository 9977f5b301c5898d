import { LeasedKeys, LockTimeoutError, type InboxEvent, type Key, type NewInstanceRecord } from '../src';
import { FakeClock, FakeSqlError, MemoryStore } from './fakes';

/**
 * The fake's own semantics, where they stand in for Postgres: if these drift
 * from the Postgres repositories, the use-case tests on the fake stop meaning
 * anything.
 */

const clock = new FakeClock();
let nextId = 1000n;
const key = (): Key => (nextId++).toString();

function newInstance(overrides: Partial<NewInstanceRecord> = {}): NewInstanceRecord {
  const id = overrides.id ?? key();
  return {
    id,
    tenantId: '<default>',
    definitionId: '1',
    bpmnProcessId: 'p',
    processVersion: 1,
    businessKey: null,
    state: { schemaVersion: 1, instanceId: id, processId: 'p', status: 'ACTIVE', rootId: '9', elements: { '9': { id: '9', elementId: 'p', elementType: 'process', parentId: null, state: 'READY', variables: { a: 1 } } } },
    parentInstanceId: null,
    parentElementInstanceId: null,
    ...overrides,
  };
}

const event = (instanceId: Key): InboxEvent => ({ instanceId, event: { type: 'cancel' } });

describe('MemoryStore', () => {
  it('rolls a transaction back whole when its work throws; inbox positions are not reused', async () => {
    const store = new MemoryStore({ clock: clock.now });
    const kept = newInstance();
    await store.repos.instances.insertNew([kept], clock.date());
    await store.repos.inbox.append([event(kept.id)]);

    await expect(
      store.transaction(async (tx) => {
        await tx.instances.insertNew([newInstance()], clock.date());
        await tx.inbox.append([event(kept.id)]);
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    await store.repos.inbox.append([event(kept.id)]);

    expect(store.rows('instances').map((r) => r.id)).toEqual([kept.id]);
    expect(store.rows('inbox').map((e) => e.id)).toEqual(['1', '3']);
  });

  it('shows statements outside a transaction only what was committed', async () => {
    const store = new MemoryStore({ clock: clock.now });
    const instance = newInstance();
    let seenInside: unknown;
    let seenOutside: unknown;

    await store.transaction(async (tx) => {
      await tx.instances.insertNew([instance], clock.date());
      seenInside = await tx.instances.get(instance.id);
      seenOutside = await store.repos.instances.get(instance.id);
    });

    expect(seenInside).toMatchObject({ id: instance.id, variables: { a: 1 } });
    expect(seenOutside).toBeNull();
    expect(await store.repos.instances.get(instance.id)).not.toBeNull();
  });

  it('refuses a statement or a transaction started from inside an open transaction, instead of hanging', async () => {
    const store = new MemoryStore({ clock: clock.now });

    await expect(store.transaction(() => store.repos.inbox.append([{ instanceId: '1', event: { type: 'cancel' } }]))).rejects.toThrow('inside an open transaction');
    await expect(store.transaction(() => store.transaction(async () => 1))).rejects.toThrow('inside an open transaction');
  });

  it('refuses a repository of a transaction that has ended', async () => {
    const store = new MemoryStore({ clock: clock.now });
    const leaked = await store.transaction(async (tx) => tx);
    await expect(leaked.instances.get('1')).rejects.toThrow('already ended');
  });

  describe('row locks held by another connection', () => {
    it('are skipped by lockForStep(skip) and waited for by lockForStep(wait)', async () => {
      const store = new MemoryStore({ clock: clock.now });
      const [a, b] = [newInstance(), newInstance()];
      await store.repos.instances.insertNew([b, a], clock.date());
      store.holdLock(a.id);

      const skipped = await store.transaction((tx) => tx.instances.lockForStep([b.id, a.id], 'skip'));
      expect(skipped.map((r) => r.id)).toEqual([b.id]);

      const waiting = store.transaction((tx) => tx.instances.lockForStep([b.id, a.id], 'wait'));
      await new Promise((resolve) => setImmediate(resolve));
      expect(store.lockWaits).toBe(1);
      store.releaseLock(a.id);
      // Key order: one lock order for every locker.
      expect((await waiting).map((r) => r.id)).toEqual([a.id, b.id]);
    });

    it('end a wait with LockTimeoutError after the transaction lockTimeoutMs', async () => {
      const store = new MemoryStore({ clock: clock.now });
      const a = newInstance();
      await store.repos.instances.insertNew([a], clock.date());
      store.holdLock(a.id);

      await expect(store.transaction((tx) => tx.instances.lock([a.id]), { lockTimeoutMs: 1 })).rejects.toThrow(LockTimeoutError);
      expect(store.lockWaits).toBe(0);
    });
  });

  describe('what Postgres refuses', () => {
    it('a key that is not a bigint, a duplicate key, U+0000, a timestamp it cannot read', async () => {
      const store = new MemoryStore({ clock: clock.now });
      const a = newInstance();
      await store.repos.instances.insertNew([a], clock.date());

      await expect(store.repos.instances.get('abc')).rejects.toMatchObject({ code: '22P02' });
      await expect(store.repos.instances.get('9223372036854775808')).rejects.toMatchObject({ code: '22003' });
      await expect(store.repos.instances.insertNew([newInstance({ id: a.id })], clock.date())).rejects.toMatchObject({ code: '23505' });
      await expect(store.repos.inbox.append([{ instanceId: a.id, event: { type: 'setVariables', variables: { t: 'a\u0000' } } }])).rejects.toBeInstanceOf(FakeSqlError);
      await expect(
        store.transaction((tx) =>
          tx.changes.apply({
            now: clock.date(),
            newInstances: [],
            instanceUpdates: [],
            history: [],
            jobs: { open: [], close: [], retry: [] },
            userTasks: {
              open: [
                {
                  id: key(),
                  key: 'k',
                  tenantId: '<default>',
                  instanceId: a.id,
                  definitionId: '1',
                  bpmnProcessId: 'p',
                  elementId: 't',
                  name: null,
                  assignee: null,
                  candidateGroups: [],
                  candidateUsers: [],
                  formKey: null,
                  dueDate: 'next week',
                  followUpDate: null,
                },
              ],
              close: [],
            },
            timers: { open: [], close: [] },
            messageSubscriptions: { open: [], close: [] },
            signalSubscriptions: { open: [], close: [] },
            incidents: [],
            resolvedIncidentElements: [],
            canceledInstances: [],
            events: [],
            consumedEvents: [],
            idle: [],
          }),
        ),
      ).rejects.toMatchObject({ code: '22007' });
      expect(store.rows('userTasks')).toEqual([]);
    });
  });

  it('leases key nodes: one owner per node until its lease runs out', async () => {
    const store = new MemoryStore({ clock: clock.now });
    const a = await LeasedKeys.acquire(store.repos.keyNodes, 'a', { clock: clock.now, leaseMs: 60_000 });
    const b = await LeasedKeys.acquire(store.repos.keyNodes, 'b', { clock: clock.now, leaseMs: 60_000 });

    expect([a.nodeNumber, b.nodeNumber]).toEqual([0, 1]);
    expect(a.next()).not.toBe(b.next());
    await a.release();
    const c = await LeasedKeys.acquire(store.repos.keyNodes, 'c', { clock: clock.now, leaseMs: 60_000 });
    expect(c.nodeNumber).toBe(0);
    expect(await store.repos.keyNodes.renew(1, 'someone else', 1000)).toBe(false);
    await Promise.all([b.release(), c.release()]);
    expect(store.rows('keyNodes')).toEqual([]);
  });

  describe('test controls', () => {
    it('fail the next call of a method, or the next commit', async () => {
      const store = new MemoryStore({ clock: clock.now });
      store.failNext('instances.insertNew', new Error('full'));
      await expect(store.repos.instances.insertNew([newInstance()], clock.date())).rejects.toThrow('full');
      await store.repos.instances.insertNew([newInstance()], clock.date());

      store.failCommit(new Error('commit lost'));
      await expect(store.transaction((tx) => tx.instances.insertNew([newInstance()], clock.date()))).rejects.toThrow('commit lost');
      expect(store.rows('instances')).toHaveLength(1);
      expect(store.statements('instances.insertNew')).toBe(3);
    });
  });
});

import { FailureKind, Sweeper, type Key } from '../src';
import { engineFixture, RuntimeKit } from './fakes';

const SERVICE_TASK = engineFixture('tasks/service-task.bpmn');
const TIMER_CATCH = engineFixture('events/timer-catch.bpmn');

/** Instances started while the bus refused every publish: committed, never announced. */
async function lostStarts(kit: RuntimeKit, processId: string, n: number): Promise<Key[]> {
  kit.publisher.failAll();
  const ids: Key[] = [];
  for (let i = 0; i < n; i++) ids.push((await kit.instances.start(processId, {})).id);
  await kit.announcer.settled();
  kit.publisher.recover();
  return ids;
}

describe('Sweeper', () => {
  it('announces work that was committed but not announced once it is overdue, once per interval', async () => {
    const kit = new RuntimeKit();
    await kit.deploy(SERVICE_TASK);
    const ids = await lostStarts(kit, 'service-task', 2);

    expect(await kit.sweeper.sweepOnce()).toBe(0);
    kit.clock.advance(5_000);
    expect(await kit.sweeper.sweepOnce()).toBe(2);
    await kit.announcer.settled();
    expect(kit.publisher.take()).toEqual(ids);
    // Announced again: not again within this interval, even though nobody ran it yet.
    expect(await kit.sweeper.sweepOnce()).toBe(0);
    kit.clock.advance(5_000);
    expect(await kit.sweeper.sweepOnce()).toBe(2);

    await kit.drain();
    kit.clock.advance(5_000);
    expect(await kit.sweeper.sweepOnce()).toBe(0);
  });

  it('finds work whose announcement was lost (a fired timer): its inbox event marked the instance pending', async () => {
    const kit = new RuntimeKit();
    await kit.deploy(TIMER_CATCH);
    const id = await kit.startAndRun('timer-catch');
    kit.clock.advance(5_000);
    kit.publisher.failNext();
    await kit.timers.fireDue();
    await kit.announcer.settled();
    expect(kit.store.rows('instances')[0].pendingSince).toEqual(kit.clock.date());
    // Not overdue yet: a sweep leaves it to the announcement that may still arrive.
    expect(await kit.sweeper.sweepOnce()).toBe(0);

    kit.clock.advance(5_000);
    expect(await kit.sweeper.sweepOnce()).toBe(1);
    await kit.drain();
    expect((await kit.instances.get(id)).status).toBe('COMPLETED');
  });

  it('leaves suspended instances alone unless a command waits for them', async () => {
    const kit = new RuntimeKit();
    await kit.deploy(SERVICE_TASK);
    const id = await kit.startAndRun('service-task');
    const [job] = await kit.jobs.activate({ type: 'charge-card', workerId: 'w', maxJobs: 1, lockDurationMs: 60_000 });
    await kit.instances.suspend(id);
    await kit.jobs.complete(job.id, { workerId: 'w' });
    await kit.drain();

    kit.clock.advance(5_000);
    expect(await kit.sweeper.sweepOnce()).toBe(0);

    kit.store.holdLock(id);
    expect((await kit.instances.resume(id)).outcome).toBe('queued');
    kit.store.releaseLock(id);
    kit.publisher.take();
    kit.clock.advance(5_000);
    expect(await kit.sweeper.sweepOnce()).toBe(1);
    await kit.drain();
    expect((await kit.instances.get(id)).status).toBe('COMPLETED');
  });

  it('skips instances a worker holds', async () => {
    const kit = new RuntimeKit();
    await kit.deploy(SERVICE_TASK);
    const ids = await lostStarts(kit, 'service-task', 3);
    kit.store.holdLock(ids[0]);
    kit.clock.advance(5_000);

    expect(await kit.sweeper.sweepOnce()).toBe(2);
    await kit.announcer.settled();
    expect(kit.publisher.take()).toEqual(ids.slice(1));
  });

  it('takes at most its limit per pass, the longest pending first', async () => {
    const kit = new RuntimeKit();
    await kit.deploy(SERVICE_TASK);
    const ids = await lostStarts(kit, 'service-task', 3);
    const sweeper = new Sweeper(kit.store, kit.announcer, { intervalSeconds: 5, limit: 2 });
    kit.clock.advance(5_000);

    expect(await sweeper.sweepOnce()).toBe(2);
    expect(await sweeper.sweepOnce()).toBe(1);
    await kit.announcer.settled();
    expect(kit.publisher.take()).toEqual(ids);
  });

  it('takes every pending instance at once at start-up (olderThanSeconds 0)', async () => {
    const kit = new RuntimeKit();
    await kit.deploy(SERVICE_TASK);
    const ids = await lostStarts(kit, 'service-task', 2);

    expect(await kit.sweeper.sweepOnce(0)).toBe(2);
    await kit.announcer.settled();
    expect(kit.publisher.take()).toEqual(ids);
  });

  it('counts a failed pass through the observer and keeps sweeping', async () => {
    const kit = new RuntimeKit();
    const sweeper = new Sweeper(kit.store, kit.announcer, { intervalSeconds: 0.001, observer: kit.observer });
    kit.store.failNext('instances.claimOverdue', new Error('database restarting'));

    const stop = sweeper.start();
    for (let i = 0; i < 1000 && kit.store.statements('instances.claimOverdue') < 2; i++) await new Promise((resolve) => setTimeout(resolve, 2));
    await stop();

    expect(kit.store.statements('instances.claimOverdue')).toBeGreaterThanOrEqual(2);
    expect(kit.observer.failuresOf(FailureKind.SweepFailed).map((f) => f.detail)).toEqual([expect.stringContaining('database restarting')]);
  });
});

import { engineFixture, fixture, RuntimeKit } from './fakes';

const TIMER_CATCH = engineFixture('events/timer-catch.bpmn');
const TIMER_START = engineFixture('events/timer-start.bpmn');
const REMINDERS = engineFixture('events/non-interrupting-timer-cycle.bpmn');
const TIMER_DATE = fixture('bench/processes/timer-date.bpmn');

const HOUR = 3600_000;

describe('TimerService', () => {
  describe('instance timers', () => {
    it('fire once when due, and the instance moves on', async () => {
      const kit = new RuntimeKit();
      await kit.deploy(TIMER_CATCH);
      const id = await kit.startAndRun('timer-catch');

      kit.clock.advance(4_999);
      expect(await kit.timers.fireDue()).toBe(0);
      kit.clock.advance(1);
      expect(await kit.timers.fireDue()).toBe(1);
      expect(await kit.timers.fireDue()).toBe(0);

      expect(kit.store.rows('inbox').map((e) => e.event)).toEqual([{ type: 'trigger', ownerInstanceId: expect.any(String), elementId: 'wait' }]);
      await kit.drain();
      expect((await kit.instances.get(id)).status).toBe('COMPLETED');
      expect((await kit.trail(id)).filter((t) => t === 'wait:ELEMENT_COMPLETED')).toHaveLength(1);
      expect(kit.observer.timerLateness).toEqual([0]);
    });

    it('fire the timers that are due and leave the later ones', async () => {
      const kit = new RuntimeKit();
      await kit.deploy(TIMER_DATE);
      const early = await kit.startAndRun('TimerBench', { due: '2025-01-06T10:00:00Z' });
      const late = await kit.startAndRun('TimerBench', { due: '2025-01-06T11:00:00Z' });

      kit.clock.set(new Date('2025-01-06T10:30:00Z'));
      expect(await kit.timers.fireDue()).toBe(1);
      await kit.drain();
      expect((await kit.instances.get(early)).status).toBe('COMPLETED');
      expect((await kit.instances.get(late)).status).toBe('ACTIVE');
      expect(kit.observer.timerLateness).toEqual([30 * 60_000]);
    });

    it('run a pass only when a timer is due, and wait until the next is due (at most an interval)', async () => {
      const kit = new RuntimeKit();
      await kit.deploy(TIMER_CATCH);
      const id = await kit.startAndRun('timer-catch');
      // Due in 5 s: beyond a 100 ms interval, within a 10 s one.
      expect(await kit.timers.turn(100)).toEqual({ fired: 0, waitMs: 100 });
      expect(await kit.timers.turn(10_000)).toEqual({ fired: 0, waitMs: 5_000 });
      kit.clock.advance(4_970);
      expect(await kit.timers.turn(100)).toEqual({ fired: 0, waitMs: 30 });
      // Due but not claimable (its instance is suspended): a pass finds nothing, and no reason to wake early.
      await kit.instances.suspend(id);
      kit.clock.advance(100);
      expect(await kit.timers.turn(100)).toEqual({ fired: 0, waitMs: 100 });
      await kit.instances.resume(id);
      expect(await kit.timers.turn(100)).toEqual({ fired: 1, waitMs: 100 });
      await kit.drain();
      expect((await kit.instances.get(id)).status).toBe('COMPLETED');
    });

    it('wait while their instance is suspended and fire once it is resumed', async () => {
      const kit = new RuntimeKit();
      await kit.deploy(TIMER_CATCH);
      const id = await kit.startAndRun('timer-catch');
      await kit.instances.suspend(id);

      kit.clock.advance(HOUR);
      expect(await kit.timers.fireDue()).toBe(0);
      await kit.instances.resume(id);
      expect(await kit.timers.fireDue()).toBe(1);
      await kit.drain();
      expect((await kit.instances.get(id)).status).toBe('COMPLETED');
    });

    it('are canceled with their instance', async () => {
      const kit = new RuntimeKit();
      await kit.deploy(TIMER_CATCH);
      const id = await kit.startAndRun('timer-catch');
      await kit.instances.cancel(id);

      kit.clock.advance(HOUR);
      expect(await kit.timers.fireDue()).toBe(0);
      expect(kit.store.rows('timers').map((t) => t.state)).toEqual(['CANCELED']);
    });

    it('re-arm a cycle under the same row until its repetitions are spent', async () => {
      const kit = new RuntimeKit();
      await kit.deploy(REMINDERS);
      const id = await kit.startAndRun('non-interrupting-timer-cycle');

      const fired: number[] = [];
      for (let i = 0; i < 4; i++) {
        kit.clock.advance(10_000);
        fired.push(await kit.timers.fireDue());
        await kit.drain();
      }

      expect(fired).toEqual([1, 1, 1, 0]);
      expect(kit.store.rows('timers')).toHaveLength(1);
      expect(kit.store.rows('jobs').filter((j) => j.type === 'send-reminder')).toHaveLength(3);
      expect((await kit.instances.get(id)).status).toBe('ACTIVE');
    });

    it('roll back a pass that fails: the timers stay due and fire on the next pass', async () => {
      const kit = new RuntimeKit();
      await kit.deploy(TIMER_CATCH);
      await kit.startAndRun('timer-catch');
      kit.clock.advance(5_000);
      kit.store.failNext('inbox.append', new Error('connection lost'));

      await expect(kit.timers.fireDue()).rejects.toThrow('connection lost');
      expect(kit.store.rows('timers').map((t) => t.state)).toEqual(['SCHEDULED']);
      expect(await kit.timers.fireDue()).toBe(1);
    });
  });

  describe('timer start events', () => {
    it('start an instance when due and arm the next firing of the cycle', async () => {
      const kit = new RuntimeKit();
      const [definition] = await kit.deploy(TIMER_START);
      const deployedAt = kit.clock.now();
      expect(kit.store.rows('timers').map((t) => [t.definitionId, t.dueAt.getTime() - deployedAt, t.repetitions])).toEqual([[definition.id, HOUR, null]]);

      kit.clock.advance(HOUR);
      expect(await kit.timers.fireDue()).toBe(1);
      expect(await kit.timers.fireDue()).toBe(0);
      await kit.drain();

      const started = kit.store.rows('instances');
      expect(started.map((r) => [r.bpmnProcessId, r.status])).toEqual([['timer-start', 'COMPLETED']]);
      expect(kit.store.rows('timers').map((t) => [t.state, t.dueAt.getTime() - deployedAt])).toEqual([['SCHEDULED', 2 * HOUR]]);
      expect(kit.observer.started).toEqual(['timer-start']);

      kit.clock.advance(HOUR);
      expect(await kit.timers.fireDue()).toBe(1);
      expect(kit.store.rows('instances')).toHaveLength(2);
    });

    it('stop after the repetitions of a bounded cycle', async () => {
      const kit = new RuntimeKit();
      await kit.deploy(TIMER_START.replace('R/PT1H', 'R2/PT1H'));

      const fired: number[] = [];
      for (let i = 0; i < 3; i++) {
        kit.clock.advance(HOUR);
        fired.push(await kit.timers.fireDue());
      }

      expect(fired).toEqual([1, 1, 0]);
      expect(kit.store.rows('instances')).toHaveLength(2);
      expect(kit.store.rows('timers').map((t) => t.state)).toEqual(['FIRED']);
    });

    it('are replaced by the schedule of a new version', async () => {
      const kit = new RuntimeKit();
      await kit.deploy(TIMER_START);
      kit.clock.advance(30 * 60_000);
      const [v2] = await kit.deploy(TIMER_START.replace('R/PT1H', 'R/PT2H'));

      kit.clock.advance(30 * 60_000);
      expect(await kit.timers.fireDue()).toBe(0);
      kit.clock.advance(90 * 60_000);
      expect(await kit.timers.fireDue()).toBe(1);

      expect(kit.store.rows('timers').map((t) => [t.definitionId === v2.id, t.state])).toEqual([
        [false, 'CANCELED'],
        [true, 'SCHEDULED'],
      ]);
      expect(kit.store.rows('instances').map((r) => r.processVersion)).toEqual([2]);
    });
  });
});

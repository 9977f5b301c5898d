import { JobService, TimerService, VariableLimits } from '@baton/runtime';
import {
  big,
  engineFixture,
  eventually,
  runtimeOn,
  sleep,
  testKeys,
  testObserver,
  type RuntimeOnStore,
  type StoreAdapter,
} from './store-fixtures';

const SERVICE_TASK = engineFixture('tasks/service-task.bpmn');
const SHORT_TIMER = 'libs/runtime/test/fixtures/short-timer.bpmn';
const limits = new VariableLimits({ maxVariableSize: 1024, maxTotalVariables: 4096 });

/**
 * Jobs and timers (the "jobs and timers" port, README "What runs where") are rows of the store,
 * leased and fired with `FOR UPDATE SKIP LOCKED` (docs/architecture.md), so
 * their semantics are the store's: checked here on both store adapters.
 * Leases: one holder per job, expiry hands it on, only the holder settles
 * it, retries wait out their backoff, the last failure opens an incident.
 * Timers: each fires once however many pollers run, promptly, and the
 * instance moves on.
 */
export function describeSchedulerContract(adapter: StoreAdapter): void {
  describe(`Scheduler contract (jobs and timers): ${adapter.name}`, () => {
    let rt: RuntimeOnStore;
    let jobs: JobService;
    let timers: TimerService;

    beforeAll(async () => {
      rt = await runtimeOn(adapter, 'scheduler_contract');
      jobs = new JobService(rt.runtime, rt.announcer, limits, { pollIntervalMs: 20, observer: testObserver });
      timers = new TimerService(rt.runtime, rt.registry, rt.announcer, testKeys, { observer: testObserver });
    }, 60_000);

    afterAll(async () => {
      await rt?.close();
    });

    /** Completes whatever charge-card jobs a previous test left, so each test sees only its own. */
    afterEach(async () => {
      await rt.prisma.job.updateMany({ where: { state: { in: ['ACTIVATABLE', 'ACTIVATED'] } }, data: { state: 'CANCELED' } });
    });

    describe('job leases', () => {
      it('hands each activatable job to exactly one of several concurrent activations', async () => {
        const ids = await Promise.all(Array.from({ length: 6 }, (_, i) => rt.start(SERVICE_TASK, { i })));
        const batches = await Promise.all(
          ['w1', 'w2', 'w3'].map((workerId) => jobs.activate({ type: 'charge-card', workerId, maxJobs: 4, lockDurationMs: 30_000 })),
        );
        const all = batches.flat();
        expect(all).toHaveLength(6);
        expect(new Set(all.map((j) => j.id)).size).toBe(6);
        expect(all[0]).toMatchObject({ type: 'charge-card', retries: 5, elementId: 'charge', customHeaders: { method: 'visa', region: 'eu' } });
        expect(new Date(all[0].lockExpiresAt).getTime()).toBeGreaterThan(Date.now());
        const holder = new Map(batches.flatMap((b, i) => b.map((j) => [j.id, `w${i + 1}`] as const)));
        for (const job of all) await jobs.complete(job.id, { workerId: holder.get(job.id)!, variables: { paid: job.variables.i } });
        await rt.drain();
        for (const id of ids) expect(await rt.status(id)).toBe('COMPLETED');
      });

      it('lets only the lock holder settle a job, and hands an expired lock to another worker', async () => {
        const id = await rt.start(SERVICE_TASK);
        const [job] = await jobs.activate({ type: 'charge-card', workerId: 'slow', maxJobs: 1, lockDurationMs: 50 });
        expect(job.instanceId).toBe(id);
        await expect(jobs.complete(job.id, { workerId: 'thief' })).rejects.toMatchObject({ code: 'CONFLICT' });
        await sleep(80);
        const [again] = await jobs.activate({ type: 'charge-card', workerId: 'fast', maxJobs: 1, lockDurationMs: 30_000 });
        expect(again.id).toBe(job.id);
        await expect(jobs.complete(job.id, { workerId: 'slow' })).rejects.toMatchObject({ code: 'CONFLICT' });
        await jobs.complete(job.id, { workerId: 'fast' });
        // A settled job: the holder repeating its report (its answer was lost) is answered as the first time,
        // and nothing is written twice; anyone else, or another outcome, is refused.
        await jobs.complete(job.id, { workerId: 'fast' });
        expect(await rt.prisma.instanceEvent.count({ where: { instanceId: big(id) } })).toBe(1);
        await expect(jobs.complete(job.id, { workerId: 'slow' })).rejects.toMatchObject({ code: 'CONFLICT' });
        await expect(jobs.fail(job.id, { workerId: 'fast', errorMessage: 'late' })).rejects.toMatchObject({ code: 'CONFLICT' });
        await rt.drain();
        expect(await rt.status(id)).toBe('COMPLETED');
      });

      it('extends a lease on heartbeat', async () => {
        await rt.start(SERVICE_TASK);
        // A first lease long enough for the heartbeat to arrive in time on a busy machine; the check waits it out.
        const [job] = await jobs.activate({ type: 'charge-card', workerId: 'w', maxJobs: 1, lockDurationMs: 1_000 });
        await jobs.heartbeat(job.id, { workerId: 'w', lockDurationMs: 60_000 });
        await sleep(1_200);
        expect(await jobs.activate({ type: 'charge-card', workerId: 'other', maxJobs: 1, lockDurationMs: 1000 })).toEqual([]);
        await jobs.complete(job.id, { workerId: 'w' });
      });

      it('retries after the backoff, and opens an incident (the dead letter) when the retries run out', async () => {
        const id = await rt.start(SERVICE_TASK);
        const [job] = await jobs.activate({ type: 'charge-card', workerId: 'w', maxJobs: 1, lockDurationMs: 10_000 });
        // A backoff long enough that the activation right after the failure falls inside it on a busy machine.
        const failedAt = Date.now();
        await jobs.fail(job.id, { workerId: 'w', errorMessage: 'card declined', retryBackoffMs: 2_000 });
        expect(await jobs.activate({ type: 'charge-card', workerId: 'w', maxJobs: 1, lockDurationMs: 10_000 })).toEqual([]);
        const [retry] = await jobs.activate({ type: 'charge-card', workerId: 'w', maxJobs: 1, lockDurationMs: 10_000, requestTimeoutMs: 6_000 });
        expect(Date.now() - failedAt).toBeGreaterThanOrEqual(1_950);
        expect(retry).toMatchObject({ id: job.id, retries: 4 });
        await jobs.fail(job.id, { workerId: 'w', errorMessage: 'gateway down', retries: 0 });
        expect(await rt.prisma.job.findUniqueOrThrow({ where: { id: big(job.id) } })).toMatchObject({ state: 'FAILED', retries: 0 });
        // The engine raises the incident when a worker applies the failure from the inbox.
        await rt.drain();
        const incidents = await rt.incidents.list({ instanceId: id, limit: 50 });
        expect(incidents.items).toEqual([
          expect.objectContaining({ type: 'JOB_NO_RETRIES', jobId: job.id, message: 'gateway down', elementId: 'charge' }),
        ]);
        expect(await jobs.activate({ type: 'charge-card', workerId: 'w', maxJobs: 1, lockDurationMs: 10_000 })).toEqual([]);
        expect(await rt.status(id)).toBe('ACTIVE');
      });

      it('answers a long poll as soon as a job becomes activatable', async () => {
        const waiting = jobs.activate({ type: 'charge-card', workerId: 'w', maxJobs: 1, lockDurationMs: 10_000, requestTimeoutMs: 5_000 });
        await sleep(100);
        const started = Date.now();
        const id = await rt.start(SERVICE_TASK);
        const [job] = await waiting;
        expect(job).toMatchObject({ instanceId: id });
        expect(Date.now() - started).toBeLessThan(2_000);
        await jobs.complete(job.id, { workerId: 'w' });
      });

      it('does not hand out jobs of suspended instances', async () => {
        const id = await rt.start(SERVICE_TASK);
        expect((await rt.instances.suspend(id)).outcome).toBe('applied');
        expect(await jobs.activate({ type: 'charge-card', workerId: 'w', maxJobs: 5, lockDurationMs: 10_000 })).toEqual([]);
        expect((await rt.instances.resume(id)).outcome).toBe('applied');
        await rt.drain();
        const [job] = await jobs.activate({ type: 'charge-card', workerId: 'w', maxJobs: 5, lockDurationMs: 10_000 });
        expect(job.instanceId).toBe(id);
      });
    });

    describe('timers', () => {
      it('fires each of 100 timers due together exactly once with two pollers running, promptly', async () => {
        const definition = await rt.deploy(SHORT_TIMER);
        const started = await Promise.all(
          Array.from({ length: 100 }, () => rt.starter.start({ definition, variables: { wait: 'PT0.5S' } })),
        );
        const ids = started.map((s) => s.id);
        await rt.drain();
        expect(await rt.prisma.timer.count({ where: { instanceId: { in: ids.map(big) }, state: 'SCHEDULED' } })).toBe(100);
        const lateness: number[] = [];
        const pollers = [1, 2].map(() =>
          new TimerService(rt.runtime, rt.registry, rt.announcer, testKeys, {
            observer: { ...testObserver, timersFired: (l) => lateness.push(...l) },
          }).start(20),
        );
        try {
          await eventually('every timer to fire', async () => lateness.length >= 100, 10_000);
          await sleep(100);
        } finally {
          await Promise.all(pollers.map((stop) => stop()));
        }
        expect(lateness).toHaveLength(100);
        lateness.sort((a, b) => a - b);
        expect(lateness[94]).toBeLessThan(1_000);
        // One trigger event per instance in the inboxes: none fired twice.
        const triggers = await rt.prisma.instanceEvent.groupBy({ by: ['instanceId'], where: { instanceId: { in: ids.map(big) } }, _count: true });
        expect(triggers.map((t) => t._count)).toEqual(ids.map(() => 1));
        await rt.drain();
        expect(await rt.prisma.processInstance.count({ where: { id: { in: ids.map(big) }, status: 'COMPLETED' } })).toBe(100);
        expect(await timers.fireDue()).toBe(0);
      });

      it('wakes a poller when the next timer falls due, not a poll interval later', async () => {
        const definition = await rt.deploy(SHORT_TIMER);
        const { id } = await rt.starter.start({ definition, variables: { wait: 'PT1S' } });
        await rt.drain();
        const { due, nextInMs } = await rt.runtime.repos.timers.peek(5_000);
        expect(due).toBe(false);
        expect(nextInMs).toBeGreaterThan(0);
        expect(nextInMs).toBeLessThanOrEqual(1_000);
        expect(await rt.runtime.repos.timers.peek(1)).toEqual({ due: false, nextInMs: null });
        const lateness: number[] = [];
        // A 5 s interval: without the wake-up the timer would fire up to 5 s late.
        const stop = new TimerService(rt.runtime, rt.registry, rt.announcer, testKeys, {
          observer: { ...testObserver, timersFired: (l) => lateness.push(...l) },
        }).start(5_000);
        try {
          await eventually('the timer to fire', async () => lateness.length === 1, 10_000);
        } finally {
          await stop();
        }
        expect(lateness[0]).toBeLessThan(2_500);
        // Fired: nothing is due or next any more.
        expect(await rt.runtime.repos.timers.peek(5_000)).toEqual({ due: false, nextInMs: null });
        await rt.drain();
        expect(await rt.status(id)).toBe('COMPLETED');
      });

      it('keeps a timer that is not due yet, and fires it once it is', async () => {
        const definition = await rt.deploy(SHORT_TIMER);
        const { id } = await rt.starter.start({ definition, variables: { wait: 'PT0.4S' } });
        await rt.drain();
        expect(await timers.fireDue()).toBe(0);
        const due = (await rt.prisma.timer.findFirstOrThrow({ where: { instanceId: big(id) } })).dueAt.getTime();
        await eventually('the timer to be due', async () => Date.now() >= due + 10, 5_000);
        expect(await timers.fireDue()).toBe(1);
        await rt.drain();
        expect(await rt.status(id)).toBe('COMPLETED');
      });
    });
  });
}

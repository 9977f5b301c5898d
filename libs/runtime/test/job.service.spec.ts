import { JobService, JobSignal, RuntimeErrorCode, type ActivatedJob, type Key } from '../src';
import { engineFixture, fixture, RuntimeKit } from './fakes';

const SERVICE_TASK = engineFixture('tasks/service-task.bpmn');
const ERROR_BOUNDARY = engineFixture('events/error-boundary.bpmn');
const R3 = fixture('bench/processes/r3-service-task.bpmn');

const LEASE = 30_000;

async function withJobs(n: number, variables: Record<string, unknown> = {}): Promise<{ kit: RuntimeKit; ids: Key[] }> {
  const kit = new RuntimeKit({ limits: { maxVariableSize: 100, maxTotalVariables: 1000 } });
  await kit.deploy(SERVICE_TASK);
  const ids: Key[] = [];
  for (let i = 0; i < n; i++) ids.push((await kit.instances.start('service-task', { variables: { ...variables, i } })).id);
  await kit.drain();
  return { kit, ids };
}

const activate = (kit: RuntimeKit, workerId = 'w1', maxJobs = 10, extra: { fetchVariables?: string[]; tenants?: string[] } = {}) =>
  kit.jobs.activate({ type: 'charge-card', workerId, maxJobs, lockDurationMs: LEASE, ...extra });

describe('JobService', () => {
  describe('activate', () => {
    it('leases up to maxJobs jobs, never one job twice, with the variables the element sees', async () => {
      const { kit, ids } = await withJobs(3, { amount: 10 });

      const first = await activate(kit, 'w1', 2);
      const second = await activate(kit, 'w2', 2);
      const third = await activate(kit, 'w3', 2);

      expect(first.map((j) => j.instanceId)).toEqual(ids.slice(0, 2));
      expect(second.map((j) => j.instanceId)).toEqual([ids[2]]);
      expect(third).toEqual([]);
      expect(first[0]).toMatchObject({
        type: 'charge-card',
        elementId: 'charge',
        retries: 5,
        workerId: 'w1',
        variables: { amount: 10, i: 0 },
        customHeaders: { method: 'visa', region: 'eu' },
        lockExpiresAt: new Date(kit.clock.now() + LEASE).toISOString(),
      });
      expect(kit.observer.jobOutcomes.filter((o) => o.outcome === 'activated')).toHaveLength(3);
    });

    it('hands a job out again once its lease ran out', async () => {
      const { kit } = await withJobs(1);
      const [job] = await activate(kit, 'w1');

      kit.clock.advance(LEASE);
      expect(await activate(kit, 'w2')).toEqual([]);
      kit.clock.advance(1);
      expect((await activate(kit, 'w2')).map((j) => [j.id, j.workerId])).toEqual([[job.id, 'w2']]);
    });

    it('returns only the variables asked for', async () => {
      const { kit } = await withJobs(1, { amount: 10, secret: 's' });
      const [job] = await activate(kit, 'w1', 1, { fetchVariables: ['amount', 'missing'] });
      expect(job.variables).toEqual({ amount: 10 });
    });

    it('does not hand out jobs of suspended instances, nor of other tenants', async () => {
      const { kit, ids } = await withJobs(2);
      await kit.instances.suspend(ids[0]);

      expect((await activate(kit, 'w1', 10, { tenants: ['tenant-a'] })).map((j) => j.instanceId)).toEqual([]);
      expect((await activate(kit)).map((j) => j.instanceId)).toEqual([ids[1]]);
      await kit.instances.resume(ids[0]);
      expect((await activate(kit)).map((j) => j.instanceId)).toEqual([ids[0]]);
    });

    it('long-polls: answers as soon as a job appears', async () => {
      const kit = new RuntimeKit();
      await kit.deploy(R3);

      const polling = kit.jobs.activate({ type: 'bench-task', workerId: 'w', maxJobs: 1, lockDurationMs: LEASE, requestTimeoutMs: 60_000 });
      await kit.startAndRun('R3');

      expect((await polling).map((j) => j.elementId)).toEqual(['Task_Bench']);
    });

    it('with a JobSignal, a waiting poll wakes when this process commits a job of its type, not at its next poll', async () => {
      const signal = new JobSignal();
      const kit = new RuntimeKit({ unitOfWork: { jobSignal: signal } });
      await kit.deploy(R3);
      await kit.deploy(SERVICE_TASK);
      // A poll interval far beyond the test's timeout: only the signal can wake the poll in time.
      const jobs = new JobService(kit.store, kit.announcer, kit.limits, { signal, pollIntervalMs: 600_000 });
      const polling = jobs.activate({ type: 'bench-task', workerId: 'w', maxJobs: 1, lockDurationMs: LEASE, requestTimeoutMs: 600_000 });
      await new Promise((r) => setTimeout(r, 20));
      expect(signal.waitingPolls).toBe(1);
      const polls = kit.store.statements('jobs.activate');

      // A job of another type does not wake it.
      await kit.startAndRun('service-task');
      await new Promise((r) => setTimeout(r, 20));
      expect(kit.store.statements('jobs.activate')).toBe(polls);

      await kit.startAndRun('R3');
      expect((await polling).map((j) => j.elementId)).toEqual(['Task_Bench']);
      expect(kit.store.statements('jobs.activate')).toBe(polls + 1);
      expect(signal.waitingPolls).toBe(0);
    });

    it('a long poll ends at once, with no jobs, when the service closes (shutdown), and queries no more', async () => {
      const kit = new RuntimeKit();
      await kit.deploy(R3);
      const polling = kit.jobs.activate({ type: 'bench-task', workerId: 'w', maxJobs: 1, lockDurationMs: LEASE, requestTimeoutMs: 60_000 });
      await new Promise((r) => setTimeout(r, 20));
      expect(kit.store.statements('jobs.activate')).toBeGreaterThan(0);

      kit.jobs.close();

      expect(await polling).toEqual([]);
      const after = kit.store.statements('jobs.activate');
      await new Promise((r) => setTimeout(r, 20));
      expect(kit.store.statements('jobs.activate')).toBe(after);
    });
  });

  describe('complete and throwError', () => {
    it('puts the completion into the instance inbox and answers before the instance moves on', async () => {
      const { kit, ids } = await withJobs(1);
      const [job] = await activate(kit);

      await kit.jobs.complete(job.id, { workerId: 'w1', variables: { receipt: 'r-1' } });

      expect(kit.store.rows('jobs')[0]).toMatchObject({ state: 'COMPLETED', outcome: 'COMPLETED', outcomeWorkerId: 'w1' });
      expect(kit.store.rows('inbox').map((e) => e.event)).toEqual([{ type: 'complete', elementInstanceId: job.elementInstanceId, variables: { receipt: 'r-1' } }]);
      expect((await kit.instances.get(ids[0])).status).toBe('ACTIVE');
      await kit.drain();
      expect(await kit.instances.get(ids[0])).toMatchObject({ status: 'COMPLETED', variables: { receipt: 'r-1', i: 0 } });
      expect(kit.observer.jobOutcomes.map((o) => o.outcome)).toEqual(['activated', 'completed']);
    });

    it('touches no instance row: a completion whose announcement was lost is announced again by the sweeper from its inbox row', async () => {
      const { kit, ids } = await withJobs(1);
      const [job] = await activate(kit);
      kit.store.holdLock(ids[0]);
      kit.publisher.failNext();

      // A worker holds the instance (stepping it): the completion does not wait for it.
      await kit.jobs.complete(job.id, { workerId: 'w1', variables: { receipt: 'r-1' } });
      kit.store.releaseLock(ids[0]);
      await kit.drain();
      expect(kit.store.rows('instances')[0]).toMatchObject({ status: 'ACTIVE', pendingSince: null });
      expect(kit.store.rows('inbox')).toHaveLength(1);

      kit.clock.advance(5_000);
      expect(await kit.sweeper.sweepOnce()).toBe(1);
      await kit.drain();
      expect(await kit.instances.get(ids[0])).toMatchObject({ status: 'COMPLETED', variables: { receipt: 'r-1', i: 0 } });
    });

    it('answers a completion retried by the same worker with the same variables as the first, without a second event', async () => {
      const { kit } = await withJobs(1);
      const [job] = await activate(kit);
      await kit.jobs.complete(job.id, { workerId: 'w1', variables: { a: 1 } });

      await expect(kit.jobs.complete(job.id, { workerId: 'w1', variables: { a: 1 } })).resolves.toBeUndefined();

      expect(kit.store.rows('inbox')).toHaveLength(1);
      await kit.drain();
      await expect(kit.jobs.complete(job.id, { workerId: 'w1', variables: { a: 1 } })).resolves.toBeUndefined();
      expect(kit.store.rows('inbox')).toHaveLength(0);
    });

    it('refuses with 409 saying why: another worker, another result, another outcome', async () => {
      const { kit } = await withJobs(1);
      const [job] = await activate(kit);

      await expect(kit.jobs.complete(job.id, { workerId: 'w2' })).rejects.toMatchObject({
        code: RuntimeErrorCode.Conflict,
        message: expect.stringContaining("locked by another worker, not by 'w2'"),
      });
      await kit.jobs.complete(job.id, { workerId: 'w1', variables: { a: 1 } });

      await expect(kit.jobs.complete(job.id, { workerId: 'w1', variables: { a: 2 } })).rejects.toMatchObject({
        code: RuntimeErrorCode.Conflict,
        message: expect.stringContaining('already reported with a different result by this worker'),
      });
      await expect(kit.jobs.complete(job.id, { workerId: 'w2', variables: { a: 1 } })).rejects.toMatchObject({
        message: expect.stringContaining("by worker 'w1'"),
      });
      await expect(kit.jobs.throwError(job.id, { workerId: 'w1', errorCode: 'X' })).rejects.toMatchObject({
        code: RuntimeErrorCode.Conflict,
        message: expect.stringContaining('already reported as COMPLETED by this worker'),
      });
      await expect(kit.jobs.fail(job.id, { workerId: 'w1', errorMessage: 'boom' })).rejects.toMatchObject({ code: RuntimeErrorCode.Conflict });
      expect(kit.store.rows('inbox')).toHaveLength(1);
    });

    it('refuses a job that is not leased, whose lease ran out, or that does not exist', async () => {
      const { kit, ids } = await withJobs(2);
      const jobId = kit.store.rows('jobs')[0].id;
      await expect(kit.jobs.complete(jobId, { workerId: 'w1' })).rejects.toMatchObject({ message: expect.stringContaining('is ACTIVATABLE, not activated') });

      const [job] = await activate(kit, 'w1', 1);
      kit.clock.advance(LEASE + 1);
      await expect(kit.jobs.complete(job.id, { workerId: 'w1' })).rejects.toMatchObject({ message: expect.stringContaining('has expired') });

      await expect(kit.jobs.complete('123', { workerId: 'w1' })).rejects.toMatchObject({ code: RuntimeErrorCode.NotFound });
      await expect(kit.jobs.complete('x-1', { workerId: 'w1' })).rejects.toMatchObject({ code: RuntimeErrorCode.NotFound });
      expect(kit.store.rows('inbox')).toEqual([]);
      expect(ids).toHaveLength(2);
    });

    it('refuses a job whose instance has ended', async () => {
      const { kit, ids } = await withJobs(1);
      const [job] = await activate(kit);
      kit.store.holdLock(ids[0]);
      // The cancel waits in the inbox; once applied, the job's instance is over.
      await kit.instances.cancel(ids[0]);
      kit.store.releaseLock(ids[0]);
      await kit.drain();

      await expect(kit.jobs.complete(job.id, { workerId: 'w1' })).rejects.toMatchObject({ code: RuntimeErrorCode.Conflict });
    });

    it('decides each request of a group on its own: refusals do not fail the others', async () => {
      const { kit } = await withJobs(4);
      const jobs = await activate(kit, 'w1', 4);

      const results = await Promise.allSettled([
        kit.jobs.complete(jobs[0].id, { workerId: 'w1' }),
        kit.jobs.complete(jobs[1].id, { workerId: 'intruder' }),
        kit.jobs.complete('424242', { workerId: 'w1' }),
        // Each variable within its limit, together over the instance's total: decided in the group.
        kit.jobs.complete(jobs[2].id, { workerId: 'w1', variables: Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`v${i}`, 'x'.repeat(90)])) }),
        kit.jobs.complete(jobs[3].id, { workerId: 'w1', variables: { fine: true } }),
      ]);

      expect(results.map((r) => (r.status === 'fulfilled' ? 'ok' : (r.reason as { code: string }).code))).toEqual([
        'ok',
        RuntimeErrorCode.Conflict,
        RuntimeErrorCode.NotFound,
        RuntimeErrorCode.Unprocessable,
        'ok',
      ]);
      expect(kit.store.statements('jobs.settle')).toBe(1);
      expect(kit.store.rows('inbox').map((e) => e.instanceId).sort()).toEqual([jobs[0], jobs[3]].map((j) => j.instanceId).sort());
      expect(kit.store.rows('jobs').map((j) => j.state)).toEqual(['COMPLETED', 'ACTIVATED', 'ACTIVATED', 'COMPLETED']);
    });

    it('refuses variables that would push the instance over its total with 422 naming the largest', async () => {
      const { kit } = await withJobs(1, { stored: 'z'.repeat(90) });
      const [job] = await activate(kit);
      // 1000 bytes in all: the stored 92 plus ten of 92 go over.
      const variables = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`v${i}`, 'q'.repeat(i === 7 ? 95 : 90)]));

      await expect(kit.jobs.complete(job.id, { workerId: 'w1', variables })).rejects.toMatchObject({
        code: RuntimeErrorCode.Unprocessable,
        errors: [{ variable: 'v7' }],
      });
      expect(kit.store.rows('jobs')[0].state).toBe('ACTIVATED');
    });

    it('routes a BPMN error to the boundary event that catches it', async () => {
      const kit = new RuntimeKit();
      await kit.deploy(ERROR_BOUNDARY);
      const id = await kit.startAndRun('error-boundary');
      const [job] = await kit.jobs.activate({ type: 'charge', workerId: 'w', maxJobs: 1, lockDurationMs: LEASE });

      await kit.jobs.throwError(job.id, { workerId: 'w', errorCode: 'PAYMENT_FAILED', errorMessage: 'card declined' });
      await kit.jobs.throwError(job.id, { workerId: 'w', errorCode: 'PAYMENT_FAILED', errorMessage: 'card declined' });
      await kit.drain();

      expect(await kit.trail(id)).toEqual(expect.arrayContaining(['payment_failed:ELEMENT_COMPLETED', 'end_failed:ELEMENT_COMPLETED']));
      expect((await kit.instances.get(id)).status).toBe('COMPLETED');
      expect(kit.observer.jobOutcomes.map((o) => o.outcome)).toEqual(['activated', 'error']);
    });
  });

  describe('fail', () => {
    it('with retries left: the job comes back after the backoff, nothing reaches the instance', async () => {
      const { kit } = await withJobs(1);
      const [job] = await activate(kit);

      await kit.jobs.fail(job.id, { workerId: 'w1', errorMessage: 'timeout', retryBackoffMs: 1000 });

      expect(kit.store.rows('jobs')[0]).toMatchObject({ state: 'ACTIVATABLE', retries: 4, errorMessage: 'timeout', workerId: null });
      expect(kit.store.rows('inbox')).toEqual([]);
      expect(await activate(kit, 'w2')).toEqual([]);
      kit.clock.advance(1000);
      expect((await activate(kit, 'w2')).map((j) => [j.id, j.retries])).toEqual([[job.id, 4]]);
      expect(kit.observer.jobOutcomes.map((o) => o.outcome)).toEqual(['activated', 'failed', 'activated']);
    });

    it('at 0 retries: a jobFailed event, and the instance opens a JOB_NO_RETRIES incident naming the job', async () => {
      const { kit, ids } = await withJobs(1);
      const [job] = await activate(kit);

      await kit.jobs.fail(job.id, { workerId: 'w1', errorMessage: 'card service down', retries: 0 });
      expect(kit.store.rows('inbox').map((e) => e.event)).toEqual([{ type: 'jobFailed', elementInstanceId: job.elementInstanceId, errorMessage: 'card service down' }]);
      await kit.drain();

      expect(kit.store.rows('jobs')[0]).toMatchObject({ state: 'FAILED', retries: 0 });
      expect((await kit.instances.get(ids[0])).incidents).toEqual([
        expect.objectContaining({ type: 'JOB_NO_RETRIES', elementId: 'charge', message: 'card service down', jobId: job.id, resolvedAt: null }),
      ]);
      expect(await activate(kit, 'w2')).toEqual([]);
      expect(kit.observer.jobOutcomes.map((o) => o.outcome)).toEqual(['activated', 'incident']);
    });

    it('answers a retried failure as the first, without a second event', async () => {
      const { kit } = await withJobs(1);
      const [job] = await activate(kit);
      await kit.jobs.fail(job.id, { workerId: 'w1', errorMessage: 'x', retries: 0 });

      await expect(kit.jobs.fail(job.id, { workerId: 'w1', errorMessage: 'x', retries: 0 })).resolves.toBeUndefined();
      expect(kit.store.rows('inbox')).toHaveLength(1);
      await expect(kit.jobs.fail(job.id, { workerId: 'w1', errorMessage: 'y', retries: 0 })).rejects.toMatchObject({ code: RuntimeErrorCode.Conflict });
    });

    it('a failure with retries left does not leave the instance pending for the sweeper forever', async () => {
      // JobService.fail touches the instance (marking it pending) also when no event is written;
      // a batch that finds nothing to do writes nothing, so pendingSince is never cleared and the
      // sweeper re-announces the instance every interval for as long as it waits.
      const { kit } = await withJobs(1);
      const [job] = await activate(kit);
      await kit.jobs.fail(job.id, { workerId: 'w1', errorMessage: 'x' });
      await kit.drain();

      const announced: number[] = [];
      for (let i = 0; i < 3; i++) {
        kit.clock.advance(5_000);
        announced.push(await kit.sweeper.sweepOnce());
        await kit.drain();
      }
      expect(announced).toEqual([0, 0, 0]);
    });
  });

  describe('heartbeat', () => {
    it('extends the lease for the worker that holds it, and only for it', async () => {
      const { kit } = await withJobs(1);
      const [job] = await activate(kit);
      kit.clock.advance(20_000);

      await kit.jobs.heartbeat(job.id, { workerId: 'w1', lockDurationMs: LEASE });
      expect(kit.store.rows('jobs')[0].lockExpiresAt).toEqual(new Date(kit.clock.now() + LEASE));

      await expect(kit.jobs.heartbeat(job.id, { workerId: 'w2', lockDurationMs: LEASE })).rejects.toMatchObject({ code: RuntimeErrorCode.Conflict });
      kit.clock.advance(LEASE + 1);
      await expect(kit.jobs.heartbeat(job.id, { workerId: 'w1', lockDurationMs: LEASE })).rejects.toMatchObject({ message: expect.stringContaining('expired') });
      await expect(kit.jobs.heartbeat('77', { workerId: 'w1', lockDurationMs: LEASE })).rejects.toMatchObject({ code: RuntimeErrorCode.NotFound });
    });
  });

  describe('updateRetries', () => {
    it('sets the retries of a waiting or leased job without touching its state or lease', async () => {
      const { kit } = await withJobs(2);
      const [leased] = await activate(kit, 'w1', 1);
      const waiting = kit.store.rows('jobs').find((j) => j.id !== leased.id);
      if (waiting === undefined) throw new Error('no waiting job');

      await kit.jobs.updateRetries(leased.id, 7);
      await kit.jobs.updateRetries(waiting.id, 2);

      const rows = new Map(kit.store.rows('jobs').map((j) => [j.id, j]));
      expect(rows.get(leased.id)).toMatchObject({ state: 'ACTIVATED', workerId: 'w1', retries: 7, lockExpiresAt: new Date(kit.clock.now() + LEASE) });
      expect(rows.get(waiting.id)).toMatchObject({ state: 'ACTIVATABLE', workerId: null, retries: 2 });
      // The lease holder fails it: one fewer than the retries set.
      await kit.jobs.fail(leased.id, { workerId: 'w1', errorMessage: 'x' });
      expect(kit.store.rows('jobs').find((j) => j.id === leased.id)).toMatchObject({ state: 'ACTIVATABLE', retries: 6 });
    });

    it('refuses retries below 1 or beyond 32 bits (400), an unknown job (404), an ended one (409)', async () => {
      const { kit } = await withJobs(1);
      const [job] = await activate(kit);
      for (const bad of [0, -1, 1.5, 2 ** 31]) {
        await expect(kit.jobs.updateRetries(job.id, bad)).rejects.toMatchObject({ code: RuntimeErrorCode.BadRequest });
      }
      expect(kit.store.rows('jobs')[0]).toMatchObject({ retries: job.retries });
      await expect(kit.jobs.updateRetries('77', 3)).rejects.toMatchObject({ code: RuntimeErrorCode.NotFound });
      await expect(kit.jobs.updateRetries('not-a-key', 3)).rejects.toMatchObject({ code: RuntimeErrorCode.NotFound });
      await kit.jobs.complete(job.id, { workerId: 'w1' });
      await expect(kit.jobs.updateRetries(job.id, 3)).rejects.toMatchObject({ code: RuntimeErrorCode.Conflict });
      expect(kit.store.rows('jobs')[0]).toMatchObject({ state: 'COMPLETED', retries: job.retries });
    });
  });

  it('a duplicate of a completion in the same group is not answered before its group commits', async () => {
    // JobService.decide resolves the second of two identical requests at once (answeredBefore sees
    // the first one's settlement in the group); when the commit then fails, the first is rejected
    // but the duplicate has been told its completion was taken.
    const { kit } = await withJobs(1);
    const [job]: ActivatedJob[] = await activate(kit);
    kit.store.failNext('jobs.settle', new Error('lost the connection'));

    const results = await Promise.allSettled([kit.jobs.complete(job.id, { workerId: 'w1' }), kit.jobs.complete(job.id, { workerId: 'w1' })]);

    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });
});

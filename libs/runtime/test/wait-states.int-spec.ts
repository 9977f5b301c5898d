import { backoffDelay, CorrelationService, IncidentService, JobService, TimerService, VariableLimits } from '../src';
import { big, bpmn, harness, testKeys, testObserver, type Harness } from './runtime-harness';

const fixture = (p: string) => bpmn(`libs/engine/test/fixtures/bpmn/${p}`);
const limits = new VariableLimits({ maxVariableSize: 1024, maxTotalVariables: 4096 });

describe('wait states (Postgres)', () => {
  let h: Harness;
  let jobs: JobService;
  let correlation: CorrelationService;
  let incidents: IncidentService;
  let timers: TimerService;

  beforeAll(async () => {
    h = await harness('waits');
    jobs = new JobService(h.runtime, h.announcer, limits, { pollIntervalMs: 20 });
    correlation = new CorrelationService(h.runtime, h.registry, h.announcer, limits, testKeys);
    incidents = new IncidentService(h.runtime, h.unitOfWork);
    timers = new TimerService(h.runtime, h.registry, h.announcer, testKeys, { observer: testObserver });
  }, 60_000);
  afterAll(() => h.close());

  async function start(file: string, variables: Record<string, unknown> = {}): Promise<string> {
    const { processes } = await h.registry.deploy(fixture(file));
    const definition = await h.registry.byId(processes[0].id);
    const { id } = await h.starter.start({ definition: definition!, variables });
    await h.drain();
    return id;
  }
  const status = async (id: string) => (await h.db.prisma.processInstance.findUniqueOrThrow({ where: { id: big(id) } })).status;

  describe('jobs', () => {
    it('activates each job once across concurrent activations, completes it and moves the instance on', async () => {
      const ids = await Promise.all(Array.from({ length: 6 }, (_, i) => start('tasks/service-task.bpmn', { i })));
      const batches = await Promise.all(
        ['w1', 'w2', 'w3'].map((workerId) => jobs.activate({ type: 'charge-card', workerId, maxJobs: 4, lockDurationMs: 30_000 })),
      );
      const all = batches.flat();
      expect(all).toHaveLength(6);
      expect(new Set(all.map((j) => j.id)).size).toBe(6);
      expect(all[0]).toMatchObject({ type: 'charge-card', retries: 5, elementId: 'charge' });
      expect(new Date(all[0].lockExpiresAt).getTime()).toBeGreaterThan(Date.now());
      const byWorker = new Map(batches.flatMap((b, i) => b.map((j) => [j.id, `w${i + 1}`] as const)));
      for (const job of all) await jobs.complete(job.id, { workerId: byWorker.get(job.id)!, variables: { paid: job.variables.i } });
      await h.drain();
      for (const id of ids) expect(await status(id)).toBe('COMPLETED');
    });

    it('only the lock holder may complete; an expired lock hands the job to another worker', async () => {
      const id = await start('tasks/service-task.bpmn');
      const [job] = await jobs.activate({ type: 'charge-card', workerId: 'slow', maxJobs: 1, lockDurationMs: 50 });
      expect(job.instanceId).toBe(id);
      await expect(jobs.complete(job.id, { workerId: 'thief' })).rejects.toMatchObject({ code: 'CONFLICT' });
      await new Promise((r) => setTimeout(r, 80));
      const [again] = await jobs.activate({ type: 'charge-card', workerId: 'fast', maxJobs: 1, lockDurationMs: 30_000 });
      expect(again.id).toBe(job.id);
      await expect(jobs.complete(job.id, { workerId: 'slow' })).rejects.toMatchObject({ code: 'CONFLICT' });
      await jobs.complete(job.id, { workerId: 'fast' });
      // The same worker repeating its completion (its answer was lost) is answered as the first time.
      await jobs.complete(job.id, { workerId: 'fast' });
      expect(await h.db.prisma.instanceEvent.count({ where: { instanceId: big(id) } })).toBe(1);
      await expect(jobs.complete(job.id, { workerId: 'slow' })).rejects.toMatchObject({
        code: 'CONFLICT',
        message: expect.stringContaining(`by worker 'fast'`),
      });
      await expect(jobs.fail(job.id, { workerId: 'fast', errorMessage: 'late' })).rejects.toMatchObject({
        code: 'CONFLICT',
        message: expect.stringContaining('as COMPLETED'),
      });
      await h.drain();
      expect(await status(id)).toBe('COMPLETED');
    });

    it('settles completions that arrive together in one group, deciding each on its own', async () => {
      const blob = 'x'.repeat(1000);
      const [a, b, c] = await Promise.all([
        start('tasks/service-task.bpmn'),
        start('tasks/service-task.bpmn'),
        start('tasks/service-task.bpmn', { v1: blob, v2: blob, v3: blob }),
      ]);
      const leased = await jobs.activate({ type: 'charge-card', workerId: 'w', maxJobs: 3, lockDurationMs: 30_000 });
      const jobOf = new Map(leased.map((j) => [j.instanceId, j.id]));
      const results = await Promise.allSettled([
        jobs.complete(jobOf.get(a)!, { workerId: 'w', variables: { ok: true } }),
        jobs.complete(jobOf.get(a)!, { workerId: 'w' }),
        jobs.complete(jobOf.get(b)!, { workerId: 'thief' }),
        jobs.complete(jobOf.get(c)!, { workerId: 'w', variables: { v4: blob, v5: blob } }),
        jobs.complete('1', { workerId: 'w' }),
      ]);
      expect(results[0].status).toBe('fulfilled');
      expect(results.slice(1).map((r) => (r.status === 'rejected' ? (r.reason as { code: string }).code : 'fulfilled'))).toEqual([
        'CONFLICT',
        'CONFLICT',
        'UNPROCESSABLE',
        'NOT_FOUND',
      ]);
      const states = await h.db.prisma.job.findMany({ where: { id: { in: [...jobOf.values()].map((k) => big(k)) } } });
      expect(new Map(states.map((j) => [j.instanceId.toString(), j.state]))).toEqual(
        new Map([
          [a, 'COMPLETED'],
          [b, 'ACTIVATED'],
          [c, 'ACTIVATED'],
        ]),
      );
      await Promise.all([jobs.complete(jobOf.get(b)!, { workerId: 'w' }), jobs.complete(jobOf.get(c)!, { workerId: 'w' })]);
      await h.drain();
      for (const id of [a, b, c]) expect(await status(id)).toBe('COMPLETED');
    });

    it('heartbeat extends the lock; unknown jobs are 404', async () => {
      await start('tasks/service-task.bpmn');
      // A first lock long enough for the heartbeat to arrive in time on a busy machine; the check waits it out.
      const [job] = await jobs.activate({ type: 'charge-card', workerId: 'w', maxJobs: 1, lockDurationMs: 1_000 });
      await jobs.heartbeat(job.id, { workerId: 'w', lockDurationMs: 60_000 });
      await new Promise((r) => setTimeout(r, 1_200));
      expect(await jobs.activate({ type: 'charge-card', workerId: 'other', maxJobs: 1, lockDurationMs: 1000 })).toEqual([]);
      await jobs.complete(job.id, { workerId: 'w' });
      await expect(jobs.complete('2', { workerId: 'w' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(jobs.complete('not-a-uuid', { workerId: 'w' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });

    it('fail decrements retries and delays by the backoff; at 0 an incident opens; resolve with retries resumes', async () => {
      const id = await start('tasks/service-task.bpmn');
      const [job] = await jobs.activate({ type: 'charge-card', workerId: 'w', maxJobs: 1, lockDurationMs: 10_000 });
      // A backoff long enough that the activation right after the failure falls inside it on a busy machine.
      await jobs.fail(job.id, { workerId: 'w', errorMessage: 'card declined', retryBackoffMs: 2_000 });
      expect(await jobs.activate({ type: 'charge-card', workerId: 'w', maxJobs: 1, lockDurationMs: 10_000 })).toEqual([]);
      const [retry] = await jobs.activate({ type: 'charge-card', workerId: 'w', maxJobs: 1, lockDurationMs: 10_000, requestTimeoutMs: 5_000 });
      expect(retry).toMatchObject({ id: job.id, retries: 4 });
      await jobs.fail(job.id, { workerId: 'w', errorMessage: 'gateway down', retries: 0 });
      // The engine raises the incident when a worker applies the failure from the inbox.
      await h.drain();
      const open = await incidents.list({ instanceId: id, limit: 50 });
      expect(open.items).toEqual([
        expect.objectContaining({ type: 'JOB_NO_RETRIES', jobId: job.id, message: 'gateway down', elementId: 'charge', resolvedAt: null }),
      ]);
      expect(await jobs.activate({ type: 'charge-card', workerId: 'w', maxJobs: 1, lockDurationMs: 10_000 })).toEqual([]);
      const resolved = await incidents.resolve(open.items[0].id, { retries: 2 });
      expect(resolved).toMatchObject({ outcome: 'applied', value: { resolvedAt: expect.any(String) } });
      const [third] = await jobs.activate({ type: 'charge-card', workerId: 'w', maxJobs: 1, lockDurationMs: 10_000 });
      expect(third).toMatchObject({ id: job.id, retries: 2 });
      const history = await h.db.prisma.$queryRawUnsafe<{ type: string }[]>(
        `SELECT type::text AS type FROM "HistoryEvent" WHERE "instanceId" = $1::bigint AND type IN ('INCIDENT_CREATED', 'INCIDENT_RESOLVED') ORDER BY id`,
        id,
      );
      expect(history.map((e) => e.type)).toEqual(['INCIDENT_CREATED', 'INCIDENT_RESOLVED']);
      await expect(incidents.resolve(open.items[0].id)).rejects.toMatchObject({ code: 'CONFLICT' });
    });

    it('a BPMN error from the job is caught by the matching boundary event', async () => {
      const id = await start('events/error-boundary.bpmn', { valid: true });
      const [job] = await jobs.activate({ type: 'charge', workerId: 'w', maxJobs: 1, lockDurationMs: 10_000 });
      await jobs.throwError(job.id, { workerId: 'w', errorCode: 'PAYMENT_FAILED', variables: { reason: 'x' } });
      await h.drain();
      expect(await status(id)).toBe('COMPLETED');
      const ends = await h.db.prisma.$queryRawUnsafe<unknown[]>(`SELECT 1 FROM "HistoryEvent" WHERE "instanceId" = $1::bigint AND "elementId" = 'end_failed'`, id);
      expect(ends).toHaveLength(2);
    });

    it('completion variables pass the size limits and nothing is written when they do not', async () => {
      const id = await start('tasks/service-task.bpmn');
      const [job] = await jobs.activate({ type: 'charge-card', workerId: 'w', maxJobs: 1, lockDurationMs: 10_000 });
      await expect(jobs.complete(job.id, { workerId: 'w', variables: { blob: 'x'.repeat(2000) } })).rejects.toMatchObject({
        code: 'UNPROCESSABLE',
        errors: [expect.objectContaining({ variable: 'blob' })],
      });
      const row = await h.db.prisma.job.findUniqueOrThrow({ where: { id: big(job.id) } });
      expect(row.state).toBe('ACTIVATED');
      expect(await h.db.prisma.instanceEvent.count({ where: { instanceId: big(id) } })).toBe(0);
    });

    it('backoff policies follow their shape', () => {
      const base = { baseMs: 100, capMs: 1000 };
      expect([1, 2, 3].map((n) => backoffDelay({ kind: 'fixed', ...base }, n))).toEqual([100, 100, 100]);
      expect([1, 2, 3, 20].map((n) => backoffDelay({ kind: 'linear', ...base }, n))).toEqual([100, 200, 300, 1000]);
      expect([1, 2, 3, 5].map((n) => backoffDelay({ kind: 'exponential', ...base }, n))).toEqual([100, 200, 400, 1000]);
      for (let n = 1; n < 8; n++) {
        const exp = Math.min(1000, 100 * 2 ** (n - 1));
        const full = backoffDelay({ kind: 'exponential-full-jitter', ...base }, n);
        const equal = backoffDelay({ kind: 'exponential-equal-jitter', ...base }, n);
        expect(full).toBeGreaterThanOrEqual(0);
        expect(full).toBeLessThan(exp);
        expect(equal).toBeGreaterThanOrEqual(exp / 2);
        expect(equal).toBeLessThanOrEqual(exp);
      }
      expect(backoffDelay({ kind: 'exponential-full-jitter', ...base }, 3, () => 0.5)).toBe(200);
      expect(backoffDelay({ kind: 'exponential-equal-jitter', ...base }, 3, () => 0.5)).toBe(300);
    });
  });

  describe('messages and signals', () => {
    it('correlates by name and key, at most one instance per process key', async () => {
      const a = await start('events/message-catch.bpmn', { orderId: 'K1' });
      const b = await start('events/message-catch.bpmn', { orderId: 'K1' });
      const first = await correlation.publishMessage({ name: 'payment', correlationKey: 'K1', variables: { amount: 5 } });
      expect(first).toEqual({ messageKey: expect.any(String), correlated: [expect.any(String)], started: [], buffered: false });
      const second = await correlation.publishMessage({ name: 'payment', correlationKey: 'K1' });
      expect(second.correlated).toHaveLength(1);
      expect(new Set([...first.correlated, ...second.correlated])).toEqual(new Set([a, b]));
      await h.drain();
      expect(await status(a)).toBe('COMPLETED');
      expect(await status(b)).toBe('COMPLETED');
      expect(await correlation.publishMessage({ name: 'payment', correlationKey: 'K1' })).toMatchObject({ correlated: [], started: [], buffered: false });
    });

    it('buffers an unmatched message with a TTL and delivers it when the subscription opens', async () => {
      const sent = await correlation.publishMessage({ name: 'payment', correlationKey: 'LATE', timeToLiveMs: 60_000, messageId: 'm-1', variables: { via: 'buffer' } });
      expect(sent).toMatchObject({ correlated: [], started: [], buffered: true });
      await expect(correlation.publishMessage({ name: 'payment', correlationKey: 'LATE', timeToLiveMs: 60_000, messageId: 'm-1' })).rejects.toMatchObject({ code: 'CONFLICT' });
      const id = await start('events/message-catch.bpmn', { orderId: 'LATE' });
      await h.drain();
      expect(await status(id)).toBe('COMPLETED');
      expect((await h.db.prisma.processInstance.findUniqueOrThrow({ where: { id: big(id) } })).variables).toMatchObject({ via: 'buffer' });
      expect(await h.db.prisma.bufferedMessage.count({ where: { messageId: 'm-1' } })).toBe(0);
      expect(await h.db.prisma.messageSubscription.count({ where: { instanceId: big(id) } })).toBe(0);
    });

    it('does not deliver a buffered message after its TTL', async () => {
      await correlation.publishMessage({ name: 'payment', correlationKey: 'EXPIRED', timeToLiveMs: 50 });
      await new Promise((r) => setTimeout(r, 80));
      const id = await start('events/message-catch.bpmn', { orderId: 'EXPIRED' });
      expect(await status(id)).toBe('ACTIVE');
      expect(await h.db.prisma.messageSubscription.count({ where: { instanceId: big(id) } })).toBe(1);
    });

    it('1,000 concurrent messages to 1,000 instances: none lost, none delivered twice', async () => {
      const definition = await defOf('events/message-catch.bpmn');
      const ids = await Promise.all(
        Array.from({ length: 1000 }, (_, i) => h.starter.start({ definition, variables: { orderId: `C${i}` } })),
      );
      await h.drain();
      const results = await Promise.all(ids.map((_, i) => correlation.publishMessage({ name: 'payment', correlationKey: `C${i}` })));
      expect(results.every((r) => r.correlated.length === 1)).toBe(true);
      const dup = await Promise.all(ids.map((_, i) => correlation.publishMessage({ name: 'payment', correlationKey: `C${i}` })));
      expect(dup.every((r) => r.correlated.length === 0)).toBe(true);
      await h.drain();
      const done = await h.db.prisma.processInstance.count({ where: { id: { in: ids.map((s) => big(s.id)) }, status: 'COMPLETED' } });
      expect(done).toBe(1000);
      const [ends] = await h.db.prisma.$queryRawUnsafe<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM "HistoryEvent" WHERE "instanceId" = ANY($1::bigint[]) AND "elementId" = 'wait_payment' AND type = 'ELEMENT_COMPLETED'`,
        ids.map((s) => s.id),
      );
      expect(ends.n).toBe(1000);
    }, 60_000);

    it('signals reach every waiting instance', async () => {
      const ids = await Promise.all([start('events/signal.bpmn'), start('events/signal.bpmn')]);
      const { triggered } = await correlation.broadcastSignal('go-ahead', { go: true });
      expect(triggered).toBeGreaterThanOrEqual(2);
      await h.drain();
      for (const id of ids) expect(await status(id)).toBe('COMPLETED');
    });

    async function defOf(file: string) {
      const { processes } = await h.registry.deploy(fixture(file));
      return (await h.registry.byId(processes[0].id))!;
    }
  });

  describe('timers', () => {
    it('fires a due timer once even with two pollers', async () => {
      const { processes } = await h.registry.deploy(bpmn('libs/runtime/test/fixtures/short-timer.bpmn'));
      const definition = await h.registry.byId(processes[0].id);
      const started = await Promise.all(Array.from({ length: 20 }, () => h.starter.start({ definition: definition!, variables: { wait: 'PT0.2S' } })));
      await h.drain();
      expect(await h.db.prisma.timer.count({ where: { instanceId: { in: started.map((s) => big(s.id)) }, state: 'SCHEDULED' } })).toBe(20);
      await new Promise((r) => setTimeout(r, 250));
      const fired = await Promise.all([timers.fireDue(), timers.fireDue()]);
      expect(fired[0] + fired[1]).toBe(20);
      expect(await timers.fireDue()).toBe(0);
      await h.drain();
      const done = await h.db.prisma.processInstance.count({ where: { id: { in: started.map((s) => big(s.id)) }, status: 'COMPLETED' } });
      expect(done).toBe(20);
    });

    it('a timer start event is scheduled at deploy and redeploying replaces it', async () => {
      const v1 = await h.registry.deploy(fixture('events/timer-start.bpmn'));
      const first = await h.db.prisma.timer.findMany({ where: { definitionId: big(v1.processes[0].id) } });
      expect(first).toEqual([expect.objectContaining({ state: 'SCHEDULED', cycle: 'R/PT1H', repetitions: null, instanceId: null })]);
      const v2 = await h.registry.deploy(fixture('events/timer-start.bpmn').replace('R/PT1H', 'R2/PT1H'));
      expect(v2.processes[0].version).toBe(2);
      expect((await h.db.prisma.timer.findFirstOrThrow({ where: { id: first[0].id } })).state).toBe('CANCELED');
      await h.db.prisma.timer.updateMany({ where: { definitionId: big(v2.processes[0].id) }, data: { dueAt: new Date(Date.now() - 1000) } });
      expect(await timers.fireDue()).toBe(1);
      const rearmed = await h.db.prisma.timer.findFirstOrThrow({ where: { definitionId: big(v2.processes[0].id) } });
      expect(rearmed).toMatchObject({ state: 'SCHEDULED', repetitions: 0 });
      expect(await h.db.prisma.processInstance.count({ where: { definitionId: big(v2.processes[0].id) } })).toBe(1);
    });
  });

  describe('engine incidents', () => {
    it('a missing called process is an incident; deploying it and resolving continues', async () => {
      const id = await start('subprocess/call-activity.bpmn', { value: 2 });
      await h.drain();
      const open = await incidents.list({ instanceId: id, limit: 10 });
      expect(open.items).toEqual([expect.objectContaining({ type: 'CALLED_ELEMENT_ERROR', elementId: 'call_child', jobId: null })]);
      await h.registry.deploy(fixture('subprocess/call-activity-child.bpmn'));
      const resolved = await incidents.resolve(open.items[0].id);
      expect(resolved.value.resolvedAt).not.toBeNull();
      await h.drain();
      expect(await status(id)).toBe('COMPLETED');
    });
  });
});

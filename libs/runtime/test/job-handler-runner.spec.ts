import {
  BpmnError,
  JobFailure,
  JobHandlerRunner,
  RuntimeError,
  RuntimeErrorCode,
  VariableLimits,
  type ActivateCommand,
  type ActivatedJob,
  type JobClient,
  type JobHandlerRegistration,
  type HandlerJobOutcome as JobOutcome,
  type RuntimeLogger,
} from '../src';

const quietLogger: RuntimeLogger = { log: () => undefined, warn: () => undefined, error: (m) => console.error(m) };

/**
 * A job store in memory with the leasing rules of JobService: what the
 * runner does with jobs (not how Postgres leases them, which
 * wait-states.int-spec covers) is under test here.
 */
class FakeJobs implements JobClient {
  readonly queue: ActivatedJob[] = [];
  readonly calls: { action: string; jobId: string; body: Record<string, unknown> }[] = [];
  readonly activations: ActivateCommand[] = [];
  refuseHeartbeats = false;
  refuseComplete?: RuntimeError;
  private seq = 0;

  add(overrides: Partial<ActivatedJob> = {}): ActivatedJob {
    const job: ActivatedJob = {
      id: `job-${++this.seq}`,
      type: 'work',
      instanceId: 'i',
      elementId: 'task',
      elementInstanceId: 'e',
      definitionId: '7',
      bpmnProcessId: 'p',
      tenantId: '<default>',
      workerId: 'runner-1',
      retries: 3,
      variables: {},
      customHeaders: {},
      lockExpiresAt: new Date().toISOString(),
      kind: 'BPMN_ELEMENT',
      listenerEventType: 'UNSPECIFIED',
      ...overrides,
    };
    this.queue.push(job);
    return job;
  }

  async activate(command: ActivateCommand): Promise<ActivatedJob[]> {
    this.activations.push(command);
    const jobs = this.queue.filter((j) => j.type === command.type).slice(0, command.maxJobs);
    for (const job of jobs) this.queue.splice(this.queue.indexOf(job), 1);
    if (jobs.length === 0) await sleep(Math.min(command.requestTimeoutMs ?? 0, 20));
    return jobs;
  }
  async complete(jobId: string, body: { workerId: string; variables?: Record<string, unknown> }) {
    this.calls.push({ action: 'complete', jobId, body });
    if (this.refuseComplete) throw this.refuseComplete;
  }
  async fail(jobId: string, body: { workerId: string; errorMessage: string; retries?: number; retryBackoffMs?: number }) {
    this.calls.push({ action: 'fail', jobId, body });
  }
  async throwError(jobId: string, body: { workerId: string; errorCode: string }) {
    this.calls.push({ action: 'throwError', jobId, body });
  }
  async heartbeat(jobId: string, body: { workerId: string; lockDurationMs: number }) {
    this.calls.push({ action: 'heartbeat', jobId, body });
    if (this.refuseHeartbeats) throw RuntimeError.conflict(`job ${jobId} is locked by another worker`);
  }

  /** Puts a failed job back, as the store does after its backoff, with the retries it was failed with. */
  requeue(job: ActivatedJob, retries: number): void {
    this.queue.push({ ...job, retries });
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, probe: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

describe('JobHandlerRunner', () => {
  let fake: FakeJobs;
  let runner: JobHandlerRunner | undefined;
  const outcomes: [string, JobOutcome][] = [];

  beforeEach(() => {
    fake = new FakeJobs();
    outcomes.length = 0;
  });
  afterEach(async () => {
    await runner?.stop();
    runner = undefined;
  });

  function run(registrations: JobHandlerRegistration[], random?: () => number): JobHandlerRunner {
    runner = new JobHandlerRunner(fake, registrations, {
      workerId: 'runner-1',
      logger: quietLogger,
      pollTimeoutMs: 20,
      random,
      onOutcome: (type, outcome) => outcomes.push([type, outcome]),
    });
    runner.start();
    return runner;
  }

  it('completes each job with the variables its handler returns, only for its own type', async () => {
    const jobs = [fake.add({ variables: { n: 1 } }), fake.add({ variables: { n: 2 } }), fake.add({ type: 'other' })];
    run([{ type: 'work', handle: (job) => ({ doubled: (job.variables.n as number) * 2 }) }]);
    await until('two completions', () => fake.calls.length === 2);
    expect(fake.calls).toEqual([
      { action: 'complete', jobId: jobs[0].id, body: { workerId: 'runner-1', variables: { doubled: 2 } } },
      { action: 'complete', jobId: jobs[1].id, body: { workerId: 'runner-1', variables: { doubled: 4 } } },
    ]);
    expect(fake.queue.map((j) => j.type)).toEqual(['other']);
    expect(fake.activations[0]).toMatchObject({ type: 'work', workerId: 'runner-1', maxJobs: 32, lockDurationMs: 30_000, requestTimeoutMs: 20 });
    expect(outcomes).toEqual([
      ['work', 'completed'],
      ['work', 'completed'],
    ]);
  });

  it('never works more than maxJobs of a type at once', async () => {
    for (let i = 0; i < 10; i++) fake.add();
    let running = 0;
    let peak = 0;
    run([
      {
        type: 'work',
        options: { maxJobs: 3 },
        handle: async () => {
          peak = Math.max(peak, ++running);
          await sleep(15);
          running--;
        },
      },
    ]);
    await until('ten completions', () => fake.calls.filter((c) => c.action === 'complete').length === 10);
    expect(peak).toBe(3);
    expect(Math.max(...fake.activations.map((a) => a.maxJobs))).toBe(3);
  });

  it('a BpmnError is thrown as a BPMN error, not retried', async () => {
    const job = fake.add();
    run([{ type: 'work', handle: () => Promise.reject(new BpmnError('DECLINED', 'card declined', { reason: 'limit' })) }]);
    await until('the throw', () => fake.calls.length === 1);
    expect(fake.calls[0]).toEqual({
      action: 'throwError',
      jobId: job.id,
      body: { workerId: 'runner-1', errorCode: 'DECLINED', errorMessage: 'card declined', variables: { reason: 'limit' } },
    });
    expect(outcomes).toEqual([['work', 'bpmn-error']]);
  });

  it('any other error fails the attempt with one retry fewer, after delays that follow the policy', async () => {
    const job = fake.add({ retries: 5 });
    run([
      {
        type: 'work',
        options: { backoff: { kind: 'exponential', baseMs: 100, capMs: 350 } },
        handle: () => {
          throw new Error('gateway down');
        },
      },
    ]);
    for (let retries = 4; retries >= 0; retries--) {
      await until(`failure with ${retries} left`, () => fake.calls.length === 5 - retries);
      if (retries > 0) fake.requeue(job, retries);
    }
    expect(fake.calls.map((c) => c.body)).toEqual([
      { workerId: 'runner-1', errorMessage: 'gateway down', retries: 4, retryBackoffMs: 100 },
      { workerId: 'runner-1', errorMessage: 'gateway down', retries: 3, retryBackoffMs: 200 },
      { workerId: 'runner-1', errorMessage: 'gateway down', retries: 2, retryBackoffMs: 350 },
      { workerId: 'runner-1', errorMessage: 'gateway down', retries: 1, retryBackoffMs: 350 },
      // The last attempt: no retry left, the incident opens; no delay to wait for.
      { workerId: 'runner-1', errorMessage: 'gateway down', retries: 0, retryBackoffMs: 0 },
    ]);
    expect(outcomes.every(([, o]) => o === 'failed')).toBe(true);
  });

  it('the jitter policies stay in their ranges and the default is exponential with full jitter', async () => {
    const delays = async (registration: Omit<JobHandlerRegistration, 'handle' | 'type'>, random?: () => number) => {
      fake = new FakeJobs();
      const job = fake.add({ retries: 8 });
      const r = run([{ type: 'work', ...registration, handle: () => Promise.reject(new Error('no')) }], random);
      for (let left = 7; left >= 1; left--) {
        await until('a failure', () => fake.calls.length === 8 - left);
        if (left > 1) fake.requeue(job, left);
      }
      await r.stop();
      return fake.calls.map((c) => c.body.retryBackoffMs as number);
    };
    const full = await delays({}, () => 0.999);
    // Default: 1 s base doubling to a 60 s cap, each delay drawn from [0, exponential).
    full.forEach((d, i) => expect(d).toBe(Math.floor(0.999 * Math.min(60_000, 1000 * 2 ** i))));
    const zero = await delays({}, () => 0);
    expect(zero.every((d) => d === 0)).toBe(true);
    const equal = await delays({ options: { backoff: { kind: 'exponential-equal-jitter', baseMs: 100, capMs: 1000 } } });
    equal.forEach((d, i) => {
      const exp = Math.min(1000, 100 * 2 ** i);
      expect(d).toBeGreaterThanOrEqual(exp / 2);
      expect(d).toBeLessThanOrEqual(exp);
    });
    const fixed = await delays({ options: { backoff: { kind: 'fixed', baseMs: 250, capMs: 250 } } });
    expect(new Set(fixed)).toEqual(new Set([250]));
    const linear = await delays({ options: { backoff: { kind: 'linear', baseMs: 100, capMs: 450 } } });
    expect(linear).toEqual([100, 200, 300, 400, 450, 450, 450]);
  });

  it('JobFailure decides retries and delay itself; a result that is not an object opens the incident', async () => {
    const a = fake.add({ retries: 3 });
    const b = fake.add({ retries: 3, type: 'odd' });
    run([
      { type: 'work', handle: () => Promise.reject(new JobFailure('bad header', { retries: 0 })) },
      { type: 'odd', handle: () => 42 as unknown as Record<string, unknown> },
    ]);
    await until('two failures', () => fake.calls.length === 2);
    const byJob = new Map(fake.calls.map((c) => [c.jobId, c]));
    expect(byJob.get(a.id)).toMatchObject({ action: 'fail', body: { errorMessage: 'bad header', retries: 0, retryBackoffMs: 0 } });
    expect(byJob.get(b.id)).toMatchObject({
      action: 'fail',
      body: { errorMessage: expect.stringContaining('not an object of variables'), retries: 0 },
    });
  });

  it('variables over the limits fail the attempt instead of completing', async () => {
    const limits = new VariableLimits({ maxVariableSize: 10, maxTotalVariables: 100 });
    const job = fake.add({ retries: 2 });
    try {
      limits.check({ blob: 'x'.repeat(20) });
    } catch (e) {
      fake.refuseComplete = e as RuntimeError;
    }
    run([{ type: 'work', handle: () => ({ blob: 'x'.repeat(20) }) }], () => 0.5);
    await until('complete, then fail', () => fake.calls.length === 2);
    expect(fake.calls.map((c) => c.action)).toEqual(['complete', 'fail']);
    expect(fake.calls[1]).toMatchObject({ jobId: job.id, body: { retries: 1, errorMessage: expect.stringContaining("'blob'") } });
  });

  it('heartbeats at half the lock duration while the handler runs, and aborts it when the lock is lost', async () => {
    fake.add();
    let aborted: unknown;
    run([
      {
        type: 'work',
        options: { lockDurationMs: 40 },
        handle: async (_job, context) => {
          await sleep(110);
          fake.refuseHeartbeats = true;
          await new Promise((resolve) => context.signal.addEventListener('abort', resolve, { once: true }));
          aborted = context.signal.reason;
          return { late: true };
        },
      },
    ]);
    await until('the completion attempt', () => fake.calls.some((c) => c.action === 'complete'));
    const beats = fake.calls.filter((c) => c.action === 'heartbeat');
    expect(beats.length).toBeGreaterThanOrEqual(3);
    expect(beats[0].body).toEqual({ workerId: 'runner-1', lockDurationMs: 40 });
    expect(aborted).toBeInstanceOf(RuntimeError);
    expect((aborted as RuntimeError).code).toBe(RuntimeErrorCode.Conflict);
    const count = fake.calls.length;
    await sleep(60);
    expect(fake.calls.length).toBe(count);
  });

  it('a refused completion (the lock went to another worker) is reported as lost, nothing else is tried', async () => {
    fake.add();
    fake.refuseComplete = RuntimeError.conflict('the lock has expired');
    run([{ type: 'work', handle: () => ({}) }]);
    await until('the outcome', () => outcomes.length === 1);
    expect(outcomes).toEqual([['work', 'lost']]);
    expect(fake.calls.map((c) => c.action)).toEqual(['complete']);
  });

  it('stop waits for the jobs in hand and activates no more', async () => {
    fake.add();
    let finished = false;
    const r = run([
      {
        type: 'work',
        handle: async () => {
          await sleep(80);
          finished = true;
        },
      },
    ]);
    await until('the job to start', () => r.running === 1);
    await r.stop();
    expect(finished).toBe(true);
    expect(fake.calls.map((c) => c.action)).toEqual(['complete']);
    const activations = fake.activations.length;
    fake.add();
    await sleep(50);
    expect(fake.activations.length).toBe(activations);
  });

  it('refuses two handlers for one type', () => {
    expect(
      () =>
        new JobHandlerRunner(
          fake,
          [
            { type: 'x', handle: () => undefined },
            { type: 'x', handle: () => undefined },
          ],
          { workerId: 'w', logger: quietLogger },
        ),
    ).toThrow(/'x' has more than one handler/);
    expect(
      () => new JobHandlerRunner(fake, [{ type: 'x', options: { maxJobs: 0 }, handle: () => undefined }], { workerId: 'w', logger: quietLogger }),
    ).toThrow(/maxJobs must be a whole number >= 1, got 0/);
  });
});

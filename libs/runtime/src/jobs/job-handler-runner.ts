import type { Variables } from '@baton/engine';
import { sleep, yieldToEventLoop } from '@baton/support';
import type { RuntimeLogger } from '../logger';
import { RuntimeError, RuntimeErrorCode } from '../runtime-error';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff';
import type { ActivatedJob, JobService } from './job.service';

/**
 * A modelled business error from a handler: thrown as a BPMN error with this
 * code, caught by a matching error boundary event or event subprocess (an
 * `UNHANDLED_ERROR` incident when nothing catches it). Not retried.
 */
export class BpmnError extends Error {
  constructor(
    readonly code: string,
    message?: string,
    readonly variables?: Variables,
  ) {
    super(message ?? code);
    this.name = 'BpmnError';
  }
}

/**
 * A failed attempt whose retry the handler decides itself: `retries: 0` opens
 * the incident at once (retrying cannot help: a malformed header, a FEEL
 * error), `retryBackoffMs` overrides the policy's delay.
 */
export class JobFailure extends Error {
  constructor(
    message: string,
    readonly options: { readonly retries?: number; readonly retryBackoffMs?: number } = {},
  ) {
    super(message);
    this.name = 'JobFailure';
  }
}

export interface JobContext {
  readonly workerId: string;
  /** Aborted when the lock is lost (a heartbeat was refused): the result would be refused too. */
  readonly signal: AbortSignal;
}

/** Returns the variables to complete the job with (none: `undefined`). */
export type JobHandlerFn = (job: ActivatedJob, context: JobContext) => Promise<Variables | void> | Variables | void;

export interface JobHandlerOptions {
  /** Jobs of this type a runner works at the same time (and activates at most at once). Default 32. */
  readonly maxJobs?: number;
  /** The lease per activation; heartbeats extend it at half of it while the handler runs. Default 30 s. */
  readonly lockDurationMs?: number;
  /** Delays between failed attempts. Default exponential with full jitter, 1 s base, 60 s cap. */
  readonly backoff?: BackoffPolicy;
}

export interface JobHandlerRegistration {
  readonly type: string;
  readonly handle: JobHandlerFn;
  readonly options?: JobHandlerOptions;
}

export type JobOutcome = 'completed' | 'failed' | 'bpmn-error' | 'lost';

/** What the runner needs of the job use cases (a fake in unit tests). */
export type JobClient = Pick<JobService, 'activate' | 'complete' | 'fail' | 'throwError' | 'heartbeat'>;

export interface JobHandlerRunnerOptions {
  /** Names this runner as the lock holder; unique per process. */
  readonly workerId: string;
  readonly logger: RuntimeLogger;
  /** Long poll per activation when no job is there (the runner's idle wait, and the bound on how long `stop` waits for a poll). Default 1 s. */
  readonly pollTimeoutMs?: number;
  /** For the jitter of the backoff policies (tests inject it). */
  readonly random?: () => number;
  /** Observes each finished job (metrics: `baton_jobs_total{type,outcome}`). */
  readonly onOutcome?: (type: string, outcome: JobOutcome) => void;
}

const DEFAULTS = { maxJobs: 32, lockDurationMs: 30_000 } as const;
/** Failure counts of jobs that may come back to this runner (for the backoff's attempt number). */
const REMEMBERED_FAILURES = 10_000;

/**
 * In-process job handlers, leased from the store exactly as REST workers
 * lease them (Camunda 8 job workers poll `activate` too): one loop per job
 * type long-polls `activate` for as many jobs as it has room for, runs each
 * handler, heartbeats while it runs, then completes the job with the
 * handler's variables, throws its {@link BpmnError}, or fails it with one
 * retry fewer after the type's backoff delay. A runner that dies mid-job
 * leaves only a lease behind, which runs out and hands the job to another
 * worker: at-least-once, like every job worker.
 *
 * The attempt number the backoff grows with is counted here, per job id:
 * the store keeps the retries left, not the attempts made, so a retry that
 * another worker picks up starts that worker's count afresh (its delay is
 * still one the policy allows, only a shorter one).
 */
export class JobHandlerRunner {
  private readonly failures = new Map<string, number>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly halt = new AbortController();
  private loops: Promise<void>[] = [];
  private started = false;

  constructor(
    private readonly client: JobClient,
    private readonly registrations: readonly JobHandlerRegistration[],
    private readonly options: JobHandlerRunnerOptions,
  ) {
    const types = registrations.map((r) => r.type);
    const duplicate = types.find((t, i) => types.indexOf(t) !== i);
    if (duplicate !== undefined) throw new Error(`job type '${duplicate}' has more than one handler`);
    for (const { type, options = {} } of registrations) {
      for (const [name, value] of [
        ['maxJobs', options.maxJobs],
        ['lockDurationMs', options.lockDurationMs],
      ] as const) {
        if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
          throw new Error(`the handler of '${type}': ${name} must be a whole number >= 1, got ${value}`);
        }
      }
    }
  }

  get types(): string[] {
    return this.registrations.map((r) => r.type);
  }

  /** Jobs being worked right now. */
  get running(): number {
    return this.inFlight.size;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.loops = this.registrations.map((r) => this.loop(r));
  }

  /**
   * Stops activating; resolves once the polls in progress have answered and
   * every job they handed out has been settled (completed, failed, thrown).
   */
  async stop(): Promise<void> {
    this.halt.abort();
    await Promise.all(this.loops);
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  private async loop(registration: JobHandlerRegistration): Promise<void> {
    const maxJobs = registration.options?.maxJobs ?? DEFAULTS.maxJobs;
    const lockDurationMs = registration.options?.lockDurationMs ?? DEFAULTS.lockDurationMs;
    const mine = new Set<Promise<void>>();
    let errors = 0;
    while (!this.halt.signal.aborted) {
      if (mine.size >= maxJobs) {
        await Promise.race(mine);
        // Completions settle in groups: let the rest of the group free their slots, then activate for all of them at once.
        await yieldToEventLoop();
        continue;
      }
      let jobs: ActivatedJob[];
      try {
        jobs = await this.client.activate({
          type: registration.type,
          workerId: this.options.workerId,
          maxJobs: maxJobs - mine.size,
          lockDurationMs,
          requestTimeoutMs: this.options.pollTimeoutMs ?? 1000,
        });
        errors = 0;
      } catch (e) {
        errors++;
        if (errors === 1) this.options.logger.warn(`activating '${registration.type}' jobs failed, retrying: ${(e as Error).message}`);
        await sleep(Math.min(5_000, 250 * 2 ** Math.min(errors - 1, 5)), this.halt.signal);
        continue;
      }
      // Jobs handed out by the last poll before a stop are still worked: their lease is ours.
      for (const job of jobs) {
        const run = this.run(registration, job, lockDurationMs)
          .catch((e: unknown) => this.options.logger.error(`job ${job.id} (${job.type}): ${(e as Error).stack ?? String(e)}`))
          .finally(() => {
            mine.delete(run);
            this.inFlight.delete(run);
          });
        mine.add(run);
        this.inFlight.add(run);
      }
    }
  }

  private async run(registration: JobHandlerRegistration, job: ActivatedJob, lockDurationMs: number): Promise<void> {
    const { workerId, logger } = this.options;
    const lost = new AbortController();
    const stopHeartbeat = this.heartbeat(job, lockDurationMs, lost);
    let outcome: JobOutcome;
    try {
      let result: Variables | void = undefined;
      let failure: { error: unknown } | undefined;
      try {
        result = await registration.handle(job, { workerId, signal: lost.signal });
        if (result !== undefined && (result === null || typeof result !== 'object' || Array.isArray(result))) {
          failure = {
            error: new JobFailure(`the '${job.type}' handler returned ${describe(result)}, not an object of variables`, { retries: 0 }),
          };
        }
      } catch (e) {
        failure = { error: e };
      }
      stopHeartbeat();
      outcome =
        failure === undefined
          ? await this.settle(job, () => this.client.complete(job.id, { workerId, variables: result ?? undefined }), 'completed')
          : await this.settleFailure(registration, job, failure.error);
    } catch (e) {
      // Not settled for a reason other than the lock (the store is down): the lease runs out and the job comes back.
      outcome = 'lost';
      logger.error(`job ${job.id} (${job.type}) could not be settled; it is retried when its lock expires: ${(e as Error).message}`);
    } finally {
      stopHeartbeat();
    }
    if (outcome !== 'failed') this.failures.delete(job.id);
    this.options.onOutcome?.(job.type, outcome);
  }

  /** Extends the lease at half its duration while the handler runs; a refused heartbeat aborts `lost`. */
  private heartbeat(job: ActivatedJob, lockDurationMs: number, lost: AbortController): () => void {
    const { workerId, logger } = this.options;
    const timer = setInterval(() => {
      this.client.heartbeat(job.id, { workerId, lockDurationMs }).catch((e: unknown) => {
        if (isRefusal(e)) {
          clearInterval(timer);
          logger.warn(`job ${job.id} (${job.type}): the lock is lost (${(e as Error).message}); its handler is asked to stop`);
          lost.abort(e);
        } else {
          logger.warn(`job ${job.id} (${job.type}): heartbeat failed, trying again: ${(e as Error).message}`);
        }
      });
    }, Math.max(1, Math.floor(lockDurationMs / 2)));
    return () => clearInterval(timer);
  }

  /** Completes; a refusal of the variables (over the size limits) fails the attempt instead. */
  private async settle(job: ActivatedJob, action: () => Promise<void>, outcome: JobOutcome): Promise<JobOutcome> {
    try {
      await action();
      return outcome;
    } catch (e) {
      if (e instanceof RuntimeError && e.code === RuntimeErrorCode.Unprocessable) {
        return this.fail(job, e.message, {}, this.policyOf(job.type));
      }
      if (isRefusal(e)) {
        this.options.logger.warn(`job ${job.id} (${job.type}) was not settled: ${(e as Error).message}`);
        return 'lost';
      }
      throw e;
    }
  }

  private async settleFailure(registration: JobHandlerRegistration, job: ActivatedJob, error: unknown): Promise<JobOutcome> {
    const { workerId } = this.options;
    if (error instanceof BpmnError) {
      return this.settle(
        job,
        () => this.client.throwError(job.id, { workerId, errorCode: error.code, errorMessage: error.message, variables: error.variables }),
        'bpmn-error',
      );
    }
    const message = error instanceof Error ? error.message : String(error);
    const overrides = error instanceof JobFailure ? error.options : {};
    return this.fail(job, message, overrides, registration.options?.backoff ?? DEFAULT_BACKOFF);
  }

  private async fail(
    job: ActivatedJob,
    message: string,
    overrides: { retries?: number; retryBackoffMs?: number },
    policy: BackoffPolicy,
  ): Promise<JobOutcome> {
    const attempt = (this.failures.get(job.id) ?? 0) + 1;
    const retries = Math.max(0, overrides.retries ?? job.retries - 1);
    const retryBackoffMs = overrides.retryBackoffMs ?? (retries > 0 ? backoffDelay(policy, attempt, this.options.random) : 0);
    try {
      await this.client.fail(job.id, { workerId: this.options.workerId, errorMessage: message, retries, retryBackoffMs });
    } catch (e) {
      if (!isRefusal(e)) throw e;
      this.options.logger.warn(`job ${job.id} (${job.type}): the failure was not recorded: ${(e as Error).message}`);
      return 'lost';
    }
    this.options.logger.warn(
      `job ${job.id} (${job.type}) failed (attempt ${attempt}, ${retries} retr${retries === 1 ? 'y' : 'ies'} left` +
        `${retries > 0 ? `, next in ${retryBackoffMs} ms` : ', incident opened'}): ${message}`,
    );
    if (retries > 0) this.remember(job.id, attempt);
    else this.failures.delete(job.id);
    return 'failed';
  }

  private policyOf(type: string): BackoffPolicy {
    return this.registrations.find((r) => r.type === type)?.options?.backoff ?? DEFAULT_BACKOFF;
  }

  private remember(jobId: string, attempt: number): void {
    this.failures.delete(jobId);
    this.failures.set(jobId, attempt);
    if (this.failures.size > REMEMBERED_FAILURES) this.failures.delete(this.failures.keys().next().value as string);
  }
}

/** The store refused the action: the lock is not ours (409) or the job is gone (404). */
function isRefusal(e: unknown): boolean {
  return e instanceof RuntimeError && (e.code === RuntimeErrorCode.Conflict || e.code === RuntimeErrorCode.NotFound);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}


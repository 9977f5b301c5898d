import os from 'node:os';
import {
  createCamundaClient,
  type CamundaClient,
  type JobWorker as CamundaJobWorker,
} from '@camunda8/orchestration-cluster-api';
import * as runtime from '@baton/runtime';
import * as store from '@baton/store';
import {
  JobService,
  JobSignal,
  VariableLimits,
  type InstanceStarter,
  type Key,
  type LoadedDefinition,
} from '@baton/runtime';
import { startApi, startWorker, type BenchChild } from './children';
import { sleep, stat, type Stat } from './stats';
import { BenchWorld, benchFile, quiet, quietObserver } from './world';

/** The reference processes (bench/README.md) as the end-to-end cells run them. */
export const E2E_PROCESSES = {
  R1: {
    file: 'r1-exclusive-script.bpmn',
    variables: { amount: 150 },
    what: 'start → exclusive gateway → script task → end',
  },
  R2: {
    file: 'r2-parallel-scripts.bpmn',
    variables: {},
    what: 'parallel split → 3 script tasks → join → end',
  },
  R3: { file: 'r3-service-task.bpmn', variables: {}, what: 'start → service task (job) → end' },
} as const;
export type RefKey = keyof typeof E2E_PROCESSES;

export const BENCH_JOB_TYPE = 'bench-task';

export type JobWorkerKind = 'bench' | 'handler-runner' | 'camunda-client';

export interface E2eCellPlan {
  readonly process: RefKey;
  /** Worker processes. */
  readonly workers: number;
  /** TOKEN_BATCH_SIZE of every worker. */
  readonly batchSize: number;
  /** Load before the first measured window (JIT, pools, queue fill). */
  readonly warmupSeconds: number;
  /**
   * After the warm-up, up to this many seconds more while the completion
   * rate still rises ({@link warmUntilSteady}); 0 or absent: none.
   */
  readonly steadyWithinSeconds?: number;
  readonly windows: number;
  readonly windowSeconds: number;
  /** Most instances the cell starts: the run ends early (and says so) when they are used up. */
  readonly maxInstances: number;
  readonly rabbitmqUrl: string;
  /** Extra node flags for the workers (`--cpu-prof`, ...). */
  readonly workerNodeArgs?: readonly string[];
  /**
   * R3's job worker: the bench's batch loop (default), the runtime's
   * JobHandlerRunner (what the worker app's `@JobHandler` registry runs) when
   * this tree has it, or `createJobWorker` of Camunda's official client
   * (`@camunda8/orchestration-cluster-api`) against an API process of the
   * cell, over `/v2`.
   */
  readonly jobWorker?: JobWorkerKind;
  /** Called with the worker processes once the measurement is over, before they stop. */
  readonly beforeStop?: (workers: readonly BenchChild[]) => Promise<void>;
}

export interface E2eCellResult {
  readonly process: RefKey;
  readonly workers: number;
  readonly batchSize: number;
  /** Completed instances per second: median, min, max over the measured windows. */
  readonly instancesPerSec: Stat;
  readonly windowsPerSec: number[];
  readonly started: number;
  readonly completed: number;
  readonly startErrors: number;
  /** Instances kept in flight (started, not completed) to keep the workers saturated. */
  readonly backlogTarget: number;
  /** true when the instance cap ran out before the windows did: the last window (or the whole cell) includes an unsaturated tail. */
  readonly capped: boolean;
  readonly openIncidents: number;
  readonly workerRssMB: (number | null)[];
  /** CPU seconds the workers used in the measured windows, per wall second (2.0 = both cores of this machine). */
  readonly workerCpuPerSec: number | null;
  /** Worker CPU milliseconds per completed instance in the measured windows (all workers together). */
  readonly workerCpuMsPerInstance: number | null;
  readonly jobs: { activated: number; completed: number; errors: number; worker: string } | null;
  /** The machine's 1-minute load average when the measured windows began (it is shared). */
  readonly loadAverage?: number;
  /** Seconds from the first start to the first measured window. */
  readonly warmupSeconds?: number;
  readonly seconds: number;
}

/**
 * One end-to-end cell: a fresh schema and queue, `workers` worker processes,
 * instances started through the batched InstanceStarter in this process so
 * that `backlogTarget` are always in flight, completion counted by polling
 * Postgres. R3's jobs are worked by a job worker in this process (JobService:
 * activate in batches, complete each). The figure is completed instances per
 * second in each window after the warm-up.
 */
export async function runE2eCell(plan: E2eCellPlan): Promise<E2eCellResult> {
  const spec = E2E_PROCESSES[plan.process];
  const t0 = performance.now();
  const world = await BenchWorld.create(
    `${plan.process.toLowerCase()}_${plan.workers}w_b${plan.batchSize}`,
    plan.rabbitmqUrl,
    12,
  );
  const workers: BenchChild[] = [];
  let feeder: Feeder | undefined;
  let jobWorker: JobWorker | undefined;
  let api: BenchChild | undefined;
  let notifications: { start(): Promise<void>; stop(): Promise<void> } | undefined;
  try {
    const definition = await world.deploy(benchFile(spec.file));
    // The cells before this one wrote hundreds of MB of WAL: a checkpoint now, not inside this cell's windows.
    await world.checkpoint();
    workers.push(
      ...(await Promise.all(
        Array.from({ length: plan.workers }, (_, i) =>
          startWorker({
            name: `worker-${i + 1}`,
            databaseUrl: world.db.url,
            rabbitmqUrl: plan.rabbitmqUrl,
            queue: world.queue,
            batchSize: plan.batchSize,
            nodeArgs: plan.workerNodeArgs,
          }),
        ),
      )),
    );
    if (plan.process === 'R3' && plan.jobWorker === 'camunda-client') {
      // The official client works jobs over /v2: an API process on the cell's schema and queue.
      const started = await startApi({
        databaseUrl: world.db.url,
        rabbitmqUrl: plan.rabbitmqUrl,
        queue: world.queue,
      });
      api = started;
      jobWorker = new CamundaClientJobWorker(started.origin);
      jobWorker.start();
    } else if (plan.process === 'R3') {
      // The job service as the API process runs it: woken by the workers' job notifications
      // (Postgres LISTEN/NOTIFY) where this tree has them, polling every 100 ms besides.
      const signal = new JobSignal();
      const Notifications = (store as Record<string, unknown>).PgJobNotifications as
        | (new (options: object) => { start(): Promise<void>; stop(): Promise<void> })
        | undefined;
      notifications = Notifications
        ? new Notifications({ url: world.db.url, onNotified: (types: string[]) => signal.wake(types), logger: quiet })
        : undefined;
      await notifications?.start();
      jobWorker = jobWorkerFor(
        plan.jobWorker ?? 'bench',
        new JobService(
          world.runtime,
          world.announcer,
          new VariableLimits({ maxVariableSize: 1_048_576, maxTotalVariables: 10_485_760 }),
          notifications ? { pollIntervalMs: 100, signal, observer: quietObserver } : { pollIntervalMs: 10, observer: quietObserver },
        ),
      );
      jobWorker.start();
    }
    // Enough in flight that no worker ever finds the queue empty: a few batches each, at least 500.
    const backlogTarget = Math.min(6_000, Math.max(500, plan.workers * plan.batchSize * 6));
    feeder = new Feeder(
      world.starter,
      definition,
      spec.variables,
      backlogTarget,
      plan.maxInstances,
      (id) => world.started(id),
    );
    feeder.start();
    const fed = performance.now();
    const poll = async () => {
      const n = await world.completed();
      feeder?.setCompleted(n);
      return n;
    };
    const poller = new Poller(poll, 100);
    poller.start();

    await sleep(plan.warmupSeconds * 1000);
    if (plan.process === 'R3') {
      // A job's follow-up goes ahead of queued starts (the queue's priorities), but the first
      // wave of starts still has to be stepped to its jobs, and those worked, before anything
      // completes. The warm-up lasts until that first wave completed (at most 30 s more): the
      // windows measure the steady state, not the filling of the pipeline.
      const until = performance.now() + 30_000;
      while ((await poll()) < backlogTarget / 2 && performance.now() < until && !feeder.exhausted) await sleep(100);
    }
    await warmUntilSteady(poll, feeder, plan.steadyWithinSeconds ?? 0);
    const warmupSeconds = (performance.now() - fed) / 1000;
    const loadAverage = Math.round(os.loadavg()[0] * 100) / 100;
    const cpu0 = sumCpu(workers);
    const w0 = performance.now();
    const { windowsPerSec, capped, windowCompleted } = await measureWindows(plan, poll, feeder, fed);
    const cpu1 = sumCpu(workers);
    const wallSeconds = (performance.now() - w0) / 1000;
    const workerRssMB = workers.map((w) => w.rssMB());
    await poller.stop();
    feeder.stop();
    await jobWorker?.stop();
    await plan.beforeStop?.(workers);
    const completed = await poll();
    const openIncidents = await world.count(
      `SELECT count(*) AS n FROM "Incident" WHERE "resolvedAt" IS NULL`,
    );
    await feeder.settled();
    return {
      process: plan.process,
      workers: plan.workers,
      batchSize: plan.batchSize,
      instancesPerSec: stat(windowsPerSec, 'instances/s'),
      windowsPerSec,
      started: feeder.resolved,
      completed,
      startErrors: feeder.errors,
      backlogTarget,
      capped,
      openIncidents,
      workerRssMB,
      workerCpuPerSec: cpu0 === null || cpu1 === null ? null : (cpu1 - cpu0) / wallSeconds,
      workerCpuMsPerInstance:
        cpu0 === null || cpu1 === null || windowCompleted === 0
          ? null
          : ((cpu1 - cpu0) * 1000) / windowCompleted,
      jobs: jobWorker ? { ...jobWorker.totals, worker: jobWorker.kind } : null,
      loadAverage,
      warmupSeconds,
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    feeder?.stop();
    await jobWorker?.stop();
    await notifications?.stop();
    await Promise.all([...workers, ...(api ? [api] : [])].map((w) => w.stop()));
    await feeder?.settled();
    await world.close();
  }
}

function sumCpu(children: readonly BenchChild[]): number | null {
  let total = 0;
  for (const c of children) {
    const s = c.cpuSeconds();
    if (s === null) return null;
    total += s;
  }
  return total;
}

/** Runs `probe` every `intervalMs` until stopped (one at a time). */
export class Poller {
  private stopped = false;
  private loop?: Promise<void>;

  constructor(
    private readonly probe: () => Promise<unknown>,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    this.loop = (async () => {
      while (!this.stopped) {
        await this.probe().catch(() => undefined);
        await sleep(this.intervalMs);
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }
}

/**
 * Keeps `target` instances in flight: every few milliseconds it starts as many
 * as have completed since, through the InstanceStarter, which writes the
 * requests that arrive together in one multi-row INSERT and one publish.
 */
export class Feeder {
  requested = 0;
  resolved = 0;
  errors = 0;
  lastError?: string;
  private completed = 0;
  private stopped = false;
  private loop?: Promise<void>;
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly starter: InstanceStarter,
    private readonly definition: LoadedDefinition,
    private readonly variables: Record<string, unknown>,
    private readonly target: number,
    private readonly max: number,
    /** Told each started instance's key (BenchWorld.started, so that its completion is counted). */
    private readonly onStarted: (id: Key) => void,
  ) {}

  get outstanding(): number {
    return this.requested - this.completed;
  }

  get exhausted(): boolean {
    return this.requested >= this.max;
  }

  setCompleted(n: number): void {
    this.completed = n;
  }

  start(): void {
    this.loop = (async () => {
      while (!this.stopped) {
        const n = Math.min(this.target - this.outstanding, this.max - this.requested, 2_000);
        for (let i = 0; i < n; i++) this.startOne();
        await sleep(5);
      }
    })();
  }

  /** One start outside the backlog loop (the soak paces its own starts). */
  startOneForSoak(): void {
    this.startOne();
  }

  private startOne(): void {
    this.requested++;
    const p = this.starter
      .start({ definition: this.definition, variables: { ...this.variables } })
      .then(
        (started) => {
          this.resolved++;
          this.onStarted(started.id);
        },
        (e: unknown) => {
          this.errors++;
          this.lastError = (e as Error).message;
        },
      );
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  stop(): void {
    this.stopped = true;
  }

  async settled(): Promise<void> {
    await this.loop;
    await Promise.all([...this.inFlight]);
  }
}

interface JobWorker {
  readonly kind: string;
  readonly totals: { activated: number; completed: number; errors: number };
  start(): void;
  stop(): Promise<void>;
}

/** What the bench needs of the runtime's in-process job handler runner (the one the worker app runs). */
type HandlerRunnerCtor = new (
  client: JobService,
  registrations: { type: string; handle: () => undefined; options?: { maxJobs?: number } }[],
  options: {
    workerId: string;
    logger: typeof quiet;
    pollTimeoutMs?: number;
    onOutcome?: (type: string, outcome: string) => void;
  },
) => { start(): void; stop(): Promise<void> };

/**
 * R3's job worker in the bench process: the bench's own activate/complete
 * loop, or the runtime's JobHandlerRunner (what the worker app's
 * `@JobHandler` registry runs) with a no-op `bench-task` handler, when asked
 * for and this tree has it.
 */
function jobWorkerFor(kind: JobWorkerKind, jobs: JobService): JobWorker {
  const Runner = (runtime as Record<string, unknown>).JobHandlerRunner as
    HandlerRunnerCtor | undefined;
  if (kind === 'bench' || typeof Runner !== 'function') return new BenchJobWorker(jobs);
  const totals = { activated: 0, completed: 0, errors: 0 };
  const maxJobs = 64;
  const runner = new Runner(
    jobs,
    [{ type: BENCH_JOB_TYPE, handle: () => undefined, options: { maxJobs } }],
    {
      workerId: 'bench-job-handlers',
      logger: quiet,
      pollTimeoutMs: 200,
      onOutcome: (_type, outcome) => {
        totals.activated++;
        if (outcome === 'completed') totals.completed++;
        else totals.errors++;
      },
    },
  );
  return {
    kind: `JobHandlerRunner (runtime), maxJobs ${maxJobs}`,
    totals,
    start: () => runner.start(),
    stop: () => runner.stop(),
  };
}

/**
 * R3's job worker as a Camunda 8 user writes one: `createJobWorker` of the
 * official client (`@camunda8/orchestration-cluster-api`), one per job type
 * (R3's one; every type of a model for Zeebe's benchmark shapes), long
 * polling `POST /v2/jobs/activation` for 1 s and completing each job with
 * `POST /v2/jobs/{key}/completion` (no variables), `maxParallelJobs` at a
 * time. Response validation is off, as in the client's default.
 */
export class CamundaClientJobWorker implements JobWorker {
  readonly kind: string;
  readonly totals = { activated: 0, completed: 0, errors: 0 };
  lastError?: string;
  private client?: CamundaClient;
  private workers: CamundaJobWorker[] = [];

  constructor(
    private readonly origin: string,
    private readonly maxParallelJobs = 64,
    private readonly jobTypes: readonly string[] = [BENCH_JOB_TYPE],
  ) {
    this.kind = `@camunda8/orchestration-cluster-api createJobWorker over /v2, maxParallelJobs ${maxParallelJobs}`;
  }

  start(): void {
    this.client = createCamundaClient({
      env: {},
      config: {
        CAMUNDA_REST_ADDRESS: this.origin,
        CAMUNDA_AUTH_STRATEGY: 'NONE',
        CAMUNDA_SDK_LOG_LEVEL: 'error',
        CAMUNDA_SDK_VALIDATION: 'none',
      },
    });
    for (const jobType of this.jobTypes) {
      this.workers.push(
        this.client.createJobWorker({
          jobType,
          workerName: `bench-${jobType}`,
          maxParallelJobs: this.maxParallelJobs,
          jobTimeoutMs: 60_000,
          pollTimeoutMs: 1_000,
          jobHandler: async (job) => {
            this.totals.activated++;
            try {
              const receipt = await job.complete();
              this.totals.completed++;
              return receipt;
            } catch (e) {
              this.totals.errors++;
              this.lastError = (e as Error).message;
              throw e;
            }
          },
        }),
      );
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.stopGracefully({ waitUpToMs: 5_000 })));
    this.workers = [];
    this.client?.stopAllWorkers();
  }
}

/**
 * R3's job worker, in the bench process: lanes that each activate up to
 * `maxJobs` jobs of the bench type (long poll) and complete them
 * `concurrency` at a time through JobService, as a client of the REST API
 * would through `POST /jobs/activate` and `/jobs/{id}/complete`. By default
 * 64 jobs in flight (2 lanes x 32), as many as the other two job workers of
 * the matrix hold (JobHandlerRunner's maxJobs, createJobWorker's
 * maxParallelJobs): with 8 per lane the loop itself was R3's ceiling, so the
 * table by worker count measured the loop rather than the workers.
 */
export class BenchJobWorker implements JobWorker {
  readonly kind: string;
  private readonly lanes: number;
  private readonly maxJobs: number;
  private readonly concurrency: number;
  readonly totals = { activated: 0, completed: 0, errors: 0 };
  lastError?: string;
  private stopped = false;
  private running: Promise<void>[] = [];

  constructor(
    private readonly jobs: JobService,
    options: { lanes?: number; maxJobs?: number; concurrency?: number } = {},
  ) {
    this.lanes = options.lanes ?? 2;
    this.maxJobs = options.maxJobs ?? 200;
    this.concurrency = options.concurrency ?? 32;
    this.kind = `bench loop: ${this.lanes} lanes x activate ${this.maxJobs} (long poll), complete ${this.concurrency} at a time`;
  }

  start(): void {
    this.running = Array.from({ length: this.lanes }, (_, i) => this.lane(`bench-job-worker-${i + 1}`));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.running);
  }

  private async lane(workerId: string): Promise<void> {
    while (!this.stopped) {
      let jobs;
      try {
        jobs = await this.jobs.activate({
          type: BENCH_JOB_TYPE,
          workerId,
          maxJobs: this.maxJobs,
          lockDurationMs: 60_000,
          requestTimeoutMs: 200,
        });
      } catch (e) {
        this.fail(e);
        await sleep(100);
        continue;
      }
      this.totals.activated += jobs.length;
      let next = 0;
      const complete = async () => {
        while (next < jobs.length) {
          const job = jobs[next++];
          try {
            await this.jobs.complete(job.id, { workerId });
            this.totals.completed++;
          } catch (e) {
            this.fail(e);
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(this.concurrency, jobs.length) }, complete));
    }
  }

  private fail(e: unknown): void {
    this.totals.errors++;
    this.lastError = (e as Error).message;
  }
}

/**
 * Warms on while the completion rate still rises, for at most `maxSeconds`:
 * 2 s windows, ending when the mean of the last two is no more than 5% above
 * the mean of the two before them (so at least 8 s). Every process a cell
 * starts (its workers, and for the official client's cell an API process)
 * begins cold: compiled under tsx and optimized by V8 under load. Through the
 * API, with an HTTP round trip per job, R3 kept rising for about 20 s (462 to
 * 760 instances/s in 2 s windows), so a fixed warm-up measured the processes
 * warming up rather than their steady state.
 */
export async function warmUntilSteady(
  poll: () => Promise<number>,
  feeder: { readonly exhausted: boolean },
  maxSeconds: number,
): Promise<void> {
  const windowMs = 2_000;
  const until = performance.now() + maxSeconds * 1000;
  const rates: number[] = [];
  let c0 = await poll();
  let t0 = performance.now();
  while (performance.now() + windowMs <= until && !feeder.exhausted) {
    await sleep(windowMs);
    const c1 = await poll();
    const t1 = performance.now();
    rates.push((c1 - c0) / ((t1 - t0) / 1000));
    [c0, t0] = [c1, t1];
    const n = rates.length;
    if (n >= 4 && rates[n - 1] + rates[n - 2] <= 1.05 * (rates[n - 3] + rates[n - 4])) return;
  }
}

/**
 * Completed instances per second in `plan.windows` windows of
 * `plan.windowSeconds`, counted by `poll` (completed so far); stops early
 * (`capped`) once the feeder is out of instances and all of them completed.
 * A run too small for any window gets the rate since `fed` instead.
 */
export async function measureWindows(
  plan: { readonly windows: number; readonly windowSeconds: number },
  poll: () => Promise<number>,
  feeder: { readonly exhausted: boolean; readonly outstanding: number },
  fed: number,
): Promise<{ windowsPerSec: number[]; capped: boolean; windowCompleted: number }> {
  const windowsPerSec: number[] = [];
  let capped = false;
  let windowCompleted = 0;
  for (let k = 0; k < plan.windows; k++) {
    const c0 = await poll();
    const start = performance.now();
    const end = start + plan.windowSeconds * 1000;
    while (performance.now() < end) {
      await sleep(50);
      // Out of instances and all of them completed: nothing left to measure.
      if (feeder.exhausted && feeder.outstanding <= 0) {
        capped = true;
        break;
      }
    }
    const c1 = await poll();
    windowCompleted += c1 - c0;
    const seconds = (performance.now() - start) / 1000;
    if (seconds > 0.2) windowsPerSec.push((c1 - c0) / seconds);
    if (capped) break;
  }
  if (windowsPerSec.length === 0) {
    // Every instance completed before a window could start (tiny runs): the rate over the whole run instead.
    windowsPerSec.push((await poll()) / ((performance.now() - fed) / 1000));
    capped = true;
  }
  return { windowsPerSec, capped, windowCompleted };
}

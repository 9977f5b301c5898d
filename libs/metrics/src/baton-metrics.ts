import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { ErrorKind, JOB_OUTCOMES, METRIC, ProcessEvent, type JobOutcome } from './metric-names';
import { RefreshingValue } from './refreshing-value';

/** What a committed batch reports (the runtime's `BatchReport` fits this shape). */
export interface BatchObservation {
  /** Work items taken off the bus (tokens). */
  readonly items: number;
  readonly seconds: number;
  readonly started: readonly { readonly processKey: string }[];
  readonly completed: readonly { readonly processKey: string; readonly startedAt: Date }[];
  readonly canceled: readonly { readonly processKey: string }[];
}

/** Items of one batch operation type in one item state (`baton_batch_active_items`). */
export interface BatchItemCount {
  readonly type: string;
  readonly state: string;
  readonly count: number;
}

/** Jobs of a BullMQ queue by state (`waiting`, `active`, `delayed`, `failed`); null: the queue is not open here. */
export type QueueJobCounts = Readonly<Record<string, number>> | null;

/** Counts the store answers, for gauges that must agree across replicas. */
export interface StoreCounts {
  /** ACTIVE instances per process key. */
  readonly activeInstances: readonly { readonly processKey: string; readonly count: number }[];
  /** Open incidents per incident type. */
  readonly openIncidents: readonly { readonly type: string; readonly count: number }[];
}

export interface BatonMetricsOptions {
  /** Node.js process metrics (`process_*`, `nodejs_*`). Default true. */
  readonly defaultMetrics?: boolean;
  /**
   * Distinct values kept per open-ended label (process key, job type); later
   * ones are counted under `other`, so a deployment that generates process
   * keys cannot blow up the series count. Default 1000.
   */
  readonly maxLabelValues?: number;
  /** For tests. */
  readonly now?: () => number;
}

export interface ProbeOptions {
  /** A read is reused by scrapes for this long. Default 5000 ms. */
  readonly maxAgeMs?: number;
  /** A read that takes longer fails (the gauge is left empty). Default 2000 ms. */
  readonly timeoutMs?: number;
}

const OTHER = 'other';
const HTTP_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

interface ProcessSeries {
  readonly started: Counter.Internal;
  readonly completed: Counter.Internal;
  readonly canceled: Counter.Internal;
  readonly execution: Histogram.Internal<'process'>;
}

/**
 * Baton's Prometheus metrics (README "Metrics") in a registry of their own, one per
 * application instance. No framework: the hosts hand the runtime the `on*`
 * callbacks below (bound, so they can be passed as they are) and serve
 * {@link metrics} at `/metrics`.
 *
 * Cheap on the hot path: the runtime reports once per batch, not per token;
 * labelled children are looked up once and kept, so an observation is a map
 * lookup and an add.
 */
export class BatonMetrics {
  readonly registry = new Registry();
  private readonly maxLabelValues: number;
  private readonly now: () => number;

  private readonly processInstances: Counter<'process' | 'event'>;
  private readonly executionSeconds: Histogram<'process'>;
  private readonly tokensProcessed: Counter;
  private readonly tokenBatchSize: Histogram;
  private readonly batchDuration: Histogram;
  private readonly errors: Counter<'kind'>;
  private readonly jobs: Counter<'type' | 'outcome'>;
  private readonly definitionCache: Counter<'result'>;
  private readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  private readonly timerLateness: Histogram;
  private readonly batchItems: Counter<'type' | 'outcome'>;
  private readonly retentionDeleted: Counter<'table'>;
  private readonly exportRecords: Counter<'sink'>;
  private readonly exportFailures: Counter<'sink'>;
  private readonly exportDeadLetters: Counter<'sink'>;
  private exportLag?: RefreshingValue<ReadonlyMap<string, { records: number; oldestAgeSeconds: number }>>;

  private readonly processSeries = new Map<string, ProcessSeries>();
  private readonly jobSeries = new Map<string, Map<JobOutcome, Counter.Internal>>();
  private readonly httpSeries = new Map<
    string,
    Histogram.Internal<'method' | 'route' | 'status'>
  >();
  private readonly errorSeries = new Map<ErrorKind, Counter.Internal>();
  private readonly cacheHit: Counter.Internal;
  private readonly cacheMiss: Counter.Internal;
  private storeWatched = false;
  private queueWatched = false;
  private batchQueueWatched = false;
  private batchProgressWatched = false;
  private readonly jobQueues = new Map<string, RefreshingValue<QueueJobCounts>>();

  constructor(options: BatonMetricsOptions = {}) {
    this.maxLabelValues = options.maxLabelValues ?? 1000;
    this.now = options.now ?? Date.now;
    const registers = [this.registry];
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });

    this.processInstances = new Counter({
      name: METRIC.processInstances,
      help: 'Process instances started, completed and canceled, by process key.',
      labelNames: ['process', 'event'],
      registers,
    });
    this.executionSeconds = new Histogram({
      name: METRIC.processExecutionSeconds,
      help: 'Time from the start of a process instance to its completion, by process key.',
      labelNames: ['process'],
      buckets: [
        0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 14400, 86400, 604800,
      ],
      registers,
    });
    this.tokensProcessed = new Counter({
      name: METRIC.tokensProcessed,
      help: 'Work items (tokens to advance) processed in committed batches.',
      registers,
    });
    this.tokenBatchSize = new Histogram({
      name: METRIC.tokenBatchSize,
      help: 'Work items per committed batch (TOKEN_BATCH_SIZE caps it in the worker).',
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
      registers,
    });
    this.batchDuration = new Histogram({
      name: METRIC.batchDuration,
      help: 'Wall time of a committed batch: lock, step, write, publish.',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.errors = new Counter({
      name: METRIC.errors,
      help: 'Failures Baton recovered from or routed around, by kind.',
      labelNames: ['kind'],
      registers,
    });
    this.jobs = new Counter({
      name: METRIC.jobs,
      help: 'Jobs by type and outcome: activated, completed, failed (retries left), error (BPMN error), incident (no retries left).',
      labelNames: ['type', 'outcome'],
      registers,
    });
    this.batchItems = new Counter({
      name: METRIC.batchItems,
      help: 'Items of batch operations applied (completed) or refused (failed), by batch type (README "Operate").',
      labelNames: ['type', 'outcome'],
      registers,
    });
    this.retentionDeleted = new Counter({
      name: METRIC.retentionDeletedRows,
      help: 'Rows deleted by history and instance retention, by table (README "Operate").',
      labelNames: ['table'],
      registers,
    });
    this.exportRecords = new Counter({
      name: METRIC.exportDelivered,
      help: 'Export records a sink delivered (docs/export.md).',
      labelNames: ['sink'],
      registers,
    });
    this.exportFailures = new Counter({
      name: METRIC.exportFailed,
      help: 'Failed delivery attempts of export sinks (each is retried after EXPORT_RETRY_BACKOFF).',
      labelNames: ['sink'],
      registers,
    });
    this.exportDeadLetters = new Counter({
      name: METRIC.exportDeadLettered,
      help: 'Export records a sink gave up on after EXPORT_MAX_ATTEMPTS (GET /api/v1/export/dead-letters).',
      labelNames: ['sink'],
      registers,
    });
    const lagRecords: Gauge<'sink'> = new Gauge({
      name: METRIC.exportLagRecords,
      help: 'Export records a sink has yet to deliver, counted in the store (same value on every worker that reports it).',
      labelNames: ['sink'],
      registers,
      collect: async () => {
        const lags = await this.exportLag?.get();
        lagRecords.reset();
        for (const [sink, lag] of lags ?? []) lagRecords.set({ sink }, lag.records);
      },
    });
    const lagSeconds: Gauge<'sink'> = new Gauge({
      name: METRIC.exportLagSeconds,
      help: 'Age in seconds of the oldest export record a sink has yet to deliver (0 when none waits).',
      labelNames: ['sink'],
      registers,
      collect: async () => {
        const lags = await this.exportLag?.get();
        lagSeconds.reset();
        for (const [sink, lag] of lags ?? []) lagSeconds.set({ sink }, lag.oldestAgeSeconds);
      },
    });
    this.definitionCache = new Counter({
      name: METRIC.definitionCache,
      help: 'Compiled-definition lookups answered from memory (hit) or loaded and compiled (miss).',
      labelNames: ['result'],
      registers,
    });
    this.httpDuration = new Histogram({
      name: METRIC.httpRequestDuration,
      help: 'HTTP request duration by method, route pattern and status.',
      labelNames: ['method', 'route', 'status'],
      buckets: [
        0.001, 0.0025, 0.005, 0.01, 0.015, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
      ],
      registers,
    });
    this.timerLateness = new Histogram({
      name: METRIC.timerLateness,
      help: 'How late timers fired relative to their due time.',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });

    // Series that exist from the first scrape, so rate() and alerts see a 0 rather than nothing.
    for (const kind of Object.values(ErrorKind)) {
      const child = this.errors.labels({ kind });
      child.inc(0);
      this.errorSeries.set(kind, child);
    }
    this.cacheHit = this.definitionCache.labels({ result: 'hit' });
    this.cacheMiss = this.definitionCache.labels({ result: 'miss' });
    this.cacheHit.inc(0);
    this.cacheMiss.inc(0);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The Prometheus text exposition of every metric (awaits scrape-time probes). */
  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  /** `BatchProcessorOptions.onBatch`. */
  readonly onBatch = (report: BatchObservation): void => {
    if (report.items > 0) {
      this.tokensProcessed.inc(report.items);
      this.tokenBatchSize.observe(report.items);
      this.batchDuration.observe(report.seconds);
    }
    for (const s of report.started) this.series(s.processKey).started.inc();
    for (const c of report.canceled) this.series(c.processKey).canceled.inc();
    if (report.completed.length > 0) {
      const now = this.now();
      for (const c of report.completed) {
        const series = this.series(c.processKey);
        series.completed.inc();
        series.execution.observe(Math.max(0, now - c.startedAt.getTime()) / 1000);
      }
    }
  };

  /** `InstanceStarter` option `onStarted`. */
  readonly onInstanceStarted = (processKey: string): void => {
    this.series(processKey).started.inc();
  };

  /** `DefinitionRegistryOptions.onLookup`. */
  readonly onDefinitionLookup = (result: 'hit' | 'miss'): void => {
    (result === 'hit' ? this.cacheHit : this.cacheMiss).inc();
  };

  /** `JobService` option `onOutcome`. */
  readonly onJobOutcome = (type: string, outcome: JobOutcome): void => {
    let byOutcome = this.jobSeries.get(type);
    if (byOutcome === undefined) {
      const label = this.jobSeries.size < this.maxLabelValues ? type : OTHER;
      byOutcome = this.jobSeries.get(label);
      if (byOutcome === undefined) {
        byOutcome = new Map(
          JOB_OUTCOMES.map((o) => [o, this.jobs.labels({ type: label, outcome: o })]),
        );
        for (const child of byOutcome.values()) child.inc(0);
        this.jobSeries.set(label, byOutcome);
      }
    }
    byOutcome.get(outcome)?.inc();
  };

  /** `TimerService` option `onFired`: how late each fired timer was, in ms. */
  readonly onTimersFired = (latenessMs: readonly number[]): void => {
    for (const ms of latenessMs) this.timerLateness.observe(Math.max(0, ms) / 1000);
  };

  error(kind: ErrorKind, count = 1): void {
    this.errorSeries.get(kind)?.inc(count);
  }

  /**
   * One HTTP answer. `route` is the route pattern (`/api/v1/instances/:id`),
   * never the URL; undefined (no route matched) is counted as `unmatched`.
   */
  observeHttp(method: string, route: string | undefined, status: number, seconds: number): void {
    const m = HTTP_METHODS.has(method) ? method : 'OTHER';
    const r = route ?? 'unmatched';
    const key = `${m} ${status} ${r}`;
    let child = this.httpSeries.get(key);
    if (child === undefined) {
      child = this.httpDuration.labels({ method: m, route: r, status: String(status) });
      this.httpSeries.set(key, child);
    }
    child.observe(seconds);
    if (status >= 500) this.error(ErrorKind.HttpServerError);
  }

  /**
   * Exports `baton_active_instances{process}` and `baton_incidents_open{type}`
   * from counts the store answers, read on scrape and reused for `maxAgeMs`.
   * Counting in the store (not started - ended in this process) is what makes
   * the numbers right with any number of replicas; every replica that
   * watches reports the same value, so dashboards take `max`.
   */
  watchStore(read: () => Promise<StoreCounts>, options: ProbeOptions = {}): void {
    if (this.storeWatched) throw new Error('watchStore: already watching a store');
    this.storeWatched = true;
    const counts = this.probe(read, options);
    const active: Gauge<'process'> = new Gauge({
      name: METRIC.activeInstances,
      help: 'ACTIVE process instances by process key, counted in the store (same value on every replica that reports it).',
      labelNames: ['process'],
      registers: [this.registry],
      collect: async () => {
        const snapshot = await counts.get();
        active.reset();
        if (snapshot === undefined) return;
        const byLabel = this.bounded(
          snapshot.activeInstances.map((r) => [r.processKey, r.count] as const),
        );
        for (const [process, count] of byLabel) active.set({ process }, count);
      },
    });
    const incidents: Gauge<'type'> = new Gauge({
      name: METRIC.incidentsOpen,
      help: 'Open incidents by type, counted in the store (same value on every replica that reports it).',
      labelNames: ['type'],
      registers: [this.registry],
      collect: async () => {
        const snapshot = await counts.get();
        incidents.reset();
        if (snapshot === undefined) return;
        for (const [type, count] of this.bounded(
          snapshot.openIncidents.map((r) => [r.type, r.count] as const),
        )) {
          incidents.set({ type }, count);
        }
      },
    });
  }

  /** Exports `baton_work_queue_depth{queue}`: items waiting on the token bus, read on scrape. */
  watchQueue(queue: string, depth: () => Promise<number>, options: ProbeOptions = {}): void {
    if (this.queueWatched) throw new Error('watchQueue: already watching a queue');
    this.queueWatched = true;
    const value = this.probe(depth, { timeoutMs: 1000, ...options });
    const gauge: Gauge<'queue'> = new Gauge({
      name: METRIC.workQueueDepth,
      help: 'Work items waiting in the token bus queue (ready, not yet delivered); absent when the broker did not answer.',
      labelNames: ['queue'],
      registers: [this.registry],
      collect: async () => {
        const n = await value.get();
        gauge.reset();
        if (n !== undefined) gauge.set({ queue }, n);
      },
    });
  }

  /** One chunk of a batch operation ran: its items by outcome (batch types are a fixed set: no label bound needed). */
  readonly onBatchChunk = (type: string, completed: number, failed: number): void => {
    if (completed > 0) this.batchItems.inc({ type, outcome: 'completed' }, completed);
    if (failed > 0) this.batchItems.inc({ type, outcome: 'failed' }, failed);
  };

  /** One retention chunk ran: the rows it deleted, by table (a fixed set of tables). */
  readonly onRetentionDeleted = (deleted: Readonly<Record<string, number>>): void => {
    for (const [table, n] of Object.entries(deleted)) if (n > 0) this.retentionDeleted.inc({ table }, n);
  };

  readonly onExportDelivered = (sink: string, records: number): void => {
    this.exportRecords.inc({ sink }, records);
  };

  readonly onExportFailed = (sink: string): void => {
    this.exportFailures.inc({ sink });
  };

  readonly onExportDeadLettered = (sink: string): void => {
    this.exportDeadLetters.inc({ sink });
  };

  /** `baton_export_lag_records{sink}` and `baton_export_lag_seconds{sink}`, read from the store on scrape. */
  watchExportLag(read: () => Promise<ReadonlyMap<string, { records: number; oldestAgeSeconds: number }>>, options: ProbeOptions = {}): void {
    if (this.exportLag !== undefined) throw new Error('watchExportLag: already watching');
    this.exportLag = this.probe(read, options);
  }

  /** `baton_batch_queue_depth`: chunk jobs waiting or running, read on scrape (absent when the queue does not answer). */
  watchBatchQueue(depth: () => Promise<number | null>, options: ProbeOptions = {}): void {
    if (this.batchQueueWatched) throw new Error('watchBatchQueue: already watching a batch queue');
    this.batchQueueWatched = true;
    const value = this.probe(depth, { timeoutMs: 1000, ...options });
    const gauge: Gauge = new Gauge({
      name: METRIC.batchQueueDepth,
      help: 'Chunk jobs of batch operations waiting or running in the batch queue (BullMQ, or in process).',
      registers: [this.registry],
      collect: async () => {
        const n = await value.get();
        gauge.reset();
        if (n !== undefined && n !== null) gauge.set(n);
      },
    });
  }

  /**
   * `baton_queue_jobs{queue,state}`: the jobs of a BullMQ queue by state
   * (waiting, active, delayed, failed), read with the queue's job counts on
   * scrape. One call per queue; a queue that is not open in this process
   * (`counts` answers null) or does not answer has no samples.
   */
  watchJobQueue(queue: string, counts: () => Promise<QueueJobCounts>, options: ProbeOptions = {}): void {
    if (this.jobQueues.has(queue)) throw new Error(`watchJobQueue: already watching queue ${queue}`);
    const first = this.jobQueues.size === 0;
    this.jobQueues.set(queue, this.probe(counts, { timeoutMs: 1000, ...options }));
    if (!first) return;
    const gauge: Gauge<'queue' | 'state'> = new Gauge({
      name: METRIC.queueJobs,
      help: 'Jobs of a BullMQ queue (batch operation chunks, retention passes) by state: waiting, active, delayed, failed.',
      labelNames: ['queue', 'state'],
      registers: [this.registry],
      collect: async () => {
        const reads = await Promise.all([...this.jobQueues].map(async ([name, value]) => [name, await value.get()] as const));
        gauge.reset();
        for (const [name, counts] of reads) {
          if (counts === undefined || counts === null) continue;
          for (const [state, n] of Object.entries(counts)) gauge.set({ queue: name, state }, n);
        }
      },
    });
  }

  /**
   * `baton_batch_active_items{type,state}`: the items of ACTIVE batch
   * operations by batch type and item state (pending, completed, failed,
   * skipped), counted in the store on scrape: a batch's progress while it
   * runs (ended batches leave the gauge).
   */
  watchBatchProgress(read: () => Promise<readonly BatchItemCount[]>, options: ProbeOptions = {}): void {
    if (this.batchProgressWatched) throw new Error('watchBatchProgress: already watching');
    this.batchProgressWatched = true;
    const value = this.probe(read, options);
    const gauge: Gauge<'type' | 'state'> = new Gauge({
      name: METRIC.batchActiveItems,
      help: 'Items of ACTIVE batch operations by type and item state, counted in the store (same value on every replica that reports it).',
      labelNames: ['type', 'state'],
      registers: [this.registry],
      collect: async () => {
        const rows = await value.get();
        gauge.reset();
        for (const r of rows ?? []) gauge.inc({ type: r.type, state: r.state }, r.count);
      },
    });
  }

  private probe<T>(read: () => Promise<T>, options: ProbeOptions): RefreshingValue<T> {
    return new RefreshingValue(read, {
      maxAgeMs: options.maxAgeMs ?? 5000,
      timeoutMs: options.timeoutMs ?? 2000,
      onError: () => this.error(ErrorKind.ProbeFailed),
      now: this.now,
    });
  }

  private series(processKey: string): ProcessSeries {
    const known = this.processSeries.get(processKey);
    if (known !== undefined) return known;
    const label = this.processSeries.size < this.maxLabelValues ? processKey : OTHER;
    let series = this.processSeries.get(label);
    if (series === undefined) {
      series = {
        started: this.processInstances.labels({ process: label, event: ProcessEvent.Started }),
        completed: this.processInstances.labels({ process: label, event: ProcessEvent.Completed }),
        canceled: this.processInstances.labels({ process: label, event: ProcessEvent.Canceled }),
        execution: this.executionSeconds.labels({ process: label }),
      };
      series.started.inc(0);
      series.completed.inc(0);
      series.canceled.inc(0);
      this.processSeries.set(label, series);
    }
    return series;
  }

  /** Label values past `maxLabelValues` summed under `other`. */
  private bounded(rows: readonly (readonly [string, number])[]): Map<string, number> {
    const out = new Map<string, number>();
    for (const [label, count] of rows) {
      const key = out.has(label) || out.size < this.maxLabelValues ? label : OTHER;
      out.set(key, (out.get(key) ?? 0) + Number(count));
    }
    return out;
  }
}

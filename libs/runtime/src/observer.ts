/**
 * What the runtime reports as it works, as typed events: metrics and logs
 * are built from these (libs/host wires them), never from log text. Every
 * method is optional; an observer that throws is not the runtime's problem
 * (calls are guarded).
 */
export interface RuntimeObserver {
  /** A unit of work committed (a worker batch, or a command applied by the API). */
  batchCommitted?(report: BatchReport): void;
  /** Instances were created (REST, call activities, message, signal and timer starts). */
  instancesStarted?(bpmnProcessIds: readonly string[]): void;
  jobOutcome?(type: string, outcome: JobEventOutcome): void;
  /** How late each fired timer was, in ms. */
  timersFired?(latenessMs: readonly number[]): void;
  definitionLookup?(result: 'hit' | 'miss'): void;
  /** The sweeper announced instances whose work was overdue (a lost announcement, a crash). */
  swept?(count: number): void;
  /** A chunk of a batch operation ran (README "Operate"). */
  batchChunk?(report: BatchChunkReport): void;
  /** Something failed and was recovered from or routed around; `detail` says what, for the log. */
  failure?(kind: FailureKind, detail: string, error?: unknown): void;
}

/** Kinds of failure, also the `kind` label of `baton_errors_total`. */
export enum FailureKind {
  /** A unit of work rolled back (database unreachable, deadlock, a bug); its items are redelivered. */
  BatchFailed = 'batch_failed',
  /** An instance the engine refused to step, or whose definition could not be loaded; left as it is. */
  StepFailed = 'step_failed',
  /** An instance whose step failed repeatedly was set aside with an incident. */
  StepIsolated = 'step_isolated',
  /** Work committed but not announced on the bus; the sweeper announces it later. */
  PublishFailed = 'publish_failed',
  /** A group of new instances could not be written. */
  StartFailed = 'start_failed',
  /** A pass of the timer poller failed. */
  TimerFailed = 'timer_failed',
  /** A pass of the sweeper failed. */
  SweepFailed = 'sweep_failed',
  /** An in-process job handler threw or its outcome could not be reported. */
  JobHandlerFailed = 'job_handler_failed',
  /** The key node lease could not be renewed. */
  KeyLeaseFailed = 'key_lease_failed',
  /** A request was answered 503 because the store did not answer. */
  StoreUnavailable = 'store_unavailable',
}

/** What happened to a job, for `baton_jobs_total{type,outcome}`: reported once the change committed. */
export type JobEventOutcome = 'activated' | 'completed' | 'failed' | 'error' | 'incident';

export interface BatchReport {
  readonly items: number;
  /** Instances stepped and committed. */
  readonly stepped: number;
  /** Instances locked by another worker: their items were put back on the queue. */
  readonly requeued: number;
  readonly completed: { bpmnProcessId: string; startedAt: Date }[];
  readonly canceled: { bpmnProcessId: string }[];
  readonly started: { bpmnProcessId: string }[];
  readonly historyEvents: number;
  readonly seconds: number;
}

export interface BatchChunkReport {
  /** The batch operation type (CANCEL_PROCESS_INSTANCE, ...). */
  readonly type: string;
  readonly completed: number;
  readonly failed: number;
  /** Whether the batch ended with this chunk. */
  readonly finished: boolean;
}

/** Calls an observer method, swallowing what it throws. */
export function notify<K extends keyof RuntimeObserver>(
  observer: RuntimeObserver,
  method: K,
  ...args: Parameters<NonNullable<RuntimeObserver[K]>>
): void {
  const fn = observer[method] as ((...a: unknown[]) => void) | undefined;
  if (fn === undefined) return;
  try {
    fn.apply(observer, args);
  } catch {
    // An observer must not break the work it observes.
  }
}

/** Fans events out to several observers (metrics and logs). */
export function observers(...list: RuntimeObserver[]): RuntimeObserver {
  const all =
    (method: keyof RuntimeObserver) =>
    (...args: unknown[]): void => {
      for (const o of list) {
        const fn = o[method] as ((...a: unknown[]) => void) | undefined;
        try {
          fn?.apply(o, args);
        } catch {
          // An observer must not break the work it observes.
        }
      }
    };
  return {
    batchCommitted: all('batchCommitted'),
    instancesStarted: all('instancesStarted'),
    jobOutcome: all('jobOutcome'),
    timersFired: all('timersFired'),
    definitionLookup: all('definitionLookup'),
    swept: all('swept'),
    batchChunk: all('batchChunk'),
    failure: all('failure'),
  };
}

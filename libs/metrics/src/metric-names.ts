/**
 * Every metric Baton exports, by name. The first block is the contract the
 * README's "Metrics" table documents (dashboards, alerts and users' own queries rely on it); the
 * second adds what operating Baton needs beyond it.
 */
export const METRIC = {
  processInstances: 'baton_process_instances_total',
  processExecutionSeconds: 'baton_process_execution_seconds',
  activeInstances: 'baton_active_instances',
  tokensProcessed: 'baton_tokens_processed_total',
  tokenBatchSize: 'baton_token_batch_size',
  errors: 'baton_errors_total',
  jobs: 'baton_jobs_total',
  definitionCache: 'baton_definition_cache_total',
  httpRequestDuration: 'baton_http_request_duration_seconds',

  batchDuration: 'baton_batch_duration_seconds',
  workQueueDepth: 'baton_work_queue_depth',
  incidentsOpen: 'baton_incidents_open',
  timerLateness: 'baton_timer_lateness_seconds',
  batchItems: 'baton_batch_items_total',
  batchQueueDepth: 'baton_batch_queue_depth',
  batchActiveItems: 'baton_batch_active_items',
  queueJobs: 'baton_queue_jobs',
  retentionDeletedRows: 'baton_retention_deleted_rows_total',
  exportDelivered: 'baton_export_delivered_total',
  exportFailed: 'baton_export_failed_total',
  exportDeadLettered: 'baton_export_dead_lettered_total',
  exportLagRecords: 'baton_export_lag_records',
  exportLagSeconds: 'baton_export_lag_seconds',
} as const;

export type MetricName = (typeof METRIC)[keyof typeof METRIC];

/** The contract's names (README "Metrics"): what a scrape of an api plus a worker must contain. */
export const CORE_METRICS: readonly MetricName[] = [
  METRIC.processInstances,
  METRIC.processExecutionSeconds,
  METRIC.activeInstances,
  METRIC.tokensProcessed,
  METRIC.tokenBatchSize,
  METRIC.errors,
  METRIC.jobs,
  METRIC.definitionCache,
  METRIC.httpRequestDuration,
];

/** `baton_process_instances_total{event}`. */
export enum ProcessEvent {
  Started = 'started',
  Completed = 'completed',
  Canceled = 'canceled',
}

/**
 * `baton_errors_total{kind}`: failures the system recovered from or routed
 * around, each worth a look when its rate rises. Incidents (failures a user
 * fixes) are not errors here: they are `baton_incidents_open{type}`.
 */
export enum ErrorKind {
  /** A unit of work rolled back (database unreachable, deadlock, a bug); its items are redelivered. */
  BatchFailed = 'batch_failed',
  /** An instance the engine refused to step, or whose definition could not be loaded; it is left as it is. */
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
  /** An HTTP answer with a 5xx status. */
  HttpServerError = 'http_5xx',
  /** A scrape-time probe (store counts, queue depth) failed or timed out; its gauges are left empty. */
  ProbeFailed = 'probe_failed',
}

/** `baton_jobs_total{outcome}`: what happened to a job of a service, send or business-rule task. */
export type JobOutcome = 'activated' | 'completed' | 'failed' | 'error' | 'incident';

export const JOB_OUTCOMES: readonly JobOutcome[] = [
  'activated',
  'completed',
  'failed',
  'error',
  'incident',
];

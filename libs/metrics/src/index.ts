// Public surface of @baton/metrics: Baton's Prometheus metrics (README "Metrics") on
// prom-client, without a framework. The hosts build one BatonMetrics per
// application, hand its `on*` callbacks to the runtime and serve `metrics()`.
export {
  BatonMetrics,
  type BatchItemCount,
  type BatchObservation,
  type BatonMetricsOptions,
  type ProbeOptions,
  type QueueJobCounts,
  type StoreCounts,
} from './baton-metrics';
export {
  CORE_METRICS,
  ErrorKind,
  JOB_OUTCOMES,
  METRIC,
  ProcessEvent,
  type JobOutcome,
  type MetricName,
} from './metric-names';
export { RefreshingValue } from './refreshing-value';

/**
 * What `GET /metrics` serves: the shape of a prom-client `Registry`
 * (`contentType`, `metrics()`), so the observability work binds its registry
 * to {@link METRICS_SOURCE} and nothing else in the worker changes.
 */
export interface MetricsSource {
  readonly contentType: string;
  metrics(): Promise<string>;
}

export const METRICS_SOURCE = Symbol('baton:worker:metrics-source');

/** Until the worker is instrumented: valid, empty Prometheus text. */
export const noMetrics: MetricsSource = {
  contentType: 'text/plain; version=0.0.4; charset=utf-8',
  metrics: async () => '# baton worker: no metrics registered yet\n',
};

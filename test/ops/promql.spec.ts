import { metricNamesInPromQL, metricNamesInScrape, scrapeHas } from './promql';

describe('metricNamesInPromQL', () => {
  it.each([
    [
      'sum by (event) (rate(baton_process_instances_total{process=~"$process"}[$__rate_interval]))',
      ['baton_process_instances_total'],
    ],
    [
      'histogram_quantile(0.95, sum by (le, route) (rate(baton_http_request_duration_seconds_bucket[5m])))',
      ['baton_http_request_duration_seconds_bucket'],
    ],
    ['count(up{job="worker"} == 1) or vector(0)', ['up']],
    ['absent(up{job="worker"} == 1)', ['up']],
    [
      'sum(max by (type) (baton_incidents_open)) - sum(max by (type) (baton_incidents_open offset 15m)) > 0',
      ['baton_incidents_open'],
    ],
    [
      'max(baton_work_queue_depth) > 1e3 and deriv(max(baton_work_queue_depth)[10m:1m]) > 0',
      ['baton_work_queue_depth'],
    ],
    ['a_total / on (job) group_left (version) b_info', ['a_total', 'b_info']],
    ['sum(rate(x_sum[5m])) by (le) / sum(rate(x_count[5m])) by (le)', ['x_sum', 'x_count']],
    ['label_values(baton_process_instances_total, process)', ['baton_process_instances_total']],
    [
      'rabbitmq_queue_messages_ready{queue="baton.work", vhost="/"}',
      ['rabbitmq_queue_messages_ready'],
    ],
  ])('%s', (expr, names) => {
    expect(metricNamesInPromQL(expr).sort()).toEqual([...names].sort());
  });
});

describe('metricNamesInScrape', () => {
  const families = metricNamesInScrape(
    [
      '# HELP h_seconds a histogram',
      '# TYPE h_seconds histogram',
      'h_seconds_bucket{le="1"} 0',
      '# TYPE c_total counter',
      'c_total 3',
      'untyped_thing 1',
    ].join('\n'),
  );

  it('knows families, histogram series and untyped samples', () => {
    expect(scrapeHas(families, 'h_seconds_bucket')).toBe(true);
    expect(scrapeHas(families, 'h_seconds_count')).toBe(true);
    expect(scrapeHas(families, 'c_total')).toBe(true);
    expect(scrapeHas(families, 'c_total_count')).toBe(false);
    expect(scrapeHas(families, 'untyped_thing')).toBe(true);
    expect(scrapeHas(families, 'nothing')).toBe(false);
  });
});

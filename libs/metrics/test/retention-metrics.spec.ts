import { BatonMetrics, METRIC } from '@baton/metrics';

describe('retention metrics', () => {
  it('counts the rows each retention chunk deleted, by table', async () => {
    const metrics = new BatonMetrics({ defaultMetrics: false });
    metrics.onRetentionDeleted({ ProcessInstance: 2, HistoryEvent: 40 });
    metrics.onRetentionDeleted({ HistoryEvent: 8, Job: 0 });
    const text = await metrics.metrics();
    expect(text).toContain(`# TYPE ${METRIC.retentionDeletedRows} counter`);
    expect(text).toContain(`${METRIC.retentionDeletedRows}{table="ProcessInstance"} 2`);
    expect(text).toContain(`${METRIC.retentionDeletedRows}{table="HistoryEvent"} 48`);
    expect(text).not.toContain(`${METRIC.retentionDeletedRows}{table="Job"}`);
  });
});

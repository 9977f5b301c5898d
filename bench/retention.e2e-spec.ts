import { measureRetention, retentionMarkdown } from './lib/retention';

// Smoke test of the bench's retention section at a tiny size: it seeds,
// runs both passes and reports well-formed figures. It asserts no speed.
describe('npm run bench, retention section, at smoke size', () => {
  it('deletes every seeded history row, then every seeded instance with its rows', async () => {
    const figures = await measureRetention({ instances: 200, historyPerInstance: 3, chunk: 50 }, () => undefined);
    // Three events per instance: two step rows each.
    expect(figures.history).toMatchObject({ rowsDeleted: 400, chunks: 5 });
    // The instance and one row in each of the 9 other tables that name it (its history went first).
    expect(figures.instances).toMatchObject({ rowsDeleted: 2000, chunks: 5 });
    expect(figures.instances.instancesPerSec).toBeGreaterThan(0);
    expect(figures.history.sizeBefore).toBeGreaterThan(0);
    expect(retentionMarkdown(figures).join('\n')).toContain('| HISTORY_RETENTION (HistoryStep) | 400 |');
  }, 60_000);
});

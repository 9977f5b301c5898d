import { measureRowWrites } from './lib/row-writes';

// What an R1 instance writes (docs/architecture.md "Row writes"): a row count, not a speed.
describe('row writes per R1 instance (pg_stat_user_tables)', () => {
  const r1 = { file: 'r1-exclusive-script.bpmn', variables: { amount: 150 }, instances: 60, batchSize: 20 } as const;

  it('writes 3 rows at HISTORY_LEVEL full: the instance INSERT and UPDATE, one history row for its 12 events', async () => {
    const f = await measureRowWrites({ ...r1, historyLevel: 'full' });
    expect(f.rowWrites).toBe(3);
    expect(f.tables.map((t) => [t.table, t.inserted, t.updated, t.deleted])).toEqual([
      ['HistoryStep', 1, 0, 0],
      ['ProcessInstance', 1, 1, 0],
    ]);
  }, 60_000);

  it('writes no history row at HISTORY_LEVEL none', async () => {
    const f = await measureRowWrites({ ...r1, historyLevel: 'none' });
    expect(f.rowWrites).toBe(2);
    expect(f.tables.map((t) => t.table)).toEqual(['ProcessInstance']);
  }, 60_000);
});

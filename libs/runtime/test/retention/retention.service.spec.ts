import { InProcessRetentionSchedule, RetentionService, type RetentionChunkResult, type RetentionCursor, type RetentionRepository } from '../../src';

/** A repository over `n` due instances: each chunk takes the next `limit` of them. */
function fakeRepository(n: number): RetentionRepository & { calls: { kind: string; cutoff: number; after: RetentionCursor | null }[] } {
  const calls: { kind: string; cutoff: number; after: RetentionCursor | null }[] = [];
  const chunk = (kind: string, table: string) => async (cutoff: Date, after: RetentionCursor | null, limit: number): Promise<RetentionChunkResult> => {
    calls.push({ kind, cutoff: cutoff.getTime(), after });
    const from = after === null ? 0 : Number(after.id) + 1;
    const ids = Array.from({ length: Math.max(0, Math.min(limit, n - from)) }, (_, i) => from + i);
    const last = ids.at(-1);
    return { instances: ids.length, deleted: ids.length > 0 ? { [table]: ids.length } : {}, last: last === undefined ? null : { endedAt: new Date(0), id: String(last) } };
  };
  return { calls, deleteInstances: chunk('instances', 'ProcessInstance'), deleteHistory: chunk('history', 'HistoryEvent') };
}

describe('RetentionService', () => {
  it('runs chunks from the cut-off measured back from now until one comes back short', async () => {
    const repo = fakeRepository(5);
    const service = new RetentionService(repo, { instanceRetentionMs: 1000, historyRetentionMs: 10, chunkSize: 2, clock: () => 50_000 });
    const report = await service.runPass();
    expect(report).toEqual({ instances: 5, historyInstances: 5, chunks: 6, deleted: { ProcessInstance: 5, HistoryEvent: 5 } });
    expect(repo.calls.map((c) => `${c.kind}@${c.cutoff} after ${c.after?.id ?? '-'}`)).toEqual([
      'instances@49000 after -',
      'instances@49000 after 1',
      'instances@49000 after 3',
      'history@49990 after -',
      'history@49990 after 1',
      'history@49990 after 3',
    ]);
  });

  it('stops between chunks when asked (shutdown)', async () => {
    const repo = fakeRepository(10);
    const service = new RetentionService(repo, { instanceRetentionMs: 1000, historyRetentionMs: 1000, chunkSize: 2 });
    let chunks = 0;
    const report = await service.runPass(() => ++chunks >= 2);
    expect(report.chunks).toBe(2);
    expect(repo.calls.map((c) => c.kind)).toEqual(['instances', 'instances']);
  });
});

describe('InProcessRetentionSchedule', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('runs a pass every interval, never two at once', async () => {
    const schedule = new InProcessRetentionSchedule(1000);
    let running = 0;
    let passes = 0;
    let release!: () => void;
    await schedule.start(async () => {
      passes++;
      running++;
      await new Promise<void>((r) => (release = r));
      running--;
    });
    await jest.advanceTimersByTimeAsync(3500);
    // The first pass still runs: the ticks at 2 s and 3 s start nothing.
    expect(passes).toBe(1);
    release();
    await jest.advanceTimersByTimeAsync(1000);
    expect(passes).toBe(2);
    expect(running).toBe(1);
    release();
    await schedule.close();
  });
});

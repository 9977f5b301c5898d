import { KeyGenerator, MAX_NODE, PartitionedUnitOfWork, partitionNodes, partitionOf, type BatchReport, type Key } from '../src';

const report = (ids: readonly Key[], seconds: number): BatchReport => ({
  items: ids.length,
  stepped: ids.length,
  requeued: 0,
  completed: ids.map(() => ({ bpmnProcessId: 'p', startedAt: new Date(0) })),
  canceled: [],
  started: [],
  historyEvents: ids.length * 2,
  seconds,
});

/** A partition's unit of work that keeps what it was handed. */
class RecordingStepper {
  readonly batches: Key[][] = [];
  readonly redelivered: Key[] = [];
  constructor(
    private readonly seconds: number,
    private readonly failure?: Error,
  ) {}
  async runBatch(ids: readonly Key[]): Promise<BatchReport> {
    this.batches.push([...ids]);
    if (this.failure) throw this.failure;
    return report(ids, this.seconds);
  }
  async runRedelivered(id: Key): Promise<BatchReport> {
    this.redelivered.push(id);
    return report([id], this.seconds);
  }
}

const keyOnNode = (node: number) => new KeyGenerator({ node, clock: () => Date.UTC(2026, 0, 1) }).next();

describe('store partitions', () => {
  it('split the 1,024 key nodes into contiguous ranges that together hold every node once', () => {
    for (const count of [1, 2, 3, 7, 64, 1000, 1024]) {
      const ranges = Array.from({ length: count }, (_, p) => partitionNodes(p, count));
      expect(ranges[0].from).toBe(0);
      expect(ranges[count - 1].to).toBe(MAX_NODE);
      for (let p = 1; p < count; p++) expect(ranges[p].from).toBe(ranges[p - 1].to + 1);
      expect(ranges.every((r) => r.to >= r.from)).toBe(true);
    }
  });

  it('name the partition of a key made on any node of its range', () => {
    for (const count of [1, 2, 3, 1024]) {
      for (let p = 0; p < count; p++) {
        const { from, to } = partitionNodes(p, count);
        for (const node of new Set([from, Math.floor((from + to) / 2), to])) expect(partitionOf(keyOnNode(node), count)).toBe(p);
      }
    }
    // Keys from before partitions (node 0, or any node) all belong to the one partition of an unpartitioned store.
    expect(partitionOf(keyOnNode(777), 1)).toBe(0);
  });

  it('step each group of a batch on its partition, side by side, and report the batch as one', async () => {
    const [p0, p1] = [new RecordingStepper(0.02), new RecordingStepper(0.05)];
    const a = keyOnNode(3);
    const b = keyOnNode(600);
    const c = keyOnNode(100);
    const report = await new PartitionedUnitOfWork([p0, p1]).runBatch([a, b, c]);
    expect(p0.batches).toEqual([[a, c]]);
    expect(p1.batches).toEqual([[b]]);
    expect(report).toMatchObject({ items: 3, stepped: 3, requeued: 0, historyEvents: 6, seconds: 0.05 });
    expect(report.completed).toHaveLength(3);
  });

  it('fail the batch when one partition fails, and step a redelivered item on its own partition', async () => {
    const [p0, p1] = [new RecordingStepper(0.01), new RecordingStepper(0.01, new Error('partition 1 is down'))];
    const routed = new PartitionedUnitOfWork([p0, p1]);
    await expect(routed.runBatch([keyOnNode(1), keyOnNode(1000)])).rejects.toThrow('partition 1 is down');
    const late = keyOnNode(900);
    await routed.runRedelivered(late);
    expect(p1.redelivered).toEqual([late]);
    expect(p0.redelivered).toEqual([]);
  });

  it('refuse a unit of work per partition for no partition at all', () => {
    expect(() => new PartitionedUnitOfWork([])).toThrow('the number of store partitions must be a whole number from 1 to 1024, got 0');
  });
});

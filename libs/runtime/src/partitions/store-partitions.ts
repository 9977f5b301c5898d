import { keyNode, MAX_NODE, type Key } from '../keys/key-generator';
import type { NodeRange } from '../keys/key-node-lease';
import type { BatchReport } from '../observer';
import type { UnitOfWork } from '../execution/unit-of-work';

/*
 * Store partitions: instances spread over several Postgres databases by
 * instance key (docs/scaling.md, "Beyond one Postgres"). Everything a step
 * writes belongs to one instance, so a step never needs two partitions.
 *
 * A key names its partition: the 1,024 key nodes are split into `count`
 * ranges, and the processes writing to partition p lease their node numbers
 * from p's range only (`LeasedKeys.acquire(..., { nodes: partitionNodes(p, count) })`).
 * An instance's key, and every key made in its steps, then says where its
 * rows are, with no lookup table. One partition (count 1) is the store as it
 * is without partitions: every node, every key.
 */

function checkCount(count: number): void {
  if (!Number.isInteger(count) || count < 1 || count > MAX_NODE + 1) {
    throw new RangeError(`the number of store partitions must be a whole number from 1 to ${MAX_NODE + 1}, got ${count}`);
  }
}

/** The key nodes of partition `partition` of `count`: a contiguous range, the ranges together every node. */
export function partitionNodes(partition: number, count: number): NodeRange {
  checkCount(count);
  if (!Number.isInteger(partition) || partition < 0 || partition >= count) {
    throw new RangeError(`store partition ${partition} does not exist: there are ${count} (0 to ${count - 1})`);
  }
  const nodes = MAX_NODE + 1;
  return { from: Math.ceil((partition * nodes) / count), to: Math.ceil(((partition + 1) * nodes) / count) - 1 };
}

/** The partition whose store holds the rows of the instance (or job, task, ...) with this key. */
export function partitionOf(key: Key, count: number): number {
  checkCount(count);
  return Math.floor((keyNode(key) * count) / (MAX_NODE + 1));
}

/** What the token worker runs its batches on: one store's unit of work, or {@link PartitionedUnitOfWork}. */
export type InstanceStepper = Pick<UnitOfWork, 'runBatch' | 'runRedelivered'>;

/**
 * One unit of work per store partition behind the token worker's interface:
 * a batch's instances are grouped by the partition their key names, and each
 * group is stepped on its partition's unit of work, in a transaction of its
 * own there (the groups run side by side). A batch is done when every group
 * committed; when one fails the batch fails and comes back, and the groups
 * that committed step again harmlessly (a work item is a hint: an instance
 * with nothing to do is skipped), as after any failed batch.
 */
export class PartitionedUnitOfWork implements InstanceStepper {
  constructor(private readonly partitions: readonly InstanceStepper[]) {
    checkCount(partitions.length);
  }

  async runBatch(instanceIds: readonly Key[]): Promise<BatchReport> {
    const groups = new Map<number, Key[]>();
    for (const id of instanceIds) {
      const partition = partitionOf(id, this.partitions.length);
      let group = groups.get(partition);
      if (group === undefined) groups.set(partition, (group = []));
      group.push(id);
    }
    const reports = await Promise.all([...groups].map(([partition, ids]) => this.partitions[partition].runBatch(ids)));
    return merged(reports);
  }

  runRedelivered(instanceId: Key): Promise<BatchReport> {
    return this.partitions[partitionOf(instanceId, this.partitions.length)].runRedelivered(instanceId);
  }
}

function merged(reports: readonly BatchReport[]): BatchReport {
  if (reports.length === 1) return reports[0];
  const sum = (field: 'items' | 'stepped' | 'requeued' | 'historyEvents') => reports.reduce((total, r) => total + r[field], 0);
  return {
    items: sum('items'),
    stepped: sum('stepped'),
    requeued: sum('requeued'),
    historyEvents: sum('historyEvents'),
    completed: reports.flatMap((r) => r.completed),
    canceled: reports.flatMap((r) => r.canceled),
    started: reports.flatMap((r) => r.started),
    // Side by side: the batch took as long as its slowest group.
    seconds: Math.max(0, ...reports.map((r) => r.seconds)),
  };
}

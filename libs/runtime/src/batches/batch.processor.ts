import type { IncidentService } from '../incidents/incident.service';
import type { InstanceAction, InstanceService } from '../instances/instance.service';
import { notify, type RuntimeObserver } from '../observer';
import {
  LockTimeoutError,
  StoreUnavailableError,
  type Repositories,
  type RuntimeStore,
} from '../ports/repositories';
import type { BatchChunk, BatchItemRecord, BatchRecord, BatchType } from './batch.records';

type InstanceActionType = Exclude<BatchType, 'RESOLVE_INCIDENT' | 'MIGRATE_PROCESS_INSTANCE' | 'SET_VARIABLES' | 'DELETE_PROCESS_INSTANCE'>;

const INSTANCE_ACTIONS: Record<InstanceActionType, InstanceAction> = {
  CANCEL_PROCESS_INSTANCE: 'cancel',
  SUSPEND_PROCESS_INSTANCE: 'suspend',
  RESUME_PROCESS_INSTANCE: 'resume',
};

/** Items between two looks at whether the batch was canceled meanwhile. */
const CANCEL_CHECK_EVERY = 20;

/** The item was settled by someone else (another worker's run of the chunk, a cancel): roll back and move on. */
class ItemAlreadySettled extends Error {}

/** What one chunk did, for metrics and tests. */
export interface ChunkReport {
  readonly completed: number;
  readonly failed: number;
  /** Items another run or a cancel had settled first. */
  readonly passed: number;
  /** Whether the batch ended with this chunk. */
  readonly finished: boolean;
}

/**
 * Runs one chunk of a batch: each PENDING item through the same use case a
 * single REST command uses (InstanceService, IncidentService), and the item
 * is marked COMPLETED in the transaction that applies it. A crash before the
 * commit leaves the item PENDING and nothing applied (the chunk runs again);
 * after it, the item is COMPLETED and no run applies it again. Two runs of
 * one chunk at once (a stalled job handed to a second worker) cannot both
 * apply an item: the second's mark finds it settled and rolls back.
 *
 * An item the use case refuses (the instance ended, the incident is already
 * resolved) is FAILED with the reason; a store that is not available fails
 * the chunk, which the queue (or the sweep) runs again.
 */
export class BatchProcessor {
  constructor(
    private readonly store: RuntimeStore,
    private readonly instances: InstanceService,
    private readonly incidents: IncidentService,
    private readonly observer: RuntimeObserver = {},
  ) {}

  async process(chunk: BatchChunk): Promise<ChunkReport> {
    let batch = await this.store.repos.batches.get(chunk.batchKey);
    const tally = { completed: 0, failed: 0, passed: 0 };
    if (batch === null || batch.state !== 'ACTIVE') return { ...tally, finished: false };
    const items = await this.store.repos.batches.pendingOfChunk(chunk);
    if (batch.type === 'DELETE_PROCESS_INSTANCE') return this.deleteInstances(batch, items);
    for (const [i, item] of items.entries()) {
      if (i > 0 && i % CANCEL_CHECK_EVERY === 0) {
        batch = await this.store.repos.batches.get(chunk.batchKey);
        if (batch === null || batch.state !== 'ACTIVE') break;
      }
      tally[await this.processItem(batch, item)]++;
    }
    const finished = await this.store.repos.batches.finishIfDone(chunk.batchKey);
    notify(this.observer, 'batchChunk', {
      type: batch?.type ?? 'CANCEL_PROCESS_INSTANCE',
      completed: tally.completed,
      failed: tally.failed,
      finished,
    });
    return { ...tally, finished };
  }

  /**
   * DELETE_PROCESS_INSTANCE: the items in slices of CANCEL_CHECK_EVERY, each
   * slice deleted and marked in one transaction (retention's delete of an
   * instance's rows).
   */
  private async deleteInstances(first: BatchRecord, items: readonly BatchItemRecord[]): Promise<ChunkReport> {
    const tally = { completed: 0, failed: 0, passed: 0 };
    for (let i = 0; i < items.length; i += CANCEL_CHECK_EVERY) {
      if (i > 0) {
        const batch = await this.store.repos.batches.get(first.key);
        if (batch === null || batch.state !== 'ACTIVE') break;
      }
      const slice = items.slice(i, i + CANCEL_CHECK_EVERY).map((item) => item.itemKey);
      const done = await this.store.transaction((tx) => tx.batches.deleteEndedInstances(first.key, slice));
      tally.completed += done.completed;
      tally.failed += done.failed;
      tally.passed += slice.length - done.completed - done.failed;
    }
    const finished = await this.store.repos.batches.finishIfDone(first.key);
    notify(this.observer, 'batchChunk', { type: first.type, completed: tally.completed, failed: tally.failed, finished });
    return { ...tally, finished };
  }

  private async processItem(
    batch: BatchRecord,
    item: BatchItemRecord,
  ): Promise<'completed' | 'failed' | 'passed'> {
    const mark = async (tx: Repositories): Promise<void> => {
      if (!(await tx.batches.settleItem(item.batchKey, item.itemKey, 'COMPLETED', null)))
        throw new ItemAlreadySettled();
    };
    try {
      if (batch.type === 'RESOLVE_INCIDENT')
        await this.incidents.applyResolution(
          item.itemKey,
          { retries: batch.retries ?? undefined },
          mark,
        );
      else if (batch.type === 'MIGRATE_PROCESS_INSTANCE') {
        if (batch.migrationPlan == null) throw new Error(`batch ${batch.key} has no migration plan`);
        await this.instances.migrate(item.instanceId, batch.migrationPlan, mark);
      } else if (batch.type === 'SET_VARIABLES') {
        if (batch.variables == null) throw new Error(`batch ${batch.key} has no variables`);
        await this.instances.applyVariables(item.instanceId, batch.variables, mark);
      } else if (batch.type === 'DELETE_PROCESS_INSTANCE') throw new Error('deletions run per slice');
      else await this.instances.apply(item.instanceId, INSTANCE_ACTIONS[batch.type], mark);
      return 'completed';
    } catch (e) {
      if (e instanceof ItemAlreadySettled) return 'passed';
      // Worth another run of the chunk: nothing was applied.
      if (e instanceof StoreUnavailableError || e instanceof LockTimeoutError) throw e;
      const reason = (e instanceof Error ? e.message : String(e)).slice(0, 2_000);
      return (await this.store.repos.batches.settleItem(
        item.batchKey,
        item.itemKey,
        'FAILED',
        reason,
      ))
        ? 'failed'
        : 'passed';
    }
  }
}

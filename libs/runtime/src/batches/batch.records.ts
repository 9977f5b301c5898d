import type { Variables } from '@baton/engine';
import type { Key } from '../keys/key-generator';
import type { TenantScope } from '../ports/records';
import type { MigrationPlan } from '../instances/migration';

/**
 * Batch operations: one action applied to every instance (or incident) a
 * filter matched when the batch was created. The type names are Camunda 8's
 * where Camunda has the operation (DELETE_PROCESS_INSTANCE: Camunda 8.9's
 * deletion of ended instances); suspend, resume and SET_VARIABLES are Baton's own.
 */
export const BATCH_TYPES = [
  'CANCEL_PROCESS_INSTANCE',
  'RESOLVE_INCIDENT',
  'SUSPEND_PROCESS_INSTANCE',
  'RESUME_PROCESS_INSTANCE',
  'MIGRATE_PROCESS_INSTANCE',
  'SET_VARIABLES',
  'DELETE_PROCESS_INSTANCE',
] as const;
export type BatchType = (typeof BATCH_TYPES)[number];

/**
 * ACTIVE until every item is settled or the batch is canceled; SUSPENDED
 * (paused) until resumed. PARTIALLY_COMPLETED: some items failed.
 */
export const BATCH_STATES = [
  'ACTIVE',
  'SUSPENDED',
  'COMPLETED',
  'PARTIALLY_COMPLETED',
  'CANCELED',
] as const;
export type BatchState = (typeof BATCH_STATES)[number];

/** PENDING until processed; SKIPPED when the batch was canceled before the item's turn. */
export const BATCH_ITEM_STATES = ['PENDING', 'COMPLETED', 'FAILED', 'SKIPPED'] as const;
export type BatchItemState = (typeof BATCH_ITEM_STATES)[number];

export interface BatchCounts {
  readonly total: number;
  readonly pending: number;
  readonly completed: number;
  readonly failed: number;
  readonly skipped: number;
}

export interface BatchRecord {
  readonly key: Key;
  readonly type: BatchType;
  readonly state: BatchState;
  /** The filter as the client sent it. */
  readonly filter: unknown;
  readonly retries: number | null;
  /** MIGRATE_PROCESS_INSTANCE: the target definition and mapping instructions every item migrates along. */
  readonly migrationPlan?: MigrationPlan | null;
  /** SET_VARIABLES: what is merged into the process scope of every instance. */
  readonly variables?: Variables | null;
  /** The creator's tenants; null when the creator was not confined to tenants. */
  readonly tenantIds: readonly string[] | null;
  readonly createdAt: Date;
  readonly endedAt: Date | null;
  readonly counts: BatchCounts;
}

export interface NewBatchItem {
  readonly itemKey: Key;
  readonly instanceId: Key;
  readonly chunk: number;
}

export interface BatchItemRecord {
  readonly batchKey: Key;
  readonly type: BatchType;
  readonly itemKey: Key;
  readonly instanceId: Key;
  readonly chunk: number;
  readonly state: BatchItemState;
  readonly error: string | null;
  readonly processedAt: Date | null;
}

/** A unit of queued work: the PENDING items of one chunk of one batch. */
export interface BatchChunk {
  readonly batchKey: Key;
  readonly chunk: number;
}

export interface BatchQuery {
  readonly limit: number;
  /** Batches with a smaller key (newest first). */
  readonly before?: Key;
  readonly types?: readonly BatchType[];
  readonly states?: readonly BatchState[];
  readonly keys?: readonly Key[];
  /** Only batches whose every tenant is one of these (undefined: all batches). */
  readonly tenants?: TenantScope;
}

export interface BatchItemQuery {
  readonly limit: number;
  /** Items after this one in (batchKey, itemKey) order. */
  readonly after?: { readonly batchKey: Key; readonly itemKey: Key };
  readonly batchKeys?: readonly Key[];
  readonly itemKeys?: readonly Key[];
  readonly instanceIds?: readonly Key[];
  readonly states?: readonly BatchItemState[];
  /** Only items of batches whose every tenant is one of these (undefined: all). */
  readonly tenants?: TenantScope;
}

/** A batch as it is created: its items resolved from the filter. */
export interface NewBatch {
  readonly key: Key;
  readonly type: BatchType;
  readonly filter: unknown;
  readonly retries: number | null;
  readonly migrationPlan?: MigrationPlan | null;
  readonly variables?: Variables | null;
  readonly tenantIds: readonly string[] | null;
  readonly items: readonly NewBatchItem[];
}

/** The store of batches and their items (Postgres: `BatchOperation`, `BatchOperationItem`). */
export interface BatchRepository {
  insert(batch: NewBatch): Promise<void>;
  get(key: Key): Promise<BatchRecord | null>;
  /** Newest first. */
  list(query: BatchQuery): Promise<BatchRecord[]>;
  /** In (batchKey, itemKey) order. */
  items(query: BatchItemQuery): Promise<BatchItemRecord[]>;
  /** The PENDING items of one chunk, in key order. */
  pendingOfChunk(chunk: BatchChunk): Promise<BatchItemRecord[]>;
  /** The chunks with PENDING items of every ACTIVE batch (to queue them again after a crash or a lost queue). */
  pendingChunks(): Promise<BatchChunk[]>;
  /**
   * PENDING -> `state` for one item; false when it is no longer PENDING
   * (applied by another worker, or skipped by a cancel). Run in the
   * transaction that applies the item, it is what makes "apply and mark" one.
   */
  settleItem(
    batchKey: Key,
    itemKey: Key,
    state: 'COMPLETED' | 'FAILED',
    error: string | null,
  ): Promise<boolean>;
  /**
   * DELETE_PROCESS_INSTANCE, in the caller's transaction: of these items of
   * the batch, the PENDING ones (locked: a second run of the chunk waits, then
   * finds them settled) whose instance has ended are deleted with every row
   * that names them (retention's delete) and COMPLETED; an instance that
   * still runs, or whose parent still runs, or that is gone, FAILS its item
   * with the reason. An ended instance another transaction holds is left
   * PENDING (the sweep queues its chunk again).
   */
  deleteEndedInstances(batchKey: Key, itemKeys: readonly Key[]): Promise<{ completed: number; failed: number }>;
  /** ACTIVE or SUSPENDED -> CANCELED and its PENDING items -> SKIPPED; false when it had ended. */
  cancel(key: Key): Promise<boolean>;
  /** `from` -> `to` (ACTIVE -> SUSPENDED, SUSPENDED -> ACTIVE); false when the batch was not `from`. */
  changeState(key: Key, from: 'ACTIVE' | 'SUSPENDED', to: 'ACTIVE' | 'SUSPENDED'): Promise<boolean>;
  /** ACTIVE -> COMPLETED (or PARTIALLY_COMPLETED when an item failed) once no item is PENDING; true when it ended now. */
  finishIfDone(key: Key): Promise<boolean>;
}

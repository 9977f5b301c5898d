import type { Key } from '../keys/key-generator';

/** Where a retention pass is in the ended instances, oldest first. */
export interface RetentionCursor {
  readonly endedAt: Date;
  readonly id: Key;
}

/** What one chunk (one short transaction) deleted. */
export interface RetentionChunkResult {
  /** Ended instances the chunk looked at. */
  readonly instances: number;
  /** Rows deleted, by table. */
  readonly deleted: Readonly<Record<string, number>>;
  /** The last instance of the chunk; null when there was none (the pass is done). */
  readonly last: RetentionCursor | null;
}

/**
 * The statements of retention (README "Operate"). Each call is one chunk in a
 * transaction of its own: at most `limit` ended instances, taken oldest
 * first after `after`, so no statement holds locks for long however much is
 * due.
 */
export interface RetentionRepository {
  /**
   * Deletes ended instances (ended before `cutoff`) with every row that names
   * them. An instance whose parent still runs stays (with its history) until
   * the parent has ended: the parent's view of its call activity keeps working.
   */
  deleteInstances(cutoff: Date, after: RetentionCursor | null, limit: number): Promise<RetentionChunkResult>;
  /**
   * Deletes the history rows of instances ended before `cutoff`. With `after`
   * null the chunk starts where the last pass got to (a mark in the store,
   * moved in the chunk's transaction), so a pass never scans the instances
   * whose history is already gone.
   */
  deleteHistory(cutoff: Date, after: RetentionCursor | null, limit: number): Promise<RetentionChunkResult>;
}

/**
 * Runs one retention pass at a fixed interval, once across all the processes
 * that share it: BullMQ's job scheduler with REDIS_URL (whichever worker takes
 * the job runs it), a timer in process otherwise.
 */
export interface RetentionSchedule {
  /** Starts running `pass` every interval (in the processes that run operational work). */
  start(pass: () => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

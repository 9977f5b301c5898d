import type { RetentionChunkResult, RetentionCursor, RetentionRepository } from './retention.port';

export interface RetentionOptions {
  /** INSTANCE_RETENTION: ended instances older than this (ms after their end) go with all their rows; undefined: kept. */
  readonly instanceRetentionMs?: number;
  /** HISTORY_RETENTION: history rows of instances ended longer ago than this go; undefined: kept. */
  readonly historyRetentionMs?: number;
  /** RETENTION_CHUNK: instances per chunk (one short transaction). */
  readonly chunkSize: number;
  readonly clock?: () => number;
  /** Told what each chunk deleted (metrics). */
  readonly onChunk?: (deleted: Readonly<Record<string, number>>) => void;
}

/** What one pass did. */
export interface RetentionReport {
  /** Ended instances deleted (INSTANCE_RETENTION). */
  readonly instances: number;
  /** Instances whose history was looked at (HISTORY_RETENTION). */
  readonly historyInstances: number;
  readonly chunks: number;
  /** Rows deleted, by table. */
  readonly deleted: Readonly<Record<string, number>>;
}

/**
 * One retention pass (README "Operate"): first the ended instances past
 * INSTANCE_RETENTION with everything that names them, then the history of
 * ended instances past HISTORY_RETENTION. Both are measured from the
 * instance's end. Chunk by chunk, each its own transaction, oldest first,
 * until a chunk comes back short: a pass deletes everything due when it
 * started, while the workers go on writing between two chunks.
 */
export class RetentionService {
  private readonly clock: () => number;

  constructor(
    private readonly repository: RetentionRepository,
    private readonly options: RetentionOptions,
  ) {
    this.clock = options.clock ?? Date.now;
  }

  /** Whether any retention is set (without one, a pass does nothing). */
  get enabled(): boolean {
    return this.options.instanceRetentionMs !== undefined || this.options.historyRetentionMs !== undefined;
  }

  /** `stopped`: asked between chunks; true ends the pass early (shutdown), the next pass goes on. */
  async runPass(stopped: () => boolean = () => false): Promise<RetentionReport> {
    const now = this.clock();
    const deleted: Record<string, number> = {};
    let chunks = 0;
    const run = async (
      retentionMs: number | undefined,
      chunk: (cutoff: Date, after: RetentionCursor | null, limit: number) => Promise<RetentionChunkResult>,
    ): Promise<number> => {
      if (retentionMs === undefined) return 0;
      const cutoff = new Date(now - retentionMs);
      let after: RetentionCursor | null = null;
      let instances = 0;
      for (;;) {
        const result = await chunk(cutoff, after, this.options.chunkSize);
        chunks++;
        instances += result.instances;
        for (const [table, n] of Object.entries(result.deleted)) deleted[table] = (deleted[table] ?? 0) + n;
        if (Object.keys(result.deleted).length > 0) this.options.onChunk?.(result.deleted);
        if (result.last === null || result.instances < this.options.chunkSize || stopped()) return instances;
        after = result.last;
      }
    };
    const repo = this.repository;
    await run(this.options.instanceRetentionMs, (c, a, l) => repo.deleteInstances(c, a, l));
    if (stopped()) return { instances: deleted.ProcessInstance ?? 0, historyInstances: 0, chunks, deleted };
    const historyInstances = await run(this.options.historyRetentionMs, (c, a, l) => repo.deleteHistory(c, a, l));
    return { instances: deleted.ProcessInstance ?? 0, historyInstances, chunks, deleted };
  }
}

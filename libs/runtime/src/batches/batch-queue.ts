import type { BatchChunk } from './batch.records';

/**
 * Carries chunk jobs to the processes that run batches. A hint, like the
 * token bus: the batch and its items are rows in the store, and a chunk lost
 * by the queue (a crash, a Redis without persistence) is queued again by the
 * workers' sweep (`BatchService.requeuePending`).
 */
export interface BatchQueue {
  /** Queues chunks; a chunk already waiting or running is not queued twice. */
  enqueue(chunks: readonly BatchChunk[]): Promise<void>;
  /** Starts running queued chunks with `handler` (in the processes that run batches: workers, embedded). */
  consume(handler: (chunk: BatchChunk) => Promise<void>): void;
  /** Chunks waiting or running; null when the queue cannot tell. */
  depth(): Promise<number | null>;
  /** A broker's queue (BullMQ): its jobs by state (waiting, active, delayed, failed), for `baton_queue_jobs`; null when it cannot tell. */
  jobCounts?(): Promise<Readonly<Record<string, number>> | null>;
  close(): Promise<void>;
}

export const chunkId = (chunk: BatchChunk): string => `${chunk.batchKey}-${chunk.chunk}`;

/**
 * The queue of one process (embedded mode, or no Redis): chunks run in this
 * process, `concurrency` at once. Without a consumer (an API process in
 * server mode without Redis) it keeps nothing: the workers' sweep finds the
 * batch in the store.
 */
export class InProcessBatchQueue implements BatchQueue {
  private readonly waiting = new Map<string, BatchChunk>();
  private readonly running = new Map<string, Promise<void>>();
  private handler?: (chunk: BatchChunk) => Promise<void>;
  private closed = false;

  constructor(
    private readonly concurrency: number,
    private readonly onError: (chunk: BatchChunk, error: Error) => void = () => undefined,
  ) {}

  async enqueue(chunks: readonly BatchChunk[]): Promise<void> {
    if (this.handler === undefined || this.closed) return;
    for (const chunk of chunks) {
      const id = chunkId(chunk);
      if (!this.running.has(id)) this.waiting.set(id, chunk);
    }
    this.pump();
  }

  consume(handler: (chunk: BatchChunk) => Promise<void>): void {
    this.handler = handler;
    this.pump();
  }

  async depth(): Promise<number> {
    return this.waiting.size + this.running.size;
  }

  /** Stops taking chunks and waits for the running ones. */
  async close(): Promise<void> {
    this.closed = true;
    this.waiting.clear();
    await this.drained();
  }

  /** Resolves when nothing waits or runs. */
  async drained(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running.values()]);
  }

  private pump(): void {
    const handler = this.handler;
    if (handler === undefined || this.closed) return;
    for (const [id, chunk] of this.waiting) {
      if (this.running.size >= this.concurrency) return;
      if (this.running.has(id)) continue;
      this.waiting.delete(id);
      const run = handler(chunk)
        .catch((e: unknown) => this.onError(chunk, e instanceof Error ? e : new Error(String(e))))
        .finally(() => {
          this.running.delete(id);
          this.pump();
        });
      this.running.set(id, run);
    }
  }
}

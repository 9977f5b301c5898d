/** A request waiting for its group: the group's runner settles it. */
export interface Pending<T, R> {
  readonly item: T;
  resolve(value: R): void;
  reject(reason: unknown): void;
  /** Set once resolved or rejected (a runner may answer some requests before its commit). */
  readonly settled: boolean;
}

export interface MicroBatcherOptions {
  /** Most requests in one group. Default 500. */
  readonly maxBatch?: number;
  /** Groups running at once; beyond it requests queue. Default 4. */
  readonly maxInFlight?: number;
}

/**
 * Groups requests that arrive together into one unit of work: a group is cut
 * when the event loop comes round (requests that arrived in the same I/O phase
 * travel together) or at `maxBatch`; up to `maxInFlight` groups run at once so
 * a slow commit does not stall new arrivals. The runner settles each request
 * of its group (it may answer some before it commits, e.g. refusals); whatever
 * it leaves unsettled when it throws is rejected with that error.
 */
export class MicroBatcher<T, R> {
  private queue: Pending<T, R>[] = [];
  private scheduled = false;
  private inFlight = 0;
  private readonly maxBatch: number;
  private readonly maxInFlight: number;

  constructor(
    private readonly runner: (group: readonly Pending<T, R>[]) => Promise<void>,
    options: MicroBatcherOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 500;
    this.maxInFlight = options.maxInFlight ?? 4;
  }

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const pending = {
        item,
        settled: false,
        resolve(value: R) {
          if (pending.settled) return;
          pending.settled = true;
          resolve(value);
        },
        reject(reason: unknown) {
          if (pending.settled) return;
          pending.settled = true;
          reject(reason);
        },
      };
      this.queue.push(pending);
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.queue.length >= this.maxBatch && this.inFlight < this.maxInFlight) {
      void this.flush();
      return;
    }
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      // At the in-flight limit the queue waits: the next group to finish drains it.
      if (this.inFlight < this.maxInFlight) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    const group = this.queue.splice(0, this.maxBatch);
    if (group.length === 0) return;
    this.inFlight++;
    try {
      await this.runner(group);
    } catch (e) {
      for (const pending of group) pending.reject(e);
    } finally {
      this.inFlight--;
      if (this.queue.length > 0) this.schedule();
    }
  }
}

import { performance } from 'node:perf_hooks';

interface Entry<T> {
  readonly value: T;
  /** performance.now() when the value arrived; the linger window runs from the oldest entry. */
  readonly at: number;
  /** How much of a batch it fills. */
  readonly weight: number;
}

interface Taker {
  /** Takes a batch if one is ready (true), or arms a timer for the linger deadline (false). */
  poll(): boolean;
}

/** One first-in, first-out line of a {@link LingerQueue}. */
class Lane<T> {
  private entries: Entry<T>[] = [];
  private head = 0;
  /** The weights of the waiting values, summed. */
  weight = 0;

  get length(): number {
    return this.entries.length - this.head;
  }

  /** When the oldest waiting value arrived (Infinity when empty). */
  get oldestAt(): number {
    return this.length === 0 ? Number.POSITIVE_INFINITY : this.entries[this.head].at;
  }

  push(values: readonly T[], at: number, weigh: (value: T) => number): void {
    for (const value of values) {
      const weight = weigh(value);
      this.entries.push({ value, at, weight });
      this.weight += weight;
    }
  }

  clear(): T[] {
    const values = this.entries.slice(this.head).map((entry) => entry.value);
    this.entries = [];
    this.head = 0;
    this.weight = 0;
    return values;
  }

  /** Values from the front weighing `room` at most together (the first one whatever it weighs when `atLeastOne`), and their weight. */
  splice(room: number, atLeastOne: boolean): { values: T[]; weight: number } {
    let end = this.head;
    let taken = 0;
    while (end < this.entries.length) {
      const { weight } = this.entries[end];
      if (taken + weight > room && !(atLeastOne && end === this.head)) break;
      taken += weight;
      end++;
    }
    const values = this.entries.slice(this.head, end).map((entry) => entry.value);
    this.weight -= taken;
    this.head = end;
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
    return { values, weight: taken };
  }
}

/**
 * A queue from which takers receive batches: a batch is handed over as soon as
 * values weighing `max` are waiting, or once the oldest waiting value has
 * lingered for `lingerMs`. A value weighs 1 unless `weigh` says otherwise (a
 * broker message weighs the work items it carries); a batch weighs `max` at
 * most, or is one value that alone weighs more. Values pushed `ahead` are
 * handed out before all others (each line first in, first out). Several
 * takers may wait at once (competing consumers); each value goes to exactly
 * one of them. Both token bus adapters collect batches with it.
 */
export class LingerQueue<T> {
  private readonly ahead = new Lane<T>();
  private readonly behind = new Lane<T>();
  private readonly takers = new Set<Taker>();
  private closed = false;

  constructor(private readonly weigh: (value: T) => number = () => 1) {}

  /** Values waiting. */
  get length(): number {
    return this.ahead.length + this.behind.length;
  }

  private get weight(): number {
    return this.ahead.weight + this.behind.weight;
  }

  push(values: readonly T[], options: { readonly ahead?: boolean } = {}): void {
    if (this.closed || values.length === 0) return;
    (options.ahead === true ? this.ahead : this.behind).push(values, performance.now(), this.weigh);
    for (const taker of [...this.takers]) {
      if (this.length === 0) break;
      taker.poll();
    }
  }

  /** Removes and returns everything waiting (what was pushed ahead first). */
  clear(): T[] {
    return [...this.ahead.clear(), ...this.behind.clear()];
  }

  /** Resolves with values weighing 1..max (or one value that alone weighs more), or with [] once `signal` aborts or the queue is closed. */
  take(max: number, lingerMs: number, signal?: AbortSignal): Promise<T[]> {
    if (this.closed || signal?.aborted) return Promise.resolve([]);
    return new Promise<T[]>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      let timerDeadline = Number.NaN;

      const finish = (values: T[]) => {
        if (timer !== undefined) clearTimeout(timer);
        timer = undefined;
        this.takers.delete(taker);
        signal?.removeEventListener('abort', onAbort);
        resolve(values);
      };
      const onAbort = () => finish([]);

      const taker: Taker = {
        poll: () => {
          if (this.closed) {
            finish([]);
            return true;
          }
          if (this.weight >= max) {
            finish(this.splice(max));
            return true;
          }
          if (this.length === 0) {
            if (timer !== undefined) clearTimeout(timer);
            timer = undefined;
            return false;
          }
          const deadline = Math.min(this.ahead.oldestAt, this.behind.oldestAt) + lingerMs;
          const remaining = deadline - performance.now();
          if (remaining <= 0) {
            finish(this.splice(max));
            return true;
          }
          if (timer === undefined || deadline !== timerDeadline) {
            if (timer !== undefined) clearTimeout(timer);
            timerDeadline = deadline;
            timer = setTimeout(() => {
              timer = undefined;
              taker.poll();
            }, Math.ceil(remaining));
          }
          return false;
        },
      };

      if (taker.poll()) return;
      this.takers.add(taker);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Wakes every taker with [] and drops what is waiting. */
  close(): void {
    this.closed = true;
    this.clear();
    for (const taker of [...this.takers]) taker.poll();
  }

  /** A batch weighing `max` at most (or one value that alone weighs more), what was pushed ahead first. */
  private splice(max: number): T[] {
    const first = this.ahead.splice(max, true);
    if (first.weight >= max || this.ahead.length > 0) return first.values;
    return [...first.values, ...this.behind.splice(max - first.weight, first.values.length === 0).values];
  }
}

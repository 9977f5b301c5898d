/**
 * Wakes long polls for jobs of a type as soon as this process commits new
 * jobs of it, instead of at their next poll. A unit of work that created jobs
 * says so after its commit ({@link created}); a `JobService.activate` with
 * nothing to hand out waits on {@link wait} for its type, bounded by its poll
 * interval: jobs created by other processes, and jobs that become activatable
 * with time (a lease ending, a retry back-off running out), are still found by
 * polling. In `npm start` every job is created in the process that polls, so
 * pickup no longer waits for the next poll, and idle polls can be far apart.
 * With a Postgres server, jobs are created by the worker processes: a relay
 * ({@link relayTo}) carries their types to the other processes, which wake
 * their polls with {@link wake}.
 */
export class JobSignal {
  private readonly waiting = new Map<string, Set<() => void>>();
  private relay?: (types: readonly string[]) => void;

  /**
   * Also tells other processes when this one commits jobs (Postgres
   * `NOTIFY` with a server store): their waiting polls are woken through
   * {@link wake}.
   */
  relayTo(relay: (types: readonly string[]) => void): void {
    this.relay = relay;
  }

  /** Jobs of these types were committed: wake every poll waiting for one of them. */
  created(types: Iterable<string>): void {
    const unique = [...new Set(types)];
    if (unique.length === 0) return;
    this.wake(unique);
    this.relay?.(unique);
  }

  /** Wakes the polls of this process waiting for these types (jobs committed here or elsewhere). */
  wake(types: Iterable<string>): void {
    for (const type of new Set(types)) {
      const wakers = this.waiting.get(type);
      if (wakers === undefined) continue;
      this.waiting.delete(type);
      for (const wake of wakers) wake();
    }
  }

  /** Resolves after `ms`, when jobs of `type` are created, or when `abort` fires, whichever is first. */
  wait(type: string, ms: number, abort?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (abort?.aborted) {
        resolve();
        return;
      }
      let wakers = this.waiting.get(type);
      if (wakers === undefined) this.waiting.set(type, (wakers = new Set()));
      const done = (): void => {
        clearTimeout(timer);
        abort?.removeEventListener('abort', done);
        const current = this.waiting.get(type);
        current?.delete(done);
        if (current?.size === 0) this.waiting.delete(type);
        resolve();
      };
      const timer = setTimeout(done, ms);
      abort?.addEventListener('abort', done, { once: true });
      wakers.add(done);
    });
  }

  /** Polls waiting now, for tests and metrics. */
  get waitingPolls(): number {
    let n = 0;
    for (const wakers of this.waiting.values()) n += wakers.size;
    return n;
  }
}

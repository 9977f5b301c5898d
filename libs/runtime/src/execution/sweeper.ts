import { FailureKind, notify, type RuntimeObserver } from '../observer';
import type { RuntimeStore } from '../ports/repositories';
import type { Announcer } from './announcer';

/**
 * Finds work that fell between the cracks — a transaction committed but its
 * announcement was lost (crash, broker outage) — and announces it again. An
 * instance carries `pendingSince` from the commit that gave it work until a
 * worker consumed that work; one older than the interval is overdue, as is an
 * inbox event nobody consumed. Every worker sweeps; a refreshed
 * `pendingSince` keeps them from announcing one instance twice per interval,
 * and a duplicate would be harmless anyway: a work item is only a hint.
 */
export class Sweeper {
  constructor(
    private readonly store: RuntimeStore,
    private readonly announcer: Announcer,
    private readonly options: { intervalSeconds: number; limit?: number; observer?: RuntimeObserver },
  ) {}

  /** One pass; returns how many instances were announced again. `olderThanSeconds` 0 takes every pending one. */
  async sweepOnce(olderThanSeconds = this.options.intervalSeconds): Promise<number> {
    const ids = await this.store.repos.instances.claimOverdue(olderThanSeconds, this.options.limit ?? 1000);
    this.announcer.announce(ids);
    if (ids.length > 0 && olderThanSeconds > 0) notify(this.options.observer ?? {}, 'swept', ids.length);
    return ids.length;
  }

  /** Runs `sweepOnce` every interval until the returned stop function is called. */
  start(): () => Promise<void> {
    let running: Promise<unknown> = Promise.resolve();
    const timer = setInterval(() => {
      running = this.sweepOnce().catch((e: unknown) =>
        notify(this.options.observer ?? {}, 'failure', FailureKind.SweepFailed, `sweeper pass failed: ${(e as Error).message}`, e),
      );
    }, this.options.intervalSeconds * 1000);
    timer.unref();
    return async () => {
      clearInterval(timer);
      await running;
    };
  }
}

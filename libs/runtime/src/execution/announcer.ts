import type { Key } from '../keys/key-generator';
import { FailureKind, notify, type RuntimeObserver } from '../observer';

/** The part of the token bus the runtime publishes through. */
export interface WorkPublisher {
  publish(items: readonly { readonly instanceId: string; readonly start?: boolean }[]): Promise<void>;
}

export interface AnnouncerOptions {
  /** Publishes allowed in flight at once; beyond it announcements are left to the sweeper. Default 256. */
  readonly maxInFlight?: number;
}

/**
 * The one publish policy: after a commit, announce the instances that have
 * work on the bus and return at once. Nobody waits for the broker — an API
 * answer comes as fast as the store allows even while the broker is away —
 * and a publish that fails is counted and left to the sweeper: every
 * committed change with work left carries `pendingSince` (or an inbox row),
 * which the sweeper re-announces. While the broker hangs, at most
 * `maxInFlight` publishes wait; further announcements are dropped (and
 * counted) rather than piling up in memory.
 */
export class Announcer {
  private readonly inFlight = new Set<Promise<void>>();
  private readonly maxInFlight: number;

  constructor(
    private readonly publisher: WorkPublisher,
    private readonly observer: RuntimeObserver,
    options: AnnouncerOptions = {},
  ) {
    this.maxInFlight = options.maxInFlight ?? 256;
  }

  /**
   * `start`: the instances are new and their first step may wait behind the
   * follow-up work of instances already running (the bus delivers that first).
   */
  announce(instanceIds: Iterable<Key>, options: { readonly start?: boolean } = {}): void {
    const start = options.start === true;
    const items = [...new Set(instanceIds)].map((instanceId) => (start ? { instanceId, start } : { instanceId }));
    if (items.length === 0) return;
    if (this.inFlight.size >= this.maxInFlight) {
      notify(this.observer, 'failure', FailureKind.PublishFailed, `${items.length} item(s) left to the sweeper: ${this.inFlight.size} publishes are still waiting for the bus`);
      return;
    }
    const publishing: Promise<void> = this.publisher
      .publish(items)
      .catch((e: unknown) =>
        notify(this.observer, 'failure', FailureKind.PublishFailed, `publishing ${items.length} item(s) failed; the sweeper will announce them`, e),
      )
      .finally(() => this.inFlight.delete(publishing));
    this.inFlight.add(publishing);
  }

  /** Waits for the publishes in flight (shutdown, tests). */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }
}

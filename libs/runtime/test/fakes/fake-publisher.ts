import type { WorkPublisher } from '../../src';

/**
 * The token bus as the runtime sees it: a queue of work items. Tests drain it
 * through the unit of work as workers would, and can make the broker refuse
 * publishes or hang on them (an outage that never answers).
 */
export class FakePublisher implements WorkPublisher {
  /** Instance ids published and not yet taken by a "worker". */
  readonly queue: string[] = [];
  /** Every publish call, in order, with the ids it carried (also the ones that failed or hang). */
  readonly calls: string[][] = [];
  /** Called as each publish starts (before it fails or hangs): what the rest of the system sees at that moment. */
  onPublish?: (ids: readonly string[]) => void;
  private failures: Error[] = [];
  private failing?: Error;
  private hanging: (() => void)[] | null = null;

  async publish(items: readonly { readonly instanceId: string }[]): Promise<void> {
    const ids = items.map((i) => i.instanceId);
    this.calls.push(ids);
    this.onPublish?.(ids);
    const failure = this.failures.shift() ?? this.failing;
    if (failure !== undefined) throw failure;
    if (this.hanging !== null) {
      const hanging = this.hanging;
      await new Promise<void>((resolve) => hanging.push(resolve));
    }
    this.queue.push(...ids);
  }

  /** The next publish fails (the items are lost, as with a broker that refused them). */
  failNext(error: Error = new Error('the broker refused the publish')): void {
    this.failures.push(error);
  }

  /** Every publish fails until {@link recover}. */
  failAll(error: Error = new Error('the broker is unreachable')): void {
    this.failing = error;
  }

  /** Publishes wait and never answer until {@link recover}. */
  hang(): void {
    this.hanging ??= [];
  }

  /** Back to normal: publishes that hang go through now. */
  recover(): void {
    this.failing = undefined;
    this.failures = [];
    const hanging = this.hanging ?? [];
    this.hanging = null;
    for (const resolve of hanging) resolve();
  }

  /** Takes up to `n` work items off the queue, as a worker's batch would. */
  take(n = Infinity): string[] {
    return this.queue.splice(0, n);
  }

  /** Every id published, flattened (delivered or not). */
  published(): string[] {
    return this.calls.flat();
  }
}

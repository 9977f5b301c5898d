import type { RetentionSchedule } from './retention.port';

/**
 * The schedule of one process (embedded mode, or no Redis): a timer runs the
 * pass every `intervalMs`, never two at once. With several workers and no
 * Redis each runs its own passes; they do not collide (a chunk locks its
 * instances with SKIP LOCKED) but do the work twice.
 */
export class InProcessRetentionSchedule implements RetentionSchedule {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly intervalMs: number,
    private readonly onError: (error: Error) => void = () => undefined,
  ) {}

  async start(pass: () => Promise<void>): Promise<void> {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => {
      if (this.running !== undefined) return;
      this.running = pass()
        .catch((e: unknown) => this.onError(e instanceof Error ? e : new Error(String(e))))
        .finally(() => {
          this.running = undefined;
        });
    }, this.intervalMs);
    this.timer.unref();
  }

  /** Stops the timer and waits for a running pass. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}

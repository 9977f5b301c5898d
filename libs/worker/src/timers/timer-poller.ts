import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import type { Settings } from '@baton/config';
import { SETTINGS } from '@baton/host';
import { TimerService } from '@baton/runtime';

/**
 * Every worker polls for due timers every TIMER_POLL_INTERVAL_MS. Timers are
 * rows in Postgres claimed with `FOR UPDATE SKIP LOCKED`, so however many
 * workers poll, each timer fires once; none depends on Redis, so a Redis
 * restart loses none (what must survive a crash lives in Postgres: docs/architecture.md).
 */
@Injectable()
export class TimerPoller implements BeforeApplicationShutdown {
  private stopPolling?: () => Promise<void>;

  constructor(
    @Inject(SETTINGS) private readonly settings: Settings,
    @Inject(TimerService) private readonly timers: TimerService,
  ) {}

  get running(): boolean {
    return this.stopPolling !== undefined;
  }

  start(): void {
    this.stopPolling ??= this.timers.start(this.settings.TIMER_POLL_INTERVAL_MS);
  }

  /** Resolves once the pass in progress has committed and published. */
  async stop(): Promise<void> {
    const stop = this.stopPolling;
    this.stopPolling = undefined;
    await stop?.();
  }

  /** Before the host closes the bus and the store, which a pass uses. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.stop();
  }
}

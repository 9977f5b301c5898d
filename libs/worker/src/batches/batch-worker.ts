import { Inject, Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import type { Settings } from '@baton/config';
import { BATCH_QUEUE, SETTINGS } from '@baton/host';
import { BatchProcessor, BatchService, type BatchQueue } from '@baton/runtime';

/**
 * Runs the chunks of batch operations (README "Operate") in this process:
 * consumes the batch queue (BullMQ with REDIS_URL, shared by every worker;
 * in process otherwise) and, at start and every STATE_CHECK_INTERVAL,
 * queues again the chunks the store says still have PENDING items — the
 * queue is a hint, so a chunk it lost (or one whose retries ran out while
 * Postgres was away) is picked up again. A chunk queued twice applies no
 * item twice (BatchProcessor).
 */
@Injectable()
export class BatchWorker implements BeforeApplicationShutdown {
  private readonly logger = new Logger('BatchWorker');
  private timer?: NodeJS.Timeout;
  private sweeping = false;

  constructor(
    @Inject(SETTINGS) private readonly settings: Settings,
    @Inject(BATCH_QUEUE) private readonly queue: BatchQueue,
    @Inject(BatchProcessor) private readonly processor: BatchProcessor,
    @Inject(BatchService) private readonly batches: BatchService,
  ) {}

  start(): void {
    if (this.timer !== undefined) return;
    this.queue.consume(async (chunk) => {
      await this.processor.process(chunk);
    });
    void this.sweep();
    this.timer = setInterval(() => void this.sweep(), this.settings.STATE_CHECK_INTERVAL * 1000);
    this.timer.unref();
  }

  /** Before the host closes the store: running chunks finish (or are handed back), none starts. */
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.queue.close();
  }

  private async sweep(): Promise<void> {
    if (this.sweeping) return;
    this.sweeping = true;
    try {
      await this.batches.requeuePending();
    } catch (e) {
      this.logger.warn(`queueing pending batch chunks failed: ${(e as Error).message}`);
    } finally {
      this.sweeping = false;
    }
  }
}

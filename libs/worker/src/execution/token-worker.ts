import { randomInt } from 'node:crypto';
import { Inject, Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import type { Consumer, TokenBus, WorkItem } from '@baton/bus';
import type { Settings } from '@baton/config';
import { SETTINGS, TOKEN_BUS } from '@baton/host';
import { Sweeper, UnitOfWork, type BatchReport, type InstanceStepper } from '@baton/runtime';
import { sleep } from '@baton/support';

/**
 * How long a batch waits for more items after its first one. Short: under
 * load batches fill at once anyway; when idle a lone item should not wait.
 */
export const LINGER_MS = 2;

/** Consumer priorities: each of a worker's consumers has a band of this size (see `consumerPriority`). */
const PRIORITY_BAND = 1000;

/** Pause after the n-th failed batch in a row, before the batch is handed back: 250 ms doubling to 5 s. */
export function failureBackoffMs(failures: number): number {
  return Math.min(5_000, 250 * 2 ** Math.max(0, Math.min(failures - 1, 5)));
}

export type TokenWorkerState = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped';

/**
 * The worker's loop: batches of work items off the token bus into the unit
 * of work, TOKEN_CONCURRENCY of them at once (one consumer each, so that a
 * batch is stepped while another waits on Postgres), and the sweeper beside
 * it. A batch is acked by the bus
 * only when `process` resolved, i.e. after its transaction committed (its
 * follow-up work is announced without waiting for the broker); a batch that fails (Postgres down) is handed
 * back after a pause that grows with consecutive failures, so an outage does
 * not spin through the queue.
 */
@Injectable()
export class TokenWorker implements BeforeApplicationShutdown {
  private readonly logger = new Logger('TokenWorker');
  private readonly halt = new AbortController();
  private consumers: Consumer[] = [];
  private stopSweeper?: () => Promise<void>;
  private failures = 0;
  private stopping?: Promise<void>;
  private current: TokenWorkerState = 'idle';
  private totals = { batches: 0, items: 0, stepped: 0, failed: 0 };
  /**
   * This worker's place among the work queue's consumers, drawn once per
   * process (0 to 999): the broker fills the highest first, so work that one
   * worker keeps up with stays with it in full batches, and the others take
   * what it cannot (docs/architecture.md, "Batches that stay full").
   */
  readonly consumerPriority = randomInt(0, PRIORITY_BAND);

  constructor(
    @Inject(SETTINGS) private readonly settings: Settings,
    @Inject(TOKEN_BUS) private readonly bus: TokenBus,
    // One store's unit of work, or one per store partition (PartitionedUnitOfWork): the same two calls.
    @Inject(UnitOfWork) private readonly unitOfWork: InstanceStepper,
    @Inject(Sweeper) private readonly sweeper: Sweeper,
  ) {}

  get state(): TokenWorkerState {
    return this.current;
  }

  get stats(): Readonly<typeof this.totals> {
    return this.totals;
  }

  /** Subscribes (waiting while RabbitMQ is unreachable) and starts the sweeper. */
  async start(): Promise<void> {
    if (this.current !== 'idle') return;
    this.current = 'starting';
    const concurrency = this.settings.TOKEN_CONCURRENCY;
    const consumers = await Promise.all(
      Array.from({ length: concurrency }, (_, i) =>
        this.bus.consume(
          {
            batchSize: this.settings.TOKEN_BATCH_SIZE,
            lingerMs: LINGER_MS,
            // The pause after a failure happens in `handle`, where it can grow; none on top of it.
            retryDelayMs: 0,
            // Every worker's first consumer ranks above every worker's second, and so on: work
            // spills over to another worker before a worker takes a second batch. Never 0, which
            // a consumer whose batch failed drops to.
            priority: (concurrency - i) * PRIORITY_BAND + this.consumerPriority,
          },
          (items) => this.handle(items),
        ),
      ),
    );
    if (this.stopping !== undefined) {
      // A shutdown began while we were subscribing.
      await Promise.all(consumers.map((consumer) => consumer.stop()));
      return;
    }
    this.consumers = consumers;
    this.stopSweeper = this.sweeper.start();
    this.current = 'running';
  }

  /**
   * Stops taking batches and the sweeper; resolves once the batches in flight
   * have committed and been acked. Runs before the host closes the bus and the store.
   */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.current = 'stopping';
      // Cuts a failure pause short: the batch is handed back at once.
      this.halt.abort();
      // The sweeper stops with the consumer, so nothing new is queued while the last batch drains.
      await Promise.all([...this.consumers.map((consumer) => consumer.stop()), this.stopSweeper?.()]);
      this.current = 'stopped';
      const { batches, items, stepped, failed } = this.totals;
      this.logger.log(
        `stopped after ${batches} batch(es): ${items} item(s), ${stepped} instance step(s), ${failed} failed batch(es)`,
      );
    })();
    return this.stopping;
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  private async handle(items: WorkItem[]): Promise<void> {
    try {
      // Items whose batch never finished are stepped one at a time, each attempt counted first:
      // whichever instance killed a worker is set aside instead of killing the next one.
      const fresh = items.filter((item) => item.redelivered !== true);
      for (const item of items) {
        if (item.redelivered === true) this.record(1, await this.unitOfWork.runRedelivered(item.instanceId));
      }
      // A batch holds whole broker messages: with a TOKEN_BATCH_SIZE below a message's items it can be larger.
      const size = this.settings.TOKEN_BATCH_SIZE;
      for (let i = 0; i < fresh.length; i += size) {
        const chunk = fresh.slice(i, i + size);
        this.record(chunk.length, await this.unitOfWork.runBatch(chunk.map((item) => item.instanceId)));
      }
      if (this.failures > 0) this.logger.log(`batches succeed again after ${this.failures} failure(s)`);
      this.failures = 0;
    } catch (e) {
      this.failures++;
      this.totals.failed++;
      const pause = failureBackoffMs(this.failures);
      // The bus logs every rejected batch; say once per outage what we do about it.
      if (this.failures === 1) {
        this.logger.error(`a batch of ${items.length} failed (${(e as Error).message}); retrying with pauses up to 5 s`);
      }
      await sleep(pause, this.halt.signal);
      throw e;
    }
  }

  private record(items: number, report: BatchReport): void {
    this.totals.batches++;
    this.totals.items += items;
    this.totals.stepped += report.stepped;
    this.logger.debug(
      `batch: ${items} item(s), ${report.stepped} stepped, ${report.requeued} requeued, ` +
        `${report.completed.length} completed, ${report.historyEvents} history events in ${(report.seconds * 1000).toFixed(1)} ms`,
    );
  }
}


import { consoleBusLogger, type BusLogger } from '../bus-logger';
import { BusError, BusErrorCode, describeError } from '../bus.error';
import { LingerQueue } from '../linger-queue';
import { sleep, yieldToEventLoop } from '@baton/support';
import type { BatchHandler, ConsumeOptions, Consumer, TokenBus, WorkItem } from '../token-bus.port';
import { assertConsumeOptions, assertWorkItems, DEFAULT_RETRY_DELAY_MS } from '../work-item.codec';

export interface InProcessTokenBusOptions {
  readonly logger?: BusLogger;
}

/**
 * The embedded-mode token bus: the same batch semantics as RabbitMQ inside one
 * process. Items live only in memory; after a restart the sweeper re-enqueues
 * unfinished instances from the store (the store is the record; the bus only
 * carries work: docs/architecture.md), as it does for a commit
 * whose publish never happened.
 */
export class InProcessTokenBus implements TokenBus {
  private readonly queue = new LingerQueue<WorkItem>();
  private readonly consumers = new Set<InProcessConsumer>();
  private readonly logger: BusLogger;
  private closed = false;
  private queueClosed = false;
  private closing?: Promise<void>;

  constructor(options: InProcessTokenBusOptions = {}) {
    this.logger = options.logger ?? consoleBusLogger;
  }

  /** Still accepted while `close()` waits for consumers, whose in-flight handlers publish follow-up work. */
  async publish(items: readonly WorkItem[]): Promise<void> {
    if (this.queueClosed) throw new BusError(BusErrorCode.Closed, 'token bus is closed');
    assertWorkItems(items);
    // Copies, so a caller mutating its objects later cannot change queued work. Follow-ups go ahead of starts.
    const copy = (item: WorkItem): WorkItem => ({ instanceId: item.instanceId });
    this.queue.push(items.filter((item) => item.start !== true).map(copy), { ahead: true });
    this.queue.push(items.filter((item) => item.start === true).map(copy));
  }

  async consume(options: ConsumeOptions, handler: BatchHandler): Promise<Consumer> {
    if (this.closed) throw new BusError(BusErrorCode.Closed, 'token bus is closed');
    assertConsumeOptions(options);
    const consumer = new InProcessConsumer(this.queue, options, handler, this.logger, () =>
      this.consumers.delete(consumer),
    );
    this.consumers.add(consumer);
    return consumer;
  }

  async depth(): Promise<number> {
    return this.queue.length;
  }

  close(): Promise<void> {
    this.closed = true;
    this.closing ??= (async () => {
      await Promise.all([...this.consumers].map((consumer) => consumer.stop()));
      this.queueClosed = true;
      this.queue.close();
    })();
    return this.closing;
  }
}

class InProcessConsumer implements Consumer {
  private readonly abort = new AbortController();
  private readonly loop: Promise<void>;
  private stopped?: Promise<void>;

  constructor(
    private readonly queue: LingerQueue<WorkItem>,
    private readonly options: ConsumeOptions,
    private readonly handler: BatchHandler,
    private readonly logger: BusLogger,
    private readonly onStopped: () => void,
  ) {
    this.loop = this.run();
  }

  stop(): Promise<void> {
    this.stopped ??= (async () => {
      this.abort.abort();
      await this.loop;
      this.onStopped();
    })();
    return this.stopped;
  }

  private async run(): Promise<void> {
    const { batchSize, lingerMs, retryDelayMs = DEFAULT_RETRY_DELAY_MS } = this.options;
    const signal = this.abort.signal;
    while (!signal.aborted) {
      const batch = await this.queue.take(batchSize, lingerMs, signal);
      if (batch.length === 0) return;
      try {
        await this.handler(batch);
      } catch (err) {
        // Back of its line, as a broker redelivery would be: other work goes first.
        this.queue.push(batch.map((item) => ({ ...item, redelivered: true })), { ahead: true });
        this.logger.warn(
          `batch of ${batch.length} work items rejected, requeued: ${describeError(err)}`,
        );
        await sleep(retryDelayMs, signal);
      }
      await yieldToEventLoop();
    }
  }
}

/**
 * The token bus carries work items ("advance this instance") from whoever
 * changed an instance to the workers that run it forward (docs/architecture.md).
 *
 * Delivery is at least once: an item can arrive twice (a redelivery after a
 * crash or a lost confirm), never zero times once `publish` has resolved.
 * An item is only a hint: the work itself is in the store (READY tokens, inbox
 * events), and a worker locks the instance row before it steps it, so a
 * duplicate item finds nothing left to do.
 */
export interface WorkItem {
  readonly instanceId: string;
  /**
   * A new instance's first step. Follow-up work of running instances (a job
   * completed, a timer fired, a message correlated) is delivered before the
   * starts waiting with it, so a burst of starts never holds up instances
   * already under way. Published only; a delivered item does not carry it.
   */
  readonly start?: boolean;
  /**
   * Set on delivery (never published) when the item was handed out before and
   * not acknowledged: its batch was rejected, or the worker holding it died.
   * The worker steps such an instance on its own, counting the attempt first.
   */
  readonly redelivered?: boolean;
}

export interface ConsumeOptions {
  /** Largest batch handed to the handler (> 0). */
  readonly batchSize: number;
  /** How long to wait after the first item of a batch for the batch to fill (>= 0). */
  readonly lingerMs: number;
  /**
   * Pause after a rejected batch before this consumer takes the next one, so a
   * handler that keeps failing (database down) does not spin. Default 200.
   */
  readonly retryDelayMs?: number;
  /**
   * Consumer priority (a whole number >= 0; default 0). The broker hands
   * messages to the consumers of the highest priority while they have room
   * for more, and to lower ones only when those are full: when work arrives
   * slower than one consumer takes it, it stays with that one, in full
   * batches, instead of being spread over every consumer in small ones. The
   * in-process bus has one consumer per process and ignores it.
   */
  readonly priority?: number;
}

export type BatchHandler = (batch: WorkItem[]) => Promise<void>;

export interface TokenBus {
  /**
   * Resolves once the broker has durably accepted every item (publisher
   * confirms); concurrent calls are grouped into shared confirm rounds. While
   * the broker is unreachable the call keeps retrying; it rejects only when
   * the bus is closed first.
   */
  publish(items: readonly WorkItem[]): Promise<void>;
  /**
   * Delivers batches of up to `batchSize` items, waiting at most `lingerMs`
   * after the first item of a batch for more. (RabbitMQ carries items published
   * together in messages of up to 10; a batch is whole messages, so with a
   * `batchSize` below 10 one message can make a larger batch.) The handler's promise resolving
   * acks the whole batch; rejecting requeues it (redelivered later). Batches
   * are handed over one at a time per consumer; the next batch is collected
   * while the handler runs. Resolves once the consumer is subscribed.
   */
  consume(options: ConsumeOptions, handler: BatchHandler): Promise<Consumer>;
  /** Messages waiting in the queue (RabbitMQ: each carries up to 10 items; in process: one), not counting delivered-but-unacked ones; approximate. */
  depth(): Promise<number>;
  /** Stops every consumer (waiting for their in-flight batches) and releases connections. */
  close(): Promise<void>;
}

export interface Consumer {
  /** Stops taking new batches; resolves after the batch in flight has been acked (or requeued). */
  stop(): Promise<void>;
}

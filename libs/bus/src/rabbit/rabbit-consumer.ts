import type { Channel, ConsumeMessage } from 'amqplib';
import type { BusLogger } from '../bus-logger';
import { describeError } from '../bus.error';
import { LingerQueue } from '../linger-queue';
import { atMost, sleep } from '@baton/support';
import type { BatchHandler, ConsumeOptions, Consumer, WorkItem } from '../token-bus.port';
import { decodeWorkMessage, DEFAULT_RETRY_DELAY_MS, MAX_ITEMS_PER_MESSAGE } from '../work-item.codec';
import type { RabbitSession, RabbitSessionOptions } from './rabbit-session';

interface Delivery {
  /** The work items the message carries. */
  readonly items: readonly WorkItem[];
  readonly message: ConsumeMessage;
  /** Delivery tags are per channel: an ack is only meaningful on the channel that delivered. */
  readonly channel: Channel;
}

export type ConsumerSessionFactory = (
  hooks: Pick<RabbitSessionOptions<Channel>, 'setup' | 'onDown'>,
) => RabbitSession<Channel>;

/**
 * One subscription on its own connection. Deliveries (messages of up to
 * MAX_ITEMS_PER_MESSAGE work items; prefetch enough messages for two batches
 * of full ones) collect in a linger queue while the handler works on the
 * previous batch. A batch is whole messages: batchSize items at most, or one
 * message that alone carries more. Batches are handled strictly one after
 * another, and a channel delivers in delivery-tag order with poison messages
 * acked on arrival, so when a batch settles every unacked tag up to its last
 * message belongs to it: one `ack(last, allUpTo)` or `nack(last, allUpTo,
 * requeue)` settles exactly that batch.
 */
export class RabbitConsumer implements Consumer {
  private readonly buffer = new LingerQueue<Delivery>((delivery) => delivery.items.length);
  private readonly abort = new AbortController();
  private readonly session: RabbitSession<Channel>;
  private consumerTag?: string;
  /** The last batch was rejected: subscribed at priority 0 until one succeeds. */
  private failing = false;
  private loop?: Promise<void>;
  private stopped?: Promise<void>;

  constructor(
    createSession: ConsumerSessionFactory,
    private readonly queue: string,
    private readonly options: ConsumeOptions,
    private readonly handler: BatchHandler,
    private readonly logger: BusLogger,
    private readonly onStopped: () => void,
  ) {
    this.session = createSession({
      setup: (channel) => this.subscribe(channel),
      // Unacked deliveries of a lost channel are back in the queue on the
      // broker; holding on to them here would only produce stale acks.
      onDown: () => void this.buffer.clear(),
    });
  }

  /** Resolves once subscribed for the first time (retrying while RabbitMQ is down). */
  async start(): Promise<void> {
    await this.session.ready();
    this.loop = this.run();
  }

  stop(): Promise<void> {
    this.stopped ??= (async () => {
      this.abort.abort();
      const channel = this.session.channel;
      if (channel && this.consumerTag !== undefined) {
        await atMost(channel.cancel(this.consumerTag), 2000);
      }
      await this.loop;
      this.buffer.close();
      // Closing the channel hands prefetched, unhandled deliveries back to the queue.
      await this.session.close();
      this.onStopped();
    })();
    return this.stopped;
  }

  private async subscribe(channel: Channel): Promise<void> {
    await channel.prefetch(Math.max(2, Math.ceil((this.options.batchSize * 2) / MAX_ITEMS_PER_MESSAGE)));
    await this.listen(channel);
  }

  /** x-priority: the broker fills higher-priority consumers first (ConsumeOptions.priority). */
  private async listen(channel: Channel): Promise<void> {
    const { consumerTag } = await channel.consume(
      this.queue,
      (message) => this.onDelivery(channel, message),
      { noAck: false, priority: this.failing ? 0 : (this.options.priority ?? 0) },
    );
    this.consumerTag = consumerTag;
  }

  /**
   * A consumer whose batches fail (its database unreachable from here) drops
   * to the lowest priority until one succeeds again: otherwise the broker,
   * filling the highest-priority consumer first, would keep handing it the
   * work it hands back while healthy consumers wait. Deliveries already
   * received stay on the channel across the resubscription and are settled
   * as usual.
   */
  private async setFailing(failing: boolean): Promise<void> {
    if (this.failing === failing) return;
    this.failing = failing;
    if (!this.options.priority) return;
    const channel = this.session.channel;
    if (!channel || this.consumerTag === undefined || this.abort.signal.aborted) return;
    try {
      await channel.cancel(this.consumerTag);
      await this.listen(channel);
    } catch (err) {
      // The channel is going down: the session resubscribes (at the priority now in force).
      this.logger.warn(`could not change the consumer's priority: ${describeError(err)}`);
    }
  }

  private onDelivery(channel: Channel, message: ConsumeMessage | null): void {
    if (message === null) {
      // The broker cancelled us (queue deleted): resubscribe, which re-declares it.
      this.session.reset('consumer cancelled by the broker');
      return;
    }
    const items = decodeWorkMessage(message.content);
    if (items === null) {
      // A poison message would be redelivered forever; drop it once, loudly.
      this.logger.warn(
        `dropping malformed message from ${this.queue}: ${message.content.toString('utf8', 0, 200)}`,
      );
      settle(channel, message, 'ack-one');
      return;
    }
    const delivered = message.fields.redelivered ? items.map((item) => ({ ...item, redelivered: true })) : items;
    this.buffer.push([{ items: delivered, message, channel }]);
  }

  private async run(): Promise<void> {
    const { batchSize, lingerMs, retryDelayMs = DEFAULT_RETRY_DELAY_MS } = this.options;
    const signal = this.abort.signal;
    while (!signal.aborted) {
      const batch = await this.buffer.take(batchSize, lingerMs, signal);
      if (batch.length === 0) return;
      const last = batch[batch.length - 1];
      const items = batch.flatMap((delivery) => delivery.items);
      let handled: boolean;
      try {
        await this.handler(items);
        handled = true;
      } catch (err) {
        handled = false;
        this.logger.warn(
          `batch of ${items.length} work items rejected, requeued: ${describeError(err)}`,
        );
      }
      if (this.session.channel !== last.channel) {
        // The channel died while the handler ran: the broker has already
        // requeued the batch. Acking its tags on a new channel would settle
        // other messages, so do nothing; the redelivery is harmless.
        this.logger.warn(
          `channel lost before a batch of ${items.length} was settled; it will be redelivered`,
        );
      } else {
        // Demoted before the batch goes back, so that it goes to a healthy consumer.
        if (!handled) await this.setFailing(true);
        settle(last.channel, last.message, handled ? 'ack-up-to' : 'requeue-up-to');
      }
      if (handled) await this.setFailing(false);
      if (!handled) await sleep(retryDelayMs, signal);
    }
  }
}

function settle(
  channel: Channel,
  message: ConsumeMessage,
  how: 'ack-one' | 'ack-up-to' | 'requeue-up-to',
): void {
  try {
    if (how === 'ack-one') channel.ack(message, false);
    else if (how === 'ack-up-to') channel.ack(message, true);
    else channel.nack(message, true, true);
  } catch {
    // The channel closed under us: the broker requeues whatever was unacked.
  }
}

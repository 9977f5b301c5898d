import * as amqp from 'amqplib';
import type { Channel, ChannelModel, ConfirmChannel, Options, SocketOptions } from 'amqplib';
import { consoleBusLogger, type BusLogger } from '../bus-logger';
import { BusError, BusErrorCode } from '../bus.error';
import type { BackoffOptions } from '@baton/support';
import type { BatchHandler, ConsumeOptions, Consumer, TokenBus, WorkItem } from '../token-bus.port';
import { assertConsumeOptions, assertWorkItems, encodeWorkMessage, MAX_ITEMS_PER_MESSAGE } from '../work-item.codec';
import { RabbitConsumer } from './rabbit-consumer';
import { RabbitPublisher, type WorkMessage } from './rabbit-publisher';
import { RabbitSession } from './rabbit-session';

export type AmqpConnect = (url: string, socketOptions: SocketOptions) => Promise<ChannelModel>;

export interface RabbitTokenBusOptions {
  /** `amqp://user:pass@host:5672/vhost`; `?heartbeat=N` and friends pass through to amqplib. */
  readonly url: string;
  /** Durable queue carrying work items. Default `baton.work`. */
  readonly queue?: string;
  /** Most messages per confirm round. Default 1000. */
  readonly publishChunkSize?: number;
  /** Reconnect backoff for publishers and consumers. Default 100 ms doubling up to 10 s. */
  readonly backoff?: BackoffOptions;
  /** TCP connect timeout per attempt. Default 5000 ms. */
  readonly connectTimeoutMs?: number;
  /** How long `depth()` waits for a connection before failing. Default 2000 ms. */
  readonly depthTimeoutMs?: number;
  /** How long `close()` gives queued publishes to be confirmed. Default 2000 ms. */
  readonly closeGraceMs?: number;
  /** Shown in the RabbitMQ management UI and `rabbitmqctl list_connections`. Default `baton`. */
  readonly connectionName?: string;
  readonly logger?: BusLogger;
  /** Opens a connection; a seam for tests that need to cut one. Default `amqplib.connect`. */
  readonly connect?: AmqpConnect;
}

export const DEFAULT_WORK_QUEUE = 'baton.work';

// Classic durable queue: a quorum queue would drop a message after its
// delivery limit (20 by default on RabbitMQ 4), and a work item must never be
// dropped. Two priorities: follow-up work (1) is delivered before the starts
// (0) waiting with it. Both sides declare it with these exact arguments; a
// mismatch is a PRECONDITION_FAILED channel error.
const QUEUE_OPTIONS: Options.AssertQueue = { durable: true, arguments: { 'x-max-priority': 1 } };
/** A queue declared by an earlier Baton without priorities keeps working, first in, first out. */
const PLAIN_QUEUE_OPTIONS: Options.AssertQueue = { durable: true };

/**
 * The distributed token bus. Publishers share one connection with a confirm
 * channel; each consumer has a connection of its own, so a consumer's acks are
 * never stuck behind publisher flow control and cutting one consumer does not
 * disturb the rest.
 */
export class RabbitTokenBus implements TokenBus {
  readonly queue: string;
  private readonly logger: BusLogger;
  private readonly publisherSession: RabbitSession<ConfirmChannel>;
  private readonly publisher: RabbitPublisher;
  private readonly consumers = new Set<RabbitConsumer>();
  private closed = false;
  private closing?: Promise<void>;
  /** Off once the broker said the queue exists without priorities (declared by an earlier version). */
  private priorities = true;

  constructor(private readonly options: RabbitTokenBusOptions) {
    this.queue = options.queue ?? DEFAULT_WORK_QUEUE;
    this.logger = options.logger ?? consoleBusLogger;
    const chunkSize = options.publishChunkSize ?? 1000;
    if (!Number.isInteger(chunkSize) || chunkSize <= 0) {
      throw new BusError(
        BusErrorCode.InvalidArgument,
        `publishChunkSize must be a whole number > 0, got ${chunkSize}`,
      );
    }
    this.publisherSession = new RabbitSession<ConfirmChannel>({
      name: `publisher(${this.queue})`,
      connect: () => this.connect('publisher'),
      createChannel: (model) => model.createConfirmChannel(),
      setup: (channel) => this.assertQueue(channel),
      backoff: options.backoff ?? {},
      logger: this.logger,
    });
    this.publisher = new RabbitPublisher(this.publisherSession, {
      queue: this.queue,
      chunkSize,
      backoff: options.backoff ?? {},
      logger: this.logger,
    });
  }

  /** Still accepted while `close()` waits for consumers, whose in-flight handlers publish follow-up work. */
  async publish(items: readonly WorkItem[]): Promise<void> {
    assertWorkItems(items);
    await this.publisher.publish(workMessages(items));
  }

  async consume(options: ConsumeOptions, handler: BatchHandler): Promise<Consumer> {
    if (this.closed) throw new BusError(BusErrorCode.Closed, 'token bus is closed');
    assertConsumeOptions(options);
    const consumer: RabbitConsumer = new RabbitConsumer(
      (hooks) =>
        new RabbitSession<Channel>({
          name: `consumer(${this.queue})`,
          connect: () => this.connect('consumer'),
          createChannel: (model) => model.createChannel(),
          setup: async (channel) => {
            await this.assertQueue(channel);
            await hooks.setup(channel);
          },
          onDown: hooks.onDown,
          backoff: this.options.backoff ?? {},
          logger: this.logger,
        }),
      this.queue,
      options,
      handler,
      this.logger,
      () => this.consumers.delete(consumer),
    );
    this.consumers.add(consumer);
    try {
      await consumer.start();
    } catch (err) {
      await consumer.stop();
      throw err;
    }
    return consumer;
  }

  async depth(): Promise<number> {
    if (this.closed) throw new BusError(BusErrorCode.Closed, 'token bus is closed');
    const channel = await this.publisherSession.ready(this.options.depthTimeoutMs ?? 2000);
    const { messageCount } = await channel.checkQueue(this.queue);
    return messageCount;
  }

  close(): Promise<void> {
    this.closed = true;
    this.closing ??= (async () => {
      // Consumers first: an in-flight handler may still publish follow-up work.
      await Promise.all([...this.consumers].map((consumer) => consumer.stop()));
      await this.publisher.close(this.options.closeGraceMs ?? 2000);
    })();
    return this.closing;
  }

  /**
   * Declares the work queue with its two priorities. A queue of that name
   * declared without them (by a Baton from before priorities) is refused by
   * the broker with PRECONDITION_FAILED, which closes the channel: the session
   * opens a new one and this declares the queue as it is, first in, first
   * out, and says once how to get priorities.
   */
  private async assertQueue(channel: Channel): Promise<void> {
    try {
      await channel.assertQueue(this.queue, this.priorities ? QUEUE_OPTIONS : PLAIN_QUEUE_OPTIONS);
    } catch (e) {
      if (!this.priorities || (e as { code?: unknown }).code !== 406) throw e;
      this.priorities = false;
      this.logger.warn(
        `queue ${this.queue} exists without priorities (declared by an earlier version): work is taken first in, first out, ` +
          'so follow-up work waits behind queued starts; delete the queue once it is empty (or set WORK_QUEUE to a new name) to get them',
      );
      throw e;
    }
  }

  private connect(role: 'publisher' | 'consumer'): Promise<ChannelModel> {
    const connect: AmqpConnect =
      this.options.connect ?? ((url, socketOptions) => amqp.connect(url, socketOptions));
    return connect(this.options.url, {
      timeout: this.options.connectTimeoutMs ?? 5000,
      clientProperties: { connection_name: `${this.options.connectionName ?? 'baton'}:${role}` },
    });
  }
}

/**
 * The messages for items published together: follow-ups (priority 1) and
 * starts (priority 0) apart, each in order, up to MAX_ITEMS_PER_MESSAGE items
 * a message.
 */
function workMessages(items: readonly WorkItem[]): WorkMessage[] {
  const messages: WorkMessage[] = [];
  for (const priority of [1, 0]) {
    const ids = items.filter((item) => (item.start === true ? 0 : 1) === priority).map((item) => item.instanceId);
    for (let i = 0; i < ids.length; i += MAX_ITEMS_PER_MESSAGE) {
      messages.push({ body: encodeWorkMessage(ids.slice(i, i + MAX_ITEMS_PER_MESSAGE)), priority });
    }
  }
  return messages;
}

import type { Channel, ChannelModel } from 'amqplib';
import type { BusLogger } from '../bus-logger';
import { BusError, BusErrorCode, describeError } from '../bus.error';
import { atMost, backoffDelay, sleep, type BackoffOptions } from '@baton/support';

/** Bound on a graceful close handshake with a broker that may have gone silent. */
const CLOSE_TIMEOUT_MS = 2000;

export interface RabbitSessionOptions<C extends Channel> {
  /** For log lines: "publisher", "consumer". */
  readonly name: string;
  readonly connect: () => Promise<ChannelModel>;
  readonly createChannel: (model: ChannelModel) => Promise<C>;
  /** Declares the queue, sets prefetch, subscribes: everything a fresh channel needs. */
  readonly setup: (channel: C) => Promise<void>;
  /** Called once per lost channel, before any reconnect attempt. */
  readonly onDown?: (channel: C) => void;
  readonly backoff: BackoffOptions;
  readonly logger: BusLogger;
}

interface Waiter<C> {
  resolve(channel: C): void;
  reject(err: Error): void;
}

/**
 * One connection with one channel, kept alive: when either closes (broker
 * restart, network drop, channel error) the whole pair is thrown away and
 * rebuilt with exponential backoff. A channel never outlives its connection
 * here, so "is this the channel I started with?" is the only staleness check
 * callers need.
 */
export class RabbitSession<C extends Channel> {
  private current?: { readonly model: ChannelModel; readonly channel: C };
  private readonly waiters = new Set<Waiter<C>>();
  private readonly stopSleeping = new AbortController();
  private loop?: Promise<void>;
  private closed = false;

  constructor(private readonly options: RabbitSessionOptions<C>) {}

  /** The live channel, if connected. */
  get channel(): C | undefined {
    return this.current?.channel;
  }

  start(): void {
    if (this.closed) return;
    this.loop ??= this.run();
  }

  /** Waits for a live channel (starting the session if needed); rejects on close or after `timeoutMs`. */
  ready(timeoutMs?: number): Promise<C> {
    if (this.closed)
      return Promise.reject(new BusError(BusErrorCode.Closed, 'token bus is closed'));
    if (this.current) return Promise.resolve(this.current.channel);
    this.start();
    return new Promise<C>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const waiter: Waiter<C> = {
        resolve: (channel) => {
          clearTimeout(timer);
          resolve(channel);
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      };
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          this.waiters.delete(waiter);
          reject(
            new BusError(BusErrorCode.Unavailable, `RabbitMQ not reachable within ${timeoutMs} ms`),
          );
        }, timeoutMs);
      }
      this.waiters.add(waiter);
    });
  }

  /** Drops the current connection (e.g. after an unexpected broker answer); the session reconnects. */
  reset(reason: string): void {
    const current = this.current;
    if (!current) return;
    this.options.logger.warn(`${this.options.name}: reconnecting: ${reason}`);
    current.model.close().catch(() => undefined);
  }

  async close(): Promise<void> {
    this.closed = true;
    // Wakes the loop whether it sleeps between attempts or holds a live connection.
    this.stopSleeping.abort();
    const closedError = new BusError(BusErrorCode.Closed, 'token bus is closed');
    for (const waiter of this.waiters) waiter.reject(closedError);
    this.waiters.clear();
    await this.loop;
  }

  private async run(): Promise<void> {
    let attempt = 0;
    while (!this.closed) {
      let model: ChannelModel | undefined;
      try {
        model = await this.options.connect();
        if (await this.serve(model)) attempt = 0;
      } catch (err) {
        if (!this.closed) {
          this.options.logger.warn(
            `${this.options.name}: cannot reach RabbitMQ: ${describeError(err)}`,
          );
        }
      }
      // Also after a channel-only failure: a fresh pair is built from scratch.
      if (model) await atMost(model.close(), CLOSE_TIMEOUT_MS);
      if (this.closed) break;
      await sleep(backoffDelay(attempt++, this.options.backoff), this.stopSleeping.signal);
    }
  }

  /** Holds one connection until it is lost or the session closes; true if it got as far as serving. */
  private async serve(connection: ChannelModel): Promise<boolean> {
    const { name, logger } = this.options;
    let lastError: string | undefined;
    const connectionLost = new Promise<string>((resolve) => {
      connection.once('close', (err?: Error) =>
        resolve(err ? describeError(err) : 'connection closed'),
      );
    });
    // Without an 'error' listener an emitted error would crash the process; 'close' follows it.
    connection.on('error', (err: Error) => {
      lastError = describeError(err);
    });
    connection.on('blocked', (reason: string) =>
      logger.warn(`${name}: broker blocked the connection (${reason}); publishes wait`),
    );
    if (this.closed) return false;

    const channel = await this.options.createChannel(connection);
    let channelOpen = true;
    const channelLost = new Promise<string>((resolve) => {
      channel.once('close', () => {
        channelOpen = false;
        resolve('channel closed');
      });
    });
    channel.on('error', (err: Error) => {
      lastError = describeError(err);
    });
    await this.options.setup(channel);

    if (!this.closed) {
      this.current = { model: connection, channel };
      for (const waiter of this.waiters) waiter.resolve(channel);
      this.waiters.clear();

      let onCloseRequested = () => undefined as void;
      const closeRequested = new Promise<string>((resolve) => {
        onCloseRequested = () => resolve('closing');
        this.stopSleeping.signal.addEventListener('abort', onCloseRequested, { once: true });
      });
      const reason = await Promise.race([connectionLost, channelLost, closeRequested]);
      this.stopSleeping.signal.removeEventListener('abort', onCloseRequested);
      this.current = undefined;
      this.options.onDown?.(channel);
      if (!this.closed)
        logger.warn(`${name}: lost RabbitMQ (${lastError ?? reason}); reconnecting`);
    }
    // Channel before connection: amqplib multiplexes channel frames behind the
    // connection's own, so a connection.close written first can overtake (and
    // lose) the last acks still queued on the channel; channel.close is
    // ordered after them and waits for the broker's close-ok.
    if (channelOpen) await atMost(channel.close(), CLOSE_TIMEOUT_MS);
    return true;
  }
}

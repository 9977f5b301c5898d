import type { ConfirmChannel } from 'amqplib';
import type { BusLogger } from '../bus-logger';
import { BusError, BusErrorCode, describeError } from '../bus.error';
import { backoffDelay, sleep, type BackoffOptions } from '@baton/support';
import type { RabbitSession } from './rabbit-session';

interface PublishRequest {
  remaining: number;
  resolve(): void;
  reject(err: Error): void;
}

/** A message for the work queue: its body and its priority (0 or 1, higher delivered first). */
export interface WorkMessage {
  readonly body: Buffer;
  readonly priority: number;
}

interface Outgoing {
  readonly message: WorkMessage;
  readonly request: PublishRequest;
}

export interface RabbitPublisherOptions {
  readonly queue: string;
  readonly chunkSize: number;
  readonly backoff: BackoffOptions;
  readonly logger: BusLogger;
}

/**
 * Publishes through one confirm channel with a single flusher: whatever the
 * callers queued while the previous confirm round was in flight goes out as
 * the next round (group commit), so concurrent `publish` calls share broker
 * fsyncs. `waitForConfirms` covers exactly one round because nothing else
 * publishes on the channel.
 *
 * A round that fails (channel lost, broker nack, message returned as
 * unroutable) goes back to the front of the line and is sent again: a caller
 * is told "done" only after a confirm, at the price of a possible duplicate,
 * which consumers tolerate (at-least-once).
 */
export class RabbitPublisher {
  private pending: Outgoing[] = [];
  private flushing?: Promise<void>;
  private closed = false;
  private readonly halt = new AbortController();

  constructor(
    private readonly session: RabbitSession<ConfirmChannel>,
    private readonly options: RabbitPublisherOptions,
  ) {}

  publish(messages: readonly WorkMessage[]): Promise<void> {
    if (this.closed)
      return Promise.reject(new BusError(BusErrorCode.Closed, 'token bus is closed'));
    if (messages.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const request: PublishRequest = { remaining: messages.length, resolve, reject };
      for (const message of messages) this.pending.push({ message, request });
      this.flushing ??= this.flush();
    });
  }

  /**
   * Stops taking publishes, gives what is queued `graceMs` to be confirmed,
   * then drops the connection and rejects whatever is still unconfirmed.
   */
  async close(graceMs: number): Promise<void> {
    this.closed = true;
    if (this.flushing) {
      const grace = new AbortController();
      await Promise.race([this.flushing, sleep(graceMs, grace.signal)]);
      grace.abort();
    }
    this.halt.abort();
    await this.session.close();
    await this.flushing;
    this.failPending();
  }

  private async flush(): Promise<void> {
    let failures = 0;
    try {
      while (this.pending.length > 0 && !this.halt.signal.aborted) {
        let channel: ConfirmChannel;
        try {
          channel = await this.session.ready();
        } catch {
          break;
        }
        const round = this.pending.splice(0, this.options.chunkSize);
        try {
          await this.sendRound(channel, round);
        } catch (err) {
          this.pending.unshift(...round);
          if (this.halt.signal.aborted) break;
          const delay = backoffDelay(failures++, this.options.backoff);
          this.options.logger.warn(
            `publish of ${round.length} work items not confirmed (${describeError(err)}); retrying in ${delay} ms`,
          );
          // Still the live channel: the broker refused (nack or return), so
          // rebuild it, which also re-declares the queue if it was deleted.
          if (this.session.channel === channel) this.session.reset('publish not confirmed');
          await sleep(delay, this.halt.signal);
          continue;
        }
        failures = 0;
        for (const { request } of round) {
          request.remaining -= 1;
          if (request.remaining === 0) request.resolve();
        }
      }
    } finally {
      this.flushing = undefined;
      if (this.halt.signal.aborted) this.failPending();
    }
  }

  private async sendRound(channel: ConfirmChannel, round: readonly Outgoing[]): Promise<void> {
    let returned = 0;
    const onReturn = () => {
      returned += 1;
    };
    channel.on('return', onReturn);
    try {
      for (const { message } of round) {
        // mandatory: a message the default exchange cannot route (queue gone)
        // comes back as basic.return before its confirm instead of vanishing.
        const writable = channel.sendToQueue(this.options.queue, message.body, {
          persistent: true,
          mandatory: true,
          contentType: 'application/json',
          priority: message.priority,
        });
        if (!writable) await waitForDrain(channel);
      }
      await channel.waitForConfirms();
      if (returned > 0)
        throw new Error(`${returned} messages returned unroutable (queue missing?)`);
    } finally {
      channel.off('return', onReturn);
    }
  }

  private failPending(): void {
    const failed = new Set(this.pending.map((outgoing) => outgoing.request));
    this.pending = [];
    const err = new BusError(
      BusErrorCode.Closed,
      'token bus closed before the broker confirmed the publish',
    );
    for (const request of failed) request.reject(err);
  }
}

function waitForDrain(channel: ConfirmChannel): Promise<void> {
  return new Promise((resolve, reject) => {
    const onDrain = () => {
      channel.off('close', onClose);
      resolve();
    };
    const onClose = () => {
      channel.off('drain', onDrain);
      reject(new Error('channel closed while waiting for drain'));
    };
    channel.once('drain', onDrain);
    channel.once('close', onClose);
  });
}

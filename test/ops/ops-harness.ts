import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import * as amqp from 'amqplib';
import type { Settings } from '@baton/config';
import { openStore } from '@baton/host';
import { TokenWorker } from '@baton/worker';
import { WorkerHttpServer } from '@baton/worker';
import { WorkerModule } from '@baton/worker';
import { freePort } from '../support/free-port';
export { freePort };

export const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
export const RABBITMQ_URL = process.env.RABBITMQ_URL || 'amqp://guest:guest@127.0.0.1:5672';

export interface InProcessWorker {
  readonly app: INestApplicationContext;
  /** `http://127.0.0.1:<port>` of its health/metrics listener. */
  readonly origin: string;
  close(): Promise<void>;
}

/** A worker as `apps/worker/src/main.ts` wires it, in this process, its listener on a free port. */
export async function startWorker(settings: Settings): Promise<InProcessWorker> {
  const store = await openStore(settings, {
    log: () => undefined,
    warn: () => undefined,
    error: (m) => console.error(m),
  });
  let app: INestApplicationContext;
  try {
    app = await NestFactory.createApplicationContext(WorkerModule.forRoot({ settings, store }), {
      logger: false,
    });
  } catch (e) {
    await store.close();
    throw e;
  }
  const port = await app.get(WorkerHttpServer).listen(0);
  await app.get(TokenWorker).start();
  return { app, origin: `http://127.0.0.1:${port}`, close: () => app.close() };
}

export async function deleteQueue(queue: string): Promise<void> {
  const connection = await amqp.connect(RABBITMQ_URL);
  try {
    const channel = await connection.createChannel();
    await channel.deleteQueue(queue);
  } finally {
    await connection.close();
  }
}

export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** `name{labels} value` sample lines of a scrape. */
export function sampleLines(text: string): string[] {
  return text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
}

/** The value of the one sample whose line starts with `prefix` (name and labels as printed), or undefined. */
export function sample(text: string, prefix: string): number | undefined {
  const line = sampleLines(text).find((l) => l.startsWith(prefix));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

/** A TCP port free on 127.0.0.1 right now. */

import { execFileSync } from 'node:child_process';
import type { Socket } from 'node:net';
import * as amqp from 'amqplib';
import type { ChannelModel, SocketOptions } from 'amqplib';
import {
  RabbitTokenBus,
  type AmqpConnect,
  type BusLogger,
  type RabbitTokenBusOptions,
  type WorkItem,
} from '@baton/bus';
import { deferred, describeTokenBusContract, items, waitFor } from './token-bus.contract';

// Real RabbitMQ on the machine; every test declares its own queue and deletes it.
const RABBITMQ_URL = 'amqp://guest:guest@127.0.0.1:5672';

jest.setTimeout(30_000);

let queueCounter = 0;
function uniqueQueue(): string {
  queueCounter += 1;
  return `baton.test.bus.${process.pid}.${Date.now().toString(36)}.${queueCounter}`;
}

async function withAdminChannel<T>(work: (channel: amqp.Channel) => Promise<T>): Promise<T> {
  const connection = await amqp.connect(RABBITMQ_URL);
  try {
    const channel = await connection.createChannel();
    return await work(channel);
  } finally {
    await connection.close();
  }
}

const deleteQueue = (queue: string) => withAdminChannel((channel) => channel.deleteQueue(queue));

class CapturingLogger implements BusLogger {
  readonly lines: string[] = [];
  warn(message: string): void {
    this.lines.push(message);
  }
  error(message: string): void {
    this.lines.push(message);
  }
}

/** Opens real connections and remembers them, so a test can cut them or refuse new ones. */
class ConnectionTap {
  readonly opened: { model: ChannelModel; role: string }[] = [];
  refuse = false;

  readonly connect: AmqpConnect = async (url: string, socketOptions: SocketOptions) => {
    if (this.refuse) throw new Error('connect ECONNREFUSED (simulated)');
    const model = await amqp.connect(url, socketOptions);
    const name = String(socketOptions.clientProperties?.connection_name ?? '');
    this.opened.push({ model, role: name.slice(name.lastIndexOf(':') + 1) });
    return model;
  };

  connections(role?: 'publisher' | 'consumer'): ChannelModel[] {
    return this.opened
      .filter((entry) => role === undefined || entry.role === role)
      .map((entry) => entry.model);
  }

  /** Drops the TCP socket under amqplib, as a network failure or broker crash would. */
  cut(role?: 'publisher' | 'consumer'): void {
    for (const model of this.connections(role))
      socketOf(model).destroy(new Error('read ECONNRESET (simulated)'));
  }
}

function socketOf(model: ChannelModel): Socket {
  return (model.connection as unknown as { stream: Socket }).stream;
}

function rabbitmqctlAvailable(): boolean {
  try {
    execFileSync('rabbitmqctl', ['list_connections', '-q', '--no-table-headers', 'pid'], {
      stdio: 'pipe',
    });
    return true;
  } catch {
    return false;
  }
}

/** Has the broker close a connection (320 CONNECTION_FORCED), as `rabbitmqctl close_all_connections` would. */
function closeOnBroker(model: ChannelModel): void {
  const port = socketOf(model).localPort;
  const listing = execFileSync('rabbitmqctl', [
    'list_connections',
    '-q',
    '--no-table-headers',
    'pid',
    'name',
  ]);
  const line = listing
    .toString()
    .split('\n')
    .find((row) => row.includes(`:${port} ->`));
  if (!line) throw new Error(`connection from port ${port} not listed by rabbitmqctl`);
  execFileSync('rabbitmqctl', [
    'close_connection',
    line.split('\t')[0],
    'baton test: forced close',
  ]);
}

function newBus(queue: string, overrides: Partial<RabbitTokenBusOptions> = {}): RabbitTokenBus {
  return new RabbitTokenBus({
    url: RABBITMQ_URL,
    queue,
    connectionName: 'baton-test',
    backoff: { initialDelayMs: 20, maxDelayMs: 200 },
    logger: new CapturingLogger(),
    ...overrides,
  });
}

describeTokenBusContract('RabbitTokenBus', async () => {
  const queue = uniqueQueue();
  const bus = newBus(queue);
  return {
    bus,
    dispose: async () => {
      await bus.close();
      await deleteQueue(queue);
    },
  };
});

describe('RabbitTokenBus against a real broker', () => {
  const queues: string[] = [];
  const buses: RabbitTokenBus[] = [];
  const releases: (() => void)[] = [];

  function track(queue: string, overrides: Partial<RabbitTokenBusOptions> = {}): RabbitTokenBus {
    if (!queues.includes(queue)) queues.push(queue);
    const bus = newBus(queue, overrides);
    buses.push(bus);
    return bus;
  }

  afterEach(async () => {
    for (const release of releases.splice(0)) release();
    await Promise.all(buses.splice(0).map((bus) => bus.close()));
    await Promise.all(queues.splice(0).map(deleteQueue));
  });

  const cuts: [string, (tap: ConnectionTap) => void][] = [['the socket drops', (tap) => tap.cut()]];
  if (rabbitmqctlAvailable()) {
    cuts.push([
      'the broker closes the connections',
      (tap) => tap.connections().forEach(closeOnBroker),
    ]);
  }

  it.each(cuts)('reconnects and loses nothing when %s', async (_how, cut) => {
    const tap = new ConnectionTap();
    const logger = new CapturingLogger();
    const bus = track(uniqueQueue(), { connect: tap.connect, logger });
    const received = new Set<string>();
    let deliveries = 0;
    await bus.consume({ batchSize: 20, lingerMs: 10 }, async (batch) => {
      deliveries += batch.length;
      await new Promise((resolve) => setTimeout(resolve, 20)); // keep a batch in flight
      for (const item of batch) received.add(item.instanceId);
    });
    const before = items('before', 100);
    await bus.publish(before);
    await waitFor(() => deliveries >= 20, 'the first batches');

    cut(tap);
    const after = items('after', 100);
    await bus.publish(after); // resolves only once confirmed by the broker, after reconnecting

    await waitFor(
      () => [...before, ...after].every((item) => received.has(item.instanceId)),
      'every item',
      15_000,
    );
    expect(tap.connections().length).toBeGreaterThanOrEqual(4); // publisher and consumer, twice
    expect(logger.lines.some((line) => line.includes('reconnecting'))).toBe(true);
    expect(await bus.depth()).toBe(0);
  });

  it('leaves the items of a consumer that died mid-batch for another consumer', async () => {
    const queue = uniqueQueue();
    const dying = new ConnectionTap();
    const busA = track(queue, { connect: dying.connect });
    const busB = track(queue);
    const published = items('kill', 30);

    const stuck = deferred();
    releases.push(stuck.resolve);
    const inFlightOnA: WorkItem[] = [];
    await busA.consume({ batchSize: 10, lingerMs: 10 }, async (batch) => {
      inFlightOnA.push(...batch);
      await stuck.promise; // never acks while the test runs
    });
    await busA.publish(published);
    await waitFor(() => inFlightOnA.length > 0, 'A to start a batch');

    // A's process "dies": its consumer connection is gone and it never comes back.
    dying.refuse = true;
    dying.cut('consumer');

    const onB = new Set<string>();
    await busB.consume({ batchSize: 10, lingerMs: 10 }, async (batch) => {
      for (const item of batch) onB.add(item.instanceId);
    });
    await waitFor(() => onB.size === published.length, 'B to receive everything');
    for (const item of inFlightOnA) expect(onB.has(item.instanceId)).toBe(true);
  });

  it('keeps work one consumer keeps up with on the consumer of highest priority, in full batches, and spills over only when it is full', async () => {
    const queue = uniqueQueue();
    const high = track(queue);
    const low = track(queue);
    const onHigh: string[] = [];
    const onLow: string[] = [];
    let hold: Promise<void> = Promise.resolve();
    await high.consume({ batchSize: 10, lingerMs: 5, priority: 10 }, async (batch) => {
      onHigh.push(...batch.map((item) => item.instanceId));
      await hold;
    });
    await low.consume({ batchSize: 10, lingerMs: 5, priority: 1 }, async (batch) => {
      onLow.push(...batch.map((item) => item.instanceId));
    });

    // A trickle, slower than the high consumer takes it: round robin would give the low consumer half.
    for (const item of items('trickle', 20)) {
      await high.publish([item]);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await waitFor(() => onHigh.length + onLow.length === 20, 'the trickle');
    expect(onLow).toEqual([]);

    // The high consumer stuck on a batch: it holds its prefetch (two messages), the rest goes to the low one.
    const stuck = deferred();
    releases.push(stuck.resolve);
    hold = stuck.promise;
    await high.publish(items('burst', 100)); // 10 messages of 10
    await waitFor(() => onLow.length >= 80, 'the spill-over', 10_000);
    stuck.resolve();
    await waitFor(() => onHigh.length + onLow.length === 120, 'every item');
    expect(new Set([...onHigh, ...onLow]).size).toBe(120);
  });

  it('drops a consumer whose batch failed to the lowest priority, so the batch goes to a healthy consumer', async () => {
    const queue = uniqueQueue();
    const failing = track(queue, { logger: new CapturingLogger() });
    const healthy = track(queue);
    let failures = 0;
    const onHealthy: string[] = [];
    await failing.consume({ batchSize: 10, lingerMs: 5, priority: 10, retryDelayMs: 0 }, async () => {
      failures += 1;
      throw new Error('database unreachable from this worker');
    });
    await healthy.consume({ batchSize: 10, lingerMs: 5, priority: 1 }, async (batch) => {
      onHealthy.push(...batch.map((item) => item.instanceId));
    });
    await failing.publish(items('work', 10));
    // At its own priority the failing consumer would be handed the requeued batch again and again.
    await waitFor(() => onHealthy.length === 10, 'the healthy consumer to get the batch', 10_000);
    expect(failures).toBe(1);
  });

  it('keeps working on a queue an earlier version declared without priorities, first in, first out, and says so', async () => {
    const queue = uniqueQueue();
    await withAdminChannel((channel) => channel.assertQueue(queue, { durable: true }));
    const logger = new CapturingLogger();
    const bus = track(queue, { logger, backoff: { initialDelayMs: 10, maxDelayMs: 50 } });
    const starts = items('start', 3).map((item) => ({ ...item, start: true }));
    await bus.publish(starts);
    await bus.publish(items('follow', 2));

    const order: string[] = [];
    await bus.consume({ batchSize: 10, lingerMs: 20 }, async (batch) => {
      order.push(...batch.map((item) => item.instanceId));
    });
    await waitFor(() => order.length === 5, 'every item');
    expect(order).toEqual(['start-0', 'start-1', 'start-2', 'follow-0', 'follow-1']);
    expect(logger.lines.filter((line) => line.includes('exists without priorities'))).toHaveLength(1);
  });

  it('acks and drops malformed messages instead of redelivering them forever', async () => {
    const queue = uniqueQueue();
    const logger = new CapturingLogger();
    const bus = track(queue, { logger });
    await bus.publish(items('valid', 1)); // declares the queue
    await withAdminChannel(async (channel) => {
      channel.sendToQueue(queue, Buffer.from('not json'));
      channel.sendToQueue(queue, Buffer.from('{"instance":"x"}'));
      channel.sendToQueue(queue, Buffer.from('null'));
      await channel.checkQueue(queue);
    });
    await bus.publish(items('valid-after', 1));

    const received: string[] = [];
    await bus.consume({ batchSize: 10, lingerMs: 20 }, async (batch) => {
      received.push(...batch.map((item) => item.instanceId));
    });
    await waitFor(() => received.length === 2, 'the valid items');
    await waitFor(
      () => logger.lines.filter((line) => line.includes('malformed')).length === 3,
      'the warnings',
    );
    expect(received.sort()).toEqual(['valid-0', 'valid-after-0']);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await bus.depth()).toBe(0);
  });

  it('keeps retrying a publish while the broker is unreachable and resolves once confirmed', async () => {
    const tap = new ConnectionTap();
    tap.refuse = true;
    const bus = track(uniqueQueue(), { connect: tap.connect, depthTimeoutMs: 100 });

    let confirmed = false;
    const publishing = bus.publish(items('late', 3)).then(() => (confirmed = true));
    await expect(bus.depth()).rejects.toMatchObject({ code: 'BUS_UNAVAILABLE' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(confirmed).toBe(false);

    tap.refuse = false;
    await publishing;
    expect(await bus.depth()).toBe(1); // the three items published together: one message
  });

  it('carries items published together in messages of up to 10, each kind apart, and drops a malformed list', async () => {
    const queue = uniqueQueue();
    const logger = new CapturingLogger();
    const bus = track(queue, { logger });
    const follow = items('follow', 25);
    const starts = items('start', 3).map((item) => ({ ...item, start: true }));
    await bus.publish([...starts, ...follow]);
    let depth = 0;
    const deadline = Date.now() + 2000;
    while (depth !== 4 && Date.now() < deadline) depth = await bus.depth();
    expect(depth).toBe(4); // 10 + 10 + 5 follow-ups, 3 starts
    await withAdminChannel(async (channel) => {
      channel.sendToQueue(queue, Buffer.from(JSON.stringify({ instanceIds: ['raw-1', 'raw-2'] })), { priority: 0 });
      channel.sendToQueue(queue, Buffer.from(JSON.stringify({ instanceIds: ['ok', ''] })), { priority: 0 });
      channel.sendToQueue(queue, Buffer.from(JSON.stringify({ instanceIds: [] })), { priority: 0 });
      await channel.checkQueue(queue);
    });

    const batches: string[][] = [];
    await bus.consume({ batchSize: 12, lingerMs: 20 }, async (batch) => {
      batches.push(batch.map((item) => item.instanceId));
    });
    await waitFor(() => batches.flat().length === 30, 'every item');
    await waitFor(() => logger.lines.filter((line) => line.includes('malformed')).length === 2, 'the warnings');
    expect(batches.flat()).toEqual([...follow, ...starts].map((item) => item.instanceId).concat(['raw-1', 'raw-2']));
    // Whole messages, 12 items at most: 10, 10, 5 + 3 + 2.
    expect(batches.map((batch) => batch.length)).toEqual([10, 10, 10]);
  });

  it('rejects unconfirmed publishes on close instead of hanging', async () => {
    const tap = new ConnectionTap();
    tap.refuse = true;
    const bus = track(uniqueQueue(), { connect: tap.connect, closeGraceMs: 50 });
    const publishing = bus.publish(items('never', 2));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await bus.close();
    await expect(publishing).rejects.toMatchObject({ code: 'BUS_CLOSED' });
  });

  it('re-declares a queue deleted under it: publishes are returned, resent and consumed', async () => {
    const queue = uniqueQueue();
    const logger = new CapturingLogger();
    const bus = track(queue, { logger });
    await bus.publish(items('first', 1)); // the publisher declares the queue once
    await deleteQueue(queue);

    const published = items('redeclared', 5);
    await bus.publish(published); // returned as unroutable, then resent after re-declaring
    expect(logger.lines.some((line) => line.includes('returned unroutable'))).toBe(true);

    const received = new Set<string>();
    await bus.consume({ batchSize: 10, lingerMs: 10 }, async (batch) => {
      for (const item of batch) received.add(item.instanceId);
    });
    await waitFor(
      () => published.every((item) => received.has(item.instanceId)),
      'the resent items',
    );
    expect(received.has('first-0')).toBe(false); // deleted with its queue
  });
});

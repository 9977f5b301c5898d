import type { TokenBus, WorkItem } from '@baton/bus';

export interface TokenBusFixture {
  readonly bus: TokenBus;
  /** Closes the bus and removes whatever the fixture created (queues). */
  dispose(): Promise<void>;
}

/** Polls until `predicate` holds; fails with `what` after `timeoutMs`. */
export async function waitFor(
  predicate: () => boolean,
  what: string,
  timeoutMs = 5000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export function items(prefix: string, count: number): WorkItem[] {
  return Array.from({ length: count }, (_, i) => ({ instanceId: `${prefix}-${i}` }));
}

export function deferred(): { promise: Promise<void>; resolve(): void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

function ids(list: readonly WorkItem[]): string[] {
  return list.map((item) => item.instanceId).sort();
}

/**
 * The behaviour every TokenBus adapter owes the worker (docs/architecture.md). Each
 * test gets a fresh bus on an empty queue from `factory`.
 */
export function describeTokenBusContract(
  name: string,
  factory: () => Promise<TokenBusFixture>,
): void {
  describe(`TokenBus contract: ${name}`, () => {
    let fixture: TokenBusFixture;
    let bus: TokenBus;

    beforeEach(async () => {
      fixture = await factory();
      bus = fixture.bus;
    });

    afterEach(async () => {
      await fixture.dispose();
    });

    it('delivers every published item exactly once, in batches no larger than batchSize', async () => {
      const published = items('a', 250);
      await bus.publish(published);

      const batches: WorkItem[][] = [];
      const consumer = await bus.consume({ batchSize: 40, lingerMs: 20 }, async (batch) => {
        batches.push(batch);
      });
      await waitFor(() => batches.flat().length >= published.length, 'all items');
      await consumer.stop();

      expect(ids(batches.flat())).toEqual(ids(published));
      expect(Math.max(...batches.map((batch) => batch.length))).toBeLessThanOrEqual(40);
      expect(batches.every((batch) => batch.length > 0)).toBe(true);
      expect(await bus.depth()).toBe(0);
    });

    it('lets a partial batch through once the linger time has passed', async () => {
      const batches: WorkItem[][] = [];
      const consumer = await bus.consume({ batchSize: 100, lingerMs: 50 }, async (batch) => {
        batches.push(batch);
      });
      const started = Date.now();
      await bus.publish(items('partial', 3));
      await waitFor(() => batches.flat().length === 3, 'the partial batch', 3000);
      const waited = Date.now() - started;
      await consumer.stop();

      expect(batches.flat()).toHaveLength(3);
      expect(waited).toBeLessThan(2000);
    });

    it('delivers follow-up work before the starts queued ahead of it, each kind in order', async () => {
      const starts = items('start', 30).map((item) => ({ ...item, start: true }));
      const followUps = items('follow', 5);
      await bus.publish(starts.slice(0, 20));
      await bus.publish(followUps);
      await bus.publish(starts.slice(20));

      const order: string[] = [];
      const consumer = await bus.consume({ batchSize: 50, lingerMs: 20 }, async (batch) => {
        order.push(...batch.map((item) => item.instanceId));
      });
      await waitFor(() => order.length >= 35, 'all items');
      await consumer.stop();

      expect(order).toEqual([...followUps, ...starts].map((item) => item.instanceId));
      expect(await bus.depth()).toBe(0);
    });

    it('redelivers a rejected batch, marked as redelivered', async () => {
      const published = items('retry', 5);
      const seen: string[] = [];
      const rejected = new Map<string, boolean | undefined>();
      const again = new Map<string, boolean | undefined>();
      let rejections = 0;
      const consumer = await bus.consume(
        { batchSize: 10, lingerMs: 20, retryDelayMs: 10 },
        async (batch) => {
          if (rejections === 0) {
            rejections += 1;
            for (const item of batch) rejected.set(item.instanceId, item.redelivered);
            throw new Error('database down');
          }
          for (const item of batch) again.set(item.instanceId, item.redelivered);
          seen.push(...batch.map((item) => item.instanceId));
        },
      );
      await bus.publish(published);
      await waitFor(() => seen.length >= published.length, 'the redelivery');
      await consumer.stop();

      expect(rejections).toBe(1);
      expect(seen.sort()).toEqual(ids(published));
      expect(rejected.size).toBeGreaterThan(0);
      expect([...rejected.values()].every((flag) => flag !== true)).toBe(true);
      expect([...rejected.keys()].map((id) => again.get(id))).toEqual([...rejected.keys()].map(() => true));
      expect(await bus.depth()).toBe(0);
    });

    it('stop() waits for the in-flight handler, and its batch is acked exactly once', async () => {
      const published = items('stop', 30);
      await bus.publish(published);

      const release = deferred();
      const first: WorkItem[] = [];
      let handlerDone = false;
      const consumer = await bus.consume({ batchSize: 10, lingerMs: 10 }, async (batch) => {
        if (first.length > 0) return; // only one batch may start before stop()
        first.push(...batch);
        await release.promise;
        handlerDone = true;
      });
      await waitFor(() => first.length > 0, 'the first batch');

      let stopped = false;
      const stopping = consumer.stop().then(() => (stopped = true));
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(stopped).toBe(false);
      release.resolve();
      await stopping;
      expect(handlerDone).toBe(true);

      // Everything but the handled batch comes back, and nothing of that batch does.
      const rest: WorkItem[] = [];
      const second = await bus.consume({ batchSize: 10, lingerMs: 10 }, async (batch) => {
        rest.push(...batch);
      });
      await waitFor(() => rest.length >= published.length - first.length, 'the remaining items');
      await new Promise((resolve) => setTimeout(resolve, 200));
      await second.stop();

      expect([...ids(first), ...ids(rest)].sort()).toEqual(ids(published));
      expect(await bus.depth()).toBe(0);
    });

    it('delivers 1,000 items published concurrently by several calls', async () => {
      const received: string[] = [];
      const consumer = await bus.consume({ batchSize: 100, lingerMs: 10 }, async (batch) => {
        received.push(...batch.map((item) => item.instanceId));
      });
      const calls = Array.from({ length: 10 }, (_, call) => items(`c${call}`, 100));
      await Promise.all(calls.map((list) => bus.publish(list)));
      await waitFor(() => received.length >= 1000, '1,000 items', 10_000);
      await new Promise((resolve) => setTimeout(resolve, 100));
      await consumer.stop();

      expect(received.sort()).toEqual(ids(calls.flat()));
    });

    it('counts waiting messages in depth() (an item published alone is one message)', async () => {
      for (const item of items('depth', 7)) await bus.publish([item]);
      // RabbitMQ's count may lag a publish confirm by a moment.
      let depth = 0;
      const deadline = Date.now() + 2000;
      while (depth !== 7 && Date.now() < deadline) {
        depth = await bus.depth();
        if (depth !== 7) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(depth).toBe(7);
    });

    it('rejects work items without an instanceId at publish time', async () => {
      await expect(bus.publish([{ instanceId: '' }])).rejects.toThrow(/instanceId/);
      await expect(bus.publish([{} as WorkItem])).rejects.toThrow(/instanceId/);
    });

    it('accepts publishes from an in-flight handler while close() waits for it', async () => {
      await bus.publish(items('close', 1));
      const release = deferred();
      let followUp: Promise<void> | undefined;
      let handling = false;
      await bus.consume({ batchSize: 1, lingerMs: 0 }, async () => {
        handling = true;
        await release.promise;
        followUp = bus.publish(items('follow-up', 1));
        await followUp;
      });
      await waitFor(() => handling, 'the handler');
      const closing = bus.close();
      release.resolve();
      await closing;
      await expect(followUp).resolves.toBeUndefined();
    });
  });
}

import type { WorkItem } from '@baton/bus';
import { deferred, items, waitFor, type TokenBusFixture } from './token-bus.contract';

/**
 * What several workers on one bus rely on, beyond the single-consumer
 * contract (token-bus.contract.ts): competing consumers share the work with
 * each item going to exactly one of them, a consumer stuck on a slow batch
 * does not hold back the others, and one consumer never runs two of its
 * batches at once (the worker's MAX_PARALLEL_TOKENS budget is per batch).
 * In embedded mode the API and the worker share one in-process bus; with
 * RABBITMQ_URL, N worker processes share a queue: same expectations.
 */
export function describeTokenBusWorkersContract(name: string, factory: () => Promise<TokenBusFixture>): void {
  describe(`TokenBus contract, several workers: ${name}`, () => {
    let fixture: TokenBusFixture;

    beforeEach(async () => {
      fixture = await factory();
    });

    afterEach(async () => {
      await fixture.dispose();
    });

    it('gives each item to exactly one of several competing consumers', async () => {
      const { bus } = fixture;
      const received = new Map<string, string[]>();
      const consumers = await Promise.all(
        ['a', 'b', 'c'].map((worker) =>
          bus.consume({ batchSize: 7, lingerMs: 5 }, async (batch) => {
            received.set(worker, [...(received.get(worker) ?? []), ...batch.map((i) => i.instanceId)]);
            await new Promise((resolve) => setTimeout(resolve, 5));
          }),
        ),
      );
      const published = items('shared', 300);
      await bus.publish(published);
      await waitFor(() => [...received.values()].flat().length >= published.length, 'every item', 15_000);
      await new Promise((resolve) => setTimeout(resolve, 100));
      await Promise.all(consumers.map((c) => c.stop()));
      const all = [...received.values()].flat();
      expect(all.sort()).toEqual(published.map((i) => i.instanceId).sort());
      expect(received.size).toBeGreaterThan(1);
    });

    it('lets the other consumers take the work while one is stuck on a batch', async () => {
      const { bus } = fixture;
      const stuck = deferred();
      let stuckWith: WorkItem[] = [];
      const slow = await bus.consume({ batchSize: 5, lingerMs: 0 }, async (batch) => {
        if (stuckWith.length === 0) {
          stuckWith = batch;
          await stuck.promise;
        }
      });
      const published = items('stuck', 60);
      await bus.publish(published.slice(0, 1));
      await waitFor(() => stuckWith.length > 0, 'the slow consumer to take a batch');
      const fast: string[] = [];
      const other = await bus.consume({ batchSize: 5, lingerMs: 0 }, async (batch) => {
        fast.push(...batch.map((i) => i.instanceId));
      });
      try {
        await bus.publish(published.slice(1));
        // Besides the batch it is stuck on, the slow one may hold what it prefetched (RabbitMQ: two batches), not more.
        await waitFor(() => fast.length >= published.length - 1 - 2 * 5, 'the fast consumer to take the rest', 15_000);
      } finally {
        stuck.resolve();
        await Promise.all([slow.stop(), other.stop()]);
      }
    });

    it('never runs two batches of one consumer at the same time', async () => {
      const { bus } = fixture;
      let running = 0;
      let most = 0;
      let handled = 0;
      const consumer = await bus.consume({ batchSize: 4, lingerMs: 0 }, async (batch) => {
        running++;
        most = Math.max(most, running);
        await new Promise((resolve) => setTimeout(resolve, 10));
        handled += batch.length;
        running--;
      });
      await Promise.all([bus.publish(items('serial-a', 20)), bus.publish(items('serial-b', 20))]);
      await waitFor(() => handled >= 40, 'all 40 items', 15_000);
      await consumer.stop();
      expect(most).toBe(1);
    });
  });
}

import { InProcessTokenBus } from '@baton/bus';
import { describeTokenBusContract, items, waitFor } from './token-bus.contract';

const quietLogger = { warn: () => undefined, error: () => undefined };

describeTokenBusContract('InProcessTokenBus', async () => {
  const bus = new InProcessTokenBus({ logger: quietLogger });
  return { bus, dispose: () => bus.close() };
});

describe('InProcessTokenBus', () => {
  it('puts a rejected batch behind the items that were already waiting', async () => {
    const bus = new InProcessTokenBus({ logger: quietLogger });
    const order: string[] = [];
    let rejected = false;
    const consumer = await bus.consume(
      { batchSize: 2, lingerMs: 0, retryDelayMs: 0 },
      async (batch) => {
        if (!rejected) {
          rejected = true;
          throw new Error('fail once');
        }
        order.push(...batch.map((item) => item.instanceId));
      },
    );
    await bus.publish(items('x', 4));
    await waitFor(() => order.length === 4, 'all items');
    await consumer.stop();
    await bus.close();
    expect(order).toEqual(['x-2', 'x-3', 'x-0', 'x-1']);
  });

  it('shares the queue between competing consumers without handing an item out twice', async () => {
    const bus = new InProcessTokenBus({ logger: quietLogger });
    const seen: string[] = [];
    const handler = async (batch: { instanceId: string }[]) => {
      seen.push(...batch.map((item) => item.instanceId));
      await new Promise((resolve) => setTimeout(resolve, 1));
    };
    await bus.consume({ batchSize: 7, lingerMs: 5 }, handler);
    await bus.consume({ batchSize: 3, lingerMs: 5 }, handler);
    await bus.publish(items('y', 200));
    await waitFor(() => seen.length >= 200, 'all items');
    await bus.close();
    expect(new Set(seen).size).toBe(200);
    expect(seen).toHaveLength(200);
  });

  it('refuses work after close and treats a synchronous throw as a rejection', async () => {
    const bus = new InProcessTokenBus({ logger: quietLogger });
    let calls = 0;
    await bus.consume({ batchSize: 1, lingerMs: 0, retryDelayMs: 0 }, ((batch) => {
      calls += 1;
      if (calls === 1) throw new Error(`sync ${batch.length}`);
      return Promise.resolve();
    }) as (batch: { instanceId: string }[]) => Promise<void>);
    await bus.publish(items('z', 1));
    await waitFor(() => calls === 2, 'the retry');
    await bus.close();
    await expect(bus.publish(items('late', 1))).rejects.toMatchObject({ code: 'BUS_CLOSED' });
    await expect(
      bus.consume({ batchSize: 1, lingerMs: 0 }, async () => undefined),
    ).rejects.toMatchObject({
      code: 'BUS_CLOSED',
    });
  });

  it('validates consume options', async () => {
    const bus = new InProcessTokenBus({ logger: quietLogger });
    await expect(
      bus.consume({ batchSize: 0, lingerMs: 0 }, async () => undefined),
    ).rejects.toMatchObject({
      code: 'BUS_INVALID_ARGUMENT',
    });
    await expect(
      bus.consume({ batchSize: 1, lingerMs: -1 }, async () => undefined),
    ).rejects.toMatchObject({
      code: 'BUS_INVALID_ARGUMENT',
    });
    await expect(
      bus.consume({ batchSize: 1, lingerMs: 0, priority: -1 }, async () => undefined),
    ).rejects.toMatchObject({ code: 'BUS_INVALID_ARGUMENT', message: expect.stringContaining('priority') });
    await bus.close();
  });
});

import { Logger } from '@nestjs/common';
import { InProcessTokenBus, type BusLogger } from '@baton/bus';
import type { Settings } from '@baton/config';
import type { BatchReport, Sweeper, UnitOfWork } from '@baton/runtime';
import { failureBackoffMs, TokenWorker } from '@baton/worker';

const silent: BusLogger = { warn: () => undefined, error: () => undefined };

const report = (items: number): BatchReport => ({
  items,
  stepped: items,
  requeued: 0,
  completed: [],
  canceled: [],
  started: [],
  historyEvents: 0,
  seconds: 0,
});

/** A unit of work whose batches the test settles by hand. */
class ManualProcessor {
  readonly calls: { ids: string[]; redelivered: boolean; resolve: () => void; reject: (e: Error) => void }[] = [];
  runBatch(ids: readonly string[]): Promise<BatchReport> {
    return this.call([...ids], false);
  }
  runRedelivered(id: string): Promise<BatchReport> {
    return this.call([id], true);
  }
  private call(ids: string[], redelivered: boolean): Promise<BatchReport> {
    return new Promise((resolve, reject) => {
      this.calls.push({ ids, redelivered, resolve: () => resolve(report(ids.length)), reject });
    });
  }
}

async function until(check: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

function worker(processor: ManualProcessor, bus: InProcessTokenBus, concurrency = 1) {
  let sweeping = false;
  const sweeper = {
    start: () => {
      sweeping = true;
      return async () => {
        sweeping = false;
      };
    },
  } as unknown as Sweeper;
  const settings = { TOKEN_BATCH_SIZE: 10, TOKEN_CONCURRENCY: concurrency } as Settings;
  return {
    worker: new TokenWorker(settings, bus, processor as unknown as UnitOfWork, sweeper),
    sweeping: () => sweeping,
  };
}

describe('TokenWorker', () => {
  beforeAll(() => Logger.overrideLogger(false));
  it('backs off 250 ms doubling to 5 s after consecutive failures', () => {
    expect([1, 2, 3, 4, 5, 6, 50].map(failureBackoffMs)).toEqual([
      250, 500, 1000, 2000, 4000, 5000, 5000,
    ]);
  });

  it('hands a failed batch back after a pause; its items come back one at a time, counted first', async () => {
    const bus = new InProcessTokenBus({ logger: silent });
    const processor = new ManualProcessor();
    const { worker: w } = worker(processor, bus);
    await w.start();
    await bus.publish([{ instanceId: 'a' }, { instanceId: 'b' }]);
    await until(() => processor.calls.length === 1);
    expect(processor.calls[0]).toMatchObject({ ids: ['a', 'b'], redelivered: false });
    const failedAt = Date.now();
    processor.calls[0].reject(new Error('database down'));
    await until(() => processor.calls.length === 2);
    expect(Date.now() - failedAt).toBeGreaterThanOrEqual(200);
    // Redelivered: whichever instance broke the batch is stepped alone, so it cannot take the other down.
    expect(processor.calls[1]).toMatchObject({ ids: ['a'], redelivered: true });
    processor.calls[1].resolve();
    await until(() => processor.calls.length === 3);
    expect(processor.calls[2]).toMatchObject({ ids: ['b'], redelivered: true });
    processor.calls[2].resolve();
    await until(() => w.stats.batches === 2);
    expect(w.stats).toEqual({ batches: 2, items: 2, stepped: 2, failed: 1 });
    await w.stop();
    await bus.close();
  });

  it('steps TOKEN_CONCURRENCY batches at once, and stop waits for every one of them', async () => {
    const bus = new InProcessTokenBus({ logger: silent });
    const processor = new ManualProcessor();
    const { worker: w } = worker(processor, bus, 2);
    await w.start();
    await bus.publish([{ instanceId: 'a' }]);
    await until(() => processor.calls.length === 1);
    // The first batch is still in flight: the second consumer takes the next one.
    await bus.publish([{ instanceId: 'b' }]);
    await until(() => processor.calls.length === 2);
    await bus.publish([{ instanceId: 'c' }]);
    await new Promise((r) => setTimeout(r, 50));
    expect(processor.calls.map((call) => call.ids)).toEqual([['a'], ['b']]);

    let stopped = false;
    const stopping = w.stop().then(() => (stopped = true));
    processor.calls[0].resolve();
    await new Promise((r) => setTimeout(r, 50));
    expect(stopped).toBe(false);
    processor.calls[1].resolve();
    await stopping;
    expect(w.stats).toMatchObject({ batches: 2, items: 2 });
    expect(await bus.depth()).toBe(1);
    await bus.close();
  });

  it('stop waits for the batch in flight, stops the sweeper and takes no further batch', async () => {
    const bus = new InProcessTokenBus({ logger: silent });
    const processor = new ManualProcessor();
    const { worker: w, sweeping } = worker(processor, bus);
    await w.start();
    expect(w.state).toBe('running');
    expect(sweeping()).toBe(true);
    await bus.publish([{ instanceId: 'a' }]);
    await until(() => processor.calls.length === 1);
    await bus.publish([{ instanceId: 'b' }]);

    let stopped = false;
    const stopping = w.stop().then(() => (stopped = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(stopped).toBe(false);
    expect(w.state).toBe('stopping');
    processor.calls[0].resolve();
    await stopping;
    expect(w.state).toBe('stopped');
    expect(sweeping()).toBe(false);
    expect(processor.calls).toHaveLength(1);
    expect(w.stats.batches).toBe(1);
    expect(await bus.depth()).toBe(1);
    await bus.close();
  });
});

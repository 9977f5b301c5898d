import { CompletionCounter } from './lib/completion-counter';

/** A store where the test says which instances have completed; records what each query asked. */
function fakeStore() {
  const completed = new Set<string>();
  const asked: string[][] = [];
  let gate: Promise<void> = Promise.resolve();
  let failNext = false;
  return {
    completed,
    asked,
    hold(): () => void {
      let open!: () => void;
      gate = new Promise((resolve) => (open = resolve));
      return open;
    },
    failOnce(): void {
      failNext = true;
    },
    query: async (ids: readonly string[]): Promise<string[]> => {
      asked.push([...ids]);
      await gate;
      if (failNext) {
        failNext = false;
        throw new Error('the database is not available');
      }
      return ids.filter((id) => completed.has(id));
    },
  };
}

describe('CompletionCounter', () => {
  it('counts each completed instance once and asks again only about those still open', async () => {
    const store = fakeStore();
    const counter = new CompletionCounter(store.query);
    for (const id of ['1', '2', '3']) counter.add(id);
    store.completed.add('2');
    expect(await counter.count()).toBe(1);
    store.completed.add('1');
    store.completed.add('3');
    expect(await counter.count()).toBe(3);
    expect(await counter.count()).toBe(3);
    expect(store.asked).toEqual([['1', '2', '3'], ['1', '3']]);
  });

  it('keeps instances added while a query runs for the next one', async () => {
    const store = fakeStore();
    const counter = new CompletionCounter(store.query);
    counter.add('1');
    store.completed.add('1');
    const open = store.hold();
    const first = counter.count();
    counter.add('2');
    store.completed.add('2');
    open();
    expect(await first).toBe(1);
    expect(await counter.count()).toBe(2);
    expect(store.asked).toEqual([['1'], ['2']]);
  });

  it('lets calls that overlap share one query', async () => {
    const store = fakeStore();
    const counter = new CompletionCounter(store.query);
    counter.add('7');
    store.completed.add('7');
    const open = store.hold();
    const both = Promise.all([counter.count(), counter.count()]);
    open();
    expect(await both).toEqual([1, 1]);
    expect(store.asked).toHaveLength(1);
  });

  it('forgets nothing when a query fails', async () => {
    const store = fakeStore();
    const counter = new CompletionCounter(store.query);
    counter.add('1');
    counter.add('2');
    store.completed.add('2');
    store.failOnce();
    await expect(counter.count()).rejects.toThrow('the database is not available');
    expect(await counter.count()).toBe(1);
    expect(store.asked[1]).toEqual(['1', '2']);
  });
});

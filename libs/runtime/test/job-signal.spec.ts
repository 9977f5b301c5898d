import { JobSignal } from '../src';

const settled = async (p: Promise<unknown>): Promise<boolean> => {
  let done = false;
  void p.then(() => (done = true));
  await new Promise((r) => setTimeout(r, 5));
  return done;
};

describe('JobSignal', () => {
  it('wakes the polls waiting for a created type, and only those', async () => {
    const signal = new JobSignal();
    const a1 = signal.wait('a', 60_000);
    const a2 = signal.wait('a', 60_000);
    const b = signal.wait('b', 60_000);
    expect(signal.waitingPolls).toBe(3);

    signal.created(['a', 'c', 'a']);

    expect(await settled(a1)).toBe(true);
    expect(await settled(a2)).toBe(true);
    expect(await settled(b)).toBe(false);
    expect(signal.waitingPolls).toBe(1);
    signal.created(['b']);
    expect(await settled(b)).toBe(true);
    expect(signal.waitingPolls).toBe(0);
  });

  it('relays the types this process created to other processes, and wakes on theirs without relaying them back', async () => {
    const signal = new JobSignal();
    const relayed: (readonly string[])[] = [];
    signal.relayTo((types) => relayed.push(types));
    const a = signal.wait('a', 60_000);
    const b = signal.wait('b', 60_000);

    signal.created(['a', 'a']);
    signal.created([]);
    signal.wake(['b']);

    expect(relayed).toEqual([['a']]);
    expect(await settled(a)).toBe(true);
    expect(await settled(b)).toBe(true);
  });

  it('ends a wait at its bound, or when its abort signal fires, and forgets it', async () => {
    const signal = new JobSignal();
    const started = Date.now();
    await signal.wait('a', 20);
    expect(Date.now() - started).toBeGreaterThanOrEqual(15);
    expect(signal.waitingPolls).toBe(0);

    const abort = new AbortController();
    const waiting = signal.wait('a', 60_000, abort.signal);
    expect(await settled(waiting)).toBe(false);
    abort.abort();
    expect(await settled(waiting)).toBe(true);
    expect(signal.waitingPolls).toBe(0);
    // Already aborted: no wait at all.
    expect(await settled(signal.wait('a', 60_000, abort.signal))).toBe(true);
    expect(signal.waitingPolls).toBe(0);
  });
});

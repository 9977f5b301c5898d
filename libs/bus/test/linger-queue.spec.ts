import { LingerQueue } from '../src/linger-queue';

describe('LingerQueue', () => {
  it('hands over a full batch at once and a partial one after the linger time', async () => {
    const queue = new LingerQueue<number>();
    queue.push([1, 2, 3, 4, 5]);
    expect(await queue.take(3, 1000)).toEqual([1, 2, 3]);

    const started = Date.now();
    expect(await queue.take(3, 40)).toEqual([4, 5]);
    expect(Date.now() - started).toBeLessThan(1000);
    queue.close();
  });

  it('runs the linger window from the oldest waiting value, not from the take', async () => {
    const queue = new LingerQueue<number>();
    queue.push([1]);
    await new Promise((resolve) => setTimeout(resolve, 60));
    const started = Date.now();
    expect(await queue.take(10, 50)).toEqual([1]);
    expect(Date.now() - started).toBeLessThan(30);
    queue.close();
  });

  it('fills a waiting taker as values arrive', async () => {
    const queue = new LingerQueue<number>();
    const taking = queue.take(2, 10_000);
    queue.push([1]);
    queue.push([2, 3]);
    expect(await taking).toEqual([1, 2]);
    expect(queue.length).toBe(1);
    queue.close();
  });

  it('wakes takers with [] on abort and on close, leaving no timer behind', async () => {
    const queue = new LingerQueue<number>();
    const abort = new AbortController();
    queue.push([1]);
    const aborted = queue.take(5, 60_000, abort.signal);
    abort.abort();
    expect(await aborted).toEqual([]);

    const closing = queue.take(5, 60_000);
    queue.close();
    expect(await closing).toEqual([]);
    expect(await queue.take(1, 0)).toEqual([]);
  });

  it('fills batches by weight with whole values: at most max, or one value that alone weighs more', async () => {
    const queue = new LingerQueue<number[]>((value) => value.length);
    queue.push([[1, 2, 3], [4, 5, 6], [7, 8, 9, 10, 11, 12], [13]]);
    expect(await queue.take(7, 1000)).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(await queue.take(4, 1000)).toEqual([[7, 8, 9, 10, 11, 12]]);
    expect(await queue.take(4, 10)).toEqual([[13]]);
    queue.close();
  });

  it('hands out what was pushed ahead first, each line in order', async () => {
    const queue = new LingerQueue<string>();
    queue.push(['s1', 's2']);
    queue.push(['f1'], { ahead: true });
    queue.push(['s3']);
    queue.push(['f2'], { ahead: true });
    expect(await queue.take(3, 1000)).toEqual(['f1', 'f2', 's1']);
    expect(await queue.take(3, 10)).toEqual(['s2', 's3']);
    queue.close();
  });
});

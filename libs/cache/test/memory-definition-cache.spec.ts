import { MemoryDefinitionCache } from '@baton/cache';
import { describeDefinitionCacheContract } from './definition-cache.contract';

describeDefinitionCacheContract('MemoryDefinitionCache', async (options) => {
  let now = 1_000_000;
  const cache = new MemoryDefinitionCache({ ...options, now: () => now });
  return {
    cache,
    elapse: async (ms) => {
      now += ms;
    },
    dispose: () => cache.close(),
  };
});

describe('MemoryDefinitionCache', () => {
  it('evicts the least recently used entry beyond maxEntries', async () => {
    const cache = new MemoryDefinitionCache({ maxEntries: 2 });
    await cache.set('a', '1', 60);
    await cache.set('b', '2', 60);
    await cache.get('a'); // b is now the least recently used
    await cache.set('c', '3', 60);
    expect(await cache.get('b')).toBeNull();
    expect(await cache.get('a')).toBe('1');
    expect(await cache.get('c')).toBe('3');
    expect(cache.size).toBe(2);
  });

  it('keeps an entry until the last millisecond of its TTL', async () => {
    let now = 0;
    const cache = new MemoryDefinitionCache({ now: () => now });
    await cache.set('k', 'v', 2);
    now = 1999;
    expect(await cache.get('k')).toBe('v');
    now = 2000;
    expect(await cache.get('k')).toBeNull();
    expect(cache.size).toBe(0);
  });

  it('refuses a maxEntries that is not a whole number > 0', () => {
    expect(() => new MemoryDefinitionCache({ maxEntries: 0 })).toThrow(/maxEntries/);
  });
});

import type { CacheResult, DefinitionCache, DefinitionCacheOptions } from '@baton/cache';

export interface DefinitionCacheFixture {
  readonly cache: DefinitionCache;
  /** Lets `ms` pass for the cache: a real wait for Redis, a clock step for memory. */
  elapse(ms: number): Promise<void>;
  /** Closes the cache and removes what the test wrote. */
  dispose(): Promise<void>;
}

/** The behaviour every DefinitionCache adapter owes its callers. */
export function describeDefinitionCacheContract(
  name: string,
  factory: (options: DefinitionCacheOptions) => Promise<DefinitionCacheFixture>,
): void {
  describe(`DefinitionCache contract: ${name}`, () => {
    let fixture: DefinitionCacheFixture;
    let cache: DefinitionCache;
    let results: CacheResult[];

    beforeEach(async () => {
      results = [];
      fixture = await factory({ onResult: (result) => results.push(result) });
      cache = fixture.cache;
    });

    afterEach(async () => {
      await fixture.dispose();
    });

    it('returns null on a miss and reports it', async () => {
      expect(await cache.get('absent')).toBeNull();
      expect(results).toEqual(['miss']);
    });

    it('returns what was set, and reports the hit', async () => {
      const xml = '<bpmn:definitions id="ü-ñ">' + 'x'.repeat(200_000) + '</bpmn:definitions>';
      await cache.set('def-1', xml, 60);
      expect(await cache.get('def-1')).toBe(xml);
      expect(results).toEqual(['hit']);
    });

    it('overwrites a value on set', async () => {
      await cache.set('def-1', 'v1', 60);
      await cache.set('def-1', 'v2', 60);
      expect(await cache.get('def-1')).toBe('v2');
    });

    it('forgets a value once its TTL has passed', async () => {
      await cache.set('short', 'value', 1);
      await cache.set('long', 'value', 60);
      expect(await cache.get('short')).toBe('value');
      await fixture.elapse(1200);
      expect(await cache.get('short')).toBeNull();
      expect(await cache.get('long')).toBe('value');
      expect(results).toEqual(['hit', 'miss', 'hit']);
    });

    it('deletes the given keys and nothing else', async () => {
      await cache.set('a', '1', 60);
      await cache.set('b', '2', 60);
      await cache.set('c', '3', 60);
      await cache.delete(['a', 'b', 'not-there']);
      await cache.delete([]);
      expect(await cache.get('a')).toBeNull();
      expect(await cache.get('b')).toBeNull();
      expect(await cache.get('c')).toBe('3');
    });

    it('refuses a TTL that is not a whole number of seconds > 0', async () => {
      await expect(cache.set('k', 'v', 0)).rejects.toMatchObject({
        code: 'CACHE_INVALID_ARGUMENT',
      });
      await expect(cache.set('k', 'v', 1.5)).rejects.toMatchObject({
        code: 'CACHE_INVALID_ARGUMENT',
      });
    });
  });
}

import type { DefinitionCacheOptions } from '@baton/cache';
import type { DefinitionCacheFixture } from './definition-cache.contract';

/**
 * What the definition registry relies on beyond get/set/delete/TTL
 * (definition-cache.contract.ts), on both adapters: a value is returned
 * byte for byte (an empty string is a value, not a miss), setting a key
 * again restarts its TTL (the registry re-caches "latest version" on every
 * miss), and keys are exact (`latest:order` and `latest:order-2` are
 * different processes).
 */
export function describeDefinitionCacheRegistryContract(
  name: string,
  factory: (options: DefinitionCacheOptions) => Promise<DefinitionCacheFixture>,
): void {
  describe(`DefinitionCache contract, as the registry uses it: ${name}`, () => {
    let fixture: DefinitionCacheFixture;

    beforeEach(async () => {
      fixture = await factory({});
    });

    afterEach(async () => {
      await fixture.dispose();
    });

    it('returns an empty string as a value, not as a miss', async () => {
      await fixture.cache.set('empty', '', 60);
      expect(await fixture.cache.get('empty')).toBe('');
    });

    it('restarts the TTL when a key is set again', async () => {
      await fixture.cache.set('latest:order', 'v1', 2);
      await fixture.elapse(1200);
      await fixture.cache.set('latest:order', 'v2', 2);
      await fixture.elapse(1200);
      expect(await fixture.cache.get('latest:order')).toBe('v2');
    });

    it('keeps keys that share a prefix apart, and deletes only exact keys', async () => {
      await fixture.cache.set('latest:order', 'a', 60);
      await fixture.cache.set('latest:order-2', 'b', 60);
      await fixture.cache.set('id:0196-order', JSON.stringify({ key: 'order', xml: '<ü/>' }), 60);
      await fixture.cache.delete(['latest:order']);
      expect(await fixture.cache.get('latest:order')).toBeNull();
      expect(await fixture.cache.get('latest:order-2')).toBe('b');
      expect(JSON.parse((await fixture.cache.get('id:0196-order')) ?? 'null')).toEqual({ key: 'order', xml: '<ü/>' });
    });

    it('answers many keys written concurrently', async () => {
      const keys = Array.from({ length: 200 }, (_, i) => `id:${i}`);
      await Promise.all(keys.map((key) => fixture.cache.set(key, `value of ${key}`, 60)));
      const values = await Promise.all(keys.map((key) => fixture.cache.get(key)));
      expect(values).toEqual(keys.map((key) => `value of ${key}`));
    });
  });
}

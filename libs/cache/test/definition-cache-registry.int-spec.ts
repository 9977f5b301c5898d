import { Redis } from 'ioredis';
import { MemoryDefinitionCache, RedisDefinitionCache } from '@baton/cache';
import { describeDefinitionCacheRegistryContract } from './definition-cache-registry.contract';

// Both adapters of the definition cache port (README "What runs where"), the same checks: memory and a real Redis.
const REDIS_URL = 'redis://127.0.0.1:6379';

jest.setTimeout(15_000);

describeDefinitionCacheRegistryContract('MemoryDefinitionCache', async (options) => {
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

let counter = 0;
describeDefinitionCacheRegistryContract('RedisDefinitionCache', async (options) => {
  const prefix = `baton:test:cache-registry:${process.pid}:${Date.now().toString(36)}:${++counter}:`;
  // The adapter's 500 ms command timeout turns a slow Redis into cache misses, as it should in production; the
  // contract is about what is stored, so a busy CI machine gets 5 s before a command counts as failed.
  const cache = new RedisDefinitionCache({
    ...options,
    url: REDIS_URL,
    keyPrefix: prefix,
    commandTimeoutMs: 5_000,
    logger: { warn: () => undefined, error: () => undefined },
  });
  if (!(await cache.whenReady())) throw new Error('Redis is not reachable on 127.0.0.1:6379');
  return {
    cache,
    elapse: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    dispose: async () => {
      await cache.close();
      const redis = new Redis(REDIS_URL);
      try {
        const keys = await redis.keys(`${prefix}*`);
        if (keys.length > 0) await redis.del(...keys);
      } finally {
        redis.disconnect();
      }
    },
  };
});

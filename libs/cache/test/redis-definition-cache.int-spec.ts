import { Redis } from 'ioredis';
import { RedisDefinitionCache, type CacheLogger } from '@baton/cache';
import { describeDefinitionCacheContract } from './definition-cache.contract';

// Real Redis on the machine; each test writes under its own prefix and removes it.
const REDIS_URL = 'redis://127.0.0.1:6379';
const UNUSED_PORT_URL = 'redis://127.0.0.1:6390';

jest.setTimeout(15_000);

let prefixCounter = 0;
function uniquePrefix(): string {
  prefixCounter += 1;
  return `baton:test:cache:${process.pid}:${Date.now().toString(36)}:${prefixCounter}:`;
}

class CapturingLogger implements CacheLogger {
  readonly lines: string[] = [];
  warn(message: string): void {
    this.lines.push(message);
  }
  error(message: string): void {
    this.lines.push(message);
  }
}

async function withAdmin<T>(work: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true });
  await redis.connect();
  try {
    return await work(redis);
  } finally {
    await redis.quit();
  }
}

async function removePrefix(prefix: string): Promise<void> {
  await withAdmin(async (redis) => {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  });
}

describeDefinitionCacheContract('RedisDefinitionCache', async (options) => {
  const prefix = uniquePrefix();
  const cache = new RedisDefinitionCache({
    ...options,
    url: REDIS_URL,
    keyPrefix: prefix,
    logger: new CapturingLogger(),
  });
  if (!(await cache.whenReady())) throw new Error('Redis is not reachable on 127.0.0.1:6379');
  return {
    cache,
    elapse: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    dispose: async () => {
      await cache.close();
      await removePrefix(prefix);
    },
  };
});

describe('RedisDefinitionCache against a real server', () => {
  it('writes under its prefix with SET ... EX', async () => {
    const prefix = uniquePrefix();
    const cache = new RedisDefinitionCache({ url: REDIS_URL, keyPrefix: prefix });
    try {
      await cache.whenReady();
      await cache.set('def-1', '<xml/>', 30);
      await withAdmin(async (redis) => {
        expect(await redis.get(`${prefix}def-1`)).toBe('<xml/>');
        const ttl = await redis.ttl(`${prefix}def-1`);
        expect(ttl).toBeGreaterThan(25);
        expect(ttl).toBeLessThanOrEqual(30);
      });
    } finally {
      await cache.close();
      await removePrefix(prefix);
    }
  });

  it('answers misses quickly and swallows writes while Redis is unreachable, warning once', async () => {
    const logger = new CapturingLogger();
    const results: string[] = [];
    const cache = new RedisDefinitionCache({
      url: UNUSED_PORT_URL,
      logger,
      onResult: (result) => results.push(result),
    });
    try {
      const started = Date.now();
      expect(await cache.get('def-1')).toBeNull();
      expect(Date.now() - started).toBeLessThan(1000);
      await expect(cache.set('def-1', 'value', 60)).resolves.toBeUndefined();
      await expect(cache.delete(['def-1'])).resolves.toBeUndefined();
      expect(await cache.get('def-1')).toBeNull();
      await new Promise((resolve) => setTimeout(resolve, 300)); // a few reconnect attempts fail meanwhile
      expect(results).toEqual(['miss', 'miss']);
      expect(logger.lines).toHaveLength(1);
      expect(logger.lines[0]).toMatch(/Redis unavailable/);
    } finally {
      await cache.close();
    }
  });

  it('recovers by itself after its connection is killed', async () => {
    const prefix = uniquePrefix();
    const connectionName = `baton-test-${process.pid}-${prefixCounter}`;
    const logger = new CapturingLogger();
    const cache = new RedisDefinitionCache({
      url: REDIS_URL,
      keyPrefix: prefix,
      connectionName,
      logger,
    });
    try {
      await cache.whenReady();
      await cache.set('def-1', 'value', 60);
      await withAdmin(async (redis) => {
        const clients = (await redis.client('LIST')) as string;
        const line = clients.split('\n').find((row) => row.includes(` name=${connectionName} `));
        const id = /(?:^|\s)id=(\d+)/.exec(line ?? '')?.[1];
        if (!id) throw new Error('test connection not found in CLIENT LIST');
        await redis.client('KILL', 'ID', id);
      });
      const deadline = Date.now() + 5000;
      let value: string | null = null;
      while (value === null && Date.now() < deadline) {
        value = await cache.get('def-1');
        if (value === null) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(value).toBe('value');
    } finally {
      await cache.close();
      await removePrefix(prefix);
    }
  });
});

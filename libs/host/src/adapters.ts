import { InProcessTokenBus, RabbitTokenBus, type TokenBus } from '@baton/bus';
import { DEFAULT_DEFINITION_KEY_PREFIX, MemoryDefinitionCache, RedisDefinitionCache, type DefinitionCache } from '@baton/cache';
import type { Settings } from '@baton/config';
import { databaseTarget } from '@baton/store';
import { nestLogger } from './host-loggers';

/** The definition cache as the host holds it: the registry's port plus a way to let go of it. */
export type HostCache = DefinitionCache;

/** RabbitMQ when RABBITMQ_URL is set, otherwise the in-process queue. */
export function createBus(settings: Settings, appName: string): TokenBus {
  const logger = nestLogger('TokenBus');
  if (settings.RABBITMQ_URL !== undefined) {
    return new RabbitTokenBus({
      url: settings.RABBITMQ_URL,
      queue: settings.WORK_QUEUE,
      logger,
      connectionName: `baton-${appName}`,
    });
  }
  return new InProcessTokenBus({ logger });
}

/** Redis when REDIS_URL is set, otherwise an in-memory LRU. */
export function createCache(settings: Settings, appName: string): HostCache {
  if (settings.REDIS_URL !== undefined) {
    return new RedisDefinitionCache({
      url: settings.REDIS_URL,
      keyPrefix: cacheKeyPrefix(settings),
      connectionName: `baton-${appName}`,
      logger: nestLogger('DefinitionCache'),
    });
  }
  return new MemoryDefinitionCache();
}

/**
 * Cached entries are only true of the database they were read from ("latest
 * version of key X" differs per database): keys carry the database and
 * schema, so deployments (and test suites) sharing a Redis never read each
 * other's entries.
 */
export function cacheKeyPrefix(settings: Settings): string {
  if (settings.DATABASE_URL === undefined) return DEFAULT_DEFINITION_KEY_PREFIX;
  const target = databaseTarget(settings.DATABASE_URL);
  const database = new URL(target.connectionString).pathname.replace(/^\//, '') || 'postgres';
  return `${DEFAULT_DEFINITION_KEY_PREFIX}${database}:${target.schema ?? 'public'}:`;
}

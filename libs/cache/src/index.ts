export type { CacheResult, DefinitionCache, DefinitionCacheOptions } from './definition-cache.port';
export { consoleCacheLogger, type CacheLogger } from './cache-logger';
export { CacheError, CacheErrorCode } from './cache.error';
export {
  MemoryDefinitionCache,
  type MemoryDefinitionCacheOptions,
} from './memory/memory-definition-cache';
export {
  DEFAULT_DEFINITION_KEY_PREFIX,
  RedisDefinitionCache,
  type RedisDefinitionCacheOptions,
} from './redis/redis-definition-cache';

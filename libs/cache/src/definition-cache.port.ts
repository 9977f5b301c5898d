/**
 * Compiled-definition lookups (BPMN XML or its JSON form) keyed by definition
 * id, in front of the store. A cache is never the source of truth: every
 * failure degrades to a miss, and the caller reads the store instead.
 */
export interface DefinitionCache {
  /** The cached value, or null on a miss (including "cache unreachable"). */
  get(key: string): Promise<string | null>;
  /** Stores `value` for `ttlSeconds` (a whole number > 0); never fails because the cache is down. */
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  /** Invalidation on deploy; never fails because the cache is down. */
  delete(keys: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

export type CacheResult = 'hit' | 'miss';

/** Options both adapters accept. */
export interface DefinitionCacheOptions {
  /** Called once per `get` with its outcome (metrics plug in here). */
  readonly onResult?: (result: CacheResult) => void;
}

import { assertTtl, CacheError, CacheErrorCode } from '../cache.error';
import type { DefinitionCache, DefinitionCacheOptions } from '../definition-cache.port';

export interface MemoryDefinitionCacheOptions extends DefinitionCacheOptions {
  /** Entries kept before the least recently used is evicted. Default 1000. */
  readonly maxEntries?: number;
  /** Milliseconds clock; tests inject their own. Default `Date.now`. */
  readonly now?: () => number;
}

interface Entry {
  readonly value: string;
  readonly expiresAt: number;
}

/**
 * The embedded-mode definition cache: an LRU with per-entry TTL. A Map keeps
 * insertion order, so re-inserting on every hit makes its first key the least
 * recently used one.
 */
export class MemoryDefinitionCache implements DefinitionCache {
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(private readonly options: MemoryDefinitionCacheOptions = {}) {
    this.maxEntries = options.maxEntries ?? 1000;
    if (!Number.isInteger(this.maxEntries) || this.maxEntries <= 0) {
      throw new CacheError(
        CacheErrorCode.InvalidArgument,
        `maxEntries must be a whole number > 0, got ${this.maxEntries}`,
      );
    }
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  async get(key: string): Promise<string | null> {
    const entry = this.entries.get(key);
    this.entries.delete(key);
    if (entry === undefined || entry.expiresAt <= this.now()) {
      this.options.onResult?.('miss');
      return null;
    }
    this.entries.set(key, entry);
    this.options.onResult?.('hit');
    return entry.value;
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    assertTtl(ttlSeconds);
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt: this.now() + ttlSeconds * 1000 });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (const key of keys) this.entries.delete(key);
  }

  async close(): Promise<void> {
    this.entries.clear();
  }
}

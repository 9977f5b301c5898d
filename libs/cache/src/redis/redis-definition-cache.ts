import { Redis } from 'ioredis';
import { consoleCacheLogger, type CacheLogger } from '../cache-logger';
import { assertTtl } from '../cache.error';
import type { DefinitionCache, DefinitionCacheOptions } from '../definition-cache.port';

export interface RedisDefinitionCacheOptions extends DefinitionCacheOptions {
  /** `redis://[:password@]host:6379/db` or `rediss://...`. */
  readonly url: string;
  /** Prepended to every key. Default `baton:def:`. */
  readonly keyPrefix?: string;
  /** A command without an answer after this long counts as a miss / skipped write. Default 500 ms. */
  readonly commandTimeoutMs?: number;
  /** TCP connect timeout per attempt. Default 2000 ms. */
  readonly connectTimeoutMs?: number;
  /** Shown by `CLIENT LIST`. Default `baton:definition-cache`. */
  readonly connectionName?: string;
  readonly logger?: CacheLogger;
}

export const DEFAULT_DEFINITION_KEY_PREFIX = 'baton:def:';

/**
 * The distributed definition cache. Redis being down must never fail a
 * caller: the store is the source of truth, so every error becomes a miss
 * (get) or a skipped write (set/delete), reported once per outage.
 *
 * Commands are never queued while disconnected (`enableOfflineQueue: false`
 * fails them at once) and never wait long for an answer (`commandTimeout`),
 * so an outage costs a caller microseconds, not the reconnect time. ioredis
 * keeps reconnecting in the background with capped exponential backoff.
 */
export class RedisDefinitionCache implements DefinitionCache {
  readonly keyPrefix: string;
  private readonly client: Redis;
  private readonly logger: CacheLogger;
  private degraded = false;

  constructor(private readonly options: RedisDefinitionCacheOptions) {
    this.keyPrefix = options.keyPrefix ?? DEFAULT_DEFINITION_KEY_PREFIX;
    this.logger = options.logger ?? consoleCacheLogger;
    this.client = new Redis(options.url, {
      enableOfflineQueue: false,
      commandTimeout: options.commandTimeoutMs ?? 500,
      connectTimeout: options.connectTimeoutMs ?? 2000,
      // A command cut off by a dropped connection fails instead of being
      // replayed after the reconnect; the caller already fell back.
      maxRetriesPerRequest: 0,
      connectionName: options.connectionName ?? 'baton:definition-cache',
    });
    // ioredis emits 'error' on every failed reconnect attempt; without a
    // listener it prints each one.
    this.client.on('error', (err: Error) => this.reportOutage(err));
  }

  /** Resolves true once connected, false after `timeoutMs`; for boot-time warm-up and tests. */
  async whenReady(timeoutMs = 2000): Promise<boolean> {
    if (this.client.status === 'ready') return true;
    return new Promise<boolean>((resolve) => {
      const onReady = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.client.off('ready', onReady);
        resolve(false);
      }, timeoutMs);
      this.client.once('ready', onReady);
    });
  }

  async get(key: string): Promise<string | null> {
    let value: string | null = null;
    try {
      value = await this.client.get(this.keyPrefix + key);
      this.reportRecovery();
    } catch (err) {
      this.reportOutage(err);
    }
    this.options.onResult?.(value === null ? 'miss' : 'hit');
    return value;
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    assertTtl(ttlSeconds);
    try {
      await this.client.set(this.keyPrefix + key, value, 'EX', ttlSeconds);
      this.reportRecovery();
    } catch (err) {
      this.reportOutage(err);
    }
  }

  async delete(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    try {
      await this.client.del(...keys.map((key) => this.keyPrefix + key));
      this.reportRecovery();
    } catch (err) {
      // A failed invalidation leaves stale entries for at most their TTL;
      // definitions are immutable per version, so that is only a problem if
      // values are keyed by something mutable (e.g. "latest version of key").
      this.reportOutage(err);
    }
  }

  async close(): Promise<void> {
    const status = this.client.status;
    if (status === 'end') return;
    // Only a live socket emits 'end'; between reconnect attempts disconnect()
    // just cancels the pending attempt and nothing more will happen.
    const hasSocket = status === 'ready' || status === 'connect' || status === 'connecting';
    let onEnd = () => undefined as void;
    const ended = new Promise<void>((resolve) => {
      onEnd = resolve;
      this.client.once('end', onEnd);
    });
    if (status === 'ready') {
      await this.client.quit().catch(() => this.client.disconnect());
    } else {
      this.client.disconnect();
    }
    if (hasSocket && this.client.status !== 'end') {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        ended,
        new Promise<void>((resolve) => (timer = setTimeout(resolve, 1000))),
      ]);
      clearTimeout(timer);
    }
    this.client.off('end', onEnd);
  }

  private reportOutage(err: unknown): void {
    if (this.degraded) return;
    this.degraded = true;
    const reason = err instanceof Error ? err.message : String(err);
    this.logger.warn(
      `Redis unavailable (${reason}); definition lookups fall back to the store until it is back`,
    );
  }

  private reportRecovery(): void {
    if (!this.degraded) return;
    this.degraded = false;
    this.logger.warn('Redis reachable again; definition cache back in use');
  }
}

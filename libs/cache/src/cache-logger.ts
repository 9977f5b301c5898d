/** What the cache needs to report trouble; the apps pass their Nest logger in. */
export interface CacheLogger {
  warn(message: string): void;
  error(message: string): void;
}

export const consoleCacheLogger: CacheLogger = {
  warn: (message) => console.warn(`[baton:cache] ${message}`),
  error: (message) => console.error(`[baton:cache] ${message}`),
};

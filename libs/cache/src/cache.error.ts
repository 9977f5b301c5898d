export enum CacheErrorCode {
  /** A caller passed a TTL, size or key that can never work; a bug, not an outage. */
  InvalidArgument = 'CACHE_INVALID_ARGUMENT',
}

export class CacheError extends Error {
  override readonly name = 'CacheError';

  constructor(
    readonly code: CacheErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function assertTtl(ttlSeconds: number): void {
  if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0) {
    throw new CacheError(
      CacheErrorCode.InvalidArgument,
      `ttlSeconds must be a whole number > 0, got ${ttlSeconds}`,
    );
  }
}

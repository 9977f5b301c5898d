export enum StoreErrorCode {
  /** A connection setting (URL, schema name, pool size) is unusable. */
  InvalidConfig = 'STORE_INVALID_CONFIG',
  /** Applying prisma/migrations failed; the message carries the engine's reason. */
  MigrationFailed = 'STORE_MIGRATION_FAILED',
}

export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

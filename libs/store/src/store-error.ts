export enum StoreErrorCode {
  /** A connection setting (URL, schema name, pool size) is unusable. */
  InvalidConfig = 'STORE_INVALID_CONFIG',
  /** Applying prisma/migrations failed; the message carries the engine's reason. */
  MigrationFailed = 'STORE_MIGRATION_FAILED',
  /** The embedded data directory is open in another process (or twice in this one). */
  DataDirInUse = 'STORE_DATA_DIR_IN_USE',
  /** The embedded database could not be opened (damaged or unreadable data directory). */
  OpenFailed = 'STORE_OPEN_FAILED',
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

import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/prisma/client';
import { databaseTarget } from './database-target';
import { StoreError, StoreErrorCode } from './store-error';

export interface PrismaClientOptions {
  /** `DATABASE_URL`; may carry `?schema=`. */
  url: string;
  /** Connections in this process' pool (`DB_POOL_SIZE`). */
  poolSize: number;
  /** Postgres schema; overrides `?schema=` in the URL. Default: the server's search_path (public). */
  schema?: string;
}

/**
 * A Prisma client on @prisma/adapter-pg (Prisma 7 has no built-in driver).
 * With a schema, Prisma qualifies its own queries with it and the pool's
 * `search_path` is set to it, so `$queryRaw` with unqualified table names hits
 * the same tables.
 */
export function createPrismaClient(options: PrismaClientOptions): PrismaClient {
  if (!Number.isInteger(options.poolSize) || options.poolSize < 1) {
    throw new StoreError(
      StoreErrorCode.InvalidConfig,
      `DB_POOL_SIZE must be a positive integer (got ${options.poolSize}).`,
    );
  }
  const target = databaseTarget(options.url, options.schema);
  const adapter = new PrismaPg(
    {
      connectionString: target.connectionString,
      max: options.poolSize,
      ...(target.schema ? { options: `-c search_path="${target.schema}"` } : {}),
    },
    target.schema ? { schema: target.schema } : undefined,
  );
  return new PrismaClient({ adapter });
}

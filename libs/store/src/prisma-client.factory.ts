import { PrismaPg } from '@prisma/adapter-pg';
import { Pool } from 'pg';
import { PrismaClient } from './generated/prisma/client';
import { databaseTarget } from './database-target';
import { registerPool } from './repositories/pool-db';
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
 * the same tables. The client's pool is the runtime store's too: it runs its
 * raw statements on it without Prisma in between (`PgRuntimeStore`), and
 * `$disconnect` ends it.
 */
export function createPrismaClient(options: PrismaClientOptions): PrismaClient {
  if (!Number.isInteger(options.poolSize) || options.poolSize < 1) {
    throw new StoreError(
      StoreErrorCode.InvalidConfig,
      `DB_POOL_SIZE must be a positive integer (got ${options.poolSize}).`,
    );
  }
  const target = databaseTarget(options.url, options.schema);
  const pool = new Pool({
    connectionString: target.connectionString,
    max: options.poolSize,
    ...(target.schema ? { options: `-c search_path="${target.schema}"` } : {}),
  });
  // A connection that dies while idle (a database restart) leaves the pool; the next checkout opens a new one.
  pool.on('error', () => undefined);
  const adapter = new PrismaPg(pool, target.schema ? { schema: target.schema } : undefined);
  const client = new PrismaClient({ adapter });
  // The pool is this client's, used by Prisma and by the runtime store alike, so `$disconnect` ends it
  // (Prisma would only end a pool it had itself connected through).
  const disconnect = client.$disconnect.bind(client);
  client.$disconnect = async () => {
    await disconnect();
    if (!pool.ended) await pool.end();
  };
  registerPool(client, pool);
  return client;
}

import { StoreUnavailableError } from '@baton/runtime';
import { types, type Pool, type PoolClient, type QueryResult } from 'pg';
import { Prisma } from '../generated/prisma/client';
import type { Db } from './sql';

/**
 * The pool a Postgres client made by `createPrismaClient` runs on: the
 * runtime store runs its statements on it directly (see {@link poolDb}).
 * PGlite clients have none and keep Prisma's path.
 */
const pools = new WeakMap<object, Pool>();

export function registerPool(client: object, pool: Pool): void {
  pools.set(client, pool);
}

export function poolOf(client: object): Pool | undefined {
  return pools.get(client);
}

const INT8 = 20;
const INT8_ARRAY = 1016;
const NUMERIC = 1700;
const TIMESTAMP = 1114;
const DATE = 1082;

const parseInt8Array = (types.getTypeParser as (oid: number) => (text: string) => (string | null)[])(INT8_ARRAY);
const PARSERS = new Map<number, (text: string) => unknown>([
  [INT8, (text) => BigInt(text)],
  [INT8_ARRAY, (text) => parseInt8Array(text).map((v) => (v === null ? null : BigInt(v)))],
  [NUMERIC, (text) => new Prisma.Decimal(text)],
  [TIMESTAMP, (text) => new Date(`${text.replace(' ', 'T')}Z`)],
  [DATE, (text) => new Date(`${text}T00:00:00Z`)],
]);

/**
 * Text parsers that give what Prisma's `$queryRawUnsafe` gives for the same
 * column, so a repository reads the same values on either path: bigint as
 * BigInt, numeric as Prisma's Decimal, timestamps and dates without a zone as
 * UTC. Every other type parses as `pg` does by default, which is what Prisma
 * gives too (numbers, booleans, Date for timestamptz, parsed json/jsonb,
 * arrays of text and json). Per query, so Prisma's own queries on the same
 * pool keep their parsers.
 */
const PRISMA_COMPATIBLE: { getTypeParser: typeof types.getTypeParser } = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    (format !== 'binary' ? PARSERS.get(oid) : undefined) ?? types.getTypeParser(oid, format)) as typeof types.getTypeParser,
};

/** Parameters as Prisma sends them: Dates as ISO text (pg would send local time), the rest as pg prepares them. */
function param(value: unknown): unknown {
  return value instanceof Date ? value.toISOString() : value;
}

function query(on: Pool | PoolClient, sql: string, values: readonly unknown[]): Promise<QueryResult<Record<string, unknown>>> {
  return on.query({ text: sql, values: values.map(param), types: PRISMA_COMPATIBLE });
}

/**
 * A {@link Db} on `pg` directly: on a pool (each statement its own
 * transaction) or on one checked-out connection inside a transaction. The
 * same statements and results as through Prisma's raw queries, without their
 * cost: Prisma serializes every parameter to JSON and parses it back on its
 * way to `pg`, which for the worker's big JSON parameters was a tenth of its
 * CPU. `before` runs ahead of each statement (a transaction past its timeout
 * throws there).
 */
export function poolDb(on: Pool | PoolClient, before?: () => void): Db {
  return {
    $queryRawUnsafe: async <T>(sql: string, ...values: unknown[]): Promise<T> => {
      before?.();
      return (await query(on, sql, values)).rows as T;
    },
    $executeRawUnsafe: async (sql: string, ...values: unknown[]): Promise<number> => {
      before?.();
      return (await query(on, sql, values)).rowCount ?? 0;
    },
  };
}

export interface PoolTransactionOptions {
  /** How long to wait for a connection from the pool. */
  readonly maxWaitMs: number;
  /** Longest the transaction may run; past it the connection is closed, which rolls it back. */
  readonly timeoutMs: number;
  /** `BEGIN ISOLATION LEVEL READ COMMITTED` rather than the server's default. */
  readonly readCommitted: boolean;
  /** `SET LOCAL lock_timeout`. */
  readonly lockTimeoutMs?: number;
}

/** A transaction ran past its timeout. */
export class PoolTransactionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PoolTransactionError';
  }
}

/**
 * Runs `work` in one transaction on a connection of `pool`: BEGIN, the
 * work's statements, COMMIT; ROLLBACK when the work throws. A transaction
 * past its timeout fails at once for the caller, its next statement throws,
 * and its connection is closed rather than returned, so the server rolls it
 * back (once a statement still running there ends), as with Prisma's
 * interactive transactions.
 */
export async function poolTransaction<R>(pool: Pool, work: (db: Db) => Promise<R>, options: PoolTransactionOptions): Promise<R> {
  const client = await connect(pool, options.maxWaitMs);
  const pastTimeout = () => new PoolTransactionError(`the transaction ran past its timeout of ${options.timeoutMs} ms and was rolled back`);
  let expired = false;
  // Whether the connection is back outside a transaction (COMMIT or ROLLBACK went through): only then is it reused.
  let closed = false;
  let released = false;
  // A connection that breaks while checked out says so as an 'error' event, which would crash the
  // process with no listener (the pool listens only while a connection is idle); the statement
  // running on it fails anyway, and the connection is not reused.
  const broken = (): void => {
    closed = false;
  };
  client.on('error', broken);
  const release = (): void => {
    if (released) return;
    released = true;
    client.removeListener('error', broken);
    client.release(closed ? undefined : true);
  };
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      expired = true;
      release();
      reject(pastTimeout());
    }, options.timeoutMs);
  });
  timedOut.catch(() => undefined);
  const run = async (): Promise<R> => {
    await client.query(options.readCommitted ? 'BEGIN ISOLATION LEVEL READ COMMITTED' : 'BEGIN');
    let result: R;
    try {
      if (options.lockTimeoutMs !== undefined) {
        await client.query(`SET LOCAL lock_timeout = ${Math.max(1, Math.floor(options.lockTimeoutMs))}`);
      }
      result = await work(
        poolDb(client, () => {
          if (expired) throw pastTimeout();
        }),
      );
    } catch (e) {
      // The work's failure is what the caller hears of; a connection that cannot roll back is closed instead.
      if (!expired) {
        await client.query('ROLLBACK').then(
          () => (closed = true),
          () => undefined,
        );
      }
      throw e;
    }
    if (expired) throw pastTimeout();
    await client.query('COMMIT');
    closed = true;
    return result;
  };
  try {
    return await Promise.race([run(), timedOut]);
  } finally {
    clearTimeout(timer);
    release();
  }
}

/** A pooled connection within `maxWaitMs`, else the database counts as unavailable; one that arrives later goes straight back. */
async function connect(pool: Pool, maxWaitMs: number): Promise<PoolClient> {
  let timer: NodeJS.Timeout | undefined;
  let gaveUp = false;
  const connecting = pool.connect();
  const waited = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      gaveUp = true;
      reject(new StoreUnavailableError(`the database is not available: no connection within ${maxWaitMs} ms (all ${pool.options.max} in use)`));
    }, maxWaitMs);
  });
  connecting.then(
    (client) => {
      if (gaveUp) client.release();
    },
    () => undefined,
  );
  try {
    return await Promise.race([connecting, waited]);
  } finally {
    clearTimeout(timer);
  }
}

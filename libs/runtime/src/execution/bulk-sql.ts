import type { Prisma } from '@baton/store';
import { RuntimeError, RuntimeErrorCode } from '../runtime-error';

/**
 * Multi-row writes as one statement each: the rows travel as a single JSON
 * parameter and Postgres unpacks them with `jsonb_to_recordset`. One round
 * trip and one parameter per statement whatever the batch size, where a
 * plain multi-row INSERT would bind rows x columns parameters (and hit the
 * 65,535 limit on big batches).
 */

export type Tx = Prisma.TransactionClient;

/** A transaction or the client itself (a single statement is its own transaction). */
type Executor = Pick<Tx, '$executeRawUnsafe'>;

export interface Column {
  readonly name: string;
  /** The Postgres type in the record definition (`uuid`, `text`, `jsonb`, `timestamptz`, `text[]`, ...). */
  readonly type: string;
  /** A type to cast to on the way in (enums). */
  readonly cast?: string;
}

export async function insertRows(
  tx: Executor,
  table: string,
  columns: readonly Column[],
  rows: readonly Record<string, unknown>[],
  onConflict = '',
): Promise<number> {
  if (rows.length === 0) return 0;
  const names = columns.map((c) => `"${c.name}"`).join(', ');
  const select = columns.map((c) => (c.cast ? `"${c.name}"::${c.cast}` : `"${c.name}"`)).join(', ');
  const record = columns.map((c) => `"${c.name}" ${c.type}`).join(', ');
  const sql = `INSERT INTO "${table}" (${names}) SELECT ${select} FROM jsonb_to_recordset($1::jsonb) AS r(${record}) ${onConflict}`;
  return tx.$executeRawUnsafe(sql, JSON.stringify(rows));
}

type TransactionClient = { $transaction<R>(fn: (tx: Tx) => Promise<R>, options?: object): Promise<R> };

/**
 * An interactive transaction with the runtime's standard limits. Waiting for
 * a pooled connection queues (up to `maxWaitMs`) instead of failing at
 * Prisma's 2 s default; when the pool stays exhausted longer the caller gets
 * a typed Unavailable error (HTTP 503 with Retry-After), never a hang.
 */
export async function inTransaction<R>(
  prisma: TransactionClient,
  fn: (tx: Tx) => Promise<R>,
  options: { maxWaitMs?: number; timeoutMs?: number } = {},
): Promise<R> {
  try {
    return await prisma.$transaction(fn, {
      maxWait: options.maxWaitMs ?? 15_000,
      timeout: options.timeoutMs ?? 60_000,
      isolationLevel: 'ReadCommitted',
    });
  } catch (e) {
    if ((e as { code?: string }).code === 'P2028' && /start a transaction/i.test((e as Error).message)) {
      throw new RuntimeError(RuntimeErrorCode.Unavailable, 'the database is busy: no connection became free in time; retry later');
    }
    throw e;
  }
}

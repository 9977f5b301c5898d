import type { Prisma } from '@baton/store';

/**
 * Multi-row writes as one statement each: the rows travel as a single JSON
 * parameter and Postgres unpacks them with `jsonb_to_recordset`. One round
 * trip and one parameter per statement whatever the batch size, where a
 * plain multi-row INSERT would bind rows x columns parameters (and hit the
 * 65,535 limit on big batches).
 */

export type Tx = Prisma.TransactionClient;

export interface Column {
  readonly name: string;
  /** The Postgres type in the record definition (`uuid`, `text`, `jsonb`, `timestamptz`, `text[]`, ...). */
  readonly type: string;
  /** A type to cast to on the way in (enums). */
  readonly cast?: string;
}

export async function insertRows(
  tx: Tx,
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

/**
 * What the repositories run statements on: the Prisma client (each call its
 * own transaction) or an interactive transaction's client.
 */
export interface Db {
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
  $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number>;
}

export interface Column {
  readonly name: string;
  /** The Postgres type in the record definition (`bigint`, `text`, `jsonb`, `timestamptz`, `text[]`, ...). */
  readonly type: string;
  /** A type to cast to on the way in (enums). */
  readonly cast?: string;
}

export const col = (name: string, type: string, cast?: string): Column => (cast === undefined ? { name, type } : { name, type, cast });

/**
 * Multi-row writes as one statement each: the rows travel as a single JSON
 * parameter and Postgres unpacks them with `jsonb_to_recordset`. One round
 * trip and one parameter per statement whatever the batch size, where a
 * plain multi-row INSERT would bind rows x columns parameters (and hit the
 * 65,535 limit on big batches). Keys travel as JSON strings; `bigint`
 * columns of the record read them exactly.
 */
export async function insertRows(
  db: Db,
  table: string,
  columns: readonly Column[],
  rows: readonly object[],
  onConflict = '',
): Promise<number> {
  if (rows.length === 0) return 0;
  const names = columns.map((c) => `"${c.name}"`).join(', ');
  const select = columns.map((c) => (c.cast ? `"${c.name}"::${c.cast}` : `"${c.name}"`)).join(', ');
  const record = columns.map((c) => `"${c.name}" ${c.type}`).join(', ');
  const sql = `INSERT INTO "${table}" (${names}) SELECT ${select} FROM jsonb_to_recordset($1::jsonb) AS r(${record}) ${onConflict}`;
  return db.$executeRawUnsafe(sql, JSON.stringify(rows));
}

/** A tenant filter: `NULL` (every tenant) or a text[] of tenant ids. */
export const tenantParam = (tenants: readonly string[] | undefined): string[] | null => (tenants === undefined ? null : [...tenants]);

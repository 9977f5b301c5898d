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
  const statement = insertRowsStatement(table, columns, rows, onConflict);
  return statement === null ? 0 : db.$executeRawUnsafe(statement.sql, ...statement.params);
}

/** {@link insertRows} as a statement to run later or together with others; null for no rows. */
export function insertRowsStatement(table: string, columns: readonly Column[], rows: readonly object[], onConflict = ''): Statement | null {
  if (rows.length === 0) return null;
  const names = columns.map((c) => `"${c.name}"`).join(', ');
  const select = columns.map((c) => (c.cast ? `"${c.name}"::${c.cast}` : `"${c.name}"`)).join(', ');
  const record = columns.map((c) => `"${c.name}" ${c.type}`).join(', ');
  const sql = `INSERT INTO "${table}" (${names}) SELECT ${select} FROM jsonb_to_recordset($1::jsonb) AS r(${record}) ${onConflict}`;
  return { sql, params: [JSON.stringify(rows)] };
}

/** A statement with its parameters (`$1`, `$2`, ... in `sql`, and nowhere else a `$` followed by a digit). */
export interface Statement {
  readonly sql: string;
  readonly params: readonly unknown[];
}

/**
 * Runs data-modifying statements as one (each a `WITH` query of a single
 * statement, parameters renumbered): one round trip instead of one each.
 * Only for statements that touch different rows and do not read what another
 * of them writes: they all see the snapshot the statement started with, and
 * Postgres runs them in no set order.
 */
export async function runTogether(db: Db, statements: readonly (Statement | null)[]): Promise<void> {
  const present = statements.filter((s): s is Statement => s !== null);
  if (present.length === 0) return;
  if (present.length === 1) {
    await db.$executeRawUnsafe(present[0].sql, ...present[0].params);
    return;
  }
  const params: unknown[] = [];
  const parts = present.map((statement, i) => {
    const offset = params.length;
    params.push(...statement.params);
    return `w${i} AS (${statement.sql.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`)})`;
  });
  await db.$executeRawUnsafe(`WITH ${parts.join(', ')} SELECT 1`, ...params);
}

/** A tenant filter: `NULL` (every tenant) or a text[] of tenant ids. */
export const tenantParam = (tenants: readonly string[] | undefined): string[] | null => (tenants === undefined ? null : [...tenants]);

import type { SearchCondition, SearchFieldType, SearchFilter, SearchQuery, SearchScalar } from '@baton/runtime';
import type { Db } from './sql';

/**
 * SQL for the runtime's read-only searches ({@link SearchQuery}). Fields map
 * to SQL expressions through a fixed whitelist per table; every value the
 * caller sends travels as a bound parameter (`$n::type`), never as SQL text.
 */

export interface SearchColumn {
  /** The SQL expression (a qualified column, or an expression of the row). */
  readonly sql: string;
  readonly type: SearchFieldType;
  /** A Postgres enum the column has: equality compares as the enum (its index), the rest as text. */
  readonly enumType?: string;
  /** Never NULL (keyset comparisons need no NULL branch: index-friendly). */
  readonly notNull?: boolean;
}

export interface SearchTable<F extends string> {
  /** `FROM ...` (tables and joins, fixed text). */
  readonly from: string;
  /** The select list (fixed text). */
  readonly select: string;
  readonly tenantColumn: string;
  readonly columns: Readonly<Record<F, SearchColumn>>;
}

const CASTS: Readonly<Record<SearchFieldType, string>> = {
  key: 'bigint',
  text: 'text',
  int: 'int',
  date: 'timestamptz',
  bool: 'boolean',
  textArray: 'text',
};

class Params {
  readonly values: unknown[] = [];

  add(value: unknown, cast: string): string {
    this.values.push(value);
    return `$${this.values.length}::${cast}`;
  }
}

function columnOf<F extends string>(table: SearchTable<F>, field: F): SearchColumn {
  const column = Object.prototype.hasOwnProperty.call(table.columns, field) ? table.columns[field] : undefined;
  if (column === undefined) throw new Error(`search: no column for field '${field}'`);
  return column;
}

/** The expression compared with `<`, `LIKE`, and sorted by (an enum as its text). */
const scalarSql = (c: SearchColumn): string => (c.enumType === undefined ? c.sql : `${c.sql}::text`);

/**
 * A list parameter: sent as text[] and cast in SQL (the embedded PGlite
 * adapter serialises arrays of enums and other non-text types poorly).
 */
function textArray(value: SearchCondition['value'], cast: string, params: Params): string {
  const values = (value as readonly SearchScalar[]).map((v) => (v === null ? null : String(v)));
  return cast === 'text' ? params.add(values, 'text[]') : `${params.add(values, 'text[]')}::${cast}[]`;
}

function condition(c: SearchColumn, cond: SearchCondition, params: Params): string {
  const cast = c.enumType ?? CASTS[c.type];
  const value = cond.value;
  if (c.type === 'textArray') {
    switch (cond.op) {
      case 'eq':
        return `${params.add(value, 'text')} = ANY(${c.sql})`;
      case 'neq':
        return `NOT (${params.add(value, 'text')} = ANY(${c.sql}))`;
      case 'in':
        return `${c.sql} && ${params.add(value, 'text[]')}`;
      case 'notIn':
        return `NOT (${c.sql} && ${params.add(value, 'text[]')})`;
      case 'exists':
        return value === true ? `cardinality(${c.sql}) > 0` : `cardinality(${c.sql}) = 0`;
      case 'like':
        return `EXISTS (SELECT 1 FROM unnest(${c.sql}) AS e(v) WHERE e.v LIKE ${params.add(value, 'text')})`;
      default:
        throw new Error(`search: ${cond.op} on a text array`);
    }
  }
  switch (cond.op) {
    case 'eq':
      return value === null ? `${c.sql} IS NULL` : `${c.sql} = ${params.add(value, cast)}`;
    case 'neq':
      return value === null ? `${c.sql} IS NOT NULL` : `(${c.sql} IS NULL OR ${c.sql} <> ${params.add(value, cast)})`;
    case 'in':
      return `${c.sql} = ANY(${textArray(value, cast, params)})`;
    case 'notIn':
      return `(${c.sql} IS NULL OR NOT (${c.sql} = ANY(${textArray(value, cast, params)})))`;
    case 'exists':
      return value === true ? `${c.sql} IS NOT NULL` : `${c.sql} IS NULL`;
    case 'like':
      return `${scalarSql(c)} LIKE ${params.add(value, 'text')}`;
    case 'gt':
      return `${scalarSql(c)} > ${params.add(value, CASTS[c.type])}`;
    case 'gte':
      return `${scalarSql(c)} >= ${params.add(value, CASTS[c.type])}`;
    case 'lt':
      return `${scalarSql(c)} < ${params.add(value, CASTS[c.type])}`;
    case 'lte':
      return `${scalarSql(c)} <= ${params.add(value, CASTS[c.type])}`;
  }
}

function where<F extends string>(table: SearchTable<F>, filter: SearchFilter<F>, params: Params): string[] {
  const clauses = filter.conditions.map((cond) => condition(columnOf(table, cond.field), cond, params));
  if (filter.tenants !== undefined) clauses.push(`${table.tenantColumn} = ANY(${params.add([...filter.tenants], 'text[]')})`);
  return clauses;
}

/**
 * Rows after the cursor in the query's order: (s1 > v1) OR (s1 = v1 AND s2 > v2) ...,
 * where "after" follows the direction and NULLs sort last ascending, first descending.
 */
function keyset(sort: readonly { column: SearchColumn; descending: boolean }[], values: readonly SearchScalar[], params: Params): string {
  const cast = (c: SearchColumn) => CASTS[c.type];
  const eq = (c: SearchColumn, v: SearchScalar) => (v === null ? `${scalarSql(c)} IS NULL` : `${scalarSql(c)} = ${params.add(v, cast(c))}`);
  const gt = (c: SearchColumn, v: SearchScalar, descending: boolean): string => {
    if (descending) return v === null ? `${c.sql} IS NOT NULL` : `${scalarSql(c)} < ${params.add(v, cast(c))}`;
    if (v === null) return 'FALSE';
    return c.notNull === true ? `${scalarSql(c)} > ${params.add(v, cast(c))}` : `(${scalarSql(c)} > ${params.add(v, cast(c))} OR ${c.sql} IS NULL)`;
  };
  const branches: string[] = [];
  for (let i = 0; i < sort.length; i++) {
    const parts: string[] = [];
    for (let j = 0; j < i; j++) parts.push(eq(sort[j].column, values[j]));
    parts.push(gt(sort[i].column, values[i], sort[i].descending));
    branches.push(parts.length === 1 ? parts[0] : `(${parts.join(' AND ')})`);
  }
  return branches.length === 1 ? branches[0] : `(${branches.join(' OR ')})`;
}

export function searchRows<F extends string, R>(db: Db, table: SearchTable<F>, query: SearchQuery<F>): Promise<R[]> {
  const params = new Params();
  const clauses = where(table, query, params);
  const backward = query.backward === true;
  const sort = query.sort.map((s) => ({ column: columnOf(table, s.field), descending: s.descending !== backward }));
  if (query.after !== undefined) {
    if (query.after.length !== sort.length) throw new Error('search: the cursor does not match the sort');
    clauses.push(keyset(sort, query.after, params));
  }
  const order = sort.map((s) => `${scalarSql(s.column)} ${s.descending ? 'DESC NULLS FIRST' : 'ASC NULLS LAST'}`).join(', ');
  const limit = params.add(Math.max(0, Math.floor(query.limit)), 'int');
  const offset = query.offset !== undefined && query.offset > 0 ? ` OFFSET ${params.add(Math.floor(query.offset), 'int')}` : '';
  const sql = `SELECT ${table.select} FROM ${table.from}${clauses.length > 0 ? ` WHERE ${clauses.join(' AND ')}` : ''} ORDER BY ${order} LIMIT ${limit}${offset}`;
  return db.$queryRawUnsafe<R[]>(sql, ...params.values);
}

export async function countRows<F extends string>(db: Db, table: SearchTable<F>, filter: SearchFilter<F>, cap: number): Promise<number> {
  const params = new Params();
  const clauses = where(table, filter, params);
  const limit = params.add(Math.max(0, Math.floor(cap)), 'int');
  const rows = await db.$queryRawUnsafe<{ n: number }[]>(
    `SELECT count(*)::int AS n FROM (SELECT 1 FROM ${table.from}${clauses.length > 0 ? ` WHERE ${clauses.join(' AND ')}` : ''} LIMIT ${limit}) s`,
    ...params.values,
  );
  return rows[0]?.n ?? 0;
}

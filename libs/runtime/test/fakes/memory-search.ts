import {
  matchesLike,
  searchValue,
  type SearchCondition,
  type SearchFieldType,
  type SearchFilter,
  type SearchQuery,
  type SearchScalar,
  type TenantScope,
} from '../../src';

/**
 * The store's read-only searches over records in memory, with the semantics
 * of `libs/store/src/repositories/search.sql.ts` on Postgres: NULL never
 * equals or compares (but `neq`/`notIn` keep it), LIKE with `\` escapes,
 * ascending puts NULLs last and descending first, keys compare as 64-bit
 * integers, dates as instants, text in byte order.
 */

type Types = Readonly<Record<string, SearchFieldType>>;

function compare(type: SearchFieldType, a: SearchScalar, b: SearchScalar): number {
  switch (type) {
    case 'key': {
      const x = BigInt(a as string);
      const y = BigInt(b as string);
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case 'date':
      return Math.sign(Date.parse(a as string) - Date.parse(b as string));
    case 'int':
      return Math.sign((a as number) - (b as number));
    case 'bool':
      return Number(a) - Number(b);
    default:
      return a === b ? 0 : (a as string) < (b as string) ? -1 : 1;
  }
}

function matches(types: Types, record: object, cond: SearchCondition): boolean {
  const type = types[cond.field];
  if (type === undefined) throw new Error(`memory search: unknown field '${cond.field}'`);
  const raw = searchValue(record, cond.field);
  if (type === 'textArray') {
    const values = (raw ?? []) as readonly string[];
    const operand = cond.value;
    switch (cond.op) {
      case 'eq':
        return values.includes(operand as string);
      case 'neq':
        return !values.includes(operand as string);
      case 'in':
        return values.some((v) => (operand as SearchScalar[]).includes(v));
      case 'notIn':
        return !values.some((v) => (operand as SearchScalar[]).includes(v));
      case 'exists':
        return (values.length > 0) === operand;
      case 'like':
        return values.some((v) => matchesLike(v, operand as string));
      default:
        throw new Error(`memory search: ${cond.op} on a text array`);
    }
  }
  const value = raw as SearchScalar;
  const eq = (v: SearchScalar) => value !== null && v !== null && compare(type, value, v) === 0;
  switch (cond.op) {
    case 'eq':
      return cond.value === null ? value === null : eq(cond.value as SearchScalar);
    case 'neq':
      return cond.value === null ? value !== null : value === null || !eq(cond.value as SearchScalar);
    case 'in':
      return (cond.value as SearchScalar[]).some(eq);
    case 'notIn':
      return value === null || !(cond.value as SearchScalar[]).some(eq);
    case 'exists':
      return (value !== null) === cond.value;
    case 'like':
      return value !== null && matchesLike(String(value), cond.value as string);
    case 'gt':
      return value !== null && compare(type, value, cond.value as SearchScalar) > 0;
    case 'gte':
      return value !== null && compare(type, value, cond.value as SearchScalar) >= 0;
    case 'lt':
      return value !== null && compare(type, value, cond.value as SearchScalar) < 0;
    case 'lte':
      return value !== null && compare(type, value, cond.value as SearchScalar) <= 0;
  }
}

const inTenants = (record: object, tenants: TenantScope): boolean =>
  tenants === undefined || tenants.includes((record as { tenantId: string }).tenantId);

function filtered<R extends object>(types: Types, records: readonly R[], filter: SearchFilter): R[] {
  return records.filter((r) => inTenants(r, filter.tenants) && filter.conditions.every((c) => matches(types, r, c)));
}

/** Ascending: NULLs last; descending: NULLs first (Postgres). */
function compareSorted(type: SearchFieldType, a: SearchScalar, b: SearchScalar, descending: boolean): number {
  if (a === null && b === null) return 0;
  if (a === null) return descending ? -1 : 1;
  if (b === null) return descending ? 1 : -1;
  const c = compare(type, a, b);
  return descending ? -c : c;
}

export function searchRecords<R extends object>(types: Types, records: readonly R[], query: SearchQuery): R[] {
  const backward = query.backward === true;
  const sort = query.sort.map((s) => ({ field: s.field, type: types[s.field], descending: s.descending !== backward }));
  const valuesOf = (r: R) => sort.map((s) => searchValue(r, s.field) as SearchScalar);
  const order = (a: readonly SearchScalar[], b: readonly SearchScalar[]): number => {
    for (let i = 0; i < sort.length; i++) {
      const c = compareSorted(sort[i].type, a[i], b[i], sort[i].descending);
      if (c !== 0) return c;
    }
    return 0;
  };
  let rows = filtered(types, records, query).sort((a, b) => order(valuesOf(a), valuesOf(b)));
  const after = query.after;
  if (after !== undefined) rows = rows.filter((r) => order(valuesOf(r), after) > 0);
  const offset = query.offset ?? 0;
  return rows.slice(offset, offset + query.limit);
}

export function countRecords<R extends object>(types: Types, records: readonly R[], filter: SearchFilter, cap: number): number {
  return Math.min(filtered(types, records, filter).length, cap);
}

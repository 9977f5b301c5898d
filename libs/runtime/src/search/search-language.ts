import type { SearchCondition, SearchOp, SearchQuery, SearchScalar, SearchSort } from '../ports/search';
import { RuntimeError } from '../runtime-error';

/**
 * Camunda 8's search language (`/v2/.../search`) translated to the store's
 * neutral {@link SearchQuery}: `filter` fields with a plain value (`$eq`) or
 * operators, `sort` as `[{ field, order }]`, and `page` as offset
 * (`from`, `limit`) or cursor (`after`/`before`, `limit`). Unknown fields,
 * operators a field does not take and values of the wrong type are 400s
 * naming them.
 */

/** What a filter field takes. */
export type ApiFieldKind = 'string' | 'key' | 'int' | 'date' | 'bool' | 'enum';

/** An enum whose Camunda names differ from the values stored. */
export interface EnumMapping {
  /** Every name Camunda's spec allows (others are a 400). */
  readonly names: readonly string[];
  /** The stored values Baton knows, and the Camunda name of each. */
  readonly stored: readonly (readonly [SearchScalar, string])[];
  /** The name of a stored value outside `stored` (absent: there are none). */
  readonly otherwise?: string;
}

export interface ApiField<F extends string> {
  readonly kind: ApiFieldKind;
  /** The store field; absent for a field whose value is the same for every row (`constant`). */
  readonly field?: F;
  readonly enum?: EnumMapping;
  /** The value every row has (a field Baton does not vary, e.g. a job's `kind`). */
  readonly constant?: SearchScalar;
  /** Not offered in `filter` (sort only). */
  readonly sortOnly?: boolean;
  /** Not offered in `sort`. */
  readonly filterOnly?: boolean;
}

export interface ApiResource<F extends string> {
  /** For messages: `process instance`, `incident`, ... */
  readonly name: string;
  readonly fields: Readonly<Record<string, ApiField<F>>>;
  /** The key field (the sort's last key, the cursor's tiebreak). */
  readonly key: F;
}

export interface CamundaSearchRequest {
  readonly filter?: Readonly<Record<string, unknown>> | null;
  readonly sort?: readonly { readonly field: string; readonly order?: string | null }[] | null;
  readonly page?: {
    readonly from?: number | null;
    readonly limit?: number | null;
    readonly after?: string | null;
    readonly before?: string | null;
  } | null;
}

/** Default page size (Camunda's). */
export const DEFAULT_PAGE_LIMIT = 100;
/** Largest page, and the furthest `from` offset (Camunda's result window on Elasticsearch). */
export const MAX_PAGE_LIMIT = 10_000;
export const MAX_FROM = 10_000;

const OPS: Readonly<Record<string, SearchOp>> = {
  $eq: 'eq',
  $neq: 'neq',
  $in: 'in',
  $notIn: 'notIn',
  $exists: 'exists',
  $like: 'like',
  $gt: 'gt',
  $gte: 'gte',
  $lt: 'lt',
  $lte: 'lte',
};

const KIND_OPS: Readonly<Record<ApiFieldKind, readonly SearchOp[]>> = {
  string: ['eq', 'neq', 'in', 'notIn', 'exists', 'like'],
  key: ['eq', 'neq', 'in', 'notIn', 'exists'],
  enum: ['eq', 'neq', 'in', 'notIn', 'exists', 'like'],
  int: ['eq', 'neq', 'in', 'notIn', 'exists', 'gt', 'gte', 'lt', 'lte'],
  date: ['eq', 'neq', 'in', 'notIn', 'exists', 'gt', 'gte', 'lt', 'lte'],
  bool: ['eq', 'neq', 'exists'],
};

/** The operators a kind of field takes, as Camunda names them (docs, messages). */
export const operatorsOf = (kind: ApiFieldKind): string[] =>
  KIND_OPS[kind].map((op) => Object.keys(OPS).find((k) => OPS[k] === op) as string);

/** A filter that no row can match (a constant field asked for another value). */
export interface TranslatedFilter<F extends string> {
  readonly conditions: SearchCondition<F>[];
  readonly impossible: boolean;
}

export function translateFilter<F extends string>(resource: ApiResource<F>, filter: Readonly<Record<string, unknown>> | null | undefined): TranslatedFilter<F> {
  const conditions: SearchCondition<F>[] = [];
  let impossible = false;
  if (filter === null || filter === undefined) return { conditions, impossible };
  if (typeof filter !== 'object' || Array.isArray(filter)) throw RuntimeError.badRequest('filter', 'filter must be an object');
  for (const [name, raw] of Object.entries(filter)) {
    const spec = Object.prototype.hasOwnProperty.call(resource.fields, name) ? resource.fields[name] : undefined;
    const where = `filter.${name}`;
    if (spec === undefined || spec.sortOnly === true) {
      throw RuntimeError.badRequest(where, `unknown or unsupported ${resource.name} filter field '${name}'; Baton filters by ${filterNames(resource).join(', ')}`);
    }
    if (raw === undefined || raw === null) continue;
    for (const [op, value] of operations(spec, raw, where)) {
      if (spec.constant !== undefined) {
        if (!holds(op, value, spec.constant)) impossible = true;
        continue;
      }
      const field = spec.field as F;
      if (spec.enum !== undefined) conditions.push(enumCondition(field, spec.enum, op, value));
      else conditions.push({ field, op, value });
    }
  }
  return { conditions, impossible };
}

export function translateSort<F extends string>(resource: ApiResource<F>, sort: CamundaSearchRequest['sort']): SearchSort<F>[] {
  const out: SearchSort<F>[] = [];
  for (const [i, entry] of (sort ?? []).entries()) {
    const where = `sort[${i}]`;
    if (typeof entry !== 'object' || entry === null || typeof entry.field !== 'string') {
      throw RuntimeError.badRequest(where, 'a sort entry is { field, order }');
    }
    const spec = Object.prototype.hasOwnProperty.call(resource.fields, entry.field) ? resource.fields[entry.field] : undefined;
    if (spec === undefined || spec.filterOnly === true) {
      throw RuntimeError.badRequest(`${where}.field`, `unknown or unsupported ${resource.name} sort field '${entry.field}'; Baton sorts by ${sortNames(resource).join(', ')}`);
    }
    const order = entry.order ?? 'ASC';
    if (typeof order !== 'string' || !/^(asc|desc)$/i.test(order)) {
      throw RuntimeError.badRequest(`${where}.order`, `order must be ASC or DESC, got '${String(order).slice(0, 20)}'`);
    }
    if (spec.field === undefined) continue; // the same for every row
    if (out.some((s) => s.field === spec.field)) continue;
    out.push({ field: spec.field, descending: order.toUpperCase() === 'DESC' });
  }
  if (!out.some((s) => s.field === resource.key)) out.push({ field: resource.key, descending: false });
  return out;
}

/**
 * Camunda's `$like` (`*` any characters, `?` one, `\` escapes the next) as an
 * SQL LIKE pattern with `\` as its escape character.
 */
export function likePattern(camunda: string): string {
  let out = '';
  for (let i = 0; i < camunda.length; i++) {
    const c = camunda[i];
    if (c === '\\' && i + 1 < camunda.length) {
      out += escapeLike(camunda[++i]);
    } else if (c === '*') out += '%';
    else if (c === '?') out += '_';
    else out += escapeLike(c);
  }
  return out;
}

const escapeLike = (c: string): string => (c === '%' || c === '_' || c === '\\' ? `\\${c}` : c);

/** Whether a value matches an SQL LIKE pattern (escape `\`), as Postgres' LIKE does. */
export function matchesLike(value: string, pattern: string): boolean {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\' && i + 1 < pattern.length) source += regexEscape(pattern[++i]);
    else if (c === '%') source += '.*';
    else if (c === '_') source += '.';
    else source += regexEscape(c);
  }
  return new RegExp(`^${source}$`, 'su').test(value);
}

const regexEscape = (c: string): string => c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** The (operator, value) pairs of one filter field, values checked and normalised. */
function operations(spec: ApiField<string>, raw: unknown, where: string): [SearchOp, SearchCondition['value']][] {
  if (typeof raw !== 'object' || raw === null) return [['eq', scalar(spec, raw, where)]];
  if (Array.isArray(raw)) throw RuntimeError.badRequest(where, `a filter value is a ${spec.kind} or an object of operators, not an array`);
  const out: [SearchOp, SearchCondition['value']][] = [];
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    const op = Object.prototype.hasOwnProperty.call(OPS, name) ? OPS[name] : undefined;
    if (op === undefined || !KIND_OPS[spec.kind].includes(op)) {
      throw RuntimeError.badRequest(`${where}.${name}`, `operator '${name}' is not supported on this field; it takes ${operatorsOf(spec.kind).join(', ')}`);
    }
    if (value === undefined || value === null) continue;
    const at = `${where}.${name}`;
    if (op === 'exists') {
      if (typeof value !== 'boolean') throw RuntimeError.badRequest(at, '$exists takes true or false');
      out.push([op, value]);
    } else if (op === 'in' || op === 'notIn') {
      if (!Array.isArray(value)) throw RuntimeError.badRequest(at, `${name} takes an array`);
      if (value.length > 1000) throw RuntimeError.badRequest(at, `${name} takes at most 1000 values`);
      out.push([op, value.map((v, i) => scalar(spec, v, `${at}[${i}]`))]);
    } else if (op === 'like') {
      if (typeof value !== 'string') throw RuntimeError.badRequest(at, '$like takes a string');
      out.push([op, likePattern(value)]);
    } else {
      out.push([op, scalar(spec, value, at)]);
    }
  }
  return out;
}

function scalar(spec: ApiField<string>, value: unknown, where: string): SearchScalar {
  switch (spec.kind) {
    case 'string':
      if (typeof value !== 'string') throw RuntimeError.badRequest(where, 'must be a string');
      return value;
    case 'key':
      if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
      if (typeof value !== 'string' || !/^[0-9]{1,19}$/.test(value) || BigInt(value) > 2n ** 63n - 1n) {
        throw RuntimeError.badRequest(where, 'must be a key (a 64-bit integer as a decimal string)');
      }
      return value;
    case 'int':
      if (typeof value !== 'number' || !Number.isInteger(value) || Math.abs(value) > 2 ** 31 - 1) throw RuntimeError.badRequest(where, 'must be a 32-bit integer');
      return value;
    case 'date': {
      const at = typeof value === 'string' && /^[0-9]{4}-[0-9]{2}-[0-9]{2}/.test(value) ? Date.parse(value) : NaN;
      if (Number.isNaN(at)) throw RuntimeError.badRequest(where, 'must be an ISO 8601 date-time');
      return new Date(at).toISOString();
    }
    case 'bool':
      if (typeof value !== 'boolean') throw RuntimeError.badRequest(where, 'must be true or false');
      return value;
    case 'enum': {
      const names = spec.enum?.names ?? [];
      if (typeof value !== 'string' || !names.includes(value)) throw RuntimeError.badRequest(where, `must be one of ${names.join(', ')}`);
      return value;
    }
  }
}

/** Whether a Camunda value satisfies one operation (enums and constants, evaluated here). */
function holds(op: SearchOp, operand: SearchCondition['value'], value: SearchScalar): boolean {
  switch (op) {
    case 'eq':
      return value === operand;
    case 'neq':
      return value !== operand;
    case 'in':
      return (operand as SearchScalar[]).includes(value);
    case 'notIn':
      return !(operand as SearchScalar[]).includes(value);
    case 'exists':
      return operand === (value !== null);
    case 'like':
      return typeof value === 'string' && matchesLike(value, operand as string);
    default:
      return false;
  }
}

/**
 * An operation on Camunda's names of an enum, as a condition on the stored
 * values: the stored values whose name satisfies it (`in`), or, when the
 * name of unknown values does, all but the known ones that do not (`notIn`).
 */
function enumCondition<F extends string>(field: F, mapping: EnumMapping, op: SearchOp, operand: SearchCondition['value']): SearchCondition<F> {
  const matching = mapping.stored.filter(([, name]) => holds(op, operand, name)).map(([stored]) => stored);
  if (mapping.otherwise !== undefined && holds(op, operand, mapping.otherwise)) {
    const known = mapping.stored.map(([stored]) => stored);
    return { field, op: 'notIn', value: known.filter((v) => !matching.includes(v)) };
  }
  return { field, op: 'in', value: matching };
}

/** The Camunda name of a stored enum value. */
export function enumName(mapping: EnumMapping, stored: SearchScalar): string {
  const hit = mapping.stored.find(([v]) => v === stored);
  return hit?.[1] ?? mapping.otherwise ?? String(stored);
}

const filterNames = (resource: ApiResource<string>): string[] =>
  Object.entries(resource.fields)
    .filter(([, f]) => f.sortOnly !== true)
    .map(([n]) => n);

const sortNames = (resource: ApiResource<string>): string[] =>
  Object.entries(resource.fields)
    .filter(([, f]) => f.filterOnly !== true)
    .map(([n]) => n);

/** The page of a request: offset or cursor, bounded. */
export interface PagePlan {
  readonly limit: number;
  readonly from: number;
  readonly after?: string;
  readonly before?: string;
}

export function translatePage(page: CamundaSearchRequest['page']): PagePlan {
  const limit = page?.limit ?? DEFAULT_PAGE_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_LIMIT) {
    throw RuntimeError.badRequest('page.limit', `limit must be a whole number from 1 to ${MAX_PAGE_LIMIT}`);
  }
  const from = page?.from ?? 0;
  if (!Number.isInteger(from) || from < 0 || from > MAX_FROM) {
    throw RuntimeError.badRequest('page.from', `from must be a whole number from 0 to ${MAX_FROM}; page further with the endCursor (page.after)`);
  }
  const after = page?.after ?? undefined;
  const before = page?.before ?? undefined;
  if ([from > 0, after !== undefined, before !== undefined].filter(Boolean).length > 1) {
    throw RuntimeError.badRequest('page', 'use one of from, after and before');
  }
  return { limit, from, after, before };
}

/** A cursor: the sort values of a row, with the sort they belong to (a cursor of another sort is a 400). */
export function encodeCursor(signature: string, values: readonly SearchScalar[]): string {
  return Buffer.from(JSON.stringify([signature, ...values]), 'utf8').toString('base64');
}

export function decodeCursor(cursor: string, signature: string, where: string): SearchScalar[] {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64').toString('utf8'));
  } catch {
    value = undefined;
  }
  if (!Array.isArray(value) || value[0] !== signature || !value.slice(1).every((v) => v === null || ['string', 'number', 'boolean'].includes(typeof v))) {
    throw RuntimeError.badRequest(where, `'${cursor.slice(0, 40)}' is not a cursor of this search and sort`);
  }
  return value.slice(1) as SearchScalar[];
}

/** Which sort a cursor belongs to: its fields' positions in the catalog and directions. */
export function sortSignature(fields: readonly string[], sort: readonly SearchSort[]): string {
  return sort.map((s) => `${fields.indexOf(s.field).toString(36)}${s.descending ? 'd' : 'a'}`).join('');
}

export type { SearchQuery };

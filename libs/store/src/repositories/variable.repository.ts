import type { Key, SearchFilter, SearchQuery, VariableRepository, VariableSearchField, VariableSearchRecord } from '@baton/runtime';
import { countRows, searchRows, type SearchTable } from './search.sql';
import type { Db } from './sql';

/**
 * Process-scope variables, one row per member of an instance's `variables`,
 * with the key handed out for it (if any) from "VariableKey". A filter on
 * the instance reads one row; without one the search reads every instance.
 */
const VARIABLE_SEARCH: SearchTable<VariableSearchField> = {
  from: `"ProcessInstance" p CROSS JOIN LATERAL jsonb_each(p.variables) v(name, value)
    LEFT JOIN "VariableKey" k ON k."instanceId" = p.id AND k.name = v.name`,
  select: `p.id::text || ':' || v.name AS id, k.id::text AS key, p.id::text AS "instanceId", p.id::text AS "scopeId",
    p."tenantId", v.name, v.value::text AS value`,
  tenantColumn: 'p."tenantId"',
  columns: {
    id: { sql: `(p.id::text || ':' || v.name)`, type: 'text', notNull: true },
    key: { sql: 'k.id', type: 'key' },
    instanceId: { sql: 'p.id', type: 'key', notNull: true },
    scopeId: { sql: 'p.id', type: 'key', notNull: true },
    tenantId: { sql: 'p."tenantId"', type: 'text', notNull: true },
    name: { sql: 'v.name', type: 'text', notNull: true },
    value: { sql: 'v.value::text', type: 'text', notNull: true },
  },
};

export class PgVariableRepository implements VariableRepository {
  constructor(private readonly db: Db) {}

  search(query: SearchQuery<VariableSearchField>): Promise<VariableSearchRecord[]> {
    return searchRows(this.db, VARIABLE_SEARCH, query);
  }

  count(filter: SearchFilter<VariableSearchField>, cap: number): Promise<number> {
    return countRows(this.db, VARIABLE_SEARCH, filter, cap);
  }

  async assignKeys(variables: readonly { readonly instanceId: Key; readonly name: string }[]): Promise<Map<string, Key>> {
    if (variables.length === 0) return new Map();
    const instanceIds = variables.map((v) => v.instanceId);
    const names = variables.map((v) => v.name);
    await this.db.$executeRawUnsafe(
      `INSERT INTO "VariableKey" ("instanceId", name)
       SELECT n.i::bigint, n.name FROM unnest($1::text[], $2::text[]) AS n(i, name) ORDER BY 1, 2
       ON CONFLICT ("instanceId", name) DO NOTHING`,
      instanceIds,
      names,
    );
    const rows = await this.db.$queryRawUnsafe<{ instanceId: string; name: string; id: string }[]>(
      `SELECT k."instanceId"::text AS "instanceId", k.name, k.id::text AS id
         FROM "VariableKey" k JOIN unnest($1::text[], $2::text[]) AS n(i, name) ON k."instanceId" = n.i::bigint AND k.name = n.name`,
      instanceIds,
      names,
    );
    return new Map(rows.map((r) => [`${r.instanceId}:${r.name}`, r.id]));
  }
}

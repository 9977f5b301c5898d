import type { Key, SearchFilter, SearchQuery, VariableRepository, VariableSearchField, VariableSearchRecord } from '@baton/runtime';
import { countRows, searchRows, type SearchTable } from './search.sql';
import type { Db } from './sql';

/**
 * Variables, one row per member of an instance's `variables` (the process
 * scope, keyed by the instance) and of the `variables` of each live element
 * instance in its state (local variables: subprocesses, tasks, multi-instance
 * iterations, keyed by the element instance), with the key handed out for it
 * (if any) from "VariableKey". A filter on the instance reads one row;
 * without one the search reads every instance.
 */
const SCOPED = `(
    SELECT p.id AS scope, v.name, v.value FROM jsonb_each(p.variables) v(name, value)
    UNION ALL
    SELECT e.key::bigint AS scope, v.name, v.value
      FROM jsonb_each(CASE WHEN jsonb_typeof(p.state->'elements') = 'object' THEN p.state->'elements' ELSE '{}'::jsonb END) e(key, el)
      CROSS JOIN LATERAL jsonb_each(CASE WHEN jsonb_typeof(e.el->'variables') = 'object' THEN e.el->'variables' ELSE '{}'::jsonb END) v(name, value)
     WHERE e.key IS DISTINCT FROM p.state->>'rootId' AND e.key ~ '^[0-9]{1,18}$'
  ) s`;

const VARIABLE_SEARCH: SearchTable<VariableSearchField> = {
  from: `"ProcessInstance" p CROSS JOIN LATERAL ${SCOPED}
    LEFT JOIN "VariableKey" k ON k."instanceId" = p.id AND k."scopeId" = s.scope AND k.name = s.name`,
  select: `p.id::text || ':' || s.scope::text || ':' || s.name AS id, k.id::text AS key, p.id::text AS "instanceId",
    s.scope::text AS "scopeId", p."tenantId", s.name, s.value::text AS value`,
  tenantColumn: 'p."tenantId"',
  columns: {
    id: { sql: `(p.id::text || ':' || s.scope::text || ':' || s.name)`, type: 'text', notNull: true },
    key: { sql: 'k.id', type: 'key' },
    instanceId: { sql: 'p.id', type: 'key', notNull: true },
    scopeId: { sql: 's.scope', type: 'key', notNull: true },
    tenantId: { sql: 'p."tenantId"', type: 'text', notNull: true },
    name: { sql: 's.name', type: 'text', notNull: true },
    value: { sql: 's.value::text', type: 'text', notNull: true },
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

  async assignKeys(
    variables: readonly { readonly instanceId: Key; readonly scopeId: Key; readonly name: string }[],
  ): Promise<Map<string, Key>> {
    if (variables.length === 0) return new Map();
    const instanceIds = variables.map((v) => v.instanceId);
    const scopeIds = variables.map((v) => v.scopeId);
    const names = variables.map((v) => v.name);
    await this.db.$executeRawUnsafe(
      `INSERT INTO "VariableKey" ("instanceId", "scopeId", name)
       SELECT n.i::bigint, n.s::bigint, n.name FROM unnest($1::text[], $2::text[], $3::text[]) AS n(i, s, name) ORDER BY 1, 2, 3
       ON CONFLICT ("instanceId", "scopeId", name) DO NOTHING`,
      instanceIds,
      scopeIds,
      names,
    );
    const rows = await this.db.$queryRawUnsafe<{ instanceId: string; scopeId: string; name: string; id: string }[]>(
      `SELECT k."instanceId"::text AS "instanceId", k."scopeId"::text AS "scopeId", k.name, k.id::text AS id
         FROM "VariableKey" k JOIN unnest($1::text[], $2::text[], $3::text[]) AS n(i, s, name)
           ON k."instanceId" = n.i::bigint AND k."scopeId" = n.s::bigint AND k.name = n.name`,
      instanceIds,
      scopeIds,
      names,
    );
    return new Map(rows.map((r) => [`${r.instanceId}:${r.scopeId}:${r.name}`, r.id]));
  }
}

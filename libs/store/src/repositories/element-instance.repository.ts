import type {
  ElementInstanceRepository,
  ElementInstanceSearchField,
  ElementInstanceSearchRecord,
  SearchCondition,
  SearchFilter,
  SearchQuery,
} from '@baton/runtime';
import { HISTORY_EVENTS } from './history.sql';
import { countRows, searchRows, type SearchTable } from './search.sql';
import type { Db } from './sql';

/**
 * Element instances derived from the history, with no table of their own:
 * the events of one element instance key in one instance, grouped. Its
 * ELEMENT_ACTIVATED event (the engine writes it once per element instance)
 * starts it and gives its element and type, the last ELEMENT_COMPLETED or
 * ELEMENT_TERMINATED event ends it, and the last ELEMENT_MIGRATED gives its
 * element id after a migration. The process itself is keyed by its process
 * instance key, as in Camunda.
 *
 * `steps` narrows the history rows read (an SQL condition on `h`, see
 * {@link stepsOf}): the filters on keys reach an index that way, the
 * instance's (instance, id) index or the element instance keys' GIN index.
 */
const elementInstances = (steps: string): string => `(
  SELECT CASE WHEN g."elementType" = 'process' THEN g."instanceId" ELSE g."elementInstanceId" END AS id,
         g."instanceId", p."tenantId", p."definitionId", p."bpmnProcessId",
         coalesce(g."migratedTo", g."elementId") AS "elementId", g."elementType", g."startedAt", g."endedAt",
         CASE g."endType" WHEN 'ELEMENT_COMPLETED' THEN 'COMPLETED' WHEN 'ELEMENT_TERMINATED' THEN 'TERMINATED' ELSE 'ACTIVE' END AS state,
         (SELECT min(i.id) FROM "Incident" i
           WHERE i."instanceId" = g."instanceId" AND i."elementInstanceId" = g."elementInstanceId" AND i."resolvedAt" IS NULL) AS "incidentId"
    FROM (
      SELECT h."instanceId", e."elementInstanceId",
             (array_agg(e."elementId" ORDER BY e.pos) FILTER (WHERE e.type = 'ELEMENT_ACTIVATED'))[1] AS "elementId",
             (array_agg(e."elementType" ORDER BY e.pos) FILTER (WHERE e.type = 'ELEMENT_ACTIVATED'))[1] AS "elementType",
             (array_agg(e.at ORDER BY e.pos) FILTER (WHERE e.type = 'ELEMENT_ACTIVATED'))[1] AS "startedAt",
             -- A process instance migration moved it: the element id it has now.
             (array_agg(e."elementId" ORDER BY e.pos DESC) FILTER (WHERE e.type = 'ELEMENT_MIGRATED'))[1] AS "migratedTo",
             (array_agg(e.type ORDER BY e.pos DESC) FILTER (WHERE e.type IN ('ELEMENT_COMPLETED', 'ELEMENT_TERMINATED')))[1] AS "endType",
             (array_agg(e.at ORDER BY e.pos DESC) FILTER (WHERE e.type IN ('ELEMENT_COMPLETED', 'ELEMENT_TERMINATED')))[1] AS "endedAt"
        FROM "HistoryStep" h ${HISTORY_EVENTS('h')}
       WHERE e."elementInstanceId" IS NOT NULL${steps === '' ? '' : ` AND ${steps}`}
       GROUP BY h."instanceId", e."elementInstanceId"
      HAVING bool_or(e.type = 'ELEMENT_ACTIVATED')
    ) g
    JOIN "ProcessInstance" p ON p.id = g."instanceId"
) ei`;

const MAX_KEY = 9223372036854775807n;

/** The keys a condition admits (eq, in), when all are keys; null otherwise. */
function keysOf(cond: SearchCondition<ElementInstanceSearchField>): string[] | null {
  const values = cond.op === 'eq' ? [cond.value] : cond.op === 'in' && Array.isArray(cond.value) ? (cond.value as readonly unknown[]) : null;
  if (values === null || values.length === 0) return null;
  const keys: string[] = [];
  for (const v of values) {
    const text = typeof v === 'number' && Number.isSafeInteger(v) ? String(v) : v;
    if (typeof text !== 'string' || !/^[0-9]{1,19}$/.test(text) || BigInt(text) > MAX_KEY) return null;
    keys.push(BigInt(text).toString());
  }
  return keys;
}

/**
 * The history rows the filter's key conditions leave (all of them combined):
 * an SQL condition on `h` with the keys as literals (checked digits only), or
 * ''. Only a narrowing: the search's own conditions still decide.
 */
export function stepsOf(filter: SearchFilter<ElementInstanceSearchField>): string {
  const parts: string[] = [];
  for (const cond of filter.conditions) {
    const keys = keysOf(cond);
    if (keys === null) continue;
    const list = `ARRAY[${keys.join(', ')}]::bigint[]`;
    switch (cond.field) {
      case 'id':
        // An element instance's instance, through the GIN index, or the process's own key.
        parts.push(
          `h."instanceId" IN (SELECT s."instanceId" FROM "HistoryStep" s WHERE s."elementInstanceIds" && ${list} UNION ALL SELECT unnest(${list}))`,
        );
        break;
      case 'instanceId':
        parts.push(`h."instanceId" = ANY(${list})`);
        break;
      case 'definitionId':
        parts.push(`h."instanceId" IN (SELECT d.id FROM "ProcessInstance" d WHERE d."definitionId" = ANY(${list}))`);
        break;
      case 'incidentId':
        parts.push(`h."instanceId" IN (SELECT i."instanceId" FROM "Incident" i WHERE i.id = ANY(${list}))`);
        break;
    }
  }
  return parts.join(' AND ');
}

const tableFor = (filter: SearchFilter<ElementInstanceSearchField>): SearchTable<ElementInstanceSearchField> => ({
  ...ELEMENT_INSTANCE_SEARCH,
  from: elementInstances(stepsOf(filter)),
});

const ELEMENT_INSTANCE_SEARCH: SearchTable<ElementInstanceSearchField> = {
  from: elementInstances(''),
  select: `ei.id::text AS id, ei."tenantId", ei."instanceId"::text AS "instanceId", ei."definitionId"::text AS "definitionId",
    ei."bpmnProcessId", ei."elementId", ei."elementType", ei.state, ei."startedAt", ei."endedAt",
    (ei."incidentId" IS NOT NULL) AS "hasIncident", ei."incidentId"::text AS "incidentId"`,
  tenantColumn: 'ei."tenantId"',
  columns: {
    id: { sql: 'ei.id', type: 'key', notNull: true },
    tenantId: { sql: 'ei."tenantId"', type: 'text', notNull: true },
    instanceId: { sql: 'ei."instanceId"', type: 'key', notNull: true },
    definitionId: { sql: 'ei."definitionId"', type: 'key', notNull: true },
    bpmnProcessId: { sql: 'ei."bpmnProcessId"', type: 'text', notNull: true },
    elementId: { sql: 'ei."elementId"', type: 'text', notNull: true },
    elementType: { sql: 'ei."elementType"', type: 'text', notNull: true },
    state: { sql: 'ei.state', type: 'text', notNull: true },
    startedAt: { sql: 'ei."startedAt"', type: 'date', notNull: true },
    endedAt: { sql: 'ei."endedAt"', type: 'date' },
    hasIncident: { sql: '(ei."incidentId" IS NOT NULL)', type: 'bool', notNull: true },
    incidentId: { sql: 'ei."incidentId"', type: 'key' },
  },
};

export class PgElementInstanceRepository implements ElementInstanceRepository {
  constructor(private readonly db: Db) {}

  search(query: SearchQuery<ElementInstanceSearchField>): Promise<ElementInstanceSearchRecord[]> {
    return searchRows(this.db, tableFor(query), query);
  }

  count(filter: SearchFilter<ElementInstanceSearchField>, cap: number): Promise<number> {
    return countRows(this.db, tableFor(filter), filter, cap);
  }
}

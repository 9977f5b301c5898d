import type { ElementInstanceRepository, ElementInstanceSearchField, ElementInstanceSearchRecord, SearchFilter, SearchQuery } from '@baton/runtime';
import { countRows, searchRows, type SearchTable } from './search.sql';
import type { Db } from './sql';

/**
 * Element instances derived from the history, with no table of their own:
 * each ELEMENT_ACTIVATED event starts one (the engine writes it once per
 * element instance), the last ELEMENT_COMPLETED or ELEMENT_TERMINATED event
 * of the same element instance ends it (and the last ELEMENT_MIGRATED gives
 * its element id after a migration). The process itself is keyed by its
 * process instance key, as in Camunda.
 *
 * Two branches (the process, its elements) so that a filter on the key
 * reaches an index in each: the history's (instance, id) index for the
 * process, its element instance index for the rest. The end is found among
 * the instance's own events.
 */
const branch = (id: string, which: string): string => `
  SELECT ${id} AS id, a."instanceId", p."tenantId", p."definitionId", p."bpmnProcessId",
         coalesce(mg."elementId", a."elementId") AS "elementId", a."elementType", a.at AS "startedAt", e.at AS "endedAt",
         CASE e.type WHEN 'ELEMENT_COMPLETED' THEN 'COMPLETED' WHEN 'ELEMENT_TERMINATED' THEN 'TERMINATED' ELSE 'ACTIVE' END AS state,
         (SELECT min(i.id) FROM "Incident" i
           WHERE i."instanceId" = a."instanceId" AND i."elementInstanceId" = a."elementInstanceId" AND i."resolvedAt" IS NULL) AS "incidentId"
    FROM "HistoryEvent" a
    JOIN "ProcessInstance" p ON p.id = a."instanceId"
    LEFT JOIN LATERAL (
      SELECT x.type::text AS type, x.at FROM "HistoryEvent" x
       WHERE x."instanceId" = a."instanceId" AND x."elementInstanceId" = a."elementInstanceId"
         AND x.type IN ('ELEMENT_COMPLETED', 'ELEMENT_TERMINATED')
       ORDER BY x.id DESC LIMIT 1) e ON TRUE
    -- A process instance migration moved it: the element id it has now.
    LEFT JOIN LATERAL (
      SELECT m."elementId" FROM "HistoryEvent" m
       WHERE m."instanceId" = a."instanceId" AND m."elementInstanceId" = a."elementInstanceId" AND m.type = 'ELEMENT_MIGRATED'
       ORDER BY m.id DESC LIMIT 1) mg ON TRUE
   WHERE a.type = 'ELEMENT_ACTIVATED' AND a."elementInstanceId" IS NOT NULL AND ${which}`;

const ELEMENT_INSTANCES = `(${branch('a."instanceId"', `a."elementType" = 'process'`)}
  UNION ALL ${branch('a."elementInstanceId"', `a."elementType" <> 'process'`)}
) ei`;

const ELEMENT_INSTANCE_SEARCH: SearchTable<ElementInstanceSearchField> = {
  from: ELEMENT_INSTANCES,
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
    return searchRows(this.db, ELEMENT_INSTANCE_SEARCH, query);
  }

  count(filter: SearchFilter<ElementInstanceSearchField>, cap: number): Promise<number> {
    return countRows(this.db, ELEMENT_INSTANCE_SEARCH, filter, cap);
  }
}

import type {
  ElementStatisticsRecord,
  IncidentGroupRecord,
  InspectionRepository,
  Key,
  MessageSubscriptionInspectionQuery,
  MessageSubscriptionInspectionRecord,
  SignalSubscriptionInspectionRecord,
  TenantScope,
  TimerInspectionQuery,
  TimerInspectionRecord,
} from '@baton/runtime';
import type { PrismaClient } from '../generated/prisma/client';
import { classify } from './pg-runtime-store';
import { tenantParam, type Db } from './sql';
import { HISTORY_EVENTS } from './history.sql';

/**
 * The inspection API's reads (waiting work, element statistics, incident
 * groups) on Postgres or PGlite. Plain SELECTs: no row is locked or changed.
 * Every filter is a bound parameter; a filter left out is a NULL the
 * planner folds away (each statement is planned with its values).
 */
export class PgInspectionRepository implements InspectionRepository {
  private readonly db: Db;

  constructor(prisma: PrismaClient | Db) {
    this.db = {
      $queryRawUnsafe: <T>(query: string, ...values: unknown[]) =>
        prisma
          .$queryRawUnsafe<T>(query, ...values)
          .catch((e: unknown) => Promise.reject(classify(e))),
      $executeRawUnsafe: (query: string, ...values: unknown[]) =>
        prisma
          .$executeRawUnsafe(query, ...values)
          .catch((e: unknown) => Promise.reject(classify(e))),
    };
  }

  timers(query: TimerInspectionQuery): Promise<TimerInspectionRecord[]> {
    // A start timer has no instance: its process comes from its definition.
    return this.db.$queryRawUnsafe<TimerInspectionRecord[]>(
      `SELECT t.id::text AS id, t."tenantId", t."instanceId"::text AS "instanceId",
              COALESCE(t."definitionId", p."definitionId")::text AS "definitionId",
              COALESCE(p."bpmnProcessId", d."bpmnProcessId") AS "bpmnProcessId",
              t."ownerInstanceId"::text AS "ownerInstanceId", t."elementId", t."dueAt", t.state::text AS state,
              t.repetitions, t.cycle, t."createdAt"
         FROM "Timer" t
         LEFT JOIN "ProcessInstance" p ON p.id = t."instanceId"
         LEFT JOIN "Definition" d ON d.id = t."definitionId"
        WHERE t.state = $1::"TimerState"
          AND ($2::text[] IS NULL OR t."tenantId" = ANY($2::text[]))
          AND ($3::bigint IS NULL OR t."instanceId" = $3::bigint)
          AND ($4::text IS NULL OR COALESCE(p."bpmnProcessId", d."bpmnProcessId") = $4::text)
          AND ($5::text IS NULL OR t."elementId" = $5::text)
          AND ($6::timestamptz IS NULL OR t."dueAt" <= $6::timestamptz)
          AND ($7::timestamptz IS NULL OR (t."dueAt", t.id) > ($7::timestamptz, $8::bigint))
        ORDER BY t."dueAt", t.id
        LIMIT $9`,
      query.state ?? 'SCHEDULED',
      tenantParam(query.tenants),
      query.instanceId ?? null,
      query.bpmnProcessId ?? null,
      query.elementId ?? null,
      query.dueBefore?.toISOString() ?? null,
      query.after?.dueAt.toISOString() ?? null,
      query.after?.id ?? null,
      query.limit,
    );
  }

  messageSubscriptions(
    query: MessageSubscriptionInspectionQuery,
  ): Promise<MessageSubscriptionInspectionRecord[]> {
    return this.db.$queryRawUnsafe<MessageSubscriptionInspectionRecord[]>(
      `SELECT m.id::text AS id, m."tenantId", m."instanceId"::text AS "instanceId", m."ownerInstanceId"::text AS "ownerInstanceId",
              m."bpmnProcessId", m."elementId", m."messageName", m."correlationKey", m.interrupting, m."createdAt"
         FROM "MessageSubscription" m
        WHERE ($1::text[] IS NULL OR m."tenantId" = ANY($1::text[]))
          AND ($2::bigint IS NULL OR m."instanceId" = $2::bigint)
          AND ($3::text IS NULL OR m."bpmnProcessId" = $3::text)
          AND ($4::text IS NULL OR m."elementId" = $4::text)
          AND ($5::text IS NULL OR m."messageName" = $5::text)
          AND ($6::text IS NULL OR m."correlationKey" = $6::text)
          AND ($7::bigint IS NULL OR m.id > $7::bigint)
        ORDER BY m.id
        LIMIT $8`,
      tenantParam(query.tenants),
      query.instanceId ?? null,
      query.bpmnProcessId ?? null,
      query.elementId ?? null,
      query.messageName ?? null,
      query.correlationKey ?? null,
      query.after ?? null,
      query.limit,
    );
  }

  signalSubscriptionsOf(instanceId: Key): Promise<SignalSubscriptionInspectionRecord[]> {
    return this.db.$queryRawUnsafe<SignalSubscriptionInspectionRecord[]>(
      `SELECT s.id::text AS id, s."instanceId"::text AS "instanceId", s."ownerInstanceId"::text AS "ownerInstanceId",
              s."elementId", s."signalName", s.interrupting, s."createdAt"
         FROM "SignalSubscription" s WHERE s."instanceId" = $1::bigint ORDER BY s.id`,
      instanceId,
    );
  }

  async elementStatistics(definitionId: Key): Promise<ElementStatisticsRecord[]> {
    // One row per element instance of the version's instances; one that was terminated counts as
    // canceled even if it had completed before (bool_or: no ordering of each one's events, which cost
    // two and a half times as much at 12,500 instances).
    const [elements, incidents] = await Promise.all([
      this.db.$queryRawUnsafe<
        {
          elementId: string;
          active: number;
          incidentActive: number;
          completed: number;
          canceled: number;
        }[]
      >(
        `WITH ei AS (
           SELECT e."elementId", e."elementInstanceId",
                  bool_or(e.type = 'ELEMENT_COMPLETED') AS completed,
                  bool_or(e.type = 'ELEMENT_TERMINATED') AS terminated
             FROM "ProcessInstance" p
             JOIN "HistoryStep" h ON h."instanceId" = p.id
             ${HISTORY_EVENTS('h')}
            WHERE p."definitionId" = $1::bigint
              AND e."elementInstanceId" IS NOT NULL AND e."elementType" <> 'process'
              AND e.type IN ('ELEMENT_ACTIVATED', 'ELEMENT_COMPLETED', 'ELEMENT_TERMINATED')
            GROUP BY e."elementId", e."elementInstanceId"
         ), open AS (
           SELECT DISTINCT i."elementInstanceId" FROM "Incident" i JOIN "ProcessInstance" p ON p.id = i."instanceId"
            WHERE p."definitionId" = $1::bigint AND i."resolvedAt" IS NULL AND i."elementInstanceId" IS NOT NULL
         )
         SELECT ei."elementId",
                count(*) FILTER (WHERE NOT ei.completed AND NOT ei.terminated AND open."elementInstanceId" IS NULL)::int AS active,
                count(*) FILTER (WHERE NOT ei.completed AND NOT ei.terminated AND open."elementInstanceId" IS NOT NULL)::int AS "incidentActive",
                count(*) FILTER (WHERE ei.completed AND NOT ei.terminated)::int AS completed,
                count(*) FILTER (WHERE ei.terminated)::int AS canceled
           FROM ei LEFT JOIN open ON open."elementInstanceId" = ei."elementInstanceId"
          GROUP BY ei."elementId"`,
        definitionId,
      ),
      // Incidents without an element instance (none are written so today, but the column allows it) count too.
      this.db.$queryRawUnsafe<{ elementId: string; n: number }[]>(
        `SELECT i."elementId", count(*)::int AS n FROM "Incident" i JOIN "ProcessInstance" p ON p.id = i."instanceId"
          WHERE p."definitionId" = $1::bigint AND i."resolvedAt" IS NULL AND i."elementInstanceId" IS NULL
          GROUP BY i."elementId"`,
        definitionId,
      ),
    ]);
    return mergeStatistics(elements, incidents);
  }

  incidentGroups(query: {
    readonly tenants?: TenantScope;
    readonly bpmnProcessId?: string;
    readonly limit: number;
  }): Promise<IncidentGroupRecord[]> {
    return this.db.$queryRawUnsafe<IncidentGroupRecord[]>(
      `SELECT type, message, count(*)::int AS count, min("createdAt") AS "firstCreatedAt", max("createdAt") AS "lastCreatedAt"
         FROM "Incident"
        WHERE "resolvedAt" IS NULL
          AND ($1::text[] IS NULL OR "tenantId" = ANY($1::text[]))
          AND ($2::text IS NULL OR "bpmnProcessId" = $2::text)
        GROUP BY type, message
        ORDER BY count(*) DESC, type, message
        LIMIT $3`,
      tenantParam(query.tenants),
      query.bpmnProcessId ?? null,
      query.limit,
    );
  }
}

/** Element rows plus incidents that name no element instance, ordered by element id. */
export function mergeStatistics(
  elements: readonly {
    elementId: string;
    active: number;
    incidentActive: number;
    completed: number;
    canceled: number;
  }[],
  looseIncidents: readonly { elementId: string; n: number }[],
): ElementStatisticsRecord[] {
  const byElement = new Map<
    string,
    { elementId: string; active: number; incidents: number; completed: number; canceled: number }
  >();
  for (const e of elements) {
    byElement.set(e.elementId, {
      elementId: e.elementId,
      active: e.active,
      incidents: e.incidentActive,
      completed: e.completed,
      canceled: e.canceled,
    });
  }
  for (const i of looseIncidents) {
    const row = byElement.get(i.elementId) ?? {
      elementId: i.elementId,
      active: 0,
      incidents: 0,
      completed: 0,
      canceled: 0,
    };
    row.incidents += i.n;
    byElement.set(i.elementId, row);
  }
  return [...byElement.values()].sort((a, b) =>
    a.elementId < b.elementId ? -1 : a.elementId > b.elementId ? 1 : 0,
  );
}

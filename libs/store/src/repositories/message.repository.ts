import type { Variables } from '@baton/engine';
import type {
  BufferedMessageRecord,
  IncidentRecord,
  IncidentRecordQuery,
  IncidentRepository,
  IncidentSearchField,
  Key,
  MessageRepository,
  SearchFilter,
  SearchQuery,
  MessageSubscriptionRecord,
  SignalRepository,
  SignalSubscriptionRecord,
} from '@baton/runtime';
import { countRows, searchRows, type SearchTable } from './search.sql';
import { tenantParam, type Db } from './sql';

const SUBSCRIPTION = `s.id::text AS id, s.key, s."tenantId", s."instanceId"::text AS "instanceId",
  s."ownerInstanceId"::text AS "ownerInstanceId", s."elementId", s."bpmnProcessId", s."messageName",
  COALESCE(s."correlationKey", '') AS "correlationKey", s.interrupting`;

export class PgMessageRepository implements MessageRepository {
  constructor(private readonly db: Db) {}

  async isBuffered(tenantId: string, messageId: string): Promise<boolean> {
    const rows = await this.db.$queryRawUnsafe<unknown[]>(
      `SELECT 1 FROM "BufferedMessage" WHERE "tenantId" = $1 AND "messageId" = $2 AND "expiresAt" > now()`,
      tenantId,
      messageId,
    );
    return rows.length > 0;
  }

  candidates(tenantId: string, name: string, correlationKey: string): Promise<MessageSubscriptionRecord[]> {
    return this.db.$queryRawUnsafe<MessageSubscriptionRecord[]>(
      `SELECT ${SUBSCRIPTION}
         FROM "MessageSubscription" s JOIN "ProcessInstance" p ON p.id = s."instanceId"
        WHERE s."tenantId" = $1 AND s."messageName" = $2 AND s."correlationKey" = $3 AND p.status = 'ACTIVE'
        ORDER BY s."instanceId", s."createdAt"`,
      tenantId,
      name,
      correlationKey,
    );
  }

  async consume(subscriptionId: Key, interrupting: boolean): Promise<boolean> {
    const rows = await this.db.$queryRawUnsafe<unknown[]>(
      interrupting
        ? `WITH target AS (SELECT "instanceId", "ownerInstanceId" FROM "MessageSubscription" WHERE id = $1::bigint)
           DELETE FROM "MessageSubscription" s USING target t
            WHERE s."instanceId" = t."instanceId" AND s."ownerInstanceId" = t."ownerInstanceId"
        RETURNING s.id`
        : `SELECT id FROM "MessageSubscription" WHERE id = $1::bigint`,
      subscriptionId,
    );
    return rows.length > 0;
  }

  async buffer(message: BufferedMessageRecord): Promise<boolean> {
    const kept = await this.db.$queryRawUnsafe<unknown[]>(
      `INSERT INTO "BufferedMessage" (id, "tenantId", "messageId", name, "correlationKey", variables, "expiresAt")
       VALUES ($1::bigint, $2, $3, $4, $5, $6::jsonb, now() + $7 * interval '1 millisecond')
       ON CONFLICT ("tenantId", "messageId") DO UPDATE SET name = EXCLUDED.name, "correlationKey" = EXCLUDED."correlationKey",
          variables = EXCLUDED.variables, "expiresAt" = EXCLUDED."expiresAt", "createdAt" = now()
       WHERE "BufferedMessage"."expiresAt" <= now()
       RETURNING id`,
      message.id,
      message.tenantId,
      message.messageId,
      message.name,
      message.correlationKey,
      JSON.stringify(message.variables),
      message.timeToLiveMs,
    );
    return kept.length > 0;
  }

  subscriptionsOf(instanceId: Key): Promise<MessageSubscriptionRecord[]> {
    return this.db.$queryRawUnsafe<MessageSubscriptionRecord[]>(
      `SELECT ${SUBSCRIPTION} FROM "MessageSubscription" s
        WHERE s."instanceId" = $1::bigint AND s."ownerInstanceId" IS NOT NULL
        ORDER BY s."createdAt", s.id`,
      instanceId,
    );
  }

  async takeBuffered(tenantId: string, name: string, correlationKey: string): Promise<Variables | null> {
    const taken = await this.db.$queryRawUnsafe<{ variables: Variables }[]>(
      `DELETE FROM "BufferedMessage" WHERE id = (
         SELECT id FROM "BufferedMessage"
          WHERE "tenantId" = $1 AND name = $2 AND "correlationKey" = $3 AND "expiresAt" > now()
          ORDER BY "createdAt", id LIMIT 1 FOR UPDATE SKIP LOCKED)
       RETURNING variables`,
      tenantId,
      name,
      correlationKey,
    );
    return taken[0]?.variables ?? null;
  }

  async countBuffered(tenantId: string, names: readonly string[]): Promise<number> {
    if (names.length === 0) return 0;
    const rows = await this.db.$queryRawUnsafe<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM "BufferedMessage" WHERE "tenantId" = $1 AND "expiresAt" > now() AND name = ANY($2::text[])`,
      tenantId,
      names,
    );
    return rows[0]?.n ?? 0;
  }

  async deleteSubscriptions(ids: readonly Key[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.$executeRawUnsafe(`DELETE FROM "MessageSubscription" WHERE id = ANY($1::bigint[])`, ids);
  }
}

export class PgSignalRepository implements SignalRepository {
  constructor(private readonly db: Db) {}

  subscribers(tenantId: string, name: string): Promise<SignalSubscriptionRecord[]> {
    return this.db.$queryRawUnsafe<SignalSubscriptionRecord[]>(
      `SELECT s."instanceId"::text AS "instanceId", s."ownerInstanceId"::text AS "ownerInstanceId", s."elementId"
         FROM "SignalSubscription" s JOIN "ProcessInstance" p ON p.id = s."instanceId"
        WHERE s."tenantId" = $1 AND s."signalName" = $2 AND p.status = 'ACTIVE'
        ORDER BY s."instanceId", s."createdAt"`,
      tenantId,
      name,
    );
  }
}

const INCIDENT = `id::text AS id, "tenantId", "instanceId"::text AS "instanceId", "definitionId"::text AS "definitionId",
  "bpmnProcessId", "elementId", "elementInstanceId"::text AS "elementInstanceId", type, message, "jobId"::text AS "jobId",
  "createdAt", "resolvedAt"`;

const INCIDENT_SEARCH: SearchTable<IncidentSearchField> = {
  from: `"Incident" i`,
  select: `i.id::text AS id, i."tenantId", i."instanceId"::text AS "instanceId", i."definitionId"::text AS "definitionId",
    i."bpmnProcessId", i."elementId", i."elementInstanceId"::text AS "elementInstanceId", i.type, i.message, i."jobId"::text AS "jobId",
    i."createdAt", i."resolvedAt"`,
  tenantColumn: 'i."tenantId"',
  columns: {
    id: { sql: 'i.id', type: 'key', notNull: true },
    tenantId: { sql: 'i."tenantId"', type: 'text', notNull: true },
    instanceId: { sql: 'i."instanceId"', type: 'key', notNull: true },
    definitionId: { sql: 'i."definitionId"', type: 'key' },
    bpmnProcessId: { sql: 'i."bpmnProcessId"', type: 'text' },
    elementId: { sql: 'i."elementId"', type: 'text', notNull: true },
    elementInstanceId: { sql: 'i."elementInstanceId"', type: 'key' },
    type: { sql: 'i.type', type: 'text', notNull: true },
    message: { sql: 'i.message', type: 'text', notNull: true },
    jobId: { sql: 'i."jobId"', type: 'key' },
    createdAt: { sql: 'i."createdAt"', type: 'date', notNull: true },
    resolved: { sql: '(i."resolvedAt" IS NOT NULL)', type: 'bool', notNull: true },
  },
};

export class PgIncidentRepository implements IncidentRepository {
  constructor(private readonly db: Db) {}

  search(query: SearchQuery<IncidentSearchField>): Promise<IncidentRecord[]> {
    return searchRows(this.db, INCIDENT_SEARCH, query);
  }

  count(filter: SearchFilter<IncidentSearchField>, cap: number): Promise<number> {
    return countRows(this.db, INCIDENT_SEARCH, filter, cap);
  }

  list(query: IncidentRecordQuery): Promise<IncidentRecord[]> {
    return this.db.$queryRawUnsafe<IncidentRecord[]>(
      `SELECT ${INCIDENT} FROM "Incident"
        WHERE ($1::text[] IS NULL OR "tenantId" = ANY($1::text[]))
          AND ($2::bigint IS NULL OR "instanceId" = $2::bigint)
          AND (CASE WHEN $3::text = 'RESOLVED' THEN "resolvedAt" IS NOT NULL ELSE "resolvedAt" IS NULL END)
          AND ($4::bigint IS NULL OR id > $4::bigint)
        ORDER BY "Incident".id
        LIMIT $5`,
      tenantParam(query.tenants),
      query.instanceId ?? null,
      query.state ?? 'OPEN',
      query.cursor ?? null,
      query.limit,
    );
  }

  async get(id: Key): Promise<IncidentRecord | null> {
    const rows = await this.db.$queryRawUnsafe<IncidentRecord[]>(`SELECT ${INCIDENT} FROM "Incident" WHERE id = $1::bigint`, id);
    return rows[0] ?? null;
  }

  openOf(instanceId: Key): Promise<IncidentRecord[]> {
    return this.db.$queryRawUnsafe<IncidentRecord[]>(
      `SELECT ${INCIDENT} FROM "Incident" WHERE "instanceId" = $1::bigint AND "resolvedAt" IS NULL ORDER BY "Incident".id`,
      instanceId,
    );
  }
}

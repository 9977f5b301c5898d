import type { HistoryRecord, HistoryRepository, InboxEvent, InboxRepository, Key, PageRequest, StoredEvent } from '@baton/runtime';
import { EVENT_COLUMNS, markPending } from './change.repository';
import { HISTORY_EVENTS, HISTORY_ROW_EVENTS } from './history.sql';
import { COMMAND_TYPES } from './instance.repository';
import { insertRows, type Db } from './sql';

export class PgInboxRepository implements InboxRepository {
  constructor(private readonly db: Db) {}

  load(instanceIds: readonly Key[]): Promise<StoredEvent[]> {
    if (instanceIds.length === 0) return Promise.resolve([]);
    return this.db.$queryRawUnsafe<StoredEvent[]>(
      `SELECT id::text AS id, "instanceId"::text AS "instanceId", event FROM "InstanceEvent"
        WHERE "instanceId" = ANY($1::bigint[]) ORDER BY "InstanceEvent".id`,
      instanceIds,
    );
  }

  async append(events: readonly InboxEvent[]): Promise<void> {
    if (events.length === 0) return;
    await insertRows(this.db, 'InstanceEvent', EVENT_COLUMNS, events);
    await markPending(this.db, events);
  }

  async pendingCommands(instanceIds: readonly Key[]): Promise<Map<Key, string[]>> {
    if (instanceIds.length === 0) return new Map();
    const rows = await this.db.$queryRawUnsafe<{ instanceId: string; types: string[] }[]>(
      `SELECT "instanceId"::text AS "instanceId", array_agg(event->>'type' ORDER BY id) AS types FROM "InstanceEvent"
        WHERE "instanceId" = ANY($1::bigint[]) AND event->>'type' = ANY(${COMMAND_TYPES})
        GROUP BY "instanceId"`,
      instanceIds,
    );
    return new Map(rows.map((r) => [r.instanceId, r.types]));
  }
}

export class PgHistoryRepository implements HistoryRepository {
  constructor(private readonly db: Db) {}

  /** After the cursor (an event's position): from the row holding it on, through the (instance, id) index. */
  page(instanceId: Key, page: PageRequest): Promise<HistoryRecord[]> {
    return this.db.$queryRawUnsafe<HistoryRecord[]>(
      `SELECT e.pos::text AS id, h."instanceId"::text AS "instanceId", e.type, e."elementId", e."elementType",
              e."elementInstanceId"::text AS "elementInstanceId", e.at
         FROM "HistoryStep" h ${HISTORY_EVENTS('h')}
        WHERE h."instanceId" = $1::bigint
          AND ($2::bigint IS NULL OR (h.id >= $2::bigint / ${HISTORY_ROW_EVENTS} AND e.pos > $2::bigint))
        ORDER BY h.id, e.pos
        LIMIT $3`,
      instanceId,
      page.cursor ?? null,
      page.limit,
    );
  }
}

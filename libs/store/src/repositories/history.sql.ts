import type { HistoryAppend } from '@baton/runtime';
import { runTogether, type Db, type Statement } from './sql';

/**
 * The history's storage: one `HistoryStep` row per instance and step, its
 * events as parallel arrays (prisma/schema.prisma). Every reader goes
 * through {@link HISTORY_EVENTS}.
 */

/** Events in one history row at most: an event's position is `row id * HISTORY_ROW_EVENTS + its index`. */
export const HISTORY_ROW_EVENTS = 1024;

/**
 * The step's history: one `HistoryStep` row per instance (per 1,024 events),
 * its events as parallel arrays in the order they came, rows in that order too.
 */
export function historyStatement(history: readonly HistoryAppend[]): Statement | null {
  if (history.length === 0) return null;
  const rows: { instanceId: string; types: string[]; elementIds: string[]; elementTypes: string[]; elementInstanceIds: (string | null)[]; at: (string | null)[] }[] = [];
  const open = new Map<string, (typeof rows)[number]>();
  // A step's events share a few clock readings: each one's JSON text is made once (Date#toJSON
  // per event was three quarters of this function's time at 100 instances per batch).
  const texts = new Map<number, string | null>();
  const text = (at: Date): string | null => {
    const ms = at.getTime();
    let t = texts.get(ms);
    if (t === undefined) {
      t = at.toJSON();
      texts.set(ms, t);
    }
    return t;
  };
  for (const h of history) {
    let row = open.get(h.instanceId);
    if (row === undefined || row.types.length === HISTORY_ROW_EVENTS) {
      row = { instanceId: h.instanceId, types: [], elementIds: [], elementTypes: [], elementInstanceIds: [], at: [] };
      open.set(h.instanceId, row);
      rows.push(row);
    }
    row.types.push(h.type);
    row.elementIds.push(h.elementId);
    row.elementTypes.push(h.elementType);
    row.elementInstanceIds.push(h.elementInstanceId);
    row.at.push(text(h.at));
  }
  // ORDER BY: the ids (evaluated after the sort) follow the rows' order, so an instance's rows keep theirs.
  return {
    sql: `INSERT INTO "HistoryStep" ("instanceId", types, "elementIds", "elementTypes", "elementInstanceIds", at)
     SELECT r."instanceId", r.types::"HistoryEventType"[], r."elementIds", r."elementTypes", r."elementInstanceIds", r.at
       FROM ROWS FROM (jsonb_to_recordset($1::jsonb)
              AS ("instanceId" bigint, types text[], "elementIds" text[], "elementTypes" text[], "elementInstanceIds" bigint[], at timestamptz[]))
            WITH ORDINALITY AS r("instanceId", types, "elementIds", "elementTypes", "elementInstanceIds", at, n)
      ORDER BY r.n`,
    params: [JSON.stringify(rows)],
  };
}

/** Writes a step's history on its own. */
export async function insertHistory(db: Db, history: readonly HistoryAppend[]): Promise<void> {
  await runTogether(db, [historyStatement(history)]);
}

/**
 * The events of the history rows `h` (joined after them): `e.type` (text),
 * `e."elementId"`, `e."elementType"`, `e."elementInstanceId"`, `e.at`, and
 * `e.pos`, the event's position in its instance's history (the rows' order,
 * then the order within a row).
 */
export const HISTORY_EVENTS = (h: string): string =>
  `CROSS JOIN LATERAL (
     SELECT u.type::text AS type, u."elementId", u."elementType", u."elementInstanceId", u.at,
            ${h}.id * ${HISTORY_ROW_EVENTS} + u.n - 1 AS pos
       FROM unnest(${h}.types, ${h}."elementIds", ${h}."elementTypes", ${h}."elementInstanceIds", ${h}.at)
            WITH ORDINALITY AS u(type, "elementId", "elementType", "elementInstanceId", at, n)) e`;

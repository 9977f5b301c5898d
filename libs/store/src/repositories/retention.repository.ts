import type { RetentionChunkResult, RetentionCursor, RetentionRepository } from '@baton/runtime';
import type { PrismaClient } from '../generated/prisma/client';
import type { Db } from './sql';

/** The tables whose rows name an instance (`column`), deleted with it. Batch items keep their (dangling) instance key. */
const INSTANCE_TABLES: readonly { table: string; column: string }[] = [
  { table: 'HistoryStep', column: 'instanceId' },
  { table: 'UserTask', column: 'instanceId' },
  { table: 'Job', column: 'instanceId' },
  { table: 'Timer', column: 'instanceId' },
  { table: 'MessageSubscription', column: 'instanceId' },
  { table: 'SignalSubscription', column: 'instanceId' },
  { table: 'Incident', column: 'instanceId' },
  { table: 'InstanceEvent', column: 'instanceId' },
  { table: 'DecisionInstance', column: 'processInstanceId' },
  { table: 'VariableKey', column: 'instanceId' },
];

const HISTORY_MARK = 'history';

/**
 * The ended instances of one chunk, oldest first from `$2/$3`: `endedAt`
 * before the cut-off `$1`, through the partial (endedAt, id) index.
 */
const chunkOf = (extra: string, lock: string) => `
  SELECT p.id::text AS id, p."endedAt" FROM "ProcessInstance" p
   WHERE p."endedAt" IS NOT NULL AND p."endedAt" < $1::timestamptz
     AND ($2::timestamptz IS NULL OR (p."endedAt", p.id) > ($2::timestamptz, $3::bigint))
     ${extra}
   ORDER BY p."endedAt", p.id
   LIMIT $4 ${lock}`;

interface ChunkRow {
  id: string;
  endedAt: Date;
}

/**
 * Retention's deletes (README "Operate"): each chunk one short transaction on
 * its own connection, by instance keys through each table's instance index.
 */
export class PgRetentionRepository implements RetentionRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async deleteInstances(cutoff: Date, after: RetentionCursor | null, limit: number): Promise<RetentionChunkResult> {
    return this.prisma.$transaction(async (db) => {
      // An instance a step holds (a late work item) is skipped this time; one whose parent
      // still runs waits for the parent.
      const rows = await db.$queryRawUnsafe<ChunkRow[]>(
        chunkOf(
          `AND NOT EXISTS (SELECT 1 FROM "ProcessInstance" r WHERE r.id = p."parentInstanceId" AND r."endedAt" IS NULL)`,
          'FOR UPDATE SKIP LOCKED',
        ),
        cutoff,
        after?.endedAt ?? null,
        after?.id ?? null,
        limit,
      );
      const deleted = await deleteInstanceRows(db, rows.map((r) => r.id));
      return { instances: rows.length, deleted, last: lastOf(rows) };
    });
  }

  async deleteHistory(cutoff: Date, after: RetentionCursor | null, limit: number): Promise<RetentionChunkResult> {
    return this.prisma.$transaction(async (db) => {
      const from = after ?? (await this.mark(db));
      const rows = await db.$queryRawUnsafe<ChunkRow[]>(chunkOf('', ''), cutoff, from?.endedAt ?? null, from?.id ?? null, limit);
      const ids = rows.map((r) => r.id);
      const deleted: Record<string, number> = {};
      if (ids.length > 0) {
        const n = await db.$executeRawUnsafe(`DELETE FROM "HistoryStep" WHERE "instanceId" = ANY($1::bigint[])`, ids);
        if (n > 0) deleted.HistoryStep = n;
      }
      const last = lastOf(rows);
      if (last !== null) {
        // An instance ends at commit time, long after any cut-off: none ends before the mark later. The next pass starts here.
        await db.$executeRawUnsafe(
          `INSERT INTO "RetentionMark" (name, "upTo", "lastId") VALUES ($1, $2::timestamptz, $3::bigint)
           ON CONFLICT (name) DO UPDATE SET "upTo" = EXCLUDED."upTo", "lastId" = EXCLUDED."lastId"
            WHERE ("RetentionMark"."upTo", "RetentionMark"."lastId") < (EXCLUDED."upTo", EXCLUDED."lastId")`,
          HISTORY_MARK,
          last.endedAt,
          last.id,
        );
      }
      return { instances: rows.length, deleted, last };
    });
  }

  /** Where the last history pass got to: the instances up to it (in endedAt, id order) are done. */
  private async mark(db: Db): Promise<RetentionCursor | null> {
    const [row] = await db.$queryRawUnsafe<{ upTo: Date; lastId: string }[]>(
      `SELECT "upTo", "lastId"::text AS "lastId" FROM "RetentionMark" WHERE name = $1`,
      HISTORY_MARK,
    );
    return row === undefined ? null : { endedAt: row.upTo, id: row.lastId };
  }
}

/**
 * Deletes these instances with every row that names them, in the caller's
 * transaction (the caller has locked them and checked they ended): retention's
 * delete, also run by DELETE_PROCESS_INSTANCE batches. Rows deleted, by table.
 */
export async function deleteInstanceRows(db: Db, ids: readonly string[]): Promise<Record<string, number>> {
  const deleted: Record<string, number> = {};
  if (ids.length === 0) return deleted;
  for (const { table, column } of INSTANCE_TABLES) {
    const n = await db.$executeRawUnsafe(`DELETE FROM "${table}" WHERE "${column}" = ANY($1::bigint[])`, [...ids]);
    if (n > 0) deleted[table] = n;
  }
  deleted.ProcessInstance = await db.$executeRawUnsafe(`DELETE FROM "ProcessInstance" WHERE id = ANY($1::bigint[])`, [...ids]);
  return deleted;
}

function lastOf(rows: readonly ChunkRow[]): RetentionCursor | null {
  const last = rows.at(-1);
  return last === undefined ? null : { endedAt: last.endedAt, id: last.id };
}

import type {
  ExportDeadLetter,
  ExportLag,
  ExportOutboxRepository,
  ExportRecord,
  ExportRepository,
  ExportSinkName,
  ExportSinkState,
  Key,
  NewExportRecord,
} from '@baton/runtime';
import { col, insertRows, type Db } from './sql';

const RECORD_COLUMNS = [
  col('instanceId', 'bigint'),
  col('bpmnProcessId', 'text'),
  col('type', 'text'),
  col('payload', 'jsonb'),
  col('pending', 'text[]'),
];

/** The outbox as a step writes it, in the step's transaction (docs/export.md). */
export class PgExportOutboxRepository implements ExportOutboxRepository {
  constructor(private readonly db: Db) {}

  async append(records: readonly NewExportRecord[], sinks: readonly ExportSinkName[]): Promise<void> {
    // jsonb_to_recordset keeps the array's order, so ids follow the step's order.
    await insertRows(
      this.db,
      'ExportRecord',
      RECORD_COLUMNS,
      records.map((r) => ({ instanceId: r.instanceId, bpmnProcessId: r.bpmnProcessId, type: r.type, payload: r.payload, pending: sinks })),
    );
  }

  async variablesOf(instanceIds: readonly Key[]): Promise<Map<Key, Record<string, unknown>>> {
    if (instanceIds.length === 0) return new Map();
    const rows = await this.db.$queryRawUnsafe<{ id: string; variables: Record<string, unknown> }[]>(
      `SELECT id::text AS id, variables FROM "ProcessInstance" WHERE id = ANY($1::bigint[])`,
      instanceIds,
    );
    return new Map(rows.map((r) => [r.id, r.variables]));
  }

  async inboxEvents(ids: readonly string[]): Promise<{ instanceId: Key; event: Record<string, unknown> }[]> {
    if (ids.length === 0) return [];
    return this.db.$queryRawUnsafe(
      `SELECT "instanceId"::text AS "instanceId", event FROM "InstanceEvent" WHERE id = ANY($1::bigint[]) ORDER BY id`,
      ids,
    );
  }
}

interface RecordRow {
  id: string;
  instanceId: string;
  bpmnProcessId: string;
  type: string;
  payload: Record<string, unknown>;
  createdAt: Date;
}

const toRecord = (r: RecordRow): ExportRecord => ({
  id: r.id,
  instanceId: r.instanceId,
  bpmnProcessId: r.bpmnProcessId,
  type: r.type as ExportRecord['type'],
  payload: r.payload,
  createdAt: r.createdAt,
});

/** The dispatcher's statements: each its own short transaction. */
export class PgExportRepository implements ExportRepository {
  constructor(private readonly db: Db) {}

  async lease(sink: ExportSinkName, owner: string, ms: number): Promise<boolean> {
    const rows = await this.db.$queryRawUnsafe<unknown[]>(
      `INSERT INTO "ExportSink" (name, "leaseOwner", "leaseUntil") VALUES ($1, $2, now() + $3 * interval '1 millisecond')
       ON CONFLICT (name) DO UPDATE SET "leaseOwner" = EXCLUDED."leaseOwner", "leaseUntil" = EXCLUDED."leaseUntil"
        WHERE "ExportSink"."leaseOwner" IS NULL OR "ExportSink"."leaseOwner" = $2 OR "ExportSink"."leaseUntil" < now()
       RETURNING name`,
      sink,
      owner,
      ms,
    );
    return rows.length > 0;
  }

  async release(sink: ExportSinkName, owner: string): Promise<void> {
    await this.db.$executeRawUnsafe(
      `UPDATE "ExportSink" SET "leaseOwner" = NULL, "leaseUntil" = NULL WHERE name = $1 AND "leaseOwner" = $2`,
      sink,
      owner,
    );
  }

  async pending(sink: ExportSinkName, limit: number): Promise<ExportRecord[]> {
    const rows = await this.db.$queryRawUnsafe<RecordRow[]>(
      `SELECT id::text AS id, "instanceId"::text AS "instanceId", "bpmnProcessId", type, payload, "createdAt"
         FROM "ExportRecord" r WHERE $1 = ANY(r.pending) ORDER BY r.id LIMIT $2`,
      sink,
      limit,
    );
    return rows.map(toRecord);
  }

  async delivered(sink: ExportSinkName, ids: readonly Key[]): Promise<void> {
    if (ids.length === 0) return;
    // Two disjoint sets of rows (a statement's CTEs must not modify one row twice).
    await this.db.$executeRawUnsafe(
      `WITH gone AS (DELETE FROM "ExportRecord" WHERE id = ANY($2::bigint[]) AND pending <@ ARRAY[$1]::text[] RETURNING id)
       UPDATE "ExportRecord" SET pending = array_remove(pending, $1) WHERE id = ANY($2::bigint[]) AND NOT pending <@ ARRAY[$1]::text[]`,
      sink,
      ids,
    );
  }

  async state(sink: ExportSinkName): Promise<ExportSinkState> {
    const [row] = await this.db.$queryRawUnsafe<ExportSinkState[]>(
      `SELECT attempts, "nextAttemptAt", "lastError" FROM "ExportSink" WHERE name = $1`,
      sink,
    );
    return row ?? { attempts: 0, nextAttemptAt: null, lastError: null };
  }

  async setState(sink: ExportSinkName, state: ExportSinkState): Promise<void> {
    await this.db.$executeRawUnsafe(
      `INSERT INTO "ExportSink" (name, attempts, "nextAttemptAt", "lastError") VALUES ($1, $2, $3::timestamptz, $4)
       ON CONFLICT (name) DO UPDATE SET attempts = $2, "nextAttemptAt" = $3::timestamptz, "lastError" = $4`,
      sink,
      state.attempts,
      state.nextAttemptAt,
      state.lastError,
    );
  }

  async deadLetter(sink: ExportSinkName, record: ExportRecord, attempts: number, error: string): Promise<void> {
    await this.db.$executeRawUnsafe(
      `WITH moved AS (
         INSERT INTO "ExportDeadLetter" (sink, "recordId", "instanceId", "bpmnProcessId", type, payload, "recordedAt", attempts, error)
         SELECT $1, id, "instanceId", "bpmnProcessId", type, payload, "createdAt", $3, $4 FROM "ExportRecord" WHERE id = $2::bigint
         RETURNING "recordId"
       ), gone AS (
         DELETE FROM "ExportRecord" WHERE id = $2::bigint AND pending <@ ARRAY[$1]::text[] RETURNING id
       ), kept AS (
         UPDATE "ExportRecord" SET pending = array_remove(pending, $1) WHERE id = $2::bigint AND NOT pending <@ ARRAY[$1]::text[] RETURNING id
       )
       INSERT INTO "ExportSink" (name, attempts) VALUES ($1, 0)
       ON CONFLICT (name) DO UPDATE SET attempts = 0, "nextAttemptAt" = NULL, "lastError" = NULL`,
      sink,
      record.id,
      attempts,
      error,
    );
  }

  async lag(sink: ExportSinkName, now: Date): Promise<ExportLag> {
    const [row] = await this.db.$queryRawUnsafe<{ records: number; oldest: Date | null }[]>(
      `SELECT count(*)::int AS records, min("createdAt") AS oldest FROM "ExportRecord" WHERE $1 = ANY(pending)`,
      sink,
    );
    const oldest = row?.oldest ?? null;
    return { records: row?.records ?? 0, oldestAgeSeconds: oldest === null ? 0 : Math.max(0, (now.getTime() - oldest.getTime()) / 1000) };
  }

  async deadLetters(limit: number, after: Key | null): Promise<ExportDeadLetter[]> {
    const rows = await this.db.$queryRawUnsafe<
      (Omit<RecordRow, 'id' | 'createdAt'> & { id: string; recordId: string; sink: ExportSinkName; recordedAt: Date; failedAt: Date; attempts: number; error: string })[]
    >(
      `SELECT id::text AS id, sink, "recordId"::text AS "recordId", "instanceId"::text AS "instanceId", "bpmnProcessId", type, payload,
              "recordedAt", "failedAt", attempts, error
         FROM "ExportDeadLetter" d WHERE ($2::bigint IS NULL OR d.id > $2::bigint) ORDER BY d.id LIMIT $1`,
      limit,
      after,
    );
    return rows.map((r) => ({
      id: r.id,
      sink: r.sink,
      record: toRecord({ id: r.recordId, instanceId: r.instanceId, bpmnProcessId: r.bpmnProcessId, type: r.type, payload: r.payload, createdAt: r.recordedAt }),
      failedAt: r.failedAt,
      attempts: r.attempts,
      error: r.error,
    }));
  }

  async retryDeadLetter(id: Key): Promise<boolean> {
    // Back under its own id (the receiver's idempotency key); a record still pending for another sink gains this one again.
    const rows = await this.db.$queryRawUnsafe<unknown[]>(
      `WITH gone AS (DELETE FROM "ExportDeadLetter" WHERE id = $1::bigint RETURNING *)
       INSERT INTO "ExportRecord" (id, "instanceId", "bpmnProcessId", type, payload, pending, "createdAt")
       SELECT "recordId", "instanceId", "bpmnProcessId", type, payload, ARRAY[sink], "recordedAt" FROM gone
       ON CONFLICT (id) DO UPDATE SET pending = array_append(array_remove("ExportRecord".pending, EXCLUDED.pending[1]), EXCLUDED.pending[1])
       RETURNING id`,
      id,
    );
    return rows.length > 0;
  }
}

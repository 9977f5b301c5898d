import type { Variables } from '@baton/engine';
import type {
  BatchChunk,
  BatchItemQuery,
  BatchItemRecord,
  BatchItemState,
  BatchQuery,
  BatchRecord,
  BatchRepository,
  BatchState,
  BatchType,
  Key,
  MigrationPlan,
  NewBatch,
} from '@baton/runtime';
import { deleteInstanceRows } from './retention.repository';
import { col, insertRows, tenantParam, type Db } from './sql';

interface BatchRow {
  key: bigint;
  type: string;
  state: string;
  filter: unknown;
  retries: number | null;
  migrationPlan: MigrationPlan | null;
  variables: Variables | null;
  tenantIds: string[] | null;
  createdAt: Date;
  endedAt: Date | null;
  total: number;
  pending: number;
  completed: number;
  failed: number;
  skipped: number;
}

interface ItemRow {
  batchKey: bigint;
  type: string;
  itemKey: bigint;
  instanceId: bigint;
  chunk: number;
  state: string;
  error: string | null;
  processedAt: Date | null;
}

/** A caller confined to the tenants in `param` (null: not confined) sees a batch all of whose tenants are among them. */
const VISIBLE = (param: string) => `(${param}::text[] IS NULL OR (b."tenantIds" IS NOT NULL AND b."tenantIds" <@ ${param}::text[]))`;

const ITEM_COLUMNS = [
  col('batchKey', 'bigint'),
  col('itemKey', 'bigint'),
  col('instanceId', 'bigint'),
  col('chunk', 'int'),
  col('state', 'text'),
];

/** A batch with its item counts (one grouped scan of its items, on the (batchKey, state) index). */
const BATCH_SELECT = `
  SELECT b.key, b.type, b.state, b.filter, b.retries, b."migrationPlan", b.variables, b."tenantIds", b."createdAt", b."endedAt", b."itemCount" AS total,
         coalesce(c.pending, 0)::int AS pending, coalesce(c.completed, 0)::int AS completed,
         coalesce(c.failed, 0)::int AS failed, coalesce(c.skipped, 0)::int AS skipped
    FROM "BatchOperation" b
    LEFT JOIN LATERAL (
      SELECT count(*) FILTER (WHERE i.state = 'PENDING') AS pending,
             count(*) FILTER (WHERE i.state = 'COMPLETED') AS completed,
             count(*) FILTER (WHERE i.state = 'FAILED') AS failed,
             count(*) FILTER (WHERE i.state = 'SKIPPED') AS skipped
        FROM "BatchOperationItem" i WHERE i."batchKey" = b.key) c ON true`;

export class PgBatchRepository implements BatchRepository {
  constructor(private readonly db: Db) {}

  async insert(batch: NewBatch): Promise<void> {
    const state: BatchState = batch.items.length === 0 ? 'COMPLETED' : 'ACTIVE';
    await this.db.$executeRawUnsafe(
      `INSERT INTO "BatchOperation" (key, type, state, filter, retries, "itemCount", "endedAt", "tenantIds", "migrationPlan", variables)
       VALUES ($1::bigint, $2, $3, $4::jsonb, $5::int, $6::int, CASE WHEN $3 = 'COMPLETED' THEN now() END, $7::text[], $8::jsonb, $9::jsonb)`,
      batch.key,
      batch.type,
      state,
      JSON.stringify(batch.filter ?? {}),
      batch.retries,
      batch.items.length,
      batch.tenantIds === null ? null : [...batch.tenantIds],
      batch.migrationPlan == null ? null : JSON.stringify(batch.migrationPlan),
      batch.variables == null ? null : JSON.stringify(batch.variables),
    );
    // Bounded statements: one JSON parameter each, whatever the batch size.
    for (let i = 0; i < batch.items.length; i += 5_000) {
      const rows = batch.items
        .slice(i, i + 5_000)
        .map((item) => ({ batchKey: batch.key, ...item, state: 'PENDING' }));
      await insertRows(this.db, 'BatchOperationItem', ITEM_COLUMNS, rows);
    }
  }

  async get(key: Key): Promise<BatchRecord | null> {
    const rows = await this.db.$queryRawUnsafe<BatchRow[]>(
      `${BATCH_SELECT} WHERE b.key = $1::bigint`,
      key,
    );
    return rows.length === 0 ? null : batchRecord(rows[0]);
  }

  async list(query: BatchQuery): Promise<BatchRecord[]> {
    const rows = await this.db.$queryRawUnsafe<BatchRow[]>(
      `${BATCH_SELECT}
        WHERE ($1::bigint IS NULL OR b.key < $1::bigint)
          AND ($2::text[] IS NULL OR b.type = ANY($2::text[]))
          AND ($3::text[] IS NULL OR b.state = ANY($3::text[]))
          AND ($4::bigint[] IS NULL OR b.key = ANY($4::bigint[]))
          AND ${VISIBLE('$6')}
        ORDER BY b.key DESC LIMIT $5::int`,
      query.before ?? null,
      query.types === undefined ? null : [...query.types],
      query.states === undefined ? null : [...query.states],
      query.keys === undefined ? null : [...query.keys],
      query.limit,
      tenantParam(query.tenants),
    );
    return rows.map(batchRecord);
  }

  async items(query: BatchItemQuery): Promise<BatchItemRecord[]> {
    const rows = await this.db.$queryRawUnsafe<ItemRow[]>(
      `SELECT i."batchKey", b.type, i."itemKey", i."instanceId", i.chunk, i.state, i.error, i."processedAt"
         FROM "BatchOperationItem" i JOIN "BatchOperation" b ON b.key = i."batchKey"
        WHERE ($1::bigint IS NULL OR (i."batchKey", i."itemKey") > ($1::bigint, $2::bigint))
          AND ($3::bigint[] IS NULL OR i."batchKey" = ANY($3::bigint[]))
          AND ($4::bigint[] IS NULL OR i."itemKey" = ANY($4::bigint[]))
          AND ($5::bigint[] IS NULL OR i."instanceId" = ANY($5::bigint[]))
          AND ($6::text[] IS NULL OR i.state = ANY($6::text[]))
          AND ${VISIBLE('$8')}
        ORDER BY i."batchKey", i."itemKey" LIMIT $7::int`,
      query.after?.batchKey ?? null,
      query.after?.itemKey ?? null,
      keys(query.batchKeys),
      keys(query.itemKeys),
      keys(query.instanceIds),
      query.states === undefined ? null : [...query.states],
      query.limit,
      tenantParam(query.tenants),
    );
    return rows.map(itemRecord);
  }

  async pendingOfChunk(chunk: BatchChunk): Promise<BatchItemRecord[]> {
    const rows = await this.db.$queryRawUnsafe<ItemRow[]>(
      `SELECT i."batchKey", b.type, i."itemKey", i."instanceId", i.chunk, i.state, i.error, i."processedAt"
         FROM "BatchOperationItem" i JOIN "BatchOperation" b ON b.key = i."batchKey"
        WHERE i."batchKey" = $1::bigint AND i.chunk = $2::int AND i.state = 'PENDING'
        ORDER BY i."itemKey"`,
      chunk.batchKey,
      chunk.chunk,
    );
    return rows.map(itemRecord);
  }

  async pendingChunks(): Promise<BatchChunk[]> {
    const rows = await this.db.$queryRawUnsafe<{ batchKey: bigint; chunk: number }[]>(
      `SELECT DISTINCT i."batchKey", i.chunk
         FROM "BatchOperation" b JOIN "BatchOperationItem" i ON i."batchKey" = b.key AND i.state = 'PENDING'
        WHERE b.state = 'ACTIVE'
        ORDER BY i."batchKey", i.chunk`,
    );
    return rows.map((r) => ({ batchKey: r.batchKey.toString(), chunk: r.chunk }));
  }

  async settleItem(
    batchKey: Key,
    itemKey: Key,
    state: 'COMPLETED' | 'FAILED',
    error: string | null,
  ): Promise<boolean> {
    // Waits for a concurrent cancel of the batch (it holds the row) and then sees SKIPPED.
    const changed = await this.db.$executeRawUnsafe(
      `UPDATE "BatchOperationItem" SET state = $3, error = $4, "processedAt" = now()
        WHERE "batchKey" = $1::bigint AND "itemKey" = $2::bigint AND state = 'PENDING'`,
      batchKey,
      itemKey,
      state,
      error,
    );
    return changed > 0;
  }

  async deleteEndedInstances(batchKey: Key, itemKeys: readonly Key[]): Promise<{ completed: number; failed: number }> {
    // The items first (a concurrent run of the chunk, or a cancel, waits here), then their instances.
    const items = await this.db.$queryRawUnsafe<{ itemKey: string; instanceId: string }[]>(
      `SELECT "itemKey"::text AS "itemKey", "instanceId"::text AS "instanceId" FROM "BatchOperationItem"
        WHERE "batchKey" = $1::bigint AND "itemKey" = ANY($2::bigint[]) AND state = 'PENDING'
        ORDER BY "itemKey" FOR UPDATE`,
      batchKey,
      [...itemKeys],
    );
    if (items.length === 0) return { completed: 0, failed: 0 };
    const ids = items.map((i) => i.instanceId);
    const found = await this.db.$queryRawUnsafe<{ id: string; status: string; ended: boolean; parent: string | null }[]>(
      `SELECT p.id::text AS id, p.status::text AS status, p."endedAt" IS NOT NULL AS ended,
              (SELECT r.id::text FROM "ProcessInstance" r WHERE r.id = p."parentInstanceId" AND r."endedAt" IS NULL) AS parent
         FROM "ProcessInstance" p WHERE p.id = ANY($1::bigint[])`,
      ids,
    );
    const byId = new Map(found.map((f) => [f.id, f]));
    // An ended instance a late work item holds is left for the next run of the chunk (as retention skips it).
    const deletable = found.filter((f) => f.ended && f.parent === null).map((f) => f.id);
    const locked = deletable.length === 0 ? [] : await this.db.$queryRawUnsafe<{ id: string }[]>(
      `SELECT id::text AS id FROM "ProcessInstance" WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE SKIP LOCKED`,
      deletable,
    );
    const deleting = new Set(locked.map((l) => l.id));
    await deleteInstanceRows(this.db, [...deleting]);
    let completed = 0;
    let failed = 0;
    for (const item of items) {
      const instance = byId.get(item.instanceId);
      let error: string | null;
      if (instance === undefined) error = `process instance ${item.instanceId} not found (deleted already)`;
      else if (!instance.ended) error = `process instance ${item.instanceId} is ${instance.status}: still running; only a COMPLETED or CANCELED instance can be deleted`;
      else if (instance.parent !== null) error = `process instance ${item.instanceId} has a parent instance ${instance.parent} that is still running`;
      else if (!deleting.has(item.instanceId)) continue;
      else error = null;
      await this.settleItem(batchKey, item.itemKey, error === null ? 'COMPLETED' : 'FAILED', error);
      if (error === null) completed++;
      else failed++;
    }
    return { completed, failed };
  }

  async cancel(key: Key): Promise<boolean> {
    const [canceled] = await this.db.$queryRawUnsafe<{ key: bigint }[]>(
      `UPDATE "BatchOperation" SET state = 'CANCELED', "endedAt" = now() WHERE key = $1::bigint AND state IN ('ACTIVE', 'SUSPENDED') RETURNING key`,
      key,
    );
    if (canceled === undefined) return false;
    await this.db.$executeRawUnsafe(
      `UPDATE "BatchOperationItem" SET state = 'SKIPPED', "processedAt" = now() WHERE "batchKey" = $1::bigint AND state = 'PENDING'`,
      key,
    );
    return true;
  }

  async changeState(
    key: Key,
    from: 'ACTIVE' | 'SUSPENDED',
    to: 'ACTIVE' | 'SUSPENDED',
  ): Promise<boolean> {
    const changed = await this.db.$executeRawUnsafe(
      `UPDATE "BatchOperation" SET state = $3 WHERE key = $1::bigint AND state = $2`,
      key,
      from,
      to,
    );
    return changed > 0;
  }

  async finishIfDone(key: Key): Promise<boolean> {
    const changed = await this.db.$executeRawUnsafe(
      `UPDATE "BatchOperation" b
          SET state = CASE WHEN EXISTS (SELECT 1 FROM "BatchOperationItem" i WHERE i."batchKey" = b.key AND i.state = 'FAILED')
                           THEN 'PARTIALLY_COMPLETED' ELSE 'COMPLETED' END,
              "endedAt" = now()
        WHERE b.key = $1::bigint AND b.state = 'ACTIVE'
          AND NOT EXISTS (SELECT 1 FROM "BatchOperationItem" i WHERE i."batchKey" = b.key AND i.state = 'PENDING')`,
      key,
    );
    return changed > 0;
  }
}

const keys = (values: readonly Key[] | undefined): string[] | null =>
  values === undefined ? null : [...values];

function batchRecord(r: BatchRow): BatchRecord {
  return {
    key: r.key.toString(),
    type: r.type as BatchType,
    state: r.state as BatchState,
    filter: r.filter,
    retries: r.retries,
    ...(r.migrationPlan === null ? {} : { migrationPlan: r.migrationPlan }),
    ...(r.variables === null ? {} : { variables: r.variables }),
    tenantIds: r.tenantIds,
    createdAt: r.createdAt,
    endedAt: r.endedAt,
    counts: {
      total: r.total,
      pending: r.pending,
      completed: r.completed,
      failed: r.failed,
      skipped: r.skipped,
    },
  };
}

function itemRecord(r: ItemRow): BatchItemRecord {
  return {
    batchKey: r.batchKey.toString(),
    type: r.type as BatchType,
    itemKey: r.itemKey.toString(),
    instanceId: r.instanceId.toString(),
    chunk: r.chunk,
    state: r.state as BatchItemState,
    error: r.error,
    processedAt: r.processedAt,
  };
}

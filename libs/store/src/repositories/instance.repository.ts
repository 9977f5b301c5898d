import { processVariables, type InstanceState } from '@baton/engine';
import { KEY_EPOCH_MS } from '@baton/runtime';
import type {
  InstanceRecord,
  InstanceRecordQuery,
  InstanceRepository,
  InstanceSearchField,
  InstanceSearchRecord,
  InstanceSummaryRecord,
  Key,
  NewInstanceRecord,
  SearchFilter,
  SearchQuery,
  TouchedInstance,
} from '@baton/runtime';
import { countRows, searchRows, type SearchTable } from './search.sql';
import { col, insertRows, tenantParam, type Db } from './sql';

export const INSTANCE_COLUMNS = [
  col('id', 'bigint'),
  col('tenantId', 'text'),
  col('definitionId', 'bigint'),
  col('bpmnProcessId', 'text'),
  col('processVersion', 'int'),
  col('status', 'text', '"InstanceStatus"'),
  col('businessKey', 'text'),
  col('variables', 'jsonb'),
  col('state', 'jsonb'),
  col('parentInstanceId', 'bigint'),
  col('parentElementInstanceId', 'bigint'),
  col('pendingSince', 'timestamptz'),
  col('startedAt', 'timestamptz'),
];

/** A new, not yet run instance as a row: pending until a worker has run it. */
export function newInstanceRow(instance: NewInstanceRecord, at: string): object {
  return {
    id: instance.id,
    tenantId: instance.tenantId,
    definitionId: instance.definitionId,
    bpmnProcessId: instance.bpmnProcessId,
    processVersion: instance.processVersion,
    status: 'ACTIVE',
    businessKey: instance.businessKey,
    variables: processVariables(instance.state),
    state: instance.state,
    parentInstanceId: instance.parentInstanceId,
    parentElementInstanceId: instance.parentElementInstanceId,
    pendingSince: at,
    startedAt: at,
  };
}

const SUMMARY = `id::text AS id, "tenantId", "definitionId"::text AS "definitionId", "bpmnProcessId", "processVersion",
  status::text AS status, "businessKey", "parentInstanceId"::text AS "parentInstanceId", "startedAt", "endedAt"`;

/** Everything but the `variables` column: they are the root scope of the state, read from there. */
const FULL = `${SUMMARY}, state, "parentElementInstanceId"::text AS "parentElementInstanceId", "stepFailures"`;

type Row = Omit<InstanceRecord, 'variables'>;

/** The engine events that are commands (they apply to a suspended instance too). */
export const COMMAND_TYPES = `ARRAY['cancel', 'suspend', 'resume', 'setVariables', 'resolveIncident']`;

/**
 * A key above every instance started before `to`: a key carries the time it
 * was made (ms since KEY_EPOCH_MS in its high bits) and an instance's key is
 * made before its row is stamped `startedAt`, so a start before `to` has a
 * key made before `to`. A minute of margin covers a key made in one step and
 * stamped by a later clock reading. The bound lets a start-time filter begin
 * its walk down the key index at `to` instead of at the newest instance.
 */
export function startedBeforeBound(to: Date): string {
  return keyAt(to.getTime() + 60_000);
}

/** The lowest key made at `ms` (epoch ms), within the 41 bits of time a key has (up to 2089). */
function keyAt(ms: number): string {
  const since = Math.min(2 ** 41 - 1, Math.max(0, ms - KEY_EPOCH_MS));
  return (BigInt(since) << 22n).toString();
}

/** Keys below this carry no time: made by the migration to keys (row numbers), before the key generator. */
const LEGACY_KEYS = '4194304';

/**
 * A key at or below every instance started from `from` on: its key was made
 * at most a minute before it was stamped (see {@link startedBeforeBound}).
 * With the legacy keys beside it, the lower end of a start-time filter is a
 * range of the key index, not a walk to the oldest instance.
 */
export function startedFromBound(from: Date): string {
  return keyAt(from.getTime() - 60_000);
}

/**
 * The instance list's statement: newest first, `limit` rows after the
 * cursor. Only the filters given are in it, so each query is planned for what
 * it asks: the key index walked from the cursor (or from the end of a
 * start-time range, see {@link startedBeforeBound}), or an index of the
 * filter's columns ((status, id), (bpmnProcessId, status, id), the open
 * incidents), filtered by what no index serves (the variable's value, the
 * exact start time). Exported for the benchmark's plans.
 */
export function instanceListSql(query: InstanceRecordQuery): { sql: string; values: unknown[] } {
  const values: unknown[] = [];
  const param = (value: unknown, cast: string): string => {
    values.push(value);
    return `$${values.length}::${cast}`;
  };
  const where: string[] = [];
  if (query.tenants !== undefined) where.push(`p."tenantId" = ANY(${param(tenantParam(query.tenants), 'text[]')})`);
  if (query.status !== undefined) where.push(`p.status = ${param(query.status, '"InstanceStatus"')}`);
  if (query.bpmnProcessId !== undefined) where.push(`p."bpmnProcessId" = ${param(query.bpmnProcessId, 'text')}`);
  if (query.version !== undefined) where.push(`p."processVersion" = ${param(query.version, 'int')}`);
  if (query.businessKey !== undefined) where.push(`p."businessKey" = ${param(query.businessKey, 'text')}`);
  if (query.hasIncident !== undefined) {
    // The open incidents (a partial index of them by instance): few beside the instances.
    where.push(`${query.hasIncident ? '' : 'NOT '}EXISTS (SELECT 1 FROM "Incident" i WHERE i."instanceId" = p.id AND i."resolvedAt" IS NULL)`);
  }
  if (query.startedFrom !== undefined) {
    where.push(`p."startedAt" >= ${param(query.startedFrom.toISOString(), 'timestamptz')}`);
    // Keys made before keys carried time (migrated, below 2^22) have no time to bound by.
    where.push(`(p.id >= ${param(startedFromBound(query.startedFrom), 'bigint')} OR p.id < ${LEGACY_KEYS})`);
  }
  if (query.startedTo !== undefined) {
    where.push(`p."startedAt" < ${param(query.startedTo.toISOString(), 'timestamptz')}`);
    where.push(`p.id < ${param(startedBeforeBound(query.startedTo), 'bigint')}`);
  }
  if (query.variable !== undefined) {
    const name = param(query.variable.name, 'text');
    where.push(
      query.variable.value === undefined
        ? `p.variables -> ${name} IS NOT NULL`
        : `p.variables -> ${name} = ${param(JSON.stringify(query.variable.value), 'jsonb')}`,
    );
  }
  if (query.cursor !== undefined) where.push(`p.id < ${param(query.cursor, 'bigint')}`);
  const limit = param(query.limit, 'int');
  return {
    sql: `SELECT ${SUMMARY} FROM "ProcessInstance" p ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY p.id DESC LIMIT ${limit}`,
    values,
  };
}

const record = (row: Row): InstanceRecord => ({ ...row, variables: processVariables(row.state) });

/** Open incidents of the instance (Incident's instanceId index). */
const HAS_INCIDENT = `EXISTS (SELECT 1 FROM "Incident" i WHERE i."instanceId" = p.id AND i."resolvedAt" IS NULL)`;

/** Instance searches: the summary with its definition's name and tag; never the state or the variables. */
const INSTANCE_SEARCH: SearchTable<InstanceSearchField> = {
  from: `"ProcessInstance" p LEFT JOIN "Definition" d ON d.id = p."definitionId"`,
  select: `p.id::text AS id, p."tenantId", p."definitionId"::text AS "definitionId", p."bpmnProcessId", p."processVersion",
    p.status::text AS status, p."businessKey", p."parentInstanceId"::text AS "parentInstanceId",
    p."parentElementInstanceId"::text AS "parentElementInstanceId", p."startedAt", p."endedAt",
    d.name AS "definitionName", d."versionTag", ${HAS_INCIDENT} AS "hasIncident"`,
  tenantColumn: 'p."tenantId"',
  columns: {
    id: { sql: 'p.id', type: 'key', notNull: true },
    tenantId: { sql: 'p."tenantId"', type: 'text', notNull: true },
    definitionId: { sql: 'p."definitionId"', type: 'key', notNull: true },
    bpmnProcessId: { sql: 'p."bpmnProcessId"', type: 'text', notNull: true },
    processVersion: { sql: 'p."processVersion"', type: 'int', notNull: true },
    status: { sql: 'p.status', type: 'text', enumType: '"InstanceStatus"', notNull: true },
    parentInstanceId: { sql: 'p."parentInstanceId"', type: 'key' },
    parentElementInstanceId: { sql: 'p."parentElementInstanceId"', type: 'key' },
    startedAt: { sql: 'p."startedAt"', type: 'date', notNull: true },
    endedAt: { sql: 'p."endedAt"', type: 'date' },
    hasIncident: { sql: `(${HAS_INCIDENT})`, type: 'bool', notNull: true },
    definitionName: { sql: 'd.name', type: 'text' },
    versionTag: { sql: 'd."versionTag"', type: 'text' },
  },
};

export class PgInstanceRepository implements InstanceRepository {
  constructor(private readonly db: Db) {}

  search(query: SearchQuery<InstanceSearchField>): Promise<InstanceSearchRecord[]> {
    return searchRows(this.db, INSTANCE_SEARCH, query);
  }

  count(filter: SearchFilter<InstanceSearchField>, cap: number): Promise<number> {
    return countRows(this.db, INSTANCE_SEARCH, filter, cap);
  }

  async insertNew(instances: readonly NewInstanceRecord[], now: Date): Promise<void> {
    const at = now.toISOString();
    await insertRows(
      this.db,
      'ProcessInstance',
      INSTANCE_COLUMNS,
      instances.map((i) => newInstanceRow(i, at)),
    );
  }

  async lockForStep(ids: readonly Key[], mode: 'skip' | 'wait'): Promise<InstanceRecord[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.$queryRawUnsafe<Row[]>(
      `SELECT ${FULL} FROM "ProcessInstance" WHERE id = ANY($1::bigint[])
        ORDER BY "ProcessInstance".id -- one lock order for every transaction that locks several instances
          FOR UPDATE${mode === 'skip' ? ' SKIP LOCKED' : ''}`,
      ids,
    );
    return rows.map(record);
  }

  async existing(ids: readonly Key[]): Promise<Key[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.$queryRawUnsafe<{ id: string }[]>(
      `SELECT id::text AS id FROM "ProcessInstance" WHERE id = ANY($1::bigint[])`,
      ids,
    );
    return rows.map((r) => r.id);
  }

  lock(ids: readonly Key[]): Promise<TouchedInstance[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.db.$queryRawUnsafe<TouchedInstance[]>(
      `SELECT id::text AS id, "tenantId", status::text AS status, variables FROM "ProcessInstance"
        WHERE id = ANY($1::bigint[]) ORDER BY "ProcessInstance".id FOR UPDATE`,
      [...new Set(ids)],
    );
  }

  async recordStepFailure(id: Key): Promise<number> {
    const rows = await this.db.$queryRawUnsafe<{ stepFailures: number }[]>(
      `UPDATE "ProcessInstance" SET "stepFailures" = "stepFailures" + 1 WHERE id = $1::bigint RETURNING "stepFailures"`,
      id,
    );
    return rows[0]?.stepFailures ?? 0;
  }

  async liveChildrenOf(parentElementInstanceIds: readonly Key[]): Promise<Key[]> {
    if (parentElementInstanceIds.length === 0) return [];
    const rows = await this.db.$queryRawUnsafe<{ id: string }[]>(
      `SELECT id::text AS id FROM "ProcessInstance"
        WHERE "parentElementInstanceId" = ANY($1::bigint[]) AND status IN ('ACTIVE', 'SUSPENDED')`,
      parentElementInstanceIds,
    );
    return rows.map((r) => r.id);
  }

  async get(id: Key): Promise<InstanceRecord | null> {
    const rows = await this.db.$queryRawUnsafe<Row[]>(`SELECT ${FULL} FROM "ProcessInstance" WHERE id = $1::bigint`, id);
    return rows.length === 0 ? null : record(rows[0]);
  }

  list(query: InstanceRecordQuery): Promise<InstanceSummaryRecord[]> {
    const { sql, values } = instanceListSql(query);
    return this.db.$queryRawUnsafe<InstanceSummaryRecord[]>(sql, ...values);
  }

  async states(ids: readonly Key[]): Promise<Map<Key, InstanceState>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.$queryRawUnsafe<{ id: string; state: InstanceState }[]>(
      `SELECT id::text AS id, state FROM "ProcessInstance" WHERE id = ANY($1::bigint[])`,
      ids,
    );
    return new Map(rows.map((r) => [r.id, r.state]));
  }

  async claimOverdue(olderThanSeconds: number, limit: number): Promise<Key[]> {
    const rows = await this.db.$queryRawUnsafe<{ id: string }[]>(
      // Overdue: work committed long ago and not consumed, or inbox events nobody picked up
      // (fired timers add events without touching the instance row).
      `WITH candidates AS (
         (SELECT id FROM "ProcessInstance"
           WHERE "pendingSince" <= now() - make_interval(secs => $1) AND status = 'ACTIVE'
           ORDER BY "pendingSince" LIMIT $2)
         UNION
         (SELECT "instanceId" FROM "InstanceEvent"
           WHERE "createdAt" <= now() - make_interval(secs => $1)
           GROUP BY "instanceId" LIMIT $2)
       ), picked AS (
         SELECT p.id FROM "ProcessInstance" p JOIN candidates c ON c.id = p.id
          WHERE (p.status = 'ACTIVE'
                 -- A suspended instance runs nothing but the commands waiting for it.
                 OR (p.status = 'SUSPENDED' AND EXISTS (
                       SELECT 1 FROM "InstanceEvent" e
                        WHERE e."instanceId" = p.id AND e.event->>'type' = ANY(${COMMAND_TYPES}))))
            AND (p."pendingSince" IS NULL OR p."pendingSince" <= now() - make_interval(secs => $1))
          FOR UPDATE OF p SKIP LOCKED)
       UPDATE "ProcessInstance" p SET "pendingSince" = now() FROM picked WHERE p.id = picked.id
   RETURNING p.id::text AS id`,
      olderThanSeconds,
      limit,
    );
    return rows.map((r) => r.id);
  }
}

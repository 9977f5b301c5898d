import type { ActivateJobsQuery, JobRecord, JobRepository, JobSearchField, Key, SearchFilter, SearchQuery } from '@baton/runtime';
import { countRows, searchRows, type SearchTable } from './search.sql';
import { tenantParam, type Db } from './sql';

/** The columns of a JobRecord, of the table aliased `t`. */
const columns = (t: string): string =>
  `${t}.id::text AS id, ${t}."tenantId", ${t}.type, ${t}."instanceId"::text AS "instanceId",
   ${t}."elementInstanceId"::text AS "elementInstanceId", ${t}."elementId", ${t}."definitionId"::text AS "definitionId",
   ${t}."bpmnProcessId", ${t}.retries, ${t}.state::text AS state, ${t}."workerId", ${t}."lockExpiresAt", ${t}."customHeaders",
   ${t}."errorMessage", ${t}.outcome, ${t}."outcomeWorkerId", ${t}."outcomeDigest", ${t}."listenerEventType"`;
const JOB = columns('"Job"');

/** Job searches read rows only: no lock, no lease. */
const JOB_SEARCH: SearchTable<JobSearchField> = {
  from: `"Job" j`,
  select: columns('j'),
  tenantColumn: 'j."tenantId"',
  columns: {
    id: { sql: 'j.id', type: 'key', notNull: true },
    tenantId: { sql: 'j."tenantId"', type: 'text', notNull: true },
    type: { sql: 'j.type', type: 'text', notNull: true },
    instanceId: { sql: 'j."instanceId"', type: 'key', notNull: true },
    elementInstanceId: { sql: 'j."elementInstanceId"', type: 'key', notNull: true },
    elementId: { sql: 'j."elementId"', type: 'text', notNull: true },
    definitionId: { sql: 'j."definitionId"', type: 'key' },
    bpmnProcessId: { sql: 'j."bpmnProcessId"', type: 'text', notNull: true },
    retries: { sql: 'j.retries', type: 'int', notNull: true },
    state: { sql: 'j.state', type: 'text', enumType: '"JobState"', notNull: true },
    workerId: { sql: 'j."workerId"', type: 'text' },
    lockExpiresAt: { sql: 'j."lockExpiresAt"', type: 'date' },
    errorMessage: { sql: 'j."errorMessage"', type: 'text' },
    kind: {
      sql: `(CASE WHEN j."listenerEventType" IS NULL THEN 'BPMN_ELEMENT' WHEN j."listenerEventType" IN ('START', 'END') THEN 'EXECUTION_LISTENER' ELSE 'TASK_LISTENER' END)`,
      type: 'text',
      notNull: true,
    },
    listenerEvent: { sql: `COALESCE(j."listenerEventType", 'UNSPECIFIED')`, type: 'text', notNull: true },
  },
};

export class PgJobRepository implements JobRepository {
  constructor(private readonly db: Db) {}

  search(query: SearchQuery<JobSearchField>): Promise<JobRecord[]> {
    return searchRows(this.db, JOB_SEARCH, query);
  }

  count(filter: SearchFilter<JobSearchField>, cap: number): Promise<number> {
    return countRows(this.db, JOB_SEARCH, filter, cap);
  }

  activate(query: ActivateJobsQuery): Promise<JobRecord[]> {
    return this.db.$queryRawUnsafe<JobRecord[]>(
      `WITH picked AS (
         SELECT j.id FROM "Job" j
          WHERE j.type = $1
            AND ((j.state = 'ACTIVATABLE' AND j."availableAt" <= now())
                 OR (j.state = 'ACTIVATED' AND j."lockExpiresAt" < now()))
            AND ($5::text[] IS NULL OR j."tenantId" = ANY($5::text[]))
            AND EXISTS (SELECT 1 FROM "ProcessInstance" p WHERE p.id = j."instanceId" AND p.status = 'ACTIVE')
          ORDER BY j."availableAt", j.id
          LIMIT $2
          FOR UPDATE OF j SKIP LOCKED)
       UPDATE "Job" j
          SET state = 'ACTIVATED', "workerId" = $3, "lockExpiresAt" = now() + $4 * interval '1 millisecond'
         FROM picked
        WHERE j.id = picked.id
    RETURNING ${columns('j')}`,
      query.type,
      query.maxJobs,
      query.workerId,
      query.lockDurationMs,
      tenantParam(query.tenants),
    );
  }

  async get(id: Key): Promise<JobRecord | null> {
    const rows = await this.db.$queryRawUnsafe<JobRecord[]>(`SELECT ${JOB} FROM "Job" WHERE id = $1::bigint`, id);
    return rows[0] ?? null;
  }

  async instanceIds(jobIds: readonly Key[]): Promise<Key[]> {
    if (jobIds.length === 0) return [];
    const rows = await this.db.$queryRawUnsafe<{ id: string }[]>(
      `SELECT DISTINCT "instanceId"::text AS id FROM "Job" WHERE id = ANY($1::bigint[])`,
      jobIds,
    );
    return rows.map((r) => r.id);
  }

  lock(ids: readonly Key[]): Promise<JobRecord[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.db.$queryRawUnsafe<JobRecord[]>(`SELECT ${JOB}, "Job".key FROM "Job" WHERE id = ANY($1::bigint[]) ORDER BY "Job".id FOR UPDATE`, ids);
  }

  async settle(settled: readonly { id: Key; outcome: 'COMPLETED' | 'ERROR'; workerId: string; digest: string }[]): Promise<void> {
    if (settled.length === 0) return;
    await this.db.$executeRawUnsafe(
      `UPDATE "Job" j SET state = 'COMPLETED', "lockExpiresAt" = NULL, outcome = s.outcome, "outcomeWorkerId" = s."workerId",
              "outcomeDigest" = s.digest
         FROM jsonb_to_recordset($1::jsonb) AS s(id bigint, outcome text, "workerId" text, digest text)
        WHERE j.id = s.id`,
      JSON.stringify(settled),
    );
  }

  async fail(failure: { id: Key; retries: number; errorMessage: string; backoffMs: number; workerId: string; digest: string }): Promise<void> {
    await this.db.$executeRawUnsafe(
      `UPDATE "Job" SET state = (CASE WHEN $2 > 0 THEN 'ACTIVATABLE' ELSE 'FAILED' END)::"JobState", retries = $2,
              "errorMessage" = $3, "workerId" = NULL, "lockExpiresAt" = NULL,
              "availableAt" = now() + $4 * interval '1 millisecond',
              outcome = 'FAILED', "outcomeWorkerId" = $5, "outcomeDigest" = $6
        WHERE id = $1::bigint`,
      failure.id,
      failure.retries,
      failure.errorMessage,
      failure.backoffMs,
      failure.workerId,
      failure.digest,
    );
  }

  async extendLock(id: Key, lockDurationMs: number): Promise<void> {
    await this.db.$executeRawUnsafe(
      `UPDATE "Job" SET "lockExpiresAt" = now() + $2 * interval '1 millisecond' WHERE id = $1::bigint`,
      id,
      lockDurationMs,
    );
  }

  async updateRetries(id: Key, retries: number): Promise<void> {
    await this.db.$executeRawUnsafe(
      `UPDATE "Job" SET retries = $2 WHERE id = $1::bigint AND state IN ('ACTIVATABLE', 'ACTIVATED', 'FAILED')`,
      id,
      retries,
    );
  }
}

import type { InstanceState } from '@baton/engine';
import type {
  ActivateJobsQuery,
  JobRecord,
  JobReportWrite,
  JobRepository,
  JobSearchField,
  Key,
  SearchFilter,
  SearchQuery,
  TouchedInstance,
} from '@baton/runtime';
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

  activate(query: ActivateJobsQuery): Promise<(JobRecord & { instanceState: InstanceState | null })[]> {
    // One statement per poll: pick, lease, and read each instance's state once (on its first job).
    return this.db.$queryRawUnsafe<(JobRecord & { instanceState: InstanceState | null })[]>(
      `WITH picked AS (
         SELECT j.id FROM "Job" j
          WHERE j.type = $1
            AND ((j.state = 'ACTIVATABLE' AND j."availableAt" <= now())
                 OR (j.state = 'ACTIVATED' AND j."lockExpiresAt" < now()))
            AND ($5::text[] IS NULL OR j."tenantId" = ANY($5::text[]))
            AND EXISTS (SELECT 1 FROM "ProcessInstance" p WHERE p.id = j."instanceId" AND p.status = 'ACTIVE')
          ORDER BY j."availableAt", j.id
          LIMIT $2
          FOR UPDATE OF j SKIP LOCKED),
       leased AS (
         UPDATE "Job" j
            SET state = 'ACTIVATED', "workerId" = $3, "lockExpiresAt" = now() + $4 * interval '1 millisecond'
           FROM picked
          WHERE j.id = picked.id
      RETURNING j.*)
       SELECT ${columns('l')},
              CASE WHEN row_number() OVER (PARTITION BY l."instanceId" ORDER BY l.id) = 1 THEN p.state END AS "instanceState"
         FROM leased l LEFT JOIN "ProcessInstance" p ON p.id = l."instanceId"
        ORDER BY l."availableAt", l.id`,
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

  async withInstances(ids: readonly Key[], lock: 'none' | 'update'): Promise<{ job: JobRecord; instance: TouchedInstance | null }[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.$queryRawUnsafe<(JobRecord & { key: string; i: Omit<TouchedInstance, 'variables'> | null; iv: TouchedInstance['variables'] | null })[]>(
      // The instance is read, never locked: the unit of work holds it while it steps, and a step that
      // ends the job updates the job row, whose lock orders it against a report.
      `SELECT ${columns('j')}, j.key,
              CASE WHEN p.id IS NULL THEN NULL
                   ELSE jsonb_build_object('id', p.id::text, 'tenantId', p."tenantId", 'status', p.status::text) END AS i,
              p.variables AS iv
         FROM "Job" j LEFT JOIN "ProcessInstance" p ON p.id = j."instanceId"
        WHERE j.id = ANY($1::bigint[])
        ORDER BY j.id${lock === 'update' ? ' FOR UPDATE OF j' : ''}`,
      ids,
    );
    return rows.map(({ i, iv, ...job }) => ({ job, instance: i === null ? null : { ...i, variables: iv ?? {} } }));
  }

  async settle(reports: readonly JobReportWrite[]): Promise<Key[]> {
    if (reports.length === 0) return [];
    // One statement: the jobs still held by their reporting worker are locked without waiting (a
    // job another transaction holds is left out, and the caller decides it again on its own), ended,
    // and their events appended to the inbox.
    const rows = await this.db.$queryRawUnsafe<{ id: string }[]>(
      `WITH r AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb)
             AS r(id bigint, outcome text, "workerId" text, digest text, "instanceId" bigint, event jsonb)),
       held AS (
         SELECT j.id FROM "Job" j JOIN r ON r.id = j.id
          WHERE j.state = 'ACTIVATED' AND j."workerId" = r."workerId"
          ORDER BY j.id
            FOR UPDATE OF j SKIP LOCKED),
       ended AS (
         UPDATE "Job" j SET state = 'COMPLETED', "lockExpiresAt" = NULL, outcome = r.outcome, "outcomeWorkerId" = r."workerId",
                "outcomeDigest" = r.digest
           FROM r, held
          WHERE j.id = r.id AND held.id = r.id
      RETURNING j.id),
       appended AS (
         INSERT INTO "InstanceEvent" ("instanceId", event)
         SELECT r."instanceId", r.event FROM r JOIN ended ON ended.id = r.id
         ORDER BY r.id
      RETURNING 1)
       SELECT id::text AS id FROM ended`,
      JSON.stringify(reports),
    );
    return rows.map((r) => r.id);
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

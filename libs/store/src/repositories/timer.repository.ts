import type { DueTimer, Key, StartTimerRecord, TimerPeek, TimerRepository } from '@baton/runtime';
import { col, insertRows, type Db } from './sql';

const START_TIMER_COLUMNS = [
  col('id', 'bigint'),
  col('key', 'text'),
  col('tenantId', 'text'),
  col('definitionId', 'bigint'),
  col('elementId', 'text'),
  col('dueAt', 'timestamptz'),
  col('cycle', 'text'),
  col('repetitions', 'int'),
];

export class PgTimerRepository implements TimerRepository {
  constructor(private readonly db: Db) {}

  async replaceStartTimers(tenantId: string, bpmnProcessId: string, timers: readonly StartTimerRecord[]): Promise<void> {
    await this.db.$executeRawUnsafe(
      `UPDATE "Timer" SET state = 'CANCELED'
        WHERE "instanceId" IS NULL AND state = 'SCHEDULED'
          AND "definitionId" IN (SELECT id FROM "Definition" WHERE "tenantId" = $1 AND "bpmnProcessId" = $2)`,
      tenantId,
      bpmnProcessId,
    );
    await insertRows(this.db, 'Timer', START_TIMER_COLUMNS, timers);
  }

  claimDue(limit: number): Promise<DueTimer[]> {
    return this.db.$queryRawUnsafe<DueTimer[]>(
      `WITH due AS (
         SELECT t.id FROM "Timer" t
          WHERE t.state = 'SCHEDULED' AND t."dueAt" <= now()
            AND (t."instanceId" IS NULL
                 OR EXISTS (SELECT 1 FROM "ProcessInstance" p WHERE p.id = t."instanceId" AND p.status = 'ACTIVE'))
          ORDER BY t."dueAt"
          LIMIT $1
          FOR UPDATE OF t SKIP LOCKED)
       UPDATE "Timer" t SET state = 'FIRED' FROM due WHERE t.id = due.id
   RETURNING t.id::text AS id, t."tenantId", t."instanceId"::text AS "instanceId", t."definitionId"::text AS "definitionId",
             t."ownerInstanceId"::text AS "ownerInstanceId", t."elementId", t."dueAt", t.cycle, t.repetitions`,
      limit,
    );
  }

  async peek(withinMs: number): Promise<TimerPeek> {
    // By the database's clock, as claimDue decides.
    const [row] = await this.db.$queryRawUnsafe<{ due: boolean; ms: number | null }[]>(
      `SELECT EXISTS (SELECT 1 FROM "Timer" WHERE state = 'SCHEDULED' AND "dueAt" <= now()) AS due,
              (SELECT (EXTRACT(EPOCH FROM min("dueAt") - now()) * 1000)::float8 FROM "Timer"
                WHERE state = 'SCHEDULED' AND "dueAt" > now() AND "dueAt" <= now() + $1::int * interval '1 millisecond') AS ms`,
      Math.max(0, Math.floor(withinMs)),
    );
    return { due: row?.due === true, nextInMs: row?.ms ?? null };
  }

  async rearm(id: Key, dueAt: Date, repetitions: number | null): Promise<void> {
    await this.db.$executeRawUnsafe(
      `UPDATE "Timer" SET state = 'SCHEDULED', "dueAt" = $2::timestamptz, repetitions = $3 WHERE id = $1::bigint`,
      id,
      dueAt.toISOString(),
      repetitions,
    );
  }
}

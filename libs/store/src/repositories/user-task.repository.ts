import type { Key, UserTaskQuery, UserTaskRecord, UserTaskRepository } from '@baton/runtime';
import { tenantParam, type Db } from './sql';

const TASK = `id::text AS id, "tenantId", "instanceId"::text AS "instanceId", "definitionId"::text AS "definitionId", "bpmnProcessId",
  "elementId", name, assignee, "candidateGroups", "candidateUsers", "formKey", "dueDate", "followUpDate", priority,
  state::text AS state, "createdAt", "completedAt"`;

export class PgUserTaskRepository implements UserTaskRepository {
  constructor(private readonly db: Db) {}

  list(query: UserTaskQuery): Promise<UserTaskRecord[]> {
    return this.db.$queryRawUnsafe<UserTaskRecord[]>(
      `SELECT ${TASK} FROM "UserTask"
        WHERE state = 'CREATED'
          AND ($1::text[] IS NULL OR "tenantId" = ANY($1::text[]))
          AND ($2::bigint IS NULL OR "instanceId" = $2::bigint)
          AND ($3::text IS NULL OR "bpmnProcessId" = $3::text)
          AND ($4::text IS NULL OR assignee = $4::text)
          AND ($5::text IS NULL OR "candidateGroups" @> ARRAY[$5::text])
          AND ($6::bigint IS NULL OR id > $6::bigint)
        ORDER BY "UserTask".id
        LIMIT $7`,
      tenantParam(query.tenants),
      query.instanceId ?? null,
      query.bpmnProcessId ?? null,
      query.assignee ?? null,
      query.candidateGroup ?? null,
      query.cursor ?? null,
      query.limit,
    );
  }

  async get(id: Key): Promise<UserTaskRecord | null> {
    const rows = await this.db.$queryRawUnsafe<UserTaskRecord[]>(`SELECT ${TASK} FROM "UserTask" WHERE id = $1::bigint`, id);
    return rows[0] ?? null;
  }

  async claim(id: Key, assignee: string): Promise<boolean> {
    const changed = await this.db.$executeRawUnsafe(
      `UPDATE "UserTask" AS t SET assignee = $2
        WHERE t.id = $1::bigint AND t.state = 'CREATED' AND (t.assignee IS NULL OR t.assignee = $2)
          AND EXISTS (SELECT 1 FROM "ProcessInstance" p WHERE p.id = t."instanceId" AND p.status = 'ACTIVE')`,
      id,
      assignee,
    );
    return changed > 0;
  }

  async complete(id: Key, now: Date): Promise<boolean> {
    const changed = await this.db.$executeRawUnsafe(
      `UPDATE "UserTask" SET state = 'COMPLETED', "completedAt" = $2::timestamptz WHERE id = $1::bigint AND state = 'CREATED'`,
      id,
      now.toISOString(),
    );
    return changed > 0;
  }
}

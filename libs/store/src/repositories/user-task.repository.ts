import type {
  Key,
  SearchFilter,
  SearchQuery,
  UserTaskQuery,
  UserTaskRecord,
  UserTaskRepository,
  UserTaskSearchField,
  UserTaskTransitionState,
  UserTaskUpdate,
} from '@baton/runtime';
import { countRows, searchRows, type SearchTable } from './search.sql';
import { tenantParam, type Db } from './sql';

const TASK = `id::text AS id, "tenantId", "instanceId"::text AS "instanceId", "definitionId"::text AS "definitionId", "bpmnProcessId",
  "elementId", name, assignee, "candidateGroups", "candidateUsers", "formKey", "dueDate", "followUpDate", priority,
  state::text AS state, "createdAt", "completedAt"`;

const TASK_SEARCH: SearchTable<UserTaskSearchField> = {
  from: `"UserTask" t`,
  select: `t.id::text AS id, t."tenantId", t."instanceId"::text AS "instanceId", t."definitionId"::text AS "definitionId", t."bpmnProcessId",
    t."elementId", t.name, t.assignee, t."candidateGroups", t."candidateUsers", t."formKey", t."dueDate", t."followUpDate", t.priority,
    t.state::text AS state, t."createdAt", t."completedAt"`,
  tenantColumn: 't."tenantId"',
  columns: {
    id: { sql: 't.id', type: 'key', notNull: true },
    tenantId: { sql: 't."tenantId"', type: 'text', notNull: true },
    instanceId: { sql: 't."instanceId"', type: 'key', notNull: true },
    definitionId: { sql: 't."definitionId"', type: 'key' },
    bpmnProcessId: { sql: 't."bpmnProcessId"', type: 'text', notNull: true },
    elementId: { sql: 't."elementId"', type: 'text', notNull: true },
    name: { sql: 't.name', type: 'text' },
    assignee: { sql: 't.assignee', type: 'text' },
    candidateGroups: { sql: 't."candidateGroups"', type: 'textArray', notNull: true },
    candidateUsers: { sql: 't."candidateUsers"', type: 'textArray', notNull: true },
    priority: { sql: 't.priority', type: 'int', notNull: true },
    state: { sql: 't.state', type: 'text', enumType: '"UserTaskState"', notNull: true },
    createdAt: { sql: 't."createdAt"', type: 'date', notNull: true },
    completedAt: { sql: 't."completedAt"', type: 'date' },
    dueDate: { sql: 't."dueDate"', type: 'date' },
    followUpDate: { sql: 't."followUpDate"', type: 'date' },
  },
};

export class PgUserTaskRepository implements UserTaskRepository {
  constructor(private readonly db: Db) {}

  search(query: SearchQuery<UserTaskSearchField>): Promise<UserTaskRecord[]> {
    return searchRows(this.db, TASK_SEARCH, query);
  }

  count(filter: SearchFilter<UserTaskSearchField>, cap: number): Promise<number> {
    return countRows(this.db, TASK_SEARCH, filter, cap);
  }

  async assign(id: Key, assignee: string | null, allowOverride: boolean): Promise<boolean> {
    const changed = await this.db.$executeRawUnsafe(
      `UPDATE "UserTask" AS t SET assignee = $2::text
        WHERE t.id = $1::bigint AND t.state = 'CREATED' AND ($3::boolean OR t.assignee IS NULL OR t.assignee = $2::text)
          AND EXISTS (SELECT 1 FROM "ProcessInstance" p WHERE p.id = t."instanceId" AND p.status = 'ACTIVE')`,
      id,
      assignee,
      allowOverride,
    );
    return changed > 0;
  }

  list(query: UserTaskQuery): Promise<UserTaskRecord[]> {
    return this.db.$queryRawUnsafe<UserTaskRecord[]>(
      `SELECT ${TASK} FROM "UserTask"
        WHERE state IN ('CREATED', 'ASSIGNING', 'UPDATING', 'COMPLETING')
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

  async update(id: Key, changes: UserTaskUpdate): Promise<boolean> {
    const has = (name: keyof UserTaskUpdate): boolean => changes[name] !== undefined;
    const changed = await this.db.$executeRawUnsafe(
      `UPDATE "UserTask"
          SET "dueDate" = CASE WHEN $2::boolean THEN $3::timestamptz ELSE "dueDate" END,
              "followUpDate" = CASE WHEN $4::boolean THEN $5::timestamptz ELSE "followUpDate" END,
              "candidateUsers" = COALESCE($6::text[], "candidateUsers"),
              "candidateGroups" = COALESCE($7::text[], "candidateGroups"),
              priority = COALESCE($8::int, priority)
        WHERE id = $1::bigint AND state = 'CREATED'`,
      id,
      has('dueDate'),
      changes.dueDate ?? null,
      has('followUpDate'),
      changes.followUpDate ?? null,
      changes.candidateUsers ?? null,
      changes.candidateGroups ?? null,
      changes.priority ?? null,
    );
    return changed > 0;
  }

  async startTransition(id: Key, state: UserTaskTransitionState): Promise<boolean> {
    const changed = await this.db.$executeRawUnsafe(
      `UPDATE "UserTask" SET state = $2::"UserTaskState" WHERE id = $1::bigint AND state = 'CREATED'`,
      id,
      state,
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

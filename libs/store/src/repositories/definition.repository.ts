import type {
  DefinitionRecord,
  DefinitionRepository,
  DefinitionSearchField,
  DefinitionSearchRecord,
  DefinitionWithXml,
  Key,
  SearchFilter,
  SearchQuery,
  StartEventKind,
  StartEventRecord,
  StartEventRepository,
  TenantScope,
} from '@baton/runtime';
import { countRows, searchRows, type SearchTable } from './search.sql';
import { col, insertRows, tenantParam, type Db } from './sql';

const DEFINITION = `id::text AS id, "deploymentId"::text AS "deploymentId", "tenantId", "bpmnProcessId", version, "versionTag",
  name, hash, "deployedAt"`;

/** No later version of the process in the tenant that is not deleted (the unique (tenantId, bpmnProcessId, version) index answers it). */
const IS_LATEST = `NOT EXISTS (SELECT 1 FROM "Definition" n WHERE n."tenantId" = d."tenantId" AND n."bpmnProcessId" = d."bpmnProcessId" AND n.version > d.version
  AND n."deletedAt" IS NULL)`;

const DEFINITION_SEARCH: SearchTable<DefinitionSearchField> = {
  // Deleted versions are gone for searches, as in Camunda.
  from: `(SELECT * FROM "Definition" WHERE "deletedAt" IS NULL) d`,
  select: `d.id::text AS id, d."deploymentId"::text AS "deploymentId", d."tenantId", d."bpmnProcessId", d.version, d."versionTag",
    d.name, d.hash, d."deployedAt", ${IS_LATEST} AS "isLatest"`,
  tenantColumn: 'd."tenantId"',
  columns: {
    id: { sql: 'd.id', type: 'key', notNull: true },
    tenantId: { sql: 'd."tenantId"', type: 'text', notNull: true },
    bpmnProcessId: { sql: 'd."bpmnProcessId"', type: 'text', notNull: true },
    version: { sql: 'd.version', type: 'int', notNull: true },
    versionTag: { sql: 'd."versionTag"', type: 'text' },
    name: { sql: 'd.name', type: 'text' },
    deploymentId: { sql: 'd."deploymentId"', type: 'key' },
    isLatest: { sql: `(${IS_LATEST})`, type: 'bool', notNull: true },
  },
};

export class PgDefinitionRepository implements DefinitionRepository {
  constructor(private readonly db: Db) {}

  search(query: SearchQuery<DefinitionSearchField>): Promise<DefinitionSearchRecord[]> {
    return searchRows(this.db, DEFINITION_SEARCH, query);
  }

  count(filter: SearchFilter<DefinitionSearchField>, cap: number): Promise<number> {
    return countRows(this.db, DEFINITION_SEARCH, filter, cap);
  }

  async lockProcessId(tenantId: string, bpmnProcessId: string): Promise<void> {
    await this.db.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(hashtext($1))`, `baton:deploy:${tenantId}:${bpmnProcessId}`);
  }

  async latest(tenantId: string, bpmnProcessId: string): Promise<DefinitionRecord | null> {
    const rows = await this.db.$queryRawUnsafe<DefinitionRecord[]>(
      `SELECT ${DEFINITION} FROM "Definition" WHERE "tenantId" = $1 AND "bpmnProcessId" = $2 AND "deletedAt" IS NULL
        ORDER BY version DESC LIMIT 1`,
      tenantId,
      bpmnProcessId,
    );
    return rows[0] ?? null;
  }

  async byVersion(
    tenantId: string,
    bpmnProcessId: string,
    version: number,
    options: { withDeleted?: boolean } = {},
  ): Promise<DefinitionRecord | null> {
    const rows = await this.db.$queryRawUnsafe<DefinitionRecord[]>(
      `SELECT ${DEFINITION} FROM "Definition" WHERE "tenantId" = $1 AND "bpmnProcessId" = $2 AND version = $3
        AND ($4 OR "deletedAt" IS NULL)`,
      tenantId,
      bpmnProcessId,
      version,
      options.withDeleted === true,
    );
    return rows[0] ?? null;
  }

  async inDeployment(tenantId: string, bpmnProcessId: string, deploymentId: Key): Promise<DefinitionRecord | null> {
    const rows = await this.db.$queryRawUnsafe<DefinitionRecord[]>(
      `SELECT ${DEFINITION} FROM "Definition"
        WHERE "tenantId" = $1 AND "bpmnProcessId" = $2 AND "deploymentId" = $3::bigint AND "deletedAt" IS NULL
        ORDER BY version DESC LIMIT 1`,
      tenantId,
      bpmnProcessId,
      deploymentId,
    );
    return rows[0] ?? null;
  }

  async byVersionTag(tenantId: string, bpmnProcessId: string, versionTag: string): Promise<DefinitionRecord | null> {
    const rows = await this.db.$queryRawUnsafe<DefinitionRecord[]>(
      `SELECT ${DEFINITION} FROM "Definition"
        WHERE "tenantId" = $1 AND "bpmnProcessId" = $2 AND "versionTag" = $3 AND "deletedAt" IS NULL
        ORDER BY version DESC LIMIT 1`,
      tenantId,
      bpmnProcessId,
      versionTag,
    );
    return rows[0] ?? null;
  }

  async byId(id: Key): Promise<DefinitionWithXml | null> {
    const rows = await this.db.$queryRawUnsafe<DefinitionWithXml[]>(`SELECT ${DEFINITION}, xml FROM "Definition" WHERE id = $1::bigint`, id);
    return rows[0] ?? null;
  }

  async highestVersion(tenantId: string, bpmnProcessId: string): Promise<number> {
    const rows = await this.db.$queryRawUnsafe<{ version: number | null }[]>(
      `SELECT max(version) AS version FROM "Definition" WHERE "tenantId" = $1 AND "bpmnProcessId" = $2`,
      tenantId,
      bpmnProcessId,
    );
    return rows[0]?.version ?? 0;
  }

  async markDeleted(id: Key): Promise<DefinitionRecord | null> {
    const rows = await this.db.$queryRawUnsafe<DefinitionRecord[]>(
      `UPDATE "Definition" SET "deletedAt" = now() WHERE id = $1::bigint AND "deletedAt" IS NULL RETURNING ${DEFINITION}`,
      id,
    );
    return rows[0] ?? null;
  }

  async insertDeployment(deployment: { id: Key; tenantId: string }): Promise<void> {
    await this.db.$executeRawUnsafe(`INSERT INTO "Deployment" (id, "tenantId") VALUES ($1::bigint, $2)`, deployment.id, deployment.tenantId);
  }

  async insert(definition: Omit<DefinitionWithXml, 'deployedAt'>): Promise<DefinitionRecord> {
    const rows = await this.db.$queryRawUnsafe<DefinitionRecord[]>(
      `INSERT INTO "Definition" (id, "deploymentId", "tenantId", "bpmnProcessId", version, "versionTag", name, xml, hash)
       VALUES ($1::bigint, $2::bigint, $3, $4, $5, $6, $7, $8, $9)
       RETURNING ${DEFINITION}`,
      definition.id,
      definition.deploymentId,
      definition.tenantId,
      definition.bpmnProcessId,
      definition.version,
      definition.versionTag,
      definition.name,
      definition.xml,
      definition.hash,
    );
    return rows[0];
  }

  listLatest(
    page: { readonly limit: number; readonly after?: { readonly bpmnProcessId: string; readonly tenantId: string } },
    tenants: TenantScope,
  ): Promise<DefinitionRecord[]> {
    return this.db.$queryRawUnsafe<DefinitionRecord[]>(
      `SELECT DISTINCT ON ("bpmnProcessId", "tenantId") ${DEFINITION}
         FROM "Definition"
        WHERE "deletedAt" IS NULL
          AND ($1::text IS NULL OR ("bpmnProcessId", "tenantId") > ($1::text, $2::text))
          AND ($3::text[] IS NULL OR "tenantId" = ANY($3::text[]))
        ORDER BY "bpmnProcessId", "tenantId", version DESC
        LIMIT $4`,
      page.after?.bpmnProcessId ?? null,
      page.after?.tenantId ?? null,
      tenantParam(tenants),
      page.limit,
    );
  }
}

const START_COLUMNS = [
  col('id', 'bigint'),
  col('tenantId', 'text'),
  col('definitionId', 'bigint'),
  col('bpmnProcessId', 'text'),
  col('kind', 'text', '"StartEventKind"'),
  col('name', 'text'),
  col('elementId', 'text'),
];

export class PgStartEventRepository implements StartEventRepository {
  constructor(private readonly db: Db) {}

  async replace(tenantId: string, bpmnProcessId: string, rows: readonly StartEventRecord[]): Promise<void> {
    await this.db.$executeRawUnsafe(`DELETE FROM "StartSubscription" WHERE "tenantId" = $1 AND "bpmnProcessId" = $2`, tenantId, bpmnProcessId);
    await insertRows(this.db, 'StartSubscription', START_COLUMNS, rows);
  }

  find(tenantId: string, kind: StartEventKind, name: string): Promise<StartEventRecord[]> {
    return this.db.$queryRawUnsafe<StartEventRecord[]>(
      `SELECT id::text AS id, "tenantId", "definitionId"::text AS "definitionId", "bpmnProcessId", kind::text AS kind, name, "elementId"
         FROM "StartSubscription" WHERE "tenantId" = $1 AND kind = $2::"StartEventKind" AND name = $3
        ORDER BY "bpmnProcessId"`,
      tenantId,
      kind,
      name,
    );
  }

  ofKind(tenantId: string, kind: StartEventKind, definitionId?: string): Promise<StartEventRecord[]> {
    return this.db.$queryRawUnsafe<StartEventRecord[]>(
      `SELECT id::text AS id, "tenantId", "definitionId"::text AS "definitionId", "bpmnProcessId", kind::text AS kind, name, "elementId"
         FROM "StartSubscription" WHERE "tenantId" = $1 AND kind = $2::"StartEventKind"${definitionId === undefined ? '' : ' AND "definitionId" = $3::bigint'}
        ORDER BY "bpmnProcessId", "elementId"`,
      ...(definitionId === undefined ? [tenantId, kind] : [tenantId, kind, definitionId]),
    );
  }
}

import type {
  DecisionDefinitionRecord,
  DecisionDefinitionSearchField,
  DecisionInstanceSearchField,
  DecisionInstanceSearchRecord,
  DecisionRequirementsSearchField,
  SearchFilter,
  SearchQuery,
  DecisionInstanceRecord,
  DecisionRepository,
  DecisionRequirementsRecord,
  DecisionRequirementsWithXml,
  Key,
  TenantScope,
} from '@baton/runtime';
import { countRows, searchRows, type SearchTable } from './search.sql';
import { col, insertRows, tenantParam, type Db } from './sql';

const REQUIREMENTS = `id::text AS id, "deploymentId"::text AS "deploymentId", "tenantId", "decisionRequirementsId", version, name,
  "resourceName", hash, "deployedAt"`;

const DECISION = `id::text AS id, "deploymentId"::text AS "deploymentId", "tenantId", "decisionId", version, "versionTag", name,
  "decisionRequirementsKey"::text AS "decisionRequirementsKey", "decisionRequirementsId", "deployedAt"`;

const INSTANCE = `id::text AS id, "tenantId", "processInstanceId"::text AS "processInstanceId", "elementInstanceId"::text AS "elementInstanceId",
  "elementId", "decisionKey"::text AS "decisionKey", "decisionId", "decisionVersion", "decisionRequirementsKey"::text AS "decisionRequirementsKey",
  state, output, "failureMessage", "evaluatedDecisions", "evaluatedAt"`;

const DEFINITION_SEARCH: SearchTable<DecisionDefinitionSearchField> = {
  // Deleted versions (a deleted decision requirements version's decisions) are gone for searches, as in Camunda.
  from: '(SELECT * FROM "DecisionDefinition" WHERE "deletedAt" IS NULL) d',
  select: DECISION,
  tenantColumn: 'd."tenantId"',
  columns: {
    id: { sql: 'd.id', type: 'key', notNull: true },
    tenantId: { sql: 'd."tenantId"', type: 'text', notNull: true },
    decisionId: { sql: 'd."decisionId"', type: 'text', notNull: true },
    version: { sql: 'd.version', type: 'int', notNull: true },
    name: { sql: 'd.name', type: 'text' },
    decisionRequirementsKey: { sql: 'd."decisionRequirementsKey"', type: 'key', notNull: true },
    decisionRequirementsId: { sql: 'd."decisionRequirementsId"', type: 'text', notNull: true },
  },
};

const REQUIREMENTS_SEARCH: SearchTable<DecisionRequirementsSearchField> = {
  from: '(SELECT * FROM "DecisionRequirements" WHERE "deletedAt" IS NULL) r',
  select: REQUIREMENTS,
  tenantColumn: 'r."tenantId"',
  columns: {
    id: { sql: 'r.id', type: 'key', notNull: true },
    tenantId: { sql: 'r."tenantId"', type: 'text', notNull: true },
    decisionRequirementsId: { sql: 'r."decisionRequirementsId"', type: 'text', notNull: true },
    version: { sql: 'r.version', type: 'int', notNull: true },
    name: { sql: 'r.name', type: 'text' },
    resourceName: { sql: 'r."resourceName"', type: 'text', notNull: true },
  },
};

/** An evaluation with its decision's name (its id without one) and the evaluating instance's process definition. */
const INSTANCE_SEARCH: SearchTable<DecisionInstanceSearchField> = {
  from: `"DecisionInstance" di
    LEFT JOIN "DecisionDefinition" d ON d.id = di."decisionKey"
    LEFT JOIN "ProcessInstance" p ON p.id = di."processInstanceId"`,
  select: `di.id::text AS id, di."tenantId", di."processInstanceId"::text AS "processInstanceId",
    di."elementInstanceId"::text AS "elementInstanceId", di."elementId", di."decisionKey"::text AS "decisionKey", di."decisionId",
    di."decisionVersion", di."decisionRequirementsKey"::text AS "decisionRequirementsKey", di.state, di.output, di."failureMessage",
    di."evaluatedDecisions", di."evaluatedAt", COALESCE(d.name, di."decisionId") AS "decisionName",
    p."definitionId"::text AS "processDefinitionId"`,
  tenantColumn: 'di."tenantId"',
  columns: {
    id: { sql: 'di.id', type: 'key', notNull: true },
    tenantId: { sql: 'di."tenantId"', type: 'text', notNull: true },
    state: { sql: 'di.state', type: 'text', notNull: true },
    failureMessage: { sql: 'di."failureMessage"', type: 'text' },
    evaluatedAt: { sql: 'di."evaluatedAt"', type: 'date', notNull: true },
    decisionKey: { sql: 'di."decisionKey"', type: 'key', notNull: true },
    decisionId: { sql: 'di."decisionId"', type: 'text', notNull: true },
    decisionName: { sql: 'COALESCE(d.name, di."decisionId")', type: 'text', notNull: true },
    decisionVersion: { sql: 'di."decisionVersion"', type: 'int', notNull: true },
    processDefinitionId: { sql: 'p."definitionId"', type: 'key' },
    processInstanceId: { sql: 'di."processInstanceId"', type: 'key' },
    elementInstanceId: { sql: 'di."elementInstanceId"', type: 'key' },
  },
};

const DECISION_COLUMNS = [
  col('id', 'bigint'),
  col('deploymentId', 'bigint'),
  col('tenantId', 'text'),
  col('decisionId', 'text'),
  col('version', 'int'),
  col('versionTag', 'text'),
  col('name', 'text'),
  col('decisionRequirementsKey', 'bigint'),
  col('decisionRequirementsId', 'text'),
];

const INSTANCE_COLUMNS = [
  col('id', 'bigint'),
  col('tenantId', 'text'),
  col('processInstanceId', 'bigint'),
  col('elementInstanceId', 'bigint'),
  col('elementId', 'text'),
  col('decisionKey', 'bigint'),
  col('decisionId', 'text'),
  col('decisionVersion', 'int'),
  col('decisionRequirementsKey', 'bigint'),
  col('state', 'text'),
  col('output', 'jsonb'),
  col('failureMessage', 'text'),
  col('evaluatedDecisions', 'jsonb'),
];

export class PgDecisionRepository implements DecisionRepository {
  constructor(private readonly db: Db) {}

  async lockRequirementsId(tenantId: string, decisionRequirementsId: string): Promise<void> {
    await this.db.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(hashtext($1))`, `baton:deploy-dmn:${tenantId}:${decisionRequirementsId}`);
  }

  async latestRequirements(tenantId: string, decisionRequirementsId: string): Promise<DecisionRequirementsRecord | null> {
    const rows = await this.db.$queryRawUnsafe<DecisionRequirementsRecord[]>(
      `SELECT ${REQUIREMENTS} FROM "DecisionRequirements" WHERE "tenantId" = $1 AND "decisionRequirementsId" = $2 AND "deletedAt" IS NULL
        ORDER BY version DESC LIMIT 1`,
      tenantId,
      decisionRequirementsId,
    );
    return rows[0] ?? null;
  }

  async requirementsById(id: Key): Promise<DecisionRequirementsWithXml | null> {
    const rows = await this.db.$queryRawUnsafe<DecisionRequirementsWithXml[]>(
      `SELECT ${REQUIREMENTS}, xml FROM "DecisionRequirements" WHERE id = $1::bigint AND "deletedAt" IS NULL`,
      id,
    );
    return rows[0] ?? null;
  }

  async highestRequirementsVersion(tenantId: string, decisionRequirementsId: string): Promise<number> {
    const rows = await this.db.$queryRawUnsafe<{ version: number | null }[]>(
      `SELECT max(version) AS version FROM "DecisionRequirements" WHERE "tenantId" = $1 AND "decisionRequirementsId" = $2`,
      tenantId,
      decisionRequirementsId,
    );
    return rows[0]?.version ?? 0;
  }

  async highestDecisionVersion(tenantId: string, decisionId: string): Promise<number> {
    const rows = await this.db.$queryRawUnsafe<{ version: number | null }[]>(
      `SELECT max(version) AS version FROM "DecisionDefinition" WHERE "tenantId" = $1 AND "decisionId" = $2`,
      tenantId,
      decisionId,
    );
    return rows[0]?.version ?? 0;
  }

  async markRequirementsDeleted(id: Key): Promise<{ requirements: DecisionRequirementsRecord; decisions: DecisionDefinitionRecord[] } | null> {
    const requirements = await this.db.$queryRawUnsafe<DecisionRequirementsRecord[]>(
      `UPDATE "DecisionRequirements" SET "deletedAt" = now() WHERE id = $1::bigint AND "deletedAt" IS NULL RETURNING ${REQUIREMENTS}`,
      id,
    );
    if (requirements.length === 0) return null;
    const decisions = await this.db.$queryRawUnsafe<DecisionDefinitionRecord[]>(
      `UPDATE "DecisionDefinition" SET "deletedAt" = now() WHERE "decisionRequirementsKey" = $1::bigint AND "deletedAt" IS NULL
       RETURNING ${DECISION}`,
      id,
    );
    return { requirements: requirements[0], decisions };
  }

  async insertRequirements(row: Omit<DecisionRequirementsWithXml, 'deployedAt'>): Promise<DecisionRequirementsRecord> {
    const rows = await this.db.$queryRawUnsafe<DecisionRequirementsRecord[]>(
      `INSERT INTO "DecisionRequirements" (id, "deploymentId", "tenantId", "decisionRequirementsId", version, name, "resourceName", xml, hash)
       VALUES ($1::bigint, $2::bigint, $3, $4, $5, $6, $7, $8, $9)
       RETURNING ${REQUIREMENTS}`,
      row.id,
      row.deploymentId,
      row.tenantId,
      row.decisionRequirementsId,
      row.version,
      row.name,
      row.resourceName,
      row.xml,
      row.hash,
    );
    return rows[0];
  }

  async latestDecision(tenantId: string, decisionId: string): Promise<DecisionDefinitionRecord | null> {
    const rows = await this.db.$queryRawUnsafe<DecisionDefinitionRecord[]>(
      `SELECT ${DECISION} FROM "DecisionDefinition" WHERE "tenantId" = $1 AND "decisionId" = $2 AND "deletedAt" IS NULL
        ORDER BY version DESC LIMIT 1`,
      tenantId,
      decisionId,
    );
    return rows[0] ?? null;
  }

  async decisionByVersion(tenantId: string, decisionId: string, version: number): Promise<DecisionDefinitionRecord | null> {
    const rows = await this.db.$queryRawUnsafe<DecisionDefinitionRecord[]>(
      `SELECT ${DECISION} FROM "DecisionDefinition" WHERE "tenantId" = $1 AND "decisionId" = $2 AND version = $3 AND "deletedAt" IS NULL`,
      tenantId,
      decisionId,
      version,
    );
    return rows[0] ?? null;
  }

  async decisionByVersionTag(tenantId: string, decisionId: string, versionTag: string): Promise<DecisionDefinitionRecord | null> {
    const rows = await this.db.$queryRawUnsafe<DecisionDefinitionRecord[]>(
      `SELECT ${DECISION} FROM "DecisionDefinition" WHERE "tenantId" = $1 AND "decisionId" = $2 AND "versionTag" = $3 AND "deletedAt" IS NULL
        ORDER BY version DESC LIMIT 1`,
      tenantId,
      decisionId,
      versionTag,
    );
    return rows[0] ?? null;
  }

  async decisionInDeployment(tenantId: string, decisionId: string, deploymentId: Key): Promise<DecisionDefinitionRecord | null> {
    const rows = await this.db.$queryRawUnsafe<DecisionDefinitionRecord[]>(
      `SELECT ${DECISION} FROM "DecisionDefinition" WHERE "tenantId" = $1 AND "decisionId" = $2 AND "deploymentId" = $3::bigint AND "deletedAt" IS NULL
        ORDER BY version DESC LIMIT 1`,
      tenantId,
      decisionId,
      deploymentId,
    );
    return rows[0] ?? null;
  }

  async decisionById(id: Key): Promise<DecisionDefinitionRecord | null> {
    const rows = await this.db.$queryRawUnsafe<DecisionDefinitionRecord[]>(`SELECT ${DECISION} FROM "DecisionDefinition" WHERE id = $1::bigint AND "deletedAt" IS NULL`,
      id,
    );
    return rows[0] ?? null;
  }

  decisionsOf(decisionRequirementsKey: Key): Promise<DecisionDefinitionRecord[]> {
    return this.db.$queryRawUnsafe<DecisionDefinitionRecord[]>(
      `SELECT ${DECISION} FROM "DecisionDefinition" WHERE "decisionRequirementsKey" = $1::bigint AND "deletedAt" IS NULL ORDER BY id`,
      decisionRequirementsKey,
    );
  }

  async insertDecisions(rows: readonly Omit<DecisionDefinitionRecord, 'deployedAt'>[]): Promise<DecisionDefinitionRecord[]> {
    if (rows.length === 0) return [];
    await insertRows(this.db, 'DecisionDefinition', DECISION_COLUMNS, rows);
    const inserted = await this.db.$queryRawUnsafe<DecisionDefinitionRecord[]>(
      `SELECT ${DECISION} FROM "DecisionDefinition" WHERE id = ANY($1::bigint[])`,
      rows.map((r) => r.id),
    );
    const byId = new Map(inserted.map((r) => [r.id, r]));
    return rows.map((r) => byId.get(r.id) as DecisionDefinitionRecord);
  }

  listLatest(
    page: { readonly limit: number; readonly after?: { readonly decisionId: string; readonly tenantId: string } },
    tenants: TenantScope,
  ): Promise<DecisionDefinitionRecord[]> {
    return this.db.$queryRawUnsafe<DecisionDefinitionRecord[]>(
      `SELECT DISTINCT ON ("decisionId", "tenantId") ${DECISION}
         FROM "DecisionDefinition"
        WHERE "deletedAt" IS NULL
          AND ($1::text IS NULL OR ("decisionId", "tenantId") > ($1::text, $2::text))
          AND ($3::text[] IS NULL OR "tenantId" = ANY($3::text[]))
        ORDER BY "decisionId", "tenantId", version DESC
        LIMIT $4`,
      page.after?.decisionId ?? null,
      page.after?.tenantId ?? null,
      tenantParam(tenants),
      page.limit,
    );
  }

  async insertInstances(rows: readonly Omit<DecisionInstanceRecord, 'evaluatedAt'>[]): Promise<void> {
    await insertRows(this.db, 'DecisionInstance', INSTANCE_COLUMNS, rows);
  }

  searchDefinitions(query: SearchQuery<DecisionDefinitionSearchField>): Promise<DecisionDefinitionRecord[]> {
    return searchRows(this.db, DEFINITION_SEARCH, query);
  }

  countDefinitions(filter: SearchFilter<DecisionDefinitionSearchField>, cap: number): Promise<number> {
    return countRows(this.db, DEFINITION_SEARCH, filter, cap);
  }

  searchRequirements(query: SearchQuery<DecisionRequirementsSearchField>): Promise<DecisionRequirementsRecord[]> {
    return searchRows(this.db, REQUIREMENTS_SEARCH, query);
  }

  countRequirements(filter: SearchFilter<DecisionRequirementsSearchField>, cap: number): Promise<number> {
    return countRows(this.db, REQUIREMENTS_SEARCH, filter, cap);
  }

  searchInstances(query: SearchQuery<DecisionInstanceSearchField>): Promise<DecisionInstanceSearchRecord[]> {
    return searchRows(this.db, INSTANCE_SEARCH, query);
  }

  countInstances(filter: SearchFilter<DecisionInstanceSearchField>, cap: number): Promise<number> {
    return countRows(this.db, INSTANCE_SEARCH, filter, cap);
  }

  instancesOf(processInstanceId: Key): Promise<DecisionInstanceRecord[]> {
    return this.db.$queryRawUnsafe<DecisionInstanceRecord[]>(
      `SELECT ${INSTANCE} FROM "DecisionInstance" WHERE "processInstanceId" = $1::bigint ORDER BY id`,
      processInstanceId,
    );
  }
}

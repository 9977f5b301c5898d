import type {
  DecisionDefinitionRecord,
  DecisionInstanceRecord,
  DecisionRepository,
  DecisionRequirementsRecord,
  DecisionRequirementsWithXml,
  Key,
  TenantScope,
} from '@baton/runtime';
import { col, insertRows, tenantParam, type Db } from './sql';

const REQUIREMENTS = `id::text AS id, "deploymentId"::text AS "deploymentId", "tenantId", "decisionRequirementsId", version, name,
  "resourceName", hash, "deployedAt"`;

const DECISION = `id::text AS id, "deploymentId"::text AS "deploymentId", "tenantId", "decisionId", version, "versionTag", name,
  "decisionRequirementsKey"::text AS "decisionRequirementsKey", "decisionRequirementsId", "deployedAt"`;

const INSTANCE = `id::text AS id, "tenantId", "processInstanceId"::text AS "processInstanceId", "elementInstanceId"::text AS "elementInstanceId",
  "elementId", "decisionKey"::text AS "decisionKey", "decisionId", "decisionVersion", "decisionRequirementsKey"::text AS "decisionRequirementsKey",
  state, output, "failureMessage", "evaluatedDecisions", "evaluatedAt"`;

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
      `SELECT ${REQUIREMENTS} FROM "DecisionRequirements" WHERE "tenantId" = $1 AND "decisionRequirementsId" = $2 ORDER BY version DESC LIMIT 1`,
      tenantId,
      decisionRequirementsId,
    );
    return rows[0] ?? null;
  }

  async requirementsById(id: Key): Promise<DecisionRequirementsWithXml | null> {
    const rows = await this.db.$queryRawUnsafe<DecisionRequirementsWithXml[]>(
      `SELECT ${REQUIREMENTS}, xml FROM "DecisionRequirements" WHERE id = $1::bigint`,
      id,
    );
    return rows[0] ?? null;
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
      `SELECT ${DECISION} FROM "DecisionDefinition" WHERE "tenantId" = $1 AND "decisionId" = $2 ORDER BY version DESC LIMIT 1`,
      tenantId,
      decisionId,
    );
    return rows[0] ?? null;
  }

  async decisionByVersion(tenantId: string, decisionId: string, version: number): Promise<DecisionDefinitionRecord | null> {
    const rows = await this.db.$queryRawUnsafe<DecisionDefinitionRecord[]>(
      `SELECT ${DECISION} FROM "DecisionDefinition" WHERE "tenantId" = $1 AND "decisionId" = $2 AND version = $3`,
      tenantId,
      decisionId,
      version,
    );
    return rows[0] ?? null;
  }

  async decisionByVersionTag(tenantId: string, decisionId: string, versionTag: string): Promise<DecisionDefinitionRecord | null> {
    const rows = await this.db.$queryRawUnsafe<DecisionDefinitionRecord[]>(
      `SELECT ${DECISION} FROM "DecisionDefinition" WHERE "tenantId" = $1 AND "decisionId" = $2 AND "versionTag" = $3
        ORDER BY version DESC LIMIT 1`,
      tenantId,
      decisionId,
      versionTag,
    );
    return rows[0] ?? null;
  }

  async decisionInDeployment(tenantId: string, decisionId: string, deploymentId: Key): Promise<DecisionDefinitionRecord | null> {
    const rows = await this.db.$queryRawUnsafe<DecisionDefinitionRecord[]>(
      `SELECT ${DECISION} FROM "DecisionDefinition" WHERE "tenantId" = $1 AND "decisionId" = $2 AND "deploymentId" = $3::bigint
        ORDER BY version DESC LIMIT 1`,
      tenantId,
      decisionId,
      deploymentId,
    );
    return rows[0] ?? null;
  }

  async decisionById(id: Key): Promise<DecisionDefinitionRecord | null> {
    const rows = await this.db.$queryRawUnsafe<DecisionDefinitionRecord[]>(`SELECT ${DECISION} FROM "DecisionDefinition" WHERE id = $1::bigint`, id);
    return rows[0] ?? null;
  }

  decisionsOf(decisionRequirementsKey: Key): Promise<DecisionDefinitionRecord[]> {
    return this.db.$queryRawUnsafe<DecisionDefinitionRecord[]>(
      `SELECT ${DECISION} FROM "DecisionDefinition" WHERE "decisionRequirementsKey" = $1::bigint ORDER BY id`,
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
        WHERE ($1::text IS NULL OR ("decisionId", "tenantId") > ($1::text, $2::text))
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

  instancesOf(processInstanceId: Key): Promise<DecisionInstanceRecord[]> {
    return this.db.$queryRawUnsafe<DecisionInstanceRecord[]>(
      `SELECT ${INSTANCE} FROM "DecisionInstance" WHERE "processInstanceId" = $1::bigint ORDER BY id`,
      processInstanceId,
    );
  }
}

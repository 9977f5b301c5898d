import type { FormRecord, FormRepository, FormWithSchema, Key, TenantScope } from '@baton/runtime';
import { tenantParam, type Db } from './sql';

const FORM = `id::text AS id, "deploymentId"::text AS "deploymentId", "tenantId", "formId", version, "versionTag", "resourceName", hash, "deployedAt"`;

/** Deployed Camunda Forms; a deleted version keeps its row but no lookup but `byId` finds it. */
export class PgFormRepository implements FormRepository {
  constructor(private readonly db: Db) {}

  async lockFormId(tenantId: string, formId: string): Promise<void> {
    await this.db.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(hashtext($1))`, `baton:deploy-form:${tenantId}:${formId}`);
  }

  async latest(tenantId: string, formId: string): Promise<FormRecord | null> {
    return this.one<FormRecord>(
      `SELECT ${FORM} FROM "FormDefinition" WHERE "tenantId" = $1 AND "formId" = $2 AND "deletedAt" IS NULL ORDER BY version DESC LIMIT 1`,
      tenantId,
      formId,
    );
  }

  async highestVersion(tenantId: string, formId: string): Promise<number> {
    const rows = await this.db.$queryRawUnsafe<{ version: number | null }[]>(
      `SELECT max(version) AS version FROM "FormDefinition" WHERE "tenantId" = $1 AND "formId" = $2`,
      tenantId,
      formId,
    );
    return rows[0]?.version ?? 0;
  }

  async insert(row: Omit<FormWithSchema, 'deployedAt'>): Promise<FormRecord> {
    const rows = await this.db.$queryRawUnsafe<FormRecord[]>(
      `INSERT INTO "FormDefinition" (id, "deploymentId", "tenantId", "formId", version, "versionTag", "resourceName", schema, hash)
       VALUES ($1::bigint, $2::bigint, $3, $4, $5, $6, $7, $8, $9)
       RETURNING ${FORM}`,
      row.id,
      row.deploymentId,
      row.tenantId,
      row.formId,
      row.version,
      row.versionTag,
      row.resourceName,
      row.schema,
      row.hash,
    );
    return rows[0];
  }

  byId(id: Key): Promise<FormWithSchema | null> {
    return this.one<FormWithSchema>(`SELECT ${FORM}, schema FROM "FormDefinition" WHERE id = $1::bigint`, id);
  }

  byVersion(tenantId: string, formId: string, version: number): Promise<FormWithSchema | null> {
    return this.one<FormWithSchema>(
      `SELECT ${FORM}, schema FROM "FormDefinition" WHERE "tenantId" = $1 AND "formId" = $2 AND version = $3 AND "deletedAt" IS NULL`,
      tenantId,
      formId,
      version,
    );
  }

  resolve(tenantId: string, formId: string, binding: Parameters<FormRepository['resolve']>[2]): Promise<FormWithSchema | null> {
    const where =
      binding.bindingType === 'latest'
        ? { sql: `"deployedAt" <= $3::timestamptz`, value: binding.at.toISOString() }
        : binding.bindingType === 'deployment'
          ? { sql: `"deploymentId" = $3::bigint`, value: binding.deploymentId }
          : { sql: `"versionTag" = $3`, value: binding.versionTag };
    return this.one<FormWithSchema>(
      `SELECT ${FORM}, schema FROM "FormDefinition"
        WHERE "tenantId" = $1 AND "formId" = $2 AND "deletedAt" IS NULL AND ${where.sql}
        ORDER BY version DESC LIMIT 1`,
      tenantId,
      formId,
      where.value,
    );
  }

  listLatest(
    page: { readonly limit: number; readonly after?: { readonly formId: string; readonly tenantId: string } },
    tenants: TenantScope,
  ): Promise<FormRecord[]> {
    return this.db.$queryRawUnsafe<FormRecord[]>(
      `SELECT DISTINCT ON ("formId", "tenantId") ${FORM}
         FROM "FormDefinition"
        WHERE "deletedAt" IS NULL
          AND ($1::text IS NULL OR ("formId", "tenantId") > ($1::text, $2::text))
          AND ($3::text[] IS NULL OR "tenantId" = ANY($3::text[]))
        ORDER BY "formId", "tenantId", version DESC
        LIMIT $4`,
      page.after?.formId ?? null,
      page.after?.tenantId ?? null,
      tenantParam(tenants),
      page.limit,
    );
  }

  markDeleted(id: Key): Promise<FormRecord | null> {
    return this.one<FormRecord>(
      `UPDATE "FormDefinition" SET "deletedAt" = now() WHERE id = $1::bigint AND "deletedAt" IS NULL RETURNING ${FORM}`,
      id,
    );
  }

  private async one<T>(sql: string, ...values: unknown[]): Promise<T | null> {
    const rows = await this.db.$queryRawUnsafe<T[]>(sql, ...values);
    return rows[0] ?? null;
  }
}

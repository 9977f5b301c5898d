import type { Db } from './sql';

/** An API key row, never its secret (@baton/api's `ApiKeyRecord`). */
export interface ApiKeyRow {
  readonly id: string;
  readonly name: string;
  readonly permissions: readonly string[];
  readonly tenants: readonly string[];
  readonly createdAt: Date;
  readonly lastUsedAt: Date | null;
  readonly revokedAt: Date | null;
}

const COLUMNS = `id, name, permissions, tenants, "createdAt", "lastUsedAt", "revokedAt"`;

/** The "ApiKey" table (prisma/migrations/20261207100000_auth). */
export class PgApiKeyRepository {
  constructor(private readonly db: Db) {}

  async insert(record: ApiKeyRow & { readonly secretHash: string }): Promise<boolean> {
    const inserted = await this.db.$executeRawUnsafe(
      `INSERT INTO "ApiKey" (id, name, "secretHash", permissions, tenants, "createdAt")
       VALUES ($1, $2, $3, $4::text[], $5::text[], $6::timestamptz)
       ON CONFLICT (name) DO NOTHING`,
      record.id,
      record.name,
      record.secretHash,
      record.permissions,
      record.tenants,
      record.createdAt.toISOString(),
    );
    return inserted > 0;
  }

  list(): Promise<ApiKeyRow[]> {
    return this.db.$queryRawUnsafe<ApiKeyRow[]>(`SELECT ${COLUMNS} FROM "ApiKey" ORDER BY "createdAt", id`);
  }

  async find(id: string): Promise<(ApiKeyRow & { readonly secretHash: string }) | null> {
    const [row] = await this.db.$queryRawUnsafe<(ApiKeyRow & { secretHash: string })[]>(
      `SELECT ${COLUMNS}, "secretHash" FROM "ApiKey" WHERE id = $1`,
      id,
    );
    return row ?? null;
  }

  async revoke(id: string, at: Date): Promise<ApiKeyRow | null> {
    const [row] = await this.db.$queryRawUnsafe<ApiKeyRow[]>(
      `UPDATE "ApiKey" SET "revokedAt" = COALESCE("revokedAt", $2::timestamptz) WHERE id = $1 RETURNING ${COLUMNS}`,
      id,
      at.toISOString(),
    );
    return row ?? null;
  }

  async touch(id: string, at: Date, minIntervalMs: number): Promise<void> {
    await this.db.$executeRawUnsafe(
      `UPDATE "ApiKey" SET "lastUsedAt" = $2::timestamptz
        WHERE id = $1 AND ("lastUsedAt" IS NULL OR "lastUsedAt" <= $2::timestamptz - $3 * interval '1 millisecond')`,
      id,
      at.toISOString(),
      minIntervalMs,
    );
  }
}

import type { ApiKeyRecord, ApiKeyRepository } from '../../src/auth/api-keys';

/** The API key table in memory, for unit tests (the Postgres one is covered by apps/api/test/auth.e2e-spec.ts). */
export class MemoryApiKeys implements ApiKeyRepository {
  readonly rows = new Map<string, ApiKeyRecord & { secretHash: string }>();
  touches = 0;

  async insert(record: ApiKeyRecord & { secretHash: string }): Promise<boolean> {
    if ([...this.rows.values()].some((r) => r.name === record.name)) return false;
    this.rows.set(record.id, { ...record });
    return true;
  }

  async list(): Promise<ApiKeyRecord[]> {
    return [...this.rows.values()].map(({ secretHash: _h, ...r }) => r);
  }

  async find(id: string): Promise<(ApiKeyRecord & { secretHash: string }) | null> {
    return this.rows.get(id) ?? null;
  }

  async revoke(id: string, at: Date): Promise<ApiKeyRecord | null> {
    const row = this.rows.get(id);
    if (row === undefined) return null;
    const revoked = { ...row, revokedAt: row.revokedAt ?? at };
    this.rows.set(id, revoked);
    const { secretHash: _h, ...record } = revoked;
    return record;
  }

  async touch(id: string, at: Date): Promise<void> {
    this.touches++;
    const row = this.rows.get(id);
    if (row !== undefined) this.rows.set(id, { ...row, lastUsedAt: at });
  }
}

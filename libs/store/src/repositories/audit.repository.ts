import type { Db } from './sql';

export interface AuditRow {
  readonly id: string;
  readonly at: Date;
  readonly principal: string;
  readonly via: string;
  readonly tenants: readonly string[];
  readonly method: string;
  readonly route: string;
  readonly targetId: string | null;
  readonly status: number;
}

export interface AuditFilter {
  readonly principal?: string;
  readonly route?: string;
  readonly from?: Date;
  readonly to?: Date;
  /** Entries older than this id (the cursor of the previous page). */
  readonly before?: string;
  readonly limit: number;
}

/** The "AuditEntry" table (prisma/migrations/20261207100000_auth). */
export class PgAuditRepository {
  constructor(private readonly db: Db) {}

  async insert(entry: Omit<AuditRow, 'id'>): Promise<void> {
    await this.db.$executeRawUnsafe(
      `INSERT INTO "AuditEntry" (at, principal, via, tenants, method, route, "targetId", status)
       VALUES ($1::timestamptz, $2, $3, $4::text[], $5, $6, $7, $8)`,
      entry.at.toISOString(),
      entry.principal,
      entry.via,
      entry.tenants,
      entry.method,
      entry.route,
      entry.targetId,
      entry.status,
    );
  }

  /** Newest first. */
  list(filter: AuditFilter): Promise<AuditRow[]> {
    const where: string[] = [];
    const values: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      values.push(value);
      where.push(sql.replace('?', `$${values.length}`));
    };
    if (filter.principal !== undefined) add('principal = ?', filter.principal);
    if (filter.route !== undefined) add('route = ?', filter.route);
    if (filter.from !== undefined) add('at >= ?::timestamptz', filter.from.toISOString());
    if (filter.to !== undefined) add('at < ?::timestamptz', filter.to.toISOString());
    if (filter.before !== undefined) add('id < ?::bigint', filter.before);
    values.push(filter.limit);
    return this.db.$queryRawUnsafe<AuditRow[]>(
      `SELECT id::text AS id, at, principal, via, tenants, method, route, "targetId", status
         FROM "AuditEntry" ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY id DESC LIMIT $${values.length}`,
      ...values,
    );
  }

  purgeBefore(at: Date): Promise<number> {
    return this.db.$executeRawUnsafe(`DELETE FROM "AuditEntry" WHERE at < $1::timestamptz`, at.toISOString());
  }
}

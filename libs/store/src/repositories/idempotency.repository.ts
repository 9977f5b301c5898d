import { ALL_NODES, type IdempotencyRepository, type Key, type KeyNodeRepository, type NodeRange } from '@baton/runtime';
import type { Db } from './sql';

export class PgIdempotencyRepository implements IdempotencyRepository {
  constructor(private readonly db: Db) {}

  async claim(record: { scope: string; key: string; resourceId: Key; answer: unknown; expiresAt: Date }): Promise<unknown | null> {
    // ON CONFLICT waits for a concurrent insert of the same key to commit, then sees it:
    // the second of two concurrent requests gets the first one's answer.
    const inserted = await this.db.$queryRawUnsafe<{ answer: unknown }[]>(
      `INSERT INTO "IdempotencyRecord" (scope, key, "resourceId", answer, "expiresAt")
       VALUES ($1, $2, $3::bigint, $4::jsonb, $5::timestamptz)
       ON CONFLICT (scope, key) DO UPDATE SET "resourceId" = EXCLUDED."resourceId", answer = EXCLUDED.answer,
          "expiresAt" = EXCLUDED."expiresAt", "createdAt" = now()
        WHERE "IdempotencyRecord"."expiresAt" <= now()
       RETURNING answer`,
      record.scope,
      record.key,
      record.resourceId,
      JSON.stringify(record.answer),
      record.expiresAt.toISOString(),
    );
    if (inserted.length > 0) return null;
    const [earlier] = await this.db.$queryRawUnsafe<{ answer: unknown }[]>(
      `SELECT answer FROM "IdempotencyRecord" WHERE scope = $1 AND key = $2`,
      record.scope,
      record.key,
    );
    return earlier?.answer ?? null;
  }

  purgeExpired(): Promise<number> {
    return this.db.$executeRawUnsafe(`DELETE FROM "IdempotencyRecord" WHERE "expiresAt" <= now()`);
  }
}

export class PgKeyNodeRepository implements KeyNodeRepository {
  constructor(private readonly db: Db) {}

  async claim(owner: string, leaseMs: number, nodes: NodeRange = ALL_NODES): Promise<number | null> {
    // Two processes may pick the same free node: the INSERT of one wins, the other's ON CONFLICT
    // finds a live lease and returns nothing, and it tries again.
    for (let attempt = 0; attempt < 20; attempt++) {
      const rows = await this.db.$queryRawUnsafe<{ node: number }[]>(
        `WITH free AS (
           SELECT n FROM generate_series($3::int, $4::int) AS n
            WHERE NOT EXISTS (SELECT 1 FROM "KeyNode" k WHERE k.node = n AND k."leaseUntil" > now())
            ORDER BY n LIMIT 1)
         INSERT INTO "KeyNode" (node, owner, "leaseUntil")
         SELECT n, $1, now() + $2 * interval '1 millisecond' FROM free
         ON CONFLICT (node) DO UPDATE SET owner = EXCLUDED.owner, "leaseUntil" = EXCLUDED."leaseUntil"
          WHERE "KeyNode"."leaseUntil" <= now()
         RETURNING node`,
        owner,
        leaseMs,
        nodes.from,
        nodes.to,
      );
      if (rows.length > 0) return rows[0].node;
      const free = await this.db.$queryRawUnsafe<unknown[]>(
        `SELECT 1 FROM "KeyNode" WHERE "leaseUntil" > now() AND node BETWEEN $1::int AND $2::int HAVING count(*) > $2::int - $1::int`,
        nodes.from,
        nodes.to,
      );
      if (free.length > 0) return null;
    }
    return null;
  }

  async renew(node: number, owner: string, leaseMs: number): Promise<boolean> {
    const changed = await this.db.$executeRawUnsafe(
      `UPDATE "KeyNode" SET "leaseUntil" = now() + $3 * interval '1 millisecond' WHERE node = $1 AND owner = $2`,
      node,
      owner,
      leaseMs,
    );
    return changed > 0;
  }

  async release(node: number, owner: string): Promise<void> {
    await this.db.$executeRawUnsafe(`DELETE FROM "KeyNode" WHERE node = $1 AND owner = $2`, node, owner);
  }
}

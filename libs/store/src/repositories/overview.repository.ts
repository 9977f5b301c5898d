import { KEY_EPOCH_MS, type NodeLeaseRow, type OverviewCounts, type OverviewRepository, type TenantScope, type ThroughputRow } from '@baton/runtime';
import type { PrismaClient } from '../generated/prisma/client';
import { classify } from './pg-runtime-store';
import type { Db } from './sql';

const STATES = ['ACTIVE', 'SUSPENDED', 'COMPLETED', 'CANCELED'] as const;

/**
 * The overview's reads. Nothing here counts a whole table: each count reads
 * at most its bound + 1 entries of an index that matches it (instances by
 * `(status, id)`, or `(tenantId, status, id)` for a tenant-confined caller;
 * open incidents by the partial index of open incidents; activatable jobs by
 * `(state, lockExpiresAt)`); throughput reads the instances started in the
 * last hour as a range of the key index (keys carry their creation time) and
 * those ended in it from `(endedAt, id)`, so it costs in proportion to the
 * hour's starts and ends; job workers are the live leases of
 * `(state, lockExpiresAt)`.
 */
export class PgOverviewRepository implements OverviewRepository {
  private readonly db: Db;

  constructor(prisma: PrismaClient | Db) {
    this.db = {
      $queryRawUnsafe: <T>(query: string, ...values: unknown[]) =>
        prisma.$queryRawUnsafe<T>(query, ...values).catch((e: unknown) => Promise.reject(classify(e))),
      $executeRawUnsafe: (query: string, ...values: unknown[]) =>
        prisma.$executeRawUnsafe(query, ...values).catch((e: unknown) => Promise.reject(classify(e))),
    };
  }

  async counts(tenants: TenantScope, caps: { readonly live: number; readonly ended: number }): Promise<OverviewCounts> {
    const bound = Math.max(1, Math.floor(caps.live));
    const endedBound = Math.max(1, Math.floor(caps.ended));
    // $1 the tenants (only when confined), then the bounds.
    const values: unknown[] = tenants === undefined ? [] : [[...tenants]];
    const limit = `$${values.length + 1}::int`;
    const endedLimit = `$${values.length + 2}::int`;
    values.push(bound + 1, endedBound + 1);
    const inTenant = (alias: string) => (tenants === undefined ? '' : ` AND ${alias}."tenantId" = ANY($1::text[])`);
    const bounded = (from: string, by = limit) => `(SELECT count(*)::int FROM (SELECT 1 FROM ${from} LIMIT ${by}) s)`;
    const ended = (state: string) => state === 'COMPLETED' || state === 'CANCELED';
    const [row] = await this.db.$queryRawUnsafe<Record<string, number>[]>(
      `SELECT ${STATES.map((s) => `${bounded(`"ProcessInstance" p WHERE p.status = '${s}'${inTenant('p')}`, ended(s) ? endedLimit : limit)} AS "${s}"`).join(', ')},
              (SELECT count(*)::int FROM (SELECT DISTINCT i."instanceId" FROM "Incident" i WHERE i."resolvedAt" IS NULL${inTenant('i')} LIMIT ${limit}) s) AS "withIncident",
              ${bounded(`"Incident" i WHERE i."resolvedAt" IS NULL${inTenant('i')}`)} AS "incidents",
              ${bounded(`"Job" j WHERE j.state = 'ACTIVATABLE'${inTenant('j')}`)} AS "backlog"`,
      ...values,
    );
    const [byType, workers] = await Promise.all([
      this.db.$queryRawUnsafe<{ type: string; count: number }[]>(
        `SELECT type, count(*)::int AS count
           FROM (SELECT j.type FROM "Job" j WHERE j.state = 'ACTIVATABLE'${inTenant('j')} LIMIT ${limit}) s
          GROUP BY type ORDER BY count DESC, type LIMIT 20`,
        ...values.slice(0, values.length - 1),
      ),
      this.db.$queryRawUnsafe<{ worker: string; types: string[]; jobs: number }[]>(
        `SELECT COALESCE(j."workerId", '') AS worker, array_agg(DISTINCT j.type ORDER BY j.type) AS types, count(*)::int AS jobs
           FROM "Job" j
          WHERE j.state = 'ACTIVATED' AND j."lockExpiresAt" > now()${inTenant('j')}
          GROUP BY 1 ORDER BY jobs DESC, worker LIMIT 50`,
        ...values.slice(0, values.length - 2),
      ),
    ]);
    const of = (n: number, b = bound) => ({ count: Math.min(n, b), capped: n > b });
    return {
      instances: {
        ACTIVE: of(row.ACTIVE),
        SUSPENDED: of(row.SUSPENDED),
        COMPLETED: of(row.COMPLETED, endedBound),
        CANCELED: of(row.CANCELED, endedBound),
      },
      instancesWithIncident: of(row.withIncident),
      openIncidents: of(row.incidents),
      jobBacklog: of(row.backlog),
      jobBacklogByType: byType,
      jobWorkers: workers,
    };
  }

  async throughput(tenants: TenantScope, since: Date): Promise<ThroughputRow[]> {
    const values: unknown[] = [since.toISOString(), Math.max(0, since.getTime() - KEY_EPOCH_MS)];
    const inTenant = tenants === undefined ? '' : ` AND p."tenantId" = ANY($3::text[])`;
    if (tenants !== undefined) values.push([...tenants]);
    const rows = await this.db.$queryRawUnsafe<{ minute: Date; started: number; completed: number; canceled: number }[]>(
      // A start counts in the minute of its key (the time it carries, ms since KEY_EPOCH_MS, a few ms
      // before its startedAt): a range of the key index answers it without reading rows (but for the
      // tenant of each, for a caller confined to some). Ends come from the (endedAt, id) index.
      `SELECT minute, sum(started)::int AS started, sum(completed)::int AS completed, sum(canceled)::int AS canceled
         FROM (SELECT to_timestamp((((p.id >> 22) / 60000) * 60000 + ${KEY_EPOCH_MS})::double precision / 1000) AS minute,
                      count(*) AS started, 0 AS completed, 0 AS canceled
                 FROM "ProcessInstance" p
                WHERE p.id >= ($2::bigint << 22)${inTenant}
                GROUP BY 1
               UNION ALL
               SELECT date_trunc('minute', p."endedAt"), 0, count(*) FILTER (WHERE p.status = 'COMPLETED'), count(*) FILTER (WHERE p.status = 'CANCELED')
                 FROM "ProcessInstance" p
                WHERE p."endedAt" >= $1::timestamptz${inTenant}
                GROUP BY 1) t
        GROUP BY minute ORDER BY minute`,
      ...values,
    );
    return rows.map((r) => ({ ...r, minute: new Date(r.minute) }));
  }

  async liveNodes(): Promise<NodeLeaseRow[]> {
    const rows = await this.db.$queryRawUnsafe<NodeLeaseRow[]>(
      `SELECT node, owner, "leaseUntil" FROM "KeyNode" WHERE "leaseUntil" > now() ORDER BY node`,
    );
    return rows.map((r) => ({ ...r, leaseUntil: new Date(r.leaseUntil) }));
  }
}

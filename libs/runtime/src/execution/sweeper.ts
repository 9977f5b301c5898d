import type { PrismaClient } from '@baton/store';
import { inTransaction } from './bulk-sql';
import type { RuntimeLogger, WorkPublisher } from './batch-processor';

/**
 * Finds work that fell between the cracks — a transaction committed but its
 * publish was lost (crash, broker outage) — and queues it again. An instance
 * carries `pendingSince` from the commit that gave it work until a worker
 * consumed that work; one older than the interval is overdue. Every worker
 * sweeps; `SKIP LOCKED` and the refreshed `pendingSince` keep them from
 * queueing one instance twice, and a duplicate would be harmless anyway: a
 * work item is only a hint.
 */
export class Sweeper {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly publisher: WorkPublisher,
    private readonly options: { intervalSeconds: number; limit?: number; logger: RuntimeLogger },
  ) {}

  /**
   * One pass; returns how many instances were queued again. Each picked
   * instance gets a fresh `pendingSince`, so a backlog is re-queued at most
   * once per interval instead of at every pass.
   */
  async sweepOnce(): Promise<number> {
    const rows = await inTransaction(this.prisma, (tx) =>
      tx.$queryRawUnsafe<{ id: string }[]>(
        // Overdue: work committed long ago and not consumed, or inbox events nobody picked up
        // (fired timers add events without touching the instance row).
        `WITH candidates AS (
           (SELECT id FROM "ProcessInstance"
             WHERE "pendingSince" < now() - make_interval(secs => $1) AND status = 'ACTIVE'
             ORDER BY "pendingSince" LIMIT $2)
           UNION
           (SELECT "instanceId" FROM "InstanceEvent"
             WHERE "createdAt" < now() - make_interval(secs => $1)
             GROUP BY "instanceId" LIMIT $2)
         ), picked AS (
           SELECT p.id FROM "ProcessInstance" p JOIN candidates c ON c.id = p.id
            WHERE p.status = 'ACTIVE'
              AND (p."pendingSince" IS NULL OR p."pendingSince" < now() - make_interval(secs => $1))
            FOR UPDATE OF p SKIP LOCKED)
         UPDATE "ProcessInstance" p SET "pendingSince" = now() FROM picked WHERE p.id = picked.id
     RETURNING p.id`,
        this.options.intervalSeconds,
        this.options.limit ?? 1000,
      ),
    );
    if (rows.length > 0) {
      await this.publisher.publish(rows.map((r) => ({ instanceId: r.id })));
      this.options.logger.warn(`sweeper re-queued ${rows.length} instance(s) with overdue work`);
    }
    return rows.length;
  }

  /** Runs `sweepOnce` every interval until the returned stop function is called. */
  start(): () => Promise<void> {
    let running: Promise<unknown> = Promise.resolve();
    const timer = setInterval(() => {
      running = this.sweepOnce().catch((e: unknown) =>
        this.options.logger.warn(`sweeper pass failed: ${(e as Error).message}`),
      );
    }, this.options.intervalSeconds * 1000);
    timer.unref();
    return async () => {
      clearInterval(timer);
      await running;
    };
  }
}

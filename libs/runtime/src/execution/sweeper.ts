import type { PrismaClient } from '@baton/store';
import type { RuntimeLogger, WorkPublisher } from './batch-processor';

/**
 * Finds work that fell between the cracks — a transaction committed but its
 * publish was lost (crash, broker outage) — and queues it again. An instance
 * carries `pendingSince` from the commit that gave it work until a worker
 * consumed that work; one older than the interval is overdue. One sweeper at a
 * time across all workers (a transaction-scoped advisory lock); duplicates are
 * harmless anyway, a work item is only a hint.
 */
export class Sweeper {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly publisher: WorkPublisher,
    private readonly options: { intervalSeconds: number; limit?: number; logger: RuntimeLogger },
  ) {}

  /** One pass; returns how many instances were queued again. */
  async sweepOnce(): Promise<number> {
    const ids = await this.prisma.$transaction(async (tx) => {
      const [{ locked }] = await tx.$queryRawUnsafe<{ locked: boolean }[]>(
        `SELECT pg_try_advisory_xact_lock(hashtext('baton:sweeper')) AS locked`,
      );
      if (!locked) return [];
      const rows = await tx.$queryRawUnsafe<{ id: string }[]>(
        `SELECT id FROM "ProcessInstance"
          WHERE "pendingSince" IS NOT NULL AND "pendingSince" < now() - make_interval(secs => $1)
            AND status = 'ACTIVE'
          ORDER BY "pendingSince" LIMIT $2`,
        this.options.intervalSeconds,
        this.options.limit ?? 1000,
      );
      return rows.map((r) => r.id);
    });
    if (ids.length > 0) {
      await this.publisher.publish(ids.map((instanceId) => ({ instanceId })));
      this.options.logger.warn(`sweeper re-queued ${ids.length} instance(s) with overdue work`);
    }
    return ids.length;
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

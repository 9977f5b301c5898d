import type { Provider } from '@nestjs/common';
import { Queue, Worker, type ConnectionOptions } from 'bullmq';
import type { Settings } from '@baton/config';
import { BatonMetrics } from '@baton/metrics';
import { InProcessRetentionSchedule, RetentionService, type RetentionSchedule } from '@baton/runtime';
import { PgRetentionRepository, PrismaClient } from '@baton/store';
import { batchQueuePrefix, jobCountsOf } from './batch-queue';
import { nestLogger } from './host-loggers';

/** The BullMQ queue of retention passes. */
export const RETENTION_QUEUE = 'baton-retention';

/** The one job scheduler of retention passes in the retention queue. */
export const RETENTION_SCHEDULER_ID = 'retention-pass';

/**
 * Retention passes as a BullMQ job scheduler (README "Operate"): every
 * worker upserts the same scheduler id, so Redis holds one schedule however
 * many workers start, and it makes one job per RETENTION_INTERVAL; the one
 * worker that takes the job runs the pass. A worker that dies mid-pass loses
 * its lock and BullMQ hands the job to another, which starts the pass over
 * (a pass deletes only what is due, so running it twice deletes nothing twice).
 */
export class BullMqRetentionSchedule implements RetentionSchedule {
  /** Opened by `start`: processes that run no passes (API replicas) hold no connection. */
  private queue?: Queue;
  private worker?: Worker;
  private closing?: Promise<void>;
  private readonly logger = nestLogger('Retention');

  constructor(
    private readonly options: { url: string; name: string; prefix: string; intervalMs: number; connectionName: string },
  ) {}

  async start(pass: () => Promise<void>): Promise<void> {
    if (this.queue !== undefined) return;
    this.queue = new Queue(this.options.name, { connection: this.connection(), prefix: this.options.prefix });
    this.queue.on('error', (e) => this.logger.warn(`queue: ${e.message}`));
    this.worker = new Worker(this.options.name, async () => pass(), {
      connection: this.connection(),
      prefix: this.options.prefix,
      concurrency: 1,
    });
    this.worker.on('error', (e) => this.logger.warn(`worker: ${e.message}`));
    this.worker.on('failed', (_job, e) => this.logger.warn(`retention pass failed: ${e.message}`));
    // Every worker upserts the same id with the same interval: one schedule in Redis.
    await this.queue.upsertJobScheduler(
      RETENTION_SCHEDULER_ID,
      { every: this.options.intervalMs },
      { name: 'pass', opts: { removeOnComplete: true, removeOnFail: true } },
    );
  }

  /** The retention queue's jobs by state; null until `start` opened it (processes that run no passes). */
  async jobCounts(): Promise<Readonly<Record<string, number>> | null> {
    return this.queue === undefined ? null : jobCountsOf(this.queue);
  }

  async close(): Promise<void> {
    this.closing ??= (async () => {
      await this.worker?.close();
      await this.queue?.close();
    })();
    await this.closing;
  }

  /** Removes the queue and its schedule from Redis (tests). */
  async drop(): Promise<void> {
    await this.worker?.close();
    await this.queue?.obliterate({ force: true });
    await this.queue?.close();
  }

  private connection(): ConnectionOptions {
    return { url: this.options.url, connectionName: this.options.connectionName, maxRetriesPerRequest: null };
  }
}

/** BullMQ when REDIS_URL is set (one pass per interval across workers), a timer in process otherwise. */
export function createRetentionSchedule(settings: Settings, appName: string): RetentionSchedule {
  if (settings.REDIS_URL !== undefined) {
    return new BullMqRetentionSchedule({
      url: settings.REDIS_URL,
      name: RETENTION_QUEUE,
      prefix: batchQueuePrefix(settings),
      intervalMs: settings.RETENTION_INTERVAL * 1000,
      connectionName: `baton-${appName}-retention`,
    });
  }
  const logger = nestLogger('Retention');
  return new InProcessRetentionSchedule(settings.RETENTION_INTERVAL * 1000, (e) => logger.warn(`retention pass failed: ${e.message}`));
}

/**
 * Runs retention passes in the processes that run operational work (workers,
 * `npm start`), when a retention is set: the schedule decides when, the
 * service deletes, the metrics count the rows.
 */
export class RetentionRunner {
  private started = false;
  private stopping = false;
  private readonly logger = nestLogger('Retention');

  constructor(
    private readonly service: RetentionService,
    private readonly schedule: RetentionSchedule,
  ) {}

  /**
   * Does not wait for the schedule: with Redis away, BullMQ's commands wait
   * for it to come back, and the worker's other loops must not.
   */
  start(): void {
    if (this.started || !this.service.enabled) return;
    this.started = true;
    const pass = async () => {
      const started = Date.now();
      const report = await this.service.runPass(() => this.stopping);
      const rows = Object.values(report.deleted).reduce((a, b) => a + b, 0);
      if (rows > 0) {
        this.logger.log(`retention pass: ${report.instances} instance(s) and ${rows} row(s) deleted in ${report.chunks} chunk(s), ${Date.now() - started} ms`);
      }
    };
    this.schedule.start(pass).catch((e: unknown) => this.logger.warn(`scheduling retention passes failed: ${(e as Error).message}`));
  }

  /** Before the host closes the store: a running pass ends after its chunk, none starts. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.schedule.close();
  }
}

/** Retention (README "Operate"): its repository, service, schedule and runner. */
export function retentionProviders(settings: Settings, appName: string): Provider[] {
  return [
    {
      provide: RetentionRunner,
      useFactory: (prisma: PrismaClient, metrics: BatonMetrics) => {
        const schedule = createRetentionSchedule(settings, appName);
        // Samples only where passes run (the queue is opened by `start`).
        if (schedule instanceof BullMqRetentionSchedule) metrics.watchJobQueue(RETENTION_QUEUE, () => schedule.jobCounts());
        return new RetentionRunner(
          new RetentionService(new PgRetentionRepository(prisma), {
            instanceRetentionMs: settings.INSTANCE_RETENTION,
            historyRetentionMs: settings.HISTORY_RETENTION,
            chunkSize: settings.RETENTION_CHUNK,
            onChunk: metrics.onRetentionDeleted,
          }),
          schedule,
        );
      },
      inject: [PrismaClient, BatonMetrics],
    },
  ];
}

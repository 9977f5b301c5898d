import { Queue, Worker, type ConnectionOptions } from 'bullmq';
import type { Settings } from '@baton/config';
import { chunkId, InProcessBatchQueue, type BatchChunk, type BatchQueue } from '@baton/runtime';
import { databaseTarget } from '@baton/store';
import { nestLogger } from './host-loggers';

/**
 * The batch operations' chunk jobs on BullMQ (Redis). A chunk's job id is
 * `<batchKey>-<chunk>`, so queueing it again while it waits or runs adds
 * nothing (the workers' sweep relies on that). A worker holds a running job
 * with a lock it renews; when it dies the lock lapses after `lockMs` and
 * BullMQ hands the job to another worker, which applies only the items
 * still PENDING in the store.
 */
export class BullMqBatchQueue implements BatchQueue {
  private readonly queue: Queue;
  private worker?: Worker;
  private closing?: Promise<void>;
  private readonly logger = nestLogger('BatchQueue');

  constructor(
    private readonly options: {
      url: string;
      name: string;
      prefix: string;
      concurrency: number;
      lockMs: number;
      connectionName: string;
    },
  ) {
    this.queue = new Queue(options.name, { connection: this.connection(), prefix: options.prefix });
    this.queue.on('error', (e) => this.logger.warn(`queue: ${e.message}`));
  }

  async enqueue(chunks: readonly BatchChunk[]): Promise<void> {
    if (chunks.length === 0) return;
    await this.queue.addBulk(
      chunks.map((chunk) => ({
        name: 'chunk',
        data: chunk,
        opts: {
          jobId: chunkId(chunk),
          // Gone once done, so the sweep can queue a chunk again if the store says it still has work.
          removeOnComplete: true,
          removeOnFail: true,
          attempts: 5,
          backoff: { type: 'exponential', delay: 1_000 },
        },
      })),
    );
  }

  consume(handler: (chunk: BatchChunk) => Promise<void>): void {
    if (this.worker !== undefined) return;
    this.worker = new Worker<BatchChunk>(this.options.name, async (job) => handler(job.data), {
      connection: this.connection(),
      prefix: this.options.prefix,
      concurrency: this.options.concurrency,
      lockDuration: this.options.lockMs,
      // Look for jobs of dead workers as often as their locks can lapse.
      stalledInterval: Math.max(1_000, Math.floor(this.options.lockMs / 2)),
      maxStalledCount: 100,
    });
    this.worker.on('error', (e) => this.logger.warn(`worker: ${e.message}`));
    this.worker.on('failed', (job, e) =>
      this.logger.warn(`chunk ${job?.id ?? '?'} failed: ${e.message}`),
    );
  }

  async depth(): Promise<number | null> {
    try {
      const counts = await this.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      return Object.values(counts).reduce((a, b) => a + b, 0);
    } catch {
      return null;
    }
  }

  async jobCounts(): Promise<Readonly<Record<string, number>>> {
    return jobCountsOf(this.queue);
  }

  async close(): Promise<void> {
    this.closing ??= (async () => {
      await this.worker?.close();
      await this.queue.close();
    })();
    await this.closing;
  }

  /** Removes the queue and every job of it from Redis (tests). */
  async drop(): Promise<void> {
    await this.worker?.close();
    await this.queue.obliterate({ force: true });
    await this.queue.close();
  }

  /** Nest calls this at shutdown (the queue is a host provider). */
  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  private connection(): ConnectionOptions {
    // BullMQ's workers block on Redis: they must not give up on a command.
    return {
      url: this.options.url,
      connectionName: this.options.connectionName,
      maxRetriesPerRequest: null,
    };
  }
}

/** The job counts `baton_queue_jobs` reports: waiting (prioritized ones included), active, delayed, failed. */
export async function jobCountsOf(queue: Queue): Promise<Readonly<Record<string, number>>> {
  const counts = await queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'failed');
  return {
    waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0),
    active: counts.active ?? 0,
    delayed: counts.delayed ?? 0,
    failed: counts.failed ?? 0,
  };
}

/** The in-process queue as a host provider (closed at shutdown). */
class HostInProcessBatchQueue extends InProcessBatchQueue {
  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }
}

/** BullMQ when REDIS_URL is set, otherwise the in-process queue (embedded mode). */
export function createBatchQueue(settings: Settings, appName: string): BatchQueue {
  if (settings.REDIS_URL !== undefined) {
    return new BullMqBatchQueue({
      url: settings.REDIS_URL,
      name: settings.BATCH_QUEUE,
      prefix: batchQueuePrefix(settings),
      concurrency: settings.BATCH_CONCURRENCY,
      lockMs: settings.BATCH_LOCK_MS,
      connectionName: `baton-${appName}-batches`,
    });
  }
  const logger = nestLogger('BatchQueue');
  return new HostInProcessBatchQueue(settings.BATCH_CONCURRENCY, (chunk, e) =>
    logger.warn(`chunk ${chunkId(chunk)} failed: ${e.message}`),
  );
}

/** Chunks name batches of one database: deployments (and test suites) sharing a Redis keep their queues apart. */
export function batchQueuePrefix(settings: Settings): string {
  if (settings.DATABASE_URL === undefined) return 'baton-bull';
  const target = databaseTarget(settings.DATABASE_URL);
  const database = new URL(target.connectionString).pathname.replace(/^\//, '') || 'postgres';
  return `baton-bull:${database}:${target.schema ?? 'public'}`;
}

import { Redis } from 'ioredis';
import type { TokenBus } from '@baton/bus';
import type { Settings } from '@baton/config';
import { ErrorKind, type BatonMetrics, type StoreCounts } from '@baton/metrics';
import {
  BatchProcessor,
  RuntimeError,
  type BatchProcessorOptions,
  type BatchReport,
  type DefinitionRegistry,
  type ProcessOptions,
  type RuntimeLogger,
  type WorkPublisher,
} from '@baton/runtime';
import type { PrismaClient } from '@baton/store';
import type { ReadinessCheck } from './readiness';
import type { Store } from './store';

/**
 * The batch processor, counting batches that roll back as
 * `baton_errors_total{kind="batch_failed"}`. A RuntimeError is an API
 * command's answer (404/409/422 from a guard), not a failure, and is not counted.
 */
export class ObservedBatchProcessor extends BatchProcessor {
  constructor(
    prisma: PrismaClient,
    registry: DefinitionRegistry,
    publisher: WorkPublisher,
    options: BatchProcessorOptions,
    private readonly metrics: BatonMetrics,
  ) {
    super(prisma, registry, publisher, options);
  }

  override async process(
    instanceIds: readonly string[],
    options?: ProcessOptions,
  ): Promise<BatchReport> {
    try {
      return await super.process(instanceIds, options);
    } catch (e) {
      if (!(e instanceof RuntimeError)) this.metrics.error(ErrorKind.BatchFailed);
      throw e;
    }
  }
}

/**
 * A runtime logger that also counts what it reports as errors. The runtime
 * says "could not step this instance" and "published nothing, the sweeper
 * will" only through its logger; `classify` names the kind of a line, or
 * undefined for lines that are not failures.
 */
export function countingLogger(
  logger: RuntimeLogger,
  metrics: BatonMetrics,
  classify: (level: 'warn' | 'error', message: string) => ErrorKind | undefined,
): RuntimeLogger {
  return {
    log: (message) => logger.log(message),
    warn: (message) => {
      const kind = classify('warn', message);
      if (kind !== undefined) metrics.error(kind);
      logger.warn(message);
    },
    error: (message) => {
      const kind = classify('error', message);
      if (kind !== undefined) metrics.error(kind);
      logger.error(message);
    },
  };
}

/** Publishing failures are warnings in every runtime class ("publishing ... failed, the sweeper will ..."). */
export const classifyRuntimeLine = (
  level: 'warn' | 'error',
  message: string,
): ErrorKind | undefined => {
  if (level === 'error') return ErrorKind.StepFailed;
  return message.startsWith('publishing ') ? ErrorKind.PublishFailed : undefined;
};

/**
 * The counts behind `baton_active_instances` and `baton_incidents_open`, in
 * one read-only transaction whose statements the database itself stops after
 * `timeoutMs`, so a slow count never holds a pool connection for long.
 */
export function storeCounts(prisma: PrismaClient, timeoutMs = 2_000): () => Promise<StoreCounts> {
  return async () => {
    const [, active, incidents] = await prisma.$transaction([
      prisma.$executeRawUnsafe(
        `SET LOCAL statement_timeout = ${Math.max(1, Math.floor(timeoutMs))}`,
      ),
      prisma.$queryRawUnsafe<{ processKey: string; count: number }[]>(
        `SELECT "processKey", count(*)::int AS count FROM "ProcessInstance" WHERE status = 'ACTIVE' GROUP BY 1`,
      ),
      prisma.$queryRawUnsafe<{ type: string; count: number }[]>(
        `SELECT type, count(*)::int AS count FROM "Incident" WHERE "resolvedAt" IS NULL GROUP BY 1`,
      ),
    ]);
    return { activeInstances: active, openIncidents: incidents };
  };
}

/**
 * The dependencies `/health/ready` asks, each with a timeout: Postgres
 * always, Redis and RabbitMQ when configured. Redis gets a connection of its
 * own for a real PING (the definition cache hides outages by design);
 * RabbitMQ is asked for the queue depth, a round trip on the bus's own
 * channel.
 */
export class HostReadiness {
  readonly checks: ReadinessCheck[];
  private readonly redis?: Redis;

  constructor(settings: Settings, store: Store, bus: TokenBus, appName: string) {
    this.checks = [{ name: 'postgres', timeoutMs: 2_000, check: () => store.ping(2_000) }];
    if (settings.REDIS_URL !== undefined) {
      const redis = new Redis(settings.REDIS_URL, {
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        commandTimeout: 1_000,
        connectTimeout: 2_000,
        connectionName: `baton-${appName}-readiness`,
      });
      // Outages are reported by the readiness answer (and by the cache); reconnects are ioredis's business.
      redis.on('error', () => undefined);
      this.redis = redis;
      this.checks.push({
        name: 'redis',
        timeoutMs: 1_500,
        check: async () => {
          if (redis.status !== 'ready') throw new Error(`not connected (${redis.status})`);
          await redis.ping();
        },
      });
    }
    if (settings.RABBITMQ_URL !== undefined) {
      this.checks.push({
        name: 'rabbitmq',
        timeoutMs: 2_500,
        check: async () => void (await bus.depth()),
      });
    }
  }

  close(): void {
    this.redis?.disconnect();
  }
}

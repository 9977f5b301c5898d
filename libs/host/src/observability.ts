import { Redis } from 'ioredis';
import type { TokenBus } from '@baton/bus';
import type { Settings } from '@baton/config';
import { ErrorKind, type BatonMetrics, type StoreCounts } from '@baton/metrics';
import { FailureKind, type RuntimeLogger, type RuntimeObserver } from '@baton/runtime';
import type { PrismaClient } from '@baton/store';
import type { ReadinessCheck } from './readiness';
import type { Store } from './store';

/** `baton_errors_total{kind}` for each kind of runtime failure. */
const ERROR_KINDS: Record<FailureKind, ErrorKind> = {
  [FailureKind.BatchFailed]: ErrorKind.BatchFailed,
  [FailureKind.StepFailed]: ErrorKind.StepFailed,
  [FailureKind.StepIsolated]: ErrorKind.StepIsolated,
  [FailureKind.PublishFailed]: ErrorKind.PublishFailed,
  [FailureKind.StartFailed]: ErrorKind.StartFailed,
  [FailureKind.TimerFailed]: ErrorKind.TimerFailed,
  [FailureKind.SweepFailed]: ErrorKind.SweepFailed,
  [FailureKind.JobHandlerFailed]: ErrorKind.JobHandlerFailed,
  [FailureKind.KeyLeaseFailed]: ErrorKind.KeyLeaseFailed,
  [FailureKind.StoreUnavailable]: ErrorKind.StoreUnavailable,
};

/**
 * The runtime's typed events as metrics (`baton_*`) and as log lines: the
 * one place failures are counted, by kind, whatever a log line says.
 */
export function runtimeObserver(metrics: BatonMetrics, logger: RuntimeLogger): RuntimeObserver {
  return {
    batchCommitted: (report) =>
      metrics.onBatch({
        ...report,
        completed: report.completed.map((c) => ({ processKey: c.bpmnProcessId, startedAt: c.startedAt })),
        canceled: report.canceled.map((c) => ({ processKey: c.bpmnProcessId })),
        started: report.started.map((s) => ({ processKey: s.bpmnProcessId })),
      }),
    instancesStarted: (ids) => {
      for (const id of ids) metrics.onInstanceStarted(id);
    },
    jobOutcome: (type, outcome) => metrics.onJobOutcome(type, outcome),
    batchChunk: (report) => metrics.onBatchChunk(report.type, report.completed, report.failed),
    timersFired: (lateness) => metrics.onTimersFired(lateness),
    definitionLookup: (result) => metrics.onDefinitionLookup(result),
    swept: (count) => logger.warn(`sweeper re-queued ${count} instance(s) with overdue work`),
    failure: (kind, detail, error) => {
      metrics.error(ERROR_KINDS[kind]);
      const reason = error instanceof Error && !detail.includes(error.message) ? `: ${error.message}` : '';
      if (kind === FailureKind.PublishFailed || kind === FailureKind.StoreUnavailable) logger.warn(`${detail}${reason}`);
      else logger.error(`${detail}${reason}`);
    },
  };
}

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
        `SELECT "bpmnProcessId" AS "processKey", count(*)::int AS count FROM "ProcessInstance" WHERE status = 'ACTIVE' GROUP BY 1`,
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

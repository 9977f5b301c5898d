import { Module, type DynamicModule, type Type } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import type { TokenBus } from '@baton/bus';
import type { Settings } from '@baton/config';
import { activeBatchItems, BATCH_QUEUE, HostModule, storeCounts, TOKEN_BUS, type Store } from '@baton/host';
import { BatchService, type BatchQueue } from '@baton/runtime';
import { BatonMetrics } from '@baton/metrics';
import { PrismaClient } from '@baton/store';
import { BatchWorker } from './batches/batch-worker';
import { TokenWorker } from './execution/token-worker';
import { METRICS_SOURCE, type MetricsSource } from './health/metrics-source';
import { WorkerHttpServer } from './health/worker-http-server';
import { HttpJobHandler } from './jobs/http-job.handler';
import { JobHandlers } from './jobs/job-handlers';
import { TimerPoller } from './timers/timer-poller';

/**
 * The worker's root module: the shared host wiring (store, bus, cache,
 * runtime) plus what only the worker runs — the consumer loop, the sweeper,
 * the timer poller, the in-process job handlers and the metrics/health listener. Every provider is constructed with explicit
 * `@Inject` tokens or `inject` lists, so it also runs from source under tsx,
 * which emits no decorator metadata.
 */
@Module({})
export class WorkerModule {
  /** `handlers`: more providers with `@JobHandler` methods (the built-in `http` one is always there). */
  static forRoot(options: { settings: Settings; store: Store; handlers?: Type[] }): DynamicModule {
    const { settings, store } = options;
    return {
      module: WorkerModule,
      imports: [HostModule.forRoot({ settings, store, appName: 'worker' }), DiscoveryModule],
      providers: [
        // The host's registry plus what only workers report: counts from the store (one
        // definition of "active" however many replicas run; dashboards take max) and the queue depth.
        {
          provide: METRICS_SOURCE,
          useFactory: (metrics: BatonMetrics, prisma: PrismaClient, bus: TokenBus, batches: BatchQueue, service: BatchService): MetricsSource => {
            metrics.watchStore(storeCounts(prisma));
            metrics.watchQueue(settings.WORK_QUEUE, () => bus.depth());
            metrics.watchBatchQueue(() => batches.depth());
            const jobCounts = batches.jobCounts?.bind(batches);
            if (jobCounts !== undefined) metrics.watchJobQueue(settings.BATCH_QUEUE, jobCounts);
            metrics.watchBatchProgress(activeBatchItems(service));
            return metrics;
          },
          inject: [BatonMetrics, PrismaClient, TOKEN_BUS, BATCH_QUEUE, BatchService],
        },
        TokenWorker,
        WorkerHttpServer,
        TimerPoller,
        BatchWorker,
        JobHandlers,
        HttpJobHandler,
        ...(options.handlers ?? []),
      ],
    };
  }
}

import { Module, type DynamicModule } from '@nestjs/common';
import type { TokenBus } from '@baton/bus';
import type { Settings } from '@baton/config';
import { HostModule, nestLogger, TOKEN_BUS, type Store } from '@baton/host';
import { Sweeper } from '@baton/runtime';
import { PrismaClient } from '@baton/store';
import { TokenWorker } from './execution/token-worker';
import { METRICS_SOURCE, noMetrics } from './health/metrics-source';
import { WorkerHttpServer } from './health/worker-http-server';

/**
 * The worker's root module: the shared host wiring (store, bus, cache,
 * runtime) plus what only the worker runs — the consumer loop, the sweeper
 * and the metrics/health listener. Every provider is constructed with explicit
 * `@Inject` tokens or `inject` lists, so it also runs from source under tsx,
 * which emits no decorator metadata.
 */
@Module({})
export class WorkerModule {
  static forRoot(options: { settings: Settings; store: Store }): DynamicModule {
    const { settings, store } = options;
    return {
      module: WorkerModule,
      imports: [HostModule.forRoot({ settings, store, appName: 'worker' })],
      providers: [
        {
          provide: Sweeper,
          useFactory: (prisma: PrismaClient, bus: TokenBus) =>
            new Sweeper(prisma, bus, {
              intervalSeconds: settings.STATE_CHECK_INTERVAL,
              logger: nestLogger('Sweeper'),
            }),
          inject: [PrismaClient, TOKEN_BUS],
        },
        // The observability work replaces this with its prom-client registry.
        { provide: METRICS_SOURCE, useValue: noMetrics },
        TokenWorker,
        WorkerHttpServer,
      ],
    };
  }
}

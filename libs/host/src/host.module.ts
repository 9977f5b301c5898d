import { Inject, Injectable, Logger, Module, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { TokenBus } from '@baton/bus';
import { adapters, type Settings } from '@baton/config';
import {
  BatchProcessor,
  CorrelationService,
  DefinitionRegistry,
  IncidentService,
  InstanceStarter,
  JobService,
  TimerService,
  VariableLimits,
} from '@baton/runtime';
import { BatonMetrics } from '@baton/metrics';
import { PrismaClient } from '@baton/store';
import { createBus, createCache, type HostCache } from './adapters';
import { HostConfigError } from './host-error';
import { nestLogger } from './host-loggers';
import { DEFINITION_CACHE, READINESS_CHECKS, SETTINGS, TOKEN_BUS } from './host.tokens';
import { classifyRuntimeLine, countingLogger, HostReadiness, ObservedBatchProcessor } from './observability';
import type { Store } from './store';

export const STORE = Symbol('baton:store');

const hosts = new WeakMap<Store, { settings: Settings; module: DynamicModule }>();

export interface HostOptions {
  readonly settings: Settings;
  /** Opened (and migrated) by `openStore` before the application is created. */
  readonly store: Store;
  /** `api` or `worker`: names connections and log lines. */
  readonly appName: string;
}

/** Logs the adapters at start-up and releases them, last, at shutdown. */
@Injectable()
class HostLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Host');

  constructor(
    @Inject(SETTINGS) private readonly settings: Settings,
    @Inject(STORE) private readonly store: Store,
    @Inject(TOKEN_BUS) private readonly bus: TokenBus,
    @Inject(DEFINITION_CACHE) private readonly cache: HostCache,
    @Inject(HostReadiness) private readonly readiness: HostReadiness,
  ) {}

  onApplicationBootstrap(): void {
    const a = adapters(this.settings);
    this.logger.log(`adapters: store=${this.store.kind} bus=${a.bus} cache=${a.cache} jobs=${a.jobs}`);
  }

  /** After Nest closed the HTTP server: consumers first (they use the store), then the cache, then the store. */
  async onApplicationShutdown(): Promise<void> {
    const close = async (what: string, action: () => Promise<void>) => {
      try {
        await action();
      } catch (e) {
        this.logger.warn(`closing the ${what} failed: ${(e as Error).message}`);
      }
    };
    this.readiness.close();
    await close('token bus', () => this.bus.close());
    await close('definition cache', () => this.cache.close());
    await close('store', () => this.store.close());
  }
}

/**
 * The wiring the API and the worker share (DESIGN §1): the store, the token
 * bus and the definition cache chosen by the settings, and the runtime built
 * on them. Global, so the app modules inject from it without re-importing.
 */
@Module({})
export class HostModule {
  /**
   * One host per store: modules composed into one application (embedded
   * mode runs the API's and the worker's together) that each import
   * `forRoot` with the same store get the same module object, which Nest
   * instantiates once — one bus the API publishes on and the worker consumes
   * from, one cache, one runtime. The first caller names it.
   */
  static forRoot(options: HostOptions): DynamicModule {
    const existing = hosts.get(options.store);
    if (existing !== undefined) {
      if (existing.settings !== options.settings) {
        throw new HostConfigError('one store, two sets of settings: compose modules with the settings the store was opened with');
      }
      return existing.module;
    }
    const module = HostModule.build(options);
    hosts.set(options.store, { settings: options.settings, module });
    return module;
  }

  private static build(options: HostOptions): DynamicModule {
    const { settings, store, appName } = options;
    return {
      module: HostModule,
      global: true,
      providers: [
        { provide: SETTINGS, useValue: settings },
        { provide: STORE, useValue: store },
        { provide: PrismaClient, useValue: store.prisma },
        { provide: TOKEN_BUS, useFactory: () => createBus(settings, appName) },
        { provide: DEFINITION_CACHE, useFactory: () => createCache(settings, appName) },
        {
          provide: VariableLimits,
          useFactory: () =>
            new VariableLimits({ maxVariableSize: settings.MAX_VARIABLE_SIZE, maxTotalVariables: settings.MAX_TOTAL_VARIABLES }),
        },
        // One registry per application instance; the runtime reports into it through its hooks.
        { provide: BatonMetrics, useFactory: () => new BatonMetrics() },
        {
          provide: DefinitionRegistry,
          useFactory: (prisma: PrismaClient, cache: HostCache, metrics: BatonMetrics) =>
            new DefinitionRegistry(prisma, cache, {
              cacheTtlSeconds: settings.DEFINITION_CACHE_TTL,
              onLookup: metrics.onDefinitionLookup,
            }),
          inject: [PrismaClient, DEFINITION_CACHE, BatonMetrics],
        },
        {
          provide: InstanceStarter,
          useFactory: (prisma: PrismaClient, bus: TokenBus, metrics: BatonMetrics) =>
            new InstanceStarter(prisma, bus, {
              logger: countingLogger(nestLogger('InstanceStarter'), metrics, classifyRuntimeLine),
              onStarted: metrics.onInstanceStarted,
            }),
          inject: [PrismaClient, TOKEN_BUS, BatonMetrics],
        },
        {
          provide: BatchProcessor,
          useFactory: (prisma: PrismaClient, registry: DefinitionRegistry, bus: TokenBus, metrics: BatonMetrics) =>
            new ObservedBatchProcessor(
              prisma,
              registry,
              bus,
              {
                maxParallel: settings.MAX_PARALLEL_TOKENS,
                stepBudget: settings.STEP_BUDGET,
                logger: countingLogger(nestLogger('BatchProcessor'), metrics, classifyRuntimeLine),
                onBatch: metrics.onBatch,
              },
              metrics,
            ),
          inject: [PrismaClient, DefinitionRegistry, TOKEN_BUS, BatonMetrics],
        },
        // Wait states (jobs, messages and signals, incidents, timers): all in the store, none on Redis.
        {
          provide: JobService,
          useFactory: (prisma: PrismaClient, bus: TokenBus, limits: VariableLimits, metrics: BatonMetrics) =>
            new JobService(prisma, bus, limits, { onOutcome: metrics.onJobOutcome }),
          inject: [PrismaClient, TOKEN_BUS, VariableLimits, BatonMetrics],
        },
        {
          provide: CorrelationService,
          useFactory: (prisma: PrismaClient, registry: DefinitionRegistry, bus: TokenBus, limits: VariableLimits) =>
            new CorrelationService(prisma, registry, bus, limits),
          inject: [PrismaClient, DefinitionRegistry, TOKEN_BUS, VariableLimits],
        },
        {
          provide: IncidentService,
          useFactory: (prisma: PrismaClient, processor: BatchProcessor) => new IncidentService(prisma, processor),
          inject: [PrismaClient, BatchProcessor],
        },
        {
          provide: TimerService,
          useFactory: (prisma: PrismaClient, registry: DefinitionRegistry, bus: TokenBus, metrics: BatonMetrics) =>
            new TimerService(prisma, registry, bus, {
              logger: countingLogger(nestLogger('Timers'), metrics, classifyRuntimeLine),
              onFired: metrics.onTimersFired,
            }),
          inject: [PrismaClient, DefinitionRegistry, TOKEN_BUS, BatonMetrics],
        },
        {
          provide: HostReadiness,
          useFactory: (bus: TokenBus) => new HostReadiness(settings, store, bus, appName),
          inject: [TOKEN_BUS],
        },
        { provide: READINESS_CHECKS, useFactory: (readiness: HostReadiness) => readiness.checks, inject: [HostReadiness] },
        HostLifecycle,
      ],
      exports: [
        SETTINGS,
        STORE,
        PrismaClient,
        TOKEN_BUS,
        DEFINITION_CACHE,
        VariableLimits,
        DefinitionRegistry,
        InstanceStarter,
        BatchProcessor,
        JobService,
        CorrelationService,
        IncidentService,
        TimerService,
        READINESS_CHECKS,
        BatonMetrics,
      ],
    };
  }
}

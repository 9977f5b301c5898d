import { Inject, Injectable, Logger, Module, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { TokenBus } from '@baton/bus';
import { adapters, type Settings } from '@baton/config';
import { BatchProcessor, DefinitionRegistry, InstanceStarter, VariableLimits } from '@baton/runtime';
import { PrismaClient } from '@baton/store';
import { createBus, createCache, type HostCache } from './adapters';
import { nestLogger } from './host-loggers';
import { DEFINITION_CACHE, READINESS_CHECKS, SETTINGS, TOKEN_BUS } from './host.tokens';
import type { ReadinessCheck } from './readiness';
import type { Store } from './store';

export const STORE = Symbol('baton:store');

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
  static forRoot(options: HostOptions): DynamicModule {
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
        {
          provide: DefinitionRegistry,
          useFactory: (prisma: PrismaClient, cache: HostCache) =>
            new DefinitionRegistry(prisma, cache, { cacheTtlSeconds: settings.DEFINITION_CACHE_TTL }),
          inject: [PrismaClient, DEFINITION_CACHE],
        },
        {
          provide: InstanceStarter,
          useFactory: (prisma: PrismaClient, bus: TokenBus) =>
            new InstanceStarter(prisma, bus, { logger: nestLogger('InstanceStarter') }),
          inject: [PrismaClient, TOKEN_BUS],
        },
        {
          provide: BatchProcessor,
          useFactory: (prisma: PrismaClient, registry: DefinitionRegistry, bus: TokenBus) =>
            new BatchProcessor(prisma, registry, bus, {
              maxParallel: settings.MAX_PARALLEL_TOKENS,
              stepBudget: settings.STEP_BUDGET,
              logger: nestLogger('BatchProcessor'),
            }),
          inject: [PrismaClient, DefinitionRegistry, TOKEN_BUS],
        },
        {
          provide: READINESS_CHECKS,
          useFactory: (): ReadinessCheck[] => [{ name: 'postgres', check: () => store.ping(2_000) }],
        },
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
        READINESS_CHECKS,
      ],
    };
  }
}

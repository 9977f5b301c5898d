import { Inject, Injectable, Logger, Module, type BeforeApplicationShutdown, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { TokenBus } from '@baton/bus';
import { adapters, feelLimits, type Settings } from '@baton/config';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import {
  Announcer,
  CorrelationService,
  DecisionService,
  FormService,
  DefinitionQueryService,
  DefinitionRegistry,
  FailureKind,
  ExportService,
  IncidentService,
  InstanceService,
  InstanceStarter,
  JobService,
  JobSignal,
  LeasedKeys,
  Sweeper,
  TaskService,
  TimerService,
  UnitOfWork,
  VariableLimits,
  type RuntimeObserver,
  type RuntimeStore,
} from '@baton/runtime';
import { BatonMetrics } from '@baton/metrics';
import { PgJobNotifications, PgRuntimeStore, PrismaClient } from '@baton/store';
import { createBus, createCache, type HostCache } from './adapters';
import { BATCH_EXPORTS, batchProviders } from './batch-providers';
import { retentionProviders, RetentionRunner } from './retention-schedule';
import { exportProviders, ExportRunner, stepExporter } from './export';
import { HostConfigError } from './host-error';
import { nestLogger } from './host-loggers';
import { DEFINITION_CACHE, READINESS_CHECKS, RUNTIME_OBSERVER, RUNTIME_STORE, SETTINGS, TOKEN_BUS } from './host.tokens';
import { HostReadiness, runtimeObserver } from './observability';
import type { Store } from './store';

export const STORE = Symbol('baton:store');
/** `PgJobNotifications | null`: job types committed by other processes (Postgres server only). */
const JOB_NOTIFICATIONS = Symbol('baton:job-notifications');

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
class HostLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('Host');

  constructor(
    @Inject(SETTINGS) private readonly settings: Settings,
    @Inject(STORE) private readonly store: Store,
    @Inject(TOKEN_BUS) private readonly bus: TokenBus,
    @Inject(DEFINITION_CACHE) private readonly cache: HostCache,
    @Inject(HostReadiness) private readonly readiness: HostReadiness,
    @Inject(LeasedKeys) private readonly keys: LeasedKeys,
    @Inject(Announcer) private readonly announcer: Announcer,
    @Inject(JobService) private readonly jobs: JobService,
    @Inject(JOB_NOTIFICATIONS) private readonly jobNotifications: PgJobNotifications | null,
  ) {}

  /** Before the HTTP server closes: job activations waiting for work answer now, with none. */
  beforeApplicationShutdown(): void {
    this.jobs.close();
  }

  onApplicationBootstrap(): void {
    const a = adapters(this.settings);
    void this.jobNotifications?.start();
    this.logger.log(`adapters: store=${this.store.kind} bus=${a.bus} cache=${a.cache} jobs=${a.jobs}; key node ${this.keys.nodeNumber}`);
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
    await close('announcements', () => this.announcer.settled());
    await close('job notifications', async () => this.jobNotifications?.stop());
    await close('token bus', () => this.bus.close());
    await close('key node lease', () => this.keys.release());
    await close('definition cache', () => this.cache.close());
    await close('store', () => this.store.close());
  }
}

/**
 * The wiring the API and the worker share (docs/architecture.md): the store, the token
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
    const keys = (k: LeasedKeys) => k.next;
    // Commits that create jobs wake waiting activations in this process; with a Postgres server,
    // in the other processes too (LISTEN/NOTIFY on one connection per process).
    const jobSignal = new JobSignal();
    const jobNotifications =
      store.kind === 'postgres' && settings.DATABASE_URL !== undefined
        ? new PgJobNotifications({
            url: settings.DATABASE_URL,
            onNotified: (types) => jobSignal.wake(types),
            logger: new Logger('JobNotifications'),
            applicationName: `baton-${appName}-jobs`,
          })
        : null;
    if (jobNotifications !== null) jobSignal.relayTo((types) => jobNotifications.publish(types));
    return {
      module: HostModule,
      global: true,
      providers: [
        { provide: SETTINGS, useValue: settings },
        { provide: STORE, useValue: store },
        { provide: PrismaClient, useValue: store.prisma },
        {
          provide: RUNTIME_STORE,
          useFactory: () => new PgRuntimeStore(store.prisma, { setIsolationLevel: store.kind === 'postgres' }),
        },
        { provide: TOKEN_BUS, useFactory: () => createBus(settings, appName) },
        { provide: DEFINITION_CACHE, useFactory: () => createCache(settings, appName) },
        {
          provide: VariableLimits,
          useFactory: () =>
            new VariableLimits({
              maxVariableSize: settings.MAX_VARIABLE_SIZE,
              maxTotalVariables: settings.MAX_TOTAL_VARIABLES,
              maxMessageTtlMs: settings.MAX_MESSAGE_TTL * 1000,
            }),
        },
        // One registry per application instance; the runtime reports into it through its observer.
        { provide: BatonMetrics, useFactory: () => new BatonMetrics() },
        {
          provide: RUNTIME_OBSERVER,
          useFactory: (metrics: BatonMetrics) => runtimeObserver(metrics, nestLogger('Runtime')),
          inject: [BatonMetrics],
        },
        {
          // The node number that makes this process' keys unique, leased from the store.
          provide: LeasedKeys,
          useFactory: (runtime: RuntimeStore, observer: RuntimeObserver) =>
            LeasedKeys.acquire(runtime.repos.keyNodes, `${appName}@${hostname()}:${process.pid}:${randomUUID()}`, {
              onError: (e) => observer.failure?.(FailureKind.KeyLeaseFailed, `renewing the key node lease failed: ${e.message}`, e),
            }),
          inject: [RUNTIME_STORE, RUNTIME_OBSERVER],
        },
        {
          provide: Announcer,
          useFactory: (bus: TokenBus, observer: RuntimeObserver) => new Announcer(bus, observer),
          inject: [TOKEN_BUS, RUNTIME_OBSERVER],
        },
        {
          provide: DefinitionRegistry,
          useFactory: (runtime: RuntimeStore, cache: HostCache, k: LeasedKeys, observer: RuntimeObserver) =>
            new DefinitionRegistry(runtime, cache, keys(k), {
              cacheTtlSeconds: settings.DEFINITION_CACHE_TTL,
              observer,
              feelLimits: feelLimits(settings),
              maxModelBytes: settings.MAX_MODEL_BYTES,
              maxModelElements: settings.MAX_MODEL_ELEMENTS,
            }),
          inject: [RUNTIME_STORE, DEFINITION_CACHE, LeasedKeys, RUNTIME_OBSERVER],
        },
        {
          provide: UnitOfWork,
          useFactory: (runtime: RuntimeStore, registry: DefinitionRegistry, announcer: Announcer, k: LeasedKeys, observer: RuntimeObserver, signal: JobSignal) =>
            new UnitOfWork(runtime, registry, announcer, keys(k), {
              maxParallel: settings.MAX_PARALLEL_TOKENS,
              stepBudget: settings.STEP_BUDGET,
              stepTimeBudgetMs: settings.STEP_TIME_BUDGET_MS,
              batchTimeBudgetMs: settings.BATCH_TIME_BUDGET_MS,
              stepFailureLimit: settings.STEP_FAILURE_LIMIT,
              feelLimits: feelLimits(settings),
              maxVariableSize: settings.MAX_VARIABLE_SIZE,
              observer,
              jobSignal: signal,
              historyLevel: settings.HISTORY_LEVEL,
              exporter: stepExporter(settings),
            }),
          inject: [RUNTIME_STORE, DefinitionRegistry, Announcer, LeasedKeys, RUNTIME_OBSERVER, JobSignal],
        },
        {
          provide: InstanceStarter,
          useFactory: (runtime: RuntimeStore, announcer: Announcer, k: LeasedKeys, observer: RuntimeObserver) =>
            new InstanceStarter(runtime, announcer, keys(k), { observer, idempotencyTtlMs: settings.IDEMPOTENCY_TTL * 1000 }),
          inject: [RUNTIME_STORE, Announcer, LeasedKeys, RUNTIME_OBSERVER],
        },
        {
          provide: InstanceService,
          useFactory: (runtime: RuntimeStore, registry: DefinitionRegistry, starter: InstanceStarter, uow: UnitOfWork, limits: VariableLimits) =>
            new InstanceService(runtime, registry, starter, uow, limits, { commandLockTimeoutMs: settings.COMMAND_LOCK_TIMEOUT_MS, historyLevel: settings.HISTORY_LEVEL }),
          inject: [RUNTIME_STORE, DefinitionRegistry, InstanceStarter, UnitOfWork, VariableLimits],
        },
        {
          provide: TaskService,
          useFactory: (runtime: RuntimeStore, announcer: Announcer, limits: VariableLimits, registry: DefinitionRegistry) =>
            new TaskService(runtime, announcer, limits, Date.now, registry),
          inject: [RUNTIME_STORE, Announcer, VariableLimits, DefinitionRegistry],
        },
        { provide: DefinitionQueryService, useFactory: (runtime: RuntimeStore) => new DefinitionQueryService(runtime), inject: [RUNTIME_STORE] },
        {
          provide: DecisionService,
          useFactory: (runtime: RuntimeStore, registry: DefinitionRegistry) => new DecisionService(runtime, registry.decisions),
          inject: [RUNTIME_STORE, DefinitionRegistry],
        },
        {
          provide: FormService,
          useFactory: (runtime: RuntimeStore, registry: DefinitionRegistry) => new FormService(runtime, registry),
          inject: [RUNTIME_STORE, DefinitionRegistry],
        },
        // Wait states (jobs, messages and signals, incidents, timers): all in the store, none on Redis.
        // Commits that create jobs wake this process's waiting activations at once. With the embedded
        // store every job is created in this process, so an idle activation need only look again
        // each second (for leases and retry back-offs running out); with a server, workers in other
        // processes create jobs too: their commits wake this process's activations through Postgres
        // notifications (jobNotifications above), and activations still look every 100 ms, so that a
        // retry back-off shorter than a second (a job type's backoff policy) is kept.
        { provide: JobSignal, useValue: jobSignal },
        { provide: JOB_NOTIFICATIONS, useValue: jobNotifications },
        {
          provide: JobService,
          useFactory: (runtime: RuntimeStore, announcer: Announcer, limits: VariableLimits, observer: RuntimeObserver, signal: JobSignal) =>
            new JobService(runtime, announcer, limits, { observer, signal, pollIntervalMs: store.kind === 'pglite' ? 1000 : 100, exporter: stepExporter(settings) }),
          inject: [RUNTIME_STORE, Announcer, VariableLimits, RUNTIME_OBSERVER, JobSignal],
        },
        {
          provide: CorrelationService,
          useFactory: (runtime: RuntimeStore, registry: DefinitionRegistry, announcer: Announcer, limits: VariableLimits, k: LeasedKeys, observer: RuntimeObserver) =>
            new CorrelationService(runtime, registry, announcer, limits, keys(k), observer),
          inject: [RUNTIME_STORE, DefinitionRegistry, Announcer, VariableLimits, LeasedKeys, RUNTIME_OBSERVER],
        },
        {
          provide: IncidentService,
          useFactory: (runtime: RuntimeStore, uow: UnitOfWork) =>
            new IncidentService(runtime, uow, { commandLockTimeoutMs: settings.COMMAND_LOCK_TIMEOUT_MS }),
          inject: [RUNTIME_STORE, UnitOfWork],
        },
        ...batchProviders(settings, appName),
        ...retentionProviders(settings, appName),
        ...exportProviders(settings, appName),
        {
          provide: TimerService,
          useFactory: (runtime: RuntimeStore, registry: DefinitionRegistry, announcer: Announcer, k: LeasedKeys, observer: RuntimeObserver) =>
            new TimerService(runtime, registry, announcer, keys(k), { observer }),
          inject: [RUNTIME_STORE, DefinitionRegistry, Announcer, LeasedKeys, RUNTIME_OBSERVER],
        },
        {
          provide: Sweeper,
          useFactory: (runtime: RuntimeStore, announcer: Announcer, observer: RuntimeObserver) =>
            new Sweeper(runtime, announcer, { intervalSeconds: settings.STATE_CHECK_INTERVAL, observer }),
          inject: [RUNTIME_STORE, Announcer, RUNTIME_OBSERVER],
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
        RUNTIME_STORE,
        RUNTIME_OBSERVER,
        TOKEN_BUS,
        DEFINITION_CACHE,
        VariableLimits,
        LeasedKeys,
        Announcer,
        DefinitionRegistry,
        UnitOfWork,
        InstanceStarter,
        InstanceService,
        TaskService,
        DefinitionQueryService,
        DecisionService,
        FormService,
        JobService,
        CorrelationService,
        IncidentService,
        ...BATCH_EXPORTS,
        RetentionRunner,
        ExportRunner,
        ExportService,
        TimerService,
        Sweeper,
        READINESS_CHECKS,
        BatonMetrics,
      ],
    };
  }
}

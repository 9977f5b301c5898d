import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { adapters, withSetting, type Settings } from '@baton/config';
import { HostConfigError, HostModule, nestLogger, RUNTIME_STORE, STORE, type Store } from '@baton/host';
import { DefinitionRegistry, Sweeper, type RuntimeStore } from '@baton/runtime';
import { createApiApp } from '@baton/api';
import { startWorkerLoops, WorkerModule, type WorkerLoops } from '@baton/worker';
import { deployDemoIfEmpty, type DemoDeployment } from './demo/demo-process';
import { missingInjections } from './injection-check';

export interface BatonAppOptions {
  /** `false` silences Nest's logger (tests). */
  readonly logger?: false;
  /** Deploy the demo process into an empty store. Default true. */
  readonly demo?: boolean;
}

export interface StartedBaton {
  readonly app: NestFastifyApplication;
  readonly store: Store;
  readonly loops: WorkerLoops;
  /** Instances whose work was in flight when the process last stopped, queued again. */
  readonly resumed: number;
  readonly demo: DemoDeployment | null;
}

/**
 * The whole engine in one application (`npm start`): the API's module and
 * the worker's module on one shared host, so the API publishes on the very
 * bus the worker consumes from (in-process unless RABBITMQ_URL is set), the
 * definition cache is one, and the store is opened once (PGlite in DATA_DIR
 * unless DATABASE_URL is set). Not listening yet; `startBaton` starts the
 * worker's loops. Nest's own signal handling is off: main owns the exit code.
 */
export function createBatonApp(given: Settings, options: BatonAppOptions = {}): Promise<NestFastifyApplication> {
  // The all-in-one listens on loopback by default: no authentication unless AUTH asks for it (the banner says so).
  const settings = given.AUTH === undefined ? withSetting(given, 'AUTH', []) : given;
  return createApiApp(settings, {
    logger: options.logger,
    shutdownHooks: false,
    compose: (store) => [
      // Claims the shared host first, so connections and logs say `baton`.
      HostModule.forRoot({ settings, store, appName: 'baton' }),
      WorkerModule.forRoot({ settings, store }),
    ],
  });
}

/**
 * Brings an application made by `createBatonApp` to work: work that was in
 * flight when the process last stopped is queued again (the in-process bus
 * kept it only in memory), the worker's loops start (consumer and sweeper,
 * timer poller, job handlers), and an empty store gets the demo process.
 * The caller listens afterwards, so the URL it prints answers at once.
 */
export async function startBaton(
  app: NestFastifyApplication,
  settings: Settings,
  options: BatonAppOptions & { cancelled?: () => boolean } = {},
): Promise<StartedBaton | undefined> {
  const missing = missingInjections(app);
  if (missing.length > 0) {
    throw new HostConfigError(
      `these classes need an explicit @Inject(...) on every constructor parameter to run under tsx (no decorator metadata): ${missing.join('; ')}`,
    );
  }
  const store = app.get<Store>(STORE);
  const resumed = adapters(settings).bus === 'in-process' ? await requeueInFlight(app.get(Sweeper)) : 0;
  const loops = await startWorkerLoops(app, options.cancelled);
  if (loops === undefined) return undefined;
  const demo = options.demo === false ? null : await deployDemoIfEmpty(app.get<RuntimeStore>(RUNTIME_STORE), app.get(DefinitionRegistry));
  return { app, store, loops, resumed, demo };
}

/**
 * Every instance with committed work that no worker consumed yet, and every
 * unconsumed inbox event: the sweeper's pass with no age limit. A queue in
 * memory lost them all at the last stop, so there is nothing to wait for.
 * One pass: a picked row's pendingSince becomes now(), which a second pass
 * with no age limit would pick again; anything beyond the limit is the
 * regular sweeper's, one interval later.
 */
async function requeueInFlight(sweeper: Sweeper): Promise<number> {
  const queued = await sweeper.sweepOnce(0);
  if (queued > 0) nestLogger('Recovery').log(`queued ${queued} instance(s) whose work was in flight at the last stop`);
  return queued;
}

import 'reflect-metadata';
import { Logger, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { adapters, loadSettingsOrExit } from '@baton/config';
import { exitOnSignals, HostConfigError, nestConsoleLogger, nestLogger, nestLogLevels, openStore } from '@baton/host';
import { LINGER_MS, startWorkerLoops, TokenWorker, WorkerHttpServer, WorkerModule } from '@baton/worker';

/** Longest a shutdown may take (the batches in flight included) before the process gives up and exits 1. */
const SHUTDOWN_GRACE_MS = 25_000;

const logger = new Logger('Worker');

async function main(): Promise<void> {
  const settings = loadSettingsOrExit();
  // Colours only on a terminal; Nest's per-module lines at debug.
  Logger.overrideLogger(nestConsoleLogger(settings.LOG_LEVEL));
  let app: INestApplicationContext | undefined;
  // SIGTERM/SIGINT: stop taking batches, let the batches in flight commit and be acked, stop the
  // sweeper and the timer poller, settle the jobs the handlers hold, close bus, cache and store
  // (Nest's shutdown hooks, in that order), exit 0.
  const signals = exitOnSignals(() => app?.close(), {
    graceMs: SHUTDOWN_GRACE_MS,
    logger: nestLogger('Worker'),
    what: 'finishing the batches in flight',
  });

  try {
    const store = await openStore(settings, nestLogger('Store'));
    app = await NestFactory.createApplicationContext(WorkerModule.forRoot({ settings, store }), {
      logger: nestLogLevels(settings.LOG_LEVEL),
    });
    if (signals.requested) return;
    const port = await app.get(WorkerHttpServer).listen(settings.METRICS_PORT, settings.METRICS_HOST);
    const loops = await startWorkerLoops(app, () => signals.requested);
    if (loops === undefined || signals.requested) return;
    const { handlerTypes } = loops;

    const a = adapters(settings);
    const queue =
      a.bus === 'rabbitmq'
        ? ` queue=${settings.WORK_QUEUE} (consumer priority ${app.get(TokenWorker).consumerPriority})`
        : '';
    logger.log(
      `consuming: store=${store.kind} bus=${a.bus}${queue} cache=${a.cache}; batch size ${settings.TOKEN_BATCH_SIZE}, ${settings.TOKEN_CONCURRENCY} at once, ` +
        `linger ${LINGER_MS} ms, max parallel ${settings.MAX_PARALLEL_TOKENS}, sweep every ${settings.STATE_CHECK_INTERVAL} s; ` +
        `health and metrics on ${settings.METRICS_HOST}:${port}`,
    );
    logger.log(
      `timers: polling every ${settings.TIMER_POLL_INTERVAL_MS} ms; ` +
        `job handlers: ${handlerTypes.length > 0 ? handlerTypes.join(', ') : settings.JOB_HANDLERS ? 'none registered' : 'off (JOB_HANDLERS=false)'}`,
    );
    if (a.bus === 'in-process') {
      logger.warn(
        'RABBITMQ_URL is not set: this worker only runs what its own sweeper finds (embedded mode runs in `npm start`)',
      );
    }
  } catch (e) {
    if (signals.requested) return;
    logger.error(e instanceof HostConfigError ? e.message : `start-up failed: ${(e as Error).stack ?? String(e)}`);
    await signals.shutdown('start-up failed', 1);
  }
}

void main();

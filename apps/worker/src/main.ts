import 'reflect-metadata';
import { Logger, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { adapters, loadSettingsOrExit } from '@baton/config';
import { HostConfigError, nestLogger, nestLogLevels, openStore } from '@baton/host';
import { LINGER_MS } from './execution/token-worker';
import { WorkerHttpServer } from './health/worker-http-server';
import { startWorkerLoops } from './worker-loops';
import { WorkerModule } from './worker.module';

/** Longest a shutdown may take (the batch in flight included) before the process gives up and exits 1. */
const SHUTDOWN_GRACE_MS = 25_000;

const logger = new Logger('Worker');
let app: INestApplicationContext | undefined;
let shuttingDown: Promise<void> | undefined;

async function main(): Promise<void> {
  const settings = loadSettingsOrExit();
  Logger.overrideLogger(nestLogLevels(settings.LOG_LEVEL));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));

  const store = await openStore(settings, nestLogger('Store'));
  app = await NestFactory.createApplicationContext(WorkerModule.forRoot({ settings, store }), {
    logger: nestLogLevels(settings.LOG_LEVEL),
  });
  if (shuttingDown !== undefined) return;
  const port = await app.get(WorkerHttpServer).listen(settings.METRICS_PORT);
  const loops = await startWorkerLoops(app, () => shuttingDown !== undefined);
  if (loops === undefined || shuttingDown !== undefined) return;
  const { handlerTypes } = loops;

  const a = adapters(settings);
  const queue = a.bus === 'rabbitmq' ? ` queue=${settings.WORK_QUEUE}` : '';
  logger.log(
    `consuming: store=${store.kind} bus=${a.bus}${queue} cache=${a.cache}; batch size ${settings.TOKEN_BATCH_SIZE}, ` +
      `linger ${LINGER_MS} ms, max parallel ${settings.MAX_PARALLEL_TOKENS}, sweep every ${settings.STATE_CHECK_INTERVAL} s; ` +
      `health and metrics on :${port}`,
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
}

/**
 * SIGTERM/SIGINT: stop taking batches, let the batch in flight commit and be
 * acked, stop the sweeper and the timer poller, settle the jobs the handlers
 * hold, close bus, cache and store (Nest's shutdown hooks, in that order),
 * exit 0. A second signal or the grace period running out exits 1 at once.
 */
function shutdown(signal: string): Promise<void> {
  if (shuttingDown !== undefined) return shuttingDown;
  logger.log(`${signal}: finishing the batch in flight, then exiting`);
  const again = () => {
    logger.error(`${signal} again: exiting without waiting`);
    process.exit(1);
  };
  process.once('SIGTERM', again);
  process.once('SIGINT', again);
  setTimeout(() => {
    logger.error(`shutdown did not finish within ${SHUTDOWN_GRACE_MS} ms; exiting`);
    process.exit(1);
  }, SHUTDOWN_GRACE_MS).unref();
  shuttingDown = (async () => {
    try {
      await app?.close();
    } catch (e) {
      logger.error(`shutdown failed: ${(e as Error).stack ?? String(e)}`);
      process.exit(1);
    }
    logger.log('stopped');
    process.exit(0);
  })();
  return shuttingDown;
}

main().catch(async (e: unknown) => {
  if (shuttingDown !== undefined) return;
  if (e instanceof HostConfigError) logger.error(e.message);
  else logger.error(`start-up failed: ${(e as Error).stack ?? String(e)}`);
  await app?.close().catch(() => undefined);
  process.exit(1);
});

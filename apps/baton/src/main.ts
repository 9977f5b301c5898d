// First: says something at once, before the modules below take their seconds to load.
import './starting';
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadSettingsOrExit, type Settings } from '@baton/config';
import { exitOnSignals, HostConfigError, nestConsoleLogger, nestLogger } from '@baton/host';
import { StoreError } from '@baton/store';
import { banner } from './banner';
import { createBatonApp, startBaton } from './baton-app';

/**
 * `npm start`: the API, a worker (consumer, sweeper, timer poller, job
 * handlers) and, with no DATABASE_URL, an embedded Postgres — one process,
 * nothing else to install or run. Each of DATABASE_URL, RABBITMQ_URL and
 * REDIS_URL switches its port to the real server.
 */

/** Longest a shutdown may take (the batches in flight included) before the process gives up and exits 1. */
const SHUTDOWN_GRACE_MS = 25_000;

const logger = new Logger('Baton');

async function main(): Promise<void> {
  const settings = loadSettingsOrExit();
  // Colours only on a terminal; Nest's per-route and per-module lines at debug (LOG_LEVEL=debug shows them).
  Logger.overrideLogger(nestConsoleLogger(settings.LOG_LEVEL));
  let app: NestFastifyApplication | undefined;
  const signals = exitOnSignals(() => app?.close(), {
    graceMs: SHUTDOWN_GRACE_MS,
    logger: nestLogger('Baton'),
    what: 'finishing the work in flight',
    followParent: true,
  });

  try {
    app = await createBatonApp(settings);
    if (signals.requested) return;
    const started = await startBaton(app, settings, { cancelled: () => signals.requested });
    if (started === undefined || signals.requested) return;
    // Loopback unless HOST says otherwise: the all-in-one has no authentication yet (docs/security.md).
    const host = settings.HOST ?? '127.0.0.1';
    await app.listen(settings.PORT, host);
    const origin = `http://localhost:${settings.PORT}`;
    console.log(banner({ settings, store: started.store, origin, demo: started.demo, readySeconds: process.uptime() }));
  } catch (e) {
    if (signals.requested) return;
    logger.error(startupProblem(e, settings));
    await signals.shutdown('start-up failed', 1);
  }
}

/** Problems the operator fixes get their message alone; anything else its stack. */
function startupProblem(e: unknown, settings: Settings): string {
  if (e instanceof HostConfigError || e instanceof StoreError) return e.message;
  if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') {
    return `port ${settings.PORT} is in use: stop what listens there, or set PORT to another port`;
  }
  return `start-up failed: ${(e as Error).stack ?? String(e)}`;
}

void main();

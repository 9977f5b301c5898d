import { Logger } from '@nestjs/common';
import { adapters, loadSettingsOrExit } from '@baton/config';
import { HostConfigError, nestConsoleLogger } from '@baton/host';
import { createApiApp } from '@baton/api';

async function main(): Promise<void> {
  const settings = loadSettingsOrExit();
  // Colours only on a terminal; Nest's per-route and per-module lines at debug.
  Logger.overrideLogger(nestConsoleLogger(settings.LOG_LEVEL));
  try {
    const app = await createApiApp(settings);
    // All interfaces unless HOST says otherwise: the API app runs in containers behind nginx (docs/security.md).
    const host = settings.HOST ?? '0.0.0.0';
    await app.listen(settings.PORT, host);
    const logger = new Logger('Api');
    logger.log(`listening on ${host}:${settings.PORT} (REST under /api/v1, OpenAPI at /api/docs)`);
    if (adapters(settings).bus === 'in-process') {
      logger.warn('RABBITMQ_URL is not set: no worker receives the work this API publishes (`npm start` runs the API and a worker in one process)');
    }
  } catch (e) {
    // Configuration problems are the operator's to fix: the message alone says what.
    console.error(e instanceof HostConfigError ? e.message : e);
    process.exit(1);
  }
}

void main();

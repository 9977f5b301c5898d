import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadSettings } from '@baton/config';
import { PrismaClient } from '@baton/store';
import { harnessOn, type ApiHarness } from '../../api/test/api-harness';
import { createBatonApp } from '../src/baton-app';

// The REST e2e suites (apps/api/test/*.e2e-spec.ts) import `./api-harness`; the `embedded` Jest
// project maps that import here, so the same suites run against `npm start`'s application: the
// API and the worker composed on one host, PGlite in memory instead of a Postgres schema.
export { fixture, repoFile, xmlPost, type ApiHarness } from '../../api/test/api-harness';

/**
 * Like the Postgres harness' `startApi`, on the embedded composition. The
 * worker's loops are not started: the suites drive batches with `drain()` and
 * `worker()` as they do against the API alone, and assert right after.
 */
export async function startApi(_prefix: string, env: Record<string, string> = {}): Promise<ApiHarness> {
  const settings = loadSettings({ DATA_DIR: 'memory://', LOG_LEVEL: 'error', ...env });
  // The store logs as it opens, before the app's own (silenced) logger exists.
  Logger.overrideLogger(['error']);
  const app: NestFastifyApplication = await createBatonApp(settings, { logger: false });
  try {
    await app.listen(0, '127.0.0.1');
  } catch (e) {
    await app.close();
    throw e;
  }
  const prisma = app.get(PrismaClient);
  // The store belongs to the app (closed with it); nothing to drop.
  return harnessOn(app, { url: 'memory://', schema: 'public', baseUrl: 'memory://', prisma, drop: async () => undefined }, false);
}

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { TokenBus } from '@baton/bus';
import { loadSettings } from '@baton/config';
import { TOKEN_BUS } from '@baton/host';
import { UnitOfWork } from '@baton/runtime';
import { freshSchema, type FreshSchema } from '../../../libs/store/test/fresh-schema';
import { createApiApp } from '@baton/api';

export interface ApiHarness {
  readonly db: FreshSchema;
  readonly app: NestFastifyApplication;
  /**
   * Whether transactions run side by side (Postgres) or take turns (the
   * embedded PGlite has one connection, so a transaction holding a row lock
   * also holds up every other request).
   */
  readonly concurrentTransactions: boolean;
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  /** fetch on `/api/v1` + path. */
  api(path: string, init?: RequestInit): Promise<Response>;
  /** JSON helpers: method, path, body -> status and parsed JSON (loosely typed: tests inspect it with expect). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json<T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T; headers: Headers }>;
  /** Runs a worker (the unit of work on the app's bus) until no work is left. */
  drain(): Promise<void>;
  /** Runs a worker on the app's bus (whichever adapter) until the returned function is called. */
  worker(): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** The API on a fresh schema, in this process, on a random port, with the in-process bus and memory cache. */
export async function startApi(prefix: string, env: Record<string, string> = {}): Promise<ApiHarness> {
  const db = await freshSchema({ prefix, poolSize: 2 });
  const settings = loadSettings({ DATABASE_URL: db.url, DB_POOL_SIZE: '6', LOG_LEVEL: 'error', AUTH: 'none', ...env });
  let app: NestFastifyApplication;
  try {
    app = await createApiApp(settings, { logger: false });
    await app.listen(0, '127.0.0.1');
  } catch (e) {
    await db.drop();
    throw e;
  }
  return harnessOn(app, db);
}

/** The harness around an app already listening (embedded mode builds its own app and store: apps/baton/test). */
export function harnessOn(app: NestFastifyApplication, db: FreshSchema, concurrentTransactions = true): ApiHarness {
  const port = (app.getHttpServer().address() as { port: number }).port;
  const origin = `http://127.0.0.1:${port}`;
  const bus = app.get<TokenBus>(TOKEN_BUS);
  const unitOfWork = app.get(UnitOfWork);
  const api = (path: string, init?: RequestInit) => fetch(`${origin}/api/v1${path}`, init);
  return {
    db,
    app,
    concurrentTransactions,
    origin,
    api,
    async json(method, path, body) {
      const response = await api(path, {
        method,
        ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
      });
      const text = await response.text();
      return { status: response.status, body: text === '' ? undefined : JSON.parse(text), headers: response.headers };
    },
    async drain() {
      let inFlight = 0;
      const consumer = await bus.consume({ batchSize: 100, lingerMs: 0 }, async (batch) => {
        inFlight++;
        try {
          await unitOfWork.runBatch(batch.map((item) => item.instanceId));
        } finally {
          inFlight--;
        }
      });
      const deadline = Date.now() + 30_000;
      let idleChecks = 0;
      while (idleChecks < 3) {
        await new Promise((r) => setTimeout(r, 10));
        idleChecks = inFlight === 0 && (await bus.depth()) === 0 ? idleChecks + 1 : 0;
        if (Date.now() > deadline) throw new Error('work did not drain within 30 s');
      }
      await consumer.stop();
    },
    async worker() {
      const consumer = await bus.consume({ batchSize: 100, lingerMs: 2 }, async (batch) => {
        await unitOfWork.runBatch(batch.map((item) => item.instanceId));
      });
      return () => consumer.stop();
    },
    async close() {
      await app.close();
      await db.drop();
    },
  };
}

const REPO = join(__dirname, '..', '..', '..');

/** A file of the repository (fixtures, bench processes) as text. */
export const repoFile = (path: string): string => readFileSync(join(REPO, path), 'utf8');
export const fixture = (path: string): string => repoFile(`libs/engine/test/fixtures/bpmn/${path}`);

export const xmlPost = (xml: string): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/xml' },
  body: xml,
});

import { AsyncLocalStorage } from 'node:async_hooks';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { PrismaClient, Prisma } from '../generated/prisma/client';
import { StoreError, StoreErrorCode } from '../store-error';
import { lockDataDir, type DataDirLock } from './data-dir-lock';
import { memoryTemplate } from './memory-template';
import { applyPgliteMigrations } from './pglite-migrations';
import { pgliteSession } from './pglite-session';

export const IN_MEMORY = 'memory://';

const START_PARAMS = [
  ...PGlite.defaultStartParams,
  // The adapter reads timestamptz as UTC and sends instants without a zone, so the session
  // must be in UTC: PGlite otherwise takes the host's zone and every timestamp shifts by it.
  '-c',
  'TimeZone=UTC',
  // Postgres' 128MB default lives in the WebAssembly heap: ~360 MB RSS with it, ~225 MB with
  // 32MB, which holds an embedded engine's working set.
  '-c',
  'shared_buffers=32MB',
  // Postgres fills each new 16 MB WAL segment with zeros before using it, which only reserves
  // the disk space ahead; here that is 16 MB written on the event loop's thread, a stall of every
  // request every few thousand instances. Without it the segment's blocks are allocated as WAL is
  // written into them.
  '-c',
  'wal_init_zero=off',
  // Statements are prepared once (pglite-session.ts) but planned for each execution's values, as
  // on a Postgres server: a generic plan, which Postgres may switch to after five executions,
  // cannot use the values (a due time, a page's bounds), and no statistics are ever gathered here
  // (no autovacuum in PGlite) to warn it off a sequential scan of a table that keeps growing.
  '-c',
  'plan_cache_mode=force_custom_plan',
];

export interface EmbeddedDatabaseOptions {
  /** A directory (created if missing), or `memory://` for a database that lives as long as the process. */
  readonly dataDir: string;
  /** Apply prisma/migrations before handing the client out. Default true. */
  readonly migrate?: boolean;
  /** Default: prisma/migrations of this repository. */
  readonly migrationsDir?: string;
  /**
   * Told what a first start is doing, as it happens: creating a data
   * directory takes from seconds to minutes (initdb in WebAssembly), long
   * enough for a silent start to look hung. Not called for `memory://` or an
   * existing directory.
   */
  readonly onProgress?: (message: string) => void;
}

export interface EmbeddedDatabase {
  /** Absolute path, or `memory://`. */
  readonly dataDir: string;
  readonly prisma: PrismaClient;
  readonly pglite: PGlite;
  /** True when this open initialised the data directory (a first start). */
  readonly created: boolean;
  /** Migrations applied by this open. */
  readonly applied: string[];
  /** Disconnects Prisma, shuts Postgres down cleanly (a checkpoint) and releases the directory. */
  close(): Promise<void>;
}

/**
 * The embedded store (`npm start` without DATABASE_URL): Postgres compiled
 * to WebAssembly (PGlite) in this process, its data directory on disk,
 * Prisma on top through pglite-prisma-adapter. The same migrations and the same SQL as on a
 * Postgres server.
 */
export async function openEmbeddedDatabase(options: EmbeddedDatabaseOptions): Promise<EmbeddedDatabase> {
  const inMemory = options.dataDir.startsWith(IN_MEMORY);
  const dataDir = inMemory ? options.dataDir : resolve(options.dataDir);
  let lock: DataDirLock | undefined;
  if (!inMemory) lock = lockDataDir(dataDir);
  const created = inMemory || !existsSync(join(dataDir, 'PG_VERSION'));
  let pglite: PGlite | undefined;
  const initializing = !inMemory && created && isEmptyOrMissing(dataDir);
  const started = Date.now();
  try {
    try {
      if (initializing) {
        options.onProgress?.(`first start: creating the database in ${dataDir}\u2026 (once; this can take a minute)`);
        await initializeInChild(dataDir);
      }
      const template =
        inMemory && options.migrate !== false
          ? await memoryTemplate(options.migrationsDir, async () => {
              const fresh = await PGlite.create({ dataDir, startParams: START_PARAMS });
              await applyPgliteMigrations(fresh, { dir: options.migrationsDir });
              return fresh;
            })
          : undefined;
      pglite = await PGlite.create({ dataDir, startParams: START_PARAMS, ...(template === undefined ? {} : { loadDataDir: template }) });
    } catch (e) {
      throw new StoreError(
        StoreErrorCode.OpenFailed,
        `Cannot open the embedded database in ${dataDir}: ${(e as Error).message}. ` +
          'Move the directory away (or set DATA_DIR to another one) to start afresh.',
      );
    }
    const applied =
      options.migrate === false ? [] : (await applyPgliteMigrations(pglite, { dir: options.migrationsDir })).applied;
    if (initializing) options.onProgress?.(`first start: database created in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const prisma = createPglitePrismaClient(pglite);
    const db = pglite;
    let closing: Promise<void> | undefined;
    return {
      dataDir,
      prisma,
      pglite,
      created,
      applied,
      close() {
        closing ??= (async () => {
          try {
            await prisma.$disconnect();
            if (!db.closed) await db.close();
          } finally {
            lock?.release();
          }
        })();
        return closing;
      },
    };
  } catch (e) {
    if (pglite !== undefined && !pglite.closed) await pglite.close().catch(() => undefined);
    lock?.release();
    throw e;
  }
}

function isEmptyOrMissing(dir: string): boolean {
  return !existsSync(dir) || readdirSync(dir).length === 0;
}

/**
 * Creates the data directory (initdb) in a short-lived child process.
 * WebAssembly memory grows but never shrinks, and initdb's peak would stay
 * with this process for its whole life (~780 MB RSS instead of ~225 MB). It
 * is built next to the target and renamed into place, so a start killed
 * half-way leaves no half-made directory behind.
 */
async function initializeInChild(dataDir: string): Promise<void> {
  const building = `${dataDir}.init-${process.pid}`;
  rmSync(building, { recursive: true, force: true });
  mkdirSync(dirname(dataDir), { recursive: true });
  const script =
    `require(${JSON.stringify(require.resolve('@electric-sql/pglite'))}).PGlite.create({ dataDir: ${JSON.stringify(building)} })` +
    `.then((db) => db.close()).then(() => process.exit(0), (e) => { console.error(String((e && e.message) || e)); process.exit(1); });`;
  try {
    await new Promise<void>((resolvePromise, reject) => {
      execFile(process.execPath, ['-e', script], { timeout: 180_000, env: { ...process.env, NODE_OPTIONS: '' } }, (error, _out, err) =>
        error ? reject(new Error(String(err).trim() || error.message)) : resolvePromise(),
      );
    });
    if (existsSync(dataDir)) rmdirSync(dataDir);
    renameSync(building, dataDir);
  } finally {
    rmSync(building, { recursive: true, force: true });
  }
}

/**
 * A Prisma client on a PGlite instance, safe for the runtime's transaction
 * patterns (see {@link withConnectionAffinity}); its statements take the
 * one-call path of {@link pgliteSession}.
 */
export function createPglitePrismaClient(pglite: PGlite): PrismaClient {
  const session = pgliteSession(pglite) as unknown as PGlite;
  return withConnectionAffinity(new PrismaClient({ adapter: new PrismaPGlite(session) }));
}

type TransactionClient = Prisma.TransactionClient;

/** What a transaction callback's own queries on the client are routed to. */
interface TransactionScope {
  tx?: TransactionClient;
  open: boolean;
}

const lowerFirst = (name: string) => name.charAt(0).toLowerCase() + name.slice(1);

/** Client members a transaction client also has: the model delegates and raw SQL. */
const ROUTED = new Set<string | symbol>([
  ...Object.values(Prisma.ModelName).map(lowerFirst),
  '$queryRaw',
  '$queryRawUnsafe',
  '$executeRaw',
  '$executeRawUnsafe',
]);

/**
 * PGlite is one connection: an open transaction holds it until it ends, and
 * any other query waits. Code that, inside `$transaction(async (tx) => ...)`,
 * also queries through the client itself (the definition registry loads a
 * definition it has not cached yet while a worker batch holds its
 * transaction) would wait for its own transaction: a deadlock until Prisma's
 * transaction timeout. On Postgres that query simply takes a second pooled
 * connection.
 *
 * So the connection has affinity to the flow that holds it: while a
 * transaction callback runs, queries made through the client from that
 * callback's async context run inside its transaction (they see what it
 * wrote, and commit or roll back with it), as if the pool had handed the
 * flow its own connection back. Queries from every other context queue as
 * before. A `$transaction` started from inside a callback is a separate
 * transaction and queues too (nesting a transaction in its own flow would
 * deadlock on a one-connection pool anywhere; the runtime never does).
 */
export function withConnectionAffinity(client: PrismaClient): PrismaClient {
  const scope = new AsyncLocalStorage<TransactionScope>();
  const transaction = client.$transaction.bind(client) as (...args: unknown[]) => Promise<unknown>;
  const $transaction = (arg: unknown, options?: unknown): Promise<unknown> => {
    if (typeof arg !== 'function') return transaction(arg, options);
    const callback = arg as (tx: TransactionClient) => Promise<unknown>;
    const current: TransactionScope = { open: false };
    return scope.run(current, () =>
      transaction(async (tx: TransactionClient) => {
        current.tx = tx;
        current.open = true;
        try {
          return await callback(tx);
        } finally {
          current.open = false;
        }
      }, options),
    );
  };
  return new Proxy(client, {
    get(target, property) {
      if (property === '$transaction') return $transaction;
      const current = scope.getStore();
      const owner: object =
        current?.open === true && current.tx !== undefined && ROUTED.has(property) ? current.tx : target;
      const value: unknown = Reflect.get(owner, property, owner);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(owner) : value;
    },
  });
}

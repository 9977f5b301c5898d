import type { Settings } from '@baton/config';
import { applyMigrations, createPrismaClient, IN_MEMORY, openEmbeddedDatabase, startEmbeddedVacuum, type PrismaClient } from '@baton/store';
import type { RuntimeLogger } from '@baton/runtime';

/** The system of record as the host opened it. */
export interface Store {
  readonly kind: 'postgres' | 'pglite';
  readonly prisma: PrismaClient;
  /** Embedded only: where the data lives (an absolute path, or `memory://`). */
  readonly dataDir?: string;
  /** Embedded only: this start created the database (nothing deployed yet). */
  readonly created?: boolean;
  /** Resolves when the database answers a trivial query within `timeoutMs`. */
  ping(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Opens the store the settings name, migrating it first when
 * MIGRATE_ON_START is set — before any other adapter connects. Each store
 * kind is one branch here: Postgres when DATABASE_URL is set, otherwise the
 * embedded PGlite database in DATA_DIR, always migrated (nobody else can:
 * only this process may open it).
 */
export async function openStore(settings: Settings, logger: RuntimeLogger): Promise<Store> {
  if (settings.DATABASE_URL !== undefined) return openPostgres(settings.DATABASE_URL, settings, logger);
  return openPglite(settings.DATA_DIR, settings.EMBEDDED_VACUUM_INTERVAL, logger);
}

async function openPglite(dataDir: string, vacuumIntervalSeconds: number, logger: RuntimeLogger): Promise<Store> {
  const started = Date.now();
  const db = await openEmbeddedDatabase({ dataDir, onProgress: (message) => logger.log(message) });
  const where = db.dataDir.startsWith(IN_MEMORY) ? 'in memory (nothing is kept)' : `in ${db.dataDir}`;
  const migrations = db.applied.length > 0 ? `applied migrations: ${db.applied.join(', ')}` : 'schema is up to date';
  logger.log(`embedded Postgres (PGlite) ${where}${db.created ? ', created' : ''}; ${migrations} (${Date.now() - started} ms)`);
  // PGlite has no autovacuum: this process does its work (libs/store/src/pglite/embedded-vacuum.ts).
  const stopVacuum = startEmbeddedVacuum(db.prisma, vacuumIntervalSeconds, {
    round: ({ vacuumed }) => {
      if (vacuumed.length === 0) return;
      const ms = vacuumed.reduce((sum, v) => sum + v.ms, 0);
      logger.log(`vacuumed ${vacuumed.map((v) => `${v.table} (${v.deadRows} dead rows)`).join(', ')} in ${Math.round(ms)} ms`);
    },
    failed: (e) => logger.warn(`vacuum round failed: ${e.message}`),
  });
  return {
    kind: 'pglite',
    prisma: db.prisma,
    dataDir: db.dataDir,
    created: db.created,
    ping: (timeoutMs) => withTimeout(db.prisma.$queryRawUnsafe('SELECT 1'), timeoutMs, 'pglite'),
    close: async () => {
      await stopVacuum();
      await db.close();
    },
  };
}

async function openPostgres(url: string, settings: Settings, logger: RuntimeLogger): Promise<Store> {
  if (settings.MIGRATE_ON_START) {
    const { applied } = await applyMigrations({ url });
    logger.log(applied.length > 0 ? `applied migrations: ${applied.join(', ')}` : 'database schema is up to date');
  }
  const prisma = createPrismaClient({ url, poolSize: settings.DB_POOL_SIZE });
  return {
    kind: 'postgres',
    prisma,
    ping: (timeoutMs) => withTimeout(prisma.$queryRawUnsafe('SELECT 1'), timeoutMs, 'postgres'),
    close: () => prisma.$disconnect(),
  };
}

export async function withTimeout<T>(work: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

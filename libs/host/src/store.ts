import type { Settings } from '@baton/config';
import { applyMigrations, createPrismaClient, type PrismaClient } from '@baton/store';
import { HostConfigError } from './host-error';
import type { RuntimeLogger } from '@baton/runtime';

/** The system of record as the host opened it. */
export interface Store {
  readonly kind: 'postgres' | 'pglite';
  readonly prisma: PrismaClient;
  /** Resolves when the database answers a trivial query within `timeoutMs`. */
  ping(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Opens the store the settings name, migrating it first when
 * MIGRATE_ON_START is set — before any other adapter connects. Each store
 * kind is one branch here.
 */
export async function openStore(settings: Settings, logger: RuntimeLogger): Promise<Store> {
  if (settings.DATABASE_URL !== undefined) return openPostgres(settings.DATABASE_URL, settings, logger);
  // Embedded mode (PGlite under DATA_DIR) is the next branch.
  throw new HostConfigError('DATABASE_URL is not set (embedded mode comes later)');
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

import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import type { ApplyMigrationsResult } from '../migrations';
import { StoreError, StoreErrorCode } from '../store-error';

/** One folder of prisma/migrations, as Prisma's migration engine reads it. */
export interface MigrationFile {
  /** The folder name, e.g. `20261122154354_init` (applied in name order). */
  readonly name: string;
  readonly sql: string;
  /** Prisma's checksum: SHA-256 of migration.sql, lowercase hex. */
  readonly checksum: string;
}

/**
 * Prisma's bookkeeping table, column for column (types, defaults, key), so
 * that `prisma migrate deploy` or `migrate status` pointed at the same
 * database later reads our rows as its own.
 */
const BOOKKEEPING_DDL = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

const MIGRATIONS = join('prisma', 'migrations');

/**
 * prisma/migrations at the repository root: found from this file
 * (libs/store/src/pglite, or dist/... after a build) or, failing that, from
 * the working directory.
 */
export function findMigrationsDir(): string {
  for (const start of [__dirname, process.cwd()]) {
    for (let dir = resolve(start); ; dir = dirname(dir)) {
      const candidate = join(dir, MIGRATIONS);
      if (existsSync(join(candidate, 'migration_lock.toml'))) return candidate;
      if (dirname(dir) === dir) break;
    }
  }
  throw new StoreError(
    StoreErrorCode.MigrationFailed,
    `Cannot find ${MIGRATIONS} above ${__dirname} or ${process.cwd()}: deploy prisma/ with the app.`,
  );
}

/** The migration folders, oldest first. */
export function readMigrationFiles(dir: string = findMigrationsDir()): MigrationFile[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, 'migration.sql')))
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: migrationChecksum(sql) };
    });
}

export function migrationChecksum(sql: string): string {
  return createHash('sha256').update(sql, 'utf8').digest('hex');
}

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: unknown;
  rolled_back_at: unknown;
}

/**
 * `prisma migrate deploy` for the embedded database. The WebAssembly schema
 * engine that migrates Postgres (scripts/db/engine.mjs) runs in a child
 * process, and a PGlite data directory can only be open in one process at a
 * time, so the embedded store applies the same folders itself: each one not
 * yet recorded, in name order, recorded exactly as Prisma records it (same
 * table, same checksum), so the two tools agree about the database.
 *
 * Unlike Prisma, each migration runs in a transaction with its record: a
 * failed one leaves neither schema changes nor a failed record behind, so the
 * next start simply tries again. A recorded migration whose file has changed
 * since is refused, as Prisma refuses it.
 */
export async function applyPgliteMigrations(
  db: PGlite,
  options: { dir?: string } = {},
): Promise<ApplyMigrationsResult> {
  const files = readMigrationFiles(options.dir);
  if (files.length === 0) {
    throw new StoreError(StoreErrorCode.MigrationFailed, `No migrations found in ${options.dir ?? MIGRATIONS}.`);
  }
  await db.exec(BOOKKEEPING_DDL);
  const { rows } = await db.query<AppliedRow>(
    `SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations" ORDER BY started_at`,
  );
  const recorded = new Map<string, AppliedRow>();
  for (const row of rows) {
    if (row.rolled_back_at !== null) continue;
    if (row.finished_at === null) {
      throw new StoreError(
        StoreErrorCode.MigrationFailed,
        `Migration ${row.migration_name} started but did not finish in this database; ` +
          'resolve it (or start from an empty DATA_DIR) before starting Baton.',
      );
    }
    recorded.set(row.migration_name, row);
  }

  const applied: string[] = [];
  for (const file of files) {
    const row = recorded.get(file.name);
    if (row !== undefined) {
      // Prisma also accepts a checksum taken before a checkout turned LF into CRLF.
      if (row.checksum !== file.checksum && row.checksum !== migrationChecksum(file.sql.replace(/\r\n/g, '\n'))) {
        throw new StoreError(
          StoreErrorCode.MigrationFailed,
          `Migration ${file.name} was modified after it was applied to this database.`,
        );
      }
      continue;
    }
    try {
      await db.transaction(async (tx) => {
        const id = randomUUID();
        await tx.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count)
           VALUES ($1, $2, $3, now(), 0)`,
          [id, file.checksum, file.name],
        );
        await tx.exec(file.sql);
        await tx.query(
          `UPDATE "_prisma_migrations" SET finished_at = clock_timestamp(), applied_steps_count = 1 WHERE id = $1`,
          [id],
        );
      });
    } catch (e) {
      throw new StoreError(
        StoreErrorCode.MigrationFailed,
        `Applying migration ${file.name} failed: ${(e as Error).message}`,
      );
    }
    applied.push(file.name);
  }
  return { applied };
}

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { databaseTarget } from './database-target';
import { StoreError, StoreErrorCode } from './store-error';

export interface ApplyMigrationsOptions {
  /** `DATABASE_URL`; may carry `?schema=`. */
  url: string;
  /** Postgres schema (created if missing); overrides `?schema=`. Default public. */
  schema?: string;
}

export interface ApplyMigrationsResult {
  /** Migration folder names applied by this call; empty when already up to date. */
  applied: string[];
}

const SCRIPT = join('scripts', 'db', 'migrate.mjs');

/**
 * Applies pending migrations from prisma/migrations, as `prisma migrate deploy`
 * does (same `_prisma_migrations` table). Safe to call from every replica at
 * start-up: callers on one schema queue on an advisory lock.
 *
 * Runs scripts/db/migrate.mjs in a child Node process. The migration engine is
 * an ES module that loads Prisma's WebAssembly schema engine; a child process is
 * the one way that works the same under tsc-compiled CommonJS, SWC/Jest (whose
 * module loader cannot import it) and tsx. It costs ~0.3 s, once per start.
 */
export async function applyMigrations(
  options: ApplyMigrationsOptions,
): Promise<ApplyMigrationsResult> {
  const target = databaseTarget(options.url, options.schema);
  const script = findMigrateScript();
  const env = {
    ...process.env,
    DATABASE_URL: target.connectionString,
    DATABASE_SCHEMA: target.schema ?? '',
  };
  const stdout = await new Promise<string>((resolvePromise, reject) => {
    execFile(
      process.execPath,
      [script, '--json'],
      { env, maxBuffer: 1 << 20 },
      (error, out, err) => {
        if (error) {
          const reason = String(err).trim() || error.message;
          reject(
            new StoreError(
              StoreErrorCode.MigrationFailed,
              `Applying migrations failed: ${reason.replace(/^error: /, '')}`,
            ),
          );
        } else {
          resolvePromise(out);
        }
      },
    );
  });
  const last = stdout.trim().split('\n').pop() ?? '';
  try {
    const parsed = JSON.parse(last) as { applied: string[] };
    return { applied: parsed.applied };
  } catch {
    throw new StoreError(
      StoreErrorCode.MigrationFailed,
      `Unexpected output from ${SCRIPT}: ${stdout.slice(0, 500)}`,
    );
  }
}

/**
 * scripts/db/migrate.mjs sits at the repository root next to prisma/. Found
 * from this file (libs/store/src, or dist/... after a build) or, failing that,
 * from the working directory.
 */
function findMigrateScript(): string {
  for (const start of [__dirname, process.cwd()]) {
    for (let dir = resolve(start); ; dir = dirname(dir)) {
      const candidate = join(dir, SCRIPT);
      if (existsSync(candidate)) return candidate;
      if (dirname(dir) === dir) break;
    }
  }
  throw new StoreError(
    StoreErrorCode.MigrationFailed,
    `Cannot find ${SCRIPT} above ${__dirname} or ${process.cwd()}: deploy scripts/db/ and prisma/ with the app.`,
  );
}

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { readMigrationFiles } from './pglite-migrations';

/**
 * Where a process that opens many in-memory databases (the test suites) keeps
 * a migrated one to start the next from: `PGLITE_TEMPLATE_DIR`. Unset (as in
 * `npm start` and every deployment), each in-memory database is created and
 * migrated from scratch.
 */
export const TEMPLATE_DIR_ENV = 'PGLITE_TEMPLATE_DIR';

/**
 * An in-memory database costs Postgres' initdb in WebAssembly (5–10 s on
 * a busy machine); loading the dump of one already created and migrated
 * takes about 1 s. The dump is keyed by the PGlite version and the
 * migrations, so a changed migration never loads a stale template. Returns
 * undefined when no template directory is configured.
 */
export async function memoryTemplate(
  migrationsDir: string | undefined,
  create: () => Promise<PGlite>,
): Promise<Blob | undefined> {
  const dir = process.env[TEMPLATE_DIR_ENV];
  if (dir === undefined || dir === '') return undefined;
  const file = join(dir, `pglite-${templateKey(migrationsDir)}.tar`);
  if (existsSync(file)) return new Blob([readFileSync(file)]);
  const pglite = await create();
  try {
    const dump = await pglite.dumpDataDir('none');
    mkdirSync(dir, { recursive: true });
    // Written aside and renamed: a process starting meanwhile reads a whole file or none.
    const partial = `${file}.${process.pid}.partial`;
    writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
    renameSync(partial, file);
    for (const other of readdirSync(dir)) {
      if (other.startsWith('pglite-') && other.endsWith('.tar') && join(dir, other) !== file) rmSync(join(dir, other), { force: true });
    }
    return dump;
  } finally {
    await pglite.close();
  }
}

function templateKey(migrationsDir: string | undefined): string {
  const hash = createHash('sha256');
  hash.update(pgliteVersion());
  for (const m of readMigrationFiles(migrationsDir)) hash.update(`${m.name}:${m.checksum}\n`);
  return hash.digest('hex').slice(0, 16);
}

/** PGlite's version, from the package.json above its entry point (its exports do not include the file). */
function pgliteVersion(): string {
  for (let dir = dirname(require.resolve('@electric-sql/pglite')); dirname(dir) !== dir; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (!existsSync(manifest)) continue;
    const { name, version } = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string; version?: string };
    if (name === '@electric-sql/pglite') return String(version);
  }
  return 'unknown';
}

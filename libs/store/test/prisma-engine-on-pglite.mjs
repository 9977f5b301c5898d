// Prisma's own schema engine (the WebAssembly build scripts/db/engine.mjs uses), pointed at an
// embedded PGlite data directory: applies pending migrations as `prisma migrate deploy` would,
// then diffs the live schema against prisma/schema.prisma. Prints one JSON line:
//   { "applied": [...names...], "diff": "<SQL>" }
// libs/store/test/embedded-store.int-spec.ts runs it on a directory our own migration runner
// built, to prove the two agree (nothing to apply, nothing to change).
//
//   node libs/store/test/prisma-engine-on-pglite.mjs <dataDir>
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { readMigrations, SCHEMA_FILE } from '../../../scripts/db/engine.mjs';

const require = createRequire(import.meta.url);
const { PGlite } = require('@electric-sql/pglite');
const { PrismaPGlite } = require('pglite-prisma-adapter');
const { bindMigrationAwareSqlAdapterFactory } = require('@prisma/driver-adapter-utils');

const NO_FILTERS = { externalTables: [], externalEnums: [] };

const bg = await import('@prisma/schema-engine-wasm/schema_engine_bg');
const wasmDir = path.dirname(require.resolve('@prisma/schema-engine-wasm'));
const module = await WebAssembly.compile(fs.readFileSync(path.join(wasmDir, 'schema_engine_bg.wasm')));
const instance = await WebAssembly.instantiate(module, { './schema_engine_bg.js': bg });
bg.__wbg_set_wasm(instance.exports);
instance.exports.__wbindgen_start();

const schemaText = fs.readFileSync(SCHEMA_FILE, 'utf8');
const files = [{ path: SCHEMA_FILE, content: schemaText }];
const db = await PGlite.create({ dataDir: process.argv[2] });
const engine = await bg.SchemaEngine.new(
  { datamodels: [['schema.prisma', schemaText]] },
  () => {},
  bindMigrationAwareSqlAdapterFactory(new PrismaPGlite(db)),
);
try {
  const { appliedMigrationNames } = await engine.applyMigrations({ migrationsList: readMigrations(), filters: NO_FILTERS });
  const diff = await engine.diff({
    from: { tag: 'schemaDatasource', configDir: path.dirname(SCHEMA_FILE), files },
    to: { tag: 'schemaDatamodel', files },
    script: true,
    exitCode: null,
    filters: NO_FILTERS,
  });
  process.stdout.write(`${JSON.stringify({ applied: appliedMigrationNames, diff: diff.stdout ?? '' })}\n`);
} finally {
  engine.free();
  await db.close();
}

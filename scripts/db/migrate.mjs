#!/usr/bin/env node
// Applies pending migrations from prisma/migrations (like `prisma migrate deploy`).
//
//   DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test node scripts/db/migrate.mjs
//
// Target schema: DATABASE_SCHEMA, else `?schema=` in DATABASE_URL, else public.
// Prints the applied names as JSON on stdout with --json (used by libs/store).
import { applyMigrations, main } from './engine.mjs';

main(async () => {
  const json = process.argv.includes('--json');
  const applied = await applyMigrations({
    url: process.env.DATABASE_URL,
    schema: process.env.DATABASE_SCHEMA || undefined,
  });
  if (json) {
    process.stdout.write(`${JSON.stringify({ applied })}\n`);
  } else if (applied.length === 0) {
    process.stdout.write('Database is up to date: no pending migration.\n');
  } else {
    process.stdout.write(
      `Applied ${applied.length} migration(s):\n${applied.map((n) => `  ${n}\n`).join('')}`,
    );
  }
});

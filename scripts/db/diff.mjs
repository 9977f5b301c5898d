#!/usr/bin/env node
// Creates prisma/migrations/<timestamp>_<name>/migration.sql from the changes in
// prisma/schema.prisma since the last migration (like `prisma migrate dev --create-only`).
//
//   DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test node scripts/db/diff.mjs add_job_priority
//   node scripts/db/diff.mjs --check     # exit 1 if schema.prisma has changes without a migration
//
// The migrations are replayed in a throw-away database on the DATABASE_URL server
// (the user needs CREATEDB); the target database itself is not touched.
import fs from 'node:fs';
import path from 'node:path';
import {
  DbToolError,
  LOCK_CONTENT,
  LOCK_FILE,
  MIGRATIONS_DIR,
  diffMigrations,
  main,
} from './engine.mjs';

main(async () => {
  const args = process.argv.slice(2);
  const check = args.includes('--check');
  const name = args.find((a) => !a.startsWith('--'));
  if (!check && !name) {
    throw new DbToolError('usage: node scripts/db/diff.mjs <migration_name>  (or --check)');
  }
  if (name && !/^[a-z0-9_]{1,100}$/.test(name)) {
    throw new DbToolError(
      `Migration name ${JSON.stringify(name)}: use lowercase letters, digits and underscores.`,
    );
  }
  const sql = await diffMigrations({ url: process.env.DATABASE_URL });
  if (!sql) {
    process.stdout.write('No schema changes: prisma/schema.prisma matches prisma/migrations.\n');
    return 0;
  }
  if (check) {
    process.stderr.write(`prisma/schema.prisma has changes without a migration:\n\n${sql}\n`);
    return 1;
  }
  const stamp = nextStamp();
  const dir = path.join(MIGRATIONS_DIR, `${stamp}_${name}`);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'migration.sql'), sql.endsWith('\n') ? sql : `${sql}\n`);
  const lock = path.join(MIGRATIONS_DIR, LOCK_FILE);
  if (!fs.existsSync(lock)) fs.writeFileSync(lock, LOCK_CONTENT);
  process.stdout.write(
    `Created ${path.relative(process.cwd(), dir)}/migration.sql\nReview it, then apply with: npm run db:migrate\n`,
  );
  return 0;
});

// Prisma's folder name: UTC YYYYMMDDHHMMSS. Kept after the newest existing folder
// even if this machine's clock is behind, since the engine applies them in name order.
function nextStamp() {
  const now = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  const last = fs.existsSync(MIGRATIONS_DIR)
    ? fs
        .readdirSync(MIGRATIONS_DIR)
        .map((n) => n.slice(0, 14))
        .filter((n) => /^\d{14}$/.test(n))
        .sort()
        .pop()
    : undefined;
  if (!last || now > last) return now;
  const t = last.replace(/^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/, '$1-$2-$3T$4:$5:$6Z');
  return new Date(Date.parse(t) + 1000).toISOString().replace(/\D/g, '').slice(0, 14);
}

import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findMigrationsDir, openEmbeddedDatabase, StoreErrorCode, type EmbeddedDatabase } from '../src';
import { freshSchema } from './fresh-schema';

/** What only the embedded store has: its own migration runner, a data directory, a lock, the session time zone. */
describe('embedded store (PGlite)', () => {
  let dir: string;
  const opened: EmbeddedDatabase[] = [];
  const open = async (options: { dataDir?: string; migrationsDir?: string } = {}) => {
    const db = await openEmbeddedDatabase({ dataDir: options.dataDir ?? join(dir, 'data'), migrationsDir: options.migrationsDir });
    opened.push(db);
    return db;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'baton-embedded-'));
  });

  /**
   * A data directory initialised (initdb, the slow part: seconds of
   * WebAssembly) but not migrated, made once and copied for each test that
   * only needs one to exist; the first test creates its own.
   */
  let pristine: string | undefined;
  const initialized = async (dataDir = join(dir, 'data')): Promise<string> => {
    if (pristine === undefined) {
      const made = join(mkdtempSync(join(tmpdir(), 'baton-pristine-')), 'data');
      await (await openEmbeddedDatabase({ dataDir: made, migrate: false })).close();
      pristine = made;
    }
    cpSync(pristine, dataDir, { recursive: true });
    return dataDir;
  };
  afterAll(() => {
    if (pristine !== undefined) rmSync(join(pristine, '..'), { recursive: true, force: true });
  });

  afterEach(async () => {
    for (const db of opened.splice(0)) await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('migrations', () => {
    it("builds what Prisma's own engine expects: nothing left to apply, no difference from schema.prisma", async () => {
      const db = await open();
      expect(db.created).toBe(true);
      expect(db.applied.length).toBeGreaterThan(0);
      await db.close();
      const out = await run(process.execPath, [join(__dirname, 'prisma-engine-on-pglite.mjs'), db.dataDir]);
      const { applied, diff } = JSON.parse(out.trim().split('\n').pop() ?? '{}') as { applied: string[]; diff: string };
      expect(applied).toEqual([]);
      expect(diff.replace(/--[^\n]*/g, '').trim()).toBe('');
    }, 60_000);

    it("keeps Prisma's bookkeeping table column for column", async () => {
      const columns = `SELECT column_name, data_type, character_maximum_length, is_nullable, column_default
                         FROM information_schema.columns WHERE table_name = '_prisma_migrations' AND table_schema = current_schema()
                        ORDER BY ordinal_position`;
      const embedded = await open({ dataDir: 'memory://' });
      const postgres = await freshSchema({ prefix: 'embedded_bookkeeping', poolSize: 1 });
      try {
        const ours = await embedded.prisma.$queryRawUnsafe<Record<string, unknown>[]>(columns);
        const prismas = await postgres.prisma.$queryRawUnsafe<Record<string, unknown>[]>(columns);
        expect(ours).toEqual(prismas);
        expect(ours.map((c) => c.column_name)).toContain('applied_steps_count');
      } finally {
        await postgres.drop();
      }
    }, 60_000);

    it('applies nothing on the next open and keeps what was written', async () => {
      const first = await open({ dataDir: await initialized() });
      await first.prisma.definition.create({ data: { id: 1n, bpmnProcessId: 'kept', version: 1, xml: '<x/>', hash: 'h' } });
      await first.close();
      const second = await open();
      expect(second).toMatchObject({ created: false, applied: [] });
      expect(await second.prisma.definition.count({ where: { bpmnProcessId: 'kept' } })).toBe(1);
    }, 60_000);

    it('applies a new migration folder on the next open, and refuses a recorded one that was changed', async () => {
      const migrations = join(dir, 'migrations');
      cpSync(findMigrationsDir(), migrations, { recursive: true });
      await (await open({ dataDir: await initialized(), migrationsDir: migrations })).close();
      const extra = join(migrations, '29990101000000_extra');
      mkdirSync(extra);
      writeFileSync(join(extra, 'migration.sql'), 'CREATE TABLE "Extra" ("id" INTEGER NOT NULL);\n');
      const second = await open({ migrationsDir: migrations });
      expect(second.applied).toEqual(['29990101000000_extra']);
      await second.close();
      writeFileSync(join(extra, 'migration.sql'), 'CREATE TABLE "Extra" ("id" BIGINT NOT NULL);\n');
      await expect(open({ migrationsDir: migrations })).rejects.toMatchObject({
        code: StoreErrorCode.MigrationFailed,
        message: expect.stringMatching(/29990101000000_extra was modified/),
      });
    }, 60_000);

    it('rolls a failing migration back whole, records nothing, and tries it again on the next open', async () => {
      const migrations = join(dir, 'migrations');
      cpSync(findMigrationsDir(), migrations, { recursive: true });
      const broken = join(migrations, '29990101000000_broken');
      mkdirSync(broken);
      writeFileSync(join(broken, 'migration.sql'), 'CREATE TABLE "Half" ("id" INTEGER);\nSELECT * FROM "NoSuchTable";\n');
      await expect(open({ dataDir: await initialized(), migrationsDir: migrations })).rejects.toMatchObject({
        code: StoreErrorCode.MigrationFailed,
        message: expect.stringMatching(/29990101000000_broken failed: .*NoSuchTable/),
      });
      writeFileSync(join(broken, 'migration.sql'), 'CREATE TABLE "Half" ("id" INTEGER);\n');
      const db = await open({ migrationsDir: migrations });
      expect(db.applied).toEqual(['29990101000000_broken']);
      const rows = await db.prisma.$queryRawUnsafe<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM _prisma_migrations WHERE migration_name = '29990101000000_broken'`,
      );
      expect(rows[0].n).toBe(1);
    }, 60_000);
  });

  describe('the data directory', () => {
    it('is refused to a second opener while open, in this process or another, and released on close', async () => {
      const dataDir = await initialized();
      const db = await open({ dataDir });
      await expect(openEmbeddedDatabase({ dataDir })).rejects.toMatchObject({
        code: StoreErrorCode.DataDirInUse,
        message: expect.stringMatching(/in use by this process/),
      });
      await db.close();
      expect(existsSync(`${dataDir}.lock`)).toBe(false);
      // A lock held by a live process (our parent stands in for another Baton).
      writeFileSync(`${dataDir}.lock`, `${process.ppid}\n`);
      await expect(openEmbeddedDatabase({ dataDir })).rejects.toMatchObject({
        code: StoreErrorCode.DataDirInUse,
        message: expect.stringMatching(new RegExp(`in use by process ${process.ppid}`)),
      });
    }, 60_000);

    it('takes over a lock left by a process that no longer runs', async () => {
      const dataDir = await initialized();
      await (await open({ dataDir })).close();
      writeFileSync(`${dataDir}.lock`, '2147483646\n');
      const db = await open({ dataDir });
      expect(db.created).toBe(false);
    }, 60_000);
  });

  describe('time zone', () => {
    it("runs the session in UTC when the host is not (PGlite alone takes the host's zone)", async () => {
      // Its own process: TZ is read when a process starts, and Jest's sandbox keeps its own process.env.
      const script = `
        const { PGlite } = require('@electric-sql/pglite');
        const { openEmbeddedDatabase } = require('./libs/store/src');
        (async () => {
          const bare = await PGlite.create({ dataDir: 'memory://' });
          const bareZone = (await bare.query('SHOW TimeZone')).rows[0].TimeZone;
          await bare.close();
          const db = await openEmbeddedDatabase({ dataDir: 'memory://' });
          const at = new Date('2026-07-01T23:30:00.250Z');
          const row = await db.prisma.definition.create({ data: { id: 1n, bpmnProcessId: 'tz', version: 1, xml: '<x/>', hash: 'h', deployedAt: at } });
          const [raw] = await db.prisma.$queryRawUnsafe("SELECT current_setting('TimeZone') AS zone, \\"deployedAt\\"::date::text AS day FROM \\"Definition\\"");
          console.log(JSON.stringify({ offset: at.getTimezoneOffset(), bareZone, zone: raw.zone, day: raw.day, read: row.deployedAt.toISOString() }));
          await db.close();
        })();`;
      const out = await run(process.execPath, ['--import', 'tsx', '-e', script], { TZ: 'America/New_York' });
      const result = JSON.parse(out.trim().split('\n').pop() ?? '{}');
      expect(result).toEqual({
        offset: 240,
        bareZone: expect.not.stringMatching(/^(UTC|GMT|Etc\/UTC)$/),
        zone: 'UTC',
        day: '2026-07-01',
        read: '2026-07-01T23:30:00.250Z',
      });
    }, 60_000);
  });
});

function run(command: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const options = { cwd: join(__dirname, '..', '..', '..'), env: { ...process.env, ...env }, maxBuffer: 1 << 20, timeout: 60_000 };
    execFile(command, args, options, (error, stdout, stderr) =>
      error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout),
    );
  });
}

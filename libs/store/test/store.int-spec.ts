import { randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { applyMigrations, createPrismaClient, Prisma, StoreError, StoreErrorCode } from '../src';
import { freshSchema, FreshSchema } from './fresh-schema';

const MIGRATIONS = readdirSync(join(__dirname, '../../../prisma/migrations'), {
  withFileTypes: true,
})
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

describe('store on Postgres', () => {
  let db: FreshSchema;

  beforeAll(async () => {
    db = await freshSchema({ prefix: 'store' });
  }, 60_000);

  afterAll(async () => {
    await db?.drop();
  });

  describe('migrations', () => {
    it('applies every migration into the fresh schema and records it in _prisma_migrations', async () => {
      const rows = await db.prisma.$queryRaw<
        { migration_name: string; finished_at: Date | null; rolled_back_at: Date | null }[]
      >`SELECT migration_name, finished_at, rolled_back_at FROM _prisma_migrations ORDER BY migration_name`;
      expect(rows.map((r) => r.migration_name)).toEqual(MIGRATIONS);
      for (const row of rows) {
        expect(row.finished_at).toBeInstanceOf(Date);
        expect(row.rolled_back_at).toBeNull();
      }
      const tables = await db.prisma.$queryRaw<{ table_name: string }[]>`
        SELECT table_name FROM information_schema.tables WHERE table_schema = ${db.schema}`;
      expect(tables.map((t) => t.table_name)).toEqual(
        expect.arrayContaining([
          'ProcessInstance',
          'Definition',
          'HistoryEvent',
          'Job',
          'Timer',
          'UserTask',
        ]),
      );
    });

    it('is a no-op when applied again', async () => {
      await expect(applyMigrations({ url: db.url })).resolves.toEqual({ applied: [] });
      const [{ count }] = await db.prisma.$queryRaw<
        { count: bigint }[]
      >`SELECT count(*) FROM _prisma_migrations`;
      expect(Number(count)).toBe(MIGRATIONS.length);
    }, 30_000);

    it('names DATABASE_URL when it is missing', async () => {
      await expect(applyMigrations({ url: '' })).rejects.toThrow(/DATABASE_URL/);
      await expect(applyMigrations({ url: '' })).rejects.toMatchObject({
        code: StoreErrorCode.InvalidConfig,
      });
    });

    it('reports an unreachable database as a migration failure', async () => {
      const error = await applyMigrations({ url: 'postgresql://postgres@127.0.0.1:1/test' }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(StoreError);
      expect(error).toMatchObject({ code: StoreErrorCode.MigrationFailed });
      expect((error as Error).message).toMatch(/Cannot connect to DATABASE_URL/);
    }, 30_000);
  });

  describe('client', () => {
    it('writes and reads an instance with JSONB variables and state', async () => {
      const id = randomUUID();
      const state = {
        tokens: [{ id: 't1', elementId: 'task', state: 'WAITING', scope: null }],
        scopes: {
          root: {
            vars: { n: 1.5, big: 2 ** 40, text: 'grüße ✓', nested: { list: [1, 'a', null, true] } },
          },
        },
      };
      await db.prisma.processInstance.create({
        data: {
          id,
          definitionId: randomUUID(),
          processKey: 'order',
          processVersion: 1,
          businessKey: 'B-1',
          variables: { amount: 120, customer: { name: 'Ada' } },
          state,
          pendingSince: new Date(),
        },
      });
      const read = await db.prisma.processInstance.findUniqueOrThrow({ where: { id } });
      expect(read).toMatchObject({ status: 'ACTIVE', rev: 0, businessKey: 'B-1', endedAt: null });
      expect(read.state).toEqual(state);
      expect(read.variables).toEqual({ amount: 120, customer: { name: 'Ada' } });
      expect(read.startedAt).toBeInstanceOf(Date);

      // Stored as jsonb, not text: Postgres can look inside it.
      const [{ name }] = await db.prisma.$queryRaw<{ name: string }[]>`
        SELECT variables->'customer'->>'name' AS name FROM "ProcessInstance" WHERE id = ${id}::uuid`;
      expect(name).toBe('Ada');
    });

    it('lets optimistic concurrency through rev reject a stale write', async () => {
      const id = randomUUID();
      await db.prisma.processInstance.create({
        data: { id, definitionId: randomUUID(), processKey: 'order', processVersion: 1, state: {} },
      });
      const first = await db.prisma.processInstance.updateMany({
        where: { id, rev: 0 },
        data: { rev: { increment: 1 }, state: { step: 1 } },
      });
      const stale = await db.prisma.processInstance.updateMany({
        where: { id, rev: 0 },
        data: { rev: { increment: 1 }, state: { step: 'lost' } },
      });
      expect([first.count, stale.count]).toEqual([1, 0]);
      const read = await db.prisma.processInstance.findUniqueOrThrow({ where: { id } });
      expect(read).toMatchObject({ rev: 1, state: { step: 1 } });
    });

    it('enforces one definition per (key, version)', async () => {
      const definition = {
        key: `p-${randomUUID()}`,
        version: 1,
        xml: '<definitions/>',
        hash: 'a'.repeat(64),
      };
      await db.prisma.definition.create({ data: definition });
      await expect(db.prisma.definition.create({ data: definition })).rejects.toMatchObject({
        code: 'P2002',
      });
      await expect(
        db.prisma.definition.create({ data: { ...definition, version: 2 } }),
      ).resolves.toMatchObject({
        version: 2,
      });
    });

    it('enforces unique job keys, so a replayed effect is skipped', async () => {
      const job = (key: string) => ({
        key,
        instanceId: randomUUID(),
        elementInstanceId: randomUUID(),
        elementId: 'charge',
        processKey: 'order',
        type: 'charge-card',
        retries: 3,
        customHeaders: { k: 'v' },
      });
      const key = `job-${randomUUID()}`;
      await db.prisma.job.create({ data: job(key) });
      await expect(db.prisma.job.create({ data: job(key) })).rejects.toMatchObject({
        code: 'P2002',
      });
      const replay = await db.prisma.job.createMany({
        data: [job(key), job(`${key}-2`)],
        skipDuplicates: true,
      });
      expect(replay.count).toBe(1);
      const stored = await db.prisma.job.findUniqueOrThrow({ where: { key } });
      expect(stored).toMatchObject({ state: 'ACTIVATABLE', customHeaders: { k: 'v' } });
      expect(stored.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/); // uuid(7) default
    });

    it('maps the error type for unique violations to Prisma.PrismaClientKnownRequestError', async () => {
      const key = `job-${randomUUID()}`;
      const data = {
        key,
        instanceId: randomUUID(),
        elementInstanceId: randomUUID(),
        elementId: 'e',
        processKey: 'p',
        type: 't',
        retries: 1,
      };
      await db.prisma.job.create({ data });
      const error = await db.prisma.job.create({ data }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Prisma.PrismaClientKnownRequestError);
    });

    it('filters user tasks by candidate group (text[])', async () => {
      const instanceId = randomUUID();
      await db.prisma.userTask.createMany({
        data: [
          {
            id: randomUUID(),
            instanceId,
            processKey: 'p',
            elementId: 'a',
            candidateGroups: ['sales', 'ops'],
          },
          {
            id: randomUUID(),
            instanceId,
            processKey: 'p',
            elementId: 'b',
            candidateGroups: ['ops'],
          },
        ],
      });
      const tasks = await db.prisma.userTask.findMany({
        where: { instanceId, state: 'CREATED', candidateGroups: { has: 'sales' } },
      });
      expect(tasks.map((t) => t.elementId)).toEqual(['a']);
    });

    it('works in a second client on the same schema through ?schema= in the URL', async () => {
      const other = createPrismaClient({ url: db.url, poolSize: 1 });
      try {
        await expect(other.processInstance.count()).resolves.toBeGreaterThan(0);
      } finally {
        await other.$disconnect();
      }
    });
  });

  describe('indexes', () => {
    it('has the indexes the lookups need', async () => {
      const rows = await db.prisma.$queryRaw<{ indexname: string; indexdef: string }[]>`
        SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = ${db.schema}`;
      const defs = new Map(rows.map((r) => [r.indexname, r.indexdef]));
      expect(defs.get('ProcessInstance_status_id_idx')).toMatch(/USING btree \(status, id\)/);
      expect(defs.get('ProcessInstance_processKey_id_idx')).toMatch(/\("processKey", id\)/);
      expect(defs.get('ProcessInstance_pendingSince_idx')).toMatch(
        /WHERE \("pendingSince" IS NOT NULL\)/,
      );
      expect(defs.get('HistoryEvent_instanceId_id_idx')).toMatch(/\("instanceId", id\)/);
      expect(defs.get('UserTask_candidateGroups_idx')).toMatch(/USING gin/);
      expect(defs.get('Job_key_key')).toMatch(/UNIQUE INDEX/);
      expect(defs.get('Job_type_state_availableAt_idx')).toMatch(/\(type, state, "availableAt"\)/);
      expect(defs.get('Timer_state_dueAt_idx')).toMatch(/\(state, "dueAt"\)/);
      expect(defs.get('MessageSubscription_messageName_correlationKey_idx')).toBeDefined();
      expect(defs.get('Definition_key_version_key')).toMatch(/UNIQUE INDEX/);
    });

    it('pages ACTIVE instances newest first through the (status, id) index', async () => {
      // 5,000 instances, 1 in 10 active; ids are time-ordered like UUIDv7.
      await db.prisma.$executeRaw`
        INSERT INTO "ProcessInstance" (id, "definitionId", "processKey", "processVersion", status, state)
        SELECT (lpad(to_hex(i), 12, '0') || '7000800000000000' || lpad(to_hex(i), 4, '0'))::uuid,
               gen_random_uuid(), 'bulk', 1,
               (CASE WHEN i % 10 = 0 THEN 'ACTIVE' ELSE 'COMPLETED' END)::"InstanceStatus",
               '{}'::jsonb
        FROM generate_series(1, 5000) AS i`;
      await db.prisma.$executeRaw`ANALYZE "ProcessInstance"`;

      const plan = await db.prisma.$queryRaw<{ 'QUERY PLAN': string }[]>`
        EXPLAIN SELECT id FROM "ProcessInstance" WHERE status = 'ACTIVE' ORDER BY id DESC LIMIT 50`;
      const text = plan.map((r) => r['QUERY PLAN']).join('\n');
      expect(text).toMatch(/Index (Only )?Scan Backward using "?ProcessInstance_status_id_idx"?/);
      expect(text).not.toMatch(/Sort/);

      const page = await db.prisma.processInstance.findMany({
        where: { status: 'ACTIVE', processKey: 'bulk' },
        orderBy: { id: 'desc' },
        take: 50,
        select: { id: true },
      });
      expect(page).toHaveLength(50);
      expect(page.map((r) => r.id)).toEqual([...page.map((r) => r.id)].sort().reverse());
    });
  });
});

import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { applyMigrations, createPrismaClient, defaultIsolationLevel, PgRuntimeStore, Prisma, StoreError, StoreErrorCode } from '../src';
import { big, testKeys } from '../../runtime/test/runtime-harness';
import { freshSchema, FreshSchema } from './fresh-schema';
import { runTogether } from '../src/repositories/sql';

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
          'HistoryStep',
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
    it('runs statements together in one, each with its own parameters', async () => {
      await db.prisma.$executeRawUnsafe(`CREATE TABLE together_a (id int PRIMARY KEY, note text)`);
      await db.prisma.$executeRawUnsafe(`CREATE TABLE together_b (id int, note text)`);
      await db.prisma.$executeRawUnsafe(`INSERT INTO together_a VALUES (1, 'old'), (2, 'old')`);
      await runTogether(db.prisma, [
        { sql: `UPDATE together_a SET note = $2 WHERE id = $1`, params: [2, 'new'] },
        null,
        { sql: `INSERT INTO together_b SELECT $1::int, $2::text UNION ALL SELECT $1::int + 1, $3::text`, params: [10, 'x', 'y'] },
        { sql: `DELETE FROM together_a WHERE id = $1`, params: [1] },
      ]);
      expect(await db.prisma.$queryRawUnsafe(`SELECT id, note FROM together_a ORDER BY id`)).toEqual([{ id: 2, note: 'new' }]);
      expect(await db.prisma.$queryRawUnsafe(`SELECT id, note FROM together_b ORDER BY id`)).toEqual([
        { id: 10, note: 'x' },
        { id: 11, note: 'y' },
      ]);
    });

    it('asks each transaction for READ COMMITTED only when the server defaults to another level', async () => {
      // What each transaction began with, as sent to the server on the client's pool.
      const levelsAsked = async (prisma: typeof db.prisma): Promise<unknown[]> => {
        const { Client } = await import('pg');
        const spy = jest.spyOn(Client.prototype, 'query');
        const store = new PgRuntimeStore(prisma);
        await store.transaction(async (tx) => tx.instances.existing([testKeys()]));
        await store.transaction(async (tx) => tx.instances.existing([testKeys()]));
        const asked = spy.mock.calls.map((call) => call[0]).filter((sql) => typeof sql === 'string' && sql.startsWith('BEGIN'));
        spy.mockRestore();
        return asked;
      };
      expect(await defaultIsolationLevel(db.prisma)).toBe('read committed');
      expect(await levelsAsked(db.prisma)).toEqual(['BEGIN', 'BEGIN']);

      // A role whose sessions default to SERIALIZABLE stands in for a server configured so.
      const role = `baton_iso_${Date.now().toString(36)}`;
      const { Client } = await import('pg');
      const admin = new Client({ connectionString: db.baseUrl });
      await admin.connect();
      await admin.query(`CREATE ROLE ${role} LOGIN SUPERUSER`);
      await admin.query(`ALTER ROLE ${role} SET default_transaction_isolation = 'serializable'`);
      const url = new URL(db.url);
      url.username = role;
      const prisma = createPrismaClient({ url: url.toString(), poolSize: 1 });
      try {
        expect(await defaultIsolationLevel(prisma)).toBe('serializable');
        expect(await levelsAsked(prisma)).toEqual(['BEGIN ISOLATION LEVEL READ COMMITTED', 'BEGIN ISOLATION LEVEL READ COMMITTED']);
      } finally {
        await prisma.$disconnect();
        await admin.query(`DROP ROLE ${role}`);
        await admin.end();
      }
    });

    it('writes and reads an instance with JSONB variables and state', async () => {
      const id = testKeys();
      const state = {
        instanceId: id,
        rootId: id,
        elements: {
          [id]: { id, elementId: 'order', variables: { n: 1.5, big: 2 ** 40, text: 'grüße ✓', nested: { list: [1, 'a', null, true] } } },
        },
      };
      await db.prisma.processInstance.create({
        data: {
          id: big(id),
          definitionId: big(testKeys()),
          bpmnProcessId: 'order',
          processVersion: 1,
          businessKey: 'B-1',
          variables: { amount: 120, customer: { name: 'Ada' } },
          state,
          pendingSince: new Date(),
        },
      });
      const read = await db.prisma.processInstance.findUniqueOrThrow({ where: { id: big(id) } });
      expect(read).toMatchObject({ status: 'ACTIVE', rev: 0, stepFailures: 0, tenantId: '<default>', businessKey: 'B-1', endedAt: null });
      expect(read.state).toEqual(state);
      expect(read.variables).toEqual({ amount: 120, customer: { name: 'Ada' } });
      expect(read.startedAt).toBeInstanceOf(Date);

      // Stored as jsonb, not text: Postgres can look inside it.
      const [{ name }] = await db.prisma.$queryRaw<{ name: string }[]>`
        SELECT variables->'customer'->>'name' AS name FROM "ProcessInstance" WHERE id = ${big(id)}`;
      expect(name).toBe('Ada');
      // The repositories read the process variables from the state's root scope.
      const record = await new PgRuntimeStore(db.prisma).repos.instances.get(id);
      expect(record).toMatchObject({ id, bpmnProcessId: 'order', variables: state.elements[id].variables });
    });

    it('makes a second writer of an instance wait for the first under the row lock, and see what it committed', async () => {
      const id = testKeys();
      await db.prisma.processInstance.create({
        data: { id: big(id), definitionId: big(testKeys()), bpmnProcessId: 'order', processVersion: 1, state: { instanceId: id, rootId: id, elements: {} } },
      });
      const store = new PgRuntimeStore(db.prisma);
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let locked!: () => void;
      const isLocked = new Promise<void>((resolve) => (locked = resolve));
      const first = store.transaction(async (tx) => {
        await tx.instances.lockForStep([id], 'wait');
        locked();
        await held;
        return tx.instances.recordStepFailure(id);
      });
      await isLocked;
      const order: string[] = [];
      const second = store.transaction(async (tx) => {
        const [row] = await tx.instances.lockForStep([id], 'wait');
        order.push('second locked');
        return row.stepFailures;
      });
      await new Promise((resolve) => setTimeout(resolve, 200));
      order.push('first commits');
      release();
      expect(await first).toBe(1);
      // Not a lost update: the second locker reads the row as the first left it.
      expect(await second).toBe(1);
      expect(order).toEqual(['first commits', 'second locked']);
      // A skipping locker (a worker batch) leaves a held row out instead of waiting.
      const again = store.transaction(async (tx) => {
        await tx.instances.lock([id]);
        const skipped = await store.transaction((other) => other.instances.lockForStep([id], 'skip'));
        return skipped.length;
      });
      expect(await again).toBe(0);
    });

    it('enforces one definition per (tenant, process id, version)', async () => {
      const definition = () => ({
        id: big(testKeys()),
        bpmnProcessId: `p-${testKeys()}`,
        version: 1,
        xml: '<definitions/>',
        hash: 'a'.repeat(64),
      });
      const first = definition();
      await db.prisma.definition.create({ data: first });
      await expect(db.prisma.definition.create({ data: { ...first, id: big(testKeys()) } })).rejects.toMatchObject({
        code: 'P2002',
      });
      await expect(db.prisma.definition.create({ data: { ...first, id: big(testKeys()), version: 2 } })).resolves.toMatchObject({
        version: 2,
      });
      // Another tenant has versions of its own.
      await expect(db.prisma.definition.create({ data: { ...first, id: big(testKeys()), tenantId: 'acme' } })).resolves.toMatchObject({
        version: 1,
        tenantId: 'acme',
      });
    });

    it('enforces unique job keys, so a replayed effect is skipped', async () => {
      const job = (key: string, id = testKeys()) => ({
        id: big(id),
        key,
        instanceId: big(testKeys()),
        elementInstanceId: big(testKeys()),
        elementId: 'charge',
        bpmnProcessId: 'order',
        type: 'charge-card',
        retries: 3,
        customHeaders: { k: 'v' },
      });
      const key = `${testKeys()}:charge`;
      const id = testKeys();
      await db.prisma.job.create({ data: job(key, id) });
      await expect(db.prisma.job.create({ data: job(key) })).rejects.toMatchObject({
        code: 'P2002',
      });
      const replay = await db.prisma.job.createMany({
        data: [job(key), job(`${key}-2`)],
        skipDuplicates: true,
      });
      expect(replay.count).toBe(1);
      const stored = await db.prisma.job.findUniqueOrThrow({ where: { key } });
      expect(stored).toMatchObject({ id: big(id), tenantId: '<default>', state: 'ACTIVATABLE', customHeaders: { k: 'v' } });
    });

    it('maps the error type for unique violations to Prisma.PrismaClientKnownRequestError', async () => {
      const data = {
        id: big(testKeys()),
        key: `${testKeys()}:e`,
        instanceId: big(testKeys()),
        elementInstanceId: big(testKeys()),
        elementId: 'e',
        bpmnProcessId: 'p',
        type: 't',
        retries: 1,
      };
      await db.prisma.job.create({ data });
      const error = await db.prisma.job.create({ data }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Prisma.PrismaClientKnownRequestError);
    });

    it('filters user tasks by candidate group (text[])', async () => {
      const instanceId = big(testKeys());
      await db.prisma.userTask.createMany({
        data: [
          {
            id: big(testKeys()),
            instanceId,
            bpmnProcessId: 'p',
            elementId: 'a',
            candidateGroups: ['sales', 'ops'],
          },
          {
            id: big(testKeys()),
            instanceId,
            bpmnProcessId: 'p',
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
      expect(defs.get('ProcessInstance_tenantId_status_id_idx')).toMatch(/USING btree \("tenantId", status, id\)/);
      expect(defs.get('ProcessInstance_bpmnProcessId_id_idx')).toMatch(/\("bpmnProcessId", id\)/);
      expect(defs.get('ProcessInstance_pendingSince_idx')).toMatch(
        /WHERE \("pendingSince" IS NOT NULL\)/,
      );
      expect(defs.get('HistoryStep_instanceId_id_idx')).toMatch(/\("instanceId", id\)/);
      expect(defs.get('HistoryStep_elementInstanceIds_idx')).toMatch(/USING gin \("elementInstanceIds"\)/);
      expect(defs.get('InstanceEvent_instanceId_id_idx')).toMatch(/\("instanceId", id\)/);
      expect(defs.get('UserTask_candidateGroups_idx')).toMatch(/USING gin/);
      expect(defs.get('Job_key_key')).toMatch(/UNIQUE INDEX/);
      expect(defs.get('Job_type_state_availableAt_idx')).toMatch(/\(type, state, "availableAt"\)/);
      expect(defs.get('Timer_state_dueAt_idx')).toMatch(/\(state, "dueAt"\)/);
      expect(defs.get('Timer_key_key')).toMatch(/UNIQUE INDEX/);
      expect(defs.get('MessageSubscription_tenantId_messageName_correlationKey_idx')).toMatch(
        /\("tenantId", "messageName", "correlationKey"\)/,
      );
      expect(defs.get('Definition_tenantId_bpmnProcessId_version_key')).toMatch(/UNIQUE INDEX/);
      expect(defs.get('BufferedMessage_tenantId_messageId_key')).toMatch(/UNIQUE INDEX/);
      expect(defs.get('IdempotencyRecord_pkey')).toMatch(/\(scope, key\)/);
    });

    it('pages ACTIVE instances newest first through the (tenantId, status, id) index', async () => {
      // 5,000 instances, 1 in 10 active; keys from 1 up (as migrated ones are): more digits are newer.
      await db.prisma.$executeRaw`
        INSERT INTO "ProcessInstance" (id, "definitionId", "bpmnProcessId", "processVersion", status, state)
        SELECT i, 1, 'bulk', 1,
               (CASE WHEN i % 10 = 0 THEN 'ACTIVE' ELSE 'COMPLETED' END)::"InstanceStatus",
               jsonb_build_object('instanceId', i::text, 'rootId', i::text, 'elements', '{}'::jsonb)
        FROM generate_series(1, 5000) AS i`;
      await db.prisma.$executeRaw`ANALYZE "ProcessInstance"`;

      const plan = await db.prisma.$queryRaw<{ 'QUERY PLAN': string }[]>`
        EXPLAIN SELECT id FROM "ProcessInstance" WHERE "tenantId" = '<default>' AND status = 'ACTIVE' ORDER BY id DESC LIMIT 50`;
      const text = plan.map((r) => r['QUERY PLAN']).join('\n');
      expect(text).toMatch(/Index (Only )?Scan Backward using "?ProcessInstance_tenantId_status_id_idx"?/);
      expect(text).not.toMatch(/Sort/);

      // The repository's page: newest (highest key) first, the last key the cursor of the next page.
      const instances = new PgRuntimeStore(db.prisma).repos.instances;
      const seen: bigint[] = [];
      let cursor: string | undefined;
      for (;;) {
        const page = await instances.list({ status: 'ACTIVE', bpmnProcessId: 'bulk', tenants: ['<default>'], limit: 120, cursor });
        if (page.length === 0) break;
        expect(page.length).toBeLessThanOrEqual(120);
        seen.push(...page.map((r) => BigInt(r.id)));
        cursor = page[page.length - 1].id;
      }
      expect(seen).toEqual(Array.from({ length: 500 }, (_, i) => BigInt(5000 - i * 10)));
    });
  });
});

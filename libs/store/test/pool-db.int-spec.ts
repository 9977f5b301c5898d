import { LockTimeoutError, StoreUnavailableError } from '@baton/runtime';
import { Client } from 'pg';
import { classifyStoreError, PgRuntimeStore, Prisma } from '../src';
import { poolDb, poolOf, poolTransaction, PoolTransactionError, type PoolTransactionOptions } from '../src/repositories/pool-db';
import type { Db } from '../src/repositories/sql';
import { freshSchema, type FreshSchema } from './fresh-schema';

/**
 * The runtime store runs its statements on the Prisma client's `pg` pool
 * directly: the same results as Prisma's raw queries, and transactions that
 * keep Prisma's interactive-transaction contract (commit, rollback, timeout,
 * wait for a connection).
 */
describe('the runtime store on the pool directly', () => {
  let db: FreshSchema;

  beforeAll(async () => {
    db = await freshSchema({ prefix: 'pooldb', poolSize: 2 });
    await db.prisma.$executeRawUnsafe(`CREATE TABLE pooled (id int PRIMARY KEY, note text)`);
  });

  afterAll(async () => {
    await db.drop();
  });

  beforeEach(async () => {
    await db.prisma.$executeRawUnsafe(`TRUNCATE pooled`);
  });

  const store = (options: ConstructorParameters<typeof PgRuntimeStore>[1] = {}) => new PgRuntimeStore(db.prisma, options);
  const waitFor = async (done: () => boolean) => {
    for (let i = 0; i < 100 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 50));
  };
  const notes = async () =>
    (await db.prisma.$queryRawUnsafe<{ id: number; note: string }[]>(`SELECT id, note FROM pooled ORDER BY id`)).map((r) => `${r.id}:${r.note}`);

  it('reads every column type as Prisma does', async () => {
    const sql = `SELECT 9007199254740993::int8 AS i8, ARRAY[1, NULL, 9007199254740993]::int8[] AS i8a, 1.25::numeric AS num,
        '2026-01-02T03:04:05.678Z'::timestamptz AS tz, '2026-01-02 03:04:05.678'::timestamp AS ts, '2026-01-02'::date AS d,
        '{"a":[1,"x",null]}'::jsonb AS j, '{"b":2}'::json AS js, ARRAY['a', NULL, 'c']::text[] AS ta, ARRAY['{"a":1}'::jsonb] AS ja,
        true AS b, 2::int4 AS i4, 3::int2 AS i2, 2.5::float8 AS f8, NULL::text AS n, count(*) AS c, 'x'::text AS t,
        $1::bigint AS p1, $2::bigint[] AS p2, $3::jsonb AS p3, $4::timestamptz AS p4, $5::text[] AS p5, $6::boolean AS p6, $7::int AS p7`;
    const params = ['12345678901234567', ['1', '2'], { a: [1, 'two'] }, new Date('2026-03-04T05:06:07.089Z'), ['x', 'y'], false, null];
    const [viaPrisma] = await db.prisma.$queryRawUnsafe<Record<string, unknown>[]>(sql, ...params);
    const [viaPool] = await poolDb(poolOf(db.prisma)!).$queryRawUnsafe<Record<string, unknown>[]>(sql, ...params);
    expect(viaPool).toEqual(viaPrisma);
    expect(viaPool.i8).toBe(9007199254740993n);
    expect(viaPool.i8a).toEqual([1n, null, 9007199254740993n]);
    expect(viaPool.num).toBeInstanceOf(Prisma.Decimal);
    expect((viaPool.ts as Date).toISOString()).toBe('2026-01-02T03:04:05.678Z');
    expect((viaPool.p4 as Date).toISOString()).toBe('2026-03-04T05:06:07.089Z');
  });

  const transaction = <R>(work: (tx: Db) => Promise<R>, options: Partial<PoolTransactionOptions> = {}) =>
    poolTransaction(poolOf(db.prisma)!, work, { maxWaitMs: 1_000, timeoutMs: 5_000, readCommitted: false, ...options });
  const inUse = () => poolOf(db.prisma)!.totalCount - poolOf(db.prisma)!.idleCount;

  it('commits the work and gives its result', async () => {
    const result = await transaction(async (tx) => {
      await tx.$executeRawUnsafe(`INSERT INTO pooled VALUES (1, $1)`, 'kept');
      return tx.$queryRawUnsafe<{ note: string }[]>(`SELECT note FROM pooled WHERE id = 1`);
    });
    expect(result).toEqual([{ note: 'kept' }]);
    expect(await notes()).toEqual(['1:kept']);
    expect(inUse()).toBe(0);
  });

  it('rolls everything back when the work throws, and the connection serves the next transaction', async () => {
    const failing = transaction(async (tx) => {
      await tx.$executeRawUnsafe(`INSERT INTO pooled VALUES (2, 'rolled back')`);
      throw new Error('the work failed');
    });
    await expect(failing).rejects.toThrow('the work failed');
    expect(await notes()).toEqual([]);
    expect(inUse()).toBe(0);
    // The same connection, outside any transaction: a statement that failed inside one would say so here.
    await expect(transaction((tx) => tx.$queryRawUnsafe(`SELECT 1 AS one`))).resolves.toEqual([{ one: 1 }]);
  });

  it('fails a transaction past its timeout at once, closes its connection and rolls back what it wrote', async () => {
    const pool = poolOf(db.prisma)!;
    const started = Date.now();
    let statementAfterTimeout: unknown;
    const slow = transaction(
      async (tx) => {
        await tx.$executeRawUnsafe(`INSERT INTO pooled VALUES (4, 'too late')`);
        await tx.$executeRawUnsafe(`SELECT pg_sleep(3)`).catch(() => undefined);
        statementAfterTimeout = await tx.$executeRawUnsafe(`INSERT INTO pooled VALUES (5, 'later still')`).catch((e: unknown) => e);
      },
      { timeoutMs: 300 },
    );
    await expect(slow).rejects.toThrow('the transaction ran past its timeout of 300 ms and was rolled back');
    expect(Date.now() - started).toBeLessThan(2_500);
    expect(await notes()).toEqual([]);
    // The closed connection left the pool rather than going back to it.
    expect(inUse()).toBe(0);
    await waitFor(() => statementAfterTimeout !== undefined);
    expect(statementAfterTimeout).toBeInstanceOf(PoolTransactionError);
    expect(pool.totalCount).toBeLessThanOrEqual(2);
  });

  it('gives up after lockTimeoutMs on a row another transaction holds (55P03, LockTimeoutError in the store)', async () => {
    await db.prisma.$executeRawUnsafe(`INSERT INTO pooled VALUES (6, 'locked')`);
    const holder = new Client({ connectionString: db.baseUrl, options: `-c search_path="${db.schema}"` });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(`SELECT * FROM pooled WHERE id = 6 FOR UPDATE`);
      const blocked = await transaction((tx) => tx.$executeRawUnsafe(`UPDATE pooled SET note = 'mine' WHERE id = 6`), { lockTimeoutMs: 100 }).catch(
        (e: unknown) => e,
      );
      expect(blocked).toMatchObject({ code: '55P03' });
      expect(classifyStoreError(blocked)).toBeInstanceOf(LockTimeoutError);
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
    }
    expect(await notes()).toEqual(['6:locked']);
    expect(inUse()).toBe(0);
  });

  it.each([
    ['between two statements', false],
    ['during a statement', true],
  ])('survives its connection being cut %s: the work fails as unavailable, the next transaction runs', async (_, during) => {
    const admin = new Client({ connectionString: db.baseUrl });
    await admin.connect();
    try {
      const cut = transaction(async (tx) => {
        const [{ pid }] = await tx.$queryRawUnsafe<{ pid: number }[]>(`SELECT pg_backend_pid() AS pid`);
        await tx.$executeRawUnsafe(`INSERT INTO pooled VALUES (7, 'cut off')`);
        if (during) {
          const sleeping = tx.$queryRawUnsafe(`SELECT pg_sleep(2)`);
          await new Promise((resolve) => setTimeout(resolve, 100));
          await admin.query(`SELECT pg_terminate_backend($1)`, [pid]);
          await sleeping;
        } else {
          await admin.query(`SELECT pg_terminate_backend($1)`, [pid]);
          // The connection learns it is gone (an 'error' event, with no statement running) before the next statement.
          await new Promise((resolve) => setTimeout(resolve, 300));
          await tx.$queryRawUnsafe(`SELECT 1`);
        }
      }).catch((e: unknown) => e);
      expect(classifyStoreError(await cut)).toBeInstanceOf(StoreUnavailableError);
    } finally {
      await admin.end();
    }
    expect(await notes()).toEqual([]);
    await expect(transaction((tx) => tx.$queryRawUnsafe(`SELECT 1 AS one`))).resolves.toEqual([{ one: 1 }]);
    expect(inUse()).toBe(0);
  });

  it('gives up waiting for a connection after maxWaitMs with StoreUnavailableError', async () => {
    const pool = poolOf(db.prisma)!;
    const waitingStore = store({ maxWaitMs: 200 });
    await waitingStore.transaction(async () => 'reads the server\'s isolation level first');
    const held = await Promise.all([pool.connect(), pool.connect()]);
    try {
      const waiting = waitingStore.transaction(async () => 'never');
      await expect(waiting).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(waiting).rejects.toThrow('the database is not available: no connection within 200 ms (all 2 in use)');
    } finally {
      for (const client of held) client.release();
    }
    // The connection that arrived after the caller gave up went back to the pool.
    await expect(store().transaction(async () => 'served')).resolves.toBe('served');
    expect(inUse()).toBe(0);
  });
});

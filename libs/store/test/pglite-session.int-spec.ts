import { PrismaPGlite } from 'pglite-prisma-adapter';
import { openEmbeddedDatabase, PrismaClient, type EmbeddedDatabase } from '../src';

/**
 * The embedded store's query path (libs/store/src/pglite/pglite-session.ts):
 * statements prepared once and run in one call each must answer exactly what
 * PGlite's own query path answers, through Prisma as the repositories use it.
 */
describe('PGlite session (embedded query path)', () => {
  let db: EmbeddedDatabase;
  /** Prisma on PGlite's own query path, as before the session: the reference. */
  let plain: PrismaClient;

  beforeAll(async () => {
    db = await openEmbeddedDatabase({ dataDir: 'memory://', migrate: false });
    plain = new PrismaClient({ adapter: new PrismaPGlite(db.pglite) });
    await db.pglite.exec('CREATE TABLE probe (id bigint PRIMARY KEY, label text NOT NULL)');
  }, 120_000);

  afterAll(async () => {
    await plain?.$disconnect();
    await db?.close();
  });

  beforeEach(async () => {
    await db.pglite.exec('TRUNCATE probe');
  });

  const prepared = async () => Number((await db.pglite.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_prepared_statements')).rows[0].n);

  it('answers every type as PGlite itself does, null, arrays and JSON included', async () => {
    const sql =
      'SELECT $1::bigint AS big, $2::int AS small, $3::text AS label, $4::jsonb AS doc, $5::text[] AS list, ' +
      '$6::timestamptz AS at, $7::numeric AS amount, $8::boolean AS flag, $9::bytea AS raw, $10::text AS nothing, ' +
      "'{1,2}'::bigint[] AS ids";
    const args = [
      9_007_199_254_740_993n,
      42,
      'ä "quoted" \\ text',
      JSON.stringify({ a: [1, { b: 'x' }], c: null }),
      ['a', 'b,c', 'd"e'],
      new Date('2026-03-04T05:06:07.089Z'),
      '12345.6789',
      true,
      new Uint8Array([0, 1, 254, 255]),
      null,
    ];
    const expected = await plain.$queryRawUnsafe(sql, ...args);
    // Twice: the first prepares the statement, the second runs it prepared.
    expect(await db.prisma.$queryRawUnsafe(sql, ...args)).toEqual(expected);
    expect(await db.prisma.$queryRawUnsafe(sql, ...args)).toEqual(expected);
  });

  it('counts affected rows and commits a transaction whole', async () => {
    const inserted = await db.prisma.$transaction(async (tx) => {
      const a = await tx.$executeRawUnsafe('INSERT INTO probe (id, label) VALUES ($1, $2), ($3, $4)', 1, 'one', 2, 'two');
      const b = await tx.$executeRawUnsafe('UPDATE probe SET label = upper(label) WHERE id = ANY($1::bigint[])', [1, 2]);
      return [a, b];
    });
    expect(inserted).toEqual([2, 2]);
    expect(await plain.$queryRawUnsafe('SELECT id::int AS id, label FROM probe ORDER BY id')).toEqual([
      { id: 1, label: 'ONE' },
      { id: 2, label: 'TWO' },
    ]);
  });

  it('rolls a transaction back whole when a statement fails, with the Postgres code on the error, and goes on', async () => {
    await db.prisma.$executeRawUnsafe('INSERT INTO probe (id, label) VALUES (1, $1)', 'kept');
    const failing = db.prisma.$transaction(async (tx) => {
      await tx.$executeRawUnsafe('INSERT INTO probe (id, label) VALUES ($1, $2)', 2, 'rolled back');
      await tx.$executeRawUnsafe('INSERT INTO probe (id, label) VALUES ($1, $2)', 1, 'duplicate');
    });
    await expect(failing).rejects.toMatchObject({ meta: { driverAdapterError: { cause: { originalCode: '23505' } } } });
    expect(await db.prisma.$queryRawUnsafe('SELECT id::int AS id, label FROM probe ORDER BY id')).toEqual([{ id: 1, label: 'kept' }]);
  });

  it('rolls back what a transaction wrote when its callback throws', async () => {
    await expect(
      db.prisma.$transaction(async (tx) => {
        await tx.$executeRawUnsafe('INSERT INTO probe (id, label) VALUES ($1, $2)', 3, 'gone');
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(await db.prisma.$queryRawUnsafe('SELECT count(*)::int AS n FROM probe')).toEqual([{ n: 0 }]);
  });

  it('makes a statement from outside wait for the transaction in progress', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let inserted!: () => void;
    const didInsert = new Promise<void>((resolve) => (inserted = resolve));
    const transaction = db.prisma.$transaction(async (tx) => {
      await tx.$executeRawUnsafe('INSERT INTO probe (id, label) VALUES ($1, $2)', 4, 'late');
      inserted();
      await held;
    });
    await didInsert;
    let counted: unknown;
    const outside = db.prisma.$queryRawUnsafe('SELECT count(*)::int AS n FROM probe').then((rows) => (counted = rows));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(counted).toBeUndefined();
    release();
    await transaction;
    await outside;
    expect(counted).toEqual([{ n: 1 }]);
  });

  it('keeps at most 200 statements prepared and closes the least recently used', async () => {
    for (let i = 0; i < 260; i++) {
      expect(await db.prisma.$queryRawUnsafe(`SELECT $1::int + ${i} AS n`, 1)).toEqual([{ n: 1 + i }]);
    }
    // The statements of this test's client and of the other tests, all through the session.
    expect(await prepared()).toBeLessThanOrEqual(200);
    // The first texts were closed: running them again prepares them afresh.
    expect(await db.prisma.$queryRawUnsafe('SELECT $1::int + 0 AS n', 5)).toEqual([{ n: 5 }]);
  });

  it('prepares a statement afresh once its table changed the columns it returns', async () => {
    await db.prisma.$executeRawUnsafe('INSERT INTO probe (id, label) VALUES ($1, $2)', 5, 'five');
    const sql = 'SELECT * FROM probe WHERE id = $1';
    expect(await db.prisma.$queryRawUnsafe(sql, 5)).toEqual([{ id: 5n, label: 'five' }]);
    await db.pglite.exec("ALTER TABLE probe ADD COLUMN note text NOT NULL DEFAULT 'n'");
    try {
      // Postgres refuses the statement prepared before (its result changed) once; the next call prepares it again.
      await expect(db.prisma.$queryRawUnsafe(sql, 5)).rejects.toThrow(/cached plan must not change result type/);
      expect(await db.prisma.$queryRawUnsafe(sql, 5)).toEqual([{ id: 5n, label: 'five', note: 'n' }]);
    } finally {
      await db.pglite.exec('ALTER TABLE probe DROP COLUMN note');
    }
  });
});

import { openEmbeddedDatabase, startEmbeddedVacuum, vacuumRound, type EmbeddedDatabase } from '../src';

/**
 * PGlite has no autovacuum; the embedded store does its work
 * (libs/store/src/pglite/embedded-vacuum.ts): tables whose dead rows passed
 * autovacuum's threshold are vacuumed, the others left alone.
 */
describe('embedded store vacuum (PGlite)', () => {
  let db: EmbeddedDatabase;

  beforeAll(async () => {
    db = await openEmbeddedDatabase({ dataDir: 'memory://' });
  }, 120_000);

  afterAll(async () => {
    await db?.close();
  });

  interface TableStat {
    dead: number;
    live: number;
    vacuumed: boolean;
  }
  const stat = async (table: string): Promise<TableStat> => {
    const [row] = await db.prisma.$queryRawUnsafe<TableStat[]>(
      `SELECT n_dead_tup::int AS dead, n_live_tup::int AS live, last_vacuum IS NOT NULL AS vacuumed
         FROM pg_stat_user_tables WHERE schemaname = current_schema() AND relname = $1`,
      table,
    );
    return row;
  };

  /** `n` instance rows, each then rewritten once as a step does: n dead row versions. */
  const churnInstances = async (n: number, from: number): Promise<void> => {
    await db.prisma.$executeRawUnsafe(
      `INSERT INTO "ProcessInstance" (id, "definitionId", "bpmnProcessId", "processVersion", state)
       SELECT g, 1, 'vacuum-probe', 1, '{}'::jsonb FROM generate_series($1::bigint, $2::bigint) g`,
      from,
      from + n - 1,
    );
    await db.prisma.$executeRawUnsafe(`UPDATE "ProcessInstance" SET rev = rev + 1, "pendingSince" = now() WHERE id BETWEEN $1 AND $2`, from, from + n - 1);
    // A backend reports its table counters at most once a second, when idle.
    for (let waited = 0; (await stat('ProcessInstance')).dead < n && waited < 10_000; waited += 100) await new Promise((r) => setTimeout(r, 100));
  };

  it('vacuums the tables past the threshold, with their dead rows, and only those', async () => {
    await churnInstances(1_000, 1);
    // A few dead rows in another table: under 50 + 20 % of its live rows.
    await db.prisma.$executeRawUnsafe(`INSERT INTO "RetentionMark" (name, "upTo", "lastId") VALUES ('probe', now(), 0)`);
    await db.prisma.$executeRawUnsafe(`UPDATE "RetentionMark" SET "lastId" = 1 WHERE name = 'probe'`);
    for (let waited = 0; (await stat('RetentionMark')).dead < 1 && waited < 10_000; waited += 100) await new Promise((r) => setTimeout(r, 100));
    expect(await stat('ProcessInstance')).toMatchObject({ dead: 1_000, vacuumed: false });

    const round = await vacuumRound(db.prisma);

    expect(round.vacuumed.map((v) => v.table)).toEqual(['ProcessInstance']);
    expect(round.vacuumed[0].deadRows).toBe(1_000);
    expect(await stat('ProcessInstance')).toEqual({ dead: 0, live: 1_000, vacuumed: true });
    expect(await stat('RetentionMark')).toMatchObject({ dead: 1, vacuumed: false });
    // Nothing left past the threshold: the next round does nothing.
    expect((await vacuumRound(db.prisma)).vacuumed).toEqual([]);
  });

  it('runs rounds on its interval until stopped; 0 runs none', async () => {
    const off = startEmbeddedVacuum(db.prisma, 0);
    await off();

    await churnInstances(1_000, 10_001);
    const rounds: string[][] = [];
    const stop = startEmbeddedVacuum(db.prisma, 1, { round: (r) => rounds.push(r.vacuumed.map((v) => v.table)) });
    try {
      for (let waited = 0; rounds.length === 0 && waited < 20_000; waited += 100) await new Promise((r) => setTimeout(r, 100));
    } finally {
      await stop();
    }
    expect(rounds[0]).toEqual(['ProcessInstance']);
    expect((await stat('ProcessInstance')).dead).toBe(0);
    const after = rounds.length;
    await new Promise((r) => setTimeout(r, 1_500));
    expect(rounds).toHaveLength(after);
  });
});

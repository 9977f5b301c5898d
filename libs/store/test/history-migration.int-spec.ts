import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { readMigrationFiles } from '../src';
import { TEST_DATABASE_URL } from './fresh-schema';

const COMPACT = '20261207190101_compact_history';

/**
 * The compact history migration on a database with per-event history rows:
 * every event kept, each instance's in its order, runs of one instance's
 * events written at one time folded into rows of at most 1,024.
 */
describe('migration compact_history (Postgres)', () => {
  let client: Client;
  const schema = `history_mig_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;

  beforeAll(async () => {
    client = new Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    await client.query(`CREATE SCHEMA "${schema}"; SET search_path TO "${schema}"`);
  });
  afterAll(async () => {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  });

  it('folds the old event rows into step rows and keeps every instance history in order', async () => {
    const migrations = readMigrationFiles();
    const at = migrations.findIndex((m) => m.name === COMPACT);
    expect(at).toBeGreaterThan(0);
    for (const m of migrations.slice(0, at)) await client.query(m.sql);

    const t1 = '2026-01-01T00:00:01.000Z';
    const t2 = '2026-01-01T00:00:02.000Z';
    const t3 = '2026-01-01T00:00:03.000Z';
    // [id, instance, type, element, element instance, at]
    const old: [number, number, string, string, number | null, string][] = [
      [1, 100, 'ELEMENT_ACTIVATED', 'p', 100, t1],
      [2, 200, 'ELEMENT_ACTIVATED', 'q', 200, t1],
      [3, 100, 'ELEMENT_ACTIVATED', 'start', 101, t1],
      [4, 100, 'ELEMENT_COMPLETED', 'start', 101, t1],
      [5, 200, 'INCIDENT_CREATED', 'task', null, t1],
      [6, 100, 'ELEMENT_ACTIVATED', 'task', 102, t2],
      [7, 200, 'INCIDENT_RESOLVED', 'task', null, t2],
      // Back at t1 after t2: a run of its own, not folded into the first.
      [8, 100, 'ELEMENT_COMPLETED', 'task', 102, t1],
      [9, 100, 'ELEMENT_COMPLETED', 'p', 100, t1],
    ];
    // Instance 300: 1,030 events written at once, more than one row holds.
    for (let i = 0; i < 1030; i++) old.push([100 + i, 300, 'ELEMENT_ACTIVATED', `e${i}`, 3000 + i, t3]);
    await client.query(
      `INSERT INTO "HistoryEvent" (id, "instanceId", type, "elementId", "elementType", "elementInstanceId", at)
       SELECT id, inst, t::"HistoryEventType", el, 'task', ei, a
         FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::bigint[], $6::timestamptz[]) AS u(id, inst, t, el, ei, a)`,
      [old.map((o) => o[0]), old.map((o) => o[1]), old.map((o) => o[2]), old.map((o) => o[3]), old.map((o) => o[4]), old.map((o) => o[5])],
    );

    await client.query(migrations[at].sql);

    const steps = await client.query<{ instanceId: string; n: number }>(
      `SELECT "instanceId"::text AS "instanceId", cardinality(types) AS n FROM "HistoryStep" ORDER BY id`,
    );
    // Rows in the order of their first event: 100's t1 run, 200's t1 run, 100's t2 run, 200's t2, 100's second t1 run, 300's two.
    expect(steps.rows.map((r) => [r.instanceId, r.n])).toEqual([
      ['100', 3],
      ['200', 2],
      ['100', 1],
      ['200', 1],
      ['100', 2],
      ['300', 1024],
      ['300', 6],
    ]);
    for (const instance of [100, 200, 300]) {
      const events = await client.query<{ id: string; type: string; elementId: string; elementInstanceId: string | null; at: Date }>(
        `SELECT id::text AS id, type::text AS type, "elementId", "elementInstanceId"::text AS "elementInstanceId", at
           FROM "HistoryEvent" WHERE "instanceId" = $1 ORDER BY id`,
        [instance],
      );
      const expected = old.filter((o) => o[1] === instance);
      expect(events.rows.map((e) => [e.type, e.elementId, e.elementInstanceId, e.at.toISOString()])).toEqual(
        expected.map((o) => [o[2], o[3], o[4] === null ? null : String(o[4]), o[5]]),
      );
    }
    // The old table is gone; the view of the same name lists the events.
    const kinds = await client.query<{ relkind: string }>(
      `SELECT c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = 'HistoryEvent'`,
      [schema],
    );
    expect(kinds.rows).toEqual([{ relkind: 'v' }]);
    // The element instance keys are found through the GIN index.
    const found = await client.query<{ instanceId: string }>(
      `SELECT "instanceId"::text AS "instanceId" FROM "HistoryStep" WHERE "elementInstanceIds" && ARRAY[102]::bigint[]`,
    );
    expect(found.rows.map((r) => r.instanceId)).toEqual(['100', '100']);
  });
});

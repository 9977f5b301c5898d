/**
 * `npm run bench:list` (`-- --instances=N` to change the size; default 100,000).
 *
 * The instance list (`GET /api/v1/instances`) at scale: seeds N instances with
 * one INSERT ... SELECT generate_series into a fresh schema (the real
 * migrations, dropped afterwards), then times
 * - the endpoint over HTTP (the API in this process, AUTH=none), and
 * - the repository's query alone, tenant-scoped as a caller with tenants sees it,
 * for each filter the list offers, on the first page and deep in the table
 * (a cursor in the middle). Prints a Markdown table (p50/p95/max of 30 calls
 * each after 3 warm-up calls) and the plan of each query, and exits 0.
 *
 * The data: 8 processes in 4 versions (by age), 3 tenants, statuses 70%
 * COMPLETED, 26% ACTIVE, 4% CANCELED, a business key and three variables
 * (`tier` one of three values, `customer` unique, `amount`) on every instance,
 * started over the last 30 days, one every 26 s, with keys as the key
 * generator makes them (the start time in their high bits); 100 open
 * incidents and 5,000 resolved ones; plus 200 SUSPENDED instances of one more
 * process, older than all of them: a filter on that status or process must
 * not walk the whole table to find them. Then the overview's reads
 * (`GET /api/v1/overview`) on the same data.
 */
import { createApiApp } from '@baton/api';
import { loadSettings } from '@baton/config';
import { KEY_EPOCH_MS, type InstanceRecordQuery } from '@baton/runtime';
import { PgInspectionRepository, PgOverviewRepository, PgRuntimeStore } from '@baton/store';
import { instanceListSql } from '../libs/store/src/repositories/instance.repository';
import { freshSchema } from '../libs/store/test/fresh-schema';

const N = Number(/--instances=(\d+)/.exec(process.argv.join(' '))?.[1] ?? 100_000);
const CALLS = 30;
const WARMUP = 3;
/** The seed's clock: instance g of N started (N - g) * 26 s before it. */
const NOW = Date.now();
const startedMs = (g: number): number => NOW - (N - g) * 26_000;
/** Instance g's key as the key generator makes it: its start (ms since KEY_EPOCH_MS) in the high bits. */
const keyOf = (g: number): string => ((BigInt(startedMs(g) - KEY_EPOCH_MS) << 22n) + BigInt(g % 4096)).toString();
const iso = (g: number): string => new Date(startedMs(g)).toISOString();

interface Case {
  readonly name: string;
  readonly query: string;
  readonly repo: Omit<InstanceRecordQuery, 'limit'>;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function time(
  run: () => Promise<unknown>,
): Promise<{ p50: number; p95: number; max: number }> {
  for (let i = 0; i < WARMUP; i++) await run();
  const samples: number[] = [];
  for (let i = 0; i < CALLS; i++) {
    const start = performance.now();
    await run();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  return {
    p50: percentile(samples, 50),
    p95: percentile(samples, 95),
    max: samples[samples.length - 1],
  };
}

async function main(): Promise<void> {
  const db = await freshSchema({ prefix: 'bench_list', poolSize: 4 });
  try {
    const seedStart = performance.now();
    await db.prisma.$executeRawUnsafe(
      `INSERT INTO "ProcessInstance" (id, "tenantId", "definitionId", "bpmnProcessId", "processVersion", status, "businessKey",
                                      variables, state, "startedAt", "endedAt")
       SELECT ((($1::bigint - ($2::bigint - g) * 26000) - $3::bigint) << 22) + g % 4096,
              (ARRAY['<default>', 'tenant-a', 'tenant-b'])[1 + g % 3],
              1000 + g % 8, 'process-' || (g % 8), 1 + (g * 4) / $2,
              (CASE WHEN g % 100 < 70 THEN 'COMPLETED' WHEN g % 100 < 96 THEN 'ACTIVE' ELSE 'CANCELED' END)::"InstanceStatus",
              'order-' || g,
              jsonb_build_object('tier', (ARRAY['gold', 'silver', 'bronze'])[1 + g % 3], 'customer', 'c-' || g, 'amount', g % 1000),
              '{}',
              to_timestamp(($1::bigint - ($2::bigint - g) * 26000) / 1000.0),
              CASE WHEN g % 100 < 70 OR g % 100 >= 96 THEN to_timestamp(($1::bigint - ($2::bigint - g) * 26000) / 1000.0 + 60) END
         FROM generate_series(0, $2 - 1) AS g`,
      NOW,
      N,
      KEY_EPOCH_MS,
    );
    // Open incidents on 100 ACTIVE instances spread over the table; 5,000 resolved ones.
    await db.prisma.$executeRawUnsafe(
      `INSERT INTO "Incident" (id, "tenantId", "instanceId", "bpmnProcessId", "elementId", type, message, "resolvedAt")
       SELECT 9000000 + k, p."tenantId", p.id, p."bpmnProcessId", 'task', 'JOB_NO_RETRIES', 'declined', CASE WHEN k / 5 > 100 THEN now() END
         FROM (SELECT row_number() OVER (ORDER BY id) AS k, id, "tenantId", "bpmnProcessId" FROM "ProcessInstance" WHERE status = 'ACTIVE') p
        WHERE p.k % 5 = 0 AND p.k / 5 < 5100`,
    );
    // A process whose instances are all among the oldest: a filter on it must not walk the whole table.
    await db.prisma.$executeRawUnsafe(
      `INSERT INTO "ProcessInstance" (id, "tenantId", "definitionId", "bpmnProcessId", "processVersion", status, variables, state, "startedAt")
       SELECT $1::bigint - 1000 + g, 'tenant-a', 999, 'process-old', 1, 'SUSPENDED', '{}', '{}', now() - interval '40 days'
         FROM generate_series(0, 199) AS g`,
      keyOf(0),
    );
    await db.prisma.$executeRawUnsafe(`ANALYZE "ProcessInstance"`);
    await db.prisma.$executeRawUnsafe(`ANALYZE "Incident"`);
    const seedMs = performance.now() - seedStart;
    const middle = keyOf(Math.floor(N / 2));
    const day = 86_400_000;

    const cases: Case[] = [
      { name: 'no filter', query: '', repo: {} },
      { name: 'no filter, cursor mid-table', query: `cursor=${middle}`, repo: { cursor: middle } },
      { name: 'status=ACTIVE', query: 'status=ACTIVE', repo: { status: 'ACTIVE' } },
      {
        name: 'status=SUSPENDED (only the 200 oldest)',
        query: 'status=SUSPENDED',
        repo: { status: 'SUSPENDED' },
      },
      {
        name: 'status=SUSPENDED, cursor mid-table',
        query: `status=SUSPENDED&cursor=${middle}`,
        repo: { status: 'SUSPENDED', cursor: middle },
      },
      { name: 'processKey', query: 'processKey=process-3', repo: { bpmnProcessId: 'process-3' } },
      {
        name: 'processKey + status=CANCELED',
        query: 'processKey=process-3&status=CANCELED',
        repo: { bpmnProcessId: 'process-3', status: 'CANCELED' },
      },
      {
        name: 'processKey + a status it has none of',
        query: `processKey=process-3&status=SUSPENDED`,
        repo: { bpmnProcessId: 'process-3', status: 'SUSPENDED' },
      },
      {
        name: 'processKey of the 200 oldest instances',
        query: 'processKey=process-old',
        repo: { bpmnProcessId: 'process-old' },
      },
      { name: 'unknown processKey', query: 'processKey=nobody', repo: { bpmnProcessId: 'nobody' } },
      {
        name: 'businessKey',
        query: `businessKey=order-${Math.floor(N / 3)}`,
        repo: { businessKey: `order-${Math.floor(N / 3)}` },
      },
      { name: 'unknown businessKey', query: 'businessKey=nobody', repo: { businessKey: 'nobody' } },
      {
        name: 'processKey + version 4 (the newest quarter)',
        query: 'processKey=process-3&version=4',
        repo: { bpmnProcessId: 'process-3', version: 4 },
      },
      {
        name: 'processKey + version 1 (the oldest quarter)',
        query: 'processKey=process-3&version=1',
        repo: { bpmnProcessId: 'process-3', version: 1 },
      },
      { name: 'hasIncident=true (100 open)', query: 'hasIncident=true', repo: { hasIncident: true } },
      { name: 'hasIncident=false', query: 'hasIncident=false', repo: { hasIncident: false } },
      {
        name: 'hasIncident=true + status=COMPLETED (none)',
        query: 'hasIncident=true&status=COMPLETED',
        repo: { hasIncident: true, status: 'COMPLETED' },
      },
      {
        name: 'started in one hour 15 days ago',
        query: `startedFrom=${encodeURIComponent(new Date(NOW - 15 * day).toISOString())}&startedTo=${encodeURIComponent(new Date(NOW - 15 * day + 3_600_000).toISOString())}`,
        repo: { startedFrom: new Date(NOW - 15 * day), startedTo: new Date(NOW - 15 * day + 3_600_000) },
      },
      {
        name: 'started before 20 days ago',
        query: `startedTo=${encodeURIComponent(new Date(NOW - 20 * day).toISOString())}`,
        repo: { startedTo: new Date(NOW - 20 * day) },
      },
      {
        name: 'started in the last 10 minutes',
        query: `startedFrom=${encodeURIComponent(new Date(NOW - 600_000).toISOString())}`,
        repo: { startedFrom: new Date(NOW - 600_000) },
      },
      {
        name: 'started between the two oldest starts (the first only)',
        query: `startedFrom=${encodeURIComponent(iso(0))}&startedTo=${encodeURIComponent(iso(1))}`,
        repo: { startedFrom: new Date(startedMs(0)), startedTo: new Date(startedMs(1)) },
      },
      {
        name: 'variable tier = "gold" (a third)',
        query: `variableName=tier&variableValue=${encodeURIComponent('"gold"')}`,
        repo: { variable: { name: 'tier', value: 'gold' } },
      },
      {
        name: 'variable customer = one instance\'s',
        query: `variableName=customer&variableValue=${encodeURIComponent(`"c-${Math.floor(N / 3)}"`)}`,
        repo: { variable: { name: 'customer', value: `c-${Math.floor(N / 3)}` } },
      },
      {
        name: 'variable nobody has',
        query: 'variableName=nobody',
        repo: { variable: { name: 'nobody' } },
      },
      {
        name: 'processKey + variable customer = one instance\'s',
        query: `processKey=process-${Math.floor(N / 3) % 8}&variableName=customer&variableValue=${encodeURIComponent(`"c-${Math.floor(N / 3)}"`)}`,
        repo: { bpmnProcessId: `process-${Math.floor(N / 3) % 8}`, variable: { name: 'customer', value: `c-${Math.floor(N / 3)}` } },
      },
      {
        name: 'all new filters at once',
        query: `processKey=process-3&version=3&hasIncident=false&startedFrom=${encodeURIComponent(new Date(NOW - 15 * day).toISOString())}&variableName=tier&variableValue=${encodeURIComponent('"silver"')}`,
        repo: { bpmnProcessId: 'process-3', version: 3, hasIncident: false, startedFrom: new Date(NOW - 15 * day), variable: { name: 'tier', value: 'silver' } },
      },
    ];
    const scoped: Case[] = [
      { name: 'tenant-a', query: '', repo: { tenants: ['tenant-a'] } },
      {
        name: 'tenant-a + status=SUSPENDED',
        query: '',
        repo: { tenants: ['tenant-a'], status: 'SUSPENDED' },
      },
      {
        name: 'tenant-a + processKey, cursor mid-table',
        query: '',
        repo: { tenants: ['tenant-a'], bpmnProcessId: 'process-3', cursor: middle },
      },
      {
        name: 'tenants a,b + status=CANCELED',
        query: '',
        repo: { tenants: ['tenant-a', 'tenant-b'], status: 'CANCELED' },
      },
      {
        name: 'tenant-b + processKey of tenant-a only',
        query: '',
        repo: { tenants: ['tenant-b'], bpmnProcessId: 'process-old' },
      },
      {
        name: 'tenant-a + the 200 oldest (SUSPENDED, process-old)',
        query: '',
        repo: { tenants: ['tenant-a'], bpmnProcessId: 'process-old', status: 'SUSPENDED' },
      },
    ];

    const settings = loadSettings({
      DATABASE_URL: db.url,
      DB_POOL_SIZE: '4',
      LOG_LEVEL: 'error',
      AUTH: 'none',
    });
    const app = await createApiApp(settings, { logger: false });
    await app.listen(0, '127.0.0.1');
    const port = (app.getHttpServer().address() as { port: number }).port;
    const store = new PgRuntimeStore(db.prisma);
    const rows: string[] = [];
    try {
      for (const c of cases) {
        const url = `http://127.0.0.1:${port}/api/v1/instances?limit=50${c.query === '' ? '' : `&${c.query}`}`;
        let shown = 0;
        const http = await time(async () => {
          const r = await fetch(url);
          if (r.status !== 200) throw new Error(`${url}: ${r.status} ${await r.text()}`);
          shown = ((await r.json()) as { items: unknown[] }).items.length;
        });
        const sql = await time(() => store.repos.instances.list({ ...c.repo, limit: 51 }));
        rows.push(`| ${c.name} | ${shown} | ${fmt(http)} | ${fmt(sql)} |`);
      }
      for (const c of scoped) {
        let shown = 0;
        const sql = await time(async () => {
          shown = Math.min(50, (await store.repos.instances.list({ ...c.repo, limit: 51 })).length);
        });
        rows.push(`| ${c.name} (query only) | ${shown} | — | ${fmt(sql)} |`);
      }
      // The overview: its reads of the store (the HTTP answer is reused for 2 s, so the reads are what costs).
      const overview = new PgOverviewRepository(db.prisma);
      rows.push(`| overview: counts by state, incidents, jobs (bounds 100,000 live, 10,000 ended) | — | — | ${fmt(await time(() => overview.counts(undefined, { live: 100_000, ended: 10_000 })))} |`);
      rows.push(`| overview: counts, tenant-a | — | — | ${fmt(await time(() => overview.counts(['tenant-a'], { live: 100_000, ended: 10_000 })))} |`);
      const hour = new Date(Math.floor(NOW / 60_000) * 60_000 - 59 * 60_000);
      rows.push(`| overview: throughput of the last hour (${Math.round(3_600_000 / 26_000)} starts) | — | — | ${fmt(await time(() => overview.throughput(undefined, hour)))} |`);
      const all = new Date(NOW - 31 * day);
      rows.push(`| overview: throughput over all ${N.toLocaleString('en')} (as if started in one hour) | — | — | ${fmt(await time(() => overview.throughput(undefined, all)))} |`);
      rows.push(`| overview: GET /api/v1/overview (answers reused 2 s) | — | ${fmt(await time(() => fetch(`http://127.0.0.1:${port}/api/v1/overview`).then((r) => r.json())))} | — |`);
    } finally {
      await app.close();
    }

    const statistics = await timeStatistics(db.prisma);

    const plans: string[] = [];
    for (const c of [...cases, ...scoped]) {
      plans.push(`${c.name}: ${await planOf(db.prisma, c.repo)}`);
    }
    console.log(`# Instance list at ${N.toLocaleString('en')} instances\n`);
    console.log(
      `Seeded in ${(seedMs / 1000).toFixed(1)} s. ${CALLS} calls per row after ${WARMUP} warm-up calls, limit 50; ms p50 / p95 / max.\n`,
    );
    console.log('| filter | rows | HTTP (GET /api/v1/instances) | query |');
    console.log('| --- | ---: | --- | --- |');
    for (const row of rows) console.log(row);
    console.log('\nPlans (the index each query starts from):\n');
    for (const plan of plans) console.log(`- ${plan}`);
    console.log(
      `\nPer-element statistics of one version (GET /api/v1/processes/{key}/statistics): ${statistics.instances.toLocaleString('en')} instances, ` +
        `${statistics.events.toLocaleString('en')} history events; ms p50 / p95 / max of ${CALLS} calls: ${fmt(statistics.time)}.`,
    );
  } finally {
    await db.drop();
  }
}

/**
 * The history of the instances of one version (process-3, an eighth of them): start event
 * activated and completed, the task activated, and for ended instances the task completed (or
 * terminated) and the end event; then the statistics query of that version, timed.
 */
async function timeStatistics(prisma: PrismaLike): Promise<{ instances: number; events: number; time: { p50: number; p95: number; max: number } }> {
  await prisma.$executeRawUnsafe(
    // One history row per instance, as the worker writes a step (prisma/schema.prisma HistoryStep).
    `INSERT INTO "HistoryStep" ("instanceId", types, "elementIds", "elementTypes", "elementInstanceIds", at)
     SELECT p.id, array_agg(e.type::"HistoryEventType" ORDER BY e.k), array_agg(e."elementId" ORDER BY e.k),
            array_agg(e."elementType" ORDER BY e.k), array_agg(p.id * 8 + e.n ORDER BY e.k), array_agg(now() ORDER BY e.k)
       FROM "ProcessInstance" p
       CROSS JOIN LATERAL (VALUES
         (1, 1, 'ELEMENT_ACTIVATED', 'start', 'startEvent', TRUE),
         (2, 1, 'ELEMENT_COMPLETED', 'start', 'startEvent', TRUE),
         (3, 2, 'ELEMENT_ACTIVATED', 'task', 'serviceTask', TRUE),
         (4, 2, CASE WHEN p.status = 'CANCELED' THEN 'ELEMENT_TERMINATED' ELSE 'ELEMENT_COMPLETED' END, 'task', 'serviceTask', p.status IN ('COMPLETED', 'CANCELED')),
         (5, 3, 'ELEMENT_ACTIVATED', 'end', 'endEvent', p.status = 'COMPLETED'),
         (6, 3, 'ELEMENT_COMPLETED', 'end', 'endEvent', p.status = 'COMPLETED')
       ) AS e(k, n, type, "elementId", "elementType", present)
      WHERE p."definitionId" = 1003 AND e.present
      GROUP BY p.id`,
  );
  await prisma.$executeRawUnsafe(`ANALYZE "HistoryStep"`);
  const [counts] = await prisma.$queryRawUnsafe<{ instances: number; events: number }[]>(
    `SELECT (SELECT count(*)::int FROM "ProcessInstance" WHERE "definitionId" = 1003) AS instances, (SELECT count(*)::int FROM "HistoryEvent") AS events`,
  );
  const inspection = new PgInspectionRepository(prisma as never);
  const time_ = await time(() => inspection.elementStatistics('1003'));
  return { ...counts, time: time_ };
}

interface PrismaLike {
  $queryRawUnsafe<T>(q: string, ...v: unknown[]): Promise<T>;
  $executeRawUnsafe(q: string, ...v: unknown[]): Promise<number>;
}

const fmt = (t: { p50: number; p95: number; max: number }): string =>
  `${t.p50.toFixed(1)} / ${t.p95.toFixed(1)} / ${t.max.toFixed(1)}`;

/** The scan nodes of the repository's list query's plan (the SQL of PgInstanceRepository.list). */
async function planOf(
  prisma: { $queryRawUnsafe<T>(q: string, ...v: unknown[]): Promise<T> },
  q: Omit<InstanceRecordQuery, 'limit'>,
): Promise<string> {
  const { sql, values } = instanceListSql({ ...q, limit: 51 });
  const rows = await prisma.$queryRawUnsafe<{ 'QUERY PLAN': string }[]>(`EXPLAIN ${sql}`, ...values);
  return rows
    .map((r) => r['QUERY PLAN'])
    .filter((line) => /Scan/.test(line))
    .map((line) =>
      line
        .trim()
        .replace(/^->\s*/, '')
        .replace(/\s+\(cost.*$/, ''),
    )
    .join('; ');
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});

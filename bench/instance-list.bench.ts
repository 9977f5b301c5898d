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
 * The data: 8 processes, 3 tenants, statuses 70% COMPLETED, 26% ACTIVE,
 * 4% CANCELED, a business key on every instance, started over the last 30
 * days in key order; plus 200 SUSPENDED instances of one more process, older
 * than all of them: a filter on that status or process must not walk the
 * whole table to find them.
 */
import { createApiApp } from '@baton/api';
import { loadSettings } from '@baton/config';
import type { InstanceRecordQuery } from '@baton/runtime';
import { PgInspectionRepository, PgRuntimeStore } from '@baton/store';
import { freshSchema } from '../libs/store/test/fresh-schema';

const N = Number(/--instances=(\d+)/.exec(process.argv.join(' '))?.[1] ?? 100_000);
const CALLS = 30;
const WARMUP = 3;
/** Instance keys: as the key generator makes them (large, increasing). */
const FIRST_KEY = 2251799813685249n;

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
       SELECT $1::bigint + g,
              (ARRAY['<default>', 'tenant-a', 'tenant-b'])[1 + g % 3],
              1000 + g % 8, 'process-' || (g % 8), 1,
              (CASE WHEN g % 100 < 70 THEN 'COMPLETED' WHEN g % 100 < 96 THEN 'ACTIVE' ELSE 'CANCELED' END)::"InstanceStatus",
              'order-' || g, '{}', '{}',
              now() - make_interval(secs => ($2 - g) * 26),
              CASE WHEN g % 100 < 70 OR g % 100 >= 96 THEN now() - make_interval(secs => ($2 - g) * 26 - 60) END
         FROM generate_series(0, $2 - 1) AS g`,
      FIRST_KEY.toString(),
      N,
    );
    // A process whose instances are all among the oldest: a filter on it must not walk the whole table.
    await db.prisma.$executeRawUnsafe(
      `INSERT INTO "ProcessInstance" (id, "tenantId", "definitionId", "bpmnProcessId", "processVersion", status, variables, state, "startedAt")
       SELECT $1::bigint - 1000 + g, 'tenant-a', 999, 'process-old', 1, 'SUSPENDED', '{}', '{}', now() - interval '40 days'
         FROM generate_series(0, 199) AS g`,
      FIRST_KEY.toString(),
    );
    await db.prisma.$executeRawUnsafe(`ANALYZE "ProcessInstance"`);
    const seedMs = performance.now() - seedStart;
    const middle = (FIRST_KEY + BigInt(Math.floor(N / 2))).toString();

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
    `INSERT INTO "HistoryEvent" ("instanceId", type, "elementId", "elementType", "elementInstanceId")
     SELECT p.id, e.type::"HistoryEventType", e."elementId", e."elementType", p.id * 8 + e.n
       FROM "ProcessInstance" p
       CROSS JOIN LATERAL (VALUES
         (1, 'ELEMENT_ACTIVATED', 'start', 'startEvent', TRUE),
         (1, 'ELEMENT_COMPLETED', 'start', 'startEvent', TRUE),
         (2, 'ELEMENT_ACTIVATED', 'task', 'serviceTask', TRUE),
         (2, CASE WHEN p.status = 'CANCELED' THEN 'ELEMENT_TERMINATED' ELSE 'ELEMENT_COMPLETED' END, 'task', 'serviceTask', p.status IN ('COMPLETED', 'CANCELED')),
         (3, 'ELEMENT_ACTIVATED', 'end', 'endEvent', p.status = 'COMPLETED'),
         (3, 'ELEMENT_COMPLETED', 'end', 'endEvent', p.status = 'COMPLETED')
       ) AS e(n, type, "elementId", "elementType", present)
      WHERE p."definitionId" = 1003 AND e.present`,
  );
  await prisma.$executeRawUnsafe(`ANALYZE "HistoryEvent"`);
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
  const rows = await prisma.$queryRawUnsafe<{ 'QUERY PLAN': string }[]>(
    `EXPLAIN SELECT id FROM "ProcessInstance"
      WHERE ($1::text[] IS NULL OR "tenantId" = ANY($1::text[]))
        AND ($2::text IS NULL OR status = $2::"InstanceStatus")
        AND ($3::text IS NULL OR "bpmnProcessId" = $3::text)
        AND ($4::text IS NULL OR "businessKey" = $4::text)
        AND ($5::bigint IS NULL OR id < $5::bigint)
      ORDER BY "ProcessInstance".id DESC LIMIT 51`,
    q.tenants === undefined ? null : [...q.tenants],
    q.status ?? null,
    q.bpmnProcessId ?? null,
    q.businessKey ?? null,
    q.cursor ?? null,
  );
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

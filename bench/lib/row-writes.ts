import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MemoryDefinitionCache } from '@baton/cache';
import { Announcer, DefinitionRegistry, InstanceStarter, KeyGenerator, UnitOfWork, type HistoryLevel, type RuntimeObserver } from '@baton/runtime';
import { createPrismaClient, PgRuntimeStore } from '@baton/store';
import { Client } from 'pg';
import { freshSchema } from '../../libs/store/test/fresh-schema';

export interface RowWritesPlan {
  /** A BPMN file under bench/processes. */
  readonly file: string;
  readonly variables: Record<string, unknown>;
  readonly instances: number;
  /** TOKEN_BATCH_SIZE: instances per unit of work. */
  readonly batchSize: number;
  readonly historyLevel: HistoryLevel;
}

/** Per table: rows inserted, updated (of them HOT: no index entry), deleted, per instance. */
export interface TableWrites {
  readonly table: string;
  readonly inserted: number;
  readonly updated: number;
  readonly hotUpdated: number;
  readonly deleted: number;
  /** Index entries written per instance: each insert and each non-HOT update adds one to every index of the table. */
  readonly indexEntries: number;
  /** Growth of the table with its indexes (pg_total_relation_size), bytes per instance. */
  readonly bytes: number;
}

export interface RowWritesFigures {
  readonly plan: RowWritesPlan;
  /** Rows inserted, updated and deleted per instance, all tables. */
  readonly rowWrites: number;
  readonly indexEntries: number;
  readonly bytes: number;
  /** Units of work run one after another on one connection at a time: instances stepped to their end per second (engine and store). */
  readonly stepsPerSec: number;
  readonly tables: readonly TableWrites[];
}

interface StatRow {
  table: string;
  ins: string;
  upd: string;
  hot: string;
  del: string;
  indexes: number;
  bytes: string;
}

const quiet: RuntimeObserver = {
  failure: (kind, detail) => {
    throw new Error(`${kind}: ${detail}`);
  },
};

/**
 * What one instance writes to Postgres, from pg_stat_user_tables: a fresh
 * schema, the process deployed, then `instances` started (in groups of
 * `batchSize`, as the API's InstanceStarter groups requests) and run to
 * their end in units of work of `batchSize`, in this process. Counted
 * between two snapshots taken with every other connection closed (a
 * backend's counters reach the statistics when it ends).
 */
export async function measureRowWrites(plan: RowWritesPlan): Promise<RowWritesFigures> {
  const db = await freshSchema({ prefix: 'bench_rows', poolSize: 4 });
  const stats = new Client({ connectionString: db.baseUrl });
  await stats.connect();
  try {
    const keys = new KeyGenerator({ node: 1000 + (process.pid % 20) }).next;
    const xml = readFileSync(join(__dirname, '..', 'processes', plan.file), 'utf8');
    {
      const runtime = new PgRuntimeStore(db.prisma);
      const registry = new DefinitionRegistry(runtime, new MemoryDefinitionCache(), keys, { cacheTtlSeconds: 60, observer: quiet });
      await registry.deploy(xml);
    }
    await db.prisma.$disconnect();
    const snapshot = async (): Promise<Map<string, StatRow>> => {
      const { rows } = await stats.query<StatRow>(
        `SELECT s.relname AS table, s.n_tup_ins::text AS ins, s.n_tup_upd::text AS upd, s.n_tup_hot_upd::text AS hot, s.n_tup_del::text AS del,
                (SELECT count(*)::int FROM pg_index i WHERE i.indrelid = s.relid) AS indexes,
                pg_total_relation_size(s.relid)::text AS bytes
           FROM pg_stat_user_tables s WHERE s.schemaname = $1`,
        [db.schema],
      );
      return new Map(rows.map((r) => [r.table, r]));
    };
    const settled = async (): Promise<Map<string, StatRow>> => {
      // The closed connections' counters arrive when their backends have ended.
      let last = '';
      for (let i = 0; i < 50; i++) {
        await stats.query('SELECT pg_stat_clear_snapshot()');
        const now = await snapshot();
        const text = JSON.stringify([...now.values()]);
        if (text === last) return now;
        last = text;
        await new Promise((r) => setTimeout(r, 200));
      }
      return snapshot();
    };
    const before = await settled();

    let stepsPerSec = 0;
    const prisma = createPrismaClient({ url: db.url, poolSize: 4 });
    try {
      const runtime = new PgRuntimeStore(prisma);
      const registry = new DefinitionRegistry(runtime, new MemoryDefinitionCache(), keys, { cacheTtlSeconds: 60, observer: quiet });
      const queue: string[] = [];
      const announcer = new Announcer({ publish: async (items) => void queue.push(...items.map((i) => i.instanceId)) }, quiet);
      const unitOfWork = new UnitOfWork(runtime, registry, announcer, keys, {
        maxParallel: 50,
        stepBudget: 10_000,
        observer: quiet,
        historyLevel: plan.historyLevel,
      });
      const starter = new InstanceStarter(runtime, announcer, keys, { observer: quiet });
      const bpmnProcessId = /<bpmn:process id="([^"]+)"/.exec(xml)?.[1] ?? '';
      const loaded = await registry.byProcessId(bpmnProcessId);
      if (loaded === null) throw new Error(`${plan.file}: not deployed`);
      for (let started = 0; started < plan.instances; started += plan.batchSize) {
        const n = Math.min(plan.batchSize, plan.instances - started);
        await Promise.all(Array.from({ length: n }, () => starter.start({ definition: loaded, variables: plan.variables })));
      }
      const t0 = performance.now();
      for (let batches = 0; queue.length > 0; batches++) {
        if (batches > 100_000) throw new Error('work does not drain');
        await unitOfWork.runBatch(queue.splice(0, plan.batchSize));
      }
      stepsPerSec = plan.instances / ((performance.now() - t0) / 1000);
      const [done] = await prisma.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM "ProcessInstance" WHERE "endedAt" IS NOT NULL`);
      if (done.n !== plan.instances) throw new Error(`${done.n} of ${plan.instances} instances ended`);
    } finally {
      await prisma.$disconnect();
    }
    const after = await settled();

    const tables: TableWrites[] = [];
    for (const [table, a] of after) {
      const b = before.get(table);
      const d = (k: 'ins' | 'upd' | 'hot' | 'del' | 'bytes') => (Number(a[k]) - Number(b?.[k] ?? 0)) / plan.instances;
      const t = { table, inserted: d('ins'), updated: d('upd'), hotUpdated: d('hot'), deleted: d('del'), bytes: d('bytes') };
      if (t.inserted + t.updated + t.deleted === 0) continue;
      tables.push({ ...t, indexEntries: (t.inserted + t.updated - t.hotUpdated) * a.indexes });
    }
    tables.sort((x, y) => (x.table < y.table ? -1 : 1));
    const sum = (f: (t: TableWrites) => number) => tables.reduce((s, t) => s + f(t), 0);
    return { plan, rowWrites: sum((t) => t.inserted + t.updated + t.deleted), indexEntries: sum((t) => t.indexEntries), bytes: sum((t) => t.bytes), stepsPerSec, tables };
  } finally {
    await stats.end();
    await db.drop();
  }
}

export function rowWritesMarkdown(figures: readonly RowWritesFigures[]): string[] {
  const n = (x: number) => (Math.round(x * 100) / 100).toString();
  const lines = [
    '',
    '### Row writes per instance',
    '',
    'pg_stat_user_tables over N instances run to their end in one process (units of work of the batch size): rows inserted,',
    'updated (HOT: no index entries) and deleted per instance; index entries = (inserts + non-HOT updates) x indexes of the table',
    '(an upper bound: a partial index takes only the row versions its predicate holds, which these counters do not tell);',
    'bytes stored: growth of the tables with their indexes, per instance.',
    '',
    '| process | HISTORY_LEVEL | instances | batch | row writes | index entries (at most) | bytes stored | instances/s (one process) | by table |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  for (const f of figures) {
    const byTable = f.tables
      .map((t) => `${t.table} ${[t.inserted ? `+${n(t.inserted)}` : '', t.updated ? `~${n(t.updated)}${t.hotUpdated ? ` (${n(t.hotUpdated)} HOT)` : ''}` : '', t.deleted ? `-${n(t.deleted)}` : ''].filter(Boolean).join(' ')}`)
      .join(', ');
    lines.push(`| ${f.plan.file.replace(/\.bpmn$/, '')} | ${f.plan.historyLevel} | ${f.plan.instances} | ${f.plan.batchSize} | ${n(f.rowWrites)} | ${n(f.indexEntries)} | ${Math.round(f.bytes)} | ${Math.round(f.stepsPerSec)} | ${byTable} |`);
  }
  return lines;
}

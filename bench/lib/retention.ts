import { PgRetentionRepository } from '@baton/store';
import { RetentionService } from '@baton/runtime';
import { freshSchema } from '../../libs/store/test/fresh-schema';
import { seedInstances } from '../../libs/store/test/retention-seed';

export interface RetentionPlan {
  /** Ended instances seeded. */
  readonly instances: number;
  /** History events per instance (two to a `HistoryStep` row, as a step of one element writes them). */
  readonly historyPerInstance: number;
  /** RETENTION_CHUNK. */
  readonly chunk: number;
}

export interface RetentionPassFigures {
  readonly rowsDeleted: number;
  readonly seconds: number;
  readonly rowsPerSec: number;
  readonly chunks: number;
  /** pg_total_relation_size of the table the pass empties, in bytes. */
  readonly sizeBefore: number;
  readonly sizeAfter: number;
  /** After a plain VACUUM (space is reused by new rows; only VACUUM FULL or a dropped partition gives it back). */
  readonly sizeAfterVacuum: number;
}

export interface RetentionFigures {
  readonly plan: RetentionPlan;
  readonly seedSeconds: number;
  /** HISTORY_RETENTION: the history rows of every seeded instance. */
  readonly history: RetentionPassFigures;
  /** INSTANCE_RETENTION: the instances with one row in each related table (their history already gone). */
  readonly instances: RetentionPassFigures & { readonly instancesPerSec: number };
}

const DAY = 86_400_000;

/**
 * One retention pass of each kind over N ended instances in a fresh schema
 * (the real migrations): rows deleted per second and table sizes before and
 * after. Seeded with INSERT ... SELECT generate_series.
 */
export async function measureRetention(plan: RetentionPlan, log: (line: string) => void): Promise<RetentionFigures> {
  const db = await freshSchema({ prefix: 'bench_retention', poolSize: 2 });
  try {
    const t0 = performance.now();
    await seedInstances(db.prisma, {
      firstId: 2_251_799_813_685_249n,
      count: plan.instances,
      endedAt: new Date(Date.now() - 2 * DAY),
      history: plan.historyPerInstance,
      related: true,
    });
    await db.prisma.$executeRawUnsafe('ANALYZE');
    const seedSeconds = (performance.now() - t0) / 1000;
    log(`  seeded ${plan.instances.toLocaleString('en-US')} ended instances, ${(plan.instances * plan.historyPerInstance).toLocaleString('en-US')} history events in ${seedSeconds.toFixed(1)} s`);

    const size = async (table: string) =>
      Number((await db.prisma.$queryRawUnsafe<{ n: bigint }[]>(`SELECT pg_total_relation_size('"${table}"') AS n`))[0].n);
    const pass = async (table: string, options: { historyRetentionMs?: number; instanceRetentionMs?: number }) => {
      const sizeBefore = await size(table);
      const service = new RetentionService(new PgRetentionRepository(db.prisma), { chunkSize: plan.chunk, ...options });
      const start = performance.now();
      const report = await service.runPass();
      const seconds = (performance.now() - start) / 1000;
      const rowsDeleted = Object.values(report.deleted).reduce((a, b) => a + b, 0);
      const sizeAfter = await size(table);
      await db.prisma.$executeRawUnsafe(`VACUUM "${table}"`);
      return {
        figures: { rowsDeleted, seconds, rowsPerSec: rowsDeleted / seconds, chunks: report.chunks, sizeBefore, sizeAfter, sizeAfterVacuum: await size(table) },
        report,
      };
    };

    const history = await pass('HistoryStep', { historyRetentionMs: DAY });
    log(`  history: ${line(history.figures)}`);
    const instances = await pass('ProcessInstance', { instanceRetentionMs: DAY });
    const instanceFigures = { ...instances.figures, instancesPerSec: instances.report.instances / instances.figures.seconds };
    log(`  instances: ${line(instanceFigures)}, ${Math.round(instanceFigures.instancesPerSec).toLocaleString('en-US')} instances/s`);
    return { plan, seedSeconds, history: history.figures, instances: instanceFigures };
  } finally {
    await db.drop();
  }
}

const mb = (bytes: number) => `${(bytes / 1_048_576).toFixed(1)} MB`;

function line(f: RetentionPassFigures): string {
  return (
    `${f.rowsDeleted.toLocaleString('en-US')} rows in ${f.seconds.toFixed(2)} s (${Math.round(f.rowsPerSec).toLocaleString('en-US')} rows/s, ${f.chunks} chunks); ` +
    `table ${mb(f.sizeBefore)} before, ${mb(f.sizeAfter)} after, ${mb(f.sizeAfterVacuum)} after VACUUM`
  );
}

/** The report's section. */
export function retentionMarkdown(r: RetentionFigures): string[] {
  const row = (what: string, f: RetentionPassFigures) =>
    `| ${what} | ${f.rowsDeleted.toLocaleString('en-US')} | ${f.seconds.toFixed(2)} | ${Math.round(f.rowsPerSec).toLocaleString('en-US')} | ${f.chunks} | ${mb(f.sizeBefore)} | ${mb(f.sizeAfter)} | ${mb(f.sizeAfterVacuum)} |`;
  return [
    '## Retention',
    '',
    `${r.plan.instances.toLocaleString('en-US')} ended instances with ${r.plan.historyPerInstance} history rows each and one row in every related table, ` +
      `one pass each, RETENTION_CHUNK=${r.plan.chunk}.`,
    '',
    '| pass | rows deleted | s | rows/s | chunks | table before | after | after VACUUM |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    row('HISTORY_RETENTION (HistoryStep)', r.history),
    row('INSTANCE_RETENTION (ProcessInstance + related)', r.instances),
    '',
  ];
}

import type { ApiFigures } from './api';
import type { E2eCellResult, RefKey } from './e2e';
import type { EmbeddedFigures } from './embedded';
import type { EngineFigures } from './engine-core';
import type { Limits } from './limits';
import type { MachineInfo } from './machine';
import type { SoakFigures } from './soak';
import { fmt, fmtStat, type Stat } from './stats';
import type { TimerFigures } from './timers';
import { retentionMarkdown, type RetentionFigures } from './retention';
import { camundaShapesMarkdown, type CamundaShapeResult } from './camunda-shapes';
import { rowWritesMarkdown, type RowWritesFigures } from './row-writes';

/** Everything one run measured; written as JSON and rendered as Markdown. */
export interface BenchResults {
  readonly bench: 'baton';
  readonly timestamp: string;
  readonly mode: 'quick' | 'full';
  readonly soak: boolean;
  readonly machine: MachineInfo | null;
  readonly loadAverage: { start: number[]; end: number[] | null };
  /** The 1-minute load average as each section began. */
  readonly sectionLoad?: Record<string, number>;
  readonly seconds: number | null;
  readonly limits: Limits | null;
  readonly engine: EngineFigures | null;
  /** Rows R1 writes per instance at each HISTORY_LEVEL (absent in results written before it existed). */
  readonly rowWrites?: RowWritesFigures[] | null;
  readonly e2e: E2eCellResult[];
  /** R3 with the runtime's JobHandlerRunner instead of the bench's job loop (when this tree has it). */
  readonly e2eR3HandlerRunner: E2eCellResult | null;
  /** R3 with `createJobWorker` of Camunda's official client over /v2 (absent in results written before it existed). */
  readonly e2eR3CamundaClient?: E2eCellResult | null;
  readonly api: ApiFigures | null;
  readonly timers: TimerFigures | null;
  /** One retention pass of each kind (absent in results written before it existed). */
  readonly retention?: RetentionFigures | null;
  /** Zeebe's benchmark shapes end to end (absent in results written before it existed). */
  readonly camunda?: CamundaShapeResult[];
  /** `npm start` (PGlite, in-process bus) as its own process; absent in results written before it existed. */
  readonly embedded?: EmbeddedFigures | null;
  readonly soakFigures: SoakFigures | null;
  /** Sections that failed, with why; the run exits 1 when there is any. */
  readonly errors: { section: string; message: string }[];
  summary: Summary | null;
}

export interface Summary {
  /** R1, 3 workers, batch 100, divided by the single-INSERT limit (target >= 0.5). */
  readonly e2eToInsertRatio: number | null;
  readonly r1InstancesPerSec: number | null;
  readonly r2InstancesPerSec: number | null;
  readonly r3InstancesPerSec: number | null;
  /** POST /processes/{key}/instances at 1,000 req/s, p95 in ms (target < 15). */
  readonly startP95Ms1000: number | null;
  /** POST /v2/process-instances (Camunda's createProcessInstance) at 1,000 req/s, p95 in ms, same run. */
  readonly v2StartP95Ms1000?: number | null;
  /** POST /v2/process-instances at saturation, requests/s (beside /api/v1's in the report). */
  readonly v2StartSaturationRps?: number | null;
  /** R3, 3 workers, batch 100, jobs worked by the official client's createJobWorker over /v2. */
  readonly r3CamundaClientInstancesPerSec?: number | null;
  readonly engineVsBpmnEngineR1: number | null;
  readonly engineVsBpmnEngineR2: number | null;
  readonly insertLimitTps: number | null;
  readonly timerFiredP95Ms: number | null;
  readonly timerCompletedP95Ms: number | null;
  readonly nginxNoTimeoutsAndBackPressure: boolean | null;
  readonly soakWorstRssRatio: number | null;
  /** `npm start`: completed R1 instances/s end to end (target >= 1,000). */
  readonly embeddedR1InstancesPerSec: number | null;
  /** `npm start`: start-instance p95 at 200 req/s, ms (target < 20). */
  readonly embeddedStartP95Ms200: number | null;
  /** Row writes (inserted, updated, deleted) per R1 instance at the default HISTORY_LEVEL (full); target <= 3. */
  readonly r1RowWritesPerInstance?: number | null;
  /** Which targets (bench/README.md) this run met (null: not measured in this run). */
  readonly targets: Record<string, boolean | null>;
}

/** The cell the headline figures come from: 3 workers, batch 100 (the targets' "R1 with 3 workers"). */
export function headlineCell(
  cells: readonly E2eCellResult[],
  process: RefKey,
): E2eCellResult | undefined {
  return cells.find((c) => c.process === process && c.workers === 3 && c.batchSize === 100);
}

const finite = (v: number | null | undefined): number | null =>
  v === null || v === undefined || !Number.isFinite(v) ? null : v;

/**
 * R3's headline: the target has the job "completed by an in-process worker",
 * which is what the worker app ships (the runtime's JobHandlerRunner); the
 * bench's own job loop is the fallback where that cell was not run (--quick).
 */
function r3Headline(r: BenchResults): E2eCellResult | undefined {
  return r.e2eR3HandlerRunner ?? headlineCell(r.e2e, 'R3');
}

/** Batch-100 medians by worker count (1 to 4), null where a cell was not run. */
function byWorkers(r: BenchResults, process: RefKey): (number | null)[] {
  return [1, 2, 3, 4].map((w) =>
    finite(r.e2e.find((c) => c.process === process && c.workers === w && c.batchSize === 100)?.instancesPerSec.median),
  );
}

/** Whether the medians never fall as workers are added (null unless all four cells ran). */
function neverFalls(rates: readonly (number | null)[]): boolean | null {
  if (rates.some((v) => v === null)) return null;
  return rates.every((v, i) => i === 0 || (v as number) >= (rates[i - 1] as number));
}

export function summarize(r: BenchResults): Summary {
  const r1 = headlineCell(r.e2e, 'R1');
  const r2 = headlineCell(r.e2e, 'R2');
  const r3 = r3Headline(r);
  const insert = finite(r.limits?.pgInsertTps.median);
  const r1Rate = finite(r1?.instancesPerSec.median);
  const ratio = r1Rate !== null && insert !== null ? r1Rate / insert : null;
  const p95 = finite(r.api?.startFixed.find((f) => f.rate === 1000)?.p95.median);
  const nginx = r.api && !r.api.nginx.skipped ? r.api.nginx.pass : null;
  const summary = {
    e2eToInsertRatio: ratio,
    r1InstancesPerSec: r1Rate,
    r2InstancesPerSec: finite(r2?.instancesPerSec.median),
    r3InstancesPerSec: finite(r3?.instancesPerSec.median),
    startP95Ms1000: p95,
    v2StartP95Ms1000: finite(r.api?.v2StartFixed?.find((f) => f.rate === 1000)?.p95.median),
    v2StartSaturationRps: finite(r.api?.v2StartSaturation?.rps.median),
    r3CamundaClientInstancesPerSec: finite(r.e2eR3CamundaClient?.instancesPerSec.median),
    engineVsBpmnEngineR1: finite(r.engine?.R1?.ratio),
    engineVsBpmnEngineR2: finite(r.engine?.R2?.ratio),
    insertLimitTps: insert,
    timerFiredP95Ms: finite(r.timers?.p95.median),
    timerCompletedP95Ms: finite(r.timers?.completedP95.median),
    nginxNoTimeoutsAndBackPressure: nginx,
    soakWorstRssRatio: finite(r.soakFigures?.worstRssRatio),
    embeddedR1InstancesPerSec: finite(r.embedded?.r1InstancesPerSec.median),
    embeddedStartP95Ms200: finite(r.embedded?.startAtRate.p95.median),
    r1RowWritesPerInstance: finite(r.rowWrites?.find((f) => f.plan.historyLevel === 'full')?.rowWrites),
  };
  const atLeast = (v: number | null, t: number) => (v === null ? null : v >= t);
  const below = (v: number | null, t: number) => (v === null ? null : v < t);
  return {
    ...summary,
    targets: {
      engineR1AtLeast100x: atLeast(summary.engineVsBpmnEngineR1, 100),
      engineR2AtLeast100x: atLeast(summary.engineVsBpmnEngineR2, 100),
      e2eR1AtLeastHalfInsertLimit: atLeast(summary.e2eToInsertRatio, 0.5),
      r1AtMost3RowWrites: summary.r1RowWritesPerInstance === null ? null : summary.r1RowWritesPerInstance <= 3,
      r3AtLeast1000PerSec: atLeast(summary.r3InstancesPerSec, 1000),
      r1NeverFallsByWorkers: neverFalls(byWorkers(r, 'R1')),
      r3NeverFallsByWorkers: neverFalls(byWorkers(r, 'R3')),
      r3CamundaClientAtLeast1000PerSec: atLeast(summary.r3CamundaClientInstancesPerSec ?? null, 1000),
      startP95Under15MsAt1000: below(summary.startP95Ms1000, 15),
      nginx2000ConnectionsNoTimeouts: nginx,
      timersCompletedP95Under250Ms: below(summary.timerCompletedP95Ms, 250),
      embeddedR1AtLeast1000PerSec: atLeast(summary.embeddedR1InstancesPerSec, 1000),
      embeddedStartP95Under20MsAt200: below(summary.embeddedStartP95Ms200, 20),
      soakRssWithin10Percent:
        summary.soakWorstRssRatio === null ? null : summary.soakWorstRssRatio <= 1.1,
    },
  };
}

const verdict = (met: boolean | null | undefined): string =>
  met === null || met === undefined ? 'not measured' : met ? '**met**' : '**missed**';

function statusList(statuses: Record<string, number>): string {
  return Object.entries(statuses)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([code, n]) => `${n.toLocaleString('en-US')} × ${code}`)
    .join(', ');
}

const ms = (s: Stat | null | undefined) => (s ? `${fmtStat(s)} ms` : 'n/a');

export function markdown(r: BenchResults): string {
  const s = r.summary ?? summarize(r);
  const L: string[] = [];
  const m = r.machine;
  L.push(`# Baton bench, ${r.timestamp} (${r.mode}${r.soak ? ' + soak' : ''})`, '');
  if (m) {
    L.push(
      `Machine: ${m.cpus} × ${m.cpuModel}, ${fmt(m.totalMemMB / 1024)} GB RAM, ${m.platform}; ` +
        `Node ${m.node}, PostgreSQL ${m.postgres}, RabbitMQ ${m.rabbitmq}, Redis ${m.redis}. ` +
        `Every service on loopback on the same machine as the workers and the load generator.`,
      '',
    );
  }
  L.push(
    `Load average (1/5/15 min) at the start: ${r.loadAverage.start.join(' / ')}; at the end: ${r.loadAverage.end?.join(' / ') ?? 'n/a'}` +
      ` (the machine is shared: other work running at the same time shows up in every figure).` +
      (r.seconds !== null ? ` Run time ${Math.round(r.seconds)} s.` : ''),
    '',
    ...(r.sectionLoad && Object.keys(r.sectionLoad).length
      ? [
          `1-minute load average as each section began: ${Object.entries(r.sectionLoad)
            .map(([name, load]) => `${name} ${load}`)
            .join(', ')}.`,
          '',
        ]
      : []),
    'Figures are medians over repeated runs (rounds or measurement windows) with min–max in brackets; `n/a` = not measured in this mode.',
    '',
  );
  if (r.errors.length) {
    L.push('**Sections that failed:**', '');
    for (const e of r.errors) L.push(`- ${e.section}: ${e.message}`);
    L.push('');
  }

  // Headline
  const r1 = headlineCell(r.e2e, 'R1');
  const r3 = r3Headline(r);
  const at1000 = r.api?.startFixed.find((f) => f.rate === 1000);
  L.push(
    '## Against the targets (bench/README.md)',
    '',
    '| figure | this run | target | |',
    '| --- | ---: | --- | --- |',
  );
  L.push(
    `| engine core R1, Baton / bpmn-engine (in memory) | ${s.engineVsBpmnEngineR1 === null ? 'n/a' : `${s.engineVsBpmnEngineR1.toFixed(1)}x`} | ≥ 100x | ${verdict(s.targets.engineR1AtLeast100x)} |`,
  );
  L.push(
    `| engine core R2, Baton / bpmn-engine (in memory) | ${s.engineVsBpmnEngineR2 === null ? 'n/a' : `${s.engineVsBpmnEngineR2.toFixed(1)}x`} | ≥ 100x | ${verdict(s.targets.engineR2AtLeast100x)} |`,
  );
  L.push(
    `| end to end R1, 3 workers, batch 100 / single-INSERT limit | ${s.e2eToInsertRatio === null ? 'n/a' : `${s.e2eToInsertRatio.toFixed(3)}x`} (${fmtStat(r1?.instancesPerSec)} / ${fmt(s.insertLimitTps)}) | ≥ 0.5x | ${verdict(s.targets.e2eR1AtLeastHalfInsertLimit)} |`,
  );
  L.push(
    `| row writes per R1 instance, default HISTORY_LEVEL (full) | ${s.r1RowWritesPerInstance === null || s.r1RowWritesPerInstance === undefined ? 'n/a' : fmt(s.r1RowWritesPerInstance)} | ≤ 3 | ${verdict(s.targets.r1AtMost3RowWrites)} |`,
  );
  L.push(
    `| end to end R3 (job per instance), 3 workers, batch 100, ${r.e2eR3HandlerRunner ? "jobs worked by the worker app's in-process JobHandlerRunner" : 'jobs worked by the bench loop'} | ${fmtStat(r3?.instancesPerSec)} instances/s | ≥ 1,000 instances/s | ${verdict(s.targets.r3AtLeast1000PerSec)} |`,
  );
  for (const proc of ['R1', 'R3'] as const) {
    const rates = byWorkers(r, proc);
    L.push(
      `| end to end ${proc} by worker processes (1 / 2 / 3 / 4), batch 100 | ${rates.map((v) => (v === null ? 'n/a' : fmt(v))).join(' / ')} instances/s | never falls when a worker is added | ` +
        `${verdict(proc === 'R1' ? s.targets.r1NeverFallsByWorkers : s.targets.r3NeverFallsByWorkers)} |`,
    );
  }
  L.push(
    `| end to end R3, 3 workers, batch 100, jobs worked by the official client's \`createJobWorker\` over /v2 | ${fmtStat(r.e2eR3CamundaClient?.instancesPerSec)} instances/s | ≥ 1,000 instances/s | ${verdict(s.targets.r3CamundaClientAtLeast1000PerSec)} |`,
  );
  L.push(
    `| POST /processes/{key}/instances at 1,000 req/s, p95 | ${ms(at1000?.p95)} | < 15 ms | ${verdict(s.targets.startP95Under15MsAt1000)} |`,
  );
  const nginx = r.api?.nginx;
  L.push(
    `| ${nginx?.connections ?? 2000} connections through nginx: no timeout, refusals are 429/503 + Retry-After | ${
      !nginx
        ? 'n/a'
        : nginx.skipped
          ? `skipped: ${nginx.skipped}`
          : `${nginx.timeouts} timeouts, ${nginx.errors} errors; answers ${statusList(nginx.statuses)}`
    } | none, none | ${verdict(s.targets.nginx2000ConnectionsNoTimeouts)} |`,
  );
  L.push(
    `| 1,000 timers due in the same second: completed (fired, stepped on), p95 lateness | ${ms(r.timers?.completedP95)} (fired ${ms(r.timers?.p95)}) | < 250 ms | ${verdict(s.targets.timersCompletedP95Under250Ms)} |`,
  );
  L.push(
    `| \`npm start\` (embedded: PGlite, in-process bus), R1 end to end | ${fmtStat(r.embedded?.r1InstancesPerSec)} instances/s | ≥ 1,000 instances/s | ${verdict(s.targets.embeddedR1AtLeast1000PerSec)} |`,
  );
  L.push(
    `| \`npm start\`, POST /processes/{key}/instances at 200 req/s, p95 | ${ms(r.embedded?.startAtRate.p95)} | < 20 ms | ${verdict(s.targets.embeddedStartP95Under20MsAt200)} |`,
  );
  L.push(
    `| worker RSS over the soak, end / start | ${s.soakWorstRssRatio === null ? 'n/a (run with --soak)' : `${s.soakWorstRssRatio.toFixed(3)}`} | ≤ 1.10 | ${verdict(s.targets.soakRssWithin10Percent)} |`,
  );
  L.push('');

  if (r.limits) {
    const l = r.limits;
    L.push(
      '## What this machine itself reaches (measured first, same run)',
      '',
      '| limit | median (min–max) | unit | runs | how |',
      '| --- | ---: | --- | ---: | --- |',
    );
    L.push(
      `| PostgreSQL single-row INSERT transactions | ${fmtStat(l.pgInsertTps)} | transactions/s | ${l.pgInsertTps.n} | ${l.pgInsertTps.tool}, 500-byte rows, one row per transaction |`,
    );
    L.push(
      `| PostgreSQL 100-row INSERTs | ${fmtStat(l.pgMultiRowRowsPerSec)} | rows/s | ${l.pgMultiRowRowsPerSec.n} | pg from Node, 8 connections, 500-byte rows |`,
    );
    L.push(
      `| RabbitMQ persistent publish + consume | ${fmtStat(l.rabbitMsgsPerSec)} | messages/s | ${l.rabbitMsgsPerSec.n} | one durable queue, publisher confirms (1,000 in flight), manual acks |`,
    );
    L.push(
      `| node:http, 2-byte answer | ${fmtStat(l.nodeHttpRps)} | requests/s | ${l.nodeHttpRps.n} | ${l.nodeHttpRps.tool}, keep-alive |`,
    );
    L.push('');
  }

  if (r.engine) {
    L.push(
      '## Engine core in memory (`npm run bench:engine`)',
      '',
      '| process | Baton | bpmn-engine, best configuration | ratio |',
      '| --- | ---: | ---: | ---: |',
    );
    for (const key of ['R1', 'R2'] as const) {
      const e = r.engine[key];
      if (!e) continue;
      L.push(
        `| ${key} | ${fmtStat(e.baton)} instances/s | ${fmtStat(e.bpmnEngineBest)} instances/s (${e.bpmnEngineBest.config}) | ${e.ratio === null ? 'n/a' : `${e.ratio.toFixed(1)}x`} |`,
      );
    }
    L.push('', `\`${r.engine.line}\``, '');
  }

  if (r.rowWrites?.length) {
    // rowWritesMarkdown heads its table with "###": under its own section here.
    L.push('## Row writes per instance', ...rowWritesMarkdown(r.rowWrites).slice(2), '');
  }

  if (r.e2e.length) {
    L.push(
      '## End to end: completed instances/s',
      '',
      'Worker processes from source on a fresh schema and queue per cell; instances started through the batched InstanceStarter in the bench process ' +
        'so that a backlog is always waiting; completion counted in Postgres. R3 jobs worked in the bench process. ' +
        'Warm-up: a fixed part, then on while the rate still rises (at most 24 s more in a full run). ' +
        'Median over the measured windows (min–max).',
      '',
    );
    for (const proc of ['R1', 'R2', 'R3'] as const) {
      const cells = r.e2e.filter((c) => c.process === proc);
      if (!cells.length) continue;
      const byWorkers = [1, 2, 3, 4].map((w) =>
        cells.find((c) => c.workers === w && c.batchSize === 100),
      );
      const byBatch = [1, 10, 100].map((b) =>
        cells.find((c) => c.workers === 3 && c.batchSize === b),
      );
      L.push(
        `**${proc}**`,
        '',
        '| TOKEN_BATCH_SIZE 100 | 1 worker | 2 workers | 3 workers | 4 workers |',
        '| --- | ---: | ---: | ---: | ---: |',
      );
      L.push(`| instances/s | ${byWorkers.map((c) => fmtStat(c?.instancesPerSec)).join(' | ')} |`);
      L.push('', '| 3 workers | batch 1 | batch 10 | batch 100 |', '| --- | ---: | ---: | ---: |');
      L.push(
        `| instances/s | ${byBatch.map((c) => fmtStat(c?.instancesPerSec)).join(' | ')} |`,
        '',
      );
    }
    L.push(
      '| process | workers | batch | instances/s | windows | warm-up (s) | worker CPU (cores) | worker CPU ms / instance | worker RSS (MB) | started | completed | load avg | notes |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | --- |',
    );
    const rows = [
      ...r.e2e,
      ...(r.e2eR3HandlerRunner ? [r.e2eR3HandlerRunner] : []),
      ...(r.e2eR3CamundaClient ? [r.e2eR3CamundaClient] : []),
    ];
    for (const c of rows) {
      const notes = [
        c.capped ? 'ran out of instances (tail not saturated)' : '',
        c.startErrors ? `${c.startErrors} start errors` : '',
        c.openIncidents ? `${c.openIncidents} open incidents` : '',
        c.jobs
          ? `jobs: ${c.jobs.worker}; ${c.jobs.completed} completed, ${c.jobs.errors} errors`
          : '',
      ]
        .filter(Boolean)
        .join('; ');
      L.push(
        `| ${c.process} | ${c.workers} | ${c.batchSize} | ${fmtStat(c.instancesPerSec)} | ${c.instancesPerSec.n} | ${fmt(c.warmupSeconds ?? null)} | ${fmt(c.workerCpuPerSec)} | ${fmt(c.workerCpuMsPerInstance)} | ` +
          `${c.workerRssMB.map((x) => fmt(x)).join(' / ')} | ${c.started.toLocaleString('en-US')} | ${c.completed.toLocaleString('en-US')} | ${fmt(c.loadAverage ?? null)} | ${notes} |`,
      );
    }
    L.push('');
  }

  if (r.api) {
    const a = r.api;
    L.push(
      '## API',
      '',
      'The API as its own process (from source) on a fresh schema, publishing to a queue nobody consumes (this measures the API: validation, ' +
        'one grouped INSERT and one grouped publish per event-loop turn). Load from the bench process over keep-alive connections; ' +
        'latency from handing the request to node:http to the end of the answer.',
      '',
      '`POST /api/v1/processes/R1/instances` `{"variables":{"amount":150}}`:',
      '',
      '| load | achieved req/s | p50 ms | p95 ms | p99 ms | requests | non-2xx | timeouts | errors | API RSS (MB) |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    );
    for (const f of a.startFixed) {
      L.push(
        `| ${f.rate.toLocaleString('en-US')} req/s fixed${f.lateStarts ? ` (${f.lateStarts} sent late)` : ''} | ${fmtStat(f.rps)} | ${fmtStat(f.p50)} | ${fmtStat(f.p95)} | ${fmtStat(f.p99)} | ` +
          `${f.requests.toLocaleString('en-US')} | ${f.non2xx} | ${f.timeouts} | ${f.errors} | ${fmt(f.apiRssMB)} |`,
      );
    }
    const sat = a.startSaturation;
    L.push(
      `| saturation, ${sat.connections} connections | ${fmtStat(sat.rps)} | ${fmtStat(sat.p50)} | ${fmtStat(sat.p95)} | ${fmtStat(sat.p99)} | ${sat.requests.toLocaleString('en-US')} | ${sat.non2xx} | ${sat.timeouts} | ${sat.errors} | ${fmt(sat.apiRssMB)} |`,
    );
    if (a.v2StartFixed && a.v2StartSaturation) {
      L.push(
        '',
        '`POST /v2/process-instances` `{"processDefinitionId":"R1","variables":{"amount":150}}` (Camunda 8.8\'s `createProcessInstance`), ' +
          'on the same API process, each round right after the `/api/v1` round above at the same rate:',
        '',
        '| load | achieved req/s | p50 ms | p95 ms | p99 ms | requests | non-2xx | timeouts | errors | API RSS (MB) |',
        '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      );
      for (const f of a.v2StartFixed) {
        L.push(
          `| ${f.rate.toLocaleString('en-US')} req/s fixed${f.lateStarts ? ` (${f.lateStarts} sent late)` : ''} | ${fmtStat(f.rps)} | ${fmtStat(f.p50)} | ${fmtStat(f.p95)} | ${fmtStat(f.p99)} | ` +
            `${f.requests.toLocaleString('en-US')} | ${f.non2xx} | ${f.timeouts} | ${f.errors} | ${fmt(f.apiRssMB)} |`,
        );
      }
      const v2Sat = a.v2StartSaturation;
      L.push(
        `| saturation, ${v2Sat.connections} connections | ${fmtStat(v2Sat.rps)} | ${fmtStat(v2Sat.p50)} | ${fmtStat(v2Sat.p95)} | ${fmtStat(v2Sat.p99)} | ${v2Sat.requests.toLocaleString('en-US')} | ${v2Sat.non2xx} | ${v2Sat.timeouts} | ${v2Sat.errors} | ${fmt(v2Sat.apiRssMB)} |`,
      );
    }
    L.push(
      '',
      `API CPU at saturation: ${fmt(a.apiCpuPerSecAtSaturation)} cores. API RSS: ${fmt(a.apiRssMB.idle)} MB after warm-up, ${fmt(a.apiRssMB.peak)} MB peak, ${fmt(a.apiRssMB.end)} MB at the end.`,
      '',
      '`GET /api/v1/processes`:',
      '',
      '| load | req/s | p50 ms | p95 ms | p99 ms | non-2xx | errors |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
      `| like \`ab -n ${a.listAb.requests / Math.max(1, a.listAb.rps.n)} -c 10\` | ${fmtStat(a.listAb.rps)} | ${fmtStat(a.listAb.p50)} | ${fmtStat(a.listAb.p95)} | ${fmtStat(a.listAb.p99)} | ${a.listAb.non2xx} | ${a.listAb.errors + a.listAb.timeouts} |`,
      `| ${a.listWrk.tool} | ${fmtStat(a.listWrk.rps)} | ${fmtStat(a.listWrk.p50)} | n/a | ${fmtStat(a.listWrk.p99)} | ${a.listWrk.non2xx} | ${a.listWrk.socketErrors} |`,
      '',
    );
    const n = a.nginx;
    if (n.skipped) L.push(`Through nginx: skipped (${n.skipped}).`, '');
    else {
      L.push(
        `Through nginx, ${n.connections.toLocaleString('en-US')} connections back to back for ${fmt(n.seconds)} s (${n.config}): ` +
          `${n.requests.toLocaleString('en-US')} requests, ${n.ok.toLocaleString('en-US')} × 2xx, ${n.backPressure.toLocaleString('en-US')} × 429/503 with Retry-After, ` +
          `${n.backPressureWithoutRetryAfter} × 429/503 without it, ${n.otherNon2xx} other non-2xx, ${n.timeouts} timeouts (10 s), ${n.errors} connection errors; ` +
          `${fmt(n.rps)} answers/s, p50 ${fmt(n.p50)} ms, p95 ${fmt(n.p95)} ms, p99 ${fmt(n.p99)} ms. ${n.pass ? '**Pass.**' : '**Fail.**'}`,
        '',
      );
    }
  }

  if (r.embedded) {
    const e = r.embedded;
    const f = e.startAtRate;
    L.push(
      '## Embedded (`npm start`)',
      '',
      'The all-in-one process from source with nothing configured: PGlite in a fresh data directory, the in-process bus and cache. ' +
        `First start (creates the database) ${fmt(e.firstStartSeconds)} s; start on the existing database ${fmt(e.restartSeconds)} s. ` +
        'R1 end to end: start requests over 32 connections, timed until the process itself counted every instance completed ' +
        `(\`baton_process_instances_total\`): ${fmtStat(e.r1InstancesPerSec)} instances/s.`,
      '',
      '| load | achieved req/s | p50 ms | p95 ms | p99 ms | non-2xx | timeouts | errors | RSS (MB) |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      `| ${f.rate} req/s fixed | ${fmtStat(f.rps)} | ${fmtStat(f.p50)} | ${fmtStat(f.p95)} | ${fmtStat(f.p99)} | ${f.non2xx} | ${f.timeouts} | ${f.errors} | ${fmt(e.rssMB)} |`,
      '',
    );
  }

  if (r.timers) {
    const t = r.timers;
    L.push(
      '## Timers',
      '',
      `${t.rounds[0]?.timers.toLocaleString('en-US') ?? '1,000'} instances waiting on a timer due at the same instant, one worker with default settings; fired by ${t.poller}.`,
      '',
      '| lateness after the due time | p50 | p95 | max |',
      '| --- | ---: | ---: | ---: |',
      `| fired (trigger written to the instance's inbox) | ${ms(t.p50)} | ${ms(t.p95)} | ${ms(t.max)} |`,
      `| completed (the catch event's history entry: queue + worker batches) | ${ms(t.completedP50)} | ${ms(t.completedP95)} | ${ms(t.completedMax)} |`,
      '',
    );
  }

  if (r.retention) L.push(...retentionMarkdown(r.retention));

  if (r.camunda?.length) L.push(...camundaShapesMarkdown(r.camunda));

  if (r.soakFigures) {
    const k = r.soakFigures;
    L.push(
      '## Soak',
      '',
      `${k.workers} worker(s), R1 started at a steady ${k.rate.toLocaleString('en-US')} instances/s for ${Math.round(k.seconds / 60)} min: ` +
        `${k.started.toLocaleString('en-US')} started, ${k.completed.toLocaleString('en-US')} completed.`,
      '',
      '| worker | RSS first minute (MB) | RSS last minute (MB) | end / start |',
      '| ---: | ---: | ---: | ---: |',
      ...k.rss.map(
        (x, i) => `| ${i + 1} | ${fmt(x.startMB)} | ${fmt(x.endMB)} | ${x.ratio.toFixed(3)} |`,
      ),
      '',
      `Completed instances/s per minute: ${k.perMinute.map((x) => fmt(x)).join(', ')} (median ${fmtStat(k.throughput)}).`,
      '',
    );
  }
  return L.join('\n');
}

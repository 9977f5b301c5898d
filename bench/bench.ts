/**
 * `npm run bench` — Baton's performance report (targets: bench/README.md), bounded in time:
 *   npm run bench -- --quick   about a minute: every section at smoke size (CI runs the smoke test, not this)
 *   npm run bench              about ten minutes: the figures of bench/results/latest.md
 *   npm run bench -- --soak    adds the 10-minute soak (--soak-seconds=N to change it)
 *   --only=limits,engine,rows,e2e,api,embedded,timers,retention,camunda,soak   runs only those sections
 *   --render=bench/results/<timestamp>.json [--write-latest]   prints an earlier run's report again
 *
 * Against the local Postgres, RabbitMQ and Redis. Measures what the machine
 * itself reaches first, then the engine core, end-to-end throughput with 1..4
 * worker processes and batch sizes 1/10/100, the API, timers, and (with
 * --soak) worker memory over time. Writes bench/results/<timestamp>.json
 * (with a top-level `summary`) and prints a Markdown report; a full run also
 * writes it to bench/results/latest.md. bench/README.md explains each figure.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { measureApi, type ApiPlan } from './lib/api';
import { killAllChildren, ROOT } from './lib/children';
import { runE2eCell, type E2eCellPlan, type E2eCellResult, type RefKey } from './lib/e2e';
import { measureEngine } from './lib/engine-core';
import { measureLimits } from './lib/limits';
import { loadAverage, machineInfo } from './lib/machine';
import { parseOptions, type BenchOptions } from './lib/options';
import { markdown, summarize, type BenchResults } from './lib/report';
import { runSoak } from './lib/soak';
import { measureRowWrites, type RowWritesFigures } from './lib/row-writes';
import { measureEmbedded } from './lib/embedded';
import { fmtStat } from './lib/stats';
import { measureTimers } from './lib/timers';
import { measureRetention } from './lib/retention';
import { CAMUNDA_SHAPES, runCamundaShape, type CamundaShape } from './lib/camunda-shapes';

const RESULTS_DIR = path.join(ROOT, 'bench', 'results');

const log = (line: string) => process.stderr.write(`${line}\n`);

interface E2eCellSpec {
  readonly process: RefKey;
  readonly workers: number;
  readonly batchSize: number;
}

/**
 * The cells of the end-to-end matrix: every worker count at batch 100 and
 * every batch size at 3 workers, for each reference process (the full cross
 * product would not fit in ten minutes); --quick runs the headline cells only.
 */
export function e2eMatrix(mode: BenchOptions['mode']): E2eCellSpec[] {
  if (mode === 'quick') {
    return [
      { process: 'R1', workers: 3, batchSize: 100 },
      { process: 'R2', workers: 3, batchSize: 100 },
      { process: 'R3', workers: 3, batchSize: 100 },
    ];
  }
  const cells: E2eCellSpec[] = [];
  for (const process of ['R1', 'R2', 'R3'] as const) {
    for (const workers of [1, 2, 3, 4]) cells.push({ process, workers, batchSize: 100 });
    for (const batchSize of [1, 10]) cells.push({ process, workers: 3, batchSize });
  }
  return cells;
}

function cellPlan(spec: E2eCellSpec, options: BenchOptions): E2eCellPlan {
  const quick = options.mode === 'quick';
  const headline = spec.workers === 3 && spec.batchSize === 100;
  return {
    ...spec,
    warmupSeconds: quick ? 2 : 3,
    steadyWithinSeconds: quick ? 0 : 24,
    windows: quick ? 2 : headline ? 5 : 3,
    windowSeconds: quick ? 1.5 : 2,
    maxInstances: quick ? 30_000 : 300_000,
    rabbitmqUrl: options.rabbitmqUrl,
  };
}

function apiPlan(options: BenchOptions): ApiPlan {
  const quick = options.mode === 'quick';
  return {
    rates: [100, 500, 1000],
    rounds: quick ? 1 : 3,
    roundSeconds: quick ? 2 : 4,
    warmupSeconds: 2,
    saturationConnections: 64,
    wrkConnections: 400,
    listRequests: quick ? 500 : 1000,
    nginxConnections: 2000,
    nginxSeconds: quick ? 2 : 5,
    rabbitmqUrl: options.rabbitmqUrl,
  };
}

/** Schemas of bench runs that died without cleaning up (names carry their creation time), older than an hour. */
async function dropStaleBenchSchemas(databaseUrl: string): Promise<void> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string }>(
      `SELECT nspname AS name FROM pg_namespace WHERE nspname LIKE 'bench\\_%'`,
    );
    for (const { name } of rows) {
      const created = parseInt(name.split('_').at(-2) ?? '', 36);
      if (
        Number.isFinite(created) &&
        Date.now() - created > 3_600_000 &&
        Date.now() - created < 10 * 365 * 86_400_000
      ) {
        await client.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
      }
    }
  } finally {
    await client.end();
  }
}

async function main(): Promise<number> {
  // `--render=<results.json>`: print (and, for a full run, write latest.md) the report of an earlier run again.
  const render = process.argv.find((a) => a.startsWith('--render='))?.slice('--render='.length);
  if (render !== undefined) {
    const earlier = JSON.parse(readFileSync(render, 'utf8')) as BenchResults;
    earlier.summary = summarize(earlier);
    const report = markdown(earlier);
    if (earlier.mode === 'full' && process.argv.includes('--write-latest'))
      writeFileSync(path.join(RESULTS_DIR, 'latest.md'), `${report}\n`);
    console.log(report);
    return 0;
  }
  const options = parseOptions(process.argv.slice(2).filter((a) => !a.startsWith('--render')));
  const started = performance.now();
  const timestamp = new Date().toISOString();
  const results: BenchResults = {
    bench: 'baton',
    timestamp,
    mode: options.mode,
    soak: options.soak,
    machine: null,
    loadAverage: { start: loadAverage(), end: null },
    seconds: null,
    limits: null,
    engine: null,
    rowWrites: null,
    e2e: [],
    e2eR3HandlerRunner: null,
    e2eR3CamundaClient: null,
    api: null,
    timers: null,
    retention: null,
    camunda: [],
    embedded: null,
    soakFigures: null,
    errors: [],
    sectionLoad: {},
    summary: null,
  };
  // A hard bound on the whole run, whatever hangs.
  const budgetSeconds =
    (options.mode === 'quick' ? 300 : 1200) +
    (options.soak ? options.soakSeconds + 120 : 0) +
    // Zeebe's shapes: three rounds of process starts, warm-ups and windows.
    (options.sections.has('camunda') ? (options.mode === 'quick' ? 150 : 300) : 0);
  const watchdog = setTimeout(() => {
    log(`ERROR: the bench ran over its ${budgetSeconds} s budget; stopping`);
    void killAllChildren().finally(() => process.exit(1));
  }, budgetSeconds * 1000);
  watchdog.unref();

  const section = async (name: string, body: () => Promise<void>) => {
    if (!options.sections.has(name as never) && name !== 'machine') return;
    log(`\n== ${name}`);
    if (name !== 'machine') results.sectionLoad![name] = loadAverage()[0];
    const t = performance.now();
    try {
      await body();
    } catch (e) {
      const message = (e as Error).message.split('\n').slice(0, 6).join(' | ');
      results.errors.push({ section: name, message });
      log(`ERROR in ${name}: ${(e as Error).stack ?? message}`);
    }
    log(`   (${((performance.now() - t) / 1000).toFixed(1)} s)`);
  };

  log(
    `baton bench (${options.mode}${options.soak ? ' + soak' : ''}), load average ${results.loadAverage.start.join(' / ')}`,
  );
  await dropStaleBenchSchemas(options.databaseUrl).catch((e: Error) =>
    log(`warn: stale schema sweep failed: ${e.message}`),
  );

  await section('machine', async () => {
    (results as { machine: BenchResults['machine'] }).machine = await machineInfo(options);
  });
  await section('limits', async () => {
    const quick = options.mode === 'quick';
    (results as { limits: BenchResults['limits'] }).limits = await measureLimits(
      {
        rounds: quick ? 1 : 3,
        roundSeconds: quick ? 2 : 3,
        databaseUrl: options.databaseUrl,
        rabbitmqUrl: options.rabbitmqUrl,
      },
      log,
    );
  });
  await section('engine', async () => {
    const engine = await measureEngine(options.mode === 'quick');
    (results as { engine: BenchResults['engine'] }).engine = engine;
    log(`  ${engine.line}`);
  });
  await section('rows', async () => {
    // What one R1 instance writes to Postgres at each HISTORY_LEVEL (pg_stat_user_tables), in this process.
    const figures: RowWritesFigures[] = [];
    for (const historyLevel of ['full', 'activity', 'none'] as const) {
      figures.push(
        await measureRowWrites({
          file: 'r1-exclusive-script.bpmn',
          variables: { amount: 150 },
          instances: options.mode === 'quick' ? 200 : 1000,
          batchSize: 100,
          historyLevel,
        }),
      );
      const f = figures[figures.length - 1];
      log(`  R1 at HISTORY_LEVEL=${historyLevel}: ${f.rowWrites.toFixed(2)} row writes, ${f.indexEntries.toFixed(1)} index entries per instance`);
    }
    (results as { rowWrites: BenchResults['rowWrites'] }).rowWrites = figures;
  });
  await section('e2e', async () => {
    for (const spec of e2eMatrix(options.mode).filter((c) => options.e2eProcesses.has(c.process))) {
      const label = `${spec.process}, ${spec.workers} worker(s), batch ${spec.batchSize}`;
      try {
        const cell = await runE2eCell(cellPlan(spec, options));
        results.e2e.push(cell);
        log(`  ${label}: ${fmtStat(cell.instancesPerSec)} instances/s`);
      } catch (e) {
        results.errors.push({
          section: `e2e ${label}`,
          message: (e as Error).message.split('\n')[0],
        });
        log(`  ${label}: ERROR ${(e as Error).message}`);
      }
    }
    if (!options.e2eProcesses.has('R3')) return;
    // R3 as a Camunda 8 user runs it: the official client's createJobWorker, over /v2 of an API process.
    try {
      const cell = await runE2eCell({
        ...cellPlan({ process: 'R3', workers: 3, batchSize: 100 }, options),
        jobWorker: 'camunda-client',
      });
      (results as { e2eR3CamundaClient: E2eCellResult | null }).e2eR3CamundaClient = cell;
      log(
        `  R3 with @camunda8/orchestration-cluster-api createJobWorker: ${fmtStat(cell.instancesPerSec)} instances/s`,
      );
    } catch (e) {
      results.errors.push({
        section: 'e2e R3 createJobWorker',
        message: (e as Error).message.split('\n')[0],
      });
      log(`  R3 with createJobWorker: ERROR ${(e as Error).message}`);
    }
    if (options.mode === 'full') {
      const cell: E2eCellResult = await runE2eCell({
        ...cellPlan({ process: 'R3', workers: 3, batchSize: 100 }, options),
        jobWorker: 'handler-runner',
      });
      if (cell.jobs?.worker.startsWith('JobHandlerRunner')) {
        (results as { e2eR3HandlerRunner: E2eCellResult | null }).e2eR3HandlerRunner = cell;
        log(
          `  R3 with the runtime's JobHandlerRunner: ${fmtStat(cell.instancesPerSec)} instances/s`,
        );
      }
    }
  });
  await section('api', async () => {
    (results as { api: BenchResults['api'] }).api = await measureApi(apiPlan(options), log);
  });
  await section('embedded', async () => {
    const quick = options.mode === 'quick';
    (results as { embedded: BenchResults['embedded'] }).embedded = await measureEmbedded(
      {
        rounds: quick ? 1 : 3,
        instances: quick ? 500 : 3000,
        connections: 32,
        rate: 200,
        rateSeconds: quick ? 2 : 5,
        warmupInstances: quick ? 200 : 1000,
      },
      log,
    );
  });
  await section('timers', async () => {
    (results as { timers: BenchResults['timers'] }).timers = await measureTimers(
      {
        rounds: options.mode === 'quick' ? 1 : 3,
        timers: 1000,
        leadSeconds: options.mode === 'quick' ? 3 : 4,
        rabbitmqUrl: options.rabbitmqUrl,
      },
      log,
    );
  });
  await section('retention', async () => {
    const quick = options.mode === 'quick';
    (results as { retention: BenchResults['retention'] }).retention = await measureRetention(
      { instances: quick ? 5_000 : 100_000, historyPerInstance: 10, chunk: 1_000 },
      log,
    );
  });
  await section('camunda', async () => {
    // Zeebe's benchmark shapes end to end in server mode, beside Camunda 8's published figures.
    const quick = options.mode === 'quick';
    for (const shape of Object.keys(CAMUNDA_SHAPES) as CamundaShape[]) {
      try {
        const figures = await runCamundaShape({
          shape,
          workers: 2,
          batchSize: 100,
          // At least this, and until the first wave of instances completed (ten jobs, timers).
          warmupSeconds: quick ? 3 : 6,
          maxWarmupSeconds: quick ? 30 : 60,
          windows: quick ? 2 : 5,
          windowSeconds: quick ? 3 : 4,
          maxInstances: quick ? 20_000 : 100_000,
          rabbitmqUrl: options.rabbitmqUrl,
          log,
        });
        results.camunda!.push(figures);
        log(
          `  ${shape}: ${fmtStat(figures.instancesPerSec)} instances/s, Baton processes ${figures.cores.baton?.toFixed(2) ?? 'n/a'} cores`,
        );
      } catch (e) {
        results.errors.push({
          section: `camunda ${shape}`,
          message: (e as Error).message.split('\n')[0],
        });
        log(`  ${shape}: ERROR ${(e as Error).message}`);
      }
    }
  });
  await section('soak', async () => {
    (results as { soakFigures: BenchResults['soakFigures'] }).soakFigures = await runSoak(
      {
        seconds: options.soakSeconds,
        workers: 2,
        rate: 1000,
        sampleSeconds: 5,
        rabbitmqUrl: options.rabbitmqUrl,
      },
      log,
    );
  });

  (results as { loadAverage: BenchResults['loadAverage'] }).loadAverage.end = loadAverage();
  (results as { seconds: number | null }).seconds = (performance.now() - started) / 1000;
  results.summary = summarize(results);

  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${timestamp.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  const report = markdown(results);
  // A full run is the one users read: bench/results/latest.md is committed.
  if (options.mode === 'full' && options.sections.size >= 5 && options.e2eProcesses.size === 3)
    writeFileSync(path.join(RESULTS_DIR, 'latest.md'), `${report}\n`);
  console.log(report);
  console.log(`results: ${path.relative(process.cwd(), file)}`);
  console.log(`summary: ${JSON.stringify(results.summary)}`);
  clearTimeout(watchdog);
  return results.errors.length > 0 ? 1 : 0;
}

let interrupted = false;
process.on('SIGINT', () => {
  if (interrupted) process.exit(130);
  interrupted = true;
  log('interrupted: stopping the processes this bench started');
  void killAllChildren().finally(() => process.exit(130));
});

if (require.main === module) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    async (e: unknown) => {
      console.error(e);
      await killAllChildren();
      process.exitCode = 1;
    },
  );
}

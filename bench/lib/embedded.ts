import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BenchChild, freePort } from './children';
import { closedLoad, openLoad, type LoadResult } from './http-load';
import { sleep, stat, statOf, type Stat } from './stats';
import { benchFile } from './world';

/**
 * The embedded mode as a new user meets it: `npm start` (apps/baton) with no
 * servers configured — PGlite in a fresh DATA_DIR, the in-process bus, the
 * in-memory definition cache — in its own process, driven over HTTP from
 * this one. Two figures:
 * - R1 end to end: `instances` start requests over `connections` clients,
 *   timed from the first request until the process's own
 *   `baton_process_instances_total{event="completed"}` has counted every
 *   one of them (every instance is on disk before it counts);
 * - start-instance latency at a fixed rate (open loop), as in the API section.
 */
export interface EmbeddedPlan {
  readonly rounds: number;
  /** Instances per R1 round. */
  readonly instances: number;
  readonly connections: number;
  /** Fixed rate of the latency run, requests/s. */
  readonly rate: number;
  readonly rateSeconds: number;
  /** Closed-loop warm-up (JIT, PGlite's caches) before the first measurement. */
  readonly warmupInstances: number;
  /** Node options of the `npm start` process (`bench:profile -- --embedded` passes `--cpu-prof`). */
  readonly nodeArgs?: readonly string[];
}

export interface EmbeddedFigures {
  /** Process start until /health/ready answered, on an empty DATA_DIR (the database created). */
  readonly firstStartSeconds: number;
  /** The same DATA_DIR again: the database exists. */
  readonly restartSeconds: number | null;
  /** Completed R1 instances per second, end to end. */
  readonly r1InstancesPerSec: Stat;
  /**
   * CPU time the `npm start` process spent per R1 instance (user + system, from /proc; null
   * without it): unlike instances/s, barely moved by other work on a shared machine.
   */
  readonly r1CpuMsPerInstance: Stat | null;
  readonly startAtRate: {
    readonly rate: number;
    readonly rps: Stat;
    readonly p50: Stat;
    readonly p95: Stat;
    readonly p99: Stat;
    /** CPU time of the process per instance started (and run to its end) at this rate; null without /proc. */
    readonly cpuMsPerInstance: Stat | null;
    readonly non2xx: number;
    readonly timeouts: number;
    readonly errors: number;
  };
  readonly rssMB: number | null;
}

const R1_BODY = JSON.stringify({ variables: { amount: 150 } });
const JSON_HEADERS = { 'content-type': 'application/json' };

/** `npm start`'s entry from source, on a free loopback port, with nothing but its data directory set. */
async function startEmbedded(
  dataDir: string,
  nodeArgs: readonly string[] = [],
): Promise<{ child: BenchChild; origin: string; seconds: number }> {
  const port = await freePort();
  const t0 = performance.now();
  const child = new BenchChild('npm start', [...nodeArgs, '--import', 'tsx', 'apps/baton/src/main.ts'], {
    DATA_DIR: dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    // The bench saturates the API from one address: the per-address limit would measure itself.
    RATE_LIMIT_PER_MINUTE: '0',
  });
  const origin = `http://127.0.0.1:${port}`;
  try {
    await child.ready(`${origin}/health/ready`, 300_000);
  } catch (e) {
    child.kill();
    throw e;
  }
  return { child, origin, seconds: (performance.now() - t0) / 1000 };
}

async function completedCount(origin: string, processId: string): Promise<number> {
  const res = await fetch(`${origin}/metrics`);
  const text = await res.text();
  if (res.status !== 200)
    throw new Error(`GET /metrics answered ${res.status}: ${text.slice(0, 200)}`);
  const line = text
    .split('\n')
    .find(
      (l) =>
        l.startsWith('baton_process_instances_total{') &&
        l.includes(`process="${processId}"`) &&
        l.includes('event="completed"'),
    );
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

async function deployR1(origin: string): Promise<void> {
  const res = await fetch(`${origin}/api/v1/processes`, {
    method: 'POST',
    headers: { 'content-type': 'application/xml' },
    body: benchFile('r1-exclusive-script.bpmn'),
  });
  if (res.status !== 201 && res.status !== 200) {
    throw new Error(`deploying R1 answered ${res.status}: ${await res.text()}`);
  }
}

/** CPU seconds (user + system) a process has used so far, from /proc; null where there is none. */
function cpuSeconds(pid: number): number | null {
  try {
    // Fields after the command name (which may hold spaces): state is the 3rd, utime the 14th, stime the 15th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

/** USER_HZ, the unit of /proc/<pid>/stat's times: 100 on Linux on every common architecture. */
const CLOCK_TICKS = 100;

/** Starts `count` R1 instances and resolves with instances/s once all of them completed. */
async function r1Round(origin: string, count: number, connections: number): Promise<number> {
  const before = await completedCount(origin, 'R1');
  const t0 = performance.now();
  const load = await closedLoad({
    url: `${origin}/api/v1/processes/R1/instances`,
    method: 'POST',
    body: R1_BODY,
    headers: JSON_HEADERS,
    connections,
    requests: count,
  });
  if (load.ok !== count) {
    throw new Error(
      `R1 round: ${load.ok} of ${count} starts answered 2xx (${JSON.stringify(load.statuses)}, ${load.errorSamples[0] ?? ''})`,
    );
  }
  const deadline = Date.now() + 120_000;
  for (;;) {
    const done = (await completedCount(origin, 'R1')) - before;
    if (done >= count) break;
    if (Date.now() > deadline)
      throw new Error(`R1 round: ${done} of ${count} instances completed after 120 s`);
    await sleep(20);
  }
  return count / ((performance.now() - t0) / 1000);
}

export async function measureEmbedded(
  plan: EmbeddedPlan,
  log: (line: string) => void,
): Promise<EmbeddedFigures> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'baton-bench-embedded-'));
  let running: BenchChild | undefined;
  try {
    const first = await startEmbedded(dataDir);
    log(`  first start (creates the database): ${first.seconds.toFixed(1)} s`);
    await first.child.stop();
    const again = await startEmbedded(dataDir, plan.nodeArgs);
    running = again.child;
    log(`  start on an existing database: ${again.seconds.toFixed(1)} s`);
    const origin = again.origin;
    await deployR1(origin);
    await r1Round(origin, plan.warmupInstances, plan.connections);

    const rates: number[] = [];
    const cpuPerInstance: number[] = [];
    for (let r = 0; r < plan.rounds; r++) {
      const cpuBefore = cpuSeconds(running.pid);
      const rate = await r1Round(origin, plan.instances, plan.connections);
      const cpuAfter = cpuSeconds(running.pid);
      rates.push(rate);
      const cpuMs = cpuBefore === null || cpuAfter === null ? null : ((cpuAfter - cpuBefore) * 1000) / plan.instances;
      if (cpuMs !== null) cpuPerInstance.push(cpuMs);
      log(
        `  R1 end to end, round ${r + 1}: ${Math.round(rate)} instances/s` +
          (cpuMs === null ? '' : `, ${cpuMs.toFixed(2)} ms CPU of the process per instance`),
      );
    }

    const runs: LoadResult[] = [];
    const cpuPerStart: number[] = [];
    for (let r = 0; r < plan.rounds; r++) {
      const cpuBefore = cpuSeconds(running.pid);
      const res = await openLoad({
        url: `${origin}/api/v1/processes/R1/instances`,
        method: 'POST',
        body: R1_BODY,
        headers: JSON_HEADERS,
        rate: plan.rate,
        seconds: plan.rateSeconds,
      });
      runs.push(res);
      // Let the instances just started finish before the next round measures.
      await sleep(1_000);
      const cpuAfter = cpuSeconds(running.pid);
      const cpuMs = cpuBefore === null || cpuAfter === null ? null : ((cpuAfter - cpuBefore) * 1000) / res.requests;
      if (cpuMs !== null) cpuPerStart.push(cpuMs);
      log(
        `  start at ${plan.rate} req/s, round ${r + 1}: p50 ${res.latencyMs.p50.toFixed(1)} ms, p95 ${res.latencyMs.p95.toFixed(1)} ms` +
          (cpuMs === null ? '' : `, ${cpuMs.toFixed(2)} ms CPU of the process per instance (started and completed)`),
      );
    }
    const sum = (pick: (r: LoadResult) => number) => runs.reduce((n, r) => n + pick(r), 0);
    return {
      firstStartSeconds: first.seconds,
      restartSeconds: again.seconds,
      r1InstancesPerSec: stat(rates, 'instances/s'),
      r1CpuMsPerInstance: cpuPerInstance.length === 0 ? null : stat(cpuPerInstance, 'ms'),
      startAtRate: {
        rate: plan.rate,
        rps: statOf(runs, (r) => r.rps, 'requests/s'),
        p50: statOf(runs, (r) => r.latencyMs.p50, 'ms'),
        p95: statOf(runs, (r) => r.latencyMs.p95, 'ms'),
        p99: statOf(runs, (r) => r.latencyMs.p99, 'ms'),
        cpuMsPerInstance: cpuPerStart.length === 0 ? null : stat(cpuPerStart, 'ms'),
        non2xx: sum((r) => r.non2xx),
        timeouts: sum((r) => r.timeouts),
        errors: sum((r) => r.errors),
      },
      rssMB: running.rssMB(),
    };
  } finally {
    await running?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

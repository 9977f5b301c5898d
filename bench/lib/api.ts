import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BenchChild, freePort, ROOT, startApi } from './children';
import { closedLoad, openLoad, which, wrk, type LoadResult } from './http-load';
import { sleep, statOf, type Stat } from './stats';
import { BenchWorld, benchFile } from './world';

export interface ApiPlan {
  /** Fixed request rates for POST /processes/{key}/instances. */
  readonly rates: readonly number[];
  readonly rounds: number;
  readonly roundSeconds: number;
  /** Closed-loop warm-up before the first measurement (JIT, pools, the definition cache). */
  readonly warmupSeconds: number;
  /** Connections of the closed-loop saturation run. */
  readonly saturationConnections: number;
  /** Connections of the `wrk -c400`-style GET /processes run. */
  readonly wrkConnections: number;
  /** `ab -n` of the GET /processes run (at 10 connections). */
  readonly listRequests: number;
  /** Connections and seconds of the 2,000-connection run through nginx (0 skips it). */
  readonly nginxConnections: number;
  readonly nginxSeconds: number;
  readonly rabbitmqUrl: string;
}

export interface LatencyFigures {
  readonly rps: Stat;
  readonly p50: Stat;
  readonly p95: Stat;
  readonly p99: Stat;
  /** Over every round: answers that were not 2xx, timeouts, connection errors. */
  readonly non2xx: number;
  readonly timeouts: number;
  readonly errors: number;
  readonly requests: number;
}

export interface FixedRateFigures extends LatencyFigures {
  readonly rate: number;
  readonly lateStarts: number;
  readonly apiRssMB: number | null;
}

export interface NginxFigures {
  readonly skipped: string | null;
  readonly connections: number;
  readonly seconds: number;
  readonly requests: number;
  readonly ok: number;
  readonly backPressure: number;
  readonly backPressureWithoutRetryAfter: number;
  readonly otherNon2xx: number;
  readonly timeouts: number;
  readonly errors: number;
  readonly rps: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly statuses: Record<string, number>;
  /** No timeout, no connection error, and every refusal a 429/503 with Retry-After. */
  readonly pass: boolean;
  readonly config: string;
}

export interface ApiFigures {
  readonly startFixed: FixedRateFigures[];
  readonly startSaturation: LatencyFigures & { connections: number; apiRssMB: number | null };
  /**
   * The same starts through Camunda's API (`POST /v2/process-instances`), each
   * round right after the `/api/v1` round at the same rate, on the same API
   * process (absent in results written before it existed).
   */
  readonly v2StartFixed?: FixedRateFigures[];
  readonly v2StartSaturation?: LatencyFigures & { connections: number; apiRssMB: number | null };
  readonly listAb: LatencyFigures & { connections: number };
  readonly listWrk: {
    tool: string;
    connections: number;
    rps: Stat;
    p50: Stat;
    p99: Stat;
    non2xx: number;
    socketErrors: number;
  };
  readonly nginx: NginxFigures;
  readonly apiRssMB: { idle: number | null; peak: number | null; end: number | null };
  readonly apiCpuPerSecAtSaturation: number | null;
}

export const START_BODY = JSON.stringify({ variables: { amount: 150 } });
/** Camunda 8.8's `createProcessInstance` of the same process with the same variables. */
export const V2_START_BODY = JSON.stringify({
  processDefinitionId: 'R1',
  variables: { amount: 150 },
});

/**
 * The API as its own process on a fresh schema, publishing to a queue of its
 * own (no worker consumes it: this measures the API's path — validate, one
 * grouped INSERT, one grouped publish — not the workers'). The load comes from
 * this process.
 */
export async function measureApi(plan: ApiPlan, log: (line: string) => void): Promise<ApiFigures> {
  const world = await BenchWorld.create('api', plan.rabbitmqUrl, 2);
  let api: Awaited<ReturnType<typeof startApi>> | undefined;
  let rssPeak: number | null = null;
  const rssTimer = setInterval(() => {
    const rss = api?.rssMB() ?? null;
    if (rss !== null && (rssPeak === null || rss > rssPeak)) rssPeak = rss;
  }, 250);
  try {
    api = await startApi({
      databaseUrl: world.db.url,
      rabbitmqUrl: plan.rabbitmqUrl,
      queue: world.queue,
    });
    const origin = api.origin;
    const deploy = await fetch(`${origin}/api/v1/processes`, {
      method: 'POST',
      headers: { 'content-type': 'application/xml' },
      body: benchFile('r1-exclusive-script.bpmn'),
    });
    if (deploy.status !== 201 && deploy.status !== 200)
      throw new Error(`deploying R1 answered ${deploy.status}: ${await deploy.text()}`);
    const startUrl = `${origin}/api/v1/processes/R1/instances`;
    const post = { url: startUrl, method: 'POST' as const, body: START_BODY };
    const v2Post = {
      url: `${origin}/v2/process-instances`,
      method: 'POST' as const,
      body: V2_START_BODY,
    };

    // Warm-up: JIT, pools, the definition cache; both APIs.
    await closedLoad({ ...post, connections: 10, seconds: plan.warmupSeconds });
    await closedLoad({ ...v2Post, connections: 10, seconds: plan.warmupSeconds / 2 });
    const idle = api.rssMB();

    // /api/v1 and /v2 take turns round by round, so that both see the same machine.
    const startFixed: FixedRateFigures[] = [];
    const v2StartFixed: FixedRateFigures[] = [];
    for (const rate of plan.rates) {
      const runs: LoadResult[] = [];
      const v2Runs: LoadResult[] = [];
      for (let r = 0; r < plan.rounds; r++) {
        runs.push(await openLoad({ ...post, rate, seconds: plan.roundSeconds }));
        await sleep(300);
        v2Runs.push(await openLoad({ ...v2Post, rate, seconds: plan.roundSeconds }));
        await sleep(300);
      }
      const figures = fixedRateFigures(rate, runs, api.rssMB());
      const v2Figures = fixedRateFigures(rate, v2Runs, api.rssMB());
      startFixed.push(figures);
      v2StartFixed.push(v2Figures);
      log(
        `  POST start at ${rate}/s: p95 ${figures.p95.median.toFixed(1)} ms (/api/v1), ${v2Figures.p95.median.toFixed(1)} ms (/v2); ` +
          `${figures.non2xx + figures.errors + figures.timeouts} + ${v2Figures.non2xx + v2Figures.errors + v2Figures.timeouts} failed`,
      );
    }

    const cpu0 = api.cpuSeconds();
    const t0 = performance.now();
    const satRuns: LoadResult[] = [];
    for (let r = 0; r < plan.rounds; r++) {
      satRuns.push(
        await closedLoad({
          ...post,
          connections: plan.saturationConnections,
          seconds: plan.roundSeconds,
        }),
      );
    }
    const cpu1 = api.cpuSeconds();
    const startSaturation = {
      ...latencyFigures(satRuns),
      connections: plan.saturationConnections,
      apiRssMB: api.rssMB(),
    };
    const apiCpuPerSecAtSaturation =
      cpu0 === null || cpu1 === null ? null : (cpu1 - cpu0) / ((performance.now() - t0) / 1000);
    log(`  POST start at saturation: ${Math.round(startSaturation.rps.median)} req/s`);

    const v2SatRuns: LoadResult[] = [];
    for (let r = 0; r < plan.rounds; r++) {
      v2SatRuns.push(
        await closedLoad({
          ...v2Post,
          connections: plan.saturationConnections,
          seconds: plan.roundSeconds,
        }),
      );
    }
    const v2StartSaturation = {
      ...latencyFigures(v2SatRuns),
      connections: plan.saturationConnections,
      apiRssMB: api.rssMB(),
    };
    log(
      `  POST /v2/process-instances at saturation: ${Math.round(v2StartSaturation.rps.median)} req/s`,
    );

    const listUrl = `${origin}/api/v1/processes`;
    const abRuns: LoadResult[] = [];
    for (let r = 0; r < plan.rounds; r++) {
      abRuns.push(
        await closedLoad({
          url: listUrl,
          method: 'GET',
          connections: 10,
          requests: plan.listRequests,
        }),
      );
    }
    const listAb = { ...latencyFigures(abRuns), connections: 10 };
    log(
      `  GET /processes, ${plan.listRequests} requests at 10 connections: ${Math.round(listAb.rps.median)} req/s`,
    );

    const listWrk = await wrk400(listUrl, plan);
    log(
      `  GET /processes at ${listWrk.connections} connections: ${Math.round(listWrk.rps.median)} req/s (${listWrk.tool})`,
    );

    const nginx = await throughNginx(api.port, startUrl, plan);
    log(
      nginx.skipped
        ? `  nginx: skipped (${nginx.skipped})`
        : `  nginx, ${nginx.connections} connections: ${nginx.ok} ok, ${nginx.backPressure} back-pressure, ${nginx.timeouts} timeouts, ${nginx.errors} errors`,
    );

    return {
      startFixed,
      startSaturation,
      v2StartFixed,
      v2StartSaturation,
      listAb,
      listWrk,
      nginx,
      apiRssMB: { idle, peak: rssPeak, end: api.rssMB() },
      apiCpuPerSecAtSaturation,
    };
  } finally {
    clearInterval(rssTimer);
    await api?.stop();
    await world.close();
  }
}

function fixedRateFigures(
  rate: number,
  runs: readonly LoadResult[],
  apiRssMB: number | null,
): FixedRateFigures {
  return {
    rate,
    ...latencyFigures(runs),
    lateStarts: sum(runs, (x) => x.lateStarts ?? 0),
    apiRssMB,
  };
}

function sum<T>(runs: readonly T[], pick: (run: T) => number): number {
  return runs.reduce((a, r) => a + pick(r), 0);
}

export function latencyFigures(runs: readonly LoadResult[]): LatencyFigures {
  return {
    rps: statOf(runs, (r) => r.rps, 'requests/s'),
    p50: statOf(runs, (r) => r.latencyMs.p50, 'ms'),
    p95: statOf(runs, (r) => r.latencyMs.p95, 'ms'),
    p99: statOf(runs, (r) => r.latencyMs.p99, 'ms'),
    non2xx: sum(runs, (r) => r.non2xx),
    timeouts: sum(runs, (r) => r.timeouts),
    errors: sum(runs, (r) => r.errors),
    requests: sum(runs, (r) => r.requests),
  };
}

/** Like `wrk -c400`: wrk when installed, else the bench's own client, at `wrkConnections` connections. */
async function wrk400(url: string, plan: ApiPlan): Promise<ApiFigures['listWrk']> {
  const connections = plan.wrkConnections;
  const bin = await which('wrk');
  const rps: number[] = [];
  const p50: number[] = [];
  const p99: number[] = [];
  let non2xx = 0;
  let socketErrors = 0;
  for (let r = 0; r < plan.rounds; r++) {
    if (bin) {
      const res = await wrk(bin, { url, connections, seconds: plan.roundSeconds });
      rps.push(res.rps);
      p50.push(res.latencyMs.p50);
      p99.push(res.latencyMs.p99);
      non2xx += res.non2xx;
      socketErrors +=
        res.socketErrors.connect +
        res.socketErrors.read +
        res.socketErrors.write +
        res.socketErrors.timeout;
    } else {
      const res = await closedLoad({ url, method: 'GET', connections, seconds: plan.roundSeconds });
      rps.push(res.rps);
      p50.push(res.latencyMs.p50);
      p99.push(res.latencyMs.p99);
      non2xx += res.non2xx;
      socketErrors += res.errors + res.timeouts;
    }
  }
  return {
    tool: bin ? `wrk -t2 -c${connections}` : `bench client, ${connections} connections`,
    connections,
    rps: statOf(rps, (x) => x, 'requests/s'),
    p50: statOf(p50, (x) => x, 'ms'),
    p99: statOf(p99, (x) => x, 'ms'),
    non2xx,
    socketErrors,
  };
}

const NGINX_TEMPLATE = path.join(ROOT, 'bench', 'nginx', 'nginx.bench.conf');
/** The project's nginx config (nginx/) and the helper that renders it for loopback. */
const PROJECT_NGINX_CONF = path.join(ROOT, 'nginx', 'nginx.conf');
const PROJECT_NGINX_RENDER = path.join(ROOT, 'test', 'ops', 'nginx-config.ts');

interface RunningNginx {
  readonly port: number;
  readonly config: string;
  stop(): Promise<void>;
}

/** What the bench uses of test/ops/nginx-config.ts (loaded at run time: it is another part's test helper). */
type ProjectNginxProcess = new (
  binary: string,
  options: { port: number; upstreams: readonly number[] },
) => { start(): Promise<void>; stop(): Promise<void> };

/**
 * The project's nginx/nginx.conf, rendered for loopback by its own test helper,
 * when both exist; else the bench's config (bench/nginx/nginx.bench.conf).
 */
async function startNginx(bin: string, apiPort: number): Promise<RunningNginx> {
  const port = await freePort();
  if (existsSync(PROJECT_NGINX_CONF) && existsSync(PROJECT_NGINX_RENDER)) {
    const mod = (await import(PROJECT_NGINX_RENDER)) as { NginxProcess?: ProjectNginxProcess };
    if (typeof mod.NginxProcess === 'function') {
      const nginx = new mod.NginxProcess(bin, { port, upstreams: [apiPort] });
      await nginx.start();
      return {
        port,
        config:
          "nginx/nginx.conf (the project's, rendered for loopback by test/ops/nginx-config.ts; one API upstream)",
        stop: () => nginx.stop(),
      };
    }
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'baton-nginx-'));
  const maxInFlight = 512;
  for (const sub of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'])
    mkdirSync(path.join(dir, sub));
  const conf = readFileSync(NGINX_TEMPLATE, 'utf8')
    .replaceAll('{{user}}', process.getuid?.() === 0 ? 'user root;' : '')
    .replaceAll('{{dir}}', dir)
    .replaceAll('{{apiPort}}', String(apiPort))
    .replaceAll('{{port}}', String(port))
    .replaceAll('{{maxInFlight}}', String(maxInFlight));
  const confFile = path.join(dir, 'nginx.conf');
  writeFileSync(confFile, conf);
  const child = new BenchChild(
    'nginx',
    ['-p', dir, '-e', path.join(dir, 'error.log'), '-c', confFile, '-g', 'daemon off;'],
    {},
    bin,
  );
  const stop = async () => {
    await child.stop(5_000);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await child.ready(`http://127.0.0.1:${port}/health`, 10_000);
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    port,
    config: `bench/nginx/nginx.bench.conf (limit_conn ${maxInFlight} requests in progress -> 503 + Retry-After; upstream keepalive 512)`,
    stop,
  };
}

/**
 * `nginxConnections` clients back to back through nginx for `nginxSeconds`:
 * every request must be answered — 2xx, or 429/503 with Retry-After — and none
 * may time out (10 s) or lose its connection.
 */
async function throughNginx(
  apiPort: number,
  startUrl: string,
  plan: ApiPlan,
): Promise<NginxFigures> {
  const empty = (skipped: string): NginxFigures => ({
    skipped,
    connections: plan.nginxConnections,
    seconds: 0,
    requests: 0,
    ok: 0,
    backPressure: 0,
    backPressureWithoutRetryAfter: 0,
    otherNon2xx: 0,
    timeouts: 0,
    errors: 0,
    rps: NaN,
    p50: NaN,
    p95: NaN,
    p99: NaN,
    statuses: {},
    pass: false,
    config: '',
  });
  if (plan.nginxConnections <= 0) return empty('not in this run');
  const bin =
    (await which('nginx')) ??
    ['/usr/sbin/nginx', '/usr/local/sbin/nginx'].find((p) => existsSync(p)) ??
    null;
  if (bin === null) return empty('nginx is not installed on this machine');
  let nginx: RunningNginx;
  try {
    nginx = await startNginx(bin, apiPort);
  } catch (e) {
    return empty(`nginx did not start: ${(e as Error).message.split('\n')[0]}`);
  }
  try {
    const url = new URL(startUrl);
    url.port = String(nginx.port);
    const res = await closedLoad({
      url: url.toString(),
      method: 'POST',
      body: START_BODY,
      connections: plan.nginxConnections,
      seconds: plan.nginxSeconds,
      timeoutMs: 10_000,
    });
    const otherNon2xx = res.non2xx - res.backPressure;
    return {
      skipped: null,
      connections: plan.nginxConnections,
      seconds: res.seconds,
      requests: res.requests,
      ok: res.ok,
      backPressure: res.backPressure,
      backPressureWithoutRetryAfter: res.backPressureWithoutRetryAfter,
      otherNon2xx,
      timeouts: res.timeouts,
      errors: res.errors,
      rps: res.rps,
      p50: res.latencyMs.p50,
      p95: res.latencyMs.p95,
      p99: res.latencyMs.p99,
      statuses: res.statuses,
      pass: res.timeouts === 0 && res.errors === 0 && otherNon2xx === 0,
      config: nginx.config,
    };
  } finally {
    await nginx.stop();
  }
}

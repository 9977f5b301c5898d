import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { percentile } from './stats';

const run = promisify(execFile);

/**
 * The bench's own HTTP load generator (autocannon is not a dependency): node:http
 * with keep-alive connections, in two shapes —
 * - closed loop (`closedLoad`): `connections` clients, each sending its next
 *   request when the previous answer arrived (autocannon / wrk / `ab -c`);
 * - open loop (`openLoad`): requests sent at a fixed rate whatever the answers
 *   do (autocannon -R, wrk2), over at most `maxConnections`.
 * Latency is from the moment the request is handed to node:http to the end
 * of the response body; a request that waits for a free connection waits on
 * the clock.
 */

export interface LoadRequest {
  readonly url: string;
  readonly method: 'GET' | 'POST';
  readonly body?: string;
  readonly headers?: Record<string, string>;
  /** A request without an answer after this long counts as a timeout. Default 10 s. */
  readonly timeoutMs?: number;
}

export interface LoadResult {
  readonly requests: number;
  readonly seconds: number;
  /** Answers (any status) per second. */
  readonly rps: number;
  readonly latencyMs: { p50: number; p95: number; p99: number; max: number; mean: number };
  readonly statuses: Record<string, number>;
  /** 2xx answers. */
  readonly ok: number;
  /** Answers that are not 2xx. */
  readonly non2xx: number;
  /** 429/503 answers that carried Retry-After: back-pressure, not failure. */
  readonly backPressure: number;
  /** 429/503 without Retry-After. */
  readonly backPressureWithoutRetryAfter: number;
  readonly timeouts: number;
  /** Connection errors (refused, reset, ...). */
  readonly errors: number;
  readonly errorSamples: string[];
  /** Open loop only: requests handed over more than 5 ms after their slot (the generator fell behind). */
  readonly lateStarts?: number;
  /** Open loop only: the rate asked for. */
  readonly targetRate?: number;
  /** CPU seconds this (generator) process used per wall second while it ran. */
  readonly generatorCpu: number;
}

class Recorder {
  readonly latencies: number[] = [];
  readonly statuses: Record<string, number> = {};
  ok = 0;
  backPressure = 0;
  backPressureWithoutRetryAfter = 0;
  timeouts = 0;
  errors = 0;
  readonly errorSamples: string[] = [];

  answer(status: number, ms: number, retryAfter: unknown): void {
    this.latencies.push(ms);
    this.statuses[status] = (this.statuses[status] ?? 0) + 1;
    if (status >= 200 && status < 300) this.ok++;
    else if (status === 429 || status === 503) {
      if (retryAfter !== undefined) this.backPressure++;
      else this.backPressureWithoutRetryAfter++;
    }
  }

  error(e: Error): void {
    this.errors++;
    if (this.errorSamples.length < 5) this.errorSamples.push(e.message);
  }

  result(seconds: number, cpuSeconds: number, extra: Partial<LoadResult> = {}): LoadResult {
    const n = this.latencies.length;
    const sum = this.latencies.reduce((a, b) => a + b, 0);
    return {
      requests: n + this.timeouts + this.errors,
      seconds,
      rps: n / seconds,
      latencyMs: {
        p50: percentile(this.latencies, 50),
        p95: percentile(this.latencies, 95),
        p99: percentile(this.latencies, 99),
        // A loop, not Math.max(...): a fast machine records more latencies than fit on the stack as arguments.
        max: n ? this.latencies.reduce((a, b) => (b > a ? b : a), -Infinity) : NaN,
        mean: n ? sum / n : NaN,
      },
      statuses: this.statuses,
      ok: this.ok,
      non2xx: n - this.ok,
      backPressure: this.backPressure,
      backPressureWithoutRetryAfter: this.backPressureWithoutRetryAfter,
      timeouts: this.timeouts,
      errors: this.errors,
      errorSamples: this.errorSamples,
      generatorCpu: cpuSeconds / seconds,
      ...extra,
    };
  }
}

function sender(req: LoadRequest, agent: http.Agent, rec: Recorder): () => Promise<void> {
  const url = new URL(req.url);
  const body = req.body === undefined ? undefined : Buffer.from(req.body);
  const headers: Record<string, string | number> = { ...req.headers };
  if (body !== undefined) {
    headers['content-length'] = body.length;
    headers['content-type'] ??= 'application/json';
  }
  const options: http.RequestOptions = {
    host: url.hostname,
    port: url.port,
    path: `${url.pathname}${url.search}`,
    method: req.method,
    headers,
    agent,
  };
  const timeoutMs = req.timeoutMs ?? 10_000;
  return () =>
    new Promise<void>((resolve) => {
      const t = performance.now();
      let done = false;
      const finish = () => {
        done = true;
        clearTimeout(timer);
        resolve();
      };
      const r = http.request(options, (res) => {
        res.on('data', () => undefined);
        res.on('end', () => {
          if (done) return;
          rec.answer(res.statusCode ?? 0, performance.now() - t, res.headers['retry-after']);
          finish();
        });
        res.on('error', (e) => {
          if (done) return;
          rec.error(e);
          finish();
        });
      });
      const timer = setTimeout(() => {
        if (done) return;
        rec.timeouts++;
        finish();
        r.destroy(new Error('timeout'));
      }, timeoutMs);
      r.on('error', (e) => {
        if (done) return;
        rec.error(e);
        finish();
      });
      r.end(body);
    });
}

function cpuNow(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** `connections` clients back to back, for `seconds` or until `requests` have been sent. */
export async function closedLoad(
  req: LoadRequest & { connections: number; seconds?: number; requests?: number },
): Promise<LoadResult> {
  const agent = new http.Agent({
    keepAlive: true,
    maxSockets: req.connections,
    maxFreeSockets: req.connections,
  });
  const rec = new Recorder();
  const send = sender(req, agent, rec);
  const limit = req.requests ?? Infinity;
  const end = req.seconds === undefined ? Infinity : performance.now() + req.seconds * 1000;
  let sent = 0;
  const cpu0 = cpuNow();
  const start = performance.now();
  await Promise.all(
    Array.from({ length: req.connections }, async () => {
      while (sent < limit && performance.now() < end) {
        sent++;
        await send();
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  const cpu = cpuNow() - cpu0;
  agent.destroy();
  return rec.result(seconds, cpu);
}

/** `rate` requests per second for `seconds`, over at most `maxConnections` keep-alive connections. */
export async function openLoad(
  req: LoadRequest & { rate: number; seconds: number; maxConnections?: number },
): Promise<LoadResult> {
  const maxConnections = req.maxConnections ?? 256;
  const agent = new http.Agent({
    keepAlive: true,
    maxSockets: maxConnections,
    maxFreeSockets: maxConnections,
  });
  const rec = new Recorder();
  const send = sender(req, agent, rec);
  const total = Math.round(req.rate * req.seconds);
  const pending = new Set<Promise<void>>();
  let sent = 0;
  let lateStarts = 0;
  const cpu0 = cpuNow();
  const start = performance.now();
  while (sent < total) {
    const now = performance.now();
    const due = Math.min(total, Math.floor(((now - start) * req.rate) / 1000) + 1);
    while (sent < due) {
      const slot = start + (sent * 1000) / req.rate;
      if (now - slot > 5) lateStarts++;
      sent++;
      const p = send();
      pending.add(p);
      void p.then(() => pending.delete(p));
    }
    const nextSlot = start + (sent * 1000) / req.rate;
    await new Promise((resolve) =>
      setTimeout(resolve, Math.max(0, Math.min(5, nextSlot - performance.now()))),
    );
  }
  await Promise.all([...pending]);
  const seconds = (performance.now() - start) / 1000;
  const cpu = cpuNow() - cpu0;
  agent.destroy();
  return rec.result(seconds, cpu, { lateStarts, targetRate: req.rate });
}

export async function which(bin: string): Promise<string | null> {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, bin);
    try {
      await run('test', ['-x', candidate]);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

export interface WrkResult {
  readonly rps: number;
  readonly requests: number;
  readonly latencyMs: { p50: number; p95: number; p99: number; max: number };
  readonly non2xx: number;
  readonly socketErrors: { connect: number; read: number; write: number; timeout: number };
}

/** Runs wrk (closed loop, `--latency`); a body makes it a POST through a small Lua script. */
export async function wrk(
  bin: string,
  opts: {
    url: string;
    connections: number;
    seconds: number;
    threads?: number;
    body?: string;
    timeoutSeconds?: number;
  },
): Promise<WrkResult> {
  const args = [
    `-t${opts.threads ?? Math.min(2, opts.connections)}`,
    `-c${opts.connections}`,
    `-d${opts.seconds}s`,
    `--timeout`,
    `${opts.timeoutSeconds ?? 10}s`,
    '--latency',
  ];
  let dir: string | undefined;
  if (opts.body !== undefined) {
    dir = mkdtempSync(path.join(os.tmpdir(), 'baton-wrk-'));
    const script = path.join(dir, 'post.lua');
    writeFileSync(
      script,
      `wrk.method = "POST"\nwrk.body = ${JSON.stringify(opts.body)}\nwrk.headers["Content-Type"] = "application/json"\n`,
    );
    args.push('-s', script);
  }
  args.push(opts.url);
  try {
    const { stdout } = await run(bin, args, { timeout: (opts.seconds + 30) * 1000 });
    return parseWrk(stdout);
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

function toMs(value: string, unit: string): number {
  const v = Number(value);
  return unit === 'us' ? v / 1000 : unit === 's' ? v * 1000 : unit === 'm' ? v * 60_000 : v;
}

export function parseWrk(out: string): WrkResult {
  const pct = (p: string) => {
    const m = new RegExp(`^\\s*${p}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(out);
    return m ? toMs(m[1], m[2]) : NaN;
  };
  const max = /Latency\s+\S+\s+\S+\s+([\d.]+)(us|ms|s|m)/.exec(out);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN),
    requests: Number(/(\d+) requests in/.exec(out)?.[1] ?? NaN),
    latencyMs: { p50: pct('50'), p95: NaN, p99: pct('99'), max: max ? toMs(max[1], max[2]) : NaN },
    non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0),
    socketErrors: socket
      ? {
          connect: Number(socket[1]),
          read: Number(socket[2]),
          write: Number(socket[3]),
          timeout: Number(socket[4]),
        }
      : { connect: 0, read: 0, write: 0, timeout: 0 },
  };
}

import { startWorker, type BenchChild } from './children';
import { Feeder, Poller, E2E_PROCESSES } from './e2e';
import { sleep, stat, type Stat } from './stats';
import { BenchWorld, benchFile } from './world';

export interface SoakPlan {
  readonly seconds: number;
  readonly workers: number;
  /** Steady start rate (instances/s): below saturation, so the run measures steady state, not backlog. */
  readonly rate: number;
  readonly sampleSeconds: number;
  readonly rabbitmqUrl: string;
}

export interface SoakFigures {
  readonly seconds: number;
  readonly workers: number;
  readonly rate: number;
  /** Per worker: RSS in the first and last minute (medians of the samples), and end / start. */
  readonly rss: { startMB: number; endMB: number; ratio: number }[];
  /** The largest end/start ratio of any worker (target <= 1.10). */
  readonly worstRssRatio: number;
  /** Completed instances/s per minute. */
  readonly perMinute: number[];
  readonly throughput: Stat;
  readonly samples: { t: number; rssMB: (number | null)[]; completed: number }[];
  readonly started: number;
  readonly completed: number;
}

/**
 * `--soak`: R1 at a steady rate for `seconds` (10 minutes by default) with
 * `workers` worker processes; RSS of every worker sampled throughout. A
 * worker's RSS at the end must stay within 10% of the start (the first minute
 * is the start: after warm-up, caches and pools are full), and the
 * throughput per minute must stay flat.
 */
export async function runSoak(plan: SoakPlan, log: (line: string) => void): Promise<SoakFigures> {
  const world = await BenchWorld.create('soak', plan.rabbitmqUrl, 8);
  const workers: BenchChild[] = [];
  const ref = E2E_PROCESSES.R1;
  try {
    const definition = await world.deploy(benchFile(ref.file));
    workers.push(
      ...(await Promise.all(
        Array.from({ length: plan.workers }, (_, i) =>
          startWorker({
            name: `soak-worker-${i + 1}`,
            databaseUrl: world.db.url,
            rabbitmqUrl: plan.rabbitmqUrl,
            queue: world.queue,
            batchSize: 100,
          }),
        ),
      )),
    );
    // The feeder's backlog bound becomes a rate: every 100 ms, a tenth of a second's worth of starts.
    const feeder = new Feeder(
      world.starter,
      definition,
      ref.variables,
      Number.MAX_SAFE_INTEGER,
      Number.MAX_SAFE_INTEGER,
      (id) => world.started(id),
    );
    let stopped = false;
    let due = 0;
    const t0 = performance.now();
    const pacing = (async () => {
      while (!stopped) {
        const target = Math.floor(((performance.now() - t0) / 1000) * plan.rate);
        for (; due < target; due++) feeder.startOneForSoak();
        await sleep(100);
      }
    })();
    let completed = 0;
    const poller = new Poller(async () => {
      completed = await world.completed();
    }, 1000);
    poller.start();
    const samples: SoakFigures['samples'] = [];
    const end = t0 + plan.seconds * 1000;
    let lastLog = 0;
    while (performance.now() < end) {
      await sleep(plan.sampleSeconds * 1000);
      const t = (performance.now() - t0) / 1000;
      samples.push({ t, rssMB: workers.map((w) => w.rssMB()), completed });
      if (t - lastLog >= 60) {
        lastLog = t;
        log(
          `  soak ${Math.round(t)} s: ${completed} completed, worker RSS ${workers.map((w) => w.rssMB()).join(' / ')} MB`,
        );
      }
    }
    stopped = true;
    await pacing;
    await poller.stop();
    await feeder.settled();

    const firstMinute = samples.filter((s) => s.t <= Math.min(60, plan.seconds / 4));
    const lastMinute = samples.filter((s) => s.t >= plan.seconds - Math.min(60, plan.seconds / 4));
    const rss = workers.map((_, i) => {
      const startMB = median(firstMinute.map((s) => s.rssMB[i]));
      const endMB = median(lastMinute.map((s) => s.rssMB[i]));
      return { startMB, endMB, ratio: endMB / startMB };
    });
    const perMinute: number[] = [];
    for (let m = 60; m <= plan.seconds + 1; m += 60) {
      const a = samples.filter((s) => s.t <= m - 60).at(-1)?.completed ?? 0;
      const b = samples.filter((s) => s.t <= m).at(-1)?.completed ?? 0;
      perMinute.push((b - a) / 60);
    }
    return {
      seconds: plan.seconds,
      workers: plan.workers,
      rate: plan.rate,
      rss,
      worstRssRatio: Math.max(...rss.map((r) => r.ratio)),
      perMinute,
      throughput: stat(perMinute, 'instances/s'),
      samples,
      started: feeder.resolved,
      completed,
    };
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    await world.close();
  }
}

function median(values: (number | null)[]): number {
  const v = values.filter((x): x is number => x !== null).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

import http from 'node:http';
import os from 'node:os';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, startApi, startWorker, type BenchChild } from './children';
import { CamundaClientJobWorker, measureWindows, Poller } from './e2e';
import { fmt, fmtStat, sleep, stat, type Stat } from './stats';
import { BenchWorld, benchFile } from './world';

/**
 * Zeebe's benchmark shapes (bench/processes/camunda, copied from camunda/camunda
 * under Apache-2.0, see the NOTICE there), run end to end in server mode so
 * that Baton's figures sit next to Camunda 8's published ones.
 */
export const CAMUNDA_SHAPES = {
  one_task: {
    file: 'camunda/one_task.bpmn',
    what: 'start → service task `benchmark-task` → service task `benchmark-task-never-executed` → end',
    jobsPerInstance: 2,
    backlog: 300,
  },
  ten_tasks: {
    file: 'camunda/ten_tasks.bpmn',
    what: 'start → 10 service tasks `benchmark-task` → end',
    jobsPerInstance: 10,
    backlog: 100,
  },
  typical_process: {
    file: 'camunda/typical_process.bpmn',
    what: 'start → 3 tasks → exclusive gateway (`var2`) → timer → 3 tasks → timer → 4 tasks → end (10 jobs, 2 timers)',
    jobsPerInstance: 10,
    backlog: 150,
  },
} as const;
export type CamundaShape = keyof typeof CAMUNDA_SHAPES;

export const CAMUNDA_PAYLOAD = 'camunda/typical_payload.json';

/**
 * typical_process waits 20 minutes on each of its two timers (`PT20M`); a
 * bench run cannot, so the bench deploys it with this duration instead (the
 * timers are still scheduled, polled and fired: the work per instance is the
 * same, only the wait is shorter).
 */
export const CAMUNDA_TIMER_DURATION = 'PT1S';

/**
 * Camunda 8's published figures, printed beside Baton's as fixed text (they
 * are not measured here).
 */
export const CAMUNDA_REFERENCE = {
  oneTaskStressPerSec: 300,
  oneTaskVcpus: 9,
  oneTaskSetup: '3 brokers × 3 vCPU',
  typicalRealisticPerSec: 51,
} as const;

export interface CamundaShapePlan {
  readonly shape: CamundaShape;
  /** Worker processes (TOKEN_BATCH_SIZE `batchSize`). */
  readonly workers: number;
  readonly batchSize: number;
  /**
   * Least warm-up; it goes on until the first wave of instances completed
   * (half the backlog), for at most `maxWarmupSeconds`: with ten jobs per
   * instance, the instances started together finish together, seconds later.
   */
  readonly warmupSeconds: number;
  readonly maxWarmupSeconds?: number;
  readonly windows: number;
  readonly windowSeconds: number;
  /** Most instances the run starts. */
  readonly maxInstances: number;
  /** Instances kept in flight (started, not completed); the shape's own default when absent. */
  readonly backlog?: number;
  readonly rabbitmqUrl: string;
  /** `createJobWorker` maxParallelJobs, per job type. */
  readonly maxParallelJobs?: number;
  /** Progress lines (every 2 s), for stderr. */
  readonly log?: (line: string) => void;
}

export interface CamundaShapeResult {
  readonly shape: CamundaShape;
  readonly workers: number;
  readonly batchSize: number;
  readonly jobTypes: string[];
  /** Completed instances/s over the measured windows. */
  readonly instancesPerSec: Stat;
  readonly windowsPerSec: number[];
  readonly started: number;
  readonly completed: number;
  readonly startErrors: number;
  readonly lastStartError?: string;
  readonly openIncidents: number;
  readonly jobs: { activated: number; completed: number; errors: number; lastError?: string };
  /** CPU seconds per wall second in the windows: the worker processes, the API process, the bench process (starter + job workers). */
  readonly cores: {
    workers: number | null;
    api: number | null;
    bench: number;
    baton: number | null;
  };
  /** Busy cores of the whole machine in the windows (everything on it, other work included; from /proc/stat). */
  readonly machineBusyCores: number | null;
  readonly machineCores: number;
  /** Median instances/s divided by the cores of Baton's server processes (workers + API). */
  readonly perBatonCore: number | null;
  /** Median instances/s divided by every core of the machine (Postgres, RabbitMQ and the clients share them). */
  readonly perMachineCore: number;
  readonly capped: boolean;
  /** The warm-up the run took (until the first wave completed). */
  readonly warmupSeconds: number;
  readonly loadAverage: number;
  readonly seconds: number;
}

/** The model as the bench deploys it (typical_process with its timers shortened). */
export function shapeXml(shape: CamundaShape): string {
  const xml = benchFile(CAMUNDA_SHAPES[shape].file);
  return shape === 'typical_process' ? xml.replace(/>PT20M</g, `>${CAMUNDA_TIMER_DURATION}<`) : xml;
}

/** Every job type of a model, in document order. */
export function jobTypesOf(xml: string): string[] {
  const types = [...xml.matchAll(/<zeebe:taskDefinition\b[^>]*\btype="([^"]+)"/g)].map((m) => m[1]);
  return [...new Set(types)];
}

export function camundaPayload(): Record<string, unknown> {
  return JSON.parse(
    readFileSync(path.join(ROOT, 'bench', 'processes', CAMUNDA_PAYLOAD), 'utf8'),
  ) as Record<string, unknown>;
}

/**
 * One shape end to end against Baton in server mode: a fresh schema and
 * queue, the model deployed, `workers` worker processes and an API process;
 * instances started over HTTP with `POST /v2/process-instances` and the
 * payload (at most `backlog` in flight), every job type of the model worked by
 * `createJobWorker` of Camunda's official client over `/v2` (long polls,
 * `job.complete()`). Completed instances counted in Postgres per window.
 */
export async function runCamundaShape(plan: CamundaShapePlan): Promise<CamundaShapeResult> {
  const t0 = performance.now();
  const xml = shapeXml(plan.shape);
  const jobTypes = jobTypesOf(xml);
  const world = await BenchWorld.create(`camunda_${plan.shape}`, plan.rabbitmqUrl, 4);
  const children: BenchChild[] = [];
  let feeder: HttpStarter | undefined;
  let jobs: CamundaClientJobWorker | undefined;
  let progress: NodeJS.Timeout | undefined;
  try {
    const definition = await world.deploy(xml);
    const [api, ...workers] = await Promise.all([
      startApi({ databaseUrl: world.db.url, rabbitmqUrl: plan.rabbitmqUrl, queue: world.queue }),
      ...Array.from({ length: plan.workers }, (_, i) =>
        startWorker({
          name: `worker-${i + 1}`,
          databaseUrl: world.db.url,
          rabbitmqUrl: plan.rabbitmqUrl,
          queue: world.queue,
          batchSize: plan.batchSize,
        }),
      ),
    ]);
    children.push(api, ...workers);
    jobs = new CamundaClientJobWorker(api.origin, plan.maxParallelJobs ?? 64, jobTypes);
    jobs.start();
    feeder = new HttpStarter(
      api.origin,
      JSON.stringify({
        processDefinitionId: definition.bpmnProcessId,
        variables: camundaPayload(),
      }),
      plan.backlog ?? CAMUNDA_SHAPES[plan.shape].backlog,
      plan.maxInstances,
      (id) => world.started(id),
    );
    feeder.start();
    const fed = performance.now();
    const poll = async () => {
      const n = await world.completed();
      feeder?.setCompleted(n);
      return n;
    };
    const poller = new Poller(poll, 100);
    poller.start();
    progress = plan.log
      ? setInterval(() => {
          plan.log?.(
            `    ${plan.shape}: ${feeder?.ok ?? 0} started, ${feeder?.completedSeen ?? 0} completed, jobs ${jobs?.totals.completed ?? 0} completed`,
          );
        }, 2000)
      : undefined;

    const firstWave =
      Math.min(plan.backlog ?? CAMUNDA_SHAPES[plan.shape].backlog, plan.maxInstances) / 2;
    const warmupEnd = fed + (plan.maxWarmupSeconds ?? plan.warmupSeconds) * 1000;
    await sleep(plan.warmupSeconds * 1000);
    while (performance.now() < warmupEnd && (await poll()) < firstWave) await sleep(100);
    const warmupSeconds = (performance.now() - fed) / 1000;
    const loadAverage = Math.round(os.loadavg()[0] * 100) / 100;
    const cpu0 = cpuOf(workers, api);
    const machine0 = machineCpu();
    const w0 = performance.now();
    const { windowsPerSec, capped } = await measureWindows(plan, poll, feeder, fed);
    const wall = (performance.now() - w0) / 1000;
    const cpu1 = cpuOf(workers, api);
    const machine1 = machineCpu();
    clearInterval(progress);
    await poller.stop();
    feeder.stop();
    await jobs.stop();
    const completed = await poll();
    const openIncidents = await world.count(
      `SELECT count(*) AS n FROM "Incident" WHERE "resolvedAt" IS NULL`,
    );
    await feeder.settled();
    const perSec = (a: number | null, b: number | null) =>
      a === null || b === null ? null : (b - a) / wall;
    const cores = {
      workers: perSec(cpu0.workers, cpu1.workers),
      api: perSec(cpu0.api, cpu1.api),
      bench: (cpu1.bench - cpu0.bench) / wall,
      baton: null as number | null,
    };
    cores.baton = cores.workers === null || cores.api === null ? null : cores.workers + cores.api;
    const instancesPerSec = stat(windowsPerSec, 'instances/s');
    const machineCores = os.cpus().length;
    return {
      shape: plan.shape,
      workers: plan.workers,
      batchSize: plan.batchSize,
      jobTypes,
      instancesPerSec,
      windowsPerSec,
      started: feeder.ok,
      completed,
      startErrors: feeder.errors,
      ...(feeder.lastError ? { lastStartError: feeder.lastError } : {}),
      openIncidents,
      jobs: { ...jobs.totals, ...(jobs.lastError ? { lastError: jobs.lastError } : {}) },
      cores,
      machineBusyCores:
        machine0 === null || machine1 === null
          ? null
          : ((machine1.busy - machine0.busy) / (machine1.total - machine0.total)) * machineCores,
      machineCores,
      perBatonCore:
        cores.baton === null || cores.baton <= 0 ? null : instancesPerSec.median / cores.baton,
      perMachineCore: instancesPerSec.median / machineCores,
      capped,
      warmupSeconds,
      loadAverage,
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    clearInterval(progress);
    feeder?.stop();
    await jobs?.stop();
    await Promise.all(children.map((c) => c.stop()));
    await feeder?.settled();
    await world.close();
  }
}

function cpuOf(
  workers: readonly BenchChild[],
  api: BenchChild,
): { workers: number | null; api: number | null; bench: number } {
  let total: number | null = 0;
  for (const w of workers) {
    const s = w.cpuSeconds();
    total = s === null || total === null ? null : total + s;
  }
  const usage = process.cpuUsage();
  return { workers: total, api: api.cpuSeconds(), bench: (usage.user + usage.system) / 1e6 };
}

/** Busy and total jiffies of the whole machine (/proc/stat), null without /proc. */
function machineCpu(): { busy: number; total: number } | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
    const f = line.trim().split(/\s+/).slice(1).map(Number);
    const idle = f[3] + (f[4] ?? 0);
    const total = f.reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  } catch {
    return null;
  }
}

/**
 * Starts instances over HTTP, `POST /v2/process-instances`, on keep-alive
 * connections: tops up every few milliseconds so that `target` are in flight
 * (started, not yet completed), at most 32 requests at a time.
 */
class HttpStarter {
  ok = 0;
  errors = 0;
  lastError?: string;
  private requested = 0;
  private completed = 0;
  private pending = 0;
  private stopped = false;
  private loop?: Promise<void>;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
  private readonly url: URL;

  constructor(
    origin: string,
    private readonly body: string,
    private readonly target: number,
    private readonly max: number,
    /** Told each started instance's key (BenchWorld.started, so that its completion is counted). */
    private readonly onStarted: (id: string) => void,
  ) {
    this.url = new URL('/v2/process-instances', origin);
  }

  get outstanding(): number {
    return this.requested - this.completed;
  }

  get exhausted(): boolean {
    return this.requested >= this.max;
  }

  get completedSeen(): number {
    return this.completed;
  }

  setCompleted(n: number): void {
    this.completed = n;
  }

  start(): void {
    this.loop = (async () => {
      while (!this.stopped) {
        const n = Math.min(
          this.target - this.outstanding,
          this.max - this.requested,
          64 - this.pending,
        );
        for (let i = 0; i < n; i++) this.startOne();
        await sleep(5);
      }
    })();
  }

  stop(): void {
    this.stopped = true;
  }

  async settled(): Promise<void> {
    await this.loop;
    await Promise.all([...this.inFlight]);
    this.agent.destroy();
  }

  private startOne(): void {
    this.requested++;
    this.pending++;
    const p = new Promise<void>((resolve) => {
      const req = http.request(
        this.url,
        {
          method: 'POST',
          agent: this.agent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(this.body),
          },
          timeout: 30_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            if (res.statusCode === 200) {
              this.ok++;
              this.onStarted(JSON.parse(Buffer.concat(chunks).toString('utf8')).processInstanceKey);
            } else
              this.fail(
                `HTTP ${res.statusCode}: ${Buffer.concat(chunks).toString('utf8').slice(0, 300)}`,
              );
            resolve();
          });
          res.on('error', (e) => {
            this.fail(e.message);
            resolve();
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (e) => {
        this.fail(e.message);
        resolve();
      });
      req.end(this.body);
    });
    this.inFlight.add(p);
    void p.finally(() => {
      this.pending--;
      this.inFlight.delete(p);
    });
  }

  private fail(message: string): void {
    this.errors++;
    this.lastError = message;
  }
}

/** The report's section for the shapes. */
export function camundaShapesMarkdown(results: readonly CamundaShapeResult[]): string[] {
  if (results.length === 0) return [];
  const ref = CAMUNDA_REFERENCE;
  const camunda = (shape: CamundaShape) =>
    shape === 'one_task'
      ? `${ref.oneTaskStressPerSec} (stress ceiling, ${ref.oneTaskSetup}: ≈ ${Math.round(ref.oneTaskStressPerSec / ref.oneTaskVcpus)} per vCPU)`
      : shape === 'typical_process'
        ? `${ref.typicalRealisticPerSec} (realistic load)`
        : '—';
  const first = results[0];
  return [
    "## Camunda's benchmark shapes",
    '',
    "Zeebe's benchmark models (bench/processes/camunda, from camunda/camunda) with `typical_payload.json`, end to end in server mode: " +
      `${first.workers} worker processes (batch ${first.batchSize}) and an API process; instances started with \`POST /v2/process-instances\`, ` +
      "every job type worked by the official client's `createJobWorker` over `/v2`. typical_process runs with its two `PT20M` timers " +
      `set to \`${CAMUNDA_TIMER_DURATION}\`; one_task's \`benchmark-task-never-executed\` is worked too, so that its instances complete. ` +
      'Cores: CPU seconds per second in the measured windows; Baton = worker + API processes; the bench process (starter and job workers) and ' +
      `the machine (${first.machineCores} cores, shared with Postgres, RabbitMQ and any other work) beside. ` +
      "Camunda 8's figures are published ones, printed for reference, not measured here.",
    '',
    '| shape | completed instances/s | jobs/s | cores: Baton (workers + API) | bench process | machine busy | instances/s per Baton core | per machine core | Camunda 8 published, PI/s | notes |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |',
    ...results.map((r) => {
      const notes = [
        `load ${r.loadAverage}`,
        `warm-up ${r.warmupSeconds.toFixed(1)} s`,
        `${r.completed.toLocaleString('en-US')} completed`,
        r.startErrors ? `${r.startErrors} start errors (${r.lastStartError ?? ''})` : '',
        r.jobs.errors ? `${r.jobs.errors} job errors` : '',
        r.openIncidents ? `${r.openIncidents} open incidents` : '',
        r.capped ? 'ran out of instances' : '',
      ].filter(Boolean);
      const jobsPerSec = r.instancesPerSec.median * CAMUNDA_SHAPES[r.shape].jobsPerInstance;
      return `| ${r.shape} | ${fmtStat(r.instancesPerSec)} | ${fmt(jobsPerSec)} | ${fmt(r.cores.baton)} | ${fmt(r.cores.bench)} | ${fmt(r.machineBusyCores)} | ${fmt(r.perBatonCore)} | ${fmt(r.perMachineCore)} | ${camunda(r.shape)} | ${notes.join('; ')} |`;
    }),
    '',
  ];
}

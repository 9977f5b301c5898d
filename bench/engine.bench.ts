/**
 * `npm run bench:engine` (add `-- --quick` for a ~15 s run).
 *
 * Baton's pure engine (no I/O) against bpmn-engine on the same reference processes,
 * in one run, on the same machine: completed instances per second on R1 and R2.
 *
 * - bpmn-engine runs its own dialect of the same graphs (bench/processes/bpmn-engine/),
 *   parsed and serialized ONCE by bpmn-engine itself and then reused as `sourceContext` (its
 *   documented way to skip parsing), with a no-op logger and no listener. Several configurations are
 *   measured (Engine API per instance, bpmn-elements `Definition` per instance, sequential and
 *   concurrent); the best median is the one Baton is compared with.
 * - Baton runs the Camunda 8 (zeebe) files in bench/processes/: `compileBpmn` once, then per
 *   instance `createInstance` + `execute` to rest.
 *
 * Every instance is checked (it reached the end event / status COMPLETED and produced the
 * expected variables); an instance that does not complete aborts the bench with an error.
 *
 * Output: a Markdown table, a JSON file in bench/results/, and as the LAST line
 * `bench:engine R1 <ratio>x R2 <ratio>x` (Baton median / best bpmn-engine median).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';

import { Engine, JavaScripts } from 'bpmn-engine';
import * as Elements from 'bpmn-elements';
import type { SerializableContext } from 'moddle-context-serializer';

import type {
  CompiledProcess,
  Effect,
  EngineEnv,
  EngineEvent,
  InstanceState,
  StepResult,
  Variables,
} from '../libs/engine/src';

// ---------------------------------------------------------------------------
// Settings
// ---------------------------------------------------------------------------

const QUICK = process.argv.includes('--quick');

interface RoundPlan {
  readonly warmupMs: number;
  readonly rounds: number;
  readonly roundMs: number;
}

const PLAN: { baton: RoundPlan; bpmnEngine: RoundPlan } = QUICK
  ? {
      baton: { warmupMs: 300, rounds: 5, roundMs: 350 },
      bpmnEngine: { warmupMs: 200, rounds: 3, roundMs: 300 },
    }
  : {
      baton: { warmupMs: 1000, rounds: 5, roundMs: 1500 },
      bpmnEngine: { warmupMs: 500, rounds: 3, roundMs: 1000 },
    };

/** Instances in flight for the "concurrent" bpmn-engine configurations. */
const CONCURRENCY = 16;
/** A round that has not finished this long after its deadline is declared hung. */
const HANG_TIMEOUT_MS = 15_000;

const BENCH_DIR = __dirname;
const RESULTS_DIR = path.join(BENCH_DIR, 'results');

interface ReferenceProcess {
  readonly key: 'R1' | 'R2';
  readonly processId: string;
  /** Camunda 8 (zeebe) model, run by Baton. */
  readonly zeebeFile: string;
  /** The same graph in bpmn-engine's dialect. */
  readonly bpmnEngineFile: string;
  readonly variables: Variables;
  /** Variables the instance must have produced when it ends. */
  readonly expected: Readonly<Record<string, unknown>>;
  readonly endEventId: string;
}

const PROCESSES: readonly ReferenceProcess[] = [
  {
    key: 'R1',
    processId: 'R1',
    zeebeFile: 'processes/r1-exclusive-script.bpmn',
    bpmnEngineFile: 'processes/bpmn-engine/r1-exclusive-script.bpmn',
    variables: { amount: 150 },
    expected: { result: 300 },
    endEventId: 'EndEvent_1',
  },
  {
    key: 'R2',
    processId: 'R2',
    zeebeFile: 'processes/r2-parallel-scripts.bpmn',
    bpmnEngineFile: 'processes/bpmn-engine/r2-parallel-scripts.bpmn',
    variables: {},
    expected: { a: 1, b: 2, c: 3 },
    endEventId: 'EndEvent_1',
  },
];

// ---------------------------------------------------------------------------
// Measurement
// ---------------------------------------------------------------------------

class BenchError extends Error {}

interface Measurement {
  readonly engine: 'baton' | 'bpmn-engine';
  readonly config: string;
  readonly description: string;
  /** false: shown for reference, not eligible as "bpmn-engine best". */
  readonly inRatio: boolean;
  readonly medianPerSec: number;
  readonly minPerSec: number;
  readonly maxPerSec: number;
  readonly roundsPerSec: number[];
  readonly instances: number;
  readonly warmupInstances: number;
  /** heapUsed after a forced gc once the rounds are over (null without --expose-gc). */
  readonly heapAfterGcMB: number | null;
  /** heapUsed right before that gc: garbage still around at the end of the last round. */
  readonly heapBeforeGcMB: number;
}

/**
 * Runs instances until `deadline` (performance.now() ms) and returns how many completed.
 * A runner throws (or rejects) if an instance did not complete.
 */
type Runner = (deadline: number) => number | Promise<number>;

const gc: (() => void) | undefined = (globalThis as { gc?: () => void }).gc;

/** Full collection; the turn in between lets V8 finish weak callbacks (vm contexts, finalizers). */
async function collectGarbage(): Promise<void> {
  if (!gc) return;
  gc();
  await new Promise((resolve) => setImmediate(resolve));
  gc();
}

/**
 * heapUsed after full collections, repeated (up to 5) until it stops shrinking: vm contexts and
 * other weakly held objects can take more than one cycle to go. null without --expose-gc.
 */
async function settledHeapUsed(): Promise<number | null> {
  if (!gc) return null;
  let heap = Infinity;
  for (let i = 0; i < 5; i++) {
    await collectGarbage();
    const now = process.memoryUsage().heapUsed;
    if (now > heap * 0.99) return Math.min(now, heap);
    heap = now;
  }
  return heap;
}

function mb(bytes: number): number {
  return Math.round((bytes / 1024 / 1024) * 10) / 10;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function withHangGuard<T>(work: T | Promise<T>, label: string): Promise<T> {
  if (!(work instanceof Promise)) return work;
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new BenchError(`${label}: instances did not complete (hung round)`)),
      HANG_TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([work, hang]);
  } finally {
    clearTimeout(timer);
  }
}

async function measure(
  meta: Pick<Measurement, 'engine' | 'config' | 'description' | 'inRatio'>,
  plan: RoundPlan,
  run: Runner,
): Promise<Measurement> {
  const label = `${meta.engine} ${meta.config}`;
  await collectGarbage();
  const warmupInstances = await withHangGuard(run(performance.now() + plan.warmupMs), label);
  const roundsPerSec: number[] = [];
  let instances = 0;
  for (let r = 0; r < plan.rounds; r++) {
    await collectGarbage();
    const start = performance.now();
    const completed = await withHangGuard(run(start + plan.roundMs), label);
    const elapsed = performance.now() - start;
    if (completed <= 0) throw new BenchError(`${label}: no instance completed in a round`);
    roundsPerSec.push((completed * 1000) / elapsed);
    instances += completed;
  }
  const heapBeforeGc = process.memoryUsage().heapUsed;
  const heapAfterGc = await settledHeapUsed();
  const result: Measurement = {
    ...meta,
    medianPerSec: median(roundsPerSec),
    minPerSec: Math.min(...roundsPerSec),
    maxPerSec: Math.max(...roundsPerSec),
    roundsPerSec,
    instances,
    warmupInstances,
    heapAfterGcMB: heapAfterGc === null ? null : mb(heapAfterGc),
    heapBeforeGcMB: mb(heapBeforeGc),
  };
  process.stderr.write(
    `  ${label.padEnd(38)} median ${fmtRate(result.medianPerSec).padStart(10)} inst/s` +
      ` (min ${fmtRate(result.minPerSec)}, max ${fmtRate(result.maxPerSec)}, n=${instances})\n`,
  );
  return result;
}

function checkExpected(
  label: string,
  variables: Readonly<Record<string, unknown>> | undefined,
  expected: Readonly<Record<string, unknown>>,
): void {
  for (const name in expected) {
    if (variables?.[name] !== expected[name]) {
      throw new BenchError(
        `${label}: instance ended without ${name} = ${JSON.stringify(expected[name])} ` +
          `(got ${JSON.stringify(variables?.[name])})`,
      );
    }
  }
}

// ---------------------------------------------------------------------------
// bpmn-engine
// ---------------------------------------------------------------------------

const noop = (): void => {};
/** bpmn-engine's default Logger is `debug`; even disabled it costs a call per log line. */
const NoopLogger = () => ({ debug: noop, error: noop, warn: noop });

/**
 * Parse + serialize once, with bpmn-engine's own pipeline (its bpmn-moddle, its type resolver):
 * a throw-away Engine loads the XML, and the serialized context it built is kept. That is the
 * `sourceContext` bpmn-engine documents for `new Engine({ sourceContext })` / `addSource()`;
 * passing it skips the XML parse and the serialization that `new Engine({ source })` repeats
 * for every engine.
 */
async function loadSourceContext(file: string): Promise<SerializableContext> {
  const source = fs.readFileSync(path.join(BENCH_DIR, file), 'utf8');
  const [definition] = await new Engine({ source, Logger: NoopLogger }).getDefinitions();
  if (!definition) throw new BenchError(`${file}: bpmn-engine loaded no definition`);
  return definition.context.definitionContext;
}

/**
 * A script handler that compiles each script once into a plain function in the main realm
 * (no vm context per execution). NOT bpmn-engine's default: it drops the vm sandbox, so it is
 * measured for reference only and never used for the ratio.
 */
class PrecompiledScripts {
  private static readonly cache = new Map<string, (...args: unknown[]) => unknown>();
  private readonly scripts = new Map<string, Elements.Script>();

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  register(activity: any): Elements.Script | undefined {
    const { id, type, behaviour } = activity;
    const source: { language?: string; body?: string } =
      type === 'bpmn:SequenceFlow'
        ? {
            language: behaviour.conditionExpression?.language,
            body: behaviour.conditionExpression?.body,
          }
        : { language: behaviour.scriptFormat, body: behaviour.script };
    if (!source.language || !source.body || !/^(javascript|js)$/i.test(source.language)) return;
    const key = `${type}/${id}\n${source.body}`;
    let fn = PrecompiledScripts.cache.get(key);
    if (!fn) {
      fn = vm.compileFunction(
        source.body,
        ['environment', 'next', 'content', 'fields', 'properties'],
        {
          filename: `${type}/${id}`,
        },
      ) as (...args: unknown[]) => unknown;
      PrecompiledScripts.cache.set(key, fn);
    }
    const compiled = fn;
    const script: Elements.Script = {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      execute(scope: any, next: CallableFunction) {
        compiled(scope.environment, next, scope.content, scope.fields, scope.properties);
      },
    };
    this.scripts.set(id, script);
    return script;
  }

  getScript(_language: string, { id }: { id: string }): Elements.Script {
    return this.scripts.get(id) as Elements.Script;
  }
}

type BpmnEngineApi = 'engine' | 'elements';

/**
 * One bpmn-engine instance of `ref`, calling `done(err)` when it ended. Completion is verified
 * on the end event's counter and on the process output.
 */
function bpmnEngineInstance(
  api: BpmnEngineApi,
  sourceContext: SerializableContext,
  ref: ReferenceProcess,
  scripts: 'default' | 'precompiled',
  done: (err: Error | null) => void,
): void {
  const label = `bpmn-engine ${ref.key}`;
  const endTakenOf = (activity: unknown): number | undefined =>
    (activity as { counters?: { taken?: number } } | null)?.counters?.taken;
  const verify = (endTaken: number | undefined, output: Record<string, unknown>): Error | null => {
    if (endTaken !== 1) {
      return new BenchError(
        `${label}: end event ${ref.endEventId} taken ${endTaken} times, expected 1`,
      );
    }
    try {
      checkExpected(label, output, ref.expected);
    } catch (err) {
      return err as Error;
    }
    return null;
  };

  if (api === 'engine') {
    // The public Engine API: one Engine per instance (an Engine runs one execution at a time),
    // fed the pre-serialized sourceContext so that nothing is parsed again.
    const engine = new Engine({ name: ref.key, sourceContext, Logger: NoopLogger });
    engine
      .execute({ variables: { ...ref.variables } }, (err, execution) => {
        if (err) return done(err);
        if (!execution) return done(new BenchError(`${label}: no execution`));
        const end = execution.getActivityById(ref.endEventId);
        done(verify(endTakenOf(end), execution.environment.output));
      })
      .catch(done);
    return;
  }

  // bpmn-elements directly (bpmn-engine's execution core, minus the Engine wrapper that
  // re-publishes every element event on its own broker): a fresh Definition from the shared
  // serialized context, with bpmn-engine's JavaScripts (vm) script handler.
  const environment = new Elements.Environment({
    Logger: NoopLogger,
    scripts: scripts === 'default' ? new JavaScripts() : new PrecompiledScripts(),
    variables: { ...ref.variables },
  });
  const definition = new Elements.Definition(Elements.Context(sourceContext, environment));
  definition.run((err: Error | null) => {
    if (err) return done(err);
    const end = definition.getActivityById(ref.endEventId);
    done(verify(endTakenOf(end), definition.environment.output));
  });
}

function bpmnEngineRunner(
  api: BpmnEngineApi,
  sourceContext: SerializableContext,
  ref: ReferenceProcess,
  concurrency: number,
  scripts: 'default' | 'precompiled',
): Runner {
  const once = () =>
    new Promise<void>((resolve, reject) =>
      bpmnEngineInstance(api, sourceContext, ref, scripts, (err) =>
        err ? reject(err) : resolve(),
      ),
    );
  return async (deadline) => {
    let completed = 0;
    const lane = async () => {
      while (performance.now() < deadline) {
        await once();
        completed++;
      }
    };
    await Promise.all(Array.from({ length: concurrency }, lane));
    return completed;
  };
}

async function benchBpmnEngine(ref: ReferenceProcess): Promise<Measurement[]> {
  const sourceContext = await loadSourceContext(ref.bpmnEngineFile);
  const plan = PLAN.bpmnEngine;
  const results: Measurement[] = [];
  const configs: Array<{
    config: string;
    description: string;
    api: BpmnEngineApi;
    concurrency: number;
    scripts: 'default' | 'precompiled';
    inRatio: boolean;
  }> = [
    {
      config: 'Engine API, sequential',
      description:
        'new Engine({ sourceContext, Logger: noop }).execute({ variables }, cb) per instance, one at a time',
      api: 'engine',
      concurrency: 1,
      scripts: 'default',
      inRatio: true,
    },
    {
      config: `Engine API, ${CONCURRENCY} concurrent`,
      description: `as above with ${CONCURRENCY} instances in flight`,
      api: 'engine',
      concurrency: CONCURRENCY,
      scripts: 'default',
      inRatio: true,
    },
    {
      config: 'Definition, sequential',
      description:
        'new Definition(Context(sourceContext, new Environment({ Logger: noop, scripts: new JavaScripts(), variables }))).run(cb) per instance',
      api: 'elements',
      concurrency: 1,
      scripts: 'default',
      inRatio: true,
    },
    {
      config: `Definition, ${CONCURRENCY} concurrent`,
      description: `as above with ${CONCURRENCY} instances in flight`,
      api: 'elements',
      concurrency: CONCURRENCY,
      scripts: 'default',
      inRatio: true,
    },
    {
      config: 'Definition, precompiled scripts (ref.)',
      description:
        'Definition path with a custom script handler compiling each script once (no vm sandbox); reference only, not in the ratio',
      api: 'elements',
      concurrency: 1,
      scripts: 'precompiled',
      inRatio: false,
    },
  ];
  for (const c of configs) {
    results.push(
      await measure(
        { engine: 'bpmn-engine', config: c.config, description: c.description, inRatio: c.inRatio },
        plan,
        bpmnEngineRunner(c.api, sourceContext, ref, c.concurrency, c.scripts),
      ),
    );
  }
  return results;
}

// ---------------------------------------------------------------------------
// Baton
// ---------------------------------------------------------------------------

type CompileResult =
  { ok: true; definitions: { processes: CompiledProcess[] } } | { ok: false; errors: unknown };

/** The slice of `libs/engine/src` this bench uses. */
interface BatonEngineApi {
  compileBpmn(xml: string): CompileResult | Promise<CompileResult>;
  createInstance(
    process: CompiledProcess,
    init: { instanceId: string; variables?: Variables },
    env: EngineEnv,
  ): StepResult;
  execute(
    process: CompiledProcess,
    state: InstanceState,
    events: EngineEvent[],
    env: EngineEnv,
  ): StepResult;
}

async function loadBaton(): Promise<{ api: BatonEngineApi } | { unavailable: string }> {
  // A variable specifier keeps the type checker from requiring these exports before they exist.
  const specifier = '../libs/engine/src';
  let mod: Partial<BatonEngineApi>;
  try {
    mod = (await import(specifier)) as Partial<BatonEngineApi>;
  } catch (err) {
    return { unavailable: `import failed: ${(err as Error).message.split('\n')[0]}` };
  }
  const missing = (['compileBpmn', 'createInstance', 'execute'] as const).filter(
    (name) => typeof mod[name] !== 'function',
  );
  if (missing.length) return { unavailable: `not exported yet: ${missing.join(', ')}` };
  return { api: mod as BatonEngineApi };
}

function checkBatonInstance(
  ref: ReferenceProcess,
  state: InstanceState,
  effectLists: readonly Effect[][],
): void {
  const label = `Baton ${ref.key}`;
  if (state.status !== 'COMPLETED') {
    throw new BenchError(
      `${label}: instance ${state.instanceId} is ${state.status}, expected COMPLETED`,
    );
  }
  let ended: Extract<Effect, { type: 'instanceEnded' }> | undefined;
  let histories = 0;
  let endCompleted = 0;
  for (const effects of effectLists) {
    for (const effect of effects) {
      if (effect.type === 'instanceEnded') ended = effect;
      else if (effect.type === 'history') {
        histories++;
        if (effect.historyType === 'ELEMENT_COMPLETED' && effect.elementId === ref.endEventId)
          endCompleted++;
      }
    }
  }
  if (!ended || ended.status !== 'COMPLETED') {
    throw new BenchError(`${label}: no instanceEnded(COMPLETED) effect`);
  }
  // If the engine reports element history, the end event must have completed exactly once.
  if (histories > 0 && endCompleted !== 1) {
    throw new BenchError(
      `${label}: end event ${ref.endEventId} completed ${endCompleted} times, expected 1`,
    );
  }
  checkExpected(label, ended.variables, ref.expected);
}

async function benchBaton(api: BatonEngineApi, ref: ReferenceProcess): Promise<Measurement> {
  const xml = fs.readFileSync(path.join(BENCH_DIR, ref.zeebeFile), 'utf8');
  const compiled = await api.compileBpmn(xml);
  if (!compiled.ok) {
    throw new BenchError(
      `Baton ${ref.key}: compileBpmn failed: ${JSON.stringify(compiled.errors)}`,
    );
  }
  const compiledProcess = compiled.definitions.processes.find((p) => p.id === ref.processId);
  if (!compiledProcess)
    throw new BenchError(`Baton ${ref.key}: process ${ref.processId} not compiled`);

  const t = Date.now();
  let n = 0;
  const env: EngineEnv = { now: () => t, newId: () => String(++n) };
  let seq = 0;

  const runner: Runner = (deadline) => {
    let completed = 0;
    for (;;) {
      // Check the clock every 16 instances: a clock read per instance would show in the result.
      for (let i = 0; i < 16; i++) {
        const created = api.createInstance(
          compiledProcess,
          { instanceId: `i${++seq}`, variables: { ...ref.variables } },
          env,
        );
        const { state, effects } = api.execute(compiledProcess, created.state, [], env);
        checkBatonInstance(ref, state, [created.effects, effects]);
      }
      completed += 16;
      if (performance.now() >= deadline) return completed;
    }
  };

  return measure(
    {
      engine: 'baton',
      config: 'createInstance + execute',
      description:
        'compileBpmn once; per instance createInstance(...) then execute(process, state, [], env) to rest',
      inRatio: true,
    },
    PLAN.baton,
    runner,
  );
}

// ---------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------

function fmtRate(perSec: number): string {
  return perSec >= 100 ? Math.round(perSec).toLocaleString('en-US') : perSec.toFixed(1);
}

interface ProcessResult {
  readonly key: string;
  readonly baton: Measurement | null;
  readonly batonError: string | null;
  readonly bpmnEngine: Measurement[];
  readonly bpmnEngineBest: Measurement;
  /** Baton median / best bpmn-engine median; null when Baton did not run. */
  readonly ratio: number | null;
}

function markdown(results: ProcessResult[], batonNote: string | null): string {
  const lines: string[] = [];
  lines.push(
    `### bench:engine${QUICK ? ' (--quick)' : ''}: node ${process.version}, ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}`,
    '',
    '| process | engine | configuration | median inst/s | min | max | instances | heap after gc (MB) |',
    '| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const r of results) {
    const rows = [...(r.baton ? [r.baton] : []), ...r.bpmnEngine];
    for (const m of rows) {
      const best = m === r.bpmnEngineBest ? ' **(best)**' : '';
      lines.push(
        `| ${r.key} | ${m.engine} | ${m.config}${best} | ${fmtRate(m.medianPerSec)} | ${fmtRate(m.minPerSec)} | ` +
          `${fmtRate(m.maxPerSec)} | ${m.instances.toLocaleString('en-US')} | ${m.heapAfterGcMB ?? 'n/a'} |`,
      );
    }
    if (!r.baton)
      lines.push(`| ${r.key} | baton | ${r.batonError ?? batonNote ?? 'not run'} | | | | | |`);
  }
  lines.push(
    '',
    '| process | Baton median | bpmn-engine best median | ratio |',
    '| --- | ---: | ---: | ---: |',
  );
  for (const r of results) {
    lines.push(
      `| ${r.key} | ${r.baton ? fmtRate(r.baton.medianPerSec) : 'n/a'} | ${fmtRate(r.bpmnEngineBest.medianPerSec)} | ` +
        `${r.ratio === null ? 'n/a' : `${r.ratio.toFixed(1)}x`} |`,
    );
  }
  return lines.join('\n');
}

function summaryLine(results: ProcessResult[]): string {
  return (
    'bench:engine ' +
    results
      .map(
        (r) =>
          `${r.key} ${r.ratio !== null ? `${r.ratio.toFixed(1)}x` : r.batonError ? 'error' : 'n/a'}`,
      )
      .join(' ')
  );
}

function writeJson(results: ProcessResult[], batonNote: string | null, line: string): string {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const timestamp = new Date().toISOString();
  const file = path.join(RESULTS_DIR, `engine-${timestamp.replace(/[:.]/g, '-')}.json`);
  const cpus = os.cpus();
  const doc = {
    bench: 'engine',
    timestamp,
    quick: QUICK,
    plan: PLAN,
    concurrency: CONCURRENCY,
    machine: {
      node: process.version,
      platform: `${os.platform()} ${os.release()} ${os.arch()}`,
      cpus: cpus.length,
      cpuModel: cpus[0]?.model ?? null,
      totalMemMB: mb(os.totalmem()),
      exposeGc: Boolean(gc),
    },
    batonAvailable: batonNote === null,
    batonNote,
    processes: Object.fromEntries(
      results.map((r) => [
        r.key,
        {
          ratio: r.ratio,
          baton: r.baton,
          batonError: r.batonError,
          bpmnEngineBest: r.bpmnEngineBest.config,
          bpmnEngine: r.bpmnEngine,
        },
      ]),
    ),
    summary: line,
  };
  fs.writeFileSync(file, JSON.stringify(doc, null, 2) + '\n');
  return file;
}

// ---------------------------------------------------------------------------

async function main(): Promise<number> {
  if (!gc) process.stderr.write('note: run with node --expose-gc to get heap-after-gc figures\n');
  const baton = await loadBaton();
  const batonNote = 'unavailable' in baton ? baton.unavailable : null;
  if (batonNote) console.log(`Baton engine not available yet (${batonNote})`);

  const results: ProcessResult[] = [];
  let failed = false;
  for (const ref of PROCESSES) {
    process.stderr.write(`${ref.key}:\n`);
    let batonResult: Measurement | null = null;
    let batonError: string | null = null;
    if ('api' in baton) {
      try {
        batonResult = await benchBaton(baton.api, ref);
      } catch (err) {
        batonError = (err as Error).message;
        failed = true;
        console.error(`ERROR ${batonError}`);
      }
    }
    const bpmnEngine = await benchBpmnEngine(ref);
    const eligible = bpmnEngine.filter((m) => m.inRatio);
    const best = eligible.reduce((a, b) => (b.medianPerSec > a.medianPerSec ? b : a));
    results.push({
      key: ref.key,
      baton: batonResult,
      batonError,
      bpmnEngine,
      bpmnEngineBest: best,
      ratio: batonResult ? batonResult.medianPerSec / best.medianPerSec : null,
    });
  }

  const line = summaryLine(results);
  console.log('');
  console.log(markdown(results, batonNote));
  console.log('');
  console.log(`results: ${path.relative(process.cwd(), writeJson(results, batonNote, line))}`);
  console.log(line);
  return failed ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err instanceof BenchError ? `ERROR ${err.message}` : err);
    console.log('bench:engine R1 error R2 error');
    process.exitCode = 1;
  },
);

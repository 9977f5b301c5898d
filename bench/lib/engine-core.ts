import { readFileSync } from 'node:fs';
import path from 'node:path';
import { BenchChild, ROOT } from './children';
import type { Stat } from './stats';

export interface EngineProcessFigures {
  readonly baton: Stat | null;
  /** The best bpmn-engine configuration (by median) and its figures. */
  readonly bpmnEngineBest: Stat & { config: string };
  readonly ratio: number | null;
}

export interface EngineFigures {
  /** `bench:engine R1 <x>x R2 <y>x`, as that script printed it. */
  readonly line: string;
  readonly R1: EngineProcessFigures | null;
  readonly R2: EngineProcessFigures | null;
  readonly resultsFile: string | null;
  readonly seconds: number;
}

interface EngineMeasurement {
  config: string;
  medianPerSec: number;
  minPerSec: number;
  maxPerSec: number;
  roundsPerSec: number[];
}

interface EngineJson {
  processes: Record<
    string,
    {
      ratio: number | null;
      baton: EngineMeasurement | null;
      bpmnEngineBest: string;
      bpmnEngine: EngineMeasurement[];
    }
  >;
}

const toStat = (m: EngineMeasurement): Stat => ({
  median: m.medianPerSec,
  min: m.minPerSec,
  max: m.maxPerSec,
  n: m.roundsPerSec.length,
  unit: 'instances/s',
});

/**
 * `npm run bench:engine` as it is (bench/engine.bench.ts, in its own process
 * so that nothing else shares its heap or its core), read back from its last
 * line and its JSON file.
 */
export async function measureEngine(quick: boolean): Promise<EngineFigures> {
  const t0 = performance.now();
  const child = new BenchChild(
    'bench:engine',
    ['--expose-gc', '--import', 'tsx', 'bench/engine.bench.ts', ...(quick ? ['--quick'] : [])],
    {},
  );
  const exit = await child.exited;
  const lines = child.text.split('\n');
  const line =
    [...lines].reverse().find((l) => l.startsWith('bench:engine ')) ??
    'bench:engine R1 error R2 error';
  const resultsLine = lines.find((l) => l.startsWith('results: '));
  const resultsFile = resultsLine
    ? path.resolve(ROOT, resultsLine.slice('results: '.length).trim())
    : null;
  if (exit.code !== 0 && resultsFile === null) {
    throw new Error(`bench:engine exited ${JSON.stringify(exit)}:\n${child.text}`);
  }
  let R1: EngineProcessFigures | null = null;
  let R2: EngineProcessFigures | null = null;
  if (resultsFile) {
    const json = JSON.parse(readFileSync(resultsFile, 'utf8')) as EngineJson;
    const figures = (key: string): EngineProcessFigures | null => {
      const p = json.processes[key];
      if (!p) return null;
      const best = p.bpmnEngine.find((m) => m.config === p.bpmnEngineBest) ?? p.bpmnEngine[0];
      return {
        baton: p.baton ? toStat(p.baton) : null,
        bpmnEngineBest: { ...toStat(best), config: best.config },
        ratio: p.ratio,
      };
    };
    R1 = figures('R1');
    R2 = figures('R2');
  }
  return {
    line,
    R1,
    R2,
    resultsFile: resultsFile && path.relative(ROOT, resultsFile),
    seconds: (performance.now() - t0) / 1000,
  };
}

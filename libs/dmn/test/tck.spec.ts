import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { folders, LEVELS, runFolder, type CaseResult } from './tck/tck-runner';

/**
 * The DMN TCK (dmn-tck/tck, compliance levels 2 and 3; see tck/README.md)
 * run against libs/dmn. tck/baseline.txt lists every test case (tab-separated
 * lines): `pass <id>` must keep passing, `fail <id> <reason>` is a known
 * failure. A case that
 * is not listed fails the suite too, so nothing is skipped silently.
 *
 * After a change that makes more cases pass, rewrite the baseline with
 *   UPDATE_TCK_BASELINE=1 npx jest libs/dmn/test/tck.spec.ts
 * and review its diff: lines may only move from `fail` to `pass`.
 */

const BASELINE = join(__dirname, 'tck', 'baseline.txt');

interface Baseline {
  readonly passing: ReadonlySet<string>;
  readonly failing: ReadonlyMap<string, string>;
}

function readBaseline(): Baseline {
  const passing = new Set<string>();
  const failing = new Map<string, string>();
  if (!existsSync(BASELINE)) return { passing, failing };
  for (const line of readFileSync(BASELINE, 'utf8').split('\n')) {
    const match = /^(pass|fail)\t([^\t]+)(?:\t(.*))?$/.exec(line);
    if (match === null) continue;
    if (match[1] === 'pass') passing.add(match[2]);
    else failing.set(match[2], match[3] ?? '');
  }
  return { passing, failing };
}

function writeBaseline(results: readonly CaseResult[]): void {
  const lines = [
    '# DMN TCK baseline for libs/dmn, tab-separated: `pass <case>` must keep passing; `fail <case> <reason>` is a known failure.',
    '# Regenerate with UPDATE_TCK_BASELINE=1 npx jest libs/dmn/test/tck.spec.ts (see tck.spec.ts).',
    ...results.map((r) =>
      r.passed
        ? `pass\t${r.id}`
        : `fail\t${r.id}\t${(r.reason ?? '').replace(/\s+/g, ' ').slice(0, 200)}`,
    ),
  ];
  writeFileSync(BASELINE, `${lines.join('\n')}\n`);
}

describe('DMN TCK', () => {
  const results: CaseResult[] = [];

  beforeAll(async () => {
    for (const level of LEVELS) {
      for (const folder of folders(level)) results.push(...(await runFolder(level, folder)));
    }
    if (process.env.UPDATE_TCK_BASELINE === '1') writeBaseline(results);
    const lines = LEVELS.map((level) => {
      const mine = results.filter((r) => r.id.startsWith(`${level}/`));
      const passed = mine.filter((r) => r.passed).length;
      const models = new Set(mine.map((r) => r.id.split('/')[1]));
      const clean = [...models].filter((m) =>
        mine.filter((r) => r.id.split('/')[1] === m).every((r) => r.passed),
      ).length;
      return `${level}: ${passed}/${mine.length} test cases (${((100 * passed) / mine.length).toFixed(1)}%), ${clean}/${models.size} models fully passing`;
    });
    console.log(`DMN TCK\n${lines.join('\n')}`);
  }, 300_000);

  it('runs test cases of both levels', () => {
    for (const level of LEVELS) {
      expect(results.filter((r) => r.id.startsWith(`${level}/`)).length).toBeGreaterThan(100);
    }
  });

  it('every case in the baseline as passing still passes', () => {
    const { passing } = readBaseline();
    const regressed = results
      .filter((r) => passing.has(r.id) && !r.passed)
      .map((r) => `${r.id}: ${r.reason}`);
    expect(regressed).toEqual([]);
    expect(passing.size).toBeGreaterThan(0);
  });

  it('every case run is in the baseline, and every case in the baseline is run', () => {
    const { passing, failing } = readBaseline();
    const run = new Set(results.map((r) => r.id));
    const unlisted = results
      .filter((r) => !passing.has(r.id) && !failing.has(r.id))
      .map((r) => r.id);
    const missing = [...passing, ...failing.keys()].filter((id) => !run.has(id));
    expect({ unlisted, missing }).toEqual({ unlisted: [], missing: [] });
  });
});

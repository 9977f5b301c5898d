/**
 * `npm run bench:dmn` (add `--quick` for a ~10 s run).
 *
 * Decision-table evaluations per second with libs/dmn: a generated table of
 * 100 rules over 3 inputs (a number range, a string list, a boolean),
 * compiled once, evaluated with hit policies FIRST and COLLECT SUM, for
 * inputs that match only the last rule (every rule is tested) and inputs
 * that match no rule. Each evaluation includes the audit (evaluated inputs,
 * matched rules). Each figure is the median of several timed rounds after a
 * warm-up. Printed as a Markdown table.
 */
import { compileDmn, evaluateDecision, type CompiledDrg, type DmnEnv } from '../libs/dmn/src';

const QUICK = process.argv.includes('--quick');
const WARMUP_MS = QUICK ? 200 : 500;
const ROUNDS = QUICK ? 3 : 5;
const ROUND_MS = QUICK ? 300 : 1000;
const RULES = 100;

const ENV: DmnEnv = { now: () => 0 };

/** Rule i matches amounts [10i .. 10i+9], one of four regions, and members or not. */
function table(hitPolicy: string, aggregation?: string): string {
  const regions = ['"north"', '"south"', '"east"', '"west"'];
  const rules = Array.from({ length: RULES }, (_, i) => {
    const entries = [
      `[${i * 10}..${i * 10 + 9}]`,
      `${regions[i % 4]}, ${regions[(i + 1) % 4]}`,
      i % 2 === 0 ? 'true' : 'false',
    ];
    return `<rule id="r${i + 1}">${entries
      .map((e, j) => `<inputEntry id="r${i + 1}i${j}"><text>${e}</text></inputEntry>`)
      .join('')}<outputEntry id="r${i + 1}o"><text>${i + 1}</text></outputEntry></rule>`;
  }).join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="bench" name="bench" namespace="http://baton/bench">
  <decision id="d" name="d">
    <decisionTable id="t" hitPolicy="${hitPolicy}"${aggregation ? ` aggregation="${aggregation}"` : ''}>
      <input id="amount" label="Amount"><inputExpression id="e1" typeRef="number"><text>amount</text></inputExpression></input>
      <input id="region" label="Region"><inputExpression id="e2" typeRef="string"><text>region</text></inputExpression></input>
      <input id="member" label="Member"><inputExpression id="e3" typeRef="boolean"><text>member</text></inputExpression></input>
      <output id="o" name="score" typeRef="number"/>
${rules}
    </decisionTable>
  </decision>
</definitions>`;
}

async function compile(xml: string): Promise<CompiledDrg> {
  const result = await compileDmn(xml);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.definitions;
}

/** Runs `fn` for `ms` milliseconds and returns calls per second. */
function rate(ms: number, fn: () => unknown): number {
  let calls = 0;
  let sink = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(ms) * 1_000_000n;
  let now = start;
  while (now < deadline) {
    for (let k = 0; k < 100; k++, calls++) if (fn() === undefined) sink++;
    now = process.hrtime.bigint();
  }
  if (sink < 0) console.log(sink);
  return calls / (Number(now - start) / 1e9);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function main(): Promise<void> {
  const lastRule = { amount: (RULES - 1) * 10 + 5, region: 'west', member: false };
  const noRule = { amount: -1, region: 'nowhere', member: true };
  const cases: Array<[string, string, string | undefined, Record<string, unknown>, unknown]> = [
    ['FIRST', 'FIRST', undefined, lastRule, 100],
    ['FIRST', 'FIRST', undefined, noRule, null],
    ['COLLECT SUM', 'COLLECT', 'SUM', lastRule, 100],
    ['COLLECT SUM', 'COLLECT', 'SUM', noRule, null],
  ];
  const rows: string[] = [];
  for (const [label, hitPolicy, aggregation, variables, expected] of cases) {
    const drg = await compile(table(hitPolicy, aggregation));
    const check = evaluateDecision(drg, 'd', variables, ENV);
    if (!check.ok || check.output !== expected) {
      throw new Error(`${label}: expected ${String(expected)}, got ${JSON.stringify(check)}`);
    }
    const run = (): unknown => evaluateDecision(drg, 'd', variables, ENV);
    rate(WARMUP_MS, run);
    const perSecond = median(Array.from({ length: ROUNDS }, () => rate(ROUND_MS, run)));
    const matched = variables === lastRule ? 'the last rule' : 'no rule';
    rows.push(
      `| ${label} | ${matched} | ${Math.round(perSecond).toLocaleString('en-US')} | ${(1e6 / perSecond).toFixed(1)} |`,
    );
  }
  console.log(
    `\nDMN decision table, ${RULES} rules x 3 inputs (median of ${ROUNDS} rounds of ${ROUND_MS} ms)\n`,
  );
  console.log('| hit policy | inputs match | evaluations/s | µs/evaluation |');
  console.log('| --- | --- | ---: | ---: |');
  for (const row of rows) console.log(row);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});

/**
 * `npx tsx bench/feel.bench.ts` (add `--quick` for a ~5 s run).
 *
 * FEEL evaluations per second: Baton's compiled expressions (parsed once,
 * evaluated against a context holding only their variables, under the
 * default limits, with the engine's clock as the environment) against feelin's
 * public `evaluate()`, which parses the expression and converts the context
 * on every call, given either the same narrow context or a whole
 * instance-like one. Each figure is the median of several timed rounds after
 * a warm-up.
 */
import { evaluate } from 'feelin';

import { compileExpression, type FeelEnv } from '../libs/engine/src/feel';

/** feelin's dialect for Camunda 8 models (backtick names). */
const FEEL_DIALECT = 'camunda';

const QUICK = process.argv.includes('--quick');
const WARMUP_MS = QUICK ? 200 : 500;
const ROUNDS = QUICK ? 3 : 5;
const ROUND_MS = QUICK ? 300 : 1000;

type Variables = Record<string, unknown>;

/** Instance-like variables: the expression's own plus the usual clutter of a process. */
function contexts(): Variables[] {
  return Array.from({ length: 64 }, (_, i) => ({
    amount: i * 7,
    customer: { name: `c${i}`, vip: i % 3 === 0, address: { city: 'Berlin', zip: '10115' } },
    items: Array.from({ length: 5 }, (__, j) => ({ sku: `s${j}`, qty: j + 1, price: 10 + j })),
    status: i % 2 === 0 ? 'open' : 'closed',
    notes: 'x'.repeat(200),
  }));
}

/** Runs `fn` for `ms` milliseconds and returns calls per second. */
function rate(ms: number, fn: (i: number) => unknown): number {
  let calls = 0;
  let sink = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(ms) * 1_000_000n;
  let now = start;
  while (now < deadline) {
    for (let k = 0; k < 1000; k++, calls++) if (fn(calls) === true) sink++;
    now = process.hrtime.bigint();
  }
  if (sink < 0) console.log(sink);
  return calls / (Number(now - start) / 1e9);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function measure(fn: (i: number) => unknown): number {
  rate(WARMUP_MS, fn);
  return median(Array.from({ length: ROUNDS }, () => rate(ROUND_MS, fn)));
}

const expressions = [
  'amount > 100',
  'status = "open" and customer.vip',
  'if amount > 100 then "big" else "small"',
  'sum(for i in items return i.qty * i.price) > 100',
  'items[qty > 2].sku',
];

const all = contexts();
const env: FeelEnv = { now: () => 1_700_000_000_000 };
const rows: string[] = [];
const format = (n: number): string => Math.round(n).toLocaleString('en-US');
for (const source of expressions) {
  const compiled = compileExpression(source);
  // what the engine hands over: the expression's variables only
  const narrowed = all.map((context) =>
    Object.fromEntries(compiled.variables.map((name) => [name, context[name] ?? null])),
  );
  const compiledRate = measure((i) => compiled.evaluate(narrowed[i & 63], env));
  const feelinNarrowed = measure((i) => evaluate(source, narrowed[i & 63], FEEL_DIALECT).value);
  const feelinWhole = measure((i) => evaluate(source, all[i & 63], FEEL_DIALECT).value);
  rows.push(
    `| \`${source}\` | ${format(compiledRate)} | ${format(feelinNarrowed)} | ` +
      `${format(feelinWhole)} | ${(compiledRate / feelinNarrowed).toFixed(0)}x |`,
  );
}

console.log(
  '| expression | compiled evals/s | feelin evaluate(), its variables only | ' +
    'feelin evaluate(), whole instance context | compiled / feelin (same context) |',
);
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const row of rows) console.log(row);

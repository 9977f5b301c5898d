import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import {
  compileExpression,
  compileUnaryTests,
  FeelEvaluationError,
  FeelSyntaxError,
  FeelUnknownFunctionError,
} from '../../src/feel';

/**
 * feel-scala's own test expectations (its builtin and interpreter suites,
 * extracted to feel-scala/cases.json by feel-scala/extract.mjs; Apache-2.0,
 * see feel-scala/README.md), run against Baton's FEEL. Each case must give
 * feel-scala's answer, except the deliberate differences listed below.
 */

interface Case {
  readonly source: string;
  readonly kind: 'expression' | 'unaryTests';
  readonly expression: string;
  readonly input?: unknown;
  readonly variables?: Record<string, unknown>;
  readonly expected: { readonly value?: unknown; readonly error?: true };
}

type Outcome = { readonly value: unknown } | { readonly error: string };

const { origin, cases } = JSON.parse(
  readFileSync(join(__dirname, 'feel-scala', 'cases.json'), 'utf8'),
) as { origin: string; cases: Case[] };

/** Where Baton answers differently on purpose (docs/feel.md), with Baton's answer. */
const DELIBERATE: Readonly<
  Record<string, { readonly why: string; readonly check: (o: Outcome) => boolean }>
> = {
  // feel-scala: `null` and a NO_FUNCTION_FOUND warning at run time
  'InterpreterFunctionTest.scala:160': {
    why: 'a call of an unknown function is refused at deploy time',
    check: (o) => 'error' in o && o.error.startsWith('FeelUnknownFunctionError'),
  },
  'InterpreterFunctionTest.scala:170': {
    why: 'a call of an unknown function is refused at deploy time',
    check: (o) => 'error' in o && o.error.startsWith('FeelUnknownFunctionError'),
  },
  // feel-scala builds the list of a million and one items
  'InterpreterListExpressionTest.scala:516': {
    why: 'lists are bounded (FEEL_MAX_LIST_LENGTH, 100,000 items by default)',
    check: (o) => 'error' in o && o.error.includes('FEEL_MAX_LIST_LENGTH'),
  },
};

const env = { now: () => Date.UTC(2019, 7, 12, 14, 0, 0) };

function run(c: Case): Outcome {
  try {
    if (c.kind === 'expression') {
      return { value: compileExpression(c.expression).evaluate(c.variables ?? {}, env) };
    }
    return { value: compileUnaryTests(c.expression).test(c.input, c.variables ?? {}, env) };
  } catch (e) {
    if (e instanceof FeelUnknownFunctionError)
      return { error: `FeelUnknownFunctionError: ${e.message}` };
    if (e instanceof FeelSyntaxError || e instanceof FeelEvaluationError) {
      return { error: `${e.name}: ${e.message}` };
    }
    throw e;
  }
}

/** Numbers as equal as a double can tell (feel-scala computes with 34 digits, Baton stores doubles). */
function sameValue(actual: unknown, expected: unknown): boolean {
  if (typeof actual === 'number' && typeof expected === 'number') {
    return (
      actual === expected || Math.abs(actual - expected) <= 1e-12 * Math.max(1, Math.abs(expected))
    );
  }
  if (Array.isArray(actual) && Array.isArray(expected)) {
    return actual.length === expected.length && actual.every((a, i) => sameValue(a, expected[i]));
  }
  if (
    actual !== null &&
    expected !== null &&
    typeof actual === 'object' &&
    typeof expected === 'object'
  ) {
    const keys = Object.keys(expected);
    return (
      isDeepStrictEqual(Object.keys(actual).sort(), [...keys].sort()) &&
      keys.every((k) =>
        sameValue((actual as Record<string, unknown>)[k], (expected as Record<string, unknown>)[k]),
      )
    );
  }
  return isDeepStrictEqual(actual, expected);
}

function agrees(c: Case, outcome: Outcome): boolean {
  const deliberate = DELIBERATE[c.source];
  if (deliberate !== undefined) return deliberate.check(outcome);
  if (c.expected.error) return 'error' in outcome;
  return 'value' in outcome && sameValue(outcome.value, c.expected.value);
}

const files = [...new Set(cases.map((c) => c.source.split(':')[0]))];

describe(`feel-scala's test expectations (${origin})`, () => {
  it('ports a large share of the suites', () => {
    expect(cases.length).toBeGreaterThan(1500);
    expect(files.length).toBeGreaterThanOrEqual(20);
  });

  it.each(files)('%s', (file) => {
    const mismatches = cases
      .filter((c) => c.source.startsWith(`${file}:`))
      .map((c) => ({ c, outcome: run(c) }))
      .filter(({ c, outcome }) => !agrees(c, outcome))
      .map(({ c, outcome }) => ({
        at: c.source,
        expression: c.expression.trim(),
        ...(c.kind === 'unaryTests' ? { input: c.input } : {}),
        variables: c.variables,
        expected: c.expected,
        actual: outcome,
      }));
    expect(mismatches).toEqual([]);
  });

  it('keeps its list of deliberate differences to cases that exist', () => {
    const sources = new Set(cases.map((c) => c.source));
    expect(Object.keys(DELIBERATE).filter((s) => !sources.has(s))).toEqual([]);
  });
});

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  FeelDate,
  FeelDateTime,
  FeelDaysTimeDuration,
  feelEquals,
  FeelLocalDateTime,
  FeelLocalTime,
  FeelTime,
  FeelYearsMonthsDuration,
} from '@baton/engine';
import { compileDmn } from '../../src';
import type { CompiledDrg, DmnEnv } from '../../src';
import { internalsOf } from '../../src/compile/compile-drg';
import {
  runDecision,
  runDecisionService,
  type RawOutcome,
} from '../../src/evaluate/evaluate-decision';
import { readTckFile, toFeel, type TckTestCase, type TckValue } from './tck-reader';

export const CASES = join(__dirname, 'cases');
export const LEVELS = ['compliance-level-2', 'compliance-level-3'] as const;

/** A fixed clock: TCK cases on now() and today() test types and relations, not the instant. */
const ENV: DmnEnv = { now: () => Date.UTC(2024, 5, 15, 12, 0, 0) };

export interface CaseResult {
  /** `<level>/<folder>/<test case id>` */
  readonly id: string;
  readonly passed: boolean;
  /** Why it failed (first problem), for the baseline. */
  readonly reason?: string;
}

/** Runs every test case of one TCK folder. */
export async function runFolder(level: string, folder: string): Promise<CaseResult[]> {
  const dir = join(CASES, level, folder);
  const files = readdirSync(dir);
  const testFiles = files.filter((f) => /-test-\d+\.xml$/.test(f)).sort();
  const results: CaseResult[] = [];
  for (const testFile of testFiles) {
    const tck = readTckFile(readFileSync(join(dir, testFile), 'utf8'));
    const modelFile = files.includes(tck.modelName)
      ? tck.modelName
      : files.find((f) => f.endsWith('.dmn'));
    const compiled = await compileDmn(readFileSync(join(dir, modelFile ?? ''), 'utf8'), {
      invalidDecisions: 'fail-on-evaluation',
    });
    for (const testCase of tck.testCases) {
      const id = `${level}/${folder}/${testCase.id}`;
      if (!compiled.ok) {
        results.push({
          id,
          passed: false,
          reason: `model refused: ${compiled.errors[0]?.message}`,
        });
        continue;
      }
      results.push({ id, ...runCase(compiled.definitions, testCase) });
    }
  }
  return results;
}

function runCase(drg: CompiledDrg, testCase: TckTestCase): { passed: boolean; reason?: string } {
  const inputs: Record<string, unknown> = {};
  for (const [name, value] of testCase.inputs) inputs[name] = toFeel(value);
  for (const result of testCase.results) {
    const outcome = evaluateResult(drg, testCase, result.name, inputs);
    const problem = judge(outcome, result.expected, result.errorResult);
    if (problem !== undefined) return { passed: false, reason: `${result.name}: ${problem}` };
  }
  return { passed: true };
}

function evaluateResult(
  drg: CompiledDrg,
  testCase: TckTestCase,
  name: string,
  inputs: Record<string, unknown>,
): RawOutcome | string {
  if (testCase.type === 'decisionService') {
    const service = [...internalsOf(drg).knowledge.values()].find(
      (k) => k.kind === 'service' && k.name === testCase.invocableName,
    );
    if (service === undefined) return `no decision service named '${testCase.invocableName}'`;
    const outcome = runDecisionService(drg, service.id, inputs, ENV);
    if (!outcome.ok || service.outputDecisions.length === 1) return outcome;
    const value = outcome.value as Record<string, unknown> | null;
    return { ...outcome, value: value?.[name] ?? null };
  }
  if (testCase.type !== 'decision') return `test cases of type '${testCase.type}' are not run`;
  const decision = drg.decisions.find((d) => d.name === name || d.resultName === name);
  if (decision === undefined) return `no decision named '${name}'`;
  return runDecision(drg, decision.id, inputs, ENV);
}

/** `undefined` when the outcome is what the test expects, else what differs. */
function judge(
  outcome: RawOutcome | string,
  expected: TckValue,
  errorResult: boolean,
): string | undefined {
  if (typeof outcome === 'string') return outcome;
  const expectsNull = expected.kind === 'value' && expected.value === null;
  if (!outcome.ok) {
    // a FEEL error evaluates to null with an error: the TCK's nil expectation
    return expectsNull ? undefined : `failed: ${outcome.error.message}`;
  }
  if (errorResult && expectsNull && outcome.value === null) return undefined;
  return differs(outcome.value, expected, '');
}

/**
 * TCK comparison: numbers as decimals (to the 15 significant digits a
 * binary double carries), strings and booleans exactly, temporal values by
 * FEEL equality and type, lists element by element, contexts entry by entry.
 */
function differs(actual: unknown, expected: TckValue, path: string): string | undefined {
  const at = path === '' ? '' : ` at ${path}`;
  switch (expected.kind) {
    case 'list': {
      if (!Array.isArray(actual)) return `expected a list${at}, got ${show(actual)}`;
      if (actual.length !== expected.items.length) {
        return `expected ${expected.items.length} items${at}, got ${actual.length}: ${show(actual)}`;
      }
      for (let i = 0; i < actual.length; i++) {
        const problem = differs(actual[i], expected.items[i], `${path}[${i + 1}]`);
        if (problem !== undefined) return problem;
      }
      return undefined;
    }
    case 'context': {
      if (
        typeof actual !== 'object' ||
        actual === null ||
        Array.isArray(actual) ||
        isTemporal(actual)
      ) {
        return `expected a context${at}, got ${show(actual)}`;
      }
      const record = actual as Record<string, unknown>;
      const keys = Object.keys(record);
      const expectedKeys = expected.entries.map(([k]) => k);
      const extra = keys.filter((k) => !expectedKeys.includes(k));
      if (extra.length > 0) return `unexpected entries ${extra.join(', ')}${at}`;
      for (const [key, value] of expected.entries) {
        if (!Object.hasOwn(record, key)) {
          if (value.kind === 'value' && value.value === null) continue;
          return `missing entry '${key}'${at}`;
        }
        const problem = differs(record[key], value, path === '' ? key : `${path}.${key}`);
        if (problem !== undefined) return problem;
      }
      return undefined;
    }
    case 'value':
      return sameScalar(actual, expected)
        ? undefined
        : `expected ${show(expected.value)}${at}, got ${show(actual)}`;
  }
}

function sameScalar(actual: unknown, expected: Extract<TckValue, { kind: 'value' }>): boolean {
  const value = expected.value;
  if (value === null) return actual === null || actual === undefined;
  switch (expected.type) {
    case 'number':
      return typeof actual === 'number' && sameDecimal(actual, value as number);
    case 'string':
    case 'boolean':
      return actual === value;
    default:
      return (
        isTemporal(actual) && temporalType(actual) === expected.type && feelEqual(actual, value)
      );
  }
}

function sameDecimal(a: number, b: number): boolean {
  if (a === b) return true;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
  return Number(a.toPrecision(15)) === Number(b.toPrecision(15));
}

function isTemporal(value: unknown): boolean {
  return (
    value instanceof FeelDate ||
    value instanceof FeelDateTime ||
    value instanceof FeelLocalDateTime ||
    value instanceof FeelTime ||
    value instanceof FeelLocalTime ||
    value instanceof FeelYearsMonthsDuration ||
    value instanceof FeelDaysTimeDuration
  );
}

function temporalType(value: unknown): string {
  if (value instanceof FeelDateTime || value instanceof FeelLocalDateTime) return 'date and time';
  if (value instanceof FeelDate) return 'date';
  if (value instanceof FeelTime || value instanceof FeelLocalTime) return 'time';
  return 'duration';
}

function feelEqual(a: unknown, b: unknown): boolean {
  if (String(a) === String(b)) return true;
  try {
    return feelEquals(a, b) === true;
  } catch {
    return false;
  }
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (isTemporal(value)) return `${temporalType(value)} ${String(value)}`;
  try {
    const text = JSON.stringify(value);
    return text === undefined ? String(value) : text.length > 120 ? `${text.slice(0, 119)}…` : text;
  } catch {
    return String(value);
  }
}

export function folders(level: string): string[] {
  return readdirSync(join(CASES, level), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

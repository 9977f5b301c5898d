import {
  compileExpression,
  compileUnaryTests,
  feelEquals,
  FeelSyntaxError,
  toJsonValue,
  type CompiledExpression,
  type CompiledUnaryTests,
} from '../feel-adapter';
import { DmnErrorCode, type EvaluatedInput, type MatchedRule } from '../dmn.types';
import {
  asFailure,
  DmnFailure,
  step,
  type Culprit,
  type Evaluator,
  type Frame,
  type Scope,
} from '../evaluate/frame';
import { child, children, idOf, str, textOf, type El } from '../parse/moddle-tree';
import { culpritOf, describe, type CompileContext } from './compile-context';
import { abbreviate, compileFeel, compileLiteral, defineEntry } from './boxed-expressions';

type HitPolicy =
  'UNIQUE' | 'FIRST' | 'PRIORITY' | 'ANY' | 'COLLECT' | 'RULE ORDER' | 'OUTPUT ORDER';
type Aggregation = 'SUM' | 'MIN' | 'MAX' | 'COUNT';

const HIT_POLICIES: ReadonlySet<string> = new Set([
  'UNIQUE',
  'FIRST',
  'PRIORITY',
  'ANY',
  'COLLECT',
  'RULE ORDER',
  'OUTPUT ORDER',
]);
const AGGREGATIONS: ReadonlySet<string> = new Set(['SUM', 'MIN', 'MAX', 'COUNT']);

interface Input {
  readonly id: string;
  readonly name: string;
  readonly culprit: Culprit;
  readonly expression?: CompiledExpression;
}

interface Output {
  readonly id: string;
  /** The context key for tables with several outputs. */
  readonly name: string;
  /** What the audit shows: the label, else the name. */
  readonly auditName: string;
  /** Output values in priority order (PRIORITY, OUTPUT ORDER). */
  readonly priorities?: readonly unknown[];
  readonly defaultValue?: Evaluator;
}

interface Rule {
  readonly id: string;
  /** 1-based. */
  readonly index: number;
  readonly culprit: Culprit;
  readonly tests: readonly CompiledUnaryTests[];
  readonly outputs: readonly Evaluator[];
}

/** What a decision records about its table: inputs and the rules behind the result. */
export interface TableAudit {
  inputs: EvaluatedInput[];
  rules: MatchedRule[];
}

export interface CompiledTable {
  readonly evaluate: Evaluator;
  run(scope: Scope, frame: Frame, audit: TableAudit | undefined): unknown;
}

/**
 * A decision table: inputs evaluated once, rules tested in order (a rule
 * stops at its first failing entry), output entries evaluated for the rules
 * the hit policy keeps, then the hit policy applied (DMN 1.3 §8.2.11, with
 * Camunda 8's choices where the spec leaves room: no match yields the
 * default outputs or null for every policy, COUNT counts matched rules).
 */
export function compileDecisionTable(
  ctx: CompileContext,
  el: El,
  names: readonly string[],
): CompiledTable {
  const problems = ctx.problems;
  const hitPolicy = readHitPolicy(ctx, el);
  const aggregation = readAggregation(ctx, el, hitPolicy);

  const inputs: Input[] = children(el, 'input').map((input, i) => {
    const expressionEl = child(input, 'inputExpression');
    const text = textOf(expressionEl);
    const expression =
      expressionEl !== undefined && text !== undefined && text.trim() !== ''
        ? compileFeel(ctx, expressionEl, text, names, 'the input expression does not parse')
        : undefined;
    if (text === undefined || text.trim() === '') problems.at(input, 'the input has no expression');
    const label = str(input, 'label');
    return {
      id: idOf(input) ?? `input_${i + 1}`,
      name: label ?? (text ?? '').slice(0, 30),
      culprit: culpritOf(input),
      expression,
    };
  });

  const outputEls = children(el, 'output');
  if (outputEls.length === 0) problems.at(el, 'the decision table has no output');
  const seenNames = new Set<string>();
  const outputs: Output[] = outputEls.map((output, i) => {
    const name = str(output, 'name');
    if (outputEls.length > 1) {
      if (name === undefined || name === '') {
        problems.at(output, 'an output of a table with several outputs needs a name');
      } else if (seenNames.has(name)) {
        problems.at(output, `another output is also named '${name}'`);
      }
    }
    if (name !== undefined) seenNames.add(name);
    const defaultEl = child(output, 'defaultOutputEntry');
    const defaultText = textOf(defaultEl);
    return {
      id: idOf(output) ?? `output_${i + 1}`,
      name: name ?? '',
      auditName: str(output, 'label') ?? name ?? '',
      priorities: readPriorities(ctx, output, names),
      defaultValue:
        defaultEl !== undefined && defaultText !== undefined && defaultText.trim() !== ''
          ? compileLiteral(ctx, defaultEl, names)
          : undefined,
    };
  });
  if (
    (hitPolicy === 'PRIORITY' || hitPolicy === 'OUTPUT ORDER') &&
    !outputs.some((o) => o.priorities !== undefined)
  ) {
    problems.at(
      el,
      `the hit policy ${hitPolicy} ranks rules by output values, but no output lists any`,
    );
  }
  if (aggregation !== undefined && outputs.length > 1) {
    problems.at(
      el,
      `the aggregation ${aggregation} needs a single output, the table has ${outputs.length}`,
    );
  }

  const rules: Rule[] = children(el, 'rule').map((ruleEl, i) => {
    const entries = children(ruleEl, 'inputEntry');
    const outputEntries = children(ruleEl, 'outputEntry');
    if (entries.length !== inputs.length) {
      problems.at(
        ruleEl,
        `the rule has ${entries.length} input entries for ${inputs.length} inputs`,
      );
    }
    if (outputEntries.length !== outputs.length) {
      problems.at(
        ruleEl,
        `the rule has ${outputEntries.length} output entries for ${outputs.length} outputs`,
      );
    }
    const tests = entries.map((entry) => compileEntry(ctx, entry, names));
    return {
      id: idOf(ruleEl) ?? `rule_${i + 1}`,
      index: i + 1,
      culprit: culpritOf(ruleEl),
      tests,
      outputs: outputEntries.map((entry) => compileLiteral(ctx, entry, names)),
    };
  });

  const tableCulprit = culpritOf(el);
  const single = outputs.length === 1;

  const run = (scope: Scope, frame: Frame, audit: TableAudit | undefined): unknown => {
    step(frame, tableCulprit);
    const values = inputs.map((input) => evaluateInput(input, scope, frame));
    if (audit !== undefined) {
      audit.inputs = inputs.map((input, i) => ({
        inputId: input.id,
        inputName: input.name,
        inputValue: toJsonValue(values[i]),
      }));
    }

    const matched: Rule[] = [];
    for (const rule of rules) {
      step(frame, rule.culprit);
      if (matches(rule, values, scope, frame, inputs)) {
        matched.push(rule);
        if (hitPolicy === 'FIRST') break;
      }
    }
    if (matched.length === 0) return defaults(outputs, scope, frame);

    const rows = matched.map((rule) => rule.outputs.map((output) => output(scope, frame)));
    if (audit !== undefined) {
      audit.rules = matched.map((rule, r) => ({
        ruleId: rule.id,
        ruleIndex: rule.index,
        evaluatedOutputs: outputs.map((output, o) => ({
          outputId: output.id,
          outputName: output.auditName,
          outputValue: toJsonValue(rows[r][o]),
        })),
      }));
    }
    const shape = (row: readonly unknown[]): unknown => (single ? row[0] : asContext(outputs, row));

    switch (hitPolicy) {
      case 'FIRST':
        return shape(rows[0]);
      case 'UNIQUE':
        if (rows.length > 1) {
          throw new DmnFailure(
            DmnErrorCode.DECISION_EVALUATION_ERROR,
            `the hit policy UNIQUE allows one matching rule, but ${describeRules(matched)} match`,
            tableCulprit,
          );
        }
        return shape(rows[0]);
      case 'ANY': {
        const differs = rows.findIndex((row) => !row.every((v, o) => feelEquals(v, rows[0][o])));
        if (differs > 0) {
          throw new DmnFailure(
            DmnErrorCode.DECISION_EVALUATION_ERROR,
            `the hit policy ANY needs matching rules to agree, but ${describeRules([matched[0], matched[differs]])} have different outputs`,
            tableCulprit,
          );
        }
        return shape(rows[0]);
      }
      case 'PRIORITY':
        return shape(byPriority(rows, outputs)[0]);
      case 'OUTPUT ORDER':
        return byPriority(rows, outputs).map(shape);
      case 'RULE ORDER':
        return rows.map(shape);
      case 'COLLECT':
        if (aggregation === undefined) return rows.map(shape);
        return aggregate(aggregation, rows, matched, tableCulprit);
    }
  };
  return { run, evaluate: (scope, frame) => run(scope, frame, undefined) };
}

function readHitPolicy(ctx: CompileContext, el: El): HitPolicy {
  const value = str(el, 'hitPolicy') ?? 'UNIQUE';
  if (HIT_POLICIES.has(value)) return value as HitPolicy;
  ctx.problems.at(el, `unknown hit policy '${value}'`);
  return 'UNIQUE';
}

function readAggregation(
  ctx: CompileContext,
  el: El,
  hitPolicy: HitPolicy,
): Aggregation | undefined {
  const value = str(el, 'aggregation');
  if (value === undefined) return undefined;
  if (!AGGREGATIONS.has(value)) {
    ctx.problems.at(el, `unknown aggregation '${value}'`);
    return undefined;
  }
  if (hitPolicy !== 'COLLECT') {
    ctx.problems.at(el, `the aggregation ${value} needs the hit policy COLLECT, not ${hitPolicy}`);
    return undefined;
  }
  return value as Aggregation;
}

/** Output values as a ranking: a list of literals, highest priority first. */
function readPriorities(
  ctx: CompileContext,
  output: El,
  names: readonly string[],
): readonly unknown[] | undefined {
  const text = textOf(child(output, 'outputValues'));
  if (text === undefined || text.trim() === '') return undefined;
  let list: unknown;
  try {
    list = compileExpression(`[${text}]`, names).evaluate({});
  } catch {
    list = undefined;
  }
  if (!Array.isArray(list)) {
    ctx.problems.at(output, `the output values '${abbreviate(text)}' are not a list of literals`);
    return undefined;
  }
  return list;
}

function compileEntry(
  ctx: CompileContext,
  entry: El,
  names: readonly string[],
): CompiledUnaryTests {
  const text = textOf(entry) ?? '';
  try {
    return compileUnaryTests(text, names);
  } catch (e) {
    const reason = e instanceof FeelSyntaxError ? e.message : String(e);
    ctx.problems.at(entry, `the input entry does not parse: ${reason}`);
    return compileUnaryTests('-');
  }
}

function evaluateInput(input: Input, scope: Scope, frame: Frame): unknown {
  if (input.expression === undefined) return null;
  try {
    return input.expression.evaluate(scope, frame.env);
  } catch (e) {
    throw asFailure(e, input.culprit, `failed to evaluate the input '${input.name}'`);
  }
}

function matches(
  rule: Rule,
  values: readonly unknown[],
  scope: Scope,
  frame: Frame,
  inputs: readonly Input[],
): boolean {
  const tests = rule.tests;
  for (let i = 0; i < tests.length; i++) {
    let result: boolean | null;
    try {
      result = tests[i].test(values[i], scope, frame.env);
    } catch (e) {
      throw asFailure(
        e,
        rule.culprit,
        `failed to test the input '${inputs[i]?.name ?? i + 1}' in rule '${rule.id}' (index ${rule.index})`,
      );
    }
    if (result !== true) return false;
  }
  return true;
}

function defaults(outputs: readonly Output[], scope: Scope, frame: Frame): unknown {
  if (!outputs.some((o) => o.defaultValue !== undefined)) return null;
  const row = outputs.map((o) =>
    o.defaultValue === undefined ? null : o.defaultValue(scope, frame),
  );
  return outputs.length === 1 ? row[0] : asContext(outputs, row);
}

function asContext(outputs: readonly Output[], row: readonly unknown[]): Record<string, unknown> {
  const context: Record<string, unknown> = {};
  outputs.forEach((output, i) => defineEntry(context, output.name, row[i]));
  return context;
}

/** Rows sorted by their outputs' ranks, output by output; unlisted values rank last; stable. */
function byPriority(rows: readonly unknown[][], outputs: readonly Output[]): unknown[][] {
  const ranks = rows.map((row) =>
    outputs.map((output, o) => {
      if (output.priorities === undefined) return 0;
      const rank = output.priorities.findIndex((p) => feelEquals(p, row[o]));
      return rank < 0 ? Number.MAX_SAFE_INTEGER : rank;
    }),
  );
  const order = rows.map((_, i) => i);
  order.sort((a, b) => {
    for (let o = 0; o < outputs.length; o++) {
      const diff = ranks[a][o] - ranks[b][o];
      if (diff !== 0) return diff;
    }
    return a - b;
  });
  return order.map((i) => rows[i]);
}

function aggregate(
  aggregation: Aggregation,
  rows: readonly unknown[][],
  matched: readonly Rule[],
  culprit: Culprit,
): unknown {
  if (aggregation === 'COUNT') return rows.length;
  const numbers: number[] = [];
  rows.forEach((row, i) => {
    const value = row[0];
    if (value === null) return;
    if (typeof value !== 'number') {
      throw new DmnFailure(
        DmnErrorCode.DECISION_EVALUATION_ERROR,
        `the aggregation ${aggregation} needs numbers, but rule '${matched[i].id}' (index ${matched[i].index}) outputs ${JSON.stringify(toJsonValue(value))}`,
        culprit,
      );
    }
    numbers.push(value);
  });
  if (numbers.length === 0) return null;
  switch (aggregation) {
    case 'SUM':
      return numbers.reduce((sum, n) => sum + n, 0);
    case 'MIN':
      return Math.min(...numbers);
    case 'MAX':
      return Math.max(...numbers);
  }
}

function describeRules(rules: readonly Rule[]): string {
  const named = rules.map((r) => `'${r.id}' (index ${r.index})`);
  return named.length <= 2
    ? `rules ${named.join(' and ')}`
    : `rules ${named.slice(0, -1).join(', ')} and ${named[named.length - 1]}`;
}

export { describe };

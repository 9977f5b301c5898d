import { evaluateDecision, DmnErrorCode, type DecisionEvaluation } from '../src';
import { compiled, ENV, tableDmn, type TableSpec } from './dmn-support';

async function run(
  spec: TableSpec,
  variables: Record<string, unknown>,
): Promise<DecisionEvaluation> {
  return evaluateDecision(await compiled(tableDmn(spec)), 'd', variables, ENV);
}

async function output(spec: TableSpec, variables: Record<string, unknown>): Promise<unknown> {
  const result = await run(spec, variables);
  if (!result.ok) throw new Error(result.error.message);
  return result.output;
}

const scores = (hitPolicy: string, aggregation?: string): TableSpec => ({
  hitPolicy,
  aggregation,
  inputs: ['score'],
  outputs: [{ name: 'level', values: '"high", "medium", "low"' }],
  rules: [
    { in: ['>= 10'], out: ['"low"'] },
    { in: ['>= 50'], out: ['"medium"'] },
    { in: ['>= 90'], out: ['"high"'] },
  ],
});

const amounts = (hitPolicy: string, aggregation?: string): TableSpec => ({
  hitPolicy,
  aggregation,
  inputs: ['x'],
  outputs: [{ name: 'amount' }],
  rules: [
    { in: ['> 0'], out: ['10'] },
    { in: ['> 5'], out: ['20'] },
    { in: ['> 7'], out: ['5'] },
  ],
});

describe('decision tables: hit policies', () => {
  it('UNIQUE yields the one matching rule and fails naming the rules when several match', async () => {
    expect(await output(scores('UNIQUE'), { score: 20 })).toBe('low');
    const result = await run(scores('UNIQUE'), { score: 95 });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toEqual({
      code: DmnErrorCode.DECISION_EVALUATION_ERROR,
      decisionId: 'd',
      elementId: 't',
      elementType: 'decisionTable',
      message:
        "Expected to evaluate decision 'd', but the hit policy UNIQUE allows one matching rule, but rules 'r1' (index 1), 'r2' (index 2) and 'r3' (index 3) match",
    });
  });

  it('FIRST yields the first match in rule order and evaluates only its outputs', async () => {
    const result = await run(scores('FIRST'), { score: 95 });
    expect(result.ok && result.output).toBe('low');
    expect(result.ok && result.evaluatedDecisions[0].matchedRules.map((r) => r.ruleId)).toEqual([
      'r1',
    ]);
  });

  it('PRIORITY yields the match whose output ranks highest in the output values', async () => {
    expect(await output(scores('PRIORITY'), { score: 95 })).toBe('high');
    expect(await output(scores('PRIORITY'), { score: 60 })).toBe('medium');
  });

  it('ANY yields the common output when matches agree and fails when they differ', async () => {
    const agreeing: TableSpec = {
      hitPolicy: 'ANY',
      inputs: ['x'],
      outputs: [{}],
      rules: [
        { in: ['> 1'], out: ['"yes"'] },
        { in: ['> 2'], out: ['"yes"'] },
      ],
    };
    expect(await output(agreeing, { x: 3 })).toBe('yes');
    const result = await run(scores('ANY'), { score: 60 });
    expect(!result.ok && result.error.message).toMatch(
      /ANY needs matching rules to agree, but rules 'r1' \(index 1\) and 'r2' \(index 2\)/,
    );
  });

  it('RULE ORDER lists outputs in rule order, OUTPUT ORDER by output-value priority', async () => {
    expect(await output(scores('RULE ORDER'), { score: 95 })).toEqual(['low', 'medium', 'high']);
    expect(await output(scores('OUTPUT ORDER'), { score: 95 })).toEqual(['high', 'medium', 'low']);
  });

  it('COLLECT lists outputs, and aggregates them with SUM, MIN, MAX and COUNT', async () => {
    expect(await output(amounts('COLLECT'), { x: 8 })).toEqual([10, 20, 5]);
    expect(await output(amounts('COLLECT', 'SUM'), { x: 8 })).toBe(35);
    expect(await output(amounts('COLLECT', 'MIN'), { x: 8 })).toBe(5);
    expect(await output(amounts('COLLECT', 'MAX'), { x: 8 })).toBe(20);
    expect(await output(amounts('COLLECT', 'COUNT'), { x: 6 })).toBe(2);
    // with no match every policy yields null (Camunda 8), the aggregations too
    expect(await output(amounts('COLLECT', 'SUM'), { x: 0 })).toBeNull();
    expect(await output(amounts('COLLECT'), { x: 0 })).toBeNull();
  });

  it('a COLLECT aggregation over a non-number fails naming the rule', async () => {
    const spec: TableSpec = {
      hitPolicy: 'COLLECT',
      aggregation: 'SUM',
      inputs: ['x'],
      outputs: [{}],
      rules: [
        { in: ['-'], out: ['1'] },
        { in: ['-'], out: ['"two"'] },
      ],
    };
    const result = await run(spec, { x: 1 });
    expect(!result.ok && result.error.message).toMatch(
      /SUM needs numbers, but rule 'r2' \(index 2\) outputs "two"/,
    );
  });

  it('several outputs make a context; no match yields the default outputs, else null', async () => {
    const spec: TableSpec = {
      inputs: ['kind'],
      outputs: [
        { name: 'discount', default: '0' },
        { name: 'note', default: '"none"' },
      ],
      rules: [{ in: ['"gold"'], out: ['0.2', '"vip"'] }],
    };
    expect(await output(spec, { kind: 'gold' })).toEqual({ discount: 0.2, note: 'vip' });
    expect(await output(spec, { kind: 'silver' })).toEqual({ discount: 0, note: 'none' });
    expect(await output(scores('UNIQUE'), { score: 1 })).toBeNull();
  });

  it('input entries are FEEL unary tests: ranges, lists, negation, comparisons with variables, ?', async () => {
    const spec: TableSpec = {
      hitPolicy: 'RULE ORDER',
      inputs: ['amount', 'country'],
      outputs: [{}],
      rules: [
        { in: ['[100..200)', '"DE", "AT"'], out: ['"range and list"'] },
        { in: ['> limit', 'not("FR")'], out: ['"over the limit, not FR"'] },
        { in: ['? > 150 and ? < 160', '-'], out: ['"question mark"'] },
        { in: ['200', '""'], out: ['"never"'] },
      ],
    };
    expect(await output(spec, { amount: 155, country: 'AT', limit: 150 })).toEqual([
      'range and list',
      'over the limit, not FR',
      'question mark',
    ]);
    expect(await output(spec, { amount: 200, country: 'FR', limit: 150 })).toBeNull();
  });

  it('the audit lists every input and the matched rules with their outputs, indexes 1-based', async () => {
    const result = await run(scores('COLLECT'), { score: 60 });
    expect(result.ok && result.evaluatedDecisions).toEqual([
      {
        decisionId: 'd',
        decisionName: 'D',
        decisionType: 'DECISION_TABLE',
        output: ['low', 'medium'],
        evaluatedInputs: [{ inputId: 'in1', inputName: 'Input 1', inputValue: 60 }],
        matchedRules: [
          {
            ruleId: 'r1',
            ruleIndex: 1,
            evaluatedOutputs: [{ outputId: 'out1', outputName: 'level', outputValue: 'low' }],
          },
          {
            ruleId: 'r2',
            ruleIndex: 2,
            evaluatedOutputs: [{ outputId: 'out1', outputName: 'level', outputValue: 'medium' }],
          },
        ],
      },
    ]);
  });

  it('a failing output entry names the decision and the rule', async () => {
    const spec: TableSpec = {
      inputs: ['x'],
      outputs: [{}],
      rules: [{ in: ['-'], out: ['upper case(x, 2)'] }],
    };
    const result = await run(spec, { x: 'a' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({
      code: DmnErrorCode.DECISION_EVALUATION_ERROR,
      decisionId: 'd',
      elementId: 'r1o1',
      elementType: 'outputEntry',
    });
    expect(result.error.message).toMatch(
      /^Expected to evaluate decision 'd', but failed to evaluate the expression 'upper case\(x, 2\)'/,
    );
  });
});

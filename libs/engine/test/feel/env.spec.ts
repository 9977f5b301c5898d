import {
  compileExpression,
  FeelEvaluationError,
  type FeelEnv,
  type FeelWarning,
} from '../../src/feel';

/** What an evaluation takes from its host: the clock, randomness, and a place for warnings. */

describe('the evaluation environment', () => {
  it('reads now() and today() from the injected clock', () => {
    let clock = Date.UTC(2030, 5, 1, 23, 59, 30);
    const env: FeelEnv = { now: () => clock };
    expect(compileExpression('now()').evaluate({}, env)).toBe('2030-06-01T23:59:30Z');
    expect(compileExpression('today()').evaluate({}, env)).toBe('2030-06-01');
    clock += 60_000;
    expect(compileExpression('today()').evaluate({}, env)).toBe('2030-06-02');
    expect(compileExpression('now() - @"2030-06-01T00:00:00Z"').evaluate({}, env)).toBe('P1DT30S');
    expect(compileExpression('today() > date(due)').evaluate({ due: '2030-05-31' }, env)).toBe(
      true,
    );
  });

  it('fails now() without a clock: the engine core has none', () => {
    expect(() => compileExpression('now()').evaluate({})).toThrow(FeelEvaluationError);
    expect(() => compileExpression('today()').evaluate({})).toThrow(/need the engine clock/);
    expect(compileExpression('1 + 1').evaluate({})).toBe(2);
  });

  it('takes random number() and uuid() from the host, deterministic without it', () => {
    const env: FeelEnv = { now: () => 0, random: () => 0.75, uuid: () => 'u-1' };
    expect(compileExpression('[random number(), uuid()]').evaluate({}, env)).toEqual([0.75, 'u-1']);
    const plain = compileExpression('[random number(), random number(), uuid(), uuid()]');
    const first = plain.evaluate({}) as unknown[];
    expect(plain.evaluate({})).toEqual(first);
    expect(first[0]).not.toBe(first[1]);
    expect(first[2]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(first[2]).not.toBe(first[3]);
  });

  it('reports why a value is null when the host collects warnings', () => {
    const warnings: FeelWarning[] = [];
    const env: FeelEnv = { now: () => 0, warnings };
    expect(
      compileExpression('"1500" > amount and missing').evaluate({ amount: 1000 }, env),
    ).toBeNull();
    expect(warnings).toEqual([
      { type: 'NOT_COMPARABLE', message: `Can't compare '"1500"' with '1000'` },
      { type: 'NO_VARIABLE_FOUND', message: "No variable found with name 'missing'" },
      { type: 'INVALID_TYPE', message: "Expected boolean but found 'null'" },
    ]);
  });
});

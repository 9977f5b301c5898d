import {
  compileExpression,
  compileUnaryTests,
  DEFAULT_FEEL_LIMITS,
  FeelEvaluationError,
  type FeelEnv,
  type FeelLimits,
} from '../../src/feel';

/**
 * Every evaluation is bounded: hostile expressions end in a
 * FeelEvaluationError that names the bound, instead of taking the worker's
 * memory or time.
 */

const env: FeelEnv = { now: () => 0 };

function failure(
  source: string,
  variables: Record<string, unknown> = {},
  limits?: FeelLimits,
): FeelEvaluationError {
  try {
    compileExpression(source).evaluate(
      variables,
      limits === undefined ? env : { ...env, feelLimits: limits },
    );
  } catch (e) {
    if (e instanceof FeelEvaluationError) return e;
    throw e;
  }
  throw new Error(`'${source}' evaluated`);
}

describe('FEEL limits', () => {
  it('has defaults that no model written for Camunda comes near', () => {
    expect(DEFAULT_FEEL_LIMITS).toEqual({
      maxWork: 1_000_000,
      maxListLength: 100_000,
      maxStringLength: 1_000_000,
      maxContextEntries: 10_000,
      maxDepth: 100,
    });
  });

  it.each([
    [
      'for i in 1..100000000 return i',
      'maxListLength',
      'the list length limit of 100000 items (FEEL_MAX_LIST_LENGTH)',
    ],
    ['string join(for i in 1..10000000 return "x")', 'maxListLength', 'FEEL_MAX_LIST_LENGTH'],
    ['count(for i in 1..1000, j in 1..1000 return 0)', 'maxListLength', 'FEEL_MAX_LIST_LENGTH'],
    [
      'string length(string join(for i in 1..50000 return "xxxxxxxxxxxxxxxxxxxxxxxxx"))',
      'maxStringLength',
      'the string length limit of 1000000 characters (FEEL_MAX_STRING_LENGTH)',
    ],
    [
      'for i in 1..30 return if i = 1 then "ab" else partial[-1] + partial[-1]',
      'maxStringLength',
      'FEEL_MAX_STRING_LENGTH',
    ],
    [
      'context(for i in 1..20000 return {key: string(i), value: i})',
      'maxContextEntries',
      'the context size limit of 10000 entries (FEEL_MAX_CONTEXT_ENTRIES)',
    ],
    [
      '{f: function(g, n) if n = 0 then 0 else g(g, n - 1), r: f(f, 100000)}.r',
      'maxDepth',
      'the call depth limit of 100 nested calls (FEEL_MAX_DEPTH)',
    ],
  ])('%s exceeds %s', (source, limit, wording) => {
    const error = failure(source);
    expect(error.limit).toBe(limit);
    expect(error.message).toContain(
      `the expression exceeded ${wording.startsWith('the') ? wording : ''}`,
    );
    expect(error.message).toContain(wording);
  });

  it.each([
    ['some i in 1..100000000 satisfies false'],
    ['every i in 1..1000, j in 1..1000, k in 1..1000 satisfies true'],
    ['count(for i in 1..100 return for j in 1..10000 return 0)'],
    ['sum(for x in big return sum(big))'],
  ])('%s exceeds the work limit', (source) => {
    // a tenth of the default work, so that the suite stays quick; the default is hit the same way
    const limits: FeelLimits = { ...DEFAULT_FEEL_LIMITS, maxWork: 100_000 };
    const error = failure(source, { big: Array.from({ length: 5000 }, (_, i) => i) }, limits);
    expect(error.limit).toBe('maxWork');
    expect(error.message).toContain(
      'the expression exceeded the work limit of 100000 steps (FEEL_MAX_WORK)',
    );
  });

  it('bounds what a variable brings in as well', () => {
    const big = Array.from({ length: 200_000 }, (_, i) => i);
    expect(failure('for x in big return x', { big }).limit).toBe('maxListLength');
    expect(failure('count(for x in big, y in big return 0)', { big }).limit).toBe('maxListLength');
    expect(failure('string join(for x in 1..1000 return s)', { s: 'x'.repeat(10_000) }).limit).toBe(
      'maxStringLength',
    );
  });

  it('iterates ranges without building them', () => {
    const small: FeelLimits = { ...DEFAULT_FEEL_LIMITS, maxListLength: 10 };
    expect(failure('for i in 1..1000000000000 return i', {}, small).message).toContain(
      'the list length limit of 10 items (FEEL_MAX_LIST_LENGTH)',
    );
    expect(
      compileExpression('some i in 1..1000000000000 satisfies i > 5').evaluate(
        {},
        { ...env, feelLimits: small },
      ),
    ).toBe(true);
  });

  it('takes the limits from the environment', () => {
    const tight: FeelLimits = {
      maxWork: 50,
      maxListLength: 1000,
      maxStringLength: 20,
      maxContextEntries: 2,
      maxDepth: 2,
    };
    expect(failure('sum(for i in 1..100 return i)', {}, tight).limit).toBe('maxWork');
    expect(failure('"0123456789" + "0123456789" + "x"', {}, tight).limit).toBe('maxStringLength');
    expect(failure('context put({a: 1, b: 2}, "c", 3)', {}, tight).limit).toBe('maxContextEntries');
    expect(
      failure('{f: function(x) x, g: function(x) f(x), h: function(x) g(x), r: h(1)}.r', {}, tight)
        .limit,
    ).toBe('maxDepth');
    expect(
      compileExpression('sum(for i in 1..10 return i)').evaluate({}, { ...env, feelLimits: tight }),
    ).toBe(55);
  });

  it('bounds unary tests the same way', () => {
    let error: unknown;
    try {
      compileUnaryTests('some i in 1..100000000 satisfies i = ?').test(
        0,
        {},
        {
          ...env,
          feelLimits: { ...DEFAULT_FEEL_LIMITS, maxWork: 100_000 },
        },
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FeelEvaluationError);
    expect((error as FeelEvaluationError).limit).toBe('maxWork');
  });

  it('matches a catastrophic-backtracking pattern in linear time', () => {
    const input = `${'a'.repeat(29)}!`;
    expect(compileExpression('matches(input, "(a+)+$")').evaluate({ input }, env)).toBe(false);
    expect(
      compileExpression('matches(input, "(a|aa)*b")').evaluate({ input: 'a'.repeat(100_000) }, env),
    ).toBe(false);
  });
});

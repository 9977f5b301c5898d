import fc from 'fast-check';
import { evaluate } from 'feelin';
import {
  compileExpression,
  compileUnaryTests,
  DEFAULT_FEEL_LIMITS,
  FeelEvaluationError,
  FeelSyntaxError,
  type FeelEnv,
} from '../../src/feel';

/**
 * Seeded property tests: whatever text it is given, the compiler throws
 * nothing but FeelSyntaxError and evaluation nothing but
 * FeelEvaluationError; and on well-typed expressions of the part of FEEL
 * where feelin follows Camunda (integers, strings, booleans, lists of
 * numbers), Baton and feelin agree.
 */

const SEED = 20_240_115;
const env: FeelEnv = { now: () => 0, feelLimits: { ...DEFAULT_FEEL_LIMITS, maxWork: 20_000 } };
const variables = {
  a: 3,
  b: -2,
  s: 'ab',
  t: true,
  f: false,
  xs: [1, 2, 3],
  ctx: { k: 1, l: [1, 2] },
  n: null,
};

const tokens = fc.constantFrom(
  ...'a b s t f xs ctx n 1 0 -1 2.5 "x" "" + - * / ** = != < <= > >= and or not ( ) [ ] { } , : . .. in between instance of if then else for some every satisfies return function item partial ? @"2024-01-15" date( duration("P1D") string length( count( sum( matches( upper case( true false null'.split(
    ' ',
  ),
);
const soup = fc.array(tokens, { maxLength: 14 }).map((ts) => ts.join(' '));

function outcome(run: () => unknown): unknown {
  try {
    return run();
  } catch (e) {
    if (e instanceof FeelSyntaxError || e instanceof FeelEvaluationError) return e;
    throw e;
  }
}

// well-typed expressions //////////////////////////////////////////////

const { num, str, bool } = fc.letrec<{ num: string; str: string; bool: string }>((tie) => ({
  num: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.integer({ min: -50, max: 50 }).map((i) => (i < 0 ? `(${i})` : String(i))),
    fc.constantFrom('a', 'b'),
    fc
      .tuple(tie('num'), fc.constantFrom('+', '-', '*'), tie('num'))
      .map(([x, op, y]) => `(${x} ${op} ${y})`),
    tie('str').map((s) => `string length(${s})`),
    fc.array(tie('num'), { maxLength: 4 }).map((xs) => `count([${xs.join(', ')}])`),
    fc.array(tie('num'), { minLength: 1, maxLength: 4 }).map((xs) => `sum([${xs.join(', ')}])`),
    fc.array(tie('num'), { minLength: 1, maxLength: 4 }).map((xs) => `max([${xs.join(', ')}])`),
    fc
      .tuple(tie('bool'), tie('num'), tie('num'))
      .map(([c, x, y]) => `(if ${c} then ${x} else ${y})`),
  ),
  str: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.stringMatching(/^[a-z ]{0,5}$/).map((s) => `"${s}"`),
    fc.constant('s'),
    fc.tuple(tie('str'), tie('str')).map(([x, y]) => `(${x} + ${y})`),
    tie('str').map((s) => `upper case(${s})`),
    tie('num').map((n) => `string(${n})`),
  ),
  bool: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom('true', 'false', 't', 'f'),
    fc
      .tuple(tie('num'), fc.constantFrom('=', '!=', '<', '<=', '>', '>='), tie('num'))
      .map(([x, op, y]) => `(${x} ${op} ${y})`),
    fc
      .tuple(tie('str'), fc.constantFrom('=', '!='), tie('str'))
      .map(([x, op, y]) => `(${x} ${op} ${y})`),
    fc
      .tuple(tie('bool'), fc.constantFrom('and', 'or'), tie('bool'))
      .map(([x, op, y]) => `(${x} ${op} ${y})`),
    tie('bool').map((x) => `not(${x})`),
    // feelin reads `between` with a lower bound above the upper one differently (a known disagreement)
    fc
      .tuple(tie('num'), tie('num'), fc.nat(20))
      .map(([x, lo, k]) => `(${x} between ${lo} and (${lo} + ${k}))`),
    fc
      .tuple(tie('num'), fc.array(tie('num'), { minLength: 1, maxLength: 3 }))
      .map(([x, ys]) => `(${x} in (${ys.join(', ')}))`),
    fc.tuple(tie('str'), tie('str')).map(([x, y]) => `contains(${x}, ${y})`),
  ),
}));

describe('FEEL property tests', () => {
  it('compiles any token soup to a FeelSyntaxError or an expression that evaluates or fails with FeelEvaluationError', () => {
    fc.assert(
      fc.property(soup, (source) => {
        const compiled = outcome(() => compileExpression(source));
        if (compiled instanceof Error) return compiled instanceof FeelSyntaxError;
        const result = outcome(() =>
          (compiled as ReturnType<typeof compileExpression>).evaluate(variables, env),
        );
        return !(result instanceof FeelSyntaxError);
      }),
      { seed: SEED, numRuns: 1500 },
    );
  });

  it('does the same for unary tests and for arbitrary text', () => {
    fc.assert(
      fc.property(fc.oneof(soup, fc.string({ maxLength: 40 })), (source) => {
        const tests = outcome(() => compileUnaryTests(source));
        if (tests instanceof Error) return tests instanceof FeelSyntaxError;
        outcome(() => (tests as ReturnType<typeof compileUnaryTests>).test(2, variables, env));
        outcome(() => compileExpression(source));
        return true;
      }),
      { seed: SEED, numRuns: 1000 },
    );
  });

  it('agrees with feelin on well-typed integer, string and boolean expressions', () => {
    fc.assert(
      fc.property(fc.oneof(num, str, bool), (source) => {
        const ours = compileExpression(source).evaluate(variables, env);
        const theirs = evaluate(source, variables, 'camunda');
        expect(theirs.warnings).toEqual([]);
        expect(ours).toEqual(theirs.value);
      }),
      { seed: SEED, numRuns: 250 },
    );
  });
});

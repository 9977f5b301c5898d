import { evaluate, type WarningType } from 'feelin';
import { compileExpression, FeelEvaluationError, type EvaluationMode } from '../../src/feel';
import { COMPILED_CALLS } from '../../src/feel/feel-builtins';
import { FEEL_DIALECT } from '../../src/feel/feel-dialect';
import { toJsonValue } from '../../src/feel/feel-json';

/**
 * The compiled evaluator against feelin, expression by expression: the same
 * answer (after the same JSON conversion), or an error on both sides. The
 * mode column proves which constructs are really compiled.
 */

jest.mock('feelin', () => {
  const actual: typeof import('feelin') = jest.requireActual('feelin');
  return { ...actual, evaluate: jest.fn(actual.evaluate) };
});
const feelinEvaluate = evaluate as jest.MockedFunction<typeof evaluate>;

type Variables = Record<string, unknown>;

const base: Variables = {
  amount: 150,
  zero: 0,
  neg: -3,
  pi: 3.14159,
  name: 'Ann',
  empty: '',
  s: 'Hello World',
  flag: true,
  off: false,
  nothing: null,
  n: [1, 2, 3],
  words: ['b', 'a', 'c'],
  nested: [
    [1, 2],
    [3, [4]],
  ],
  mixed: [1, 'a', null, true],
  order: {
    id: 'o-1',
    total: 250,
    customer: { name: 'Bob', vip: true },
    lines: [
      { sku: 'A', qty: 2, price: 10 },
      { sku: 'B', qty: 1, price: 30 },
    ],
  },
  items: [
    { a: 1, name: 'foo', tags: ['x'] },
    { a: 3, name: 'bar', tags: [] },
  ],
  due: '2024-01-15',
};

interface Case {
  readonly source: string;
  readonly mode: EvaluationMode;
  /** Variables on top of `base`. */
  readonly with?: Variables;
  /** A compiled expression that hands this evaluation to feelin. */
  readonly defers?: boolean;
}

const C = (source: string, extra?: Variables): Case => ({ source, mode: 'compiled', with: extra });
const F = (source: string, extra?: Variables): Case => ({ source, mode: 'fallback', with: extra });

const cases: Case[] = [
  // literals
  C('42'),
  C('-3.5'),
  C('.5'),
  C('1e3'),
  C('"hello"'),
  C('"say \\"hi\\"\\n\\u0041"'),
  C('true'),
  C('false'),
  C('null'),
  // names, paths, missing values
  C('amount'),
  C('missing'),
  C('nothing'),
  C('order.customer.name'),
  C('order.customer'),
  C('order.customer.missing'),
  C('order.missing.name'),
  C('nothing.name'),
  C('amount.name'),
  C('order.lines.sku'),
  C('first name', { 'first name': 'Ann' }),
  C('customer name + " " + last name', { 'customer name': 'Ann', 'last name': 'Lee' }),
  C('`order-id` + 1', { 'order-id': 7 }),
  C('order.`customer`.name'),
  C('count'),
  C('count', { count: 3 }),
  C('// comment\namount /* inline */ + 1'),
  // arithmetic
  C('amount + 10'),
  C('amount - 50 * 2'),
  C('amount / 4'),
  C('amount / zero'),
  C('2 ** 10'),
  C('-amount'),
  C('-name'),
  C('(amount + 10) * 2'),
  C('0.1 + 0.2'),
  C('10 ** 1000'),
  C('amount + missing'),
  C('amount + "a"'),
  C('"Hello" + " " + name'),
  C('n + 1'),
  C('flag + 1'),
  // comparisons
  C('amount > 100'),
  C('amount >= 150'),
  C('amount < 100'),
  C('amount <= 149.9'),
  C('amount = 150'),
  C('amount != 150'),
  C('missing > 100'),
  C('amount > nothing'),
  C('amount > missing'),
  C('order.total > amount'),
  C('name = "Ann"'),
  C('name != "Bob"'),
  C('name > "Aardvark"'),
  C('"200" > 100'),
  C('"abc" >= 5'),
  C('"abc" > 5'),
  C('amount > [1, 2]'),
  C('amount > true'),
  C('amount > order'),
  C('missing = null'),
  C('nothing != null'),
  C('[1] = 1'),
  C('[] = null'),
  C('{a: 1} = {a: 1}'),
  C('{a: 1} = {a: 2}'),
  C('[1, 2] = [1, 2]'),
  C('order.customer = {name: "Bob", vip: true}'),
  C('true = 1'),
  C('1 = "1"'),
  // logic
  C('flag and amount > 100'),
  C('flag and missing'),
  C('off and missing'),
  C('off or missing'),
  C('flag or missing'),
  C('amount > 100 and (name = "Ann" or name = "Bob")'),
  C('not(flag)'),
  C('not(missing)'),
  C('not(5)'),
  C('1 and true'),
  // if
  C('if amount > 100 then "big" else "small"'),
  C('if missing then 1 else 2'),
  C('if 0 then "truthy" else "falsy"'),
  C('if flag then 1 else "one"'),
  // between, in
  C('amount between 100 and 200'),
  C('amount between 200 and 100'),
  C('amount between missing and 200'),
  C('name between "A" and "B"'),
  C('amount between "a" and 3'),
  C('amount in [100..200]'),
  C('amount in (100..150)'),
  C('amount in [150..missing]'),
  C('amount in (100, 150, 200)'),
  C('amount in [100, 150]'),
  C('name in ("Ann", "Bob")'),
  C('amount in >100'),
  C('amount in (<100, >=150)'),
  C('amount in (=150)'),
  C('amount in (!=150)'),
  C('amount in n'),
  C('missing in (1, 2)'),
  C('amount in nothing'),
  C('name in ["A".."B"]'),
  C('[1, 2] in ([1, 2], 3)'),
  // lists and contexts
  C('[1, amount, "x", null]'),
  C('[]'),
  C('{total: amount * 2, label: "x", nested: {a: [1, 2]}}'),
  C('{a: 1, b: a + 1}'),
  C('{"with space": 1, "a.b": 2}'),
  C('{}'),
  // filters and indexing
  C('n[1]'),
  C('n[-1]'),
  C('n[0]'),
  C('n[5]'),
  C('n[1 + 1]'),
  C('n[zero + 1]'),
  C('n[true]'),
  C('n[false]'),
  C('n["a"]'),
  C('words["a"]'),
  C('n[null]'),
  C('n[item > 1]'),
  C('n[item > 1 and item < 3]'),
  C('n[>=2]'),
  C('n[=2]'),
  C('n[(<3)]'),
  C('items[a > 1].name'),
  C('items[name = "foo"]'),
  C('items[item.a >= 1 and count(item.tags) > 0]'),
  C('items[contains(name, "o")]'),
  C('order.lines[qty > 1].sku'),
  C('order.lines[1].price * order.lines[1].qty'),
  C('nothing[1]'),
  C('amount[1]'),
  C('mixed[item != null]'),
  C('(n)[2]'),
  // for, some, every
  C('for x in n return x * 2'),
  C('for x in n, y in [10, 20] return x + y'),
  C('for i in 1..3 return i'),
  C('for i in 3..1 return i'),
  C('for i in 1..0 return i'),
  C('for x in n return if x = 1 then 0 else partial[-1] + x'),
  C('for x in missing return x'),
  C('for l in order.lines return l.qty * l.price'),
  C('for c in "a".."e" return c'),
  C('some x in n satisfies x > 2'),
  C('every x in n satisfies x > 0'),
  C('every l in order.lines satisfies l.qty > 1'),
  C('some x in nothing satisfies x'),
  C('some x in [0, 1] satisfies x'),
  // built-in functions
  C('string length(name)'),
  C('upper case(name) + lower case(s)'),
  C('contains(s, "World")'),
  C('starts with(s, "Hell") and ends with(s, "x")'),
  C('substring(s, 1, 5)'),
  C('substring(s, -5)'),
  C('substring(string: s, start position: 7)'),
  C('substring before(s, " ") + "|" + substring after(s, " ")'),
  C('count(n)'),
  C('sum(n)'),
  C('sum(1, 2, 3)'),
  C('min(n)'),
  C('max(n)'),
  C('max(n, 7)'),
  C('mean(n)'),
  C('sum(order.lines.price)'),
  C('sum([])'),
  C('append(n, 4)'),
  C('concatenate(n, [4, 5])'),
  C('list contains(n, 2)'),
  C('distinct values([1, 1, 2, "a", "a"])'),
  C('flatten(nested)'),
  C('reverse(words)'),
  C('index of(n, 2)'),
  C('sublist(n, 2)'),
  C('all([flag, true])'),
  C('any([off, missing])'),
  C('abs(neg)'),
  C('floor(pi)'),
  C('ceiling(pi)'),
  C('round half up(2.5, 0)'),
  C('round down(pi, 2)'),
  C('decimal(pi, 2)'),
  C('modulo(10, 3)'),
  C('odd(amount)'),
  C('number("42")'),
  C('number("1,000.5", ",", ".")'),
  C('string(amount)'),
  C('string(n)'),
  C('string(order.customer)'),
  C('string join(words, ", ")'),
  C('split("a,b,c", ",")'),
  C('replace(s, "o", "0")'),
  C('matches(s, "^H")'),
  C('get value(order, "total")'),
  C('get entries({a: 1})'),
  C('context put(order.customer, "vip", false)'),
  C('context merge([{a: 1}, {b: 2}])'),
  C('upper case(missing)'),
  C('upper case(5)'),
  C('count(nothing)'),
  // evaluation errors, on both sides
  C('number("abc")'),
  C('upper case(name, 1)'),
  C('sqrt(-1)'),
  C('modulo(1, 0)'),
  F('foo(amount)'),
  F('is defined(amount)'),
  // left to feelin
  F('date("2024-01-15")'),
  F('date(due) + duration("P1D")'),
  F('duration("PT36H")'),
  F('date and time("2024-01-15T10:00:00@Europe/Paris")'),
  F('@"2024-01-15T10:00:00Z"'),
  F('today() > date("2000-01-01")'),
  F('amount instance of number'),
  F('sort(n, function(a, b) a > b)'),
  F('function(a) a + 1'),
  F('[1..3]'),
  F('years and months duration(date("2020-01-01"), date(due))'),
  // a value only feelin models: compiled, handed to feelin for that evaluation
  { ...C('when', { when: new Date('2024-01-01T00:00:00Z') }), defers: true },
  { ...C('when = null', { when: new Date('2024-01-01T00:00:00Z') }), defers: true },
];

const ERROR_WARNINGS: ReadonlySet<WarningType> = new Set<WarningType>([
  'NO_FUNCTION_FOUND',
  'FUNCTION_INVOCATION_FAILURE',
  'INVALID_ARGUMENTS',
  'UNSUPPORTED',
]);

type Outcome = { readonly value: unknown } | { readonly error: string };

/** feelin's answer, under Baton's error rule and JSON conversion. */
function reference(source: string, variables: Variables): Outcome {
  try {
    const { value, warnings } = evaluate(source, variables, FEEL_DIALECT);
    const failure = warnings.find((warning) => ERROR_WARNINGS.has(warning.type));
    if (failure !== undefined) return { error: failure.type };
    return { value: toJsonValue(value) };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

function compiled(source: string, variables: Variables): Outcome & { readonly viaFeelin: boolean } {
  const expression = compileExpression(source);
  feelinEvaluate.mockClear();
  try {
    const value = expression.evaluate(variables);
    return { value, viaFeelin: feelinEvaluate.mock.calls.length > 0 };
  } catch (e) {
    if (!(e instanceof FeelEvaluationError)) throw e;
    return { error: e.message, viaFeelin: feelinEvaluate.mock.calls.length > 0 };
  }
}

function sameOutcome(actual: Outcome, expected: Outcome): void {
  if ('error' in expected) {
    expect(actual).toHaveProperty('error');
  } else {
    expect(actual).toHaveProperty('value');
    expect((actual as { value: unknown }).value).toEqual(expected.value);
  }
}

describe('compiled FEEL against feelin', () => {
  it('covers a broad table', () => {
    expect(cases.length).toBeGreaterThanOrEqual(80);
    expect(new Set(cases.map((c) => c.source + JSON.stringify(c.with ?? {}))).size).toBe(
      cases.length,
    );
  });

  describe.each(cases)('$source', ({ source, mode, with: extra, defers = false }) => {
    const variables = { ...base, ...extra };

    it(`is evaluated in ${mode} mode`, () => {
      const expression = compileExpression(source);
      expect({ mode: expression.mode, reason: expression.fallbackReason }).toEqual(
        mode === 'compiled' ? { mode, reason: undefined } : { mode, reason: expect.any(String) },
      );
    });

    it('answers as feelin does', () => {
      const actual = compiled(source, variables);
      sameOutcome(actual, reference(source, variables));
      expect(actual.viaFeelin).toBe(mode === 'fallback' || defers);
    });

    it('answers the same from its variables alone', () => {
      const expression = compileExpression(source);
      const only: Variables = {};
      for (const name of expression.variables) {
        if (name in variables) only[name] = variables[name];
      }
      sameOutcome(compiled(source, only), compiled(source, variables));
    });
  });

  it('exercises both outcomes', () => {
    const outcomes = cases.map((c) => reference(c.source, { ...base, ...c.with }));
    expect(outcomes.filter((o) => 'error' in o).length).toBeGreaterThanOrEqual(10);
    expect(outcomes.filter((o) => 'value' in o && o.value === null).length).toBeGreaterThanOrEqual(
      10,
    );
  });

  it.each([...COMPILED_CALLS])('compiles calls to %s', (name) => {
    expect(compileExpression(`${name}(x)`).mode).toBe('compiled');
  });

  it('writes temporal results as ISO 8601 strings', () => {
    const results = [
      'date("2024-01-15")',
      'date and time("2024-01-15T10:00:00Z")',
      'date and time("2024-07-15T10:00:00@Europe/Paris")',
      'duration("P1Y2M")',
      'date and time("2024-01-15T10:00:00") - date and time("2024-01-14T09:30:00")',
    ].map((source) => compileExpression(source).evaluate({}));
    expect(results).toEqual([
      '2024-01-15',
      '2024-01-15T10:00:00Z',
      '2024-07-15T10:00:00+02:00',
      'P1Y2M',
      'P1DT30M',
    ]);
  });

  it('does not mutate the variables it reads', () => {
    const variables = structuredClone(base);
    for (const { source } of cases) {
      try {
        compileExpression(source).evaluate(variables);
      } catch {
        // errors are covered above
      }
    }
    expect(variables).toEqual(base);
  });
});

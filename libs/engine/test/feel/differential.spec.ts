import { evaluate, type WarningType } from 'feelin';
import { compileExpression, FeelEvaluationError, FeelSyntaxError } from '../../src/feel';
import { toJsonValue } from '../../src/feel/feel-json';

/**
 * Baton's FEEL against feelin (the FEEL of bpmn-io, which Camunda Modeler
 * uses), expression by expression, on the constructs where feelin follows
 * Camunda: the same answer, or an error on both sides. Where the two
 * disagree, Camunda's engine (feel-scala) is the reference: those cases are
 * listed apart with Baton's (feel-scala's) answer and feelin's, so that the
 * list of known disagreements stays true.
 */

type Variables = Record<string, unknown>;

const FEELIN_DIALECT = 'camunda';

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
  /** Variables on top of `base`. */
  readonly with?: Variables;
}

const S = (source: string, extra?: Variables): Case => ({ source, with: extra });

/** Baton and feelin give the same answer. */
const same: Case[] = [
  // literals
  S('42'),
  S('-3.5'),
  S('.5'),
  S('"hello"'),
  S('true'),
  S('false'),
  S('null'),
  // names, paths, missing values
  S('amount'),
  S('missing'),
  S('nothing'),
  S('order.customer.name'),
  S('order.customer'),
  S('order.customer.missing'),
  S('order.missing.name'),
  S('nothing.name'),
  S('amount.name'),
  S('order.lines.sku'),
  S('`order-id` + 1', { 'order-id': 7 }),
  S('order.`customer`.name'),
  S('// comment\namount /* inline */ + 1'),
  // arithmetic
  S('amount + 10'),
  S('amount - 50 * 2'),
  S('amount / 4'),
  S('amount / zero'),
  S('2 ** 10'),
  S('-amount'),
  S('-name'),
  S('(amount + 10) * 2'),
  S('10 ** 1000'),
  S('amount + missing'),
  S('amount + "a"'),
  S('"Hello" + " " + name'),
  S('n + 1'),
  S('flag + 1'),
  // comparisons
  S('amount > 100'),
  S('amount >= 150'),
  S('amount < 100'),
  S('amount <= 149.9'),
  S('amount = 150'),
  S('amount != 150'),
  S('missing > 100'),
  S('amount > nothing'),
  S('amount > missing'),
  S('order.total > amount'),
  S('name = "Ann"'),
  S('name != "Bob"'),
  S('name > "Aardvark"'),
  S('missing = null'),
  S('nothing != null'),
  S('[] = null'),
  S('{a: 1} = {a: 1}'),
  S('{a: 1} = {a: 2}'),
  S('[1, 2] = [1, 2]'),
  S('order.customer = {name: "Bob", vip: true}'),
  S('true = 1'),
  S('1 = "1"'),
  // logic
  S('flag and amount > 100'),
  S('flag and missing'),
  S('off and missing'),
  S('off or missing'),
  S('flag or missing'),
  S('amount > 100 and (name = "Ann" or name = "Bob")'),
  S('not(flag)'),
  S('not(missing)'),
  S('not(5)'),
  S('1 and true'),
  // if
  S('if amount > 100 then "big" else "small"'),
  S('if missing then 1 else 2'),
  S('if flag then 1 else "one"'),
  // between, in
  S('amount between 100 and 200'),
  S('amount between missing and 200'),
  S('name between "A" and "B"'),
  S('amount in [100..200]'),
  S('amount in (100..150)'),
  S('amount in (100, 150, 200)'),
  S('amount in [100, 150]'),
  S('name in ("Ann", "Bob")'),
  S('amount in >100'),
  S('amount in (<100, >=150)'),
  S('amount in n'),
  S('missing in (1, 2)'),
  S('name in ["A".."B"]'),
  S('[1, 2] in ([1, 2], 3)'),
  // lists and contexts
  S('[1, amount, "x", null]'),
  S('[]'),
  S('{total: amount * 2, label: "x", nested: {a: [1, 2]}}'),
  S('{a: 1, b: a + 1}'),
  S('{"with space": 1, "a.b": 2}'),
  S('{}'),
  // filters and indexing
  S('n[1]'),
  S('n[-1]'),
  S('n[0]'),
  S('n[5]'),
  S('n[1 + 1]'),
  S('n[zero + 1]'),
  S('n[true]'),
  S('n[false]'),
  S('n["a"]'),
  S('n[item > 1]'),
  S('n[item > 1 and item < 3]'),
  S('items[a > 1].name'),
  S('items[name = "foo"]'),
  S('items[item.a >= 1 and count(item.tags) > 0]'),
  S('order.lines[qty > 1].sku'),
  S('order.lines[1].price * order.lines[1].qty'),
  S('nothing[1]'),
  S('mixed[item != null]'),
  S('(n)[2]'),
  // for, some, every
  S('for x in n return x * 2'),
  S('for x in n, y in [10, 20] return x + y'),
  S('for i in 1..3 return i'),
  S('for i in 3..1 return i'),
  S('for x in n return if x = 1 then 0 else partial[-1] + x'),
  S('for x in missing return x'),
  S('for l in order.lines return l.qty * l.price'),
  S('some x in n satisfies x > 2'),
  S('every x in n satisfies x > 0'),
  S('every l in order.lines satisfies l.qty > 1'),
  S('some x in nothing satisfies x'),
  // built-in functions
  S('string length(name)'),
  S('upper case(name) + lower case(s)'),
  S('contains(s, "World")'),
  S('starts with(s, "Hell") and ends with(s, "x")'),
  S('substring(s, 1, 5)'),
  S('substring(s, -5)'),
  S('substring(string: s, start position: 7)'),
  S('substring before(s, " ") + "|" + substring after(s, " ")'),
  S('count(n)'),
  S('sum(n)'),
  S('sum(1, 2, 3)'),
  S('min(n)'),
  S('max(n)'),
  S('max(n, 7)'),
  S('mean(n)'),
  S('sum(order.lines.price)'),
  S('sum([])'),
  S('append(n, 4)'),
  S('concatenate(n, [4, 5])'),
  S('list contains(n, 2)'),
  S('distinct values([1, 1, 2, "a", "a"])'),
  S('flatten(nested)'),
  S('reverse(words)'),
  S('index of(n, 2)'),
  S('sublist(n, 2)'),
  S('all([flag, true])'),
  S('any([off, missing])'),
  S('abs(neg)'),
  S('floor(pi)'),
  S('ceiling(pi)'),
  S('round half up(2.5, 0)'),
  S('round down(pi, 2)'),
  S('decimal(pi, 2)'),
  S('modulo(10, 3)'),
  S('odd(amount)'),
  S('number("42")'),
  S('number("1,000.5", ",", ".")'),
  S('string(amount)'),
  S('string(n)'),
  S('string join(words, ", ")'),
  S('split("a,b,c", ",")'),
  S('replace(s, "o", "0")'),
  S('matches(s, "^H")'),
  S('get value(order, "total")'),
  S('get entries({a: 1})'),
  S('context put(order.customer, "vip", false)'),
  S('context merge([{a: 1}, {b: 2}])'),
  S('upper case(missing)'),
  S('upper case(5)'),
  S('count(nothing)'),
];

interface Disagreement {
  readonly source: string;
  /** Baton's answer, which is feel-scala's (`error` for an evaluation or compile error). */
  readonly baton: unknown;
  /** feelin's answer. */
  readonly feelin: unknown;
  readonly why: string;
}

const ERROR = Symbol('error');

const D = (source: string, baton: unknown, feelin: unknown, why: string): Disagreement => ({
  source,
  baton,
  feelin,
  why,
});

/** Where feelin and feel-scala disagree; Baton follows feel-scala. */
const disagreements: Disagreement[] = [
  D('0.1 + 0.2', 0.3, 0.30000000000000004, 'numbers are decimals (BigDecimal, 34 digits)'),
  D('1e3', ERROR, 1, 'FEEL has no exponent notation: `1e3` is `1` followed by a name'),
  D(
    '"say \\"hi\\"\\u0041"',
    'say "hi"\\u0041',
    'say "hi"A',
    'feel-scala reads no \\u escapes in strings',
  ),
  D('"200" > 100', null, true, 'values of different types do not compare'),
  D('"abc" >= 5', null, true, 'values of different types do not compare'),
  D('[1] = 1', null, true, 'a list is not its element'),
  D('amount > true', null, ERROR, 'values of different types do not compare'),
  D('amount > [1, 2]', null, ERROR, 'values of different types do not compare'),
  D('if 0 then "truthy" else "falsy"', 'falsy', 'truthy', 'only true takes the then branch'),
  D('amount between 200 and 100', false, true, '`between` is `x >= a and x <= b`'),
  D('amount between "a" and 3', false, ERROR, '`between` is `x >= a and x <= b`'),
  D('amount in [150..missing]', null, true, 'a range with a null end cannot decide'),
  D('amount in nothing', false, null, 'an input compared with null is false'),
  D('amount in (=150)', ERROR, true, 'feel-scala has no `=` unary test'),
  D('n[>=2]', [], [2, 3], 'a unary test in a filter compares with the absent input, not the item'),
  D('n[null]', [], null, 'a filter that is not a number filters by the items'),
  D('words["a"]', [], ['a'], 'a filter that is not a number filters by the items'),
  D(
    'items[contains(name, "o")]',
    [{ a: 1, name: 'foo', tags: ['x'] }],
    [],
    'a filter sees the entries of each item',
  ),
  D('amount[1]', null, 150, 'only a list can be filtered'),
  D('for i in 1..0 return i', [1, 0], null, 'a range counts down when its end is smaller'),
  D(
    'for c in "a".."e" return c',
    null,
    ['a', 'b', 'c', 'd', 'e'],
    'a range to iterate over is numeric',
  ),
  D('some x in [0, 1] satisfies x', null, true, 'a condition that is not a boolean is null'),
  D(
    'string(order.customer)',
    '{name:"Bob", vip:true}',
    '{name: "Bob", vip: true}',
    "feel-scala's notation for contexts",
  ),
  D('number("abc")', null, ERROR, 'a function that cannot use its arguments yields null'),
  D('sqrt(-1)', null, ERROR, 'a function that cannot use its arguments yields null'),
  D('is defined(amount)', true, ERROR, 'feel-scala has `is defined`'),
  D('count', null, ERROR, 'a built-in name is not a variable'),
  D('first name', ERROR, null, 'a name with spaces needs backticks'),
  D('foo(amount)', ERROR, ERROR, 'unknown functions are refused when the expression is compiled'),
];

const ERROR_WARNINGS: ReadonlySet<WarningType> = new Set<WarningType>([
  'NO_FUNCTION_FOUND',
  'FUNCTION_INVOCATION_FAILURE',
  'INVALID_ARGUMENTS',
  'UNSUPPORTED',
]);

const env = { now: () => Date.UTC(2024, 0, 15, 10, 0, 0) };

/** feelin's answer, under Baton's error rule and JSON conversion. */
function feelin(source: string, variables: Variables): unknown {
  try {
    const { value, warnings } = evaluate(source, variables, FEELIN_DIALECT);
    if (warnings.some((warning) => ERROR_WARNINGS.has(warning.type))) return ERROR;
    return toJsonValue(value);
  } catch {
    return ERROR;
  }
}

function baton(source: string, variables: Variables): unknown {
  try {
    return compileExpression(source).evaluate(variables, env);
  } catch (e) {
    if (e instanceof FeelEvaluationError || e instanceof FeelSyntaxError) return ERROR;
    throw e;
  }
}

describe('Baton FEEL against feelin', () => {
  it('covers a broad table', () => {
    expect(same.length).toBeGreaterThanOrEqual(150);
    expect(new Set(same.map((c) => c.source + JSON.stringify(c.with ?? {}))).size).toBe(
      same.length,
    );
  });

  describe.each(same)('$source', ({ source, with: extra }) => {
    const variables = { ...base, ...extra };

    it('answers as feelin does', () => {
      expect(baton(source, variables)).toEqual(feelin(source, variables));
    });

    it('answers the same from its variables alone', () => {
      const only: Variables = {};
      for (const name of compileExpression(source).variables) {
        if (name in variables) only[name] = variables[name];
      }
      expect(baton(source, only)).toEqual(baton(source, variables));
    });
  });

  it('exercises nulls, and errors where the two disagree', () => {
    const outcomes = same.map((c) => baton(c.source, { ...base, ...c.with }));
    expect(outcomes.filter((o) => o === null).length).toBeGreaterThanOrEqual(10);
    expect(
      disagreements.filter((d) => d.baton === ERROR || d.feelin === ERROR).length,
    ).toBeGreaterThanOrEqual(5);
  });

  describe.each(disagreements)('$source ($why)', ({ source, baton: expected, feelin: theirs }) => {
    it("gives feel-scala's answer", () => {
      expect(baton(source, base)).toEqual(expected);
    });

    it('where feelin answers otherwise', () => {
      expect(feelin(source, base)).toEqual(theirs);
    });
  });

  it('does not mutate the variables it reads', () => {
    const variables = structuredClone(base);
    for (const { source } of same) baton(source, variables);
    expect(variables).toEqual(base);
  });
});

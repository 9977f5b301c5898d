import { compileExpression, type FeelWarning } from '../../src/feel';
import { BUILTINS } from '../../src/feel/feel-builtins';

/**
 * One example per built-in function (feel-scala's `BuiltinFunctions` plus
 * Zeebe's `fromAi`), with the answer Camunda gives; the first test keeps the
 * table in step with the functions Baton ships.
 */

const env = {
  now: () => Date.UTC(2024, 0, 15, 10, 30, 0),
  random: () => 0.25,
  uuid: () => 'f81d4fae-7dec-11d0-a765-00a0c91e6bf6',
};

const examples: Record<string, readonly [string, unknown][]> = {
  // conversion
  date: [
    ['date("2024-01-15")', '2024-01-15'],
    ['date(2024, 2, 29)', '2024-02-29'],
    ['date("2024-02-30")', null],
  ],
  'date and time': [
    ['date and time("2024-01-15T10:00:00")', '2024-01-15T10:00:00'],
    ['date and time(date("2024-01-15"), time("10:00:00+01:00"))', '2024-01-15T10:00:00+01:00'],
    [
      'date and time(date and time("2024-01-15T10:00:00"), "Europe/Paris")',
      '2024-01-15T10:00:00+01:00',
    ],
  ],
  time: [
    ['time("10:30:00")', '10:30:00'],
    ['time(10, 30, 15.5)', '10:30:15.5'],
    ['time(10, 30, 0, duration("PT1H"))', '10:30:00+01:00'],
  ],
  number: [
    ['number("1500.5")', 1500.5],
    ['number("1,500.5", ",")', 1500.5],
    ['number("1.500,5", ".", ",")', 1500.5],
  ],
  string: [
    ['string(1.5)', '1.5'],
    ['string([1, "a"])', '[1, "a"]'],
    ['string(null)', null],
  ],
  duration: [
    ['duration("P1DT2H")', 'P1DT2H'],
    ['duration("P1Y2M")', 'P1Y2M'],
  ],
  'years and months duration': [
    ['years and months duration(date("2020-01-31"), date("2021-03-01"))', 'P1Y1M'],
  ],
  'from json': [['from json("{\\"a\\": [1, true]}")', { a: [1, true] }]],
  'to json': [
    ['to json({a: [1, "b", null]})', '{"a":[1,"b",null]}'],
    ['to json(duration("P1D"))', '"PT24H"'],
  ],
  // boolean
  not: [
    ['not(false)', true],
    ['not(1)', null],
  ],
  'is defined': [
    ['is defined(missing)', false],
    ['is defined(1)', true],
  ],
  'get or else': [
    ['get or else(missing, "default")', 'default'],
    ['get or else(1, 2)', 1],
  ],
  assert: [
    ['assert(1, true)', 1],
    ['assert("x", 1 < 2, "never")', 'x'],
  ],
  // strings
  substring: [
    ['substring("foobar", 3)', 'obar'],
    ['substring("foobar", -2, 1)', 'a'],
  ],
  'string length': [['string length("foo")', 3]],
  'upper case': [['upper case("aBc4")', 'ABC4']],
  'lower case': [['lower case("aBc4")', 'abc4']],
  'substring before': [['substring before("foobar", "bar")', 'foo']],
  'substring after': [['substring after("foobar", "ob")', 'ar']],
  replace: [
    ['replace("abcd", "(ab)|(a)", "[1=$1][2=$2]")', '[1=ab][2=]cd'],
    ['replace("AbC", "b", "x", "i")', 'AxC'],
  ],
  contains: [['contains("foobar", "of")', false]],
  'starts with': [['starts with("foobar", "fo")', true]],
  'ends with': [['ends with("foobar", "r")', true]],
  matches: [
    ['matches("foobar", "^fo*b")', true],
    ['matches("FOO", "foo", "i")', true],
  ],
  split: [
    ['split("a,b,,c", ",")', ['a', 'b', '', 'c']],
    ['split("a1b22c", "\\d+")', ['a', 'b', 'c']],
  ],
  extract: [['extract("a1b22c333", "\\d+")', ['1', '22', '333']]],
  trim: [['trim("  a b  ")', 'a b']],
  uuid: [['uuid()', 'f81d4fae-7dec-11d0-a765-00a0c91e6bf6']],
  'to base64': [['to base64("FEEL")', 'RkVFTA==']],
  'from base64': [
    ['from base64("RkVFTA==")', 'FEEL'],
    ['from base64("%%")', null],
  ],
  'is blank': [
    ['is blank(" \\t")', true],
    ['is blank("a")', false],
  ],
  // lists
  'list contains': [
    ['list contains([1, 2, 3], 2)', true],
    ['list contains([1, null], null)', true],
  ],
  count: [['count([1, 2, 3])', 3]],
  min: [
    ['min([3, 1, 2])', 1],
    ['min(3, 1, 2)', 1],
    ['min(["b", "a"])', 'a'],
    ['min([1, "a"])', null],
  ],
  max: [
    ['max(3, 1, 2)', 3],
    ['max([date("2024-01-01"), date("2023-01-01")])', '2024-01-01'],
  ],
  sum: [
    ['sum([1, 2, 3])', 6],
    ['sum(0.1, 0.2)', 0.3],
    ['sum([])', null],
  ],
  product: [['product(2, 3, 4)', 24]],
  mean: [['mean([1, 2, 3])', 2]],
  median: [
    ['median(8, 2, 5, 3, 4)', 4],
    ['median([6, 1, 2, 3])', 2.5],
  ],
  stddev: [['stddev(2, 4, 7, 5)', 2.0816659994661326]],
  mode: [
    ['mode(6, 3, 9, 6, 6)', [6]],
    ['mode([6, 1, 9, 6, 1])', [1, 6]],
  ],
  and: [
    ['and([true, false])', false],
    ['and(true, null)', null],
  ],
  all: [['all([true, true])', true]],
  or: [['or([false, true])', true]],
  any: [['any([false, null])', null]],
  sublist: [
    ['sublist([1, 2, 3], 2)', [2, 3]],
    ['sublist([1, 2, 3], 1, 2)', [1, 2]],
  ],
  append: [['append([1], 2, 3)', [1, 2, 3]]],
  concatenate: [['concatenate([1, 2], [3])', [1, 2, 3]]],
  'insert before': [['insert before([1, 3], 2, 2)', [1, 2, 3]]],
  remove: [['remove([1, 2, 3], 2)', [1, 3]]],
  reverse: [['reverse([1, 2, 3])', [3, 2, 1]]],
  'index of': [['index of([1, 2, 3, 2], 2)', [2, 4]]],
  union: [['union([1, 2], [2, 3])', [1, 2, 3]]],
  'distinct values': [
    ['distinct values([1, 2, 3, 2, 1])', [1, 2, 3]],
    ['distinct values([{a: 1}, {a: 1}])', [{ a: 1 }]],
  ],
  'duplicate values': [['duplicate values([1, 2, 3, 2, 1])', [1, 2]]],
  flatten: [['flatten([[1, 2], [[3]], 4])', [1, 2, 3, 4]]],
  sort: [['sort([3, 1, 4, 2], function(x, y) x < y)', [1, 2, 3, 4]]],
  'string join': [
    ['string join(["a", "b", "c"])', 'abc'],
    ['string join(["a", null, "c"], ", ")', 'a, c'],
    ['string join(["a", "b"], ", ", "[", "]")', '[a, b]'],
  ],
  'is empty': [
    ['is empty([])', true],
    ['is empty([1])', false],
  ],
  partition: [['partition([1, 2, 3, 4, 5], 2)', [[1, 2], [3, 4], [5]]]],
  // numbers
  decimal: [
    ['decimal(1/3, 2)', 0.33],
    ['decimal(2.5, 0)', 2],
    ['decimal(2.5, 0, "half_up")', 3],
  ],
  floor: [
    ['floor(1.5)', 1],
    ['floor(-1.56, 1)', -1.6],
  ],
  ceiling: [
    ['ceiling(1.5)', 2],
    ['ceiling(-1.56, 1)', -1.5],
  ],
  abs: [
    ['abs(-10)', 10],
    ['abs(duration("-PT5H"))', 'PT5H'],
  ],
  modulo: [
    ['modulo(12, 5)', 2],
    ['modulo(-12, 5)', 3],
    ['modulo(10.1, 4.5)', 1.1],
  ],
  sqrt: [['sqrt(16)', 4]],
  log: [['log(10)', 2.302585092994046]],
  exp: [['exp(5)', 148.4131591025766]],
  odd: [['odd(5)', true]],
  even: [['even(5)', false]],
  'round up': [
    ['round up(5.5, 0)', 6],
    ['round up(-5.5, 0)', -6],
  ],
  'round down': [['round down(5.5, 0)', 5]],
  'round half up': [
    ['round half up(5.5, 0)', 6],
    ['round half up(1.125, 2)', 1.13],
  ],
  'round half down': [['round half down(5.5, 0)', 5]],
  'random number': [['random number()', 0.25]],
  // contexts
  'get value': [
    ['get value({a: 1}, "a")', 1],
    ['get value({a: {b: 2}}, ["a", "b"])', 2],
  ],
  'get entries': [['get entries({a: 1})', [{ key: 'a', value: 1 }]]],
  'context put': [
    ['context put({a: 1}, "b", 2)', { a: 1, b: 2 }],
    ['context put({a: {b: 1}}, ["a", "c"], 2)', { a: { b: 1, c: 2 } }],
  ],
  put: [['put({a: 1}, "a", 2)', { a: 2 }]],
  'context merge': [['context merge([{a: 1}, {b: 2}])', { a: 1, b: 2 }]],
  'put all': [['put all([{a: 1}, {a: 2}])', { a: 2 }]],
  context: [['context([{key: "a", value: 1}])', { a: 1 }]],
  // ranges
  before: [
    ['before(1, 10)', true],
    ['before([1..5], [6..10])', true],
  ],
  after: [['after(10, [1..5])', true]],
  meets: [['meets([1..5], [5..10])', true]],
  'met by': [['met by([5..10], [1..5])', true]],
  overlaps: [['overlaps([1..5], [3..8])', true]],
  'overlaps before': [['overlaps before([1..5], [3..8])', true]],
  'overlaps after': [['overlaps after([3..8], [1..5])', true]],
  finishes: [['finishes(5, [1..5])', true]],
  'finished by': [['finished by([1..5], 5)', true]],
  includes: [['includes([1..10], 5)', true]],
  during: [['during(5, [1..10])', true]],
  starts: [['starts(1, [1..5])', true]],
  'started by': [['started by([1..5], 1)', true]],
  coincides: [
    ['coincides([1..5], [1..5])', true],
    ['coincides(5, 5)', true],
  ],
  // temporal
  now: [['now()', '2024-01-15T10:30:00Z']],
  today: [['today()', '2024-01-15']],
  'day of year': [['day of year(date("2024-03-01"))', 61]],
  'day of week': [['day of week(date("2024-01-15"))', 'Monday']],
  'month of year': [['month of year(date("2024-01-15"))', 'January']],
  'week of year': [['week of year(date("2024-01-01"))', 1]],
  'last day of month': [['last day of month(date("2024-02-10"))', '2024-02-29']],
  // Camunda 8.8 AI agent tools
  fromAi: [['fromAi(toolCall.amount, "the amount", "number")', 42]],
};

describe('built-in functions', () => {
  it('has an example for every built-in and no example for a function it lacks', () => {
    expect(Object.keys(examples).sort()).toEqual([...BUILTINS.keys()].sort());
  });

  describe.each(Object.entries(examples))('%s', (_name, cases) => {
    it.each(cases)('%s', (source, expected) => {
      expect(compileExpression(source).evaluate({ toolCall: { amount: 42 } }, env)).toEqual(
        expected,
      );
    });
  });

  it.each([
    ['substring(string: "foobar", start position: 3)', 'obar'],
    ['floor(n: 1.56, scala: 1)', 1.5],
    ['abs(number: -1)', 1],
    ['abs(n: -1)', 1],
    ['get value(m: {a: 1}, key: "a")', 1],
    ['string join(list: ["a", "b"], delimiter: "-")', 'a-b'],
    ['fromAi(value: 3)', 3],
    ['number(from: "1 000", grouping separator: " ")', 1000],
  ])('takes named parameters as feel-scala names them: %s', (source, expected) => {
    expect(compileExpression(source).evaluate({}, env)).toEqual(expected);
  });

  it('passes missing named parameters as null', () => {
    expect(compileExpression('string join(list: ["a", "b"])').evaluate({}, env)).toBe('ab');
  });

  it.each([
    ['upper case(5)', null],
    ['substring(5, 1)', null],
    ['count("abc")', null],
    ['sum([1, "a"])', null],
    ['date(true)', null],
  ])('answers wrong argument types with null: %s', (source, expected) => {
    const warnings: FeelWarning[] = [];
    expect(compileExpression(source).evaluate({}, { ...env, warnings })).toBe(expected);
    expect(warnings).toEqual([expect.objectContaining({ type: 'FUNCTION_INVOCATION_FAILURE' })]);
  });
});

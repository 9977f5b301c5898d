import { parseDate } from '@baton/engine';
import { unaryTest } from 'feelin';
import { compileExpression, compileUnaryTests, FeelSyntaxError } from '../src/feel-adapter';

/**
 * DMN unary tests (Baton's FEEL compiled for DMN) against feelin's
 * `unaryTest`, the reference: a test matches exactly when feelin says `true`.
 */
type Kind = 'number' | 'string' | 'boolean';

const TESTS: Array<[string, Kind]> = [
  ['-', 'number'],
  ['""', 'string'],
  ['5', 'number'],
  ['-5', 'number'],
  ['"gold"', 'string'],
  ['"gold", "silver"', 'string'],
  ['not("gold")', 'string'],
  ['not(1, 2)', 'number'],
  ['true', 'boolean'],
  ['false', 'boolean'],
  ['null', 'number'],
  ['< 10', 'number'],
  ['<= 10', 'number'],
  ['> 10', 'number'],
  ['>= 10', 'number'],
  ['= 10', 'number'],
  ['< "m"', 'string'],
  ['[1..10]', 'number'],
  ['(1..10)', 'number'],
  [']1..10[', 'number'],
  ['[1..10)', 'number'],
  ['["a".."m"]', 'string'],
  ['< 0, > 100', 'number'],
  ['not([1..10], 20)', 'number'],
  ['> limit', 'number'],
  ['[low..high]', 'number'],
  ['not(> limit)', 'number'],
];

const INPUTS: Record<Kind, unknown[]> = {
  number: [null, -5, 0, 1, 5, 10, 10.5, 20, 101],
  string: [null, 'gold', 'silver', 'a', 'm', 'z', ''],
  boolean: [null, true, false],
};

describe('feel-adapter unary tests', () => {
  const context = { limit: 5, low: 1, high: 10 };

  it.each(TESTS)('%s matches exactly where feelin unaryTest is true', (source, kind) => {
    const compiled = compileUnaryTests(source);
    const mismatches = INPUTS[kind].filter((input) => {
      const reference = unaryTest(source, { ...context, '?': input }, 'camunda').value === true;
      return (compiled.test(input, context) === true) !== reference;
    });
    expect(mismatches).toEqual([]);
  });

  it('values of another type never match a literal test (feelin coerces "" < 10 to true)', () => {
    expect(
      ['', 'a', true, false, [1], { a: 1 }].map((input) => compileUnaryTests('< 10').test(input)),
    ).toEqual([false, false, false, false, false, false]);
    expect(compileUnaryTests('[1..10]').test('5')).toBe(false);
    expect(compileUnaryTests('not(1, 2)').test('1')).toBe(true);
  });

  it('reads a boolean expression as equality with a boolean input, and as the test otherwise', () => {
    const test = compileUnaryTests('flag');
    expect(test.test(false, { flag: false })).toBe(true);
    expect(test.test(true, { flag: false })).toBe(false);
    expect(compileUnaryTests('? > 3 and ? < 5').test(4)).toBe(true);
    expect(compileUnaryTests('x > 3').test('anything', { x: 4 })).toBe(true);
  });

  it('tests FEEL values that are not JSON (dates)', () => {
    const test = compileUnaryTests('[date("2020-01-01")..date("2020-12-31")]');
    expect(test.test(parseDate('2020-06-01'))).toBe(true);
    expect(test.test(parseDate('2021-06-01'))).toBe(false);
  });

  it('refuses unary tests and expressions that do not parse', () => {
    expect(() => compileUnaryTests('[1..')).toThrow(FeelSyntaxError);
    expect(() => compileExpression('1 +')).toThrow(FeelSyntaxError);
  });

  it('parses names with spaces when they are in scope', () => {
    const expression = compileExpression('Monthly Salary * 12', ['Monthly Salary']);
    expect(expression.evaluate({ 'Monthly Salary': 100 })).toBe(1200);
  });
});

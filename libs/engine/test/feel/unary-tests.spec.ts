import { compileUnaryTests, FeelSyntaxError, FeelUnknownFunctionError } from '../../src/feel';

/**
 * Unary tests (DMN input entries): `test(input, context?, env?)` answers
 * true, false, or null when the tests cannot decide.
 */

describe('unary tests', () => {
  it.each([
    ['-', 5, true],
    ['-', null, true],
    ['< 10', 5, true],
    ['< 10', 10, false],
    ['<= 10', 10, true],
    ['> 10', '11', null],
    ['>= limit', 11, true],
    ['[1..5]', 5, true],
    ['[1..5)', 5, false],
    ['(1..5]', 1, false],
    [']1..5]', 1, false],
    ['[1..5], [10..20]', 15, true],
    ['[date("2024-01-01")..date("2024-12-31")]', null, null],
    ['"a", "b"', 'b', true],
    ['"a", "b"', 'c', false],
    ['not("x")', 'x', false],
    ['not("x")', 'y', true],
    ['not(< 3, > 7)', 5, true],
    ['? > 3', 4, true],
    ['? > 3', 'x', null],
    ['starts with(?, "ab")', 'abc', true],
    ['x', 2, true],
    ['x + 1', 2, false],
    ['list', 'b', true],
    ['limit > 3', 'anything', true],
    ['true', true, true],
    ['false', true, false],
    ['null', null, true],
    ['5', '5', null],
    ['[1, 2]', [1, 2], true],
    ['date("2024-01-15")', '2024-01-15', null],
    ['is defined(?)', null, false],
  ])('%s with input %j is %j', (source, input, expected) => {
    expect(
      compileUnaryTests(source).test(
        input,
        { x: 2, limit: 10, list: ['a', 'b'] },
        { now: () => 0 },
      ),
    ).toBe(expected);
  });

  it('reads only the variables it names', () => {
    expect(compileUnaryTests('>= min, < max').variables).toEqual(['min', 'max']);
    expect(compileUnaryTests('[1..5]').variables).toEqual([]);
  });

  it('refuses what does not parse and unknown functions, like expressions', () => {
    expect(() => compileUnaryTests('< ')).toThrow(FeelSyntaxError);
    expect(() => compileUnaryTests('= 5')).toThrow(FeelSyntaxError);
    expect(() => compileUnaryTests('foo(?)')).toThrow(FeelUnknownFunctionError);
  });

  it('treats an absent input as null', () => {
    expect(compileUnaryTests('null').test(undefined)).toBe(true);
    expect(compileUnaryTests('< 3').test(undefined)).toBeNull();
  });
});

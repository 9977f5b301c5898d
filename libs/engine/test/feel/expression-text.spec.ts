import { expressionSource, isExpression } from '../../src/feel';

describe('expression text', () => {
  it.each([
    ['= amount > 100', true, 'amount > 100'],
    ['  =amount', true, 'amount'],
    ['=\n  a +\n  b\n', true, 'a +\n  b'],
    ['=', true, ''],
    ['charge-card', false, 'charge-card'],
    ['a = b', false, 'a = b'],
    ['', false, ''],
  ])('%j', (value, expression, source) => {
    expect(isExpression(value)).toBe(expression);
    expect(expressionSource(value)).toBe(source);
  });
});

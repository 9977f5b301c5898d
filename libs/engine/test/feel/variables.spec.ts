import { compileExpression } from '../../src/feel';

describe('variables', () => {
  it.each([
    ['amount > 100', ['amount']],
    ['order.customer.name = "Bob"', ['order']],
    ['`first name` + " " + `last name`', ['first name', 'last name']],
    ['`order-id` = id', ['order-id', 'id']],
    ['upper case(name) = lower case(name)', ['name']],
    ['sum(order.lines.price) > limit', ['order', 'limit']],
    ['if approved then amount else 0', ['approved', 'amount']],
    ['{total: a + b}.total', ['a', 'b']],
    ['42', []],
    ['"text"', []],
    ['// a comment\namount', ['amount']],
  ])('%s reads %j', (source, expected) => {
    expect(compileExpression(source).variables).toEqual(expected);
  });

  it.each([
    ['items[price > limit]', ['items', 'price', 'limit']],
    ['items[item.price > limit]', ['items', 'limit']],
  ])('%s over-approximates with the names an item may hold: %j', (source, expected) => {
    expect(compileExpression(source).variables).toEqual(expected);
  });

  it.each([
    ['for x in xs return x * factor', ['xs', 'factor']],
    ['some i in items satisfies i.qty > `min qty`', ['items', 'min qty']],
    ['{a: 1, b: a + c}', ['c']],
    ['{f: function(x) x + y, r: f(1)}', ['y']],
    ['for i in 1..3 return partial', []],
  ])('%s leaves out names bound in the expression: %j', (source, expected) => {
    expect(compileExpression(source).variables).toEqual(expected);
  });

  it('lists variables, not function names', () => {
    const expression = compileExpression(
      'date(due) + duration(grace) < today() and count(items) > 0',
    );
    expect(expression.variables).toEqual(['due', 'grace', 'items']);
  });

  it('lets a filter element shadow a variable, and reads the variable otherwise', () => {
    const expression = compileExpression('items[price > limit]');
    const items = [{ price: 5 }, { price: 20, limit: 50 }, { price: 30 }];
    expect(expression.evaluate({ items, limit: 10 })).toEqual([{ price: 30 }]);
  });

  it('calls the built-in when the instance has a variable named like the function', () => {
    // the context is built from `variables`, which holds no function names
    const expression = compileExpression('upper case(name)');
    const context = Object.fromEntries(expression.variables.map((name) => [name, 'ann']));
    expect(expression.evaluate(context)).toBe('ANN');
  });

  it('evaluates a missing variable as null, and so does the engine context (null for absent names)', () => {
    const expression = compileExpression('if discount = null then amount else amount - discount');
    expect(expression.evaluate({ amount: 10 })).toBe(10);
    expect(expression.evaluate({ amount: 10, discount: null })).toBe(10);
    expect(expression.evaluate({ amount: 10, discount: 3 })).toBe(7);
  });

  it('is frozen', () => {
    expect(Object.isFrozen(compileExpression('a + b').variables)).toBe(true);
  });
});

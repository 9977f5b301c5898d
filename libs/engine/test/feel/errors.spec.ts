import { compileExpression, FeelEvaluationError, FeelSyntaxError } from '../../src/feel';

function syntaxError(source: string): FeelSyntaxError {
  try {
    compileExpression(source);
  } catch (e) {
    if (e instanceof FeelSyntaxError) return e;
    throw e;
  }
  throw new Error(`'${source}' compiled`);
}

function evaluationError(
  source: string,
  variables: Record<string, unknown> = {},
): FeelEvaluationError {
  const expression = compileExpression(source);
  try {
    expression.evaluate(variables);
  } catch (e) {
    if (e instanceof FeelEvaluationError) return e;
    throw e;
  }
  throw new Error(`'${source}' evaluated`);
}

describe('syntax errors', () => {
  it.each([
    ['amount >', "the expression is incomplete: something is missing after '>' at column 9", 8],
    [
      'if approved then',
      "the expression is incomplete: something is missing after 'then' at column 17",
      16,
    ],
    ['amount > then', "unexpected 'then' at column 10", 9],
    ['x in ()', "unexpected ')' at column 7", 6],
    ['a +\n  * b', "unexpected '*' at line 2, column 3", 6],
    ['{a: }', "unexpected '}' at column 5", 4],
    ['1 2', "unexpected '2' at column 3", 2],
    ['', 'the expression is empty', 0],
    ['   ', 'the expression is empty', 0],
  ])('%j: %s', (source, message, from) => {
    const error = syntaxError(source);
    expect(error).toBeInstanceOf(FeelSyntaxError);
    expect(error.name).toBe('FeelSyntaxError');
    expect(error.source).toBe(source);
    expect(error.message).toBe(message);
    expect(error.position?.from).toBe(from);
  });

  it('does not repeat the expression in the message (the deploy error names it)', () => {
    expect(syntaxError('order.total >').message).not.toContain('order.total');
  });
});

describe('evaluation errors', () => {
  it.each([
    ['foo(amount)', "cannot evaluate 'foo(amount)': no function named 'foo'"],
    ['is defined(amount)', "cannot evaluate 'is defined(amount)': no function named 'is defined'"],
    [
      'upper case(name, 1)',
      "cannot evaluate 'upper case(name, 1)': 'upper case' does not take these arguments " +
        "(Cannot invoke 'function(string)' with parameters '[2 items]')",
    ],
    [
      'number("abc")',
      `cannot evaluate 'number("abc")': number(from) expects a numeric string, got '"abc"'`,
    ],
    [
      'date("tomorrow")',
      `cannot evaluate 'date("tomorrow")': date('"tomorrow"') is not a valid date`,
    ],
    ['amount > [1, 2]', "cannot evaluate 'amount > [1, 2]': cannot compare 150 with [1, 2]"],
    [
      'amount between "a" and 3',
      `cannot evaluate 'amount between "a" and 3': cannot build a range from "a" to 3`,
    ],
    [
      'count',
      "cannot evaluate 'count': the expression yields a function, which is not a value a variable can hold",
    ],
    [
      '[1..3]',
      "cannot evaluate '[1..3]': the expression yields the range [1..3], which is not a value a variable can hold",
    ],
  ])('%s', (source, message) => {
    const error = evaluationError(source, { amount: 150, name: 'Ann' });
    expect(error.name).toBe('FeelEvaluationError');
    expect(error.source).toBe(source);
    expect(error.message).toBe(message);
  });

  it('reports the same error whichever path evaluates it', () => {
    // `upper case` is compiled; the date constructor makes feelin evaluate the whole expression
    const compiled = evaluationError('upper case(name, 1)', { name: 'Ann' });
    const viaFeelin = evaluationError('upper case(name, 1) = string(date("2020-01-01"))', {
      name: 'Ann',
    });
    expect(compileExpression('upper case(name, 1)').mode).toBe('compiled');
    expect(compileExpression('upper case(name, 1) = string(date("2020-01-01"))').mode).toBe(
      'fallback',
    );
    expect(viaFeelin.message).toContain(
      compiled.message.replace("cannot evaluate 'upper case(name, 1)': ", ''),
    );
  });

  it.each([
    ['missing > 100', null],
    ['missing.total', null],
    ['order.missing', null],
    ['order.total + "x"', null],
    ['upper case(missing)', null],
    ['missing = null', true],
    ['if missing then 1 else 2', 2],
  ])('%s is FEEL null logic, not an error', (source, expected) => {
    expect(compileExpression(source).evaluate({ order: { total: 1 } })).toBe(expected);
  });
});

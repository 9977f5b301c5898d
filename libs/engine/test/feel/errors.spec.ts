import {
  compileExpression,
  FeelEvaluationError,
  FeelSyntaxError,
  FeelUnknownFunctionError,
  quoteExpression,
} from '../../src/feel';

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
    expression.evaluate(variables, { now: () => 0 });
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
    ['"open', 'a string is not closed (`"` is missing) at column 1', 0],
    ['a /* b', 'a comment is not closed (`*/` is missing)', 2],
    ['', 'the expression is empty', 0],
    ['   ', 'the expression is empty', 0],
    ['function(x) external {java: {}}', 'external functions are not supported', 12],
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

  it('refuses deep nesting instead of overflowing the stack', () => {
    const deep = `${'('.repeat(5000)}1${')'.repeat(5000)}`;
    expect(syntaxError(deep).message).toBe('the expression nests deeper than 200 levels');
    expect(compileExpression(`${'('.repeat(190)}1${')'.repeat(190)}`).evaluate({})).toBe(1);
    const chain = Array.from({ length: 5000 }, (_, i) => `a${i}`).join(' + ');
    expect(syntaxError(chain).message).toBe('the expression nests deeper than 1000 levels');
    expect(compileExpression(Array.from({ length: 900 }, () => '1').join(' + ')).evaluate({})).toBe(
      900,
    );
  });

  it('reports an error at the end of a 400 KB expression with a short message', () => {
    const source = `[${Array.from({ length: 60_000 }, (_, i) => String(i)).join(', ')}, ]`;
    expect(source.length).toBeGreaterThan(400_000);
    const error = syntaxError(source);
    expect(error.message).toBe(`unexpected ']' at column ${source.length}`);
    expect(error.position?.from).toBe(source.length - 1);
    expect(error.message.length).toBeLessThan(100);
  });

  it('compiles a valid 400 KB expression (the parser is linear)', () => {
    const source = `count([${Array.from({ length: 60_000 }, (_, i) => String(i)).join(', ')}])`;
    expect(compileExpression(source).evaluate({})).toBe(60_000);
  });
});

describe('unknown functions are refused at compile time', () => {
  it.each([
    ['foo(amount)', 'foo', "unknown function 'foo'"],
    ['legacy checksum(x)', 'legacy checksum', "unknown function 'legacy checksum'"],
    [
      'upper case(name, 1)',
      'upper case',
      "unknown function 'upper case' with 2 parameters (it takes (string))",
    ],
    [
      'substring(text: "a")',
      'substring',
      "unknown function 'substring' with parameters: text (it takes (string, start position) or (string, start position, length))",
    ],
    ['order.total(1)', 'order.total', "unknown function 'order.total'"],
    ['{r: f(1), f: function(x) x}', 'f', "unknown function 'f'"],
  ])('%s', (source, name, message) => {
    const error = syntaxError(source);
    expect(error).toBeInstanceOf(FeelUnknownFunctionError);
    expect((error as FeelUnknownFunctionError).functionName).toBe(name);
    expect(error.message).toBe(message);
  });

  it.each([
    ['{f: function(x) x * 2, r: f(21)}.r', 42],
    ['{utils: {double: function(x) x * 2}, r: utils.double(4)}.r', 8],
    ['{count: function(l) 42, r: count([1])}.r', 42],
    ['is defined(x)', false],
    ['fromAi(x, "an amount")', null],
    ['get or else(x, 1)', 1],
  ])('a function of the expression or a built-in is known: %s', (source, expected) => {
    expect(compileExpression(source).evaluate({})).toBe(expected);
  });

  it('refuses a literal pattern the linear-time engine cannot run', () => {
    expect(syntaxError('matches(x, "(a)\\1")').message).toMatch(/uses backreferences/);
    expect(syntaxError('replace(x, "(?=a)", "b")').message).toMatch(/uses lookaround/);
  });
});

describe('evaluation errors', () => {
  it.each([
    [
      'assert(x, x > 0)',
      { x: -1 },
      "cannot evaluate 'assert(x, x > 0)': assertion failed: The condition is not fulfilled",
    ],
    [
      'assert(x, x > 0, "x must be positive")',
      { x: -1 },
      `cannot evaluate 'assert(x, x > 0, "x must be positive")': assertion failed: x must be positive`,
    ],
    [
      '? > 1',
      {},
      "cannot evaluate '? > 1': No input value available. '?' can only be used inside an unary-test expression.",
    ],
    [
      'modulo(1, 0)',
      {},
      "cannot evaluate 'modulo(1, 0)': Division by zero (modulo with a divisor of 0)",
    ],
    [
      'substring("abc", 5)',
      {},
      'cannot evaluate \'substring("abc", 5)\': begin 4, end 3, length 3 (substring out of range)',
    ],
    ['log(0)', {}, "cannot evaluate 'log(0)': log(0) is not a finite number"],
    [
      'function(a) a + 1',
      {},
      "cannot evaluate 'function(a) a + 1': the expression yields a function, which is not a value a variable can hold",
    ],
    [
      'get or else([1..3], 0)',
      {},
      "cannot evaluate 'get or else([1..3], 0)': the expression yields the range [1..3], which is not a value a variable can hold",
    ],
    [
      'matches(x, p)',
      { x: 'aa', p: '(a)\\1' },
      "cannot evaluate 'matches(x, p)': the pattern '(a)\\1' uses backreferences, which the linear-time regular expression engine does not support",
    ],
  ])('%s', (source, variables, message) => {
    const error = evaluationError(source, variables);
    expect(error.name).toBe('FeelEvaluationError');
    expect(error.source).toBe(source);
    expect(error.message).toBe(message);
  });

  it('quotes at most 200 characters of a long expression', () => {
    const source = `assert(1, false) + count([${Array.from({ length: 10_000 }, (_, i) => `a${i}`).join(', ')}])`;
    const error = evaluationError(source);
    expect(error.message).toBe(
      `cannot evaluate '${source.slice(0, 200)}…': assertion failed: The condition is not fulfilled`,
    );
    expect(quoteExpression('short')).toBe("'short'");
  });

  it.each([
    ['missing > 100', null],
    ['missing.total', null],
    ['order.missing', null],
    ['order.total + "x"', null],
    ['upper case(missing)', null],
    ['number("abc")', null],
    ['"1500" > 1000', null],
    ['"true" = true', null],
    ['missing = null', true],
    ['if missing then 1 else 2', 2],
  ])('%s is FEEL null logic, not an error', (source, expected) => {
    expect(compileExpression(source).evaluate({ order: { total: 1 } })).toBe(expected);
  });
});

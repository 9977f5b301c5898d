import { compileExpression, FeelEvaluationError, type FeelWarning } from '../../src/feel';

/** `matches`, `replace`, `split` and `extract` run on RE2 (re2js) with XPath's flags. */

const evaluate = (source: string, variables: Record<string, unknown> = {}): unknown =>
  compileExpression(source).evaluate(variables);

describe('regular expressions', () => {
  it.each([
    ['matches("abc", "b")', true],
    ['matches("abc", "^b")', false],
    ['matches("ABC", "b", "i")', true],
    ['matches("a\nb", "^b$")', false],
    ['matches("a\nb", "^b$", "m")', true],
    ['matches("a\nb", "a.b")', false],
    ['matches("a\nb", "a.b", "s")', true],
    ['matches("abc", "a b c", "x")', true],
    ['matches("abc", "a b # a comment\n c", "x")', true],
    ['matches("a.c", "a.c", "q")', true],
    ['matches("abc", "a.c", "q")', false],
    ['matches("2024-01-15", "^\\d{4}-\\d{2}-\\d{2}$")', true],
    ['replace("abc", "b", "[$0]")', 'a[b]c'],
    ['replace("John Smith", "(\\w+) (\\w+)", "$2, $1")', 'Smith, John'],
    ['replace("abc", "(?<x>b)", "${x}${x}")', 'abbc'],
    ['replace("a.b.c", "\\.", "\\$")', 'a$b$c'],
    ['replace("AbC", "[a-z]", "-", "i")', '---'],
    ['split("a1b2c", "[0-9]")', ['a', 'b', 'c']],
    ['split("a,b,", ",")', ['a', 'b', '']],
    ['split("abc", "")', ['a', 'b', 'c', '']],
    ['extract("ref 12, ref 345", "\\d+")', ['12', '345']],
    ['extract("abc", "x")', []],
  ])('%s', (source, expected) => {
    expect(evaluate(source)).toEqual(expected);
  });

  it('yields null for a pattern that is invalid in any engine, as feel-scala does', () => {
    const warnings: FeelWarning[] = [];
    expect(
      compileExpression('matches("a", p)').evaluate({ p: '(' }, { now: () => 0, warnings }),
    ).toBeNull();
    expect(warnings).toEqual([expect.objectContaining({ type: 'FUNCTION_INVOCATION_FAILURE' })]);
    expect(evaluate('replace("a", "a", "$9")')).toBeNull();
  });

  it('fails the evaluation for a pattern RE2 cannot run, naming the construct', () => {
    for (const [pattern, construct] of [
      ['(a)\\1', 'backreferences'],
      ['a(?=b)', 'lookaround'],
      ['(?<!a)b', 'lookaround'],
      ['(?>a)', 'atomic groups'],
      ['a++', 'possessive quantifiers'],
    ]) {
      let error: unknown;
      try {
        evaluate('matches("ab", p)', { p: pattern });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(FeelEvaluationError);
      expect((error as Error).message).toContain(`uses ${construct}`);
    }
  });

  it('takes time linear in the input, whatever the pattern', () => {
    const input = 'a'.repeat(200_000);
    expect(evaluate('matches(s, "(a+)+$")', { s: input })).toBe(true);
    expect(evaluate('matches(s, "(a+)+$")', { s: `${input}!` })).toBe(false);
    expect(evaluate('matches(s, "^(a|aa)*$")', { s: `${input}!` })).toBe(false);
    expect(evaluate('string length(replace(s, "(a*)*b", "x"))', { s: input })).toBe(200_000);
  });

  it('bounds what a replacement builds', () => {
    let error: unknown;
    try {
      evaluate('replace(s, "", r)', { s: 'a'.repeat(10_000), r: 'x'.repeat(1_000) });
    } catch (e) {
      error = e;
    }
    expect((error as FeelEvaluationError).limit).toBe('maxStringLength');
  });
});

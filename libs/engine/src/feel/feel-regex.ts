import { RE2JS, type Matcher } from 're2js';
import {
  checkListLength,
  checkStringLength,
  FeelFailure,
  limitExceeded,
  spend,
  type EvalState,
} from './feel-state';

/**
 * Regular expressions for `matches`, `replace`, `split` and `extract`, on
 * re2js (a port of RE2): matching takes time linear in the input, so no
 * pattern can backtrack catastrophically (`(a+)+$` against `aaaa...!` is
 * instant, where Java, and so feel-scala, takes minutes).
 *
 * feel-scala compiles patterns with `java.util.regex`. RE2 covers its
 * syntax except backreferences (`\1`), lookaround (`(?=`, `(?<!`...),
 * atomic groups and possessive quantifiers: a pattern that uses them fails
 * the evaluation with an error that says so (an incident), rather than
 * silently yielding `null`; a pattern that is invalid in any engine yields
 * `null`, as in feel-scala.
 *
 * Flags are those of XPath (`fn:matches`) as feel-scala reads them: `s` dot
 * matches newlines, `m` multi-line anchors, `i` case-insensitive, `x` free
 * spacing (whitespace and `#` comments outside classes are dropped, like
 * Java's COMMENTS), and `q` (XPath only, not in feel-scala) takes the pattern
 * literally.
 */

/** The pattern is invalid: the function yields `null`. */
export class InvalidPattern {
  constructor(readonly message: string) {}
}

const UNSUPPORTED: readonly [RegExp, string][] = [
  [/\(\?<?[=!]/, 'lookaround'],
  [/\\[1-9]|\\k</, 'backreferences'],
  [/\(\?>/, 'atomic groups'],
  [/[*+?}]\+/, 'possessive quantifiers'],
];

const CACHE_SIZE = 256;
const cache = new Map<string, RE2JS | InvalidPattern>();

/** Drops whitespace and `#` comments outside character classes (Java `COMMENTS`). */
function stripFreeSpacing(pattern: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '\\' && i + 1 < pattern.length) {
      out += ch + pattern[++i];
      continue;
    }
    if (inClass) {
      if (ch === ']') inClass = false;
      out += ch;
    } else if (ch === '[') {
      inClass = true;
      out += ch;
    } else if (ch === '#') {
      while (i + 1 < pattern.length && pattern[i + 1] !== '\n') i++;
    } else if (!/\s/.test(ch)) {
      out += ch;
    }
  }
  return out;
}

/** Why a pattern cannot run on a linear-time engine, if it cannot. */
export function unsupportedConstruct(pattern: string): string | undefined {
  for (const [test, what] of UNSUPPORTED) if (test.test(pattern)) return what;
  return undefined;
}

/**
 * The compiled pattern (cached), an {@link InvalidPattern}, or a
 * {@link FeelFailure} thrown for a pattern RE2 cannot express.
 */
export function compilePattern(pattern: string, flags = ''): RE2JS | InvalidPattern {
  const key = `${flags}\u0000${pattern}`;
  const cached = cache.get(key);
  if (cached !== undefined) return cached;
  let source = pattern;
  let bits = 0;
  if (flags.includes('q')) source = RE2JS.quote(pattern);
  else if (flags.includes('x')) source = stripFreeSpacing(pattern);
  if (flags.includes('s')) bits |= RE2JS.DOTALL;
  if (flags.includes('m')) bits |= RE2JS.MULTILINE;
  if (flags.includes('i')) bits |= RE2JS.CASE_INSENSITIVE;
  let compiled: RE2JS | InvalidPattern;
  try {
    compiled = RE2JS.compile(source, bits);
  } catch (e) {
    const construct = flags.includes('q') ? undefined : unsupportedConstruct(source);
    if (construct !== undefined) {
      throw new FeelFailure(
        `the pattern ${quotePattern(pattern)} uses ${construct}, which the linear-time regular expression engine does not support`,
      );
    }
    compiled = new InvalidPattern(
      `Invalid pattern ${quotePattern(pattern)}: ${(e as Error).message}`,
    );
  }
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  cache.set(key, compiled);
  return compiled;
}

function quotePattern(pattern: string): string {
  return `'${pattern.length > 60 ? `${pattern.slice(0, 60)}…` : pattern}'`;
}

/** Scanning an input costs work in proportion to its length. */
function scan(state: EvalState, input: string): void {
  spend(state, 1 + (input.length >> 4));
}

export function regexMatches(state: EvalState, re: RE2JS, input: string): boolean {
  scan(state, input);
  return re.matcher(input).find();
}

/** Java `Matcher.replaceAll`: `$n`, `${name}` and `\x` in the replacement; the result is bounded as it grows. */
export function regexReplace(
  state: EvalState,
  re: RE2JS,
  input: string,
  replacement: string,
): string | InvalidPattern {
  scan(state, input);
  const m = re.matcher(input);
  let out = '';
  let last = 0;
  while (m.find()) {
    out += input.slice(last, m.start());
    const expanded = expand(m, replacement);
    if (expanded instanceof InvalidPattern) return expanded;
    out += expanded;
    if (out.length > state.limits.maxStringLength) throw limitExceeded(state, 'maxStringLength');
    last = m.end();
    spend(state, 1);
  }
  out += input.slice(last);
  checkStringLength(state, out.length);
  return out;
}

function expand(m: Matcher, replacement: string): string | InvalidPattern {
  if (!replacement.includes('$') && !replacement.includes('\\')) return replacement;
  let out = '';
  for (let i = 0; i < replacement.length; i++) {
    const ch = replacement[i];
    if (ch === '\\') {
      if (i + 1 >= replacement.length)
        return new InvalidPattern('character to be escaped is missing');
      out += replacement[++i];
    } else if (ch === '$') {
      if (replacement[i + 1] === '{') {
        const close = replacement.indexOf('}', i);
        if (close === -1)
          return new InvalidPattern("named capturing group is missing trailing '}'");
        const name = replacement.slice(i + 2, close);
        try {
          out += m.group(name) ?? '';
        } catch {
          return new InvalidPattern(`No group with name {${name}}`);
        }
        i = close;
      } else {
        let j = i + 1;
        if (j >= replacement.length || !/\d/.test(replacement[j])) {
          return new InvalidPattern('Illegal group reference');
        }
        let group = Number(replacement[j]);
        // Java takes as many digits as still name an existing group
        while (j + 1 < replacement.length && /\d/.test(replacement[j + 1])) {
          const next = group * 10 + Number(replacement[j + 1]);
          if (next > m.groupCount()) break;
          group = next;
          j++;
        }
        if (group > m.groupCount()) return new InvalidPattern(`No group ${group}`);
        out += m.group(group) ?? '';
        i = j;
      }
    } else {
      out += ch;
    }
  }
  return out;
}

/** Java `Pattern.split(input, -1)`: trailing empty strings kept, no empty first item for a zero-width match at 0. */
export function regexSplit(state: EvalState, re: RE2JS, input: string): string[] {
  scan(state, input);
  const m = re.matcher(input);
  const parts: string[] = [];
  let index = 0;
  while (m.find()) {
    if (index === 0 && m.start() === 0 && m.end() === 0) continue;
    parts.push(input.slice(index, m.start()));
    index = m.end();
    checkListLength(state, parts.length + 1);
    spend(state, 1);
    if (m.end() === m.start() && m.end() >= input.length) break;
  }
  if (index === 0 && parts.length === 0) return [input];
  parts.push(input.slice(index));
  return parts;
}

/** Every match (`extract`). */
export function regexExtract(state: EvalState, re: RE2JS, input: string): string[] {
  scan(state, input);
  const m = re.matcher(input);
  const found: string[] = [];
  while (m.find()) {
    found.push(m.group() ?? '');
    checkListLength(state, found.length);
    spend(state, 1);
  }
  return found;
}

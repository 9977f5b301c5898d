import { Temporal } from 'temporal-polyfill';
import * as num from './feel-number';
import {
  compilePattern,
  InvalidPattern,
  regexExtract,
  regexMatches,
  regexReplace,
  regexSplit,
} from './feel-regex';
import {
  checkContextSize,
  checkListLength,
  checkStringLength,
  FeelFailure,
  spend,
  type EvalState,
} from './feel-state';
import {
  combine,
  dateOf,
  datePart,
  dateTimeAt,
  inZone,
  monthsBetween,
  parseDate,
  parseDateTime,
  parseDuration,
  parseTime,
  timeOf,
  timeOfDateTime,
} from './feel-temporal';
import {
  compareSameKind,
  describe,
  entryOf,
  feelEquals,
  FeelDate,
  FeelDateTime,
  FeelDaysTimeDuration,
  FeelFunction,
  FeelLocalDateTime,
  FeelLocalTime,
  FeelRange,
  FeelTime,
  FeelYearsMonthsDuration,
  formatNumber,
  isContext,
  isScalarComparable,
  kindOf,
  newContext,
  putEntry,
  type Kind,
} from './feel-values';

/**
 * Camunda 8's built-in functions: feel-scala's `BuiltinFunctions` (its
 * `impl/builtin/*BuiltinFunctions.scala`), overload for overload, with the
 * parameter names it declares (named invocation), plus Zeebe's `fromAi`.
 *
 * An overload answers arguments of the types it takes; anything else is
 * feel-scala's "Illegal arguments" failure, which the evaluator turns into
 * `null` with a warning. What throws an exception in feel-scala (a
 * `java.lang.ArithmeticException` from `modulo(1, 0)`, an out-of-range
 * `substring`) fails the whole evaluation, as it does there.
 */

/** A failed call: `null` with a `FUNCTION_INVOCATION_FAILURE` warning (an assertion: an error). */
export class InvocationFailure {
  constructor(readonly message: string) {}
}

export interface BuiltinFunction {
  readonly name: string;
  readonly params: readonly string[];
  readonly varArgs: boolean;
  readonly invoke: (args: unknown[], state: EvalState) => unknown;
}

/** No overload case matched the arguments. */
const NO_MATCH: unique symbol = Symbol('no match');
type Result = unknown;

const registry = new Map<string, BuiltinFunction[]>();
/**
 * DMN 1.5's built-ins and overloads that Camunda 8 does not have (`is`,
 * `list replace`, strings counted in code points, ...): found first when
 * an expression is compiled for DMN, never for BPMN.
 */
const dmnRegistry = new Map<string, BuiltinFunction[]>();

function define(
  name: string,
  params: readonly string[],
  invoke: (args: unknown[], state: EvalState) => Result,
  varArgs = false,
  target: Map<string, BuiltinFunction[]> = registry,
): void {
  const fn: BuiltinFunction = {
    name,
    params,
    varArgs,
    invoke: (args, state) => {
      const result = invoke(args, state);
      if (result === NO_MATCH) {
        return new InvocationFailure(
          `Illegal arguments: ${args.map((a) => `'${describe(a)}'`).join(', ')}`,
        );
      }
      return result;
    },
  };
  const overloads = target.get(name);
  if (overloads === undefined) target.set(name, [fn]);
  else overloads.push(fn);
}

function defineDmn(
  name: string,
  params: readonly string[],
  invoke: (args: unknown[], state: EvalState) => Result,
  varArgs = false,
): void {
  define(name, params, invoke, varArgs, dmnRegistry);
}

function alias(name: string, target: string): void {
  for (const fn of registry.get(target) ?? []) define(name, fn.params, fn.invoke, fn.varArgs);
}

export const BUILTINS: ReadonlyMap<string, readonly BuiltinFunction[]> = registry;

/** feel-scala `EvalContext.function(name, paramCount)`: the first overload taking that many arguments. */
export function builtinForArity(
  name: string,
  count: number,
  dmn = false,
): BuiltinFunction | undefined {
  const fits = (f: BuiltinFunction): boolean =>
    f.params.length === count || (f.params.length < count && f.varArgs);
  return (dmn ? dmnRegistry.get(name)?.find(fits) : undefined) ?? registry.get(name)?.find(fits);
}

/** feel-scala `EvalContext.function(name, parameters)`: the first overload declaring all those names. */
export function builtinForNames(
  name: string,
  names: ReadonlySet<string>,
  dmn = false,
): BuiltinFunction | undefined {
  const fits = (f: BuiltinFunction): boolean => [...names].every((n) => f.params.includes(n));
  return (dmn ? dmnRegistry.get(name)?.find(fits) : undefined) ?? registry.get(name)?.find(fits);
}

/** Whether a built-in of that name exists (for DMN, counting its own). */
export function isBuiltinName(name: string, dmn = false): boolean {
  return registry.has(name) || (dmn && dmnRegistry.has(name));
}

// argument helpers ///////////////////////////////////////////////////

const isString = (v: unknown): v is string => typeof v === 'string';
const isNumber = (v: unknown): v is number => typeof v === 'number';
const isBoolean = (v: unknown): v is boolean => typeof v === 'boolean';
const isList = (v: unknown): v is unknown[] => Array.isArray(v);

function failure(message: string): InvocationFailure {
  return new InvocationFailure(message);
}

/** A Java exception in feel-scala: the evaluation fails. */
function fatal(message: string): never {
  throw new FeelFailure(message);
}

function list(state: EvalState, items: unknown[]): unknown[] {
  checkListLength(state, items.length);
  spend(state, 1 + (items.length >> 2));
  return items;
}

function str(state: EvalState, s: string): string {
  checkStringLength(state, s.length);
  return s;
}

function finiteOrFatal(n: number, what: string): number {
  if (!Number.isFinite(n)) fatal(`${what} is not a finite number`);
  return n;
}

// conversion /////////////////////////////////////////////////////////

define('date', ['from'], ([from]) => {
  if (isString(from)) return parseDate(from) ?? failure(`Failed to parse date from '${from}'`);
  if (from instanceof FeelLocalDateTime || from instanceof FeelDateTime)
    return new FeelDate(from.value.toPlainDate());
  if (from instanceof FeelDate) return from;
  return NO_MATCH;
});
define('date', ['year', 'month', 'day'], ([year, month, day]) => {
  if (!isNumber(year) || !isNumber(month) || !isNumber(day)) return NO_MATCH;
  return (
    dateOf(year, month, day) ??
    failure(`Failed to parse date from: year=${year}, month=${month}, day=${day}`)
  );
});

define('date and time', ['from'], ([from]) => {
  if (!isString(from)) return NO_MATCH;
  return parseDateTime(from) ?? failure(`Failed to parse date-time from '${from}'`);
});
define('date and time', ['date', 'time'], ([date, time]) => {
  const day = datePart(date);
  if (day !== undefined && (time instanceof FeelLocalTime || time instanceof FeelTime))
    return combine(day, time);
  if ((date instanceof FeelLocalDateTime || date instanceof FeelDateTime) && isString(time)) {
    return inZone(date, time) ?? failure(`Unknown time zone '${time}'`);
  }
  return NO_MATCH;
});

define('time', ['from'], ([from]) => {
  if (isString(from)) return parseTime(from) ?? failure(`Failed to parse time from '${from}'`);
  if (from instanceof FeelLocalDateTime) return new FeelLocalTime(from.value.toPlainTime());
  if (from instanceof FeelDateTime) return timeOfDateTime(from);
  if (from instanceof FeelDate) return new FeelTime(new Temporal.PlainTime(), 0, null);
  return NO_MATCH;
});
define('time', ['hour', 'minute', 'second'], ([h, m, s]) => {
  if (!isNumber(h) || !isNumber(m) || !isNumber(s)) return NO_MATCH;
  return (
    timeOf(h, m, s, null) ??
    failure(`Failed to parse local-time from: hour=${h}, minute=${m}, second=${s}`)
  );
});
define('time', ['hour', 'minute', 'second', 'offset'], ([h, m, s, offset]) => {
  if (!isNumber(h) || !isNumber(m) || !isNumber(s)) return NO_MATCH;
  if (offset === null)
    return (
      timeOf(h, m, Math.trunc(s), null) ??
      failure(`Failed to parse local-time from: hour=${h}, minute=${m}, second=${s}`)
    );
  if (!(offset instanceof FeelDaysTimeDuration)) return NO_MATCH;
  return (
    timeOf(h, m, s, offset) ??
    failure(
      `Failed to parse time from: hour=${h}, minute=${m}, second=${s}, offset=${offset.toString()}`,
    )
  );
});

function parseNumber(text: string): Result {
  return num.parseDecimalText(text) ?? failure(`Can't parse '${text}' as a number`);
}
const isGrouping = (s: string): boolean => s === ' ' || s === ',' || s === '.';
const isDecimalSeparator = (s: string): boolean => s === ',' || s === '.';

define('number', ['from'], ([from]) => (isString(from) ? parseNumber(from) : NO_MATCH));
define('number', ['from', 'grouping separator'], ([from, grouping]) => {
  if (!isString(from) || !isString(grouping)) return NO_MATCH;
  if (!isGrouping(grouping))
    return failure("illegal argument for grouping. Must be one of ' ', ',' or '.'");
  return parseNumber(from.split(grouping).join(''));
});
define('number', ['from', 'grouping separator', 'decimal separator'], ([
  from,
  grouping,
  decimal,
]) => {
  if (!isString(from)) return NO_MATCH;
  if (isString(grouping) && isString(decimal)) {
    if (isGrouping(grouping) && isDecimalSeparator(decimal) && grouping !== decimal) {
      return parseNumber(from.split(grouping).join('').split(decimal).join('.'));
    }
    return failure(
      "illegal arguments for grouping or decimal. Must be one of ' ' (grouping only), ',' or '.'",
    );
  }
  if (grouping === null && isString(decimal) && isDecimalSeparator(decimal)) {
    return parseNumber(from.split(decimal).join('.'));
  }
  if (isString(grouping) && decimal === null && isGrouping(grouping))
    return parseNumber(from.split(grouping).join(''));
  return NO_MATCH;
});

/** feel-scala `string(from)`: lists and contexts written out, strings inside them quoted. */
export function toFeelString(value: unknown, depth = 0): string {
  if (typeof value === 'string') return depth === 0 ? value : `"${value}"`;
  if (typeof value === 'number') return formatNumber(value);
  if (depth > 64) fatal('the value nests too deeply to write as a string');
  if (Array.isArray(value)) return `[${value.map((v) => toFeelString(v, depth + 1)).join(', ')}]`;
  if (isContext(value)) {
    return `{${Object.keys(value)
      .map((k) => `${k}:${toFeelString(value[k], depth + 1)}`)
      .join(', ')}}`;
  }
  return String(value);
}

define('string', ['from'], ([from], state) => {
  if (from === null) return null;
  if (isString(from)) return from;
  spend(state, 1);
  return str(state, toFeelString(from));
});

define('duration', ['from'], ([from]) => {
  if (!isString(from)) return NO_MATCH;
  return parseDuration(from) ?? failure(`Failed to parse duration from '${from}'`);
});
define('years and months duration', ['from', 'to'], ([from, to]) => {
  const a = datePart(from);
  const b = datePart(to);
  if (a === undefined || b === undefined) return NO_MATCH;
  return monthsBetween(a, b);
});

define('from json', ['json'], ([json], state) => {
  if (json === null) return null;
  if (!isString(json)) return NO_MATCH;
  spend(state, 1 + (json.length >> 4));
  try {
    return fromJson(state, JSON.parse(json));
  } catch (e) {
    if (e instanceof FeelFailure) throw e;
    return failure(`Failed to parse JSON from '${json}'`);
  }
});

/** Parsed JSON as FEEL values, within the bounds (JSON's own structure, so only the sizes need checks). */
function fromJson(state: EvalState, value: unknown): unknown {
  if (Array.isArray(value)) {
    checkListLength(state, value.length);
    return value.map((v) => fromJson(state, v));
  }
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    checkContextSize(state, keys.length);
    const context = newContext();
    for (const key of keys)
      putEntry(context, key, fromJson(state, (value as Record<string, unknown>)[key]));
    return context;
  }
  return value;
}

/** Java `Duration.toString`: `PT26H3M1.5S`, `PT0S`. */
function javaDuration(d: FeelDaysTimeDuration): string {
  if (d.nanos === 0n) return 'PT0S';
  const negative = d.nanos < 0n;
  const abs = negative ? -d.nanos : d.nanos;
  const totalSeconds = abs / 1_000_000_000n;
  const nanos = abs % 1_000_000_000n;
  const hours = totalSeconds / 3600n;
  const minutes = (totalSeconds % 3600n) / 60n;
  const seconds = totalSeconds % 60n;
  const sign = negative ? '-' : '';
  let out = 'PT';
  if (hours !== 0n) out += `${sign}${hours}H`;
  if (minutes !== 0n) out += `${sign}${minutes}M`;
  if (seconds !== 0n || nanos !== 0n) {
    out += `${sign}${seconds}`;
    if (nanos !== 0n) out += `.${nanos.toString().padStart(9, '0').replace(/0+$/, '')}`;
    out += 'S';
  }
  return out;
}

/** feel-scala `convertToJsonValue`. */
function toJsonCompatible(value: unknown, depth: number): unknown {
  if (depth > 64) fatal('the value nests too deeply to write as JSON');
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => toJsonCompatible(v, depth + 1));
  if (isContext(value)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value))
      putEntry(out, key, toJsonCompatible(value[key], depth + 1));
    return out;
  }
  if (value instanceof FeelTime) return value.toIsoString();
  if (value instanceof FeelDateTime) {
    const iso = value.toIsoString();
    return value.zoned ? `${iso}[${value.value.timeZoneId}]` : iso;
  }
  if (value instanceof FeelDaysTimeDuration) return javaDuration(value);
  if (value instanceof FeelYearsMonthsDuration)
    return value.months === 0 ? 'P0D' : value.toString();
  return String(value);
}

define('to json', ['value'], ([value], state) => {
  spend(state, 1);
  return str(state, JSON.stringify(toJsonCompatible(value, 0)) ?? 'null');
});

// boolean ////////////////////////////////////////////////////////////

define('not', ['negand'], ([negand]) => (isBoolean(negand) ? !negand : null));
define('is defined', ['value'], ([value]) => value !== null);
define('get or else', ['value', 'default'], ([value, fallback]) =>
  value === null ? fallback : value);

/** `assert` fails the evaluation (feel-scala `ASSERT_FAILURE`); the evaluator tells it by name. */
define('assert', ['value', 'condition'], ([value, condition]) =>
  condition === true ? value : failure('The condition is not fulfilled'));
define('assert', ['value', 'condition', 'cause'], ([value, condition, cause]) => {
  if (condition === true) return value;
  if (isString(cause)) return failure(cause);
  return NO_MATCH;
});

// strings ////////////////////////////////////////////////////////////

/** feel-scala `stringIndex`: 1-based, negative from the end. */
function stringIndex(s: string, index: number): number {
  return index > 0 ? index - 1 : s.length + index;
}

function substring(s: string, start: number, end: number): string {
  if (start < 0 || end > s.length || start > end) {
    fatal(`begin ${start}, end ${end}, length ${s.length} (substring out of range)`);
  }
  return s.slice(start, end);
}

define('substring', ['string', 'start position'], ([s, start]) => {
  if (!isString(s) || !isNumber(start)) return NO_MATCH;
  return substring(s, stringIndex(s, Math.trunc(start)), s.length);
});
define('substring', ['string', 'start position', 'length'], ([s, start, length]) => {
  if (!isString(s) || !isNumber(start) || !isNumber(length)) return NO_MATCH;
  const from = stringIndex(s, Math.trunc(start));
  return substring(s, from, Math.min(from + Math.trunc(length), s.length));
});
define('string length', ['string'], ([s]) => (isString(s) ? s.length : NO_MATCH));
define('upper case', ['string'], ([s], state) =>
  isString(s) ? str(state, s.toUpperCase()) : NO_MATCH);
define('lower case', ['string'], ([s], state) =>
  isString(s) ? str(state, s.toLowerCase()) : NO_MATCH);
define('substring before', ['string', 'match'], ([s, m]) => {
  if (!isString(s) || !isString(m)) return NO_MATCH;
  const index = s.indexOf(m);
  return index > 0 ? s.slice(0, index) : '';
});
define('substring after', ['string', 'match'], ([s, m]) => {
  if (!isString(s) || !isString(m)) return NO_MATCH;
  const index = s.indexOf(m);
  return index >= 0 ? s.slice(index + m.length) : '';
});

function replace(
  state: EvalState,
  input: string,
  pattern: string,
  replacement: string,
  flags: string,
): Result {
  const re = compilePattern(pattern, flags);
  if (re instanceof InvalidPattern) return failure(re.message);
  const result = regexReplace(state, re, input, replacement);
  return result instanceof InvalidPattern ? failure(result.message) : result;
}
define('replace', ['input', 'pattern', 'replacement'], ([input, pattern, replacement], state) => {
  if (!isString(input) || !isString(pattern) || !isString(replacement)) return NO_MATCH;
  return replace(state, input, pattern, replacement, '');
});
define('replace', ['input', 'pattern', 'replacement', 'flags'], (
  [input, pattern, replacement, flags],
  state,
) => {
  if (!isString(input) || !isString(pattern) || !isString(replacement) || !isString(flags))
    return NO_MATCH;
  return replace(state, input, pattern, replacement, flags);
});
define('contains', ['string', 'match'], ([s, m]) =>
  isString(s) && isString(m) ? s.includes(m) : NO_MATCH);
define('starts with', ['string', 'match'], ([s, m]) =>
  isString(s) && isString(m) ? s.startsWith(m) : NO_MATCH);
define('ends with', ['string', 'match'], ([s, m]) =>
  isString(s) && isString(m) ? s.endsWith(m) : NO_MATCH);

function matches(state: EvalState, input: string, pattern: string, flags: string): Result {
  const re = compilePattern(pattern, flags);
  return re instanceof InvalidPattern ? failure(re.message) : regexMatches(state, re, input);
}
define('matches', ['input', 'pattern'], ([input, pattern], state) =>
  isString(input) && isString(pattern) ? matches(state, input, pattern, '') : NO_MATCH);
define('matches', ['input', 'pattern', 'flags'], ([input, pattern, flags], state) =>
  isString(input) && isString(pattern) && isString(flags)
    ? matches(state, input, pattern, flags)
    : NO_MATCH);
define('split', ['string', 'delimiter'], ([s, delimiter], state) => {
  if (!isString(s) || !isString(delimiter)) return NO_MATCH;
  const re = compilePattern(delimiter);
  if (re instanceof InvalidPattern) return failure(`Invalid pattern for delimiter '${delimiter}'`);
  return list(state, regexSplit(state, re, s));
});
define('extract', ['input', 'pattern'], ([input, pattern], state) => {
  if (!isString(input) || !isString(pattern)) return NO_MATCH;
  const re = compilePattern(pattern);
  if (re instanceof InvalidPattern) return failure(re.message);
  return list(state, regexExtract(state, re, input));
});
/** Java `String.trim`: code points up to U+0020. */
function javaTrim(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && s.charCodeAt(start) <= 0x20) start++;
  while (end > start && s.charCodeAt(end - 1) <= 0x20) end--;
  return s.slice(start, end);
}
define('trim', ['string'], ([s]) => (isString(s) ? javaTrim(s) : NO_MATCH));
define('uuid', [], (_args, state) => state.uuid());
define('to base64', ['value'], ([value], state) =>
  isString(value) ? str(state, Buffer.from(value, 'utf8').toString('base64')) : NO_MATCH);
define('from base64', ['value'], ([value], state) => {
  if (!isString(value)) return NO_MATCH;
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 === 1) {
    return failure(`Invalid Base64 value '${value}'`);
  }
  return str(state, Buffer.from(value, 'base64').toString('utf8'));
});
/** Java `String.isBlank`: only whitespace. */
define('is blank', ['string'], ([s]) => (isString(s) ? s.trim() === '' : NO_MATCH));

// lists //////////////////////////////////////////////////////////////

/** feel-scala `ValList.isComparable`: non-empty, one comparable type throughout. */
function comparableKind(items: readonly unknown[]): Kind | undefined {
  if (items.length === 0) return undefined;
  const kind = kindOf(items[0]);
  if (!isScalarComparable(kind)) return undefined;
  for (const item of items) if (kindOf(item) !== kind) return undefined;
  return kind;
}

function numbers(items: readonly unknown[]): number[] | InvocationFailure {
  for (const item of items) {
    if (!isNumber(item)) return failure(`expected number but found '${describe(item)}'`);
  }
  return items as number[];
}

define('list contains', ['list', 'element'], ([l, element], state) => {
  if (!isList(l)) return NO_MATCH;
  spend(state, l.length);
  return l.some((item) => feelEquals(item, element) === true);
});
define('count', ['list'], ([l]) => (isList(l) ? l.length : NO_MATCH));

function extreme(l: unknown, state: EvalState, sign: 1 | -1): Result {
  if (!isList(l)) return NO_MATCH;
  if (l.length === 0) return null;
  const kind = comparableKind(l);
  if (kind === undefined) return failure(`${describe(l)} is not comparable`);
  spend(state, l.length);
  let best = l[0];
  for (const item of l) if (compareSameKind(kind, item, best) * sign > 0) best = item;
  return best;
}
define('min', ['list'], ([l], state) => extreme(l, state, -1), true);
define('max', ['list'], ([l], state) => extreme(l, state, 1), true);

function sum(values: readonly number[]): number | null {
  let total: num.Decimal = new num.Decimal(0);
  let exact = 0;
  let integral = true;
  for (const v of values) {
    if (integral && Number.isInteger(v) && Number.isSafeInteger(exact + v)) exact += v;
    else {
      if (integral) total = new num.Decimal(exact);
      integral = false;
      total = total.add(v);
    }
  }
  return integral ? exact : num.fromDecimal(total);
}

define(
  'sum',
  ['list'],
  ([l], state) => {
    if (!isList(l)) return NO_MATCH;
    if (l.length === 0) return null;
    const ns = numbers(l);
    if (ns instanceof InvocationFailure) return ns;
    spend(state, l.length);
    return sum(ns);
  },
  true,
);
define(
  'product',
  ['list'],
  ([l], state) => {
    if (!isList(l)) return NO_MATCH;
    if (l.length === 0) return null;
    const ns = numbers(l);
    if (ns instanceof InvocationFailure) return ns;
    spend(state, l.length);
    return num.fromDecimal(ns.reduce((acc: num.Decimal, n) => acc.mul(n), new num.Decimal(1)));
  },
  true,
);
define(
  'mean',
  ['list'],
  ([l], state) => {
    if (!isList(l)) return NO_MATCH;
    if (l.length === 0) return null;
    const ns = numbers(l);
    if (ns instanceof InvocationFailure) return ns;
    spend(state, l.length);
    const total = sum(ns);
    return total === null ? null : num.divide(total, ns.length);
  },
  true,
);
define(
  'median',
  ['list'],
  ([l], state) => {
    if (!isList(l)) return NO_MATCH;
    if (l.length === 0) return null;
    const ns = numbers(l);
    if (ns instanceof InvocationFailure) return ns;
    spend(state, l.length * Math.max(1, Math.ceil(Math.log2(l.length))));
    const sorted = [...ns].sort((a, b) => a - b);
    const i = Math.trunc(sorted.length / 2);
    if (sorted.length % 2 === 1) return sorted[i];
    const middle = num.add(sorted[i - 1], sorted[i]);
    return middle === null ? null : num.divide(middle, 2);
  },
  true,
);
define(
  'stddev',
  ['list'],
  ([l], state) => {
    if (!isList(l)) return NO_MATCH;
    if (l.length === 0) return null;
    const ns = numbers(l);
    if (ns instanceof InvocationFailure) return ns;
    if (ns.length === 1) fatal('Division by zero (stddev of a single number)');
    spend(state, l.length);
    const mean = new num.Decimal(sum(ns) ?? NaN).div(ns.length);
    const squares = ns.reduce(
      (acc: num.Decimal, n) => acc.add(new num.Decimal(n).sub(mean).pow(2)),
      new num.Decimal(0),
    );
    return finiteOrFatal(Math.sqrt(squares.div(ns.length - 1).toNumber()), 'stddev');
  },
  true,
);
define(
  'mode',
  ['list'],
  ([l], state) => {
    if (!isList(l)) return NO_MATCH;
    if (l.length === 0) return [];
    const ns = numbers(l);
    if (ns instanceof InvocationFailure) return ns;
    spend(state, l.length);
    const counts = new Map<number, number>();
    for (const n of ns) counts.set(n, (counts.get(n) ?? 0) + 1);
    const max = Math.max(...counts.values());
    return [...counts]
      .filter(([, c]) => c === max)
      .map(([n]) => n)
      .sort((a, b) => a - b);
  },
  true,
);

/** feel-scala `all`: false wins, then null. */
function all(items: readonly unknown[]): boolean | null {
  let acc: boolean | null = true;
  for (const item of items) {
    if (acc === false) return false;
    if (acc === true && isBoolean(item)) acc = item;
    else if (acc === null && item === false) acc = false;
    else acc = null;
  }
  return acc;
}
/** feel-scala `atLeastOne`: true wins, then null. */
function any(items: readonly unknown[]): boolean | null {
  let acc: boolean | null = false;
  for (const item of items) {
    if (acc === true) return true;
    if (acc === false && isBoolean(item)) acc = item;
    else if (acc === null && item === true) acc = true;
    else acc = null;
  }
  return acc;
}
define('and', ['list'], ([l]) => (isList(l) ? all(l) : NO_MATCH), true);
define('all', ['list'], ([l]) => (isList(l) ? all(l) : NO_MATCH), true);
define('or', ['list'], ([l]) => (isList(l) ? any(l) : NO_MATCH), true);
define('any', ['list'], ([l]) => (isList(l) ? any(l) : NO_MATCH), true);

/** feel-scala `listIndex`. */
function listIndex(l: readonly unknown[], index: number): number {
  return index > 0 ? index - 1 : l.length + index;
}
/** Scala `slice`: out-of-range bounds are clamped. */
function slice(l: readonly unknown[], from: number, until: number): unknown[] {
  return l.slice(Math.max(0, from), Math.max(0, until));
}

define('sublist', ['list', 'start'], ([l, start], state) => {
  if (!isList(l) || !isNumber(start)) return NO_MATCH;
  if (start === 0) return failure('start position must be a non-zero number');
  return list(state, slice(l, listIndex(l, Math.trunc(start)), l.length));
});
define('sublist', ['list', 'start', 'length'], ([l, start, length], state) => {
  if (!isList(l) || !isNumber(start) || !isNumber(length)) return NO_MATCH;
  if (start === 0) return failure('start position must be a non-zero number');
  const from = listIndex(l, Math.trunc(start));
  return list(state, slice(l, from, from + Math.trunc(length)));
});
define(
  'append',
  ['list', 'items'],
  ([l, items], state) => {
    if (!isList(l) || !isList(items)) return NO_MATCH;
    checkListLength(state, l.length + items.length);
    return list(state, [...l, ...items]);
  },
  true,
);
define(
  'concatenate',
  ['lists'],
  ([lists], state) => {
    if (!isList(lists)) return NO_MATCH;
    let length = 0;
    for (const item of lists) length += isList(item) ? item.length : 1;
    checkListLength(state, length);
    return list(
      state,
      lists.flatMap((item) => (isList(item) ? item : [item])),
    );
  },
  true,
);
define('insert before', ['list', 'position', 'newItem'], ([l, position, item], state) => {
  if (!isList(l) || !isNumber(position)) return NO_MATCH;
  if (position === 0) return failure('position must be a non-zero number');
  const at = Math.max(0, listIndex(l, Math.trunc(position)));
  checkListLength(state, l.length + 1);
  return list(state, [...l.slice(0, at), item, ...l.slice(at)]);
});
define('remove', ['list', 'position'], ([l, position], state) => {
  if (!isList(l) || !isNumber(position)) return NO_MATCH;
  if (position === 0) return failure('position must be a non-zero number');
  const at = listIndex(l, Math.trunc(position));
  return list(state, [
    ...l.slice(0, Math.max(0, at)),
    ...l.slice(Math.max(0, listIndex(l, Math.trunc(position) + 1))),
  ]);
});
define('reverse', ['list'], ([l], state) => (isList(l) ? list(state, [...l].reverse()) : NO_MATCH));
define('index of', ['list', 'match'], ([l, match], state) => {
  if (!isList(l)) return NO_MATCH;
  spend(state, l.length);
  const found: number[] = [];
  l.forEach((item, i) => {
    if (feelEquals(item, match) === true) found.push(i + 1);
  });
  return found;
});

/** Distinct by FEEL equality, first occurrence kept; quadratic only among values that are not scalars. */
function distinct(state: EvalState, items: readonly unknown[]): unknown[] {
  const seen = new Set<unknown>();
  const others: unknown[] = [];
  const out: unknown[] = [];
  for (const item of items) {
    if (item === null || typeof item !== 'object') {
      if (!seen.has(item)) {
        seen.add(item);
        out.push(item);
      }
    } else {
      spend(state, others.length);
      if (!others.some((other) => feelEquals(other, item) === true)) {
        others.push(item);
        out.push(item);
      }
    }
  }
  return out;
}

define(
  'union',
  ['lists'],
  ([lists], state) => {
    if (!isList(lists)) return NO_MATCH;
    const flat = lists.flatMap((item) => (isList(item) ? item : [item]));
    checkListLength(state, flat.length);
    return list(state, distinct(state, flat));
  },
  true,
);
define('distinct values', ['list'], ([l], state) =>
  isList(l) ? list(state, distinct(state, l)) : NO_MATCH);
define('duplicate values', ['list'], ([l], state) => {
  if (!isList(l)) return NO_MATCH;
  spend(state, l.length);
  return list(
    state,
    distinct(state, l).filter((x) => {
      spend(state, l.length);
      return l.filter((y) => feelEquals(x, y) === true).length > 1;
    }),
  );
});

function flatten(state: EvalState, items: readonly unknown[], out: unknown[], depth: number): void {
  if (depth > 1000) fatal('the list nests too deeply to flatten');
  for (const item of items) {
    if (isList(item)) flatten(state, item, out, depth + 1);
    else {
      out.push(item);
      if ((out.length & 1023) === 0) checkListLength(state, out.length);
    }
  }
}
define('flatten', ['list'], ([l], state) => {
  if (!isList(l)) return NO_MATCH;
  const out: unknown[] = [];
  flatten(state, l, out, 0);
  return list(state, out);
});

define('sort', ['list', 'precedes'], ([l, precedes], state) => {
  if (!isList(l) || !(precedes instanceof FeelFunction)) return NO_MATCH;
  if (precedes.params.length !== 2) {
    return failure(
      `expect boolean function with 2 arguments, but found '${precedes.params.length}'`,
    );
  }
  let problem: string | undefined;
  const sorted = [...l].sort((x, y) => {
    if (problem !== undefined) return 0;
    const before = precedes.invoke([x, y]);
    if (!isBoolean(before)) {
      problem = `expected boolean but found '${describe(before)}'`;
      return 0;
    }
    if (before) return -1;
    const after = precedes.invoke([y, x]);
    return after === true ? 1 : 0;
  });
  if (problem !== undefined)
    return failure(`fail to sort list by given precedes function: ${problem}`);
  return list(state, sorted);
});

function join(
  state: EvalState,
  l: readonly unknown[],
  delimiter = '',
  prefix = '',
  suffix = '',
): Result {
  const strings: string[] = [];
  let length = prefix.length + suffix.length;
  for (const item of l) {
    if (item === null) continue;
    if (!isString(item)) return failure(`expected a list of strings but found '${describe(l)}'`);
    length += item.length + (strings.length > 0 ? delimiter.length : 0);
    strings.push(item);
  }
  checkStringLength(state, length);
  spend(state, l.length);
  return prefix + strings.join(delimiter) + suffix;
}
define('string join', ['list'], ([l], state) => (isList(l) ? join(state, l) : NO_MATCH));
define('string join', ['list', 'delimiter'], ([l, delimiter], state) => {
  if (!isList(l)) return NO_MATCH;
  if (isString(delimiter)) return join(state, l, delimiter);
  return delimiter === null ? join(state, l) : NO_MATCH;
});
define('string join', ['list', 'delimiter', 'prefix', 'suffix'], (
  [l, delimiter, prefix, suffix],
  state,
) => {
  if (!isList(l)) return NO_MATCH;
  if ((isString(delimiter) || delimiter === null) && isString(prefix) && isString(suffix)) {
    return join(state, l, delimiter ?? '', prefix, suffix);
  }
  if ((isString(delimiter) || delimiter === null) && prefix === null && suffix === null) {
    return join(state, l, delimiter ?? '');
  }
  return NO_MATCH;
});
define('is empty', ['list'], ([l]) => (isList(l) ? l.length === 0 : NO_MATCH));
define('partition', ['list', 'size'], ([l, size], state) => {
  if (!isList(l) || !isNumber(size)) return NO_MATCH;
  const n = Math.trunc(size);
  if (n <= 0) return failure(`'size' should be greater than zero but was '${formatNumber(size)}'`);
  const out: unknown[][] = [];
  for (let i = 0; i < l.length; i += n) out.push(l.slice(i, i + n));
  return list(state, out);
});

// numbers ////////////////////////////////////////////////////////////

function rounding(mode: num.RoundingMode): (args: unknown[]) => Result {
  return ([n, scale]) => {
    if (!isNumber(n) || !isNumber(scale)) return NO_MATCH;
    return num.round(n, scale, mode) ?? failure(`Failed to apply rounding mode '${mode}'`);
  };
}

define('decimal', ['n', 'scale'], rounding('HALF_EVEN'));
define('decimal', ['n', 'scale', 'mode'], ([n, scale, mode]) => {
  if (!isNumber(n) || !isNumber(scale) || !isString(mode)) return NO_MATCH;
  const upper = mode.toUpperCase();
  if (upper === 'UNNECESSARY') {
    const rounded = num.round(n, scale, 'DOWN');
    return rounded === n
      ? n
      : failure("Failed to apply rounding mode 'UNNECESSARY': Rounding necessary");
  }
  if (!(num.ROUNDING_MODES as readonly string[]).includes(upper)) {
    return failure(
      `Illegal argument '${mode}' for rounding mode. Must be one of: ${[...num.ROUNDING_MODES, 'UNNECESSARY'].join(', ')}`,
    );
  }
  return (
    num.round(n, scale, upper as num.RoundingMode) ??
    failure(`Failed to apply rounding mode '${upper}'`)
  );
});
define('floor', ['n'], ([n]) => (isNumber(n) ? num.round(n, 0, 'FLOOR') : NO_MATCH));
// feel-scala names the scale of `floor` and `round half down` "scala"
define('floor', ['n', 'scala'], rounding('FLOOR'));
define('ceiling', ['n'], ([n]) => (isNumber(n) ? num.round(n, 0, 'CEILING') : NO_MATCH));
define('ceiling', ['n', 'scale'], rounding('CEILING'));
for (const param of ['number', 'n']) {
  define('abs', [param], ([n]) => {
    if (isNumber(n)) return Math.abs(n);
    if (n instanceof FeelYearsMonthsDuration)
      return n.months < 0 ? new FeelYearsMonthsDuration(-n.months) : n;
    if (n instanceof FeelDaysTimeDuration)
      return n.nanos < 0n ? new FeelDaysTimeDuration(-n.nanos) : n;
    return NO_MATCH;
  });
}
define('modulo', ['dividend', 'divisor'], ([dividend, divisor]) => {
  if (!isNumber(dividend) || !isNumber(divisor)) return NO_MATCH;
  if (divisor === 0) fatal('Division by zero (modulo with a divisor of 0)');
  const r = num.remainder(dividend, divisor);
  const shifted = r === null ? null : num.add(r, divisor);
  return shifted === null ? null : num.remainder(shifted, divisor);
});
define('sqrt', ['number'], ([n]) => {
  if (!isNumber(n)) return NO_MATCH;
  return n < 0 ? null : Math.sqrt(n);
});
define('log', ['number'], ([n]) =>
  isNumber(n) ? finiteOrFatal(Math.log(n), `log(${formatNumber(n)})`) : NO_MATCH);
define('exp', ['number'], ([n]) =>
  isNumber(n) ? finiteOrFatal(Math.exp(n), `exp(${formatNumber(n)})`) : NO_MATCH);
define('odd', ['number'], ([n]) => (isNumber(n) ? Math.abs(n) % 2 === 1 : NO_MATCH));
define('even', ['number'], ([n]) => (isNumber(n) ? n % 2 === 0 : NO_MATCH));
define('round up', ['n', 'scale'], rounding('UP'));
define('round down', ['n', 'scale'], rounding('DOWN'));
define('round half up', ['n', 'scale'], rounding('HALF_UP'));
define('round half down', ['n', 'scala'], rounding('HALF_DOWN'));
define('random number', [], (_args, state) => state.random());

// contexts ///////////////////////////////////////////////////////////

for (const param of ['context', 'm']) {
  define('get entries', [param], ([c], state) => {
    if (!isContext(c)) return NO_MATCH;
    const keys = Object.keys(c);
    checkListLength(state, keys.length);
    spend(state, keys.length);
    return keys.map((key) => {
      const entry = newContext();
      entry.key = key;
      entry.value = c[key];
      return entry;
    });
  });
}

function getValueAt(c: Record<string, unknown>, keys: readonly unknown[]): Result {
  if (!keys.every(isString)) return null;
  let current: unknown = c;
  for (let i = 0; i < keys.length; i++) {
    if (!isContext(current)) return null;
    const value = entryOf(current, keys[i]);
    if (value === undefined) return null;
    current = value;
  }
  return keys.length === 0 ? null : current;
}

for (const params of [
  ['m', 'key'],
  ['context', 'key'],
]) {
  define('get value', params, ([c, key]) => {
    if (!isContext(c)) return NO_MATCH;
    if (isList(key)) return getValueAt(c, key);
    if (isString(key)) return entryOf(c, key) ?? null;
    return NO_MATCH;
  });
}
define('get value', ['context', 'keys'], ([c, keys]) =>
  isContext(c) && isList(keys) ? getValueAt(c, keys) : NO_MATCH);

function put(
  state: EvalState,
  c: Record<string, unknown>,
  key: string,
  value: unknown,
): Record<string, unknown> {
  const keys = Object.keys(c);
  checkContextSize(state, keys.length + 1);
  spend(state, 1 + (keys.length >> 2));
  const out = newContext();
  for (const k of keys) putEntry(out, k, c[k]);
  putEntry(out, key, value);
  return out;
}

function putAt(
  state: EvalState,
  c: Record<string, unknown>,
  keys: readonly string[],
  value: unknown,
): Record<string, unknown> {
  if (keys.length === 1) return put(state, c, keys[0], value);
  const nested = entryOf(c, keys[0]);
  return put(
    state,
    c,
    keys[0],
    putAt(state, isContext(nested) ? nested : newContext(), keys.slice(1), value),
  );
}

function contextPut(state: EvalState, c: unknown, key: unknown, value: unknown): Result {
  if (!isContext(c)) return NO_MATCH;
  if (isString(key)) return put(state, c, key, value);
  if (isList(key)) {
    if (key.length === 0) return null;
    if (key.every(isString)) return putAt(state, c, key, value);
  }
  return NO_MATCH;
}
define('context put', ['context', 'key', 'value'], ([c, key, value], state) =>
  contextPut(state, c, key, value));
define('context put', ['context', 'keys', 'value'], ([c, keys, value], state) =>
  isList(keys) ? contextPut(state, c, keys, value) : NO_MATCH);
define('put', ['context', 'key', 'value'], ([c, key, value], state) =>
  contextPut(state, c, key, value));

define(
  'context merge',
  ['contexts'],
  ([contexts], state) => {
    if (!isList(contexts) || !contexts.every(isContext)) return null;
    const out = newContext();
    let size = 0;
    for (const c of contexts as Record<string, unknown>[]) {
      for (const key of Object.keys(c)) {
        putEntry(out, key, c[key]);
        if ((++size & 255) === 0) checkContextSize(state, Object.keys(out).length);
      }
    }
    checkContextSize(state, Object.keys(out).length);
    spend(state, 1 + (size >> 2));
    return out;
  },
  true,
);
alias('put all', 'context merge');

define('context', ['entries'], ([entries], state) => {
  if (!isList(entries)) return null;
  const pairs = entries.every(
    (e) => isContext(e) && entryOf(e, 'value') !== undefined && isString(entryOf(e, 'key')),
  );
  if (!pairs) return null;
  checkContextSize(state, entries.length);
  spend(state, entries.length);
  const out = newContext();
  for (const e of entries as Record<string, unknown>[]) putEntry(out, e.key as string, e.value);
  return out;
});

// ranges /////////////////////////////////////////////////////////////

const POINT_KINDS: ReadonlySet<Kind> = new Set<Kind>([
  'number',
  'date',
  'time',
  'local time',
  'date time',
  'local date time',
  'years months duration',
  'days time duration',
]);

/** feel-scala `RangeBuiltinFunction.isComparable`. */
function comparablePoints(x: unknown, y: unknown): Kind | undefined {
  const a = x instanceof FeelRange ? x.start.value : x;
  const b = y instanceof FeelRange ? y.start.value : y;
  const kind = kindOf(a);
  return POINT_KINDS.has(kind) && kindOf(b) === kind ? kind : undefined;
}

type RangeRelation = (
  cmp: (a: unknown, b: unknown) => number,
  x: unknown,
  y: unknown,
) => boolean | typeof NO_MATCH;

function rangeFunction(
  name: string,
  paramSets: readonly (readonly [string, string])[],
  relation: RangeRelation,
): void {
  for (const params of paramSets) {
    define(name, params, ([x, y]) => {
      const kind = comparablePoints(x, y);
      if (kind === undefined) return NO_MATCH;
      const cmp = (a: unknown, b: unknown): number => compareSameKind(kind, a, b);
      return relation(cmp, x, y);
    });
  }
}

const isRange = (v: unknown): v is FeelRange => v instanceof FeelRange;

rangeFunction(
  'before',
  [
    ['point1', 'point2'],
    ['point', 'range'],
    ['range', 'point'],
    ['range1', 'range2'],
  ],
  (cmp, x, y) => {
    if (isRange(x) && isRange(y)) {
      const c = cmp(x.end.value, y.start.value);
      return c < 0 || ((!x.end.closed || !y.start.closed) && c === 0);
    }
    if (isRange(y)) {
      const c = cmp(x, y.start.value);
      return c < 0 || (c === 0 && !y.start.closed);
    }
    if (isRange(x)) {
      const c = cmp(x.end.value, y);
      return c < 0 || (c === 0 && !x.end.closed);
    }
    return cmp(x, y) < 0;
  },
);
rangeFunction(
  'after',
  [
    ['point1', 'point2'],
    ['point', 'range'],
    ['range', 'point'],
    ['range1', 'range2'],
  ],
  (cmp, x, y) => {
    if (isRange(x) && isRange(y)) {
      const c = cmp(x.start.value, y.end.value);
      return c > 0 || ((!x.start.closed || !y.end.closed) && c === 0);
    }
    if (isRange(y)) {
      const c = cmp(x, y.end.value);
      return c > 0 || (c === 0 && !y.end.closed);
    }
    if (isRange(x)) {
      const c = cmp(x.start.value, y);
      return c > 0 || (c === 0 && !x.start.closed);
    }
    return cmp(x, y) > 0;
  },
);
rangeFunction('meets', [['range1', 'range2']], (cmp, x, y) =>
  isRange(x) && isRange(y)
    ? x.end.closed && y.start.closed && cmp(x.end.value, y.start.value) === 0
    : NO_MATCH,
);
rangeFunction('met by', [['range1', 'range2']], (cmp, x, y) =>
  isRange(x) && isRange(y)
    ? x.start.closed && y.end.closed && cmp(x.start.value, y.end.value) === 0
    : NO_MATCH,
);
rangeFunction('overlaps', [['range1', 'range2']], (cmp, x, y) => {
  if (!isRange(x) || !isRange(y)) return NO_MATCH;
  const a = cmp(x.end.value, y.start.value);
  const b = cmp(x.start.value, y.end.value);
  return (
    (a > 0 || (a === 0 && x.end.closed && y.start.closed)) &&
    (b < 0 || (b === 0 && x.start.closed && y.end.closed))
  );
});
rangeFunction('overlaps before', [['range1', 'range2']], (cmp, x, y) => {
  if (!isRange(x) || !isRange(y)) return NO_MATCH;
  const s = cmp(x.start.value, y.start.value);
  const e = cmp(x.end.value, y.start.value);
  const ee = cmp(x.end.value, y.end.value);
  return (
    (s < 0 || (s === 0 && x.start.closed && !y.start.closed)) &&
    (e > 0 || (e === 0 && x.end.closed && y.start.closed)) &&
    (ee < 0 || (ee === 0 && (!x.end.closed || y.end.closed)))
  );
});
rangeFunction('overlaps after', [['range1', 'range2']], (cmp, x, y) => {
  if (!isRange(x) || !isRange(y)) return NO_MATCH;
  const s = cmp(y.start.value, x.start.value);
  const e = cmp(y.end.value, x.start.value);
  const ee = cmp(y.end.value, x.end.value);
  return (
    (s < 0 || (s === 0 && y.start.closed && !x.start.closed)) &&
    (e > 0 || (e === 0 && y.end.closed && x.start.closed)) &&
    (ee < 0 || (ee === 0 && (!y.end.closed || x.end.closed)))
  );
});
rangeFunction(
  'finishes',
  [
    ['point', 'range'],
    ['range1', 'range2'],
  ],
  (cmp, x, y) => {
    if (isRange(x) && isRange(y)) {
      const s = cmp(x.start.value, y.start.value);
      return (
        x.end.closed === y.end.closed &&
        cmp(x.end.value, y.end.value) === 0 &&
        (s > 0 || (s === 0 && (!x.start.closed || y.start.closed)))
      );
    }
    if (!isRange(x) && isRange(y)) return y.end.closed && cmp(y.end.value, x) === 0;
    return NO_MATCH;
  },
);
rangeFunction(
  'finished by',
  [
    ['range', 'point'],
    ['range1', 'range2'],
  ],
  (cmp, x, y) => {
    if (isRange(x) && isRange(y)) {
      const s = cmp(x.start.value, y.start.value);
      return (
        x.end.closed === y.end.closed &&
        cmp(x.end.value, y.end.value) === 0 &&
        (s < 0 || (s === 0 && (x.start.closed || !y.start.closed)))
      );
    }
    if (isRange(x) && !isRange(y)) return x.end.closed && cmp(x.end.value, y) === 0;
    return NO_MATCH;
  },
);

function rangeIncludes(
  cmp: (a: unknown, b: unknown) => number,
  r: FeelRange,
  point: unknown,
): boolean {
  const s = cmp(r.start.value, point);
  const e = cmp(r.end.value, point);
  return (s < 0 && e > 0) || (s === 0 && r.start.closed) || (e === 0 && r.end.closed);
}

rangeFunction(
  'includes',
  [
    ['range', 'point'],
    ['range1', 'range2'],
  ],
  (cmp, x, y) => {
    if (isRange(x) && isRange(y)) {
      const s = cmp(x.start.value, y.start.value);
      const e = cmp(x.end.value, y.end.value);
      return (
        (s < 0 || (s === 0 && (x.start.closed || !y.start.closed))) &&
        (e > 0 || (e === 0 && (x.end.closed || !y.end.closed)))
      );
    }
    if (isRange(x) && !isRange(y)) return rangeIncludes(cmp, x, y);
    return NO_MATCH;
  },
);
rangeFunction(
  'during',
  [
    ['point', 'range'],
    ['range1', 'range2'],
  ],
  (cmp, x, y) => {
    if (isRange(x) && isRange(y)) {
      const s = cmp(y.start.value, x.start.value);
      const e = cmp(y.end.value, x.end.value);
      return (
        (s < 0 || (s === 0 && (y.start.closed || !x.start.closed))) &&
        (e > 0 || (e === 0 && (y.end.closed || !x.end.closed)))
      );
    }
    if (!isRange(x) && isRange(y)) return rangeIncludes(cmp, y, x);
    return NO_MATCH;
  },
);
rangeFunction(
  'starts',
  [
    ['point', 'range'],
    ['range1', 'range2'],
  ],
  (cmp, x, y) => {
    if (isRange(x) && isRange(y)) {
      const e = cmp(x.end.value, y.end.value);
      return (
        cmp(x.start.value, y.start.value) === 0 &&
        x.start.closed === y.start.closed &&
        (e < 0 || (e === 0 && (!x.end.closed || y.end.closed)))
      );
    }
    if (!isRange(x) && isRange(y)) return cmp(y.start.value, x) === 0 && y.start.closed;
    return NO_MATCH;
  },
);
rangeFunction(
  'started by',
  [
    ['range', 'point'],
    ['range1', 'range2'],
  ],
  (cmp, x, y) => {
    if (isRange(x) && isRange(y)) {
      const e = cmp(y.end.value, x.end.value);
      return (
        cmp(x.start.value, y.start.value) === 0 &&
        x.start.closed === y.start.closed &&
        (e < 0 || (e === 0 && (!y.end.closed || x.end.closed)))
      );
    }
    if (isRange(x) && !isRange(y)) return cmp(x.start.value, y) === 0 && x.start.closed;
    return NO_MATCH;
  },
);
rangeFunction(
  'coincides',
  [
    ['point1', 'point2'],
    ['range1', 'range2'],
  ],
  (cmp, x, y) => {
    if (isRange(x) && isRange(y)) {
      return (
        cmp(x.start.value, y.start.value) === 0 &&
        x.start.closed === y.start.closed &&
        cmp(x.end.value, y.end.value) === 0 &&
        x.end.closed === y.end.closed
      );
    }
    if (!isRange(x) && !isRange(y)) return cmp(x, y) === 0;
    return NO_MATCH;
  },
);

// temporal ///////////////////////////////////////////////////////////

define('now', [], (_args, state) => dateTimeAt(state.now()));
define('today', [], (_args, state) => new FeelDate(dateTimeAt(state.now()).value.toPlainDate()));

const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

function dateFunction(name: string, f: (date: Temporal.PlainDate) => unknown): void {
  define(name, ['date'], ([value]) => {
    const date = datePart(value);
    return date === undefined ? NO_MATCH : f(date);
  });
}
dateFunction('day of year', (d) => d.dayOfYear);
dateFunction('day of week', (d) => WEEKDAYS[d.dayOfWeek - 1]);
dateFunction('month of year', (d) => MONTHS[d.month - 1]);
dateFunction('week of year', (d) => d.weekOfYear);
dateFunction('last day of month', (d) => new FeelDate(d.with({ day: d.daysInMonth })));

// Camunda 8.8 AI agent tools: the value itself at run time; the rest describes it to the model
define('fromAi', ['value'], ([value]) => value);
define('fromAi', ['value', 'description'], ([value]) => value);
define('fromAi', ['value', 'description', 'type'], ([value]) => value);
define('fromAi', ['value', 'description', 'type', 'schema'], ([value]) => value);
define('fromAi', ['value', 'description', 'type', 'schema', 'options'], ([value]) => value);

// DMN 1.5 ////////////////////////////////////////////////////////////
// Built-ins of the DMN 1.5 specification that Camunda 8 lacks or reads
// otherwise; only expressions compiled for DMN see them (DMN TCK semantics).

/** A built-in of the Camunda registry, called as it is. */
function camunda(name: string, count: number): BuiltinFunction {
  const fn = registry.get(name)?.find((f) => f.params.length === count);
  if (fn === undefined) throw new Error(`no built-in ${name} with ${count} parameters`);
  return fn;
}

/** DMN's singleton-list coercion: a value where a list is expected is a list of that value. */
const asList = (v: unknown): unknown[] => (isList(v) ? v : [v]);

defineDmn('is', ['value1', 'value2'], ([a, b]) => {
  if (a === null || b === null) return a === null && b === null;
  return kindOf(a) === kindOf(b) && feelEquals(a, b) === true;
});

function listReplace(
  state: EvalState,
  value: unknown,
  position: unknown,
  newItem: unknown,
): Result {
  if (value === null) return NO_MATCH;
  const l = asList(value);
  spend(state, l.length);
  if (isNumber(position)) {
    const i = Math.trunc(position);
    const at = i > 0 ? i - 1 : l.length + i;
    if (i === 0 || at < 0 || at >= l.length) return null;
    const out = [...l];
    out[at] = newItem;
    return out;
  }
  if (position instanceof FeelFunction && position.params.length === 2) {
    const out: unknown[] = [];
    for (const item of l) {
      const matched = position.invoke([item, newItem]);
      if (!isBoolean(matched)) return null;
      out.push(matched ? newItem : item);
    }
    return out;
  }
  return NO_MATCH;
}
defineDmn('list replace', ['list', 'position', 'newItem'], ([l, p, item], state) =>
  listReplace(state, l, p, item),
);
defineDmn('list replace', ['list', 'match', 'newItem'], ([l, p, item], state) =>
  listReplace(state, l, p, item),
);

// strings in code points (DMN 1.5 10.3.4.3), not UTF-16 units
defineDmn('string length', ['string'], ([s]) => (isString(s) ? [...s].length : NO_MATCH));
function codePointSubstring(s: string, start: number, length?: number): Result {
  const points = [...s];
  const i = Math.trunc(start);
  const from = i > 0 ? i - 1 : points.length + i;
  if (i === 0 || from < 0 || from > points.length) return null;
  const to = length === undefined ? points.length : from + Math.trunc(length);
  if (length !== undefined && (length < 0 || to > points.length)) return null;
  return points.slice(from, to).join('');
}
defineDmn('substring', ['string', 'start position'], ([s, start]) =>
  isString(s) && isNumber(start) ? codePointSubstring(s, start) : NO_MATCH,
);
defineDmn('substring', ['string', 'start position', 'length'], ([s, start, length]) =>
  isString(s) && isNumber(start) && isNumber(length)
    ? codePointSubstring(s, start, length)
    : NO_MATCH,
);

// a single value where a list is expected
defineDmn('string join', ['list'], ([l], state) =>
  l === null ? null : camunda('string join', 1).invoke([asList(l)], state),
);
defineDmn('string join', ['list', 'delimiter'], ([l, delimiter], state) =>
  l === null ? null : camunda('string join', 2).invoke([asList(l), delimiter], state),
);
defineDmn(
  'context merge',
  ['contexts'],
  ([contexts], state) => camunda('context merge', 1).invoke([asList(contexts)], state),
  true,
);
defineDmn('context', ['entries'], ([entries], state) => {
  const list = asList(entries);
  // DMN: a key given twice is an error
  const keys = new Set<unknown>();
  for (const e of list) {
    const key = isContext(e) ? entryOf(e, 'key') : undefined;
    if (keys.has(key)) return null;
    keys.add(key);
  }
  return camunda('context', 1).invoke([list], state);
});
// DMN: a nested key under an entry that is not a context is an error
function putsIntoNonContext(c: unknown, keys: unknown): boolean {
  if (!isContext(c) || !isList(keys) || keys.length < 2) return false;
  let current: unknown = c;
  for (let i = 0; i < keys.length - 1; i++) {
    const key = keys[i];
    if (!isString(key) || !isContext(current)) return false;
    const next = entryOf(current, key);
    if (next === undefined) return false;
    if (!isContext(next)) return true;
    current = next;
  }
  return false;
}
defineDmn('context put', ['context', 'keys', 'value'], ([c, keys, value], state) =>
  putsIntoNonContext(c, keys) ? null : camunda('context put', 3).invoke([c, keys, value], state),
);
// DMN: `key` is one key; a path is `keys`
defineDmn('context put', ['context', 'key', 'value'], ([c, key, value], state) =>
  isList(key) ? null : camunda('context put', 3).invoke([c, key, value], state),
);

// DMN spells the scale `scale`
defineDmn('round half down', ['n', 'scale'], rounding('HALF_DOWN'));
// DMN's `abs` takes `n` only (Camunda's also `number`)
defineDmn('abs', ['n'], ([n], state) => camunda('abs', 1).invoke([n], state));
defineDmn('abs', ['number'], () => failure('DMN names the parameter of abs `n`'));

// XPath flags: `null` is none; a flag XPath does not know is an error
const XPATH_FLAGS = /^[smixq]*$/;
/** XPath: without the `s` flag, `.` matches no line end (`\n` nor `\r`; RE2's `.` matches `\r`). */
function xpathDots(pattern: unknown, flags: string): unknown {
  if (!isString(pattern) || flags.includes('s') || flags.includes('q') || !pattern.includes('.'))
    return pattern;
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      out += pattern.slice(i, i + 2);
      i++;
    } else if (c === '[') {
      inClass = true;
      out += c;
    } else if (c === ']') {
      inClass = false;
      out += c;
    } else out += c === '.' && !inClass ? '[^\\n\\r]' : c;
  }
  return out;
}
defineDmn('matches', ['input', 'pattern'], ([input, pattern], state) =>
  camunda('matches', 2).invoke([input, xpathDots(pattern, '')], state),
);
defineDmn('matches', ['input', 'pattern', 'flags'], ([input, pattern, flags], state) => {
  if (flags === null) return camunda('matches', 2).invoke([input, xpathDots(pattern, '')], state);
  if (isString(flags) && !XPATH_FLAGS.test(flags)) return null;
  const f = isString(flags) ? flags : '';
  return camunda('matches', 3).invoke([input, xpathDots(pattern, f), flags], state);
});

import { FeelDate, FeelDateTime, FeelDuration, FeelFunction, FeelRange, FeelTime } from 'feelin';

/**
 * The runtime rules of feelin 8.2 that the compiled evaluator needs, mirrored
 * from its interpreter (which is not exported). Each function names the
 * feelin function it mirrors; where feelin's behaviour is surprising, the
 * mirror keeps it, because feelin is the reference the compiled path is
 * tested against.
 *
 * The compiled path only ever sees JSON values (plus the built-in function
 * values feelin hands out for unbound names). Where a FEEL temporal value, a
 * range or a FEEL function shows up anyway, the mirror throws {@link DEFER}
 * and the expression is re-evaluated by feelin itself.
 */

/** Evaluation scope: the variables visible to a (sub)expression. */
export type Scope = Record<string, unknown>;

export type FeelType =
  | 'nil'
  | 'boolean'
  | 'number'
  | 'string'
  | 'list'
  | 'context'
  | 'date'
  | 'time'
  | 'date time'
  | 'duration'
  | 'range'
  | 'function'
  | 'literal';

/** Thrown where only feelin models a value; the caller evaluates with feelin instead. */
export class DeferToFeelin {}
export const DEFER = new DeferToFeelin();

/** A FEEL evaluation error found by the compiled path (the caller adds the expression). */
export class EvaluationFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EvaluationFailure';
  }
}

const hasOwn = Object.prototype.hasOwnProperty;

/** feelin `getType`. */
export function feelType(value: unknown): FeelType {
  if (value === null || value === undefined) return 'nil';
  switch (typeof value) {
    case 'boolean':
      return 'boolean';
    case 'number':
      return 'number';
    case 'string':
      return 'string';
  }
  if (Array.isArray(value)) return 'list';
  if (Object.getPrototypeOf(value) === Object.prototype) return 'context';
  if (value instanceof FeelDate) return 'date';
  if (value instanceof FeelTime) return 'time';
  if (value instanceof FeelDateTime) return 'date time';
  if (value instanceof FeelDuration) return 'duration';
  if (value instanceof FeelRange) return 'range';
  if (value instanceof FeelFunction) return 'function';
  return 'literal';
}

/** A value whose FEEL semantics live in feelin's own classes. */
export function isFeelObject(value: unknown): boolean {
  return (
    value instanceof FeelDate ||
    value instanceof FeelTime ||
    value instanceof FeelDateTime ||
    value instanceof FeelDuration ||
    value instanceof FeelRange ||
    value instanceof FeelFunction
  );
}

/** feelin `isTruthy`: anything but `false` and `null` counts as true. */
export function isTruthy(value: unknown): boolean {
  return value !== false && value !== null;
}

// names /////////////////////////////////////////////////////////////

/** lezer-feel `normalizeContextKey`: context keys match modulo spacing around operators. */
export function normalizeContextKey(name: string): string {
  return name
    .replace(/\s*([./\-'+]|\*\*?)\s*/g, ' $1 ')
    .replace(/\s{2,}/g, ' ')
    .trim();
}

const normalizedKeys = new Map<string, string>();

function normalizedKey(key: string): string {
  let normalized = normalizedKeys.get(key);
  if (normalized === undefined) {
    // keys are user data: bound the cache instead of letting it grow forever
    if (normalizedKeys.size > 10_000) normalizedKeys.clear();
    normalized = normalizeContextKey(key);
    normalizedKeys.set(key, normalized);
  }
  return normalized;
}

/** feelin `has`: an own property, or a getter on the prototype chain (temporal components). */
function has(target: object, name: string): boolean {
  if (hasOwn.call(target, name)) return true;
  for (
    let proto: object | null = Object.getPrototypeOf(target);
    proto !== null && proto !== Object.prototype;
    proto = Object.getPrototypeOf(proto)
  ) {
    const descriptor = Object.getOwnPropertyDescriptor(proto, name);
    if (descriptor) return typeof descriptor.get === 'function';
  }
  return false;
}

function lookupNormalized(target: object, normalized: string): unknown {
  const record = target as Scope;
  if (has(target, normalized)) return record[normalized];
  for (const key of Object.keys(target)) {
    if (normalizedKey(key) === normalized) return record[key];
  }
  return undefined;
}

/** feelin `getFromContext` on an evaluation scope (always an object). */
export function lookupName(scope: Readonly<Scope>, name: string, normalized: string): unknown {
  if (hasOwn.call(scope, name)) return scope[name];
  return lookupNormalized(scope, normalized);
}

/** feelin `getFromContext` on an arbitrary value (path access `a.b`). */
export function lookupProperty(target: unknown, name: string, normalized: string): unknown {
  // null, booleans, numbers and strings have no entries; functions do (`count.name`)
  if (target === null || (typeof target !== 'object' && typeof target !== 'function'))
    return undefined;
  const object = target as object;
  if (has(object, name)) return (object as Scope)[name];
  return lookupNormalized(object, normalized);
}

// equality and ordering //////////////////////////////////////////////

/** feelin `equals` (non-strict): `null` when the two values are not comparable. */
export function equals(a: unknown, b: unknown): boolean | null {
  if ((a === null && b !== null) || (a !== null && b === null)) return false;
  // FEEL treats a singleton list as its element
  if (Array.isArray(a) && a.length < 2) a = a[0];
  if (Array.isArray(b) && b.length < 2) b = b[0];
  const aType = feelType(a);
  const bType = feelType(b);
  switch (aType) {
    case 'date':
    case 'time':
    case 'date time':
    case 'duration':
    case 'range':
      throw DEFER;
  }
  if (aType !== bType) return null;
  if (aType === 'nil') return true;
  if (aType === 'list') {
    const left = a as unknown[];
    const right = b as unknown[];
    if (left.length !== right.length) return false;
    return left.every((element, index) => equals(element, right[index]));
  }
  if (aType === 'context') {
    const left = a as Scope;
    const right = b as Scope;
    const entries = Object.entries(left);
    if (entries.length !== Object.keys(right).length) return false;
    return entries.every(([key, value]) => has(right, key) && equals(value, right[key]));
  }
  // feelin compares the remaining (scalar) values loosely
  return a == b;
}

/** feelin `cmp` for non-temporal values: JavaScript's relational operators, coercion included. */
function cmp(a: unknown, b: unknown): number {
  if ((a as number) < (b as number)) return -1;
  if ((a as number) > (b as number)) return 1;
  return 0;
}

const RANGE_TYPES: ReadonlySet<FeelType> = new Set([
  'string',
  'number',
  'duration',
  'time',
  'date time',
  'date',
]);

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(describe).join(', ')}]`;
  if (feelType(value) === 'context') return '{...}';
  return String(value);
}

/**
 * feelin `createRange`: the element type must be one both bounds share;
 * anything else is an error (feelin throws, e.g. for `x > true`).
 */
export function createRange(
  start: unknown,
  end: unknown,
  startIncluded = true,
  endIncluded = true,
): FeelRange {
  const startType = start === null ? null : feelType(start);
  const endType = end === null ? null : feelType(end);
  const type = startType ?? endType;
  const valueType =
    type !== null &&
    RANGE_TYPES.has(type) &&
    (startType === null || startType === type) &&
    (endType === null || endType === type)
      ? type
      : null;
  if (valueType === null && !(start === null && end === null)) {
    throw new EvaluationFailure(`cannot build a range from ${describe(start)} to ${describe(end)}`);
  }
  return new FeelRange({
    start,
    end,
    'start included': startIncluded,
    'end included': endIncluded,
    valueType,
  });
}

export type OrderOperator = '<' | '<=' | '>' | '>=';

/**
 * `left <op> right`. feelin turns `> right` into the range `(right..null)`
 * and asks whether it includes `left`; this is that, without building the
 * range: `null` for a `null` side, an error for a right side that cannot
 * bound a range (`x > true`), and JavaScript comparison otherwise.
 */
export function compareOrdered(
  operator: OrderOperator,
  left: unknown,
  right: unknown,
): boolean | null {
  if (right === null) return null;
  const type = feelType(right);
  if (!RANGE_TYPES.has(type)) {
    throw new EvaluationFailure(`cannot compare ${describe(left)} with ${describe(right)}`);
  }
  if (type !== 'number' && type !== 'string') throw DEFER;
  return compareWithBound(operator, left, right);
}

/**
 * `left <op> bound` for a number or string bound. feelin compares through
 * `cmp` (-1, 0 or 1 from `<` and `>`, with JavaScript's coercion), so `>=`
 * means "not less than": `"abc" >= 5` is true, `"abc" > 5` is false.
 */
export function compareWithBound(
  operator: OrderOperator,
  left: unknown,
  bound: unknown,
): boolean | null {
  if (left === null || left === undefined) return null;
  if (typeof left === 'object' && isFeelObject(left)) throw DEFER;
  switch (operator) {
    case '>':
      return cmp(left, bound) > 0;
    case '>=':
      return cmp(left, bound) >= 0;
    case '<':
      return cmp(left, bound) < 0;
    case '<=':
      return cmp(left, bound) <= 0;
  }
}

/** A compiled unary test: a range, or a predicate (from `= x` / `!= x`). */
export type UnaryTest = FeelRange | ((value: unknown) => boolean | null);

/** feelin `compareValue`. */
export function compareValue(test: unknown, value: unknown): boolean | null {
  if (typeof test === 'function') return (test as (value: unknown) => boolean | null)(value);
  if (test instanceof FeelRange) return test.includes(value);
  return equals(test, value);
}

/** feelin `compareIn`: three-valued membership (`x in (1, 2)`, `x in [1..5]`, `x in list`). */
export function compareIn(value: unknown, tests: unknown): boolean | null {
  let candidates: unknown[];
  if (Array.isArray(tests)) {
    candidates = tests;
  } else {
    if (tests === null || tests === undefined) return null;
    candidates = [tests];
  }
  let unknown = false;
  for (const test of candidates) {
    let result = compareValue(test, value);
    // scalar equality is two-valued in a membership test
    if (result === null && !(test instanceof FeelRange) && typeof test !== 'function')
      result = false;
    if (result === true) return true;
    if (result === null) unknown = true;
  }
  return unknown ? null : false;
}

// arithmetic ////////////////////////////////////////////////////////

export type ArithmeticOperator = '+' | '-' | '*' | '/' | '**' | '^';

/**
 * feelin's `ArithOp`: both operands must have the same type (number; or
 * string for `+`), anything else is `null`; division by zero is `null`.
 */
export function arithmetic(operator: ArithmeticOperator, left: unknown, right: unknown): unknown {
  if (Array.isArray(left) || Array.isArray(right)) return null;
  const leftType = feelType(left);
  switch (leftType) {
    case 'date':
    case 'time':
    case 'date time':
    case 'duration':
      throw DEFER;
  }
  if (leftType !== feelType(right)) return null;
  if (leftType === 'string') return operator === '+' ? (left as string) + (right as string) : null;
  if (leftType !== 'number') return null;
  const a = left as number;
  const b = right as number;
  switch (operator) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      // feelin: `!b ? null : a / b`, so NaN divisors are null too
      return !b ? null : a / b;
    case '**':
    case '^':
      return Math.pow(a, b);
  }
}

// literals //////////////////////////////////////////////////////////

/** feelin `parseString`: a string literal's value, escapes resolved. */
export function parseStringLiteral(text: string): string {
  let str = text;
  if (str.startsWith('"')) str = str.slice(1);
  if (str.endsWith('"')) str = str.slice(0, -1);
  return str.replace(
    /(\\")|(\\\\)|(\\n)|(\\r)|(\\t)|(\\u[a-fA-F0-9]{5,6})|((?:\\u[a-fA-F0-9]{1,4})+)/gi,
    (
      substring: string,
      quotes?: string,
      backslash?: string,
      newline?: string,
      carriageReturn?: string,
      tab?: string,
      codePoint?: string,
    ) => {
      if (quotes) return '"';
      if (newline) return '\n';
      if (carriageReturn) return '\r';
      if (tab) return '\t';
      if (backslash) return '\\';
      if (codePoint) return String.fromCodePoint(parseInt(codePoint.slice(2), 16));
      const units = [...substring.matchAll(/\\u([a-fA-F0-9]+)/gi)].map((m) => parseInt(m[1], 16));
      return String.fromCharCode(...units);
    },
  );
}

/** feelin's numeric literal: `parseFloat` with a `.`, else `parseInt` (so `1e3` is 1). */
export function parseNumericLiteral(text: string): number {
  return text.includes('.') ? parseFloat(text) : parseInt(text, 10);
}

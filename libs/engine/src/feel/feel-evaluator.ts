import type { Iterator, Node, NodeOf, OrderOperator, Parameters } from './feel-ast';
import {
  builtinForArity,
  builtinForNames,
  BUILTINS,
  InvocationFailure,
  type BuiltinFunction,
} from './feel-builtins';
import * as num from './feel-number';
import {
  checkContextSize,
  checkListLength,
  checkStringLength,
  FeelFailure,
  limitExceeded,
  spend,
  type EvalState,
} from './feel-state';
import { addTemporal, subtractTemporal } from './feel-temporal';
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
  isContext,
  isScalarComparable,
  kindOf,
  newContext,
  putEntry,
  typeName,
  type Kind,
} from './feel-values';

/**
 * Compiles a FEEL syntax tree to JavaScript closures, once per expression,
 * following feel-scala's interpreter (`FeelInterpreter.eval`) case by case:
 * values of different types compare as `null`, operators on the wrong types
 * give `null`, a failed function call gives `null` (with a warning), and
 * only what feel-scala treats as fatal (an assertion, `?` outside a unary
 * test, a Java exception in a built-in) fails the evaluation.
 *
 * Every loop and call spends work units from the evaluation's
 * {@link EvalState}, and every list, string and context it builds is
 * checked against the limits, so an evaluation is bounded in time and
 * memory. Ranges (`1..n` in `for`) are iterated, never materialized.
 */

export type Evaluator = (scope: Scope, state: EvalState) => unknown;

/** Names visible to a subexpression: a chain of small objects, the evaluation's variables at the root. */
export class Scope {
  constructor(
    readonly vars: Readonly<Record<string, unknown>>,
    readonly parent: Scope | null,
  ) {}
}

/** The scope key of the implicit input of unary tests (not a name FEEL can spell). */
const INPUT = '\u0000input';
/** `?`: the input inside a unary-test expression. */
const QUESTION = '?';

const hasOwn = Object.prototype.hasOwnProperty;

function lookup(scope: Scope | null, name: string): unknown {
  for (let s = scope; s !== null; s = s.parent) {
    if (hasOwn.call(s.vars, name)) return s.vars[name];
  }
  return undefined;
}

/** `for` result lists while they grow: read through `partial[i]` without copying. */
const livePartials = new WeakSet<unknown[]>();

/** What a subexpression may see: names bound in the expression, and whether entries of filtered items may shadow names. */
interface Lexical {
  readonly names: ReadonlySet<string>;
  readonly dynamic: boolean;
}

const ROOT_LEXICAL: Lexical = { names: new Set(), dynamic: false };

function bind(lexical: Lexical, names: Iterable<string>, dynamic = lexical.dynamic): Lexical {
  const set = new Set(lexical.names);
  for (const name of names) set.add(name);
  return { names: set, dynamic };
}

/** A problem found while compiling: a call that can never run. */
export class CompileProblem extends Error {
  constructor(
    message: string,
    readonly from: number,
    readonly to: number,
    readonly functionName: string,
  ) {
    super(message);
    this.name = 'CompileProblem';
  }
}

export interface CompiledProgram {
  readonly run: Evaluator;
  /** Top-level variables the expression reads. */
  readonly variables: readonly string[];
}

/** The root scope of an evaluation; for unary tests, with the input bound. */
export function rootScope(
  context: Readonly<Record<string, unknown>>,
  input?: { readonly value: unknown },
): Scope {
  const root = new Scope(context, null);
  return input === undefined ? root : new Scope({ [INPUT]: input.value }, root);
}

/** How a host other than the BPMN engine reads an expression (DMN). */
export interface ProgramOptions {
  /**
   * Calls of names that are neither built-ins nor bound in the expression
   * resolve at evaluation time against functions in the context (knowledge
   * models of a DMN decision), instead of being refused at compile time; a
   * function in the context shadows a built-in of the same name.
   */
  readonly contextFunctions?: boolean;
  /**
   * DMN 1.5 semantics where they differ from Camunda's (feel-scala): its
   * extra built-ins (`is`, `list replace`, ...), singleton-list coercion,
   * date-times equal by instant, signed differences of times, structural
   * `instance of` types; a unary test that is an expression compares a
   * boolean value with a boolean input (`flag` matches `false` when `flag`
   * is false) and tests each range of a list value as an interval.
   */
  readonly dmn?: boolean;
  /** DMN input entries: a test that cannot decide (`null`) does not match, so `not(...)` of it does. */
  readonly undecidedTestsFail?: boolean;
}

export function compileProgram(node: Node, options: ProgramOptions = {}): CompiledProgram {
  const compiler = new Compiler(options);
  const run = compiler.compile(node, ROOT_LEXICAL);
  return { run, variables: [...compiler.variables] };
}

// semantics //////////////////////////////////////////////////////////

function notComparable(state: EvalState, a: unknown, b: unknown): null {
  state.warn('NOT_COMPARABLE', () => `Can't compare '${describe(a)}' with '${describe(b)}'`);
  return null;
}

/** feel-scala `checkEquality`. */
export function checkEquality(state: EvalState, a: unknown, b: unknown): boolean | null {
  const result = equalValues(state, a, b);
  return result === null ? notComparable(state, a, b) : result;
}

/**
 * FEEL equality; for DMN, date-times and times with an offset are equal when
 * they are the same instant (DMN 1.5 10.3.2.3.6), compared to the millisecond.
 */
function equalValues(state: EvalState, a: unknown, b: unknown): boolean | null {
  if (state.dmn) {
    if (a instanceof FeelDateTime && b instanceof FeelDateTime)
      return millis(a.value.epochNanoseconds) === millis(b.value.epochNanoseconds);
    if (a instanceof FeelTime && b instanceof FeelTime)
      return Math.floor(a.utcNanos / 1e6) === Math.floor(b.utcNanos / 1e6);
    if (a instanceof FeelLocalTime && b instanceof FeelLocalTime)
      return a.value
        .round({ smallestUnit: 'millisecond', roundingMode: 'floor' })
        .equals(b.value.round({ smallestUnit: 'millisecond', roundingMode: 'floor' }));
    if (a instanceof FeelLocalDateTime && b instanceof FeelLocalDateTime)
      return a.value
        .round({ smallestUnit: 'millisecond', roundingMode: 'floor' })
        .equals(b.value.round({ smallestUnit: 'millisecond', roundingMode: 'floor' }));
  }
  return feelEquals(a, b);
}

function millis(nanos: bigint): bigint {
  const ms = nanos / 1_000_000n;
  return nanos < 0n && ms * 1_000_000n !== nanos ? ms - 1n : ms;
}

/** feel-scala `dualOp`: both comparable and of one type, else `null`. */
function order(state: EvalState, operator: OrderOperator, a: unknown, b: unknown): boolean | null {
  if (typeof a === 'number' && typeof b === 'number') return compareNumbers(operator, a, b);
  const kind = kindOf(a);
  if (!isScalarComparable(kind) || kind !== kindOf(b)) return notComparable(state, a, b);
  const c = compareSameKind(kind, a, b);
  switch (operator) {
    case '<':
      return c < 0;
    case '<=':
      return c <= 0;
    case '>':
      return c > 0;
    case '>=':
      return c >= 0;
  }
}

function compareNumbers(operator: OrderOperator, a: number, b: number): boolean {
  switch (operator) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
  }
}

function invalidType(state: EvalState, message: () => string): null {
  state.warn('INVALID_TYPE', message);
  return null;
}

function add(state: EvalState, a: unknown, b: unknown): unknown {
  if (typeof a === 'number' && typeof b === 'number') return num.add(a, b);
  if (typeof a === 'string' && typeof b === 'string') {
    checkStringLength(state, a.length + b.length);
    return a + b;
  }
  const result = typeof a === 'object' && typeof b === 'object' ? addTemporal(a, b) : undefined;
  return result === undefined
    ? invalidType(state, () => `Can't add '${describe(b)}' to '${describe(a)}'`)
    : result;
}

function subtract(state: EvalState, a: unknown, b: unknown): unknown {
  if (typeof a === 'number' && typeof b === 'number') return num.subtract(a, b);
  if (state.dmn) {
    const result = subtractDmn(a, b);
    if (result !== undefined) return result;
  }
  const result =
    typeof a === 'object' && typeof b === 'object' ? subtractTemporal(a, b) : undefined;
  return result === undefined
    ? invalidType(state, () => `Can't subtract '${describe(b)}' from '${describe(a)}'`)
    : result;
}

/**
 * DMN 1.5's differences that feel-scala computes otherwise: a date is its
 * midnight in UTC against a date-time, and a time minus a time is signed.
 */
function subtractDmn(a: unknown, b: unknown): unknown {
  const utcMidnight = (d: FeelDate): FeelDateTime =>
    new FeelDateTime(d.value.toZonedDateTime({ timeZone: 'UTC' }), false);
  if (a instanceof FeelDateTime && b instanceof FeelDate)
    return subtractTemporal(a, utcMidnight(b));
  if (a instanceof FeelDate && b instanceof FeelDateTime)
    return subtractTemporal(utcMidnight(a), b);
  if (a instanceof FeelTime && b instanceof FeelTime)
    return new FeelDaysTimeDuration(BigInt(a.utcNanos - b.utcNanos));
  return undefined;
}

function multiply(state: EvalState, a: unknown, b: unknown): unknown {
  if (typeof a === 'number' && typeof b === 'number') return num.multiply(a, b);
  // feel-scala multiplies durations by the integer part of the number
  if (typeof a === 'number' || typeof b === 'number') {
    const factor = Math.trunc((typeof a === 'number' ? a : b) as number);
    const other = typeof a === 'number' ? b : a;
    if (other instanceof FeelYearsMonthsDuration)
      return new FeelYearsMonthsDuration(other.months * factor);
    if (other instanceof FeelDaysTimeDuration)
      return new FeelDaysTimeDuration(other.nanos * BigInt(factor));
  }
  return invalidType(state, () => `Can't multiply '${describe(a)}' by '${describe(b)}'`);
}

function divide(state: EvalState, a: unknown, b: unknown): unknown {
  if (typeof a === 'number' && typeof b === 'number') return num.divide(a, b);
  if (a instanceof FeelYearsMonthsDuration) {
    if (typeof b === 'number' && b !== 0) {
      const months = num.divide(a.months, b);
      return months === null ? null : new FeelYearsMonthsDuration(Math.trunc(months));
    }
    if (b instanceof FeelYearsMonthsDuration && b.months !== 0)
      return num.divide(a.months, b.months);
  }
  if (a instanceof FeelDaysTimeDuration) {
    if (b instanceof FeelDaysTimeDuration && b.nanos !== 0n) return num.divide(a.millis, b.millis);
    if (typeof b === 'number' && b !== 0) {
      const millis = num.divide(a.millis, b);
      return millis === null
        ? null
        : new FeelDaysTimeDuration(BigInt(Math.trunc(millis)) * 1_000_000n);
    }
  }
  return invalidType(state, () => `Can't divide '${describe(a)}' by '${describe(b)}'`);
}

function power(state: EvalState, a: unknown, b: unknown): unknown {
  if (typeof a === 'number' && typeof b === 'number') {
    // DMN (the TCK, feelin): exponentiation in binary floating point
    if (state.dmn) {
      const p = Math.pow(a, b);
      return Number.isFinite(p) ? p : null;
    }
    return num.power(a, b);
  }
  return invalidType(
    state,
    () => `Expected number but found '${describe(typeof a === 'number' ? b : a)}'`,
  );
}

function asBoolean(state: EvalState, value: unknown): boolean | null {
  if (typeof value === 'boolean') return value;
  return invalidType(state, () => `Expected boolean but found '${describe(value)}'`);
}

/** feel-scala `Val.property`: the components of temporal values. */
function property(value: unknown, key: string): unknown {
  if (
    value instanceof FeelDate ||
    value instanceof FeelLocalDateTime ||
    value instanceof FeelDateTime
  ) {
    const v = value.value;
    switch (key) {
      case 'year':
        return v.year;
      case 'month':
        return v.month;
      case 'day':
        return v.day;
      case 'weekday':
        return v.dayOfWeek;
    }
    if (value instanceof FeelDate) return undefined;
  }
  if (
    value instanceof FeelLocalTime ||
    value instanceof FeelTime ||
    value instanceof FeelLocalDateTime ||
    value instanceof FeelDateTime
  ) {
    const v = value.value;
    switch (key) {
      case 'hour':
        return v.hour;
      case 'minute':
        return v.minute;
      case 'second':
        return v.second;
      case 'time offset':
        return value instanceof FeelTime || value instanceof FeelDateTime
          ? new FeelDaysTimeDuration(BigInt(value.offsetSeconds) * 1_000_000_000n)
          : null;
      case 'timezone':
        if (value instanceof FeelTime) return value.zone;
        if (value instanceof FeelDateTime) return value.zoned ? value.value.timeZoneId : null;
        return null;
    }
    return undefined;
  }
  if (value instanceof FeelRange) {
    switch (key) {
      case 'start':
        return value.start.value;
      case 'end':
        return value.end.value;
      case 'start included':
        return value.start.closed;
      case 'end included':
        return value.end.closed;
    }
    return undefined;
  }
  if (value instanceof FeelYearsMonthsDuration) {
    if (key === 'years') return value.years;
    if (key === 'months') return value.monthsOfYear;
    return undefined;
  }
  if (value instanceof FeelDaysTimeDuration) {
    switch (key) {
      case 'days':
        return value.days;
      case 'hours':
        return value.hoursOfDay;
      case 'minutes':
        return value.minutesOfHour;
      case 'seconds':
        return value.secondsOfMinute;
    }
  }
  return undefined;
}

/** feel-scala `path`: an entry of a context, the path on each element of a list, a component of a temporal value. */
function path(state: EvalState, value: unknown, key: string): unknown {
  if (isContext(value)) {
    const entry = entryOf(value, key);
    if (entry !== undefined) return entry;
    state.warn('NO_CONTEXT_ENTRY_FOUND', () => `No context entry found with key '${key}'`);
    return null;
  }
  if (Array.isArray(value)) {
    spend(state, value.length);
    return value.map((item) => path(state, item, key));
  }
  if (value === null) {
    state.warn(
      'NO_CONTEXT_ENTRY_FOUND',
      () => `No context entry found with key '${key}'. The context is null`,
    );
    return null;
  }
  const result = property(value, key);
  if (result !== undefined) return result;
  state.warn(
    'NO_PROPERTY_FOUND',
    () => `No property found with name '${key}' of value '${describe(value)}'`,
  );
  return null;
}

const RANGE_KINDS: ReadonlySet<Kind> = new Set<Kind>([
  'number',
  'date',
  'time',
  'local time',
  'date time',
  'local date time',
  'years months duration',
  'days time duration',
]);

function inRange(
  state: EvalState,
  input: unknown,
  start: unknown,
  startClosed: boolean,
  end: unknown,
  endClosed: boolean,
): boolean | null {
  const kind = kindOf(input);
  if (!isScalarComparable(kind) || kindOf(start) !== kind || kindOf(end) !== kind) {
    state.warn(
      'NOT_COMPARABLE',
      () => `Can't compare '${describe(input)}' with '${describe(start)}' and '${describe(end)}'`,
    );
    return null;
  }
  const s = compareSameKind(kind, input, start);
  const e = compareSameKind(kind, input, end);
  return (startClosed ? s >= 0 : s > 0) && (endClosed ? e <= 0 : e < 0);
}

/** An iteration source: a list, or a numeric range iterated without building it. */
interface Sequence {
  readonly list: readonly unknown[] | undefined;
  readonly start: number;
  readonly step: number;
  readonly length: number;
}

function listSequence(list: readonly unknown[]): Sequence {
  return { list, start: 0, step: 0, length: list.length };
}

function rangeSequence(start: number, end: number): Sequence {
  const step = start <= end ? 1 : -1;
  return { list: undefined, start, step, length: Math.floor(Math.abs(end - start)) + 1 };
}

function sequenceAt(sequence: Sequence, i: number): unknown {
  if (sequence.list !== undefined) return sequence.list[i];
  const { start, step } = sequence;
  return Number.isInteger(start) ? start + i * step : num.add(start, i * step);
}

/**
 * The scopes of every combination of the iterators' values, the first
 * iterator outermost (an odometer over the sequences), one at a time.
 */
class Combinations {
  private readonly index: number[];
  private done: boolean;

  constructor(
    private readonly names: readonly string[],
    private readonly sequences: readonly Sequence[],
  ) {
    this.index = new Array<number>(sequences.length).fill(0);
    this.done = sequences.length === 0 || sequences.some((s) => s.length === 0);
  }

  /** The next combination's variables, or undefined when all were visited. */
  next(state: EvalState): Record<string, unknown> | undefined {
    if (this.done) return undefined;
    if (--state.work < 0) throw limitExceeded(state, 'maxWork');
    const { names, sequences, index } = this;
    const vars: Record<string, unknown> = {};
    for (let k = 0; k < names.length; k++)
      putEntry(vars, names[k], sequenceAt(sequences[k], index[k]));
    let k = sequences.length - 1;
    while (k >= 0 && ++index[k] === sequences[k].length) index[k--] = 0;
    if (k < 0) this.done = true;
    return vars;
  }
}

// the compiler ///////////////////////////////////////////////////////

const UNARY_TESTS: ReadonlySet<Node['type']> = new Set<Node['type']>([
  'inputEquals',
  'inputCompare',
  'inputInRange',
  'unaryTestExpression',
]);

class Compiler {
  readonly variables = new Set<string>();

  constructor(private readonly options: ProgramOptions = {}) {}

  compile(node: Node, lexical: Lexical): Evaluator {
    const evaluator = this.compileNode(node, lexical);
    if (this.options.undecidedTestsFail === true && UNARY_TESTS.has(node.type)) {
      // DMN: a unary test that cannot decide does not match (so `not(...)` does)
      return (scope, state) => {
        const result = evaluator(scope, state);
        return result === null ? false : result;
      };
    }
    return evaluator;
  }

  private compileNode(node: Node, lexical: Lexical): Evaluator {
    switch (node.type) {
      case 'null':
        return () => null;
      case 'number':
      case 'string':
      case 'boolean':
      case 'temporal': {
        const value = node.value;
        return () => value;
      }
      case 'input':
        return (scope) => {
          const value = lookup(scope, QUESTION);
          if (value === undefined) {
            throw new FeelFailure(
              "No input value available. '?' can only be used inside an unary-test expression.",
            );
          }
          return value;
        };
      case 'list':
        return this.list(node, lexical);
      case 'context':
        return this.context(node, lexical);
      case 'range':
        return this.range(node, lexical);
      case 'inputEquals': {
        const value = this.compile(node.value, lexical);
        return (scope, state) =>
          checkEquality(state, implicitInput(scope, state), value(scope, state));
      }
      case 'inputCompare': {
        const value = this.compile(node.value, lexical);
        const operator = node.operator;
        return (scope, state) =>
          order(state, operator, implicitInput(scope, state), value(scope, state));
      }
      case 'inputInRange': {
        const start = this.compile(node.start.value, lexical);
        const end = this.compile(node.end.value, lexical);
        const startClosed = node.start.closed;
        const endClosed = node.end.closed;
        return (scope, state) =>
          inRange(
            state,
            implicitInput(scope, state),
            start(scope, state),
            startClosed,
            end(scope, state),
            endClosed,
          );
      }
      case 'unaryTestExpression':
        return this.unaryTestExpression(node, lexical);
      case 'arithmetic':
        return this.arithmetic(node, lexical);
      case 'negation': {
        const operand = this.compile(node.operand, lexical);
        return (scope, state) => {
          const value = operand(scope, state);
          if (typeof value === 'number') return num.negate(value);
          return invalidType(state, () => `Expected number but found '${describe(value)}'`);
        };
      }
      case 'equals': {
        const left = this.compile(node.left, lexical);
        const right = this.compile(node.right, lexical);
        return (scope, state) => checkEquality(state, left(scope, state), right(scope, state));
      }
      case 'compare':
        return this.comparison(node, lexical);
      case 'not': {
        const operand = this.compile(node.operand, lexical);
        return (scope, state) => {
          const value = operand(scope, state);
          return typeof value === 'boolean' ? !value : asBoolean(state, value);
        };
      }
      case 'atLeastOne':
        return this.atLeastOne(node.tests.map((t) => this.compile(t, lexical)));
      case 'or':
        return this.atLeastOne([
          this.compile(node.left, lexical),
          this.compile(node.right, lexical),
        ]);
      case 'and': {
        const left = this.compile(node.left, lexical);
        const right = this.compile(node.right, lexical);
        return (scope, state) => {
          const a = left(scope, state);
          if (a === false) return false;
          const b = right(scope, state);
          if (b === false) return false;
          if (a === true && b === true) return true;
          if (typeof a !== 'boolean') asBoolean(state, a);
          else if (typeof b !== 'boolean') asBoolean(state, b);
          return null;
        };
      }
      case 'if': {
        const condition = this.compile(node.condition, lexical);
        const then = this.compile(node.then, lexical);
        const otherwise = this.compile(node.otherwise, lexical);
        // feel-scala: a condition that is not a boolean takes the else branch
        return (scope, state) =>
          condition(scope, state) === true ? then(scope, state) : otherwise(scope, state);
      }
      case 'in': {
        const value = this.compile(node.value, lexical);
        const test = this.compile(node.test, lexical);
        return (scope, state) => test(new Scope({ [INPUT]: value(scope, state) }, scope), state);
      }
      case 'instanceOf':
        return this.instanceOf(node, lexical);
      case 'ref':
        return this.ref(node, lexical);
      case 'path': {
        const target = this.compile(node.target, lexical);
        const key = node.key;
        return (scope, state) => path(state, target(scope, state), key);
      }
      case 'quantified':
        return this.quantified(node, lexical);
      case 'for':
        return this.forExpression(node, lexical);
      case 'filter':
        return this.filter(node, lexical);
      case 'iterationRange':
        // only an iterator's source; compiled there
        throw new Error('an iteration range outside an iterator');
      case 'call':
        return this.call(node, lexical);
      case 'qualifiedCall':
        return this.qualifiedCall(node, lexical);
      case 'invoke': {
        const target = this.compile(node.target, lexical);
        const args = this.arguments(node.parameters, lexical);
        const parameters = node.parameters;
        return (scope, state) => {
          const fn = target(scope, state);
          const values = args(scope, state);
          if (fn instanceof FeelFunction && accepts(fn, parameters))
            return invokeFunction(state, 'function', fn, parameters, values);
          state.warn('NO_FUNCTION_FOUND', () => `'${describe(fn)}' is not a function`);
          return null;
        };
      }
      case 'function':
        return this.functionDefinition(node, lexical);
    }
  }

  // values ////////////////////////////////////////////////////////////

  private list(node: NodeOf<'list'>, lexical: Lexical): Evaluator {
    const items = node.items.map((item) => this.compile(item, lexical));
    const n = items.length;
    return (scope, state) => {
      if (n > 16) checkListLength(state, n);
      const out = new Array<unknown>(n);
      for (let i = 0; i < n; i++) out[i] = items[i](scope, state);
      return out;
    };
  }

  private context(node: NodeOf<'context'>, lexical: Lexical): Evaluator {
    let inner = lexical;
    const entries: [string, Evaluator][] = [];
    for (const [key, value] of node.entries) {
      entries.push([key, this.compile(value, inner)]);
      inner = bind(inner, [key]);
    }
    const n = entries.length;
    return (scope, state) => {
      if (n > 16) checkContextSize(state, n);
      const result = newContext();
      // FEEL: an entry sees the entries before it
      const visible = new Scope(result, scope);
      for (let i = 0; i < n; i++) putEntry(result, entries[i][0], entries[i][1](visible, state));
      return result;
    };
  }

  private range(node: NodeOf<'range'>, lexical: Lexical): Evaluator {
    const start = this.compile(node.start.value, lexical);
    const end = this.compile(node.end.value, lexical);
    const startClosed = node.start.closed;
    const endClosed = node.end.closed;
    return (scope, state) => {
      const s = start(scope, state);
      const e = end(scope, state);
      const kind = kindOf(s === null && state.dmn ? e : s);
      // DMN 1.5: a range may have no start or no end (`(< 10)`), not neither
      const open = state.dmn && (s === null) !== (e === null);
      // DMN 1.5: ranges of strings too (`["a".."m"]`)
      const rangeKind = RANGE_KINDS.has(kind) || (state.dmn && kind === 'string');
      if (!rangeKind || (!open && kindOf(e) !== kind)) {
        return invalidType(
          state,
          () => `Invalid range definition '${describe(s)}..${describe(e)}'`,
        );
      }
      return new FeelRange({ value: s, closed: startClosed }, { value: e, closed: endClosed });
    };
  }

  private unaryTestExpression(node: NodeOf<'unaryTestExpression'>, lexical: Lexical): Evaluator {
    const expression = this.compile(node.expression, lexical);
    if (node.usesInput) {
      return (scope, state) => {
        const input = implicitInput(scope, state);
        const result = expression(new Scope({ [QUESTION]: input }, scope), state);
        return typeof result === 'boolean' ? result : null;
      };
    }
    const dmn = this.options.dmn === true;
    return (scope, state) => {
      const input = implicitInput(scope, state);
      const value = expression(scope, state);
      if (dmn && typeof value === 'boolean' && typeof input === 'boolean') return value === input;
      if (value === true) return true;
      if (value instanceof FeelRange) {
        return inRange(
          state,
          input,
          value.start.value,
          value.start.closed,
          value.end.value,
          value.end.closed,
        );
      }
      if (Array.isArray(value)) {
        spend(state, value.length);
        for (const item of value) {
          if (dmn && item instanceof FeelRange) {
            const s = item.start;
            const e = item.end;
            if (inRange(state, input, s.value, s.closed, e.value, e.closed) === true) return true;
          } else if (equalValues(state, item, input) === true) return true;
        }
      }
      const equal = equalValues(state, input, value);
      if (equal === true) return true;
      if (value === false || Array.isArray(value)) return false;
      return equal === null ? notComparable(state, input, value) : false;
    };
  }

  private arithmetic(node: NodeOf<'arithmetic'>, lexical: Lexical): Evaluator {
    const left = this.compile(node.left, lexical);
    const right = this.compile(node.right, lexical);
    switch (node.operator) {
      case '+':
        return (scope, state) => {
          const a = left(scope, state);
          const b = right(scope, state);
          if (typeof a === 'number' && typeof b === 'number') {
            const r = a + b;
            return Number.isSafeInteger(r) && Number.isInteger(a) && Number.isInteger(b)
              ? r
              : num.add(a, b);
          }
          return add(state, a, b);
        };
      case '-':
        return (scope, state) => subtract(state, left(scope, state), right(scope, state));
      case '*':
        return (scope, state) => {
          const a = left(scope, state);
          const b = right(scope, state);
          if (typeof a === 'number' && typeof b === 'number') {
            const r = a * b;
            return Number.isSafeInteger(r) && Number.isInteger(a) && Number.isInteger(b)
              ? r
              : num.multiply(a, b);
          }
          return multiply(state, a, b);
        };
      case '/':
        return (scope, state) => divide(state, left(scope, state), right(scope, state));
      case '**':
        return (scope, state) => power(state, left(scope, state), right(scope, state));
    }
  }

  private comparison(node: NodeOf<'compare'>, lexical: Lexical): Evaluator {
    const left = this.compile(node.left, lexical);
    const operator = node.operator;
    if (node.right.type === 'number' && node.right.value !== null) {
      // `amount > 100`: the common shape, checked against the literal directly
      const bound = node.right.value;
      switch (operator) {
        case '>':
          return (scope, state) => {
            const a = left(scope, state);
            return typeof a === 'number' ? a > bound : order(state, operator, a, bound);
          };
        case '>=':
          return (scope, state) => {
            const a = left(scope, state);
            return typeof a === 'number' ? a >= bound : order(state, operator, a, bound);
          };
        case '<':
          return (scope, state) => {
            const a = left(scope, state);
            return typeof a === 'number' ? a < bound : order(state, operator, a, bound);
          };
        case '<=':
          return (scope, state) => {
            const a = left(scope, state);
            return typeof a === 'number' ? a <= bound : order(state, operator, a, bound);
          };
      }
    }
    const right = this.compile(node.right, lexical);
    return (scope, state) => order(state, operator, left(scope, state), right(scope, state));
  }

  /** feel-scala `atLeastOne`: true wins, a non-boolean makes it null unless a later test is true. */
  private atLeastOne(tests: readonly Evaluator[]): Evaluator {
    if (tests.length === 2) {
      const [left, right] = tests;
      return (scope, state) => {
        const a = left(scope, state);
        if (a === true) return true;
        const b = right(scope, state);
        if (b === true) return true;
        if (a === false && b === false) return false;
        if (typeof a !== 'boolean') asBoolean(state, a);
        else asBoolean(state, b);
        return null;
      };
    }
    return (scope, state) => {
      let result: boolean | null = false;
      for (const test of tests) {
        const value = test(scope, state);
        if (value === true) return true;
        if (value !== false) {
          if (result === false) asBoolean(state, value);
          result = null;
        }
      }
      return result;
    };
  }

  private instanceOf(node: NodeOf<'instanceOf'>, lexical: Lexical): Evaluator {
    const value = this.compile(node.value, lexical);
    const name = node.typeName;
    if (name.includes('<')) {
      const conforms = typeTest(name);
      return (scope, state) => conforms(value(scope, state));
    }
    return (scope, state) => {
      const v = value(scope, state);
      switch (name) {
        case 'Any':
          return v !== null;
        case 'date time':
          return typeName(v) === 'date and time';
        case 'year-month-duration':
          return typeName(v) === 'years and months duration';
        case 'day-time-duration':
          return typeName(v) === 'days and time duration';
        default:
          return typeName(v) === name;
      }
    };
  }

  private ref(node: NodeOf<'ref'>, lexical: Lexical): Evaluator {
    const [first, ...rest] = node.names;
    if (!lexical.names.has(first)) this.variables.add(first);
    const direct = !lexical.dynamic && !lexical.names.has(first);
    const read: Evaluator = direct
      ? (_scope, state) => {
          const root = state.root;
          return hasOwn.call(root, first) ? root[first] : undefined;
        }
      : (scope) => lookup(scope, first);
    const resolve: Evaluator = (scope, state) => {
      const value = read(scope, state);
      if (value === undefined) {
        if (state.dmn && rest.length === 0) {
          // DMN: a built-in named as a value is a function (`bkm(abs)`)
          const builtin = BUILTINS.get(first)?.[0];
          if (builtin !== undefined)
            return new FeelFunction(
              builtin.params,
              (args) => {
                const result = builtin.invoke(args, state);
                return result instanceof InvocationFailure ? null : result;
              },
              builtin.varArgs,
            );
        }
        state.warn('NO_VARIABLE_FOUND', () => `No variable found with name '${first}'`);
        return null;
      }
      if (Array.isArray(value) && livePartials.has(value)) {
        // `partial` escapes as a value: a copy, so that later iterations do not change it
        spend(state, value.length);
        return value.slice();
      }
      return value;
    };
    if (rest.length === 0) return resolve;
    return (scope, state) => {
      let value = resolve(scope, state);
      for (const key of rest) value = path(state, value, key);
      return value;
    };
  }

  // iteration /////////////////////////////////////////////////////////

  /** Each iterator's source, evaluated in the outer scope (as feel-scala does): a sequence, or null. */
  private sources(
    iterators: readonly Iterator[],
    lexical: Lexical,
  ): (scope: Scope, state: EvalState) => Sequence[] | null {
    const sources = iterators.map((it): ((scope: Scope, state: EvalState) => Sequence | null) => {
      const source = it.source;
      if (source.type === 'iterationRange') {
        const start = this.compile(source.start, lexical);
        const end = this.compile(source.end, lexical);
        return (scope, state) => {
          const s = start(scope, state);
          const e = end(scope, state);
          if (typeof s !== 'number' || typeof e !== 'number') {
            return invalidType(
              state,
              () => `Expected number but found '${describe(typeof s === 'number' ? e : s)}'`,
            );
          }
          return rangeSequence(s, e);
        };
      }
      const list = this.compile(source, lexical);
      return (scope, state) => {
        const value = list(scope, state);
        if (Array.isArray(value)) return listSequence(value);
        return invalidType(state, () => `Expected list but found '${describe(value)}'`);
      };
    });
    return (scope, state) => {
      const out: Sequence[] = [];
      for (const source of sources) {
        const sequence = source(scope, state);
        if (sequence === null) return null;
        out.push(sequence);
      }
      return out;
    };
  }

  private forExpression(node: NodeOf<'for'>, lexical: Lexical): Evaluator {
    if (this.options.dmn === true && node.iterators.length > 1)
      return this.nestedFor(node, lexical);
    const names = node.iterators.map((it) => it.name);
    const sources = this.sources(node.iterators, lexical);
    const body = this.compile(node.body, bind(lexical, [...names, 'partial']));
    return (scope, state) => {
      const sequences = sources(scope, state);
      if (sequences === null) return null;
      const results: unknown[] = [];
      livePartials.add(results);
      const max = state.limits.maxListLength;
      const combinations = new Combinations(names, sequences);
      for (
        let vars = combinations.next(state);
        vars !== undefined;
        vars = combinations.next(state)
      ) {
        if (results.length >= max) throw limitExceeded(state, 'maxListLength');
        // FEEL: `partial` is the list of results so far
        vars.partial = results;
        results.push(body(new Scope(vars, scope), state));
      }
      livePartials.delete(results);
      return results;
    };
  }

  /** DMN 1.5: `for x in xs, y in x return y`: each iterator's source sees the iterators before it. */
  private nestedFor(node: NodeOf<'for'>, lexical: Lexical): Evaluator {
    const levels: { name: string; source: (scope: Scope, state: EvalState) => Sequence | null }[] =
      [];
    let inner = lexical;
    for (const iterator of node.iterators) {
      const [source] = [this.sources([iterator], inner)];
      levels.push({
        name: iterator.name,
        source: (scope, state) => {
          const sequences = source(scope, state);
          return sequences === null ? null : sequences[0];
        },
      });
      inner = bind(inner, [iterator.name]);
    }
    const body = this.compile(node.body, bind(inner, ['partial']));
    return (scope, state) => {
      const results: unknown[] = [];
      livePartials.add(results);
      const max = state.limits.maxListLength;
      const loop = (level: number, outer: Scope): boolean => {
        const sequence = levels[level].source(outer, state);
        if (sequence === null) return false;
        for (let i = 0; i < sequence.length; i++) {
          if (--state.work < 0) throw limitExceeded(state, 'maxWork');
          const vars: Record<string, unknown> = {};
          putEntry(vars, levels[level].name, sequenceAt(sequence, i));
          const here = new Scope(vars, outer);
          if (level + 1 < levels.length) {
            if (!loop(level + 1, here)) return false;
          } else {
            if (results.length >= max) throw limitExceeded(state, 'maxListLength');
            results.push(body(new Scope({ partial: results }, here), state));
          }
        }
        return true;
      };
      const ok = loop(0, scope);
      livePartials.delete(results);
      return ok ? results : null;
    };
  }

  private quantified(node: NodeOf<'quantified'>, lexical: Lexical): Evaluator {
    const names = node.iterators.map((it) => it.name);
    const sources = this.sources(node.iterators, lexical);
    const condition = this.compile(node.condition, bind(lexical, names));
    const every = node.every;
    return (scope, state) => {
      const sequences = sources(scope, state);
      if (sequences === null) return null;
      // feel-scala `atLeastOneValue` / `allValues`: the deciding value wins, a non-boolean makes it null
      let result: boolean | null = every;
      const combinations = new Combinations(names, sequences);
      for (
        let vars = combinations.next(state);
        vars !== undefined;
        vars = combinations.next(state)
      ) {
        const value = condition(new Scope(vars, scope), state);
        if (value === !every) return !every;
        if (value !== every) result = null;
      }
      return result;
    };
  }

  // filters ///////////////////////////////////////////////////////////

  private filter(node: NodeOf<'filter'>, lexical: Lexical): Evaluator {
    const target = this.compile(node.target, lexical);
    const f = node.filter;
    const constantIndex =
      f.type === 'number' && f.value !== null
        ? f.value
        : f.type === 'negation' && f.operand.type === 'number' && f.operand.value !== null
          ? -f.operand.value
          : undefined;
    if (constantIndex !== undefined) {
      if (
        node.target.type === 'ref' &&
        node.target.names.length === 1 &&
        node.target.names[0] === 'partial'
      ) {
        // `partial[-1]` reads the growing result list in place
        const name = 'partial';
        if (!lexical.names.has(name)) this.variables.add(name);
        return (scope, state) => {
          const value = lookup(scope, name);
          return Array.isArray(value) ? index(value, constantIndex) : filterNonList(state, value);
        };
      }
      const dmn = this.options.dmn === true;
      return (scope, state) => {
        const value = target(scope, state);
        if (dmn && !Array.isArray(value) && value !== null) return index([value], constantIndex);
        return Array.isArray(value) ? index(value, constantIndex) : filterNonList(state, value);
      };
    }
    const perItem = this.compile(f, bind(lexical, ['item'], true));
    // feel-scala evaluates other filters once outside the items: a number there is an index
    const booleanOnly =
      f.type === 'equals' ||
      f.type === 'compare' ||
      f.type === 'call' ||
      f.type === 'qualifiedCall' ||
      f.type === 'and' ||
      f.type === 'or' ||
      f.type === 'not' ||
      f.type === 'in' ||
      f.type === 'quantified' ||
      f.type === 'instanceOf';
    const outside = booleanOnly ? undefined : this.compile(f, lexical);
    const dmn = this.options.dmn === true;
    return (scope, state) => {
      const found = target(scope, state);
      // DMN: a value that is not a list filters as a list of that value
      const value = dmn && !Array.isArray(found) && found !== null ? [found] : found;
      if (!Array.isArray(value)) return filterNonList(state, value);
      if (outside !== undefined) {
        const indexValue = outside(scope, state);
        if (typeof indexValue === 'number') return index(value, indexValue);
      }
      return filterItems(state, value, scope, perItem);
    };
  }

  // calls /////////////////////////////////////////////////////////////

  private call(node: NodeOf<'call'>, lexical: Lexical): Evaluator {
    const name = node.name;
    const args = this.arguments(node.parameters, lexical);
    const builtin = resolveBuiltin(name, node.parameters, this.options.dmn === true);
    if (this.options.contextFunctions === true && !lexical.names.has(name))
      this.variables.add(name);
    if (!lexical.names.has(name) && this.options.contextFunctions !== true) {
      if (builtin === undefined) {
        const overloads = BUILTINS.get(name);
        const message =
          overloads === undefined
            ? `unknown function '${name}'`
            : `unknown function '${name}' with ${describeParameters(node.parameters)} (it takes ${overloads
                .map((o) => `(${o.params.join(', ')}${o.varArgs ? ', ...' : ''})`)
                .join(' or ')})`;
        throw new CompileProblem(message, node.from, node.to, name);
      }
      const invoke = invokeBuiltin(builtin, node.parameters);
      return (scope, state) => invoke(args(scope, state), state);
    }
    // a name bound in the expression (a context entry holding a function) shadows the built-in
    const fallback = builtin === undefined ? undefined : invokeBuiltin(builtin, node.parameters);
    const parameters = node.parameters;
    return (scope, state) => {
      const values = args(scope, state);
      const target = lookup(scope, name);
      if (target instanceof FeelFunction && accepts(target, parameters)) {
        return invokeFunction(state, name, target, parameters, values);
      }
      if (fallback !== undefined) return fallback(values, state);
      if (state.dmn) {
        // DMN: calling what is no function is an error of the model
        throw new FeelFailure(
          `no function '${name}' with ${describeParameters(parameters)} is in scope`,
        );
      }
      state.warn(
        'NO_FUNCTION_FOUND',
        () => `No function found with name '${name}' and ${describeParameters(parameters)}`,
      );
      return null;
    };
  }

  private qualifiedCall(node: NodeOf<'qualifiedCall'>, lexical: Lexical): Evaluator {
    const [first] = node.path;
    if (!lexical.names.has(first) && !lexical.dynamic && this.options.contextFunctions !== true) {
      // variables hold JSON: only a context built in the expression can hold a function
      const name = `${node.path.join('.')}.${node.name}`;
      throw new CompileProblem(`unknown function '${name}'`, node.from, node.to, name);
    }
    const target = this.ref(
      { type: 'ref', names: node.path, from: node.from, to: node.to },
      lexical,
    );
    const args = this.arguments(node.parameters, lexical);
    const name = node.name;
    const parameters = node.parameters;
    return (scope, state) => {
      const context = target(scope, state);
      if (!isContext(context))
        return invalidType(state, () => `Expected context but found '${describe(context)}'`);
      const values = args(scope, state);
      const fn = entryOf(context, name);
      if (fn instanceof FeelFunction && accepts(fn, parameters))
        return invokeFunction(state, name, fn, parameters, values);
      state.warn(
        'NO_FUNCTION_FOUND',
        () => `No function found with name '${name}' and ${describeParameters(parameters)}`,
      );
      return null;
    };
  }

  private arguments(
    parameters: Parameters,
    lexical: Lexical,
  ): (scope: Scope, state: EvalState) => unknown[] {
    const values = (
      parameters.kind === 'positional' ? [...parameters.values] : [...parameters.values.values()]
    ).map((v) => this.compile(v, lexical));
    const n = values.length;
    if (n === 1) {
      const only = values[0];
      return (scope, state) => [only(scope, state)];
    }
    return (scope, state) => {
      const out = new Array<unknown>(n);
      for (let i = 0; i < n; i++) out[i] = values[i](scope, state);
      return out;
    };
  }

  private functionDefinition(node: NodeOf<'function'>, lexical: Lexical): Evaluator {
    const params = node.params;
    const body = this.compile(node.body, bind(lexical, params));
    return (scope, state) =>
      new FeelFunction(params, (args) => {
        if (++state.depth > state.limits.maxDepth) throw limitExceeded(state, 'maxDepth');
        spend(state, 1);
        try {
          const vars: Record<string, unknown> = {};
          for (let i = 0; i < params.length; i++) putEntry(vars, params[i], args[i] ?? null);
          return body(new Scope(vars, scope), state);
        } finally {
          state.depth--;
        }
      });
  }
}

// helpers of the compiled code ////////////////////////////////////////

/** Splits `a: x, b: y<c, d>` at its top-level commas. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '<') depth++;
    else if (c === '>' && text[i - 1] !== '-') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  const last = text.slice(start).trim();
  if (last !== '' || parts.length > 0) parts.push(last);
  return parts;
}

/**
 * A DMN 1.5 type (`list<number>`, `context<a: string>`, `range<date>`,
 * `function<number> -> string`) as a test of values: a context conforms when
 * it has (at least) the entries named, each of its type.
 */
function typeTest(text: string): (value: unknown) => boolean {
  const t = text.trim();
  const fn = /^function\s*<(.*)>\s*->\s*(.+)$/s.exec(t);
  if (fn !== null) {
    const count = splitTopLevel(fn[1]).length;
    return (v) => v instanceof FeelFunction && v.params.length === count;
  }
  const generic = /^(list|context|range)\s*<(.*)>$/s.exec(t);
  if (generic === null) {
    switch (t) {
      case 'Any':
        return (v) => v !== null;
      case 'date time':
        return (v) => typeName(v) === 'date and time';
      case 'year-month-duration':
        return (v) => typeName(v) === 'years and months duration';
      case 'day-time-duration':
        return (v) => typeName(v) === 'days and time duration';
      default:
        return (v) => typeName(v) === t;
    }
  }
  const [, kind, inner] = generic;
  if (kind === 'list') {
    const item = typeTest(inner);
    return (v) => Array.isArray(v) && v.every((x) => x === null || item(x));
  }
  if (kind === 'range') {
    const point = typeTest(inner);
    return (v) =>
      v instanceof FeelRange &&
      (v.start.value === null || point(v.start.value)) &&
      (v.end.value === null || point(v.end.value));
  }
  const entries = splitTopLevel(inner).map((entry) => {
    const colon = entry.indexOf(':');
    const key = entry.slice(0, colon).trim();
    return [key, typeTest(entry.slice(colon + 1))] as const;
  });
  return (v) =>
    isContext(v) &&
    entries.every(([key, test]) => {
      const entry = entryOf(v, key);
      return entry !== undefined && (entry === null || test(entry));
    });
}

function implicitInput(scope: Scope, state: EvalState): unknown {
  const input = lookup(scope, INPUT);
  if (input !== undefined) return input;
  state.warn('NO_VARIABLE_FOUND', () => 'No input value found.');
  return null;
}

/** feel-scala `filterList(list, index)`: 1-based, negative from the end, null outside. */
function index(list: readonly unknown[], i: number): unknown {
  const at = Math.trunc(i > 0 ? i - 1 : list.length + i);
  return at < 0 || at >= list.length ? null : list[at];
}

function filterNonList(state: EvalState, value: unknown): null {
  return invalidType(state, () => `Expected list but found '${describe(value)}'`);
}

/**
 * feel-scala `filterList(list, filter)`: each item is `item`, and a
 * context item's entries are names too. The first item decides: a number
 * there makes the filter an index; otherwise items whose filter is true stay.
 */
function filterItems(
  state: EvalState,
  list: readonly unknown[],
  scope: Scope,
  filter: Evaluator,
): unknown {
  if (list.length === 0) return [];
  const out: unknown[] = [];
  for (let i = 0; i < list.length; i++) {
    spend(state, 1);
    const item = list[i];
    const itemScope = new Scope({ item }, scope);
    const result = filter(isContext(item) ? new Scope(item, itemScope) : itemScope, state);
    if (i === 0 && typeof result === 'number') return index(list, result);
    if (result === true) out.push(item);
  }
  return out;
}

function describeParameters(parameters: Parameters): string {
  return parameters.kind === 'positional'
    ? `${parameters.values.length} parameter${parameters.values.length === 1 ? '' : 's'}`
    : `parameters: ${[...parameters.values.keys()].join(', ')}`;
}

function resolveBuiltin(
  name: string,
  parameters: Parameters,
  dmn: boolean,
): BuiltinFunction | undefined {
  return parameters.kind === 'positional'
    ? builtinForArity(name, parameters.values.length, dmn)
    : builtinForNames(name, new Set(parameters.values.keys()), dmn);
}

function accepts(fn: FeelFunction, parameters: Parameters): boolean {
  if (parameters.kind === 'positional') return fn.params.length === parameters.values.length;
  return [...parameters.values.keys()].every((k) => fn.params.includes(k));
}

/** Arguments in the order of the function's parameters (feel-scala `invokeFunction`). */
function arrange(
  params: readonly string[],
  varArgs: boolean,
  parameters: Parameters,
  values: unknown[],
): unknown[] {
  if (parameters.kind === 'named') {
    const names = [...parameters.values.keys()];
    return params.map((p) => {
      const i = names.indexOf(p);
      return i === -1 ? null : values[i];
    });
  }
  if (!varArgs || params.length === 0) return values;
  const fixed = params.length - 1;
  const rest = values.slice(fixed);
  const tail = fixed === 0 && rest.length === 1 && Array.isArray(rest[0]) ? rest[0] : rest;
  return [...values.slice(0, fixed), tail];
}

function invokeBuiltin(
  builtin: BuiltinFunction,
  parameters: Parameters,
): (values: unknown[], state: EvalState) => unknown {
  const name = builtin.name;
  const simple = parameters.kind === 'positional' && !builtin.varArgs;
  const params = builtin.params;
  return (values, state) => {
    spend(state, 1);
    const args = simple ? values : arrange(params, builtin.varArgs, parameters, values);
    let result = builtin.invoke(args, state);
    if (result instanceof InvocationFailure && state.dmn && args.some(isSingleton)) {
      // DMN: a list of one value where the function takes a value is that value
      const retried = builtin.invoke(
        args.map((a) => (isSingleton(a) ? a[0] : a)),
        state,
      );
      if (!(retried instanceof InvocationFailure)) result = retried;
    }
    if (result instanceof InvocationFailure) {
      if (name === 'assert') throw new FeelFailure(`assertion failed: ${result.message}`);
      state.warn(
        'FUNCTION_INVOCATION_FAILURE',
        () => `Failed to invoke function '${name}': ${result.message}`,
      );
      return null;
    }
    return result;
  };
}

function isSingleton(value: unknown): value is [unknown] {
  return Array.isArray(value) && value.length === 1;
}

function invokeFunction(
  state: EvalState,
  name: string,
  fn: FeelFunction,
  parameters: Parameters,
  values: unknown[],
): unknown {
  const result = fn.invoke(arrange(fn.params, fn.varArgs, parameters, values));
  if (result instanceof InvocationFailure) {
    state.warn(
      'FUNCTION_INVOCATION_FAILURE',
      () => `Failed to invoke function '${name}': ${result.message}`,
    );
    return null;
  }
  return result;
}

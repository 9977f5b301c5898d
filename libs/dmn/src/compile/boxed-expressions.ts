import {
  compileExpression,
  feelFunction,
  FeelSyntaxError,
  functionParameters,
  invokeFunction,
  isFeelFunction,
  toJsonValue,
  type CompiledExpression,
} from '../feel-adapter';
import { DmnErrorCode } from '../dmn.types';
import {
  asFailure,
  DmnFailure,
  nested,
  step,
  type Culprit,
  type Evaluator,
  type Frame,
  type Scope,
} from '../evaluate/frame';
import { child, children, is, str, tagOf, textOf, type El } from '../parse/moddle-tree';
import { culpritOf, describe, type CompileContext } from './compile-context';
import { compileDecisionTable } from './decision-table';

/**
 * Boxed expressions compile to evaluators: closures over their compiled
 * FEEL, built once. `names` are the names in scope where the expression is
 * evaluated (feelin needs them to read names with spaces).
 */
export function compileBoxed(
  ctx: CompileContext,
  el: El | undefined,
  names: readonly string[],
  owner: El,
): Evaluator {
  if (el === undefined) {
    return () => null;
  }
  return typed(ctx, compileUntyped(ctx, el, names, owner), str(el, 'typeRef'), el);
}

function compileUntyped(
  ctx: CompileContext,
  el: El,
  names: readonly string[],
  owner: El,
): Evaluator {
  switch (el.$type) {
    case 'dmn:LiteralExpression':
      return compileLiteral(ctx, el, names);
    case 'dmn:DecisionTable':
      return compileDecisionTable(ctx, el, names).evaluate;
    case 'dmn:Context':
      return compileContext(ctx, el, names, owner);
    case 'dmn:FunctionDefinition':
      return compileFunctionDefinition(ctx, el, names, owner);
    case 'dmn:Invocation':
      return compileInvocation(ctx, el, names, owner);
    case 'dmn:List':
      return compileList(ctx, el, names, owner);
    case 'dmn:Relation':
      return compileRelation(ctx, el, names, owner);
    case 'dmn:Conditional':
      return compileConditional(ctx, el, names, owner);
    case 'dmn:For':
    case 'dmn:Some':
    case 'dmn:Every':
      return compileIterator(ctx, el, names, owner);
    case 'dmn:Filter':
      return compileFilter(ctx, el, names, owner);
    default:
      ctx.problems.at(el, `the boxed expression <${tagOf(el)}> is not supported`);
      return () => null;
  }
}

/** `evaluator` with its result checked against `typeRef` (see types.ts). */
export function typed(
  ctx: CompileContext,
  evaluator: Evaluator,
  typeRef: string | undefined,
  el: El,
  what = 'the result',
): Evaluator {
  const conformance = ctx.types.conformance(typeRef);
  if (conformance === undefined) return evaluator;
  const culprit = culpritOf(el);
  return (scope, frame) => {
    const value = evaluator(scope, frame);
    const checked = conformance(value);
    if (checked.ok) return checked.value;
    throw typeFailure(value, typeRef ?? '', culprit, what);
  };
}

export function typeFailure(
  value: unknown,
  typeRef: string,
  culprit: Culprit,
  what: string,
): DmnFailure {
  return new DmnFailure(
    DmnErrorCode.DECISION_EVALUATION_ERROR,
    `${what} ${abbreviate(JSON.stringify(toJsonValue(value)) ?? 'null')} is not of type '${typeRef}'`,
    culprit,
  );
}

/** Checks arguments against parameter types; `undefined` when no parameter is typed. */
export function parameterChecks(
  ctx: CompileContext,
  parameters: readonly El[],
): ((args: unknown[], culprit: Culprit) => void) | undefined {
  const checks = parameters.map((p) => ({
    name: str(p, 'name') ?? '',
    typeRef: str(p, 'typeRef'),
    conformance: ctx.types.conformance(str(p, 'typeRef')),
  }));
  if (checks.every((c) => c.conformance === undefined)) return undefined;
  return (args, culprit) => {
    checks.forEach((check, i) => {
      if (check.conformance === undefined || i >= args.length) return;
      const checked = check.conformance(args[i]);
      if (!checked.ok)
        throw typeFailure(args[i], check.typeRef ?? '', culprit, `the parameter '${check.name}'`);
      args[i] = checked.value;
    });
  };
}

/** A FEEL expression, or `undefined` (reported) when it does not parse. */
export function compileFeel(
  ctx: CompileContext,
  el: El,
  text: string,
  names: readonly string[],
  what: string,
): CompiledExpression | undefined {
  try {
    return compileExpression(text, names);
  } catch (e) {
    const reason = e instanceof FeelSyntaxError ? e.message : String(e);
    ctx.problems.at(el, `${what}: ${reason}`);
    return undefined;
  }
}

export function compileLiteral(ctx: CompileContext, el: El, names: readonly string[]): Evaluator {
  const text = textOf(el);
  if (text === undefined || text.trim() === '') return () => null;
  const language = str(el, 'expressionLanguage');
  if (language !== undefined && !isFeelLanguage(language)) {
    ctx.problems.at(el, `the expression language '${language}' is not supported (only FEEL)`);
    return () => null;
  }
  const expression = compileFeel(ctx, el, text, names, 'the expression does not parse');
  if (expression === undefined) return () => null;
  const culprit = culpritOf(el);
  return (scope, frame) => {
    step(frame, culprit);
    try {
      return expression.evaluate(scope, frame.env);
    } catch (e) {
      throw asFailure(e, culprit, `failed to evaluate the expression '${abbreviate(text)}'`);
    }
  };
}

function compileContext(
  ctx: CompileContext,
  el: El,
  names: readonly string[],
  owner: El,
): Evaluator {
  const entries: Array<{ name?: string; value: Evaluator }> = [];
  const known = [...names];
  const entryEls = children(el, 'contextEntry');
  // entries may refer to each other in document order, and functions to themselves
  for (const entry of entryEls) {
    const name = str(child(entry, 'variable'), 'name');
    if (name !== undefined) known.push(name);
  }
  entryEls.forEach((entry, index) => {
    const name = str(child(entry, 'variable'), 'name');
    if (name === undefined && index !== entryEls.length - 1) {
      ctx.problems.at(entry, 'a context entry other than the last one has no variable name');
    }
    const variable = child(entry, 'variable');
    const value = compileBoxed(ctx, child(entry, 'value'), known, owner);
    entries.push({ name, value: typed(ctx, value, str(variable, 'typeRef'), entry) });
  });
  const culprit = culpritOf(el);
  return (scope, frame) => {
    step(frame, culprit);
    const local: Record<string, unknown> = { ...scope };
    const result: Record<string, unknown> = {};
    for (const entry of entries) {
      const value = entry.value(local, frame);
      if (entry.name === undefined) return value;
      defineEntry(local, entry.name, value);
      defineEntry(result, entry.name, value);
    }
    return result;
  };
}

function compileFunctionDefinition(
  ctx: CompileContext,
  el: El,
  names: readonly string[],
  owner: El,
): Evaluator {
  const kind = str(el, 'kind') ?? 'FEEL';
  if (kind !== 'FEEL') {
    ctx.problems.at(el, `functions of kind '${kind}' are not supported (only FEEL)`);
    return () => null;
  }
  const parameterEls = children(el, 'formalParameter');
  const parameters = parameterEls.map((p) => str(p, 'name') ?? '');
  const body = compileBoxed(ctx, child(el, 'body'), [...names, ...parameters], owner);
  const culprit = culpritOf(el);
  const check = parameterChecks(ctx, parameterEls);
  return (scope, frame) => definedFunction(parameters, body, scope, culprit, frame, check);
}

/**
 * A FEEL function value whose body is an evaluator, closed over the scope it
 * was defined in and the evaluation that made it: FEEL may call it from
 * inside an expression (`sort(xs, f)`), where no frame is passed along.
 */
export function definedFunction(
  parameters: readonly string[],
  body: Evaluator,
  scope: Scope,
  culprit: Culprit,
  frame: Frame,
  check?: (args: unknown[], culprit: Culprit) => void,
): unknown {
  return feelFunction(parameters, (given) => {
    if (given.length !== parameters.length) {
      throw new DmnFailure(
        DmnErrorCode.DECISION_EVALUATION_ERROR,
        `the function takes ${parameters.length} parameters (${parameters.join(', ')}), but got ${given.length}`,
        culprit,
      );
    }
    const args = [...given];
    check?.(args, culprit);
    const local: Record<string, unknown> = { ...scope };
    parameters.forEach((parameter, i) => {
      defineEntry(local, parameter, i < args.length ? args[i] : null);
    });
    return nested(frame, culprit, () => body(local, frame));
  });
}

function compileInvocation(
  ctx: CompileContext,
  el: El,
  names: readonly string[],
  owner: El,
): Evaluator {
  const called = child(el, 'calledFunction');
  const calledText = textOf(called)?.trim();
  if (called === undefined || calledText === undefined || calledText === '') {
    ctx.problems.at(el, 'the invocation names no function');
    return () => null;
  }
  const target = compileBoxed(ctx, called, names, owner);
  const bindings = children(el, 'binding').map((binding) => {
    const parameter = str(child(binding, 'parameter'), 'name');
    if (parameter === undefined) ctx.problems.at(binding, 'a binding names no parameter');
    return {
      parameter: parameter ?? '',
      value: compileBoxed(ctx, child(binding, 'bindingFormula'), names, owner),
    };
  });
  const culprit = culpritOf(el);
  return (scope, frame) => {
    step(frame, culprit);
    const fn = target(scope, frame);
    if (!isFeelFunction(fn)) {
      throw new DmnFailure(
        DmnErrorCode.DECISION_EVALUATION_ERROR,
        `the invocation of '${calledText}' in ${describe(el)} does not call a function`,
        culprit,
      );
    }
    const parameters = functionParameters(fn);
    const byName = new Map<string, unknown>();
    for (const binding of bindings) {
      if (!parameters.includes(binding.parameter)) {
        throw new DmnFailure(
          DmnErrorCode.DECISION_EVALUATION_ERROR,
          `'${calledText}' has no parameter '${binding.parameter}' (it takes ${parameters.join(', ') || 'none'})`,
          culprit,
        );
      }
      byName.set(binding.parameter, binding.value(scope, frame));
    }
    const args = parameters.map((p) => (byName.has(p) ? byName.get(p) : null));
    try {
      return invokeFunction(fn, args);
    } catch (e) {
      throw asFailure(e, culprit, `failed to invoke '${calledText}'`);
    }
  };
}

function compileList(ctx: CompileContext, el: El, names: readonly string[], owner: El): Evaluator {
  const elements = children(el, 'elements').map((item) => compileBoxed(ctx, item, names, owner));
  const culprit = culpritOf(el);
  return (scope, frame) => {
    step(frame, culprit);
    return elements.map((item) => item(scope, frame));
  };
}

function compileRelation(
  ctx: CompileContext,
  el: El,
  names: readonly string[],
  owner: El,
): Evaluator {
  const columns = children(el, 'column').map((column) => str(column, 'name') ?? '');
  const rows = children(el, 'row').map((row) => {
    const cells = children(row, 'elements');
    if (cells.length !== columns.length) {
      ctx.problems.at(row, `the row has ${cells.length} cells for ${columns.length} columns`);
    }
    return cells.map((cell) => compileBoxed(ctx, cell, names, owner));
  });
  const culprit = culpritOf(el);
  return (scope, frame) => {
    step(frame, culprit);
    return rows.map((cells) => {
      const row: Record<string, unknown> = {};
      columns.forEach((column, i) => defineEntry(row, column, cells[i]?.(scope, frame) ?? null));
      return row;
    });
  };
}

function compileConditional(
  ctx: CompileContext,
  el: El,
  names: readonly string[],
  owner: El,
): Evaluator {
  const part = (name: string): Evaluator =>
    compileBoxed(ctx, child(child(el, name), 'value'), names, owner);
  const condition = part('if');
  const then = part('then');
  const otherwise = part('else');
  const culprit = culpritOf(el);
  return (scope, frame) => {
    step(frame, culprit);
    const test = condition(scope, frame);
    if (test !== null && typeof test !== 'boolean')
      throw notBoolean(test, culprit, 'the condition');
    return test === true ? then(scope, frame) : otherwise(scope, frame);
  };
}

function compileIterator(
  ctx: CompileContext,
  el: El,
  names: readonly string[],
  owner: El,
): Evaluator {
  const variable = str(el, 'iteratorVariable');
  if (variable === undefined) ctx.problems.at(el, `the <${tagOf(el)}> names no iterator variable`);
  const name = variable ?? '';
  const source = compileBoxed(ctx, child(child(el, 'in'), 'value'), names, owner);
  const bodyName = is(el, 'For') ? 'return' : 'satisfies';
  const body = compileBoxed(ctx, child(child(el, bodyName), 'value'), [...names, name], owner);
  const culprit = culpritOf(el);
  const kind = el.$type;
  return (scope, frame) => {
    step(frame, culprit);
    const collection = source(scope, frame);
    if (collection === null) return null;
    const items = Array.isArray(collection) ? collection : [collection];
    const results = items.map((item) => body({ ...scope, [name]: item }, frame));
    if (kind === 'dmn:For') return results;
    const wrong = results.find((r) => r !== null && typeof r !== 'boolean');
    if (wrong !== undefined) throw notBoolean(wrong, culprit, 'the satisfies expression');
    if (kind === 'dmn:Some') return results.some((r) => r === true);
    return results.every((r) => r === true);
  };
}

function compileFilter(
  ctx: CompileContext,
  el: El,
  names: readonly string[],
  owner: El,
): Evaluator {
  const source = compileBoxed(ctx, child(child(el, 'in'), 'value'), names, owner);
  const match = compileBoxed(ctx, child(child(el, 'match'), 'value'), [...names, 'item'], owner);
  const culprit = culpritOf(el);
  return (scope, frame) => {
    step(frame, culprit);
    const collection = source(scope, frame);
    if (collection === null) return null;
    const items = Array.isArray(collection) ? collection : [collection];
    return items.filter((item) => {
      // as in FEEL's filter: a context item's entries are in scope beside `item`
      const entries = isPlainObject(item) ? (item as Record<string, unknown>) : {};
      const result = match({ ...scope, ...entries, item }, frame);
      if (result !== null && typeof result !== 'boolean')
        throw notBoolean(result, culprit, 'the match expression');
      return result === true;
    });
  };
}

function notBoolean(value: unknown, culprit: Culprit, what: string): DmnFailure {
  return new DmnFailure(
    DmnErrorCode.DECISION_EVALUATION_ERROR,
    `${what} must be true, false or null, but is ${abbreviate(JSON.stringify(toJsonValue(value)) ?? 'null')}`,
    culprit,
  );
}

function isPlainObject(value: unknown): boolean {
  return (
    typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype
  );
}

export function defineEntry(target: Record<string, unknown>, key: string, value: unknown): void {
  // a `__proto__` entry must stay an entry
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

const FEEL_LANGUAGES = /feel|FEEL/;

export function isFeelLanguage(uri: string): boolean {
  return FEEL_LANGUAGES.test(uri);
}

export function abbreviate(text: string, max = 60): string {
  const single = text.replace(/\s+/g, ' ').trim();
  return single.length > max ? `${single.slice(0, max - 1)}…` : single;
}

import type { CompiledExpression } from '../feel/feel.types';
import { VariableLimitError } from './engine-errors';
import type { ElementInstance, InstanceState, Variables } from './runtime.types';

/**
 * Camunda 8 variable scoping over the element instance tree: every element
 * instance may hold local variables; a lookup walks from an instance up to the
 * process; a propagated write lands in the nearest scope that already has the
 * variable, otherwise in the process scope.
 *
 * Variable values are never mutated in place: a write replaces the value in
 * the scope's map (copying along a dotted path), so states can share values
 * structurally.
 */

const hasOwn = Object.prototype.hasOwnProperty;

export function lookupVariable(
  elements: Record<string, ElementInstance>,
  fromId: string | null,
  name: string,
): unknown {
  let id = fromId;
  while (id !== null) {
    const inst: ElementInstance | undefined = elements[id];
    if (!inst) break;
    const vars = inst.variables;
    if (vars !== undefined && hasOwn.call(vars, name)) return vars[name];
    id = inst.parentId;
  }
  return null;
}

/** The evaluation context of an expression: only the names it reads. */
export function contextFor(
  elements: Record<string, ElementInstance>,
  fromId: string | null,
  expression: CompiledExpression,
  extra?: Variables,
): Variables {
  const context: Variables = {};
  for (const name of expression.variables) {
    context[name] =
      extra !== undefined && hasOwn.call(extra, name) ? extra[name] : lookupVariable(elements, fromId, name);
  }
  return context;
}

/** Every variable visible from an instance, inner scopes shadowing outer ones. */
export function visibleVariables(state: InstanceState, elementInstanceId: string): Variables {
  const chain: Variables[] = [];
  let id: string | null = elementInstanceId;
  while (id !== null) {
    const inst: ElementInstance | undefined = state.elements[id];
    if (!inst) break;
    if (inst.variables !== undefined) chain.push(inst.variables);
    id = inst.parentId;
  }
  const result: Variables = {};
  for (let i = chain.length - 1; i >= 0; i--) Object.assign(result, chain[i]);
  return result;
}

/** Sets variables as locals of one instance. */
export function setLocalVariables(inst: ElementInstance, variables: Variables): void {
  inst.variables = inst.variables === undefined ? { ...variables } : { ...inst.variables, ...variables };
}

/**
 * Writes each variable into the nearest scope (starting at `fromId`) that
 * already has it, else into the root scope. A dotted target (`order.total`)
 * updates a nested value of the variable named by its first segment.
 */
export function propagateVariables(
  elements: Record<string, ElementInstance>,
  rootId: string,
  fromId: string,
  variables: Variables,
): void {
  for (const target of Object.keys(variables)) {
    setPath(elements, rootId, fromId, target, variables[target]);
  }
}

/**
 * Camunda's non-local "set variables" on an element instance: each variable
 * (a name, never a path) updates the nearest scope from `fromId` up that has
 * it, else lands in the root scope.
 */
export function mergeIntoOwningScopes(
  elements: Record<string, ElementInstance>,
  rootId: string,
  fromId: string,
  variables: Variables,
): void {
  for (const name of Object.keys(variables)) {
    const scope = findOwningScope(elements, rootId, fromId, name);
    scope.variables = { ...(scope.variables ?? {}), [name]: variables[name] };
  }
}

function setPath(
  elements: Record<string, ElementInstance>,
  rootId: string,
  fromId: string,
  target: string,
  value: unknown,
): void {
  const dot = target.indexOf('.');
  const name = dot < 0 ? target : target.slice(0, dot);
  const scope = findOwningScope(elements, rootId, fromId, name);
  const current = scope.variables ?? {};
  const next = dot < 0 ? value : withPath(current[name], target.slice(dot + 1).split('.'), value);
  scope.variables = { ...current, [name]: next };
}

function findOwningScope(
  elements: Record<string, ElementInstance>,
  rootId: string,
  fromId: string,
  name: string,
): ElementInstance {
  let id: string | null = fromId;
  while (id !== null) {
    const inst: ElementInstance | undefined = elements[id];
    if (!inst) break;
    if (inst.variables !== undefined && hasOwn.call(inst.variables, name)) return inst;
    id = inst.parentId;
  }
  return elements[rootId];
}

function withPath(base: unknown, path: string[], value: unknown): unknown {
  const [head, ...rest] = path;
  const object: Record<string, unknown> =
    base !== null && typeof base === 'object' && !Array.isArray(base) ? { ...(base as Variables) } : {};
  object[head] = rest.length === 0 ? value : withPath(object[head], rest, value);
  return object;
}

/** Builds a (possibly nested) variables object from dotted targets, for local mappings. */
export function assignTargets(entries: ReadonlyArray<readonly [string, unknown]>): Variables {
  let result: Variables = {};
  for (const [target, value] of entries) {
    const dot = target.indexOf('.');
    if (dot < 0) {
      result = { ...result, [target]: value };
    } else {
      const name = target.slice(0, dot);
      result = { ...result, [name]: withPath(result[name], target.slice(dot + 1).split('.'), value) };
    }
  }
  return result;
}

/**
 * Throws {@link VariableLimitError} for the first variable that cannot be
 * stored: its JSON encoding over `limit` UTF-8 bytes, or a U+0000 in a string
 * or key. Cheap for small values: a number or boolean is never encoded, a
 * string only when three bytes per code unit could exceed the limit.
 */
export function checkStorableVariables(variables: Variables, limit: number | undefined): void {
  if (limit === undefined) return;
  for (const name in variables) {
    if (name.includes('\0')) throw VariableLimitError.nulCharacter(JSON.stringify(name).slice(1, -1));
    const value = variables[name];
    if (value === null || value === undefined || typeof value === 'number' || typeof value === 'boolean') continue;
    if (typeof value === 'string') {
      if (value.includes('\0')) throw VariableLimitError.nulCharacter(name);
      if (value.length * 3 + 2 <= limit) continue;
    }
    const json = JSON.stringify(value);
    if (json === undefined) continue;
    if (typeof value !== 'string' && json.includes('\\u0000') && holdsNul(value)) throw VariableLimitError.nulCharacter(name);
    if (json.length * 3 <= limit) continue;
    const size = utf8Length(json);
    if (size > limit) throw VariableLimitError.tooLarge(name, size, limit);
  }
}

/** Whether a string or key anywhere in `value` holds U+0000 (the JSON text only hints at it). */
function holdsNul(value: unknown): boolean {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const v = pending.pop();
    if (typeof v === 'string') {
      if (v.includes('\0')) return true;
    } else if (typeof v === 'object' && v !== null) {
      for (const [k, inner] of Object.entries(v)) {
        if (k.includes('\0')) return true;
        pending.push(inner);
      }
    }
  }
  return false;
}

function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

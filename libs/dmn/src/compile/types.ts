import {
  compileUnaryTests,
  FeelSyntaxError,
  isFeelFunction,
  valueType,
  type CompiledUnaryTests,
} from '../feel-adapter';
import { child, children, is, str, textOf, type El } from '../parse/moddle-tree';
import type { Problems } from './compile-context';

/**
 * Type references (`typeRef`) checked where a value meets a declared type:
 * a decision's result, a boxed expression's result, parameters of knowledge
 * models, functions and decision services, context entries. DMN 1.3
 * §10.3.2.9.4 conversions apply first (a singleton list becomes its element
 * for a non-list type, an element becomes a singleton list for a list type);
 * a value that still does not conform is an error, as in Camunda 8.
 * Unknown type names are not checked.
 */

export type Conformance = (value: unknown) => { ok: true; value: unknown } | { ok: false };

interface TypeNode {
  readonly describe: string;
  readonly isCollection: boolean;
  conforms(value: unknown, seen: number): boolean;
}

const BUILTIN: ReadonlyMap<string, string> = new Map([
  ['string', 'string'],
  ['number', 'number'],
  ['boolean', 'boolean'],
  ['date', 'date'],
  ['time', 'time'],
  ['date and time', 'date and time'],
  ['dateTime', 'date and time'],
  ['days and time duration', 'days and time duration'],
  ['dayTimeDuration', 'days and time duration'],
  ['years and months duration', 'years and months duration'],
  ['yearMonthDuration', 'years and months duration'],
  ['context', 'context'],
  ['list', 'list'],
  ['function', 'function'],
  ['Any', 'Any'],
]);

export class TypeRegistry {
  private readonly items = new Map<string, El>();
  private readonly compiled = new Map<string, TypeNode | null>();

  constructor(
    definitions: El,
    private readonly problems: Problems,
  ) {
    for (const item of children(definitions, 'itemDefinition')) {
      const name = str(item, 'name');
      if (name !== undefined) this.items.set(name, item);
    }
  }

  /** The check for `typeRef`, or `undefined` when nothing is checked. */
  conformance(typeRef: string | undefined): Conformance | undefined {
    if (typeRef === undefined || typeRef.trim() === '') return undefined;
    const node = this.resolve(typeRef.trim(), 0);
    if (node === undefined) return undefined;
    return (value) => {
      if (value === null || value === undefined) return { ok: true, value: null };
      if (node.conforms(value, 0)) return { ok: true, value };
      if (
        !node.isCollection &&
        Array.isArray(value) &&
        value.length === 1 &&
        node.conforms(value[0], 0)
      ) {
        return { ok: true, value: value[0] };
      }
      if (node.isCollection && !Array.isArray(value) && node.conforms([value], 0)) {
        return { ok: true, value: [value] };
      }
      return { ok: false };
    };
  }

  /**
   * For an invocable (knowledge model, decision service) whose variable is
   * typed by an item definition with a function item: the check of its
   * result against the function item's `outputTypeRef`.
   */
  functionOutput(
    typeRef: string | undefined,
  ): { readonly typeRef: string; readonly conformance: Conformance } | undefined {
    if (typeRef === undefined) return undefined;
    const item = this.items.get(stripPrefix(typeRef.trim()));
    const outputTypeRef = str(child(item, 'functionItem'), 'outputTypeRef');
    const conformance = this.conformance(outputTypeRef);
    return conformance === undefined || outputTypeRef === undefined
      ? undefined
      : { typeRef: outputTypeRef, conformance };
  }

  private resolve(typeRef: string, depth: number): TypeNode | undefined {
    const name = stripPrefix(typeRef);
    if (this.compiled.has(name)) return this.compiled.get(name) ?? undefined;
    const builtin = BUILTIN.get(name);
    if (builtin !== undefined) return builtinNode(builtin);
    const item = this.items.get(name);
    if (item === undefined || depth > 32) return undefined;
    this.compiled.set(name, null); // recursive types are not checked
    const node = this.itemNode(item, name, depth);
    this.compiled.set(name, node ?? null);
    return node;
  }

  private itemNode(item: El, name: string, depth: number): TypeNode | undefined {
    const isCollection = item.isCollection === true;
    const components = children(item, 'itemComponent');
    let element: TypeNode | undefined;
    if (components.length > 0) {
      const entries = components.map((component) => ({
        name: str(component, 'name') ?? '',
        type: this.anonymous(component, depth),
      }));
      element = {
        describe: name,
        isCollection: false,
        conforms: (value, seen) =>
          isContext(value) &&
          entries.every(
            (entry) =>
              Object.hasOwn(value, entry.name) &&
              (entry.type === undefined ||
                value[entry.name] === null ||
                entry.type.conforms(value[entry.name], seen + 1)),
          ),
      };
    } else if (child(item, 'functionItem') !== undefined) {
      element = { describe: name, isCollection: false, conforms: (value) => isFeelFunction(value) };
    } else {
      const base = str(item, 'typeRef') ?? textOf(child(item, 'typeRef') as El | undefined);
      element = base === undefined ? undefined : this.resolve(base, depth + 1);
    }
    const constraint = this.constraint(item);
    const single: TypeNode = {
      describe: name,
      isCollection: false,
      conforms: (value, seen) =>
        (element === undefined || element.conforms(value, seen)) &&
        (constraint === undefined || constraint.test(value) === true),
    };
    if (!isCollection) return { ...single, isCollection: element?.isCollection ?? false };
    return {
      describe: name,
      isCollection: true,
      conforms: (value, seen) =>
        Array.isArray(value) && value.every((v) => v === null || single.conforms(v, seen + 1)),
    };
  }

  private anonymous(component: El, depth: number): TypeNode | undefined {
    return this.itemNode(component, str(component, 'name') ?? '', depth + 1);
  }

  private constraint(item: El): CompiledUnaryTests | undefined {
    const tests = child(item, 'allowedValues') ?? child(item, 'typeConstraint');
    const text = textOf(tests);
    if (text === undefined || text.trim() === '') return undefined;
    try {
      return compileUnaryTests(text);
    } catch (e) {
      const reason = e instanceof FeelSyntaxError ? e.message : String(e);
      this.problems.at(tests, `the allowed values do not parse: ${reason}`);
      return undefined;
    }
  }
}

function stripPrefix(typeRef: string): string {
  // DMN 1.1 wrote type references as QNames (`feel:string`)
  const colon = typeRef.indexOf(':');
  return colon > 0 && !typeRef.includes(' ') ? typeRef.slice(colon + 1) : typeRef;
}

function builtinNode(name: string): TypeNode {
  return {
    describe: name,
    isCollection: name === 'list',
    conforms: (value) => {
      if (name === 'Any') return true;
      if (name === 'list') return Array.isArray(value);
      if (name === 'context') return isContext(value);
      if (name === 'function') return isFeelFunction(value);
      return valueType(value) === name;
    },
  };
}

function isContext(value: unknown): value is Record<string, unknown> {
  return valueType(value) === 'context';
}

export function isDmnElement(el: El | undefined, type: string): boolean {
  return el !== undefined && is(el, type);
}

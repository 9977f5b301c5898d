import {
  DEFAULT_DMN_LIMITS,
  DmnErrorCode,
  type CompileDmnOptions,
  type CompileDmnResult,
  type CompiledDrg,
  type DecisionInfo,
  type DecisionType,
  type DmnLimits,
} from '../dmn.types';
import { DmnFailure, type Culprit, type Evaluator } from '../evaluate/frame';
import { parseDmn } from '../parse/parse-dmn';
import {
  child,
  children,
  hrefTarget,
  idOf,
  is,
  isEl,
  str,
  tagOf,
  type El,
} from '../parse/moddle-tree';
import { compileBoxed, parameterChecks, typed, typeFailure } from './boxed-expressions';
import { TypeRegistry, type Conformance } from './types';
import { culpritOf, Problems, type CompileContext } from './compile-context';
import { compileDecisionTable, type CompiledTable } from './decision-table';

export interface DecisionNode {
  readonly info: DecisionInfo;
  readonly culprit: { elementId: string; elementType: string };
  readonly requiredDecisions: readonly string[];
  /** Knowledge models and decision services it invokes, by id. */
  readonly knowledge: readonly string[];
  readonly logic: Evaluator;
  /** Set when the logic is a decision table (its evaluation is audited). */
  readonly table?: CompiledTable;
  /** Checks a table's result against the decision's type (other logic is checked in `logic`). */
  readonly resultType?: (value: unknown) => unknown;
}

export interface KnowledgeNode {
  readonly kind: 'bkm' | 'service';
  readonly id: string;
  /** The name the function has in scope. */
  readonly name: string;
  readonly parameters: readonly string[];
  readonly culprit: { elementId: string; elementType: string };
  /** bkm: its body (a function definition's body) and the knowledge it requires. */
  readonly body?: Evaluator;
  readonly knowledge: readonly string[];
  /** Checks (and converts) arguments against typed parameters. */
  readonly check?: (args: unknown[], culprit: Culprit) => void;
  /** Checks (and converts) the result against the function item typing the invocable. */
  readonly output?: { readonly typeRef: string; readonly conformance: Conformance };
  /** service: output decisions, input decisions (parameters), input data (parameters). */
  readonly outputDecisions: readonly string[];
  readonly inputDecisions: readonly string[];
  readonly inputData: readonly string[];
}

export interface DrgInternals {
  readonly limits: DmnLimits;
  readonly decisions: ReadonlyMap<string, DecisionNode>;
  readonly knowledge: ReadonlyMap<string, KnowledgeNode>;
}

/** Compiled graphs and what evaluating them needs; the public object stays plain data. */
const internals = new WeakMap<CompiledDrg, DrgInternals>();

export function internalsOf(drg: CompiledDrg): DrgInternals {
  const found = internals.get(drg);
  if (found === undefined) throw new TypeError('not a graph returned by compileDmn');
  return found;
}

/**
 * Parses, validates and compiles a DMN document into a decision
 * requirements graph. A document with any problem is refused as a whole,
 * with every problem found (see {@link CompileDmnOptions.invalidDecisions}).
 */
export async function compileDmn(
  xml: string,
  options: CompileDmnOptions = {},
): Promise<CompileDmnResult> {
  const limits: DmnLimits = { ...DEFAULT_DMN_LIMITS, ...options.limits };
  const lenient = options.invalidDecisions === 'fail-on-evaluation';
  const parsed = await parseDmn(xml, {
    maxBytes: limits.maxXmlBytes,
    maxDepth: limits.maxXmlDepth,
    maxElements: limits.maxXmlElements,
  });
  if (!parsed.ok) {
    return { ok: false, errors: [{ elementId: null, elementType: null, message: parsed.message }] };
  }
  const definitions = parsed.definitions;
  const problems = new Problems();
  const types = new TypeRegistry(definitions, problems);
  const ownNamespace = str(definitions, 'namespace');

  const elements = children(definitions, 'drgElement');
  const byId = new Map<string, El>();
  // ids are optional in DMN, but Camunda 8 (and Baton's API) name decisions
  // by id; leniently, an element without one goes by its name
  const elementId = (el: El): string | undefined =>
    idOf(el) ?? (lenient ? str(el, 'name') : undefined);
  for (const el of elements) {
    const id = elementId(el);
    if (id === undefined) {
      if (!is(el, 'KnowledgeSource')) problems.document(`a <${tagOf(el)}> has no id`);
      continue;
    }
    if (byId.has(id)) problems.at(el, `another element also has the id '${id}'`);
    byId.set(id, el);
  }
  for (const imported of children(definitions, 'import')) {
    problems.at(imported, 'imports of other models are not supported');
  }

  const inputDataName = (id: string): string | undefined => {
    const el = byId.get(id);
    return el && is(el, 'InputData') ? nameOf(el) : undefined;
  };
  // every name a FEEL expression of this graph may read, for the parser
  const names = elements
    .filter((el) => !is(el, 'KnowledgeSource'))
    .map((el) => (is(el, 'Decision') ? resultNameOf(el) : nameOf(el)));

  const localTarget = (reference: El | undefined): string | undefined => {
    const target = hrefTarget(reference);
    // an href may name this model's own namespace before the '#'
    if (
      target !== undefined &&
      ownNamespace !== undefined &&
      target.startsWith(`${ownNamespace}#`)
    ) {
      return target.slice(ownNamespace.length + 1);
    }
    return target;
  };
  const resolve = (
    owner: El,
    reference: El | undefined,
    kinds: readonly string[],
    what: string,
  ) => {
    const target = localTarget(reference);
    if (target === undefined) {
      problems.at(owner, `a ${what} has no href`);
      return undefined;
    }
    if (target.includes('#')) {
      problems.at(
        owner,
        `the ${what} '${target}' points into another model; imports are not supported`,
      );
      return undefined;
    }
    const el = byId.get(target);
    if (el === undefined || !kinds.some((kind) => is(el, kind))) {
      problems.at(
        owner,
        `the ${what} refers to '${target}', but no ${kinds.map(lower).join(' or ')} has that id`,
      );
      return undefined;
    }
    return target;
  };

  const knowledge = new Map<string, KnowledgeNode>();
  const decisions = new Map<string, DecisionNode>();
  const decisionProblems = (
    owner: El,
  ): { ctx: CompileContext; finish: () => Evaluator | undefined } => {
    const local = new Problems();
    return {
      ctx: { problems: local, types },
      finish: () => {
        if (local.count === 0) return undefined;
        if (!lenient) {
          for (const error of local.errors) problems.add(error);
          return undefined;
        }
        const first = local.errors[0];
        const culprit = { elementId: first.elementId, elementType: first.elementType };
        return () => {
          throw new DmnFailure(
            DmnErrorCode.DECISION_EVALUATION_ERROR,
            `the decision ${describeId(owner)} did not compile: ${first.message}`,
            culprit,
          );
        };
      },
    };
  };

  for (const el of elements) {
    const id = elementId(el);
    if (id === undefined) continue;
    const requiredKnowledge = children(el, 'knowledgeRequirement')
      .map((r) =>
        resolve(
          el,
          child(r, 'requiredKnowledge'),
          ['BusinessKnowledgeModel', 'DecisionService'],
          'knowledge requirement',
        ),
      )
      .filter((x): x is string => x !== undefined);

    if (is(el, 'BusinessKnowledgeModel')) {
      const logic = child(el, 'encapsulatedLogic');
      const parameterEls = children(logic, 'formalParameter');
      const parameters = parameterEls.map((p) => str(p, 'name') ?? '');
      const { ctx, finish } = decisionProblems(el);
      const check = parameterChecks(ctx, parameterEls);
      if (logic !== undefined && (str(logic, 'kind') ?? 'FEEL') !== 'FEEL') {
        ctx.problems.at(
          logic,
          `functions of kind '${str(logic, 'kind')}' are not supported (only FEEL)`,
        );
      }
      const body = compileBoxed(ctx, child(logic, 'body'), [...names, ...parameters], el);
      knowledge.set(id, {
        kind: 'bkm',
        id,
        name: nameOf(el),
        parameters,
        culprit: { elementId: id, elementType: tagOf(el) },
        body: finish() ?? body,
        check,
        output: types.functionOutput(str(child(el, 'variable'), 'typeRef')),
        knowledge: requiredKnowledge,
        outputDecisions: [],
        inputDecisions: [],
        inputData: [],
      });
    } else if (is(el, 'DecisionService')) {
      const refs = (property: string, kinds: string[], what: string): string[] =>
        children(el, property)
          .map((r) => resolve(el, r, kinds, what))
          .filter((x): x is string => x !== undefined);
      const outputDecisions = refs('outputDecision', ['Decision'], 'output decision');
      if (outputDecisions.length === 0)
        problems.at(el, 'the decision service has no output decision');
      const inputDecisions = refs('inputDecision', ['Decision'], 'input decision');
      const inputData = refs('inputData', ['InputData'], 'input data');
      const parameterEls = [...inputData, ...inputDecisions]
        .map((d) => child(byId.get(d), 'variable'))
        .filter((v): v is El => v !== undefined);
      const check =
        parameterEls.length === inputData.length + inputDecisions.length
          ? parameterChecks({ problems, types }, parameterEls)
          : undefined;
      knowledge.set(id, {
        kind: 'service',
        id,
        name: nameOf(el),
        // DMN 1.3 §10.4: the service's parameters are its input data, then its input decisions
        parameters: [
          ...inputData.map((d) => inputDataName(d) ?? d),
          ...inputDecisions.map((d) => resultNameOf(byId.get(d) as El)),
        ],
        culprit: { elementId: id, elementType: tagOf(el) },
        check,
        output: types.functionOutput(str(child(el, 'variable'), 'typeRef')),
        knowledge: [],
        outputDecisions,
        inputDecisions,
        inputData,
      });
    }
  }

  for (const el of elements) {
    const id = elementId(el);
    if (id === undefined || !is(el, 'Decision')) continue;
    const requiredDecisions: string[] = [];
    for (const requirement of children(el, 'informationRequirement')) {
      const decisionRef = child(requirement, 'requiredDecision');
      const inputRef = child(requirement, 'requiredInput');
      if (decisionRef !== undefined) {
        const target = resolve(el, decisionRef, ['Decision'], 'required decision');
        if (target !== undefined) requiredDecisions.push(target);
      } else if (inputRef !== undefined) {
        resolve(el, inputRef, ['InputData'], 'required input');
      }
    }
    const requiredKnowledge = children(el, 'knowledgeRequirement')
      .map((r) => localTarget(child(r, 'requiredKnowledge')))
      .filter((x): x is string => x !== undefined && knowledge.has(x));
    const logicEl = child(el, 'decisionLogic');
    const { ctx, finish } = decisionProblems(el);
    let table: CompiledTable | undefined;
    let logic: Evaluator;
    if (logicEl !== undefined && is(logicEl, 'DecisionTable')) {
      table = compileDecisionTable(ctx, logicEl, names);
      logic = table.evaluate;
    } else {
      logic = compileBoxed(ctx, logicEl, names, el);
    }
    const typedLogic = typed(
      ctx,
      logic,
      str(child(el, 'variable'), 'typeRef'),
      el,
      'the decision result',
    );
    const failing = finish();
    decisions.set(id, {
      info: {
        id,
        name: str(el, 'name') ?? id,
        ...versionTagOf(el),
        decisionType: decisionTypeOf(logicEl),
        requiredDecisions,
        resultName: resultNameOf(el),
      },
      culprit: { elementId: id, elementType: 'decision' },
      requiredDecisions,
      knowledge: requiredKnowledge,
      logic: failing ?? typedLogic,
      table: failing === undefined ? table : undefined,
      resultType: failing === undefined ? resultType(types, el) : undefined,
    });
  }

  reportCycles(decisions, byId, problems);
  if (decisions.size === 0 && problems.count === 0) {
    problems.document('the document has no decision');
  }
  if (problems.count > 0) return { ok: false, errors: problems.errors };

  const drg: CompiledDrg = Object.freeze({
    id: str(definitions, 'id') ?? '',
    name: str(definitions, 'name') ?? str(definitions, 'id') ?? '',
    namespace: str(definitions, 'namespace') ?? '',
    dmnVersion: parsed.version,
    decisions: Object.freeze([...decisions.values()].map((d) => Object.freeze(d.info))),
  });
  internals.set(drg, { limits, decisions, knowledge });
  return { ok: true, definitions: drg };
}

function resultType(types: TypeRegistry, el: El): ((value: unknown) => unknown) | undefined {
  const typeRef = str(child(el, 'variable'), 'typeRef');
  const conformance = types.conformance(typeRef);
  if (conformance === undefined) return undefined;
  const culprit = culpritOf(el);
  return (value) => {
    const checked = conformance(value);
    if (checked.ok) return checked.value;
    throw typeFailure(value, typeRef ?? '', culprit, 'the decision result');
  };
}

function nameOf(el: El): string {
  return str(child(el, 'variable'), 'name') ?? str(el, 'name') ?? idOf(el) ?? '';
}

/** The variable name a decision's result has for the decisions requiring it; Camunda falls back to the id. */
function resultNameOf(el: El): string {
  return str(child(el, 'variable'), 'name') ?? idOf(el) ?? '';
}

function describeId(el: El): string {
  return `'${idOf(el) ?? '?'}'`;
}

function lower(kind: string): string {
  return kind.replace(/[A-Z]/g, (c, i: number) =>
    i === 0 ? c.toLowerCase() : ` ${c.toLowerCase()}`,
  );
}

function decisionTypeOf(logic: El | undefined): DecisionType {
  switch (logic?.$type) {
    case 'dmn:DecisionTable':
      return 'DECISION_TABLE';
    case 'dmn:LiteralExpression':
      return 'LITERAL_EXPRESSION';
    case 'dmn:Context':
      return 'CONTEXT';
    case 'dmn:Invocation':
      return 'INVOCATION';
    case 'dmn:List':
      return 'LIST';
    case 'dmn:Relation':
      return 'RELATION';
    default:
      return 'UNKNOWN';
  }
}

/** Camunda 8's `<zeebe:versionTag value="...">` in the decision's extension elements. */
function versionTagOf(el: El): { versionTag?: string } {
  const values = child(el, 'extensionElements')?.values;
  if (!Array.isArray(values)) return {};
  for (const value of values) {
    if (!isEl(value) || !/(^|:)versionTag$/.test(value.$type)) continue;
    const attrs = (value as { $attrs?: Record<string, unknown> }).$attrs;
    const tag = str(value, 'value') ?? (typeof attrs?.value === 'string' ? attrs.value : undefined);
    if (tag !== undefined && tag !== '') return { versionTag: tag };
  }
  return {};
}

/** Decisions on a requirement cycle, found without recursion (Kahn's algorithm): what remains is cyclic. */
function reportCycles(
  decisions: ReadonlyMap<string, DecisionNode>,
  byId: ReadonlyMap<string, El>,
  problems: Problems,
): void {
  const pending = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const [id, node] of decisions) {
    pending.set(id, node.requiredDecisions.length);
    for (const required of node.requiredDecisions) {
      const list = dependents.get(required) ?? [];
      list.push(id);
      dependents.set(required, list);
    }
  }
  const ready = [...pending].filter(([, count]) => count === 0).map(([id]) => id);
  while (ready.length > 0) {
    const id = ready.pop() as string;
    pending.delete(id);
    for (const dependent of dependents.get(id) ?? []) {
      const left = (pending.get(dependent) ?? 0) - 1;
      pending.set(dependent, left);
      if (left === 0) ready.push(dependent);
    }
  }
  for (const id of pending.keys()) {
    const el = byId.get(id);
    if (el) problems.at(el, 'the decision is on, or depends on, a cycle of required decisions');
  }
}

export { culpritOf };

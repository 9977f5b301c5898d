import { FeelRange, type parseExpression } from 'feelin';
import { asInvocationFailure, builtinNamed, isBuiltinName, type Builtin } from './feel-builtins';
import { describeFailure, formatTemplate } from './feel-messages';
import {
  arithmetic,
  compareIn,
  compareOrdered,
  compareWithBound,
  createRange,
  DEFER,
  equals,
  EvaluationFailure,
  isFeelObject,
  isTruthy,
  lookupName,
  lookupProperty,
  normalizeContextKey,
  parseNumericLiteral,
  parseStringLiteral,
  type ArithmeticOperator,
  type OrderOperator,
  type Scope,
} from './feel-semantics';

/**
 * Compiles a lezer-feel tree into JavaScript closures, one per node, the way
 * feelin's interpreter (`evalNode`) builds its own closures, but once per
 * expression instead of once per evaluation. Node kinds this compiler does
 * not cover raise {@link NotCompilable}; the whole expression is then left
 * to feelin.
 */

export type FeelTree = ReturnType<typeof parseExpression>;
export type FeelNode = FeelTree['topNode'];
export type Evaluator = (scope: Readonly<Scope>) => unknown;

/** The expression uses something only feelin evaluates. */
export class NotCompilable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotCompilable';
  }
}

/**
 * feelin tags each closure with the static type of its node, and a filter
 * `list[f]` behaves by the tag of `f`: `number`/`boolean`/`any` index the
 * list (evaluated in the outer scope), `string` selects equal elements,
 * `test` filters with each element in scope, anything else yields `null`.
 */
type Tag = 'number' | 'boolean' | 'string' | 'nil' | 'any' | 'test' | undefined;

interface Compiled {
  readonly run: Evaluator;
  readonly tag: Tag;
  /** Set when the node is a literal. */
  readonly constant?: { readonly value: unknown };
}

type ArgumentsEvaluator = (scope: Readonly<Scope>) => unknown[] | Scope;

const ARITHMETIC_OPERATORS: ReadonlySet<string> = new Set(['+', '-', '*', '/', '**', '^']);
const ORDER_OPERATORS: ReadonlySet<string> = new Set(['<', '<=', '>', '>=']);
const INDEX_TAGS: ReadonlySet<Tag> = new Set<Tag>(['number', 'boolean', 'any']);
const hasOwn = Object.prototype.hasOwnProperty;

export function compileTree(tree: FeelTree, source: string): Evaluator {
  return new TreeCompiler(source).compile(tree.topNode).run;
}

/** The children feelin's interpreter sees (comments are skipped). */
export function childrenOf(node: FeelNode): FeelNode[] {
  const result: FeelNode[] = [];
  for (let child = node.firstChild; child !== null; child = child.nextSibling) {
    if (!child.type.isSkipped) result.push(child);
  }
  return result;
}

/**
 * The name a `VariableName` or `PathName` stands for: its parts joined by
 * single spaces, backticks dropped; `undefined` for a shape feelin would
 * read differently.
 */
export function nameOf(node: FeelNode, source: string): string | undefined {
  const parts: string[] = [];
  for (const part of childrenOf(node)) {
    if (part.firstChild !== null) return undefined;
    const text = source.slice(part.from, part.to);
    if (part.name === 'Identifier') parts.push(text);
    else if (part.name === 'BacktickIdentifier') parts.push(text.replace(/`/g, ''));
    // feelin reads any other token (a keyword inside a name) by its node name
    else parts.push(part.name);
  }
  return parts.join(' ');
}

/** Whether a `VariableName` names the function of a call (`upper case(x)`). */
export function isCallTarget(node: FeelNode): boolean {
  const parent = node.parent;
  if (parent === null || parent.name !== 'FunctionInvocation') return false;
  const first = childrenOf(parent)[0];
  return first !== undefined && first.from === node.from && first.to === node.to;
}

function constant(value: unknown, tag: Tag): Compiled {
  return { run: () => value, tag, constant: { value } };
}

class TreeCompiler {
  constructor(private readonly source: string) {}

  compile(node: FeelNode): Compiled {
    switch (node.name) {
      case 'Expression':
        return this.compile(this.only(node));
      case 'NumericLiteral':
        return constant(parseNumericLiteral(this.text(node)), 'number');
      case 'StringLiteral':
        return constant(this.stringLiteral(node), 'string');
      case 'BooleanLiteral':
        return constant(this.text(node) === 'true', 'boolean');
      case 'null':
        return constant(null, 'nil');
      case 'VariableName':
        return this.variable(node);
      case 'PathExpression':
        return this.path(node);
      case 'FilterExpression':
        return this.filter(node);
      case 'FunctionInvocation':
        return this.invocation(node);
      case 'ArithmeticExpression':
        return this.arithmetic(node);
      case 'Comparison':
        return this.comparison(node);
      case 'Conjunction':
      case 'Disjunction':
        return this.logic(node);
      case 'IfExpression':
        return this.ifExpression(node);
      case 'ParenthesizedExpression':
        return this.compile(this.child(node, 1, 3));
      case 'List':
        return this.list(node);
      case 'Context':
        return this.context(node);
      case 'ForExpression':
        return this.forExpression(node);
      case 'QuantifiedExpression':
        return this.quantified(node);
      case 'PositiveUnaryTests':
        return this.unaryTests(node);
      case 'PositiveUnaryTest':
        return this.unaryTest(node);
      case 'SimplePositiveUnaryTest':
        return this.simpleUnaryTest(node);
      default:
        throw new NotCompilable(`${node.name} is evaluated by feelin`);
    }
  }

  // names /////////////////////////////////////////////////////////////

  private variable(node: FeelNode): Compiled {
    const name = this.name(node);
    const normalized = normalizeContextKey(name);
    const builtin = this.builtin(name);
    if (builtin === undefined) {
      return {
        tag: 'any',
        run: (scope) => {
          const value = lookupName(scope, name, normalized);
          return value === undefined ? null : value;
        },
      };
    }
    // FEEL: an unbound name that names a built-in function is that function
    const fallback = builtin.value;
    return {
      tag: 'any',
      run: (scope) => {
        const value = lookupName(scope, name, normalized);
        return value === undefined ? fallback : value;
      },
    };
  }

  private path(node: FeelNode): Compiled {
    const [targetNode, , nameNode] = this.children(node, 3);
    if (nameNode.name !== 'PathName')
      throw new NotCompilable(`a path to ${nameNode.name} is evaluated by feelin`);
    const target = this.compile(targetNode);
    const name = this.name(nameNode);
    const normalized = normalizeContextKey(name);
    const property = (value: unknown): unknown => {
      const result = lookupProperty(value, name, normalized);
      return result === undefined ? null : result;
    };
    return {
      tag: 'any',
      run: (scope) => {
        const value = target.run(scope);
        // FEEL: a path on a list is the path on each element
        return Array.isArray(value) ? value.map(property) : property(value);
      },
    };
  }

  // filters ///////////////////////////////////////////////////////////

  private filter(node: FeelNode): Compiled {
    const [targetNode, , filterNode] = this.children(node, 4);
    const target = this.compile(targetNode);
    const filter = this.compile(filterNode);
    const run = filter.run;
    if (INDEX_TAGS.has(filter.tag)) {
      return {
        tag: 'any',
        run: (scope) => {
          const value = target.run(scope);
          if (value === null) return null;
          const list = Array.isArray(value) ? value : [value];
          const index = run(scope);
          if (typeof index === 'boolean') return index ? value : [];
          if (typeof index !== 'number') return [];
          // FEEL lists are 1-based; a negative index counts from the end
          const element: unknown = list[index < 0 ? list.length + index : index - 1];
          return element === undefined ? null : element;
        },
      };
    }
    if (filter.tag === 'string') {
      return {
        tag: 'any',
        run: (scope) => {
          const value = target.run(scope);
          if (value === null) return null;
          const list = Array.isArray(value) ? value : [value];
          const wanted = run(scope);
          return list.filter((element) => element === wanted);
        },
      };
    }
    if (filter.tag === 'test') {
      return {
        tag: 'any',
        run: (scope) => {
          const value = target.run(scope);
          if (value === null) return null;
          const list: unknown[] = Array.isArray(value) ? value : [value];
          return list
            .map((element) => {
              // FEEL: the element is `item`, and a context element's entries are names too
              const inner: Scope = Object.assign({}, scope, { item: element }, element);
              let result = run(inner);
              if (typeof result === 'function')
                result = (result as (value: unknown) => unknown)(element);
              if (result instanceof FeelRange) result = result.includes(element);
              return result === true ? element : result;
            })
            .filter(isTruthy);
        },
      };
    }
    return {
      tag: 'any',
      run: (scope) => {
        target.run(scope);
        return null;
      },
    };
  }

  // calls /////////////////////////////////////////////////////////////

  private invocation(node: FeelNode): Compiled {
    const [targetNode, , parametersNode] = this.children(node, 4);
    if (targetNode.name !== 'VariableName')
      throw new NotCompilable(`calling a ${targetNode.name} is evaluated by feelin`);
    const name = this.name(targetNode);
    const builtin = this.builtin(name);
    const callable = builtin?.callable;
    if (builtin === undefined || callable === undefined) {
      throw new NotCompilable(`calls to '${name}' are evaluated by feelin`);
    }
    const normalized = normalizeContextKey(name);
    const parameters = this.parameters(parametersNode);
    const builtinValue = builtin.value;
    return {
      tag: 'any',
      run: (scope) => {
        // feelin resolves the function like a variable: a bound name shadows the built-in
        const target = lookupName(scope, name, normalized);
        if (target !== undefined && target !== builtinValue) {
          if (typeof target === 'function' || isFeelObject(target)) throw DEFER;
          const message = formatTemplate('Cannot invoke {target}', { target });
          throw new EvaluationFailure(describeFailure('NO_FUNCTION_FOUND', message, name));
        }
        const result: unknown = callable.invoke(parameters(scope));
        const failure = asInvocationFailure(result);
        if (failure !== undefined) {
          throw new EvaluationFailure(
            describeFailure(
              failure.warning,
              formatTemplate(failure.template, failure.values),
              name,
            ),
          );
        }
        return result;
      },
    };
  }

  private parameters(node: FeelNode): ArgumentsEvaluator {
    if (node.name === 'PositionalParameters') {
      const values = childrenOf(node).map((child) => this.compile(child).run);
      return (scope) => values.map((run) => run(scope));
    }
    if (node.name === 'NamedParameters') {
      const entries = childrenOf(node).map((parameter) => {
        const [nameNode, valueNode] = this.children(parameter, 2);
        return [this.parameterName(nameNode), this.compile(valueNode).run] as const;
      });
      return (scope) => {
        const named: Scope = {};
        for (const [name, run] of entries) named[name] = run(scope);
        return named;
      };
    }
    throw new NotCompilable(`${node.name} parameters are evaluated by feelin`);
  }

  // operators /////////////////////////////////////////////////////////

  private arithmetic(node: FeelNode): Compiled {
    const children = childrenOf(node);
    if (children.length === 2) {
      const operator = this.arithmeticOperator(children[0]);
      const operand = this.compile(children[1]);
      const run = operand.run;
      // feelin evaluates `-x` as `0 - x`
      return { tag: operand.tag, run: (scope) => arithmetic(operator, 0, run(scope)) };
    }
    const [leftNode, operatorNode, rightNode] = this.children(node, 3);
    const operator = this.arithmeticOperator(operatorNode);
    const left = this.compile(leftNode);
    const right = this.compile(rightNode);
    const l = left.run;
    const r = right.run;
    return {
      tag: left.tag === right.tag ? left.tag : 'any',
      run: (scope) => arithmetic(operator, l(scope), r(scope)),
    };
  }

  private comparison(node: FeelNode): Compiled {
    const children = childrenOf(node);
    const operatorNode = children[1];
    if (operatorNode === undefined)
      throw new NotCompilable('an incomplete comparison is evaluated by feelin');
    switch (operatorNode.name) {
      case 'CompareOp':
        return this.compare(node);
      case 'between':
        return this.between(node);
      case 'in':
        return this.membership(node);
      default:
        throw new NotCompilable(`a comparison with ${operatorNode.name} is evaluated by feelin`);
    }
  }

  private compare(node: FeelNode): Compiled {
    const [leftNode, operatorNode, rightNode] = this.children(node, 3);
    const operator = this.text(operatorNode);
    const left = this.compile(leftNode).run;
    const right = this.compile(rightNode);
    const r = right.run;
    if (operator === '=') return { tag: 'test', run: (scope) => equals(left(scope), r(scope)) };
    if (operator === '!=') {
      return {
        tag: 'test',
        run: (scope) => {
          const result = equals(left(scope), r(scope));
          return result === null ? null : !result;
        },
      };
    }
    if (!ORDER_OPERATORS.has(operator))
      throw new NotCompilable(`the operator ${operator} is evaluated by feelin`);
    const order = operator as OrderOperator;
    if (right.constant !== undefined)
      return { tag: 'test', run: orderAgainstConstant(order, left, right.constant.value) };
    return { tag: 'test', run: (scope) => compareOrdered(order, left(scope), r(scope)) };
  }

  private between(node: FeelNode): Compiled {
    const [valueNode, , startNode, , endNode] = this.children(node, 5);
    const value = this.compile(valueNode).run;
    const start = this.compile(startNode).run;
    const end = this.compile(endNode).run;
    return {
      tag: 'test',
      run: (scope) => {
        const low = start(scope);
        const high = end(scope);
        if (low === null || high === null) return null;
        return createRange(low, high).includes(value(scope));
      },
    };
  }

  private membership(node: FeelNode): Compiled {
    const children = childrenOf(node);
    // `x in test` or `x in (test, test, ...)`
    const testsNode =
      children.length === 5 ? children[3] : children.length === 3 ? children[2] : undefined;
    if (testsNode === undefined)
      throw new NotCompilable('an incomplete `in` is evaluated by feelin');
    const value = this.compile(children[0]).run;
    const tests = this.compile(testsNode).run;
    return { tag: 'test', run: (scope) => compareIn(value(scope), tests(scope)) };
  }

  private logic(node: FeelNode): Compiled {
    const [leftNode, , rightNode] = this.children(node, 3);
    const left = this.compile(leftNode).run;
    const right = this.compile(rightNode).run;
    if (node.name === 'Conjunction') {
      return {
        tag: 'test',
        run: (scope) => {
          // FEEL three-valued `and`; feelin evaluates both sides
          const a = asBoolean(left(scope));
          const b = asBoolean(right(scope));
          if (a === false || b === false) return false;
          return a === true && b === true ? true : null;
        },
      };
    }
    return {
      tag: 'test',
      run: (scope) => {
        const a = asBoolean(left(scope));
        const b = asBoolean(right(scope));
        if (a === true || b === true) return true;
        return a === false && b === false ? false : null;
      },
    };
  }

  private ifExpression(node: FeelNode): Compiled {
    const children = childrenOf(node);
    if (children.length !== 6)
      throw new NotCompilable('an incomplete if expression is evaluated by feelin');
    const condition = this.compile(children[1]).run;
    const then = this.compile(children[3]);
    const otherwise = this.compile(children[5]);
    const thenRun = then.run;
    const elseRun = otherwise.run;
    return {
      tag: then.tag === otherwise.tag ? then.tag : 'any',
      // FEEL: only `true` is true here, but feelin takes anything but false and null
      run: (scope) => (isTruthy(condition(scope)) ? thenRun(scope) : elseRun(scope)),
    };
  }

  // unary tests (`x in ...`, `list[> 1]`) /////////////////////////////

  private unaryTests(node: FeelNode): Compiled {
    const tests = childrenOf(node).map((child) => this.compile(child).run);
    return { tag: undefined, run: (scope) => tests.map((run) => run(scope)) };
  }

  private unaryTest(node: FeelNode): Compiled {
    const test = this.compile(this.only(node));
    const run = test.run;
    if (test.tag !== 'boolean') return { tag: undefined, run };
    // a boolean test compares with the implicit input `?` when there is one
    return {
      tag: undefined,
      run: (scope) => (hasOwn.call(scope, '?') ? run(scope) === scope['?'] : run(scope)),
    };
  }

  private simpleUnaryTest(node: FeelNode): Compiled {
    let parent = node.parent;
    while (parent !== null && parent.name === 'ParenthesizedExpression') parent = parent.parent;
    if (parent?.name !== 'PositiveUnaryTest' && parent?.name !== 'FilterExpression') {
      // elsewhere (`= [1..5]`) the range itself would be the value
      throw new NotCompilable('a range value is evaluated by feelin');
    }
    const children = childrenOf(node);
    if (children.length === 1 && children[0].name === 'Interval') return this.interval(children[0]);
    const [operatorNode, valueNode] = this.children(node, 2);
    if (operatorNode.name !== 'CompareOp')
      throw new NotCompilable(`a unary test with ${operatorNode.name} is evaluated by feelin`);
    const operator = this.text(operatorNode);
    const value = this.compile(valueNode).run;
    switch (operator) {
      case '>':
        return { tag: 'test', run: (scope) => createRange(value(scope), null, false, false) };
      case '>=':
        return { tag: 'test', run: (scope) => createRange(value(scope), null, true, false) };
      case '<':
        return { tag: 'test', run: (scope) => createRange(null, value(scope), false, false) };
      case '<=':
        return { tag: 'test', run: (scope) => createRange(null, value(scope), false, true) };
      case '=':
        return {
          tag: 'test',
          run: (scope) => {
            const expected = value(scope);
            return (actual: unknown) => equals(actual, expected);
          },
        };
      case '!=':
        return {
          tag: 'test',
          run: (scope) => {
            const expected = value(scope);
            return (actual: unknown) => {
              const result = equals(actual, expected);
              return result === null ? null : !result;
            };
          },
        };
      default:
        throw new NotCompilable(`the unary test ${operator} is evaluated by feelin`);
    }
  }

  private interval(node: FeelNode): Compiled {
    const [open, startNode, , endNode, close] = this.children(node, 5);
    const startIncluded = open.name === '[';
    const endIncluded = close.name === ']';
    const start = this.compile(startNode).run;
    const end = this.compile(endNode).run;
    return {
      tag: 'test',
      run: (scope) => {
        const low = start(scope);
        const high = end(scope);
        return createRange(low, high, low !== null && startIncluded, high !== null && endIncluded);
      },
    };
  }

  // lists, contexts, iteration ////////////////////////////////////////

  private list(node: FeelNode): Compiled {
    const elements = childrenOf(node)
      .slice(1, -1)
      .map((child) => this.compile(child).run);
    return { tag: undefined, run: (scope) => elements.map((run) => run(scope)) };
  }

  private context(node: FeelNode): Compiled {
    const entries = childrenOf(node)
      .slice(1, -1)
      .map((entry) => {
        if (entry.name !== 'ContextEntry')
          throw new NotCompilable(`${entry.name} in a context is evaluated by feelin`);
        const [keyNode, valueNode] = this.children(entry, 2);
        return [this.contextKey(keyNode), this.compile(valueNode).run] as const;
      });
    return {
      tag: undefined,
      run: (scope) => {
        // FEEL: an entry sees the entries before it
        const visible: Scope = Object.assign({}, scope);
        const result: Scope = {};
        for (const [key, run] of entries) {
          const value = run(visible);
          visible[key] = value;
          result[key] = value;
        }
        return result;
      },
    };
  }

  private forExpression(node: FeelNode): Compiled {
    const children = childrenOf(node);
    if (children.length !== 4)
      throw new NotCompilable('an incomplete for expression is evaluated by feelin');
    const iterations = this.iterations(children[1]);
    const body = this.compile(children[3]).run;
    return {
      tag: undefined,
      run: (scope) => {
        const contexts = iterations(scope);
        if (contexts === null) return null;
        // FEEL: `partial` holds the results so far
        const partial: unknown[] = [];
        for (const context of contexts) {
          context.partial = partial;
          partial.push(body(context));
        }
        return partial;
      },
    };
  }

  private quantified(node: FeelNode): Compiled {
    const [quantifier, inNode, , conditionNode] = this.children(node, 4);
    if (quantifier.name !== 'some' && quantifier.name !== 'every') {
      throw new NotCompilable(`${quantifier.name} is evaluated by feelin`);
    }
    const iterations = this.iterations(inNode);
    const condition = this.compile(conditionNode).run;
    const every = quantifier.name === 'every';
    return {
      tag: 'test',
      run: (scope) => {
        const contexts = iterations(scope);
        if (contexts === null) return null;
        const satisfied = (context: Scope): boolean => isTruthy(condition(context));
        return every ? contexts.every(satisfied) : contexts.some(satisfied);
      },
    };
  }

  /** `x in xs, y in ys`: every combination, each as a scope (feelin `InExpressions`). */
  private iterations(node: FeelNode): (scope: Readonly<Scope>) => Scope[] | null {
    if (node.name !== 'InExpressions')
      throw new NotCompilable(`${node.name} is evaluated by feelin`);
    const sources = childrenOf(node).map((child) => this.iterationSource(child));
    if (sources.length === 0) throw new NotCompilable('an empty iteration is evaluated by feelin');
    return (scope) => {
      let combinations = sources[0](scope);
      for (let i = 1; i < sources.length && combinations !== null; i++) {
        const next: Scope[] = [];
        for (const combination of combinations) {
          const bindings = sources[i](Object.assign({}, scope, combination));
          if (bindings === null) {
            combinations = null;
            break;
          }
          for (const binding of bindings) next.push(Object.assign({}, combination, binding));
        }
        if (combinations !== null) combinations = next;
      }
      return combinations === null
        ? null
        : combinations.map((combination) => Object.assign({}, scope, combination));
    };
  }

  /** `x in xs` or `i in 1..3`: one binding per element, `null` unless a list or range. */
  private iterationSource(node: FeelNode): (scope: Readonly<Scope>) => Scope[] | null {
    const [nameNode, , contextNode] = this.children(node, 3);
    if (nameNode.name !== 'Name' || contextNode.name !== 'IterationContext') {
      throw new NotCompilable(`${node.name} is evaluated by feelin`);
    }
    const name = this.nameText(nameNode);
    const parts = childrenOf(contextNode);
    const from = this.compile(parts[0]).run;
    const to = parts.length === 3 ? this.compile(parts[2]).run : undefined;
    if (parts.length !== 1 && to === undefined)
      throw new NotCompilable('an iteration context is evaluated by feelin');
    const bind = (value: unknown): Scope => ({ [name]: value });
    return (scope) => {
      let target = from(scope);
      if (to !== undefined) {
        const end = to(scope);
        // feelin only builds the range when the end is truthy (`1..0` iterates over 1)
        if (end) target = createRange(target, end);
      }
      if (Array.isArray(target)) return target.map(bind);
      if (target instanceof FeelRange) return target.map(bind);
      return null;
    };
  }

  // helpers ///////////////////////////////////////////////////////////

  private builtin(name: string): Builtin | undefined {
    const normalized = normalizeContextKey(name);
    if (normalized !== name && isBuiltinName(normalized)) {
      throw new NotCompilable(`'${name}' is resolved by feelin`);
    }
    const builtin = builtinNamed(name);
    if (builtin === null) throw new NotCompilable(`the built-in '${name}' is evaluated by feelin`);
    return builtin;
  }

  private arithmeticOperator(node: FeelNode): ArithmeticOperator {
    const text = this.text(node);
    if (node.name !== 'ArithOp' || !ARITHMETIC_OPERATORS.has(text)) {
      throw new NotCompilable(`the operator ${text} is evaluated by feelin`);
    }
    return text as ArithmeticOperator;
  }

  private name(node: FeelNode): string {
    const name = nameOf(node, this.source);
    if (name === undefined)
      throw new NotCompilable(`the name '${this.text(node)}' is read by feelin`);
    return name;
  }

  /** feelin's `Name` node: its text with runs of whitespace collapsed. */
  private nameText(node: FeelNode): string {
    return this.text(node).replace(/\s{2,}/g, ' ');
  }

  private parameterName(node: FeelNode): string {
    if (node.name !== 'ParameterName')
      throw new NotCompilable(`${node.name} is evaluated by feelin`);
    const parts = childrenOf(node);
    if (parts.some((part) => part.name !== 'Name'))
      throw new NotCompilable('a parameter name is read by feelin');
    return parts.map((part) => this.nameText(part)).join(' ');
  }

  private contextKey(node: FeelNode): string {
    const key = this.only(node);
    if (key.name === 'Name') return this.nameText(key);
    if (key.name === 'StringLiteral') return this.stringLiteral(key);
    throw new NotCompilable(`a ${key.name} key is evaluated by feelin`);
  }

  private stringLiteral(node: FeelNode): string {
    try {
      return parseStringLiteral(this.text(node));
    } catch {
      // an escape feelin cannot decode either: let feelin report it
      throw new NotCompilable('the string literal is evaluated by feelin');
    }
  }

  private text(node: FeelNode): string {
    return this.source.slice(node.from, node.to);
  }

  private only(node: FeelNode): FeelNode {
    return this.children(node, 1)[0];
  }

  private child(node: FeelNode, index: number, count: number): FeelNode {
    return this.children(node, count)[index];
  }

  private children(node: FeelNode, count: number): FeelNode[] {
    const children = childrenOf(node);
    if (children.length !== count)
      throw new NotCompilable(`this form of ${node.name} is evaluated by feelin`);
    return children;
  }
}

function asBoolean(value: unknown): boolean | null {
  return typeof value === 'boolean' ? value : null;
}

/**
 * `x > 100` and friends: a literal bound is checked once, here; one that
 * cannot bound a comparison (`x > true`) keeps the general path, which
 * reports it.
 */
function orderAgainstConstant(operator: OrderOperator, left: Evaluator, bound: unknown): Evaluator {
  if (bound === null) {
    return (scope) => {
      left(scope);
      return null;
    };
  }
  if (typeof bound === 'number' || typeof bound === 'string') {
    return (scope) => compareWithBound(operator, left(scope), bound);
  }
  return (scope) => compareOrdered(operator, left(scope), bound);
}

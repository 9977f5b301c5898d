import type { TemporalValue } from './feel-temporal';

/**
 * The syntax tree of a FEEL expression, node for node feel-scala's `Exp`
 * (`syntaxtree/Exp.scala`), so that the evaluator can follow its
 * interpreter case by case. Every node keeps the span of text it came from.
 */

interface Span {
  readonly from: number;
  readonly to: number;
}

export interface RangeBound {
  readonly value: Node;
  readonly closed: boolean;
}

export type Parameters =
  | { readonly kind: 'positional'; readonly values: readonly Node[] }
  | { readonly kind: 'named'; readonly values: ReadonlyMap<string, Node> };

export type OrderOperator = '<' | '<=' | '>' | '>=';
export type ArithmeticOperator = '+' | '-' | '*' | '/' | '**';

export interface Iterator {
  readonly name: string;
  readonly source: Node;
}

export type Node = Span &
  (
    | { readonly type: 'null' }
    | { readonly type: 'number'; readonly value: number | null }
    | { readonly type: 'string'; readonly value: string }
    | { readonly type: 'boolean'; readonly value: boolean }
    | { readonly type: 'temporal'; readonly value: TemporalValue | null }
    /** `?`: the input of a unary test. */
    | { readonly type: 'input' }
    | { readonly type: 'list'; readonly items: readonly Node[] }
    | { readonly type: 'context'; readonly entries: readonly (readonly [string, Node])[] }
    /** `[a..b]` as a value (a function argument). */
    | { readonly type: 'range'; readonly start: RangeBound; readonly end: RangeBound }
    /** `= x` against the implicit input (`true` as a whole unary test). */
    | { readonly type: 'inputEquals'; readonly value: Node }
    /** `< x` and friends against the implicit input. */
    | { readonly type: 'inputCompare'; readonly operator: OrderOperator; readonly value: Node }
    /** `[a..b]` as a unary test. */
    | { readonly type: 'inputInRange'; readonly start: RangeBound; readonly end: RangeBound }
    /** An expression used as a unary test: true, a list holding the input, or a value equal to it. */
    | {
        readonly type: 'unaryTestExpression';
        readonly expression: Node;
        readonly usesInput: boolean;
      }
    | {
        readonly type: 'arithmetic';
        readonly operator: ArithmeticOperator;
        readonly left: Node;
        readonly right: Node;
      }
    | { readonly type: 'negation'; readonly operand: Node }
    | { readonly type: 'equals'; readonly left: Node; readonly right: Node }
    | {
        readonly type: 'compare';
        readonly operator: OrderOperator;
        readonly left: Node;
        readonly right: Node;
      }
    | { readonly type: 'not'; readonly operand: Node }
    | { readonly type: 'atLeastOne'; readonly tests: readonly Node[] }
    | { readonly type: 'or'; readonly left: Node; readonly right: Node }
    | { readonly type: 'and'; readonly left: Node; readonly right: Node }
    | {
        readonly type: 'if';
        readonly condition: Node;
        readonly then: Node;
        readonly otherwise: Node;
      }
    | { readonly type: 'in'; readonly value: Node; readonly test: Node }
    | { readonly type: 'instanceOf'; readonly value: Node; readonly typeName: string }
    | { readonly type: 'ref'; readonly names: readonly string[] }
    | { readonly type: 'path'; readonly target: Node; readonly key: string }
    | {
        readonly type: 'quantified';
        readonly every: boolean;
        readonly iterators: readonly Iterator[];
        readonly condition: Node;
      }
    | { readonly type: 'for'; readonly iterators: readonly Iterator[]; readonly body: Node }
    | { readonly type: 'filter'; readonly target: Node; readonly filter: Node }
    /** `a..b` after `in` of an iterator. */
    | { readonly type: 'iterationRange'; readonly start: Node; readonly end: Node }
    | { readonly type: 'call'; readonly name: string; readonly parameters: Parameters }
    /** DMN: a call of the value of an expression (`f(1)(2)`, `(function(a) a)(10)`). */
    | { readonly type: 'invoke'; readonly target: Node; readonly parameters: Parameters }
    | {
        readonly type: 'qualifiedCall';
        readonly path: readonly string[];
        readonly name: string;
        readonly parameters: Parameters;
      }
    | { readonly type: 'function'; readonly params: readonly string[]; readonly body: Node }
  );

export type NodeOf<T extends Node['type']> = Extract<Node, { readonly type: T }>;

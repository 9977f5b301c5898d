import type { Node, Parameters } from './feel-ast';
import { childrenOf, parseExpressionText } from './feel-parser';

/**
 * A tool parameter an AI agent fills in, described by a `fromAi(...)` call
 * (Camunda 8.8): at run time `fromAi(value, ...)` is just `value`; read
 * statically, its arguments say what the agent must provide.
 */
export interface FromAiParameter {
  /** The variable path of the first argument (`toolCall.query`). */
  readonly name: string;
  readonly description?: string;
  readonly type?: string;
  readonly schema?: Readonly<Record<string, unknown>>;
  readonly options?: Readonly<Record<string, unknown>>;
}

/** A `fromAi` call whose arguments cannot be read statically (Zeebe refuses the deployment). */
export class FromAiError extends Error {}

const ARGUMENTS = ['value', 'description', 'type', 'schema', 'options'] as const;

/**
 * Every `fromAi` call in an expression, in the order they appear (outer
 * before inner, left to right), as Zeebe's tagged-parameter extractor reads
 * them: the value must be a variable reference, the description and type
 * string literals, the schema and options context literals of constants.
 * Throws {@link FromAiError} naming the argument otherwise, and the FEEL
 * syntax error when the text does not parse.
 */
export function fromAiParameters(source: string): FromAiParameter[] {
  const found: FromAiParameter[] = [];
  const visit = (node: Node): void => {
    if (node.type === 'call' && node.name === 'fromAi') {
      found.push(parameterOf(node.parameters));
      return;
    }
    for (const child of childrenOf(node)) visit(child);
  };
  visit(parseExpressionText(source));
  return found;
}

function parameterOf(parameters: Parameters): FromAiParameter {
  const arg = (index: number): Node | undefined =>
    parameters.kind === 'positional'
      ? parameters.values[index]
      : parameters.values.get(ARGUMENTS[index]);
  const value = arg(0);
  if (value?.type !== 'ref') {
    throw new FromAiError(
      `Expected fromAi() parameter 'value' to be a reference (e.g. 'toolCall.customParameter'), but received ${describe(value)}.`,
    );
  }
  const parameter: { -readonly [K in keyof FromAiParameter]: FromAiParameter[K] } = {
    name: value.names.join('.'),
  };
  const description = stringArgument(arg(1), 'description');
  const type = stringArgument(arg(2), 'type');
  const schema = contextArgument(arg(3), 'schema');
  const options = contextArgument(arg(4), 'options');
  if (description !== undefined) parameter.description = description;
  if (type !== undefined) parameter.type = type;
  if (schema !== undefined) parameter.schema = schema;
  if (options !== undefined) parameter.options = options;
  return parameter;
}

function stringArgument(node: Node | undefined, name: string): string | undefined {
  if (node === undefined) return undefined;
  if (node.type !== 'string') {
    throw new FromAiError(
      `Expected fromAi() parameter '${name}' to be a string, but received ${describe(node)}.`,
    );
  }
  return node.value;
}

function contextArgument(
  node: Node | undefined,
  name: string,
): Record<string, unknown> | undefined {
  if (node === undefined) return undefined;
  if (node.type !== 'context') {
    throw new FromAiError(
      `Expected fromAi() parameter '${name}' to be a context (map), but received ${describe(node)}.`,
    );
  }
  return constantContext(node);
}

function constantContext(node: Extract<Node, { type: 'context' }>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, value] of node.entries) result[key] = constant(value);
  return result;
}

/** A literal inside a schema or options context: numbers, strings, booleans, null, lists and contexts of them. */
function constant(node: Node): unknown {
  switch (node.type) {
    case 'null':
      return null;
    case 'number':
    case 'string':
    case 'boolean':
      return node.value;
    case 'list':
      return node.items.map(constant);
    case 'context':
      return constantContext(node);
    default:
      throw new FromAiError(
        `Unsupported expression value in fromAi() function invocation: ${describe(node)}`,
      );
  }
}

/** What an argument was, for an error message: the literal, or the kind of expression. */
function describe(node: Node | undefined): string {
  if (node === undefined) return 'nothing';
  if (node.type === 'string') return `string '${node.value}'`;
  if (node.type === 'number' || node.type === 'boolean') return `'${String(node.value)}'`;
  if (node.type === 'call') return `a call of ${node.name}()`;
  return `${/^[aeiou]/.test(node.type) ? 'an' : 'a'} ${node.type} expression`;
}

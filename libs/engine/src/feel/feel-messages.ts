import { FeelFunction } from 'feelin';
import type { FeelNode, FeelTree } from './feel-compiler';

/** feelin `formatDetails`: fills `{name}` placeholders of a warning template. */
export function formatTemplate(template: string, values: Record<string, unknown>): string {
  return Object.keys(values).reduce(
    (message, key) => message.replace(`{${key}}`, `'${formatValue(values[key])}'`),
    template,
  );
}

/** feelin `formatValue`. */
function formatValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return `"${value}"`;
  if (Array.isArray(value)) return `[${value.length} items]`;
  if (value instanceof FeelFunction) return `function(${value.parameterNames.join(', ')})`;
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype)
    return '{...}';
  return String(value);
}

/** A failed call, worded for a modeler; `message` is feelin's own wording. */
export function describeFailure(
  warning: string,
  message: string,
  functionName: string | undefined,
): string {
  if (functionName === undefined) return message;
  switch (warning) {
    case 'NO_FUNCTION_FOUND':
      return message === "Cannot invoke 'null'"
        ? `no function named '${functionName}'`
        : `'${functionName}' is not a function (${message})`;
    case 'FUNCTION_INVOCATION_FAILURE':
      return `'${functionName}' does not take these arguments (${message})`;
    default:
      return message;
  }
}

/** The function called at a `FunctionInvocation` (feelin reports calls by their span). */
export function calledFunction(source: string, from: number, to: number): string | undefined {
  const text = source.slice(from, to);
  const paren = text.indexOf('(');
  return paren > 0 ? text.slice(0, paren).trim() : undefined;
}

// syntax errors /////////////////////////////////////////////////////

export interface SyntaxProblem {
  readonly message: string;
  readonly from: number;
  readonly to: number;
}

/** The first error in the tree, described the way a modeler reads it (where, and what). */
export function findSyntaxProblem(tree: FeelTree, source: string): SyntaxProblem | undefined {
  let error: FeelNode | undefined;
  tree.iterate({
    enter: (ref) => {
      if (error !== undefined) return false;
      // error nodes are skipped nodes too: test for them first
      if (ref.type.isError) {
        error = ref.node;
        return false;
      }
      return ref.type.isSkipped ? false : undefined;
    },
  });
  return error === undefined ? undefined : describeSyntaxError(error, source);
}

function describeSyntaxError(node: FeelNode, source: string): SyntaxProblem {
  if (source.trim() === '')
    return { message: 'the expression is empty', from: 0, to: source.length };
  if (node.from !== node.to) {
    return {
      message: `unexpected ${quote(source.slice(node.from, node.to))} at ${location(source, node.from)}`,
      from: node.from,
      to: node.to,
    };
  }
  const next = nextNode(node);
  if (next !== null) {
    return {
      message: `unexpected ${quote(source.slice(next.from, next.to))} at ${location(source, next.from)}`,
      from: next.from,
      to: next.to,
    };
  }
  const before = /(\S+)\s*$/.exec(source.slice(0, node.from));
  const after = before === null ? '' : ` after ${quote(before[1])}`;
  return {
    message: `the expression is incomplete: something is missing${after} at ${location(source, node.from)}`,
    from: node.from,
    to: node.to,
  };
}

/** The node after an empty error node (feelin `findNext`). */
function nextNode(node: FeelNode): FeelNode | null {
  for (let current: FeelNode | null = node; current !== null; current = current.parent) {
    if (current.nextSibling !== null) return current.nextSibling;
  }
  return null;
}

function quote(text: string): string {
  const short = text.length > 30 ? `${text.slice(0, 30)}…` : text;
  return `'${short}'`;
}

/** 1-based; the line only when the expression spans several. */
function location(source: string, offset: number): string {
  const before = source.slice(0, offset);
  const lines = before.split('\n');
  const column = lines[lines.length - 1].length + 1;
  return source.includes('\n') ? `line ${lines.length}, column ${column}` : `column ${column}`;
}

import { Parser } from 'saxen';
import { parseDate, parseDateTime, parseDuration, parseTime } from '@baton/engine';

function orThrow<T>(parse: (s: string) => T | null): (s: string) => T {
  return (s) => {
    const value = parse(s);
    if (value === null) throw new Error(`not a FEEL temporal value: ${s}`);
    return value;
  };
}
const date = orThrow(parseDate);
const dateAndTime = orThrow(parseDateTime);
const time = orThrow(parseTime);
const duration = orThrow(parseDuration);

/**
 * Reads a DMN TCK test file (`*-test-01.xml`, schema testCases.xsd): test
 * cases with their input nodes and expected result nodes, values typed by
 * `xsi:type` and turned into FEEL values.
 */

export type TckValue =
  | { readonly kind: 'value'; readonly value: unknown; readonly type: string }
  | { readonly kind: 'list'; readonly items: readonly TckValue[] }
  | { readonly kind: 'context'; readonly entries: ReadonlyArray<readonly [string, TckValue]> };

export interface TckResultNode {
  readonly name: string;
  readonly errorResult: boolean;
  readonly expected: TckValue;
}

export interface TckTestCase {
  readonly id: string;
  readonly type: 'decision' | 'decisionService' | 'bkm';
  readonly invocableName?: string;
  readonly inputs: ReadonlyArray<readonly [string, TckValue]>;
  readonly results: readonly TckResultNode[];
}

export interface TckFile {
  readonly modelName: string;
  readonly testCases: readonly TckTestCase[];
}

interface XmlNode {
  readonly name: string;
  readonly attrs: Record<string, string>;
  readonly children: XmlNode[];
  text: string;
}

function parseXml(xml: string): XmlNode {
  const root: XmlNode = { name: '#root', attrs: {}, children: [], text: '' };
  const stack: XmlNode[] = [root];
  const parser = new Parser();
  parser.on('openTag', (name: string, getAttrs: () => Record<string, string>) => {
    const node: XmlNode = { name: localName(name), attrs: getAttrs(), children: [], text: '' };
    stack[stack.length - 1].children.push(node);
    stack.push(node);
  });
  parser.on('closeTag', () => {
    stack.pop();
  });
  parser.on('text', (text: string, decode: (s: string) => string) => {
    stack[stack.length - 1].text += decode(text);
  });
  parser.on('cdata', (text: string) => {
    stack[stack.length - 1].text += text;
  });
  parser.on('error', (error: Error) => {
    throw error;
  });
  parser.parse(xml);
  return root;
}

function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon < 0 ? name : name.slice(colon + 1);
}

function attr(node: XmlNode, name: string): string | undefined {
  for (const [key, value] of Object.entries(node.attrs)) if (localName(key) === name) return value;
  return undefined;
}

export function readTckFile(xml: string): TckFile {
  const root = parseXml(xml).children.find((n) => n.name === 'testCases');
  if (root === undefined) throw new Error('not a TCK test file: no <testCases>');
  const modelName = root.children.find((n) => n.name === 'modelName')?.text.trim() ?? '';
  const testCases = root.children
    .filter((n) => n.name === 'testCase')
    .map((tc): TckTestCase => {
      const type = (attr(tc, 'type') ?? 'decision') as TckTestCase['type'];
      return {
        id: attr(tc, 'id') ?? '',
        type,
        invocableName: attr(tc, 'invocableName'),
        inputs: tc.children
          .filter((n) => n.name === 'inputNode')
          .map((n) => [attr(n, 'name') ?? '', readValue(n)] as const),
        results: tc.children
          .filter((n) => n.name === 'resultNode')
          .map((n) => {
            const expected = n.children.find((c) => c.name === 'expected');
            return {
              name: attr(n, 'name') ?? '',
              errorResult: attr(n, 'errorResult') === 'true',
              expected: expected
                ? readValue(expected)
                : { kind: 'value', value: null, type: 'nil' },
            };
          }),
      };
    });
  return { modelName, testCases };
}

/** The value held by a node of type valueType: `<value>`, `<component>`s or `<list>`. */
function readValue(node: XmlNode): TckValue {
  const value = node.children.find((n) => n.name === 'value');
  if (value !== undefined) return scalar(value);
  const list = node.children.find((n) => n.name === 'list');
  if (list !== undefined) {
    return {
      kind: 'list',
      items: list.children.filter((n) => n.name === 'item').map(readValue),
    };
  }
  const components = node.children.filter((n) => n.name === 'component');
  if (components.length > 0) {
    return {
      kind: 'context',
      entries: components.map((c) => [attr(c, 'name') ?? '', readValue(c)] as const),
    };
  }
  return { kind: 'value', value: null, type: 'nil' };
}

function scalar(node: XmlNode): TckValue {
  if (attr(node, 'nil') === 'true') return { kind: 'value', value: null, type: 'nil' };
  const type = localName(attr(node, 'type') ?? 'xsd:string');
  const text = node.text;
  switch (type) {
    case 'decimal':
    case 'double':
    case 'integer':
    case 'int':
    case 'long':
      return { kind: 'value', value: Number(text.trim()), type: 'number' };
    case 'boolean':
      return { kind: 'value', value: text.trim() === 'true', type: 'boolean' };
    case 'date':
      return temporal(text, date, 'date');
    case 'dateTime':
      return temporal(text, dateAndTime, 'date and time');
    case 'time':
      return temporal(text, time, 'time');
    case 'duration':
      return temporal(text, duration, 'duration');
    default:
      return { kind: 'value', value: text, type: 'string' };
  }
}

/**
 * A temporal value built by FEEL's constructor. One FEEL cannot build
 * (Baton's FEEL cannot parse it) is kept as its text: a case using it fails
 * on that value, not the whole file.
 */
function temporal(text: string, build: (s: string) => unknown, type: string): TckValue {
  try {
    return { kind: 'value', value: build(text.trim()), type };
  } catch {
    return { kind: 'value', value: `unsupported ${type} ${text.trim()}`, type };
  }
}

/** The FEEL value a TCK value stands for (inputs). */
export function toFeel(value: TckValue): unknown {
  switch (value.kind) {
    case 'value':
      return value.value;
    case 'list':
      return value.items.map(toFeel);
    case 'context': {
      const context: Record<string, unknown> = {};
      for (const [name, entry] of value.entries) context[name] = toFeel(entry);
      return context;
    }
  }
}

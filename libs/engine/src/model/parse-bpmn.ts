import {
  BpmnModdle,
  type BpmnModdleInstance,
  type ModdleParseResult,
  type ModdleWarning,
} from 'bpmn-moddle';
import zeebeSchema from 'zeebe-bpmn-moddle/resources/zeebe.json';
import type { ValidationError } from './model.types';
import {
  bool,
  idOf,
  isInstanceOf,
  isModdleElement,
  nearestWithId,
  tagOf,
  type ModdleElement,
} from './moddle-element';
import type { Problems } from './problems';
import { findMalformedTags, XmlLocator } from './xml-locate';

export interface ParsedDocument {
  readonly definitions: ModdleElement;
  /** Properties whose reference moddle could not resolve (already reported), per element. */
  readonly unresolved: ReadonlyMap<ModdleElement, ReadonlySet<string>>;
  /**
   * Unresolved references that do not affect execution (diagram elements,
   * message flows, data and documentation parts, non-executable processes):
   * Camunda 8 deploys these, so they are warnings, not problems.
   */
  readonly warnings: readonly ValidationError[];
}

const BPMN_NS = 'http://www.omg.org/spec/BPMN/20100524/MODEL';

// Building the moddle registry costs far more than parsing a small model, and
// the registry is read-only afterwards, so one instance serves every parse.
let moddle: BpmnModdleInstance | undefined;
function getModdle(): BpmnModdleInstance {
  moddle ??= BpmnModdle({ zeebe: zeebeSchema });
  return moddle;
}

/**
 * Parses BPMN XML into moddle's element tree. Every moddle warning becomes a
 * problem; a document that is not XML or not BPMN yields a document-level
 * problem and no tree.
 */
export async function parseBpmn(
  xml: string,
  problems: Problems,
): Promise<ParsedDocument | undefined> {
  let text = xml.charCodeAt(0) === 0xfeff ? xml.slice(1) : xml;
  if (text.trim().length === 0) {
    problems.document('the document is empty');
    return undefined;
  }
  if (!text.trimStart().startsWith('<')) {
    problems.document('the document is not XML');
    return undefined;
  }

  const doctype = /<!(DOCTYPE|ENTITY)\b/i.exec(text);
  if (doctype !== null) {
    problems.document(
      `${doctype[1].toUpperCase()} is not allowed (line ${lineCount(text.slice(0, doctype.index))}): a BPMN document declares no DTD and no entities`,
    );
    return undefined;
  }

  text = embeddedFormsAsText(text);
  const malformed = findMalformedTags(text);
  if (malformed.length > 0) {
    for (const { line, reason } of malformed)
      problems.document(`not well-formed XML at line ${line}: ${reason}`);
    return undefined;
  }

  let parsed = await parseStrict(text);
  if (parsed instanceof Error) {
    // A broken document: moddle's lax mode lists every problem, but locates
    // each by rescanning the lines before it, so it only runs where that is
    // cheap; a longer document reports its first problem.
    if (UNPARSABLE.test(parsed.message) && lineCount(text) > LAX_REPARSE_MAX_LINES) {
      reportWarning({ message: parsed.message }, problems, new XmlLocator(text), new Map());
      problems.document(
        `further problems are not listed for documents over ${LAX_REPARSE_MAX_LINES} lines`,
      );
      return undefined;
    }
    parsed = await parseLax(text);
  }
  if (parsed instanceof Error) {
    const unclosed = unclosedRoot(text);
    if (unclosed !== null) {
      problems.document(
        `not well-formed XML at line ${lineCount(text)}: the document ends before its root element <${unclosed}> is closed (is the file truncated?)`,
      );
      return undefined;
    }
    problems.document(
      `not a BPMN 2.0 document: expected a <definitions> root element in namespace ${BPMN_NS} (${firstLine(parsed)})`,
    );
    return undefined;
  }
  const { rootElement, warnings, elementsById } = parsed;
  if (!isModdleElement(rootElement) || !isInstanceOf(rootElement, 'bpmn:Definitions')) {
    problems.document(
      `not a BPMN 2.0 document: expected a <definitions> root element in namespace ${BPMN_NS}`,
    );
    return undefined;
  }

  const unresolved = new Map<ModdleElement, Set<string>>();
  const notes: ValidationError[] = [];
  const locator = new XmlLocator(text);
  for (const warning of warnings) {
    if (resolveQualifiedReference(warning, elementsById)) continue;
    if (isHarmlessUnresolvedReference(warning)) {
      notes.push(unresolvedNote(warning));
      continue;
    }
    reportWarning(warning, problems, locator, unresolved);
  }
  return { definitions: rootElement, unresolved, warnings: notes };
}

/**
 * A reference written as a qualified name (`messageRef="tns:Message_1"`, the
 * prefix bound to the target namespace) names the element by its local part,
 * as Camunda 8 resolves QName references. Moddle looks the whole text up as an
 * id and fails; this resolves it when the local part is an id. True when the
 * reference was resolved.
 */
function resolveQualifiedReference(
  warning: ModdleWarning,
  elementsById: Readonly<Record<string, unknown>>,
): boolean {
  if (!warning.message.startsWith('unresolved reference')) return false;
  const element = warning.element;
  const value = warning.value;
  if (!isModdleElement(element) || !warning.property || typeof value !== 'string') return false;
  const colon = value.indexOf(':');
  if (colon <= 0) return false;
  const target = elementsById[value.slice(colon + 1)];
  if (!isModdleElement(target)) return false;
  const current = element[localName(warning.property)];
  if (Array.isArray(current)) {
    current.push(target);
    return true;
  }
  const set = (element as { set?: unknown }).set;
  if (typeof set !== 'function') return false;
  (set as (name: string, value: unknown) => void).call(element, warning.property, target);
  return true;
}

/**
 * References the engine reads when it runs a process; a dangling one inside
 * an executable process is a deploy error. Every other dangling reference is
 * documentation (diagram shapes and edges, message flows, data associations,
 * item definitions, non-executable processes) and only worth a warning.
 */
const EXECUTED_REFERENCES: ReadonlySet<string> = new Set([
  'attachedToRef',
  'default',
  'messageRef',
  'signalRef',
  'errorRef',
  'escalationRef',
  'eventDefinitionRef',
]);

function isHarmlessUnresolvedReference(warning: ModdleWarning): boolean {
  if (!warning.message.startsWith('unresolved reference')) return false;
  const element = isModdleElement(warning.element) ? warning.element : undefined;
  if (!element || !warning.property) return false;
  if (!inExecutableProcess(element)) return true;
  const property = localName(warning.property);
  if (property === 'sourceRef' || property === 'targetRef') {
    return element.$type !== 'bpmn:SequenceFlow';
  }
  return !EXECUTED_REFERENCES.has(property);
}

function inExecutableProcess(el: ModdleElement): boolean {
  for (let cur: ModdleElement | undefined = el; cur; cur = cur.$parent) {
    if (cur.$type === 'bpmn:Process') return bool(cur, 'isExecutable') === true;
  }
  return false;
}

function unresolvedNote(warning: ModdleWarning): ValidationError {
  const element = warning.element as ModdleElement;
  const owner = nearestWithId(element);
  const property = localName(warning.property ?? '?');
  const what = isInstanceOf(element, 'di:DiagramElement')
    ? 'the diagram element is not drawn'
    : 'the reference is ignored';
  const where = owner === element || !owner ? '' : ` (in its ${tagOf(element)})`;
  return {
    elementId: idOf(owner) ?? null,
    elementType: owner && idOf(owner) ? tagOf(owner) : null,
    message: `${property} refers to '${String(warning.value)}', but no element has that id${where}; ${what}`,
  };
}

const ZEEBE_NS = 'http://camunda.org/schema/zeebe/1.0';

/**
 * The body of an embedded form (`zeebe:userTaskForm`) is the form's JSON, as
 * text. Hand-edited files sometimes carry markup in it (`<br />` in a text
 * component) that an XML parser reads as child elements; Camunda 8 deploys
 * these. The markup of such a body is escaped so it stays part of the text.
 * Line breaks are kept, so every later line still locates errors correctly.
 */
function embeddedFormsAsText(text: string): string {
  if (!text.includes('userTaskForm')) return text;
  const prefixes = new Set<string>();
  const declaration = /\bxmlns:([A-Za-z_][\w.-]*)\s*=\s*(["'])(.*?)\2/g;
  for (let m = declaration.exec(text); m !== null; m = declaration.exec(text)) {
    if (m[3] === ZEEBE_NS) prefixes.add(m[1]);
  }
  let result = text;
  for (const prefix of prefixes) {
    const p = prefix.replace(/\./g, '\\.');
    const form = new RegExp(
      `(<${p}:userTaskForm\\b(?:[^>"']|"[^"]*"|'[^']*')*(?<!/)>)([\\s\\S]*?)(</${p}:userTaskForm\\s*>)`,
      'g',
    );
    result = result.replace(form, (whole: string, open: string, body: string, close: string) =>
      body.includes('<') ? open + escapeMarkup(body) + close : whole,
    );
  }
  return result;
}

/** Escapes the `<` of tags in `body`, leaving CDATA sections and comments alone. */
function escapeMarkup(body: string): string {
  return body
    .split(/(<!\[CDATA\[[\s\S]*?\]\]>|<!--[\s\S]*?-->)/)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(/</g, '&lt;').replace(/>/g, '&gt;')))
    .join('');
}

const LAX_REPARSE_MAX_LINES = 3000;

/** The root element's name when the text does not end with its closing tag (a truncated file), else null. */
function unclosedRoot(text: string): string | null {
  const blanked = text.replace(/<\?[\s\S]*?\?>|<!--[\s\S]*?-->/g, (m) => ' '.repeat(m.length));
  const root = /<([A-Za-z_][\w.:-]*)[\s/>]/.exec(blanked);
  if (root === null) return null;
  const openEnd = blanked.indexOf('>', root.index);
  if (openEnd > 0 && blanked[openEnd - 1] === '/') return null;
  const tail = blanked.trimEnd();
  return tail.endsWith(`</${root[1]}>`) ? null : root[1];
}

async function parseStrict(text: string): Promise<ModdleParseResult | Error> {
  try {
    return await getModdle().fromXML(text, 'bpmn:Definitions', { lax: false });
  } catch (e) {
    return e instanceof Error ? e : new Error(String(e));
  }
}

async function parseLax(text: string): Promise<ModdleParseResult | Error> {
  try {
    return await getModdle().fromXML(text, 'bpmn:Definitions', { lax: true });
  } catch (e) {
    return e instanceof Error ? e : new Error(String(e));
  }
}

function lineCount(text: string): number {
  let count = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) count++;
  return count;
}

const UNPARSABLE =
  /^unparsable content ([\s\S]*?)\s*detected\n\tline: (\d+)\n\tcolumn: (\d+)\n\tnested error: ([\s\S]*)$/;

function reportWarning(
  warning: ModdleWarning,
  problems: Problems,
  locator: XmlLocator,
  unresolved: Map<ModdleElement, Set<string>>,
): void {
  const element = isModdleElement(warning.element) ? warning.element : undefined;
  const property = warning.property ? localName(warning.property) : undefined;

  if (warning.message.startsWith('unresolved reference') && element && property) {
    const set = unresolved.get(element) ?? new Set<string>();
    set.add(property);
    unresolved.set(element, set);
    const where = element === nearestWithId(element) ? '' : ` (in its ${tagOf(element)})`;
    problems.at(
      element,
      `${property} refers to '${String(warning.value)}', but no element has that id${where}`,
    );
    return;
  }
  if (warning.message.startsWith('unknown attribute') && element) {
    problems.at(element, `unknown attribute '${warning.property ?? '?'}' on <${tagOf(element)}>`);
    return;
  }

  const unparsable = UNPARSABLE.exec(warning.message);
  if (!unparsable) {
    problems.document(warning.message);
    return;
  }
  const [, data = '', line, column, nested] = unparsable;
  const tag = data.replace(/^<\/?|\/?>$/g, '').trim();
  const located = locator.locate(Number(line), Number(column));

  const duplicate = /^duplicate ID <(.*)>$/.exec(nested);
  if (duplicate) {
    problems.add({
      elementId: duplicate[1],
      elementType: localName(tag),
      message: `duplicate id '${duplicate[1]}'`,
    });
    return;
  }
  const illegal = /^illegal ID <(.*)>$/.exec(nested);
  let message: string;
  if (illegal) {
    message = `'${illegal[1]}' is not a valid id (ids must be XML names)`;
  } else if (/^unknown type </.test(nested)) {
    message = `unknown element <${tag}>`;
  } else if (/^unrecognized element </.test(nested)) {
    message = `element <${tag}> is not allowed here`;
  } else {
    problems.document(
      `not well-formed XML at line ${Number(line) + 1}, column ${Number(column) + 1}: ${nested}`,
    );
    return;
  }
  if (located?.id) {
    problems.add({ elementId: located.id, elementType: located.tag, message });
  } else {
    problems.document(`${message} at line ${Number(line) + 1}`);
  }
}

function localName(name: string): string {
  const i = name.indexOf(':');
  return i >= 0 ? name.slice(i + 1) : name;
}

function firstLine(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return message.split('\n')[0];
}

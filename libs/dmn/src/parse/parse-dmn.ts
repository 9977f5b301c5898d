import { DmnModdle, type DmnModdleInstance, type ModdleParseResult } from 'dmn-moddle';
import {
  DI_NAMESPACES,
  DMN13_DI_NS,
  DMN13_MODEL_NS,
  DMN_PACKAGE,
  MODEL_NAMESPACES,
} from './dmn-schema';
import { is, isEl, type El } from './moddle-tree';
import { checkXml, type XmlLimits } from './xml-guard';

export type DmnVersion = '1.1' | '1.2' | '1.3' | '1.4' | '1.5';

export type ParseOutcome =
  | { readonly ok: true; readonly definitions: El; readonly version: DmnVersion }
  | { readonly ok: false; readonly message: string };

// Building the registry costs more than parsing a small model and it is
// read-only afterwards: one instance serves every parse.
let moddle: DmnModdleInstance | undefined;
function getModdle(): DmnModdleInstance {
  moddle ??= DmnModdle({ dmn: DMN_PACKAGE });
  return moddle;
}

const XMLNS = /(\sxmlns(?::[A-Za-z_][\w.-]*)?\s*=\s*)(["'])([^"']*)\2/g;

/**
 * Parses DMN 1.1 to 1.5 into moddle's element tree. Every version is read
 * with the 1.3 schema (plus the 1.4/1.5 additions): the versions differ in
 * their namespace, and in few elements, so the namespace declarations are
 * mapped to 1.3's before parsing.
 */
export async function parseDmn(xml: string, limits: XmlLimits): Promise<ParseOutcome> {
  const text = xml.charCodeAt(0) === 0xfeff ? xml.slice(1) : xml;
  if (text.trim().length === 0) return { ok: false, message: 'the document is empty' };
  if (!text.trimStart().startsWith('<')) return { ok: false, message: 'the document is not XML' };
  const refused = checkXml(text, limits);
  if (refused !== undefined) return { ok: false, message: refused };

  let version: DmnVersion | undefined;
  const normalized = text.replace(XMLNS, (whole, prefix: string, quote: string, uri: string) => {
    const modelVersion = MODEL_NAMESPACES.get(uri);
    if (modelVersion !== undefined) {
      version ??= modelVersion as DmnVersion;
      return `${prefix}${quote}${DMN13_MODEL_NS}${quote}`;
    }
    if (DI_NAMESPACES.has(uri)) return `${prefix}${quote}${DMN13_DI_NS}${quote}`;
    return whole;
  });
  if (version === undefined) {
    return {
      ok: false,
      message: `not a DMN document: no DMN 1.1 to 1.5 namespace is declared (expected ${DMN13_MODEL_NS} or another DMN version's)`,
    };
  }

  let parsed: ModdleParseResult;
  try {
    parsed = await getModdle().fromXML(normalized, 'dmn:Definitions', { lax: true });
  } catch (e) {
    return { ok: false, message: `not a DMN document: ${firstLine(e)}` };
  }
  const root = parsed.rootElement;
  if (!isEl(root) || !is(root, 'Definitions')) {
    return { ok: false, message: 'not a DMN document: expected a <definitions> root element' };
  }
  return { ok: true, definitions: root, version };
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0];
}

/**
 * moddle elements, read defensively: the parser is lax, so any property may
 * be missing or of an unexpected shape in a hostile or hand-written file.
 */
export interface El {
  readonly $type: string;
  readonly $parent?: El;
  readonly [property: string]: unknown;
}

export function isEl(value: unknown): value is El {
  return typeof value === 'object' && value !== null && typeof (value as El).$type === 'string';
}

/** Tags whose element type (literal expression, unary tests) is not their name. */
const NAMED_BY_PROPERTY: ReadonlySet<string> = new Set([
  'inputEntry',
  'outputEntry',
  'inputExpression',
  'defaultOutputEntry',
  'inputValues',
  'outputValues',
  'allowedValues',
  'typeConstraint',
]);

/** `dmn:DecisionTable` -> `decisionTable`: the tag name the XML uses (`inputEntry`, not `unaryTests`). */
export function tagOf(el: El): string {
  const parent = el.$parent;
  if (
    parent !== undefined &&
    (el.$type === 'dmn:LiteralExpression' || el.$type === 'dmn:UnaryTests')
  ) {
    for (const property of NAMED_BY_PROPERTY) {
      const value = parent[property];
      if (value === el || (Array.isArray(value) && value.includes(el))) return property;
    }
  }
  const renamed = TAGS.get(el.$type);
  if (renamed !== undefined) return renamed;
  const local = el.$type.slice(el.$type.indexOf(':') + 1);
  return local.charAt(0).toLowerCase() + local.slice(1);
}

/** Types whose XML tag is not their type name. */
const TAGS: ReadonlyMap<string, string> = new Map([
  ['dmn:DecisionRule', 'rule'],
  ['dmn:InputClause', 'input'],
  ['dmn:OutputClause', 'output'],
]);

export function is(el: El, localType: string): boolean {
  return el.$type === `dmn:${localType}`;
}

export function str(el: El | undefined, property: string): string | undefined {
  const value = el?.[property];
  return typeof value === 'string' ? value : undefined;
}

export function child(el: El | undefined, property: string): El | undefined {
  const value = el?.[property];
  return isEl(value) ? value : undefined;
}

export function children(el: El | undefined, property: string): El[] {
  const value = el?.[property];
  return Array.isArray(value) ? value.filter(isEl) : [];
}

export function idOf(el: El | undefined): string | undefined {
  const id = str(el, 'id');
  return id !== undefined && id.length > 0 ? id : undefined;
}

/** The `<text>` of a literal expression or unary tests; `undefined` when absent. */
export function textOf(el: El | undefined): string | undefined {
  return str(el, 'text');
}

/** The element itself or its nearest ancestor with an id. */
export function nearestWithId(el: El | undefined): El | undefined {
  for (let current = el; current; current = current.$parent) {
    if (idOf(current)) return current;
  }
  return undefined;
}

/** `href="#id"` -> `id`; hrefs into other models (imports) keep their namespace part. */
export function hrefTarget(el: El | undefined): string | undefined {
  const href = str(el, 'href');
  if (href === undefined) return undefined;
  const hash = href.indexOf('#');
  return hash === 0 ? href.slice(1) : href;
}

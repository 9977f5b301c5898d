/**
 * The moddle tree is untrusted input: any property may be missing or of an
 * unexpected shape (vendor extensions, hand-written XML). Everything reads it
 * through these accessors instead of trusting generated types.
 */
export interface ModdleElement {
  readonly $type: string;
  readonly $parent?: ModdleElement;
  readonly $attrs?: Readonly<Record<string, string>>;
  readonly id?: unknown;
  readonly [property: string]: unknown;
}

export function isModdleElement(value: unknown): value is ModdleElement {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { $type?: unknown }).$type === 'string'
  );
}

/** `moddle` elements answer `$instanceOf` along their type hierarchy. */
export function isInstanceOf(el: ModdleElement, type: string): boolean {
  const fn = (el as { $instanceOf?: unknown }).$instanceOf;
  return typeof fn === 'function'
    ? Boolean((fn as (t: string) => boolean).call(el, type))
    : el.$type === type;
}

export function str(el: ModdleElement | undefined, property: string): string | undefined {
  const value = el?.[property];
  return typeof value === 'string' ? value : undefined;
}

export function bool(el: ModdleElement | undefined, property: string): boolean | undefined {
  const value = el?.[property];
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  return undefined;
}

export function child(el: ModdleElement | undefined, property: string): ModdleElement | undefined {
  const value = el?.[property];
  return isModdleElement(value) ? value : undefined;
}

export function children(
  el: ModdleElement | undefined,
  property: string,
): readonly ModdleElement[] {
  const value = el?.[property];
  return Array.isArray(value) ? value.filter(isModdleElement) : [];
}

export function idOf(el: ModdleElement | undefined): string | undefined {
  const id = el?.id;
  return typeof id === 'string' && id.length > 0 ? id : undefined;
}

/**
 * `bpmn:ServiceTask` -> `serviceTask`: the XML tag name, used in errors and
 * history. Acronym-led names keep their case (`bpmndi:BPMNShape` -> `BPMNShape`).
 */
export function tagOf(el: ModdleElement): string {
  const local = el.$type.includes(':') ? el.$type.slice(el.$type.indexOf(':') + 1) : el.$type;
  if (/^[A-Z]{2}/.test(local)) return local;
  return local.charAt(0).toLowerCase() + local.slice(1);
}

/**
 * The element a modeler can find for a problem: the element itself or its
 * nearest ancestor that carries an id. Parts drawn as part of their owner
 * (event definitions, loop characteristics, expressions) and `zeebe:`
 * elements (whose `id` attributes are no element ids) defer to the owner.
 */
export function nearestWithId(el: ModdleElement | undefined): ModdleElement | undefined {
  for (let cur = el; cur; cur = cur.$parent) {
    if (idOf(cur) && !isOwnedPart(cur)) return cur;
  }
  return undefined;
}

const OWNED_PARTS = ['bpmn:EventDefinition', 'bpmn:LoopCharacteristics', 'bpmn:Expression'];

function isOwnedPart(el: ModdleElement): boolean {
  if (el.$type.startsWith('zeebe:')) return true;
  return el.$parent !== undefined && OWNED_PARTS.some((type) => isInstanceOf(el, type));
}

/** Text of a `tFormalExpression`-like child (`conditionExpression`, `timeDuration`, ...). */
export function bodyOf(el: ModdleElement | undefined): string | undefined {
  return str(el, 'body');
}

/** The `zeebe:` (or other) extension elements of an element, by moddle type. */
export function extensions(el: ModdleElement | undefined, type: string): readonly ModdleElement[] {
  return children(child(el, 'extensionElements'), 'values').filter((v) => v.$type === type);
}

export function extension(el: ModdleElement | undefined, type: string): ModdleElement | undefined {
  return extensions(el, type)[0];
}

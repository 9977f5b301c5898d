import type { ElementType } from './model.types';

type Category = 'event' | 'activity' | 'gateway';

/** Every executable element type, by the moddle type that produces it. */
const CATEGORY: Record<ElementType, Category> = {
  startEvent: 'event',
  endEvent: 'event',
  intermediateCatchEvent: 'event',
  intermediateThrowEvent: 'event',
  boundaryEvent: 'event',
  task: 'activity',
  serviceTask: 'activity',
  sendTask: 'activity',
  receiveTask: 'activity',
  userTask: 'activity',
  manualTask: 'activity',
  scriptTask: 'activity',
  businessRuleTask: 'activity',
  subProcess: 'activity',
  adHocSubProcess: 'activity',
  callActivity: 'activity',
  exclusiveGateway: 'gateway',
  parallelGateway: 'gateway',
  inclusiveGateway: 'gateway',
  eventBasedGateway: 'gateway',
};

/**
 * Flow nodes that parse as BPMN but that Baton refuses, with the reason a
 * modeler reads. Anything else outside {@link CATEGORY} is refused generically.
 */
const UNSUPPORTED: Readonly<Record<string, string>> = {
  complexGateway: 'complex gateways are not supported',
  transaction: 'transaction subprocesses are not supported',
  implicitThrowEvent: 'implicit throw events are not supported',
};

/** Moddle type (`bpmn:ServiceTask`) -> element type, or undefined when not executable. */
export function elementTypeOf(moddleType: string): ElementType | undefined {
  if (!moddleType.startsWith('bpmn:')) return undefined;
  const local = moddleType.slice(5);
  const tag = local.charAt(0).toLowerCase() + local.slice(1);
  return Object.prototype.hasOwnProperty.call(CATEGORY, tag) ? (tag as ElementType) : undefined;
}

export function unsupportedReason(tag: string): string {
  return UNSUPPORTED[tag] ?? `<${tag}> elements are not supported`;
}

export function isActivity(type: ElementType): boolean {
  return CATEGORY[type] === 'activity';
}

export function isGateway(type: ElementType): boolean {
  return CATEGORY[type] === 'gateway';
}

export function isEvent(type: ElementType): boolean {
  return CATEGORY[type] === 'event';
}

import type { ConditionalDefinition, EventDefinition, EventKind, TimerDefinition, ValueSource } from './model.types';
import {
  bodyOf,
  child,
  children,
  extension,
  idOf,
  str,
  tagOf,
  type ModdleElement,
} from './moddle-element';
import type { ReadContext } from './process-draft';
import { parseTimerValue, TimerValueError } from './timer-values';

/** Where an event sits decides which event definitions it may carry. */
export type EventRole =
  | 'processStart'
  | 'subProcessStart'
  | 'eventSubProcessStart'
  | 'end'
  | 'intermediateCatch'
  | 'intermediateThrow'
  | 'boundary';

const ALLOWED: Record<EventRole, readonly EventKind[]> = {
  processStart: ['none', 'message', 'timer', 'signal', 'conditional'],
  subProcessStart: ['none'],
  eventSubProcessStart: ['message', 'timer', 'signal', 'error', 'escalation', 'conditional'],
  end: ['none', 'terminate', 'error', 'message', 'signal', 'escalation', 'compensation'],
  intermediateCatch: ['message', 'timer', 'signal', 'link', 'conditional'],
  intermediateThrow: ['none', 'message', 'signal', 'escalation', 'link', 'compensation'],
  boundary: ['message', 'timer', 'signal', 'error', 'escalation', 'conditional', 'compensation'],
};

const ROLE_TEXT: Record<EventRole, string> = {
  processStart: 'a start event of a process',
  subProcessStart: 'the start event of an embedded subprocess',
  eventSubProcessStart: 'the start event of an event subprocess',
  end: 'an end event',
  intermediateCatch: 'an intermediate catch event',
  intermediateThrow: 'an intermediate throw event',
  boundary: 'a boundary event',
};

const KIND_BY_TYPE: Readonly<Record<string, EventKind>> = {
  'bpmn:MessageEventDefinition': 'message',
  'bpmn:TimerEventDefinition': 'timer',
  'bpmn:SignalEventDefinition': 'signal',
  'bpmn:ErrorEventDefinition': 'error',
  'bpmn:EscalationEventDefinition': 'escalation',
  'bpmn:TerminateEventDefinition': 'terminate',
  'bpmn:LinkEventDefinition': 'link',
  'bpmn:ConditionalEventDefinition': 'conditional',
  'bpmn:CompensateEventDefinition': 'compensation',
};

const UNSUPPORTED_DEFINITIONS: Readonly<Record<string, string>> = {
  'bpmn:CancelEventDefinition':
    'cancel events are not supported (they belong to transaction subprocesses)',
};

const CATCHING: ReadonlySet<EventRole> = new Set<EventRole>([
  'processStart',
  'eventSubProcessStart',
  'intermediateCatch',
  'boundary',
]);

export interface EventReadOptions {
  /** Boundary events and event-subprocess starts: a time cycle needs a non-interrupting event. */
  readonly interrupting?: boolean;
}

/**
 * Reads the single event definition of an event. Returns undefined (after
 * reporting) when the event cannot be executed as modelled.
 */
export function readEventDefinition(
  ctx: ReadContext,
  el: ModdleElement,
  role: EventRole,
  options: EventReadOptions = {},
): EventDefinition | undefined {
  const definitions = children(el, 'eventDefinitions');
  if (definitions.length === 0 && children(el, 'eventDefinitionRef').length > 0) {
    ctx.problems.at(
      el,
      'event definitions referenced by eventDefinitionRef are not supported; define the event inline',
    );
    return undefined;
  }
  if (definitions.length > 1) {
    ctx.problems.at(
      el,
      'events with more than one event definition (multiple/parallel multiple) are not supported',
    );
    return undefined;
  }
  const definition = definitions[0];
  if (!definition) {
    if (ALLOWED[role].includes('none')) return { kind: 'none' };
    ctx.problems.at(
      el,
      `${ROLE_TEXT[role]} needs an event definition (${ALLOWED[role].join(', ')})`,
    );
    return undefined;
  }

  const unsupported = UNSUPPORTED_DEFINITIONS[definition.$type];
  const kind = KIND_BY_TYPE[definition.$type];
  if (unsupported || !kind) {
    ctx.problems.at(el, unsupported ?? `<${tagOf(definition)}> is not supported`);
    return undefined;
  }
  if (kind === 'compensation' && role === 'eventSubProcessStart') {
    // Camunda 8 refuses compensation event subprocesses, inside a subprocess too.
    ctx.problems.at(
      el,
      'compensation event subprocesses (a compensation start event) are not supported, as in Camunda 8; attach a compensation boundary event to the activity instead',
    );
    return undefined;
  }
  if (!ALLOWED[role].includes(kind)) {
    ctx.problems.at(
      el,
      `a ${kind} event definition is not allowed on ${ROLE_TEXT[role]} (allowed: ${ALLOWED[role].join(', ')})`,
    );
    return undefined;
  }

  const catching = CATCHING.has(role);
  switch (kind) {
    case 'none':
    case 'terminate':
      return { kind };
    case 'message':
      return readMessageDefinition(ctx, el, definition, {
        catching,
        needsCorrelationKey: catching && role !== 'processStart',
      });
    case 'signal':
      return readSignal(ctx, el, definition);
    case 'error':
      return readCode(ctx, el, definition, catching, {
        kind: 'error',
        refProperty: 'errorRef',
        refType: 'bpmn:Error',
        codeProperty: 'errorCode',
      });
    case 'escalation':
      return readCode(ctx, el, definition, catching, {
        kind: 'escalation',
        refProperty: 'escalationRef',
        refType: 'bpmn:Escalation',
        codeProperty: 'escalationCode',
      });
    case 'timer':
      return readTimer(ctx, el, definition, role, options);
    case 'link':
      return readLink(ctx, el, definition);
    case 'compensation':
      return readCompensation(ctx, definition, role);
    case 'conditional':
      return readConditional(ctx, el, definition);
  }
}

const VARIABLE_EVENTS: readonly string[] = ['create', 'update'];

/**
 * `<condition>` (FEEL, `=`-prefixed as every Zeebe expression) and the
 * optional `zeebe:conditionalFilter` (variableNames, variableEvents).
 */
function readConditional(
  ctx: ReadContext,
  el: ModdleElement,
  definition: ModdleElement,
): EventDefinition | undefined {
  const text = bodyOf(child(definition, 'condition'))?.trim() ?? '';
  if (text === '') {
    ctx.problems.at(el, 'the conditional event has no condition (conditionalEventDefinition condition)');
    return undefined;
  }
  const condition = ctx.expressions.expression(text, el, 'condition');
  if (!condition) return undefined;
  const filter = extension(definition, 'zeebe:ConditionalFilter');
  const names = splitList(str(filter, 'variableNames'));
  const events = splitList(str(filter, 'variableEvents'));
  const wrong = events.filter((e) => !VARIABLE_EVENTS.includes(e));
  if (wrong.length > 0) {
    ctx.problems.at(
      el,
      `zeebe:conditionalFilter variableEvents '${wrong.join(', ')}' is not supported (allowed: create, update)`,
    );
    return undefined;
  }
  const conditional: ConditionalDefinition = {
    condition,
    ...(names.length > 0 ? { variableNames: names } : {}),
    ...(events.length > 0 ? { variableEvents: events as ('create' | 'update')[] } : {}),
  };
  return { kind: 'conditional', conditional };
}

function splitList(text: string | undefined): string[] {
  if (text === undefined) return [];
  return [...new Set(text.split(',').map((s) => s.trim()).filter((s) => s !== ''))];
}

export interface MessageReadOptions {
  readonly catching: boolean;
  readonly needsCorrelationKey: boolean;
}

/**
 * Reads `messageRef` of a message event definition or a receive task, the
 * message's name and its `zeebe:subscription correlationKey`.
 */
export function readMessageDefinition(
  ctx: ReadContext,
  el: ModdleElement,
  holder: ModdleElement,
  options: MessageReadOptions,
): EventDefinition | undefined {
  const message = resolveRef(ctx, el, holder, 'messageRef', 'bpmn:Message');
  if (message === 'invalid') return undefined;
  if (!message) {
    if (!options.catching) return { kind: 'message' };
    ctx.problems.at(
      el,
      'no message is referenced (messageRef); a message catch needs a message with a name',
    );
    return undefined;
  }
  const nameText = str(message, 'name');
  if (options.catching && (nameText === undefined || nameText.trim() === '')) {
    ctx.problems.at(el, `message '${idOf(message) ?? '?'}' has no name; a message catch needs one`);
    return undefined;
  }
  const name = ctx.expressions.value(nameText, el, 'message name');
  const subscription = extension(message, 'zeebe:Subscription');
  const keyText = str(subscription, 'correlationKey');
  if (options.needsCorrelationKey && (keyText === undefined || keyText.trim() === '')) {
    ctx.problems.at(
      el,
      `message '${idOf(message) ?? '?'}' has no correlation key (zeebe:subscription correlationKey); Camunda 8 requires one for every message catch except a process's message start event`,
    );
    return undefined;
  }
  if (keyText !== undefined && keyText.trim() !== '' && !keyText.trimStart().startsWith('=')) {
    // Camunda 8 takes a correlation key only as an expression.
    ctx.expressions.expression(keyText, el, `message '${idOf(message) ?? '?'}' correlationKey`);
    return undefined;
  }
  const correlationKey = options.catching
    ? ctx.expressions.value(keyText, el, 'correlationKey')
    : undefined;
  return { kind: 'message', name, correlationKey };
}

function readSignal(
  ctx: ReadContext,
  el: ModdleElement,
  definition: ModdleElement,
): EventDefinition | undefined {
  const signal = resolveRef(ctx, el, definition, 'signalRef', 'bpmn:Signal');
  if (signal === 'invalid') return undefined;
  const nameText = str(signal, 'name');
  if (!signal || nameText === undefined || nameText.trim() === '') {
    ctx.problems.at(
      el,
      signal
        ? `signal '${idOf(signal) ?? '?'}' has no name`
        : 'no signal is referenced (signalRef)',
    );
    return undefined;
  }
  return { kind: 'signal', name: ctx.expressions.value(nameText, el, 'signal name') };
}

interface CodeSpec {
  readonly kind: 'error' | 'escalation';
  readonly refProperty: string;
  readonly refType: string;
  readonly codeProperty: string;
}

function readCode(
  ctx: ReadContext,
  el: ModdleElement,
  definition: ModdleElement,
  catching: boolean,
  spec: CodeSpec,
): EventDefinition | undefined {
  const target = resolveRef(ctx, el, definition, spec.refProperty, spec.refType);
  if (target === 'invalid') return undefined;
  const code = str(target, spec.codeProperty);
  const hasCode = code !== undefined && code.trim() !== '';
  if (!catching && !hasCode) {
    ctx.problems.at(
      el,
      target
        ? `${spec.kind} '${idOf(target) ?? '?'}' has no ${spec.codeProperty}; a thrown ${spec.kind} needs one`
        : `no ${spec.kind} is referenced (${spec.refProperty}); a thrown ${spec.kind} needs a ${spec.codeProperty}`,
    );
    return undefined;
  }
  if (hasCode && code.trimStart().startsWith('=')) {
    ctx.problems.at(
      el,
      `${spec.codeProperty} given as a FEEL expression is not supported; use a literal code`,
    );
    return undefined;
  }
  // A catch without a code catches every error / escalation.
  const value = hasCode ? code : undefined;
  return spec.kind === 'error'
    ? { kind: 'error', errorCode: value }
    : { kind: 'escalation', escalationCode: value };
}

const TIMER_KINDS: ReadonlyArray<readonly [TimerDefinition['kind'], string]> = [
  ['duration', 'timeDuration'],
  ['date', 'timeDate'],
  ['cycle', 'timeCycle'],
];

const TIMERS_BY_ROLE: Partial<Record<EventRole, readonly TimerDefinition['kind'][]>> = {
  processStart: ['date', 'cycle'],
  eventSubProcessStart: ['duration', 'date', 'cycle'],
  intermediateCatch: ['duration', 'date'],
  boundary: ['duration', 'date', 'cycle'],
};

function readTimer(
  ctx: ReadContext,
  el: ModdleElement,
  definition: ModdleElement,
  role: EventRole,
  options: EventReadOptions,
): EventDefinition | undefined {
  const present = TIMER_KINDS.filter(([, property]) => child(definition, property) !== undefined);
  if (present.length !== 1) {
    ctx.problems.at(
      el,
      present.length === 0
        ? 'the timer has no timeDuration, timeDate or timeCycle'
        : 'the timer has more than one of timeDuration, timeDate and timeCycle',
    );
    return undefined;
  }
  const [kind, property] = present[0];
  const allowed = TIMERS_BY_ROLE[role] ?? [];
  if (!allowed.includes(kind)) {
    ctx.problems.at(
      el,
      `a ${property} timer is not allowed on ${ROLE_TEXT[role]} (allowed: ${allowed.map(timerProperty).join(', ')})`,
    );
    return undefined;
  }
  if (kind === 'cycle' && options.interrupting === true) {
    ctx.problems.at(el, 'a timeCycle timer must be non-interrupting (it fires repeatedly)');
    return undefined;
  }
  const text = bodyOf(child(definition, property))?.trim() ?? '';
  if (text === '') {
    ctx.problems.at(el, `${property} is empty`);
    return undefined;
  }
  const value: ValueSource | undefined = ctx.expressions.value(text, el, property);
  if (!value) return undefined;
  if (value.kind === 'literal') {
    try {
      parseTimerValue(kind, value.value);
    } catch (e) {
      if (!(e instanceof TimerValueError)) throw e;
      ctx.problems.at(el, `${property}: ${e.message}`);
      return undefined;
    }
  }
  return { kind: 'timer', timer: { kind, value } };
}

function timerProperty(kind: TimerDefinition['kind']): string {
  return TIMER_KINDS.find(([k]) => k === kind)?.[1] ?? kind;
}

/**
 * `activityRef` names the activity a throw compensates (checked against the
 * scope in rules/compensation.rules.ts). Camunda 8 always waits for the
 * handlers, whatever `waitForCompletion` says.
 */
function readCompensation(
  ctx: ReadContext,
  definition: ModdleElement,
  role: EventRole,
): EventDefinition | undefined {
  if (role === 'boundary' || ctx.isUnresolved(definition, 'activityRef')) return { kind: 'compensation' };
  const activityRef = idOf(child(definition, 'activityRef'));
  return activityRef === undefined ? { kind: 'compensation' } : { kind: 'compensation', activityRef };
}

function readLink(
  ctx: ReadContext,
  el: ModdleElement,
  definition: ModdleElement,
): EventDefinition | undefined {
  const name = str(definition, 'name')?.trim();
  if (!name) {
    ctx.problems.at(el, 'the link event has no name (linkEventDefinition name)');
    return undefined;
  }
  return { kind: 'link', linkName: name };
}

/**
 * Resolves a reference property. Undefined when absent; 'invalid' when it is
 * unresolved (moddle reported it) or names an element of the wrong type.
 */
function resolveRef(
  ctx: ReadContext,
  el: ModdleElement,
  holder: ModdleElement,
  property: string,
  type: string,
): ModdleElement | undefined | 'invalid' {
  if (ctx.isUnresolved(holder, property)) return 'invalid';
  const target = child(holder, property);
  if (!target) return undefined;
  if (target.$type !== type) {
    ctx.problems.at(
      el,
      `${property} '${idOf(target) ?? '?'}' is a ${tagOf(target)}, not a ${tagOf({ $type: type })}`,
    );
    return 'invalid';
  }
  return target;
}

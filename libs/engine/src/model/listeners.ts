import { literal } from './expressions';
import { children, extension, str, type ModdleElement } from './moddle-element';
import type {
  ElementType,
  EventKind,
  ExecutionListeners,
  ListenerDefinition,
  TaskListeners,
} from './model.types';
import type { ProcessDraft, ReadContext } from './process-draft';

const DEFAULT_RETRIES = '3';

/** What a listener is read for: the element's type and event kind decide which events Camunda 8 allows. */
export interface ListenerHost {
  readonly type: ElementType | 'process';
  readonly eventKind?: EventKind;
}

/**
 * `zeebe:executionListeners` of a process or flow node, with Camunda 8's
 * deploy rules (its ExecutionListenersValidator and the per-element
 * validators): every listener names a job type; a start listener is refused
 * on start and boundary events, an end listener on gateways, error end events
 * and escalation intermediate throw events; an event type and job type given
 * twice are refused. Returns undefined when the element has none.
 */
export function readExecutionListeners(
  ctx: ReadContext,
  el: ModdleElement,
  host: ListenerHost,
): ExecutionListeners | undefined {
  const block = extension(el, 'zeebe:ExecutionListeners');
  const listeners = children(block, 'listeners');
  if (listeners.length === 0) return undefined;
  const start: ListenerDefinition[] = [];
  const end: ListenerDefinition[] = [];
  const seen = new Map<string, number>();
  for (const listener of listeners) {
    const eventType = str(listener, 'eventType') ?? 'start';
    if (eventType !== 'start' && eventType !== 'end') {
      ctx.problems.at(
        el,
        `zeebe:executionListener eventType '${eventType}' is not one of start, end`,
      );
      continue;
    }
    const refusal = refusedEvent(host, eventType);
    if (refusal !== undefined) {
      ctx.problems.at(el, refusal);
      continue;
    }
    const typeText = str(listener, 'type');
    if (typeText === undefined || typeText.trim() === '') {
      ctx.problems.at(el, `a zeebe:executionListener (eventType '${eventType}') has no job type`);
      continue;
    }
    const duplicateKey = `${eventType}|${typeText}`;
    seen.set(duplicateKey, (seen.get(duplicateKey) ?? 0) + 1);
    const type = ctx.expressions.value(typeText, el, `zeebe:executionListener type`);
    const retriesText = str(listener, 'retries');
    const retries =
      retriesText === undefined || retriesText.trim() === ''
        ? literal(DEFAULT_RETRIES)
        : ctx.expressions.value(retriesText, el, `zeebe:executionListener retries`);
    if (!type || !retries) continue;
    (eventType === 'start' ? start : end).push({ type, retries });
  }
  for (const [key, count] of seen) {
    if (count < 2) continue;
    const [eventType, type] = key.split('|');
    ctx.problems.at(
      el,
      `execution listeners: found ${count} with eventType '${eventType}' and type '${type}'; each combination must be unique`,
    );
  }
  if (start.length === 0 && end.length === 0) return undefined;
  return Object.freeze({ start: Object.freeze(start), end: Object.freeze(end) });
}

/** Camunda 8's refusal of a listener event on this element, or undefined when it is allowed. */
function refusedEvent(host: ListenerHost, eventType: 'start' | 'end'): string | undefined {
  const { type, eventKind } = host;
  if (eventType === 'start') {
    if (type === 'startEvent')
      return "execution listeners of type 'start' are not supported by start events";
    if (type === 'boundaryEvent')
      return "execution listeners of type 'start' are not supported by boundary events";
    return undefined;
  }
  if (
    type === 'exclusiveGateway' ||
    type === 'inclusiveGateway' ||
    type === 'parallelGateway' ||
    type === 'eventBasedGateway'
  ) {
    return "execution listeners of type 'end' are not supported by gateways; use a start listener of the element that follows";
  }
  if (type === 'endEvent' && eventKind === 'error') {
    return "execution listeners of type 'end' are not supported by error end events";
  }
  if (type === 'intermediateThrowEvent' && eventKind === 'escalation') {
    return "execution listeners of type 'end' are not supported by escalation intermediate throw events";
  }
  return undefined;
}

/**
 * Start listeners Baton does not run, refused rather than ignored: on an
 * event subprocess (entered at once by its trigger) and on the events and
 * receive tasks after an event-based gateway (entered already triggered).
 */
export function checkListenerPlacement(ctx: ReadContext, draft: ProcessDraft): void {
  for (const node of draft.nodes.values()) {
    if ((node.executionListeners?.start.length ?? 0) === 0) continue;
    if (node.type === 'subProcess' && node.triggeredByEvent === true) {
      ctx.problems.at(
        node.el,
        "execution listeners of type 'start' on an event subprocess are not supported by Baton",
      );
      continue;
    }
    for (const flowId of node.incoming) {
      const source = draft.nodes.get(draft.flows.get(flowId)?.sourceId ?? '');
      if (source?.type === 'eventBasedGateway') {
        ctx.problems.at(
          node.el,
          "execution listeners of type 'start' on an event after an event-based gateway are not supported by Baton; use a start listener of the gateway",
        );
        break;
      }
    }
  }
}

/** Camunda 8's task listener event types, with the names of 8.6 and 8.7 they replaced. */
const TASK_LISTENER_EVENTS: Readonly<Record<string, string>> = {
  creating: 'creating',
  create: 'creating',
  assigning: 'assigning',
  assignment: 'assigning',
  updating: 'updating',
  update: 'updating',
  completing: 'completing',
  complete: 'completing',
  canceling: 'canceling',
  cancel: 'canceling',
};

type TaskEvent = 'creating' | 'assigning' | 'updating' | 'completing' | 'canceling';

/**
 * `zeebe:taskListeners` of a user task. Camunda 8 runs them on Camunda user
 * tasks (`zeebe:userTask`) only, for the events `creating`, `assigning`,
 * `updating`, `completing` and `canceling` (or their 8.6 names). Returns
 * undefined when there are none.
 */
export function readTaskListeners(ctx: ReadContext, el: ModdleElement): TaskListeners | undefined {
  const listeners = children(extension(el, 'zeebe:TaskListeners'), 'listeners');
  if (listeners.length === 0) return undefined;
  if (extension(el, 'zeebe:UserTask') === undefined) {
    ctx.problems.at(
      el,
      'task listeners need a Camunda user task (zeebe:userTask); a job-worker user task cannot have them',
    );
    return undefined;
  }
  const byEvent: Record<TaskEvent, ListenerDefinition[]> = {
    creating: [],
    assigning: [],
    updating: [],
    completing: [],
    canceling: [],
  };
  for (const listener of listeners) {
    const written = str(listener, 'eventType');
    const eventType = written === undefined ? undefined : TASK_LISTENER_EVENTS[written];
    if (eventType === undefined) {
      ctx.problems.at(
        el,
        `zeebe:taskListener eventType '${written ?? ''}' is not one of creating, assigning, updating, completing, canceling`,
      );
      continue;
    }
    const typeText = str(listener, 'type');
    if (typeText === undefined || typeText.trim() === '') {
      ctx.problems.at(el, `a zeebe:taskListener (eventType '${eventType}') has no job type`);
      continue;
    }
    const type = ctx.expressions.value(typeText, el, 'zeebe:taskListener type');
    const retriesText = str(listener, 'retries');
    const retries =
      retriesText === undefined || retriesText.trim() === ''
        ? literal(DEFAULT_RETRIES)
        : ctx.expressions.value(retriesText, el, 'zeebe:taskListener retries');
    if (type && retries) byEvent[eventType as TaskEvent].push({ type, retries });
  }
  const { creating, assigning, updating, completing, canceling } = byEvent;
  if (
    creating.length + assigning.length + updating.length + completing.length + canceling.length ===
    0
  )
    return undefined;
  return Object.freeze({
    creating: Object.freeze(creating),
    ...(assigning.length > 0 ? { assigning: Object.freeze(assigning) } : {}),
    ...(updating.length > 0 ? { updating: Object.freeze(updating) } : {}),
    ...(completing.length > 0 ? { completing: Object.freeze(completing) } : {}),
    ...(canceling.length > 0 ? { canceling: Object.freeze(canceling) } : {}),
  });
}

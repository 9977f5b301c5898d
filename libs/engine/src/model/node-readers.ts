import { readAdHocSubProcess } from './ad-hoc';
import { readEventDefinition, readMessageDefinition, type EventRole } from './event-definitions';
import type { ElementType } from './model.types';
import { bool, children, extension, extensions, str } from './moddle-element';
import type { NodeDraft, ReadContext, ScopeDraft } from './process-draft';
import { readCalledDecision, readCalledElement, readJob, readScript, readUserTask } from './zeebe-extensions';

export interface NodeReadContext extends ReadContext {
  /** The scope the node sits in. */
  readonly scope: ScopeDraft;
}

/** Reads what is specific to one element type into the node draft. */
type NodeReader = (ctx: NodeReadContext, node: NodeDraft) => void;

const nothing: NodeReader = () => undefined;

const jobTask: NodeReader = (ctx, node) => {
  node.job = readJob(ctx, node.el, true);
};

/**
 * Message throw and end events are jobs in Camunda 8 when they carry a task
 * definition; without one there is nobody to send the message, and they
 * behave as none events.
 */
function throwEvent(role: EventRole): NodeReader {
  return (ctx, node) => {
    const event = readEventDefinition(ctx, node.el, role);
    if (event?.kind !== 'message') {
      node.event = event;
      return;
    }
    node.job = readJob(ctx, node.el, false);
    if (node.job) {
      node.event = event;
      return;
    }
    node.event = { kind: 'none' };
    ctx.warnings.push({
      elementId: node.id,
      elementType: node.type,
      message: 'a message throw without a job type (zeebe:taskDefinition) behaves as a none event',
    });
  };
}

const startEvent: NodeReader = (ctx, node) => {
  const { scope } = ctx;
  const publicAccess = extensions(node.el, 'zeebe:Properties')
    .flatMap((block) => children(block, 'properties'))
    .some((p) => str(p, 'name') === 'publicAccess' && str(p, 'value')?.trim().toLowerCase() === 'true');
  if (publicAccess) {
    ctx.problems.at(node.el, 'start event forms with public access (publicAccess) are not supported');
  }
  if (scope.eventSubProcess) {
    node.interrupting = bool(node.el, 'isInterrupting') ?? true;
    node.event = readEventDefinition(ctx, node.el, 'eventSubProcessStart', {
      interrupting: node.interrupting,
    });
    return;
  }
  node.event = readEventDefinition(
    ctx,
    node.el,
    scope.type === 'process' ? 'processStart' : 'subProcessStart',
  );
};

const boundaryEvent: NodeReader = (ctx, node) => {
  node.interrupting = bool(node.el, 'cancelActivity') ?? true;
  const event = readEventDefinition(ctx, node.el, 'boundary', { interrupting: node.interrupting });
  if (event?.kind === 'error' && !node.interrupting) {
    ctx.problems.at(
      node.el,
      'error boundary events are always interrupting (cancelActivity must not be false)',
    );
    return;
  }
  node.event = event;
};

const receiveTask: NodeReader = (ctx, node) => {
  if (bool(node.el, 'instantiate') === true) {
    ctx.problems.at(
      node.el,
      'receive tasks that instantiate the process are not supported; use a message start event',
    );
  }
  // The executor treats a receive task like a message catch: its subscription lives in `event`.
  node.event = readMessageDefinition(ctx, node.el, node.el, {
    catching: true,
    needsCorrelationKey: true,
  });
};

const businessRuleTask: NodeReader = (ctx, node) => {
  if (extension(node.el, 'zeebe:CalledDecision')) {
    if (extension(node.el, 'zeebe:TaskDefinition')) {
      ctx.problems.at(
        node.el,
        'a business rule task either calls a decision (zeebe:calledDecision) or is a job (zeebe:taskDefinition), not both',
      );
      return;
    }
    node.calledDecision = readCalledDecision(ctx, node.el);
    return;
  }
  jobTask(ctx, node);
};

const eventBasedGateway: NodeReader = (ctx, node) => {
  if (bool(node.el, 'instantiate') === true) {
    ctx.problems.at(node.el, 'event-based gateways that instantiate the process are not supported');
  }
  if (node.el.eventGatewayType === 'Parallel') {
    ctx.problems.at(node.el, 'parallel event-based gateways are not supported');
  }
};

const subProcess: NodeReader = (ctx, node) => {
  if (node.triggeredByEvent && node.el.loopCharacteristics !== undefined) {
    ctx.problems.at(node.el, 'an event subprocess cannot be multi-instance');
  }
};

/** One reader per executable element type; the compiler flags a missing type. */
export const NODE_READERS: Record<ElementType, NodeReader> = {
  startEvent,
  endEvent: throwEvent('end'),
  intermediateCatchEvent: (ctx, node) => {
    node.event = readEventDefinition(ctx, node.el, 'intermediateCatch');
  },
  intermediateThrowEvent: throwEvent('intermediateThrow'),
  boundaryEvent,
  task: nothing,
  manualTask: nothing,
  serviceTask: jobTask,
  sendTask: jobTask,
  businessRuleTask,
  receiveTask,
  userTask: (ctx, node) => {
    node.userTask = readUserTask(ctx, node.el);
  },
  scriptTask: (ctx, node) => {
    node.script = readScript(ctx, node.el);
  },
  exclusiveGateway: nothing,
  parallelGateway: nothing,
  inclusiveGateway: nothing,
  eventBasedGateway,
  subProcess,
  adHocSubProcess: readAdHocSubProcess,
  callActivity: (ctx, node) => {
    node.calledElement = readCalledElement(ctx, node.el);
  },
};

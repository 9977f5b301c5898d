import type { FlowNode } from '../../model/model.types';
import type { ElementInstance } from '../runtime.types';
import type { ActivateOutcome, BehaviorContext, ElementBehavior } from './behavior';
import { throwCompensation } from './compensation.behavior';
import { createJob } from './tasks.behavior';

/** Start events pass: the trigger (none, message, timer, signal) already happened. */
export const startEvent: ElementBehavior = {
  activate: () => 'complete',
};

/** Boundary events are activated only once triggered; they pass on at once. */
export const boundaryEvent: ElementBehavior = {
  activate: () => 'complete',
};

/** Intermediate catch: timer, message, signal or conditional subscription; a link catch passes. */
export const intermediateCatchEvent: ElementBehavior = {
  activate(x, inst, node) {
    const kind = node.event?.kind;
    if (kind === 'timer' || kind === 'message' || kind === 'signal' || kind === 'conditional') {
      x.openSubscription(inst, node);
      return 'wait';
    }
    return 'complete';
  },
  trigger(x, inst, node, event, variables) {
    if (event.id !== node.id) return;
    x.closeSubscription(inst, node);
    x.acceptVariables(inst, node, variables);
    x.schedule(inst, 'complete');
  },
  terminate(x, inst, node) {
    x.closeSubscription(inst, node);
  },
};

/** Throw behaviour shared by intermediate throw and end events; `undefined` means "not a throw of mine". */
function throwEvent(x: BehaviorContext, inst: ElementInstance, node: FlowNode): ActivateOutcome | undefined {
  const definition = node.event;
  switch (definition?.kind) {
    case 'signal': {
      const name = x.evaluateString(definition.name as NonNullable<typeof definition.name>, inst.id, `the signal name of '${node.id}'`);
      // The signal carries the variables of the event's input mappings (Camunda 8).
      x.emit({ type: 'throwSignal', key: inst.id, signalName: name, variables: { ...inst.variables } });
      return 'complete';
    }
    case 'escalation':
      return x.throwEscalation(inst, definition.escalationCode) ? 'complete' : 'done';
    case 'compensation':
      return throwCompensation(x, inst, node);
    case 'message':
      if (node.job !== undefined) {
        createJob(x, inst, node);
        return 'wait';
      }
      return 'complete';
    default:
      return undefined;
  }
}

export const intermediateThrowEvent: ElementBehavior = {
  accepts: 'job',
  activate(x, inst, node) {
    if (node.event?.kind === 'link') {
      const scope = (x.element(inst.parentId as string) as ElementInstance);
      const definition = x.scopeOf(scope);
      const catchId = definition?.linkCatchByName[node.event.linkName ?? ''];
      if (catchId !== undefined) x.activateNode(x.nodeById(catchId), scope.id);
      return 'complete';
    }
    return throwEvent(x, inst, node) ?? 'complete';
  },
  terminate: cancelJobIfAny,
};

export const endEvent: ElementBehavior = {
  accepts: 'job',
  activate(x, inst, node) {
    const kind = node.event?.kind;
    if (kind === 'terminate') {
      // Terminate end event: ends everything else in its own scope; the scope then completes.
      const scopeId = inst.parentId as string;
      for (const siblingId of x.childIds(scopeId)) {
        if (siblingId !== inst.id) x.terminate((x.element(siblingId) as ElementInstance));
      }
      return 'complete';
    }
    if (kind === 'error') {
      x.throwError(inst, node.event?.errorCode ?? '', undefined);
      return 'done';
    }
    return throwEvent(x, inst, node) ?? 'complete';
  },
  terminate: cancelJobIfAny,
};

function cancelJobIfAny(x: BehaviorContext, inst: ElementInstance, node: FlowNode): void {
  if (node.job !== undefined) x.emit({ type: 'cancelJob', key: inst.id, elementInstanceId: inst.id });
}

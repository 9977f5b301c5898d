import { describe } from '../problems';
import type { ProcessRule } from './process-rule';

/**
 * Every non-default flow leaving a branching exclusive or inclusive gateway
 * needs a condition; an unconditional one would always be taken (inclusive)
 * or make the choice depend on flow order (exclusive).
 */
export const gatewayConditions: ProcessRule = (ctx, process) => {
  for (const node of process.nodes.values()) {
    if (node.type !== 'exclusiveGateway' && node.type !== 'inclusiveGateway') continue;
    if (node.outgoing.length < 2) continue;
    for (const flow of node.outgoing) {
      if (flow.condition || flow.id === node.defaultFlowId) continue;
      // A condition that failed to compile was reported already.
      if (flow.el.conditionExpression !== undefined) continue;
      ctx.problems.at(
        flow.el,
        `the sequence flow leaves ${describe(node.el)}, which has ${node.outgoing.length} outgoing flows, but has no condition and is not the gateway's default flow`,
      );
    }
  }
};

/**
 * An event-based gateway waits for the first of the events after it, so every
 * flow must lead to something that waits for an event.
 */
export const eventBasedGatewayTargets: ProcessRule = (ctx, process) => {
  for (const node of process.nodes.values()) {
    if (node.type !== 'eventBasedGateway') continue;
    if (node.outgoing.length < 2) {
      ctx.problems.at(node.el, 'an event-based gateway needs at least two outgoing sequence flows');
    }
    for (const flow of node.outgoing) {
      const target = process.nodes.get(flow.targetId);
      if (!target) continue;
      const kind = target.event?.kind;
      const waits =
        target.type === 'receiveTask' ||
        (target.type === 'intermediateCatchEvent' &&
          (kind === 'message' || kind === 'timer' || kind === 'signal'));
      // An event whose definition failed to read was reported already.
      if (!waits && !(target.type === 'intermediateCatchEvent' && kind === undefined)) {
        ctx.problems.at(
          node.el,
          `an event-based gateway must be followed by message, timer or signal intermediate catch events or receive tasks; ${describe(target.el)} is not one`,
        );
      }
      if (waits && target.incoming.length > 1) {
        ctx.problems.at(
          target.el,
          'an event that follows an event-based gateway cannot have other incoming sequence flows',
        );
      }
    }
  }
};

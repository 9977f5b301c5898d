import { isActivity } from '../element-kinds';
import { describe } from '../problems';
import type { ProcessRule } from './process-rule';

/**
 * Conditions are evaluated only where a token chooses between flows: leaving
 * exclusive and inclusive gateways, and activities (BPMN conditional flows).
 * Anywhere else a condition would be silently ignored.
 */
export const conditionsWhereEvaluated: ProcessRule = (ctx, process) => {
  for (const flow of process.flows.values()) {
    if (!flow.condition) continue;
    const source = process.nodes.get(flow.sourceId);
    if (!source) continue;
    const evaluated =
      source.type === 'exclusiveGateway' ||
      source.type === 'inclusiveGateway' ||
      isActivity(source.type);
    if (!evaluated) {
      ctx.problems.at(
        flow.el,
        `a condition on a flow leaving a ${source.type} is never evaluated; only flows leaving exclusive or inclusive gateways and activities can have conditions`,
      );
    }
  }
};

/** The `default` flow of a gateway or activity must be one of its outgoing flows, without a condition. */
export const defaultFlows: ProcessRule = (ctx, process) => {
  for (const node of process.nodes.values()) {
    if (node.defaultFlowId === undefined) continue;
    const flow = node.outgoing.find((f) => f.id === node.defaultFlowId);
    if (!flow) {
      ctx.problems.at(
        node.el,
        `the default flow '${node.defaultFlowId}' is not an outgoing sequence flow of this element`,
      );
      continue;
    }
    if (flow.condition) {
      ctx.problems.at(
        flow.el,
        `the default flow of ${describe(node.el)} must not have a condition`,
      );
    }
  }
};

/** Flows that cannot attach where they are drawn. */
export const flowEnds: ProcessRule = (ctx, process) => {
  for (const node of process.nodes.values()) {
    if (node.incoming.length > 0) {
      if (node.type === 'startEvent')
        ctx.problems.at(node.el, 'a start event cannot have incoming sequence flows');
      if (node.type === 'boundaryEvent')
        ctx.problems.at(node.el, 'a boundary event cannot have incoming sequence flows');
      if (node.triggeredByEvent)
        ctx.problems.at(node.el, 'an event subprocess cannot have incoming sequence flows');
      if (node.event?.kind === 'link' && node.type === 'intermediateCatchEvent') {
        ctx.problems.at(node.el, 'a link catch event cannot have incoming sequence flows');
      }
    }
    if (node.outgoing.length > 0) {
      if (node.type === 'endEvent')
        ctx.problems.at(node.el, 'an end event cannot have outgoing sequence flows');
      if (node.triggeredByEvent)
        ctx.problems.at(node.el, 'an event subprocess cannot have outgoing sequence flows');
      if (node.event?.kind === 'link' && node.type === 'intermediateThrowEvent') {
        ctx.problems.at(node.el, 'a link throw event cannot have outgoing sequence flows');
      }
    }
  }
};

import { describe } from '../problems';
import type { ProcessRule } from './process-rule';

/**
 * Conditions are evaluated only where a token chooses between flows: leaving
 * exclusive and inclusive gateways. Camunda 8 refuses conditional flows
 * anywhere else (BPMN's conditional flows out of activities included).
 */
export const conditionsWhereEvaluated: ProcessRule = (ctx, process) => {
  for (const flow of process.flows.values()) {
    if (flow.el.conditionExpression === undefined) continue;
    const source = process.nodes.get(flow.sourceId);
    if (!source) continue;
    if (source.type !== 'exclusiveGateway' && source.type !== 'inclusiveGateway') {
      ctx.problems.at(
        flow.el,
        `conditional sequence flows are only supported leaving exclusive or inclusive gateways; this one leaves ${describe(source.el)}`,
      );
    }
  }
};

/**
 * The `default` flow of a gateway or activity must be one of its outgoing
 * flows. A condition on the default flow is ignored (BPMN: the default flow
 * is taken when no other flow's condition holds), as Camunda 8 ignores it.
 */
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
    if (flow.el.conditionExpression !== undefined) {
      delete flow.condition;
      ctx.warnings.push({
        elementId: flow.id,
        elementType: 'sequenceFlow',
        message: `the default flow of ${describe(node.el)} has a condition, which is ignored: the default flow is taken when no other flow's condition holds`,
      });
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

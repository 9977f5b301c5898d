import type { ElementType } from '../../model/model.types';
import { adHocInnerInstance, adHocSubProcess } from './ad-hoc.behavior';
import type { ElementBehavior } from './behavior';
import { multiInstanceBody, processBehavior, subProcess } from './containers.behavior';
import { boundaryEvent, endEvent, intermediateCatchEvent, intermediateThrowEvent, startEvent } from './events.behavior';
import { eventBasedGateway, exclusiveGateway, inclusiveGateway, parallelGateway } from './gateways.behavior';
import { businessRuleTask, callActivity, jobTask, passThrough, receiveTask, scriptTask, userTask } from './tasks.behavior';

/** One behaviour per element type: the compiler rejects a missing one. */
const byElementType: Record<ElementType, ElementBehavior> = {
  startEvent,
  endEvent,
  intermediateCatchEvent,
  intermediateThrowEvent,
  boundaryEvent,
  task: passThrough,
  manualTask: passThrough,
  serviceTask: jobTask,
  sendTask: jobTask,
  businessRuleTask,
  scriptTask,
  userTask,
  receiveTask,
  exclusiveGateway,
  parallelGateway,
  inclusiveGateway,
  eventBasedGateway,
  subProcess,
  adHocSubProcess,
  callActivity,
};

export const behaviors = {
  ...byElementType,
  process: processBehavior,
  multiInstanceBody,
  adHocInnerInstance,
};

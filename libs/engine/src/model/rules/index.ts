import { compensation } from './compensation.rules';
import { eventBasedGatewayTargets, gatewayConditions } from './gateway.rules';
import type { ProcessRule } from './process-rule';
import { distinctMessageNames, linkEvents, startEvents } from './scope.rules';
import { conditionsWhereEvaluated, defaultFlows, flowEnds } from './sequence-flow.rules';

export type { ProcessRule } from './process-rule';

/** Graph-level rules, run after every element was read and wired. */
export const PROCESS_RULES: readonly ProcessRule[] = [
  conditionsWhereEvaluated,
  defaultFlows,
  flowEnds,
  gatewayConditions,
  eventBasedGatewayTargets,
  startEvents,
  linkEvents,
  distinctMessageNames,
  compensation,
];

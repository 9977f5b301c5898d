import { V2BatchOperationsController } from './v2-batch-operations.controller';
import { V2ClusterController } from './v2-cluster.controller';
import { V2ConditionalsController } from './v2-conditionals.controller';
import { V2DecisionSearchController } from './v2-decision-search.controller';
import { V2DecisionsController } from './v2-decisions.controller';
import { V2DeploymentsController } from './v2-deployments.controller';
import { V2ElementInstancesController } from './v2-element-instances.controller';
import { V2EventsController } from './v2-events.controller';
import { V2JobsController } from './v2-jobs.controller';
import { V2ProcessInstanceMigrationController } from './v2-process-instance-migration.controller';
import { V2ProcessInstancesController } from './v2-process-instances.controller';
import { V2ResourcesController } from './v2-resources.controller';
import { V2SearchController } from './v2-search.controller';
import { V2UserTasksController } from './v2-user-tasks.controller';
import { V2VariablesController } from './v2-variables.controller';

/** The route prefix of Camunda's Orchestration Cluster REST API, outside Baton's `api/v1`. */
export const V2_PREFIX = 'v2';

/** Camunda 8.8's Orchestration Cluster REST API (`/v2`): tier 1 commands, tier 2 searches and user tasks. */
export const V2_CONTROLLERS = [
  V2ClusterController,
  V2DeploymentsController,
  V2DecisionsController,
  V2ProcessInstancesController,
  V2ProcessInstanceMigrationController,
  V2JobsController,
  V2EventsController,
  V2ConditionalsController,
  V2SearchController,
  V2UserTasksController,
  V2ElementInstancesController,
  V2VariablesController,
  V2DecisionSearchController,
  V2ResourcesController,
  V2BatchOperationsController,
];

import { V2ClusterController } from './v2-cluster.controller';
import { V2DeploymentsController } from './v2-deployments.controller';
import { V2EventsController } from './v2-events.controller';
import { V2JobsController } from './v2-jobs.controller';
import { V2ProcessInstancesController } from './v2-process-instances.controller';

/** The route prefix of Camunda's Orchestration Cluster REST API, outside Baton's `api/v1`. */
export const V2_PREFIX = 'v2';

/** Camunda 8.8's Orchestration Cluster REST API (`/v2`), tier 1. */
export const V2_CONTROLLERS = [
  V2ClusterController,
  V2DeploymentsController,
  V2ProcessInstancesController,
  V2JobsController,
  V2EventsController,
];

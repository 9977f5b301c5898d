export { newId } from './ids';
export { RuntimeError, RuntimeErrorCode, type RuntimeErrorDetail } from './runtime-error';
export { VariableLimits, type VariableLimitSettings } from './variable-limits';
export {
  DefinitionRegistry,
  type DefinitionCachePort,
  type DefinitionRegistryOptions,
  type DeployResult,
  type DeployedDefinition,
  type LoadedDefinition,
} from './definitions/definition-registry';
export {
  BatchProcessor,
  type BatchProcessorOptions,
  type BatchReport,
  type RuntimeLogger,
  type WorkPublisher,
} from './execution/batch-processor';
export { Sweeper } from './execution/sweeper';
export { InstanceStarter, type StartRequest, type StartedInstance } from './instances/instance-starter';
export { type LockedInstance, type ProcessOptions } from './execution/batch-processor';
export { isUuid, pageOf, type Page, type PageRequest } from './instances/listing';
export { appendEvents, touchInstance, type TouchedInstance } from './instances/instance-inbox';
export {
  InstanceService,
  type InstanceQuery,
  type StartCommand,
} from './instances/instance.service';
export type {
  HistoryItemView,
  IncidentView,
  InstanceStatus,
  InstanceSummaryView,
  InstanceView,
  StartedInstanceView,
} from './instances/instance.views';
export { TaskService, type TaskQuery, type TaskView } from './tasks/task.service';
export { DefinitionQueryService, definitionView, type DefinitionView } from './definitions/definition-query.service';
export { JobService, type ActivateCommand, type ActivatedJob } from './jobs/job.service';
export { backoffDelay, parseBackoff, DEFAULT_BACKOFF, type BackoffKind, type BackoffPolicy } from './jobs/backoff';
export { CorrelationService, type MessageResult, type PublishMessageCommand } from './correlation/correlation.service';
export { TimerService } from './timers/timer.service';
export { IncidentService, type IncidentQuery } from './incidents/incident.service';
export {
  BpmnError,
  JobFailure,
  JobHandlerRunner,
  abortableSleep,
  type JobClient,
  type JobContext,
  type JobHandlerFn,
  type JobHandlerOptions,
  type JobHandlerRegistration,
  type JobHandlerRunnerOptions,
  type JobOutcome,
} from './jobs/job-handler-runner';

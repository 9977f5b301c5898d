export { RuntimeError, RuntimeErrorCode, type RuntimeErrorDetail } from './runtime-error';
export type { RuntimeLogger } from './logger';
export { VariableLimits, type VariableLimitSettings } from './variable-limits';
export { describeUnstorable, findUnstorable, type Unstorable, type UnstorableReason } from './unstorable';
export { FailureKind, notify, observers, type BatchChunkReport, type BatchReport, type JobEventOutcome, type RuntimeObserver } from './observer';
export { isKey, KEY_EPOCH_MS, keyNode, keyTime, KeyGenerator, KeyLeaseExpiredError, MAX_NODE, type Key } from './keys/key-generator';
export { ALL_NODES, LeasedKeys, type KeyNodeLeaseOptions, type KeyNodeRepository, type NodeRange } from './keys/key-node-lease';
export { PartitionedUnitOfWork, partitionNodes, partitionOf, type InstanceStepper } from './partitions/store-partitions';
export * from './ports/records';
export type * from './ports/changes';
export {
  LockTimeoutError,
  StoreUnavailableError,
  type ActivateJobsQuery,
  type ChangeRepository,
  type DecisionRepository,
  type DefinitionRepository,
  type ElementInstanceRepository,
  type FormRepository,
  type VariableRepository,
  type HistoryRepository,
  type IdempotencyRepository,
  type InboxRepository,
  type IncidentQuery as IncidentRecordQuery,
  type IncidentRepository,
  type InstanceQuery as InstanceRecordQuery,
  type InstanceRepository,
  type JobRepository,
  type JobReportWrite,
  type MessageRepository,
  type Repositories,
  type RuntimeStore,
  type SignalRepository,
  type StartEventRepository,
  type TimerPeek,
  type TimerRepository,
  type TransactionOptions,
  type UserTaskQuery,
  type UserTaskRepository,
  type UserTaskUpdate,
} from './ports/repositories';
export {
  DefinitionRegistry,
  type DefinitionCachePort,
  type DefinitionRegistryOptions,
  type DeployResourcesResult,
  type DeployResult,
  type DeployedDefinition,
  type LoadedDefinition,
} from './definitions/definition-registry';
export {
  DecisionRegistry,
  isDmnDocument,
  type CompiledDmnDocument,
  type DecisionBinding,
  type DecisionDeployResult,
  type DecisionRegistryOptions,
  type DecisionRequest,
  type DeployedDmn,
} from './decisions/decision-registry';
export {
  DecisionService,
  decisionInstanceView,
  decisionRequirementsView,
  decisionView,
  deployedDmnView,
  type DecisionEvaluationResult,
  type DecisionInstanceView,
  type DecisionRequirementsView,
  type DecisionView,
} from './decisions/decision.service';
export { DefinitionQueryService, definitionView, type DefinitionView } from './definitions/definition-query.service';
export { Announcer, type AnnouncerOptions, type WorkPublisher } from './execution/announcer';
export { UnitOfWork, type CommandOptions, type CommandOutcome, type UnitOfWorkOptions } from './execution/unit-of-work';
export { StepChanges, type InstanceHead } from './execution/step-changes';
export { Sweeper } from './execution/sweeper';
export { InstanceStarter, type InstanceStarterOptions, type StartRequest, type StartedInstance } from './instances/instance-starter';
export { prepareInstance, type NewInstanceInput } from './instances/new-instance';
export {
  ConditionalStartService,
  type ConditionalEvaluationCommand,
  type ConditionalEvaluationResult,
  type ConditionalStartOptions,
  type ConditionallyStarted,
} from './instances/conditional-start';
export { pageOf, iso } from './instances/listing';
export { modifyInstance, type ModifyCommand } from './instances/modification';
export { migrateInstance, type MigrateDeps, type MigrationPlan } from './instances/migration';
export * from './instances/migration.records';
export {
  InstanceService,
  instanceListConditions,
  type InstanceListFilter,
  type InstanceAction,
  type CommandResult,
  type InstanceQuery,
  type InstanceServiceOptions,
  type StartCommand,
} from './instances/instance.service';
export type {
  HistoryItemView,
  IncidentView,
  InstanceStatusView,
  InstanceSummaryView,
  InstanceView,
  StartedInstanceView,
} from './instances/instance.views';
export * from './ports/search';
export {
  CamundaSearchService,
  camundaElementType,
  camundaIncidentType,
  camundaInstanceState,
  camundaJobState,
  camundaUserTaskState,
  DEFINITION_SEARCH,
  ELEMENT_INSTANCE_SEARCH,
  DECISION_DEFINITION_SEARCH,
  DECISION_INSTANCE_SEARCH,
  DECISION_INSTANCE_STATE,
  DECISION_REQUIREMENTS_SEARCH,
  ELEMENT_INSTANCE_STATE,
  ELEMENT_TYPE,
  INCIDENT_ERROR_TYPE,
  INCIDENT_SEARCH,
  INCIDENT_STATE,
  INSTANCE_SEARCH,
  INSTANCE_STATE,
  JOB_SEARCH,
  JOB_STATE,
  MAX_TOTAL_ITEMS,
  USER_TASK_SEARCH,
  USER_TASK_STATE,
  VARIABLE_SEARCH,
  type KeyedVariable,
  type SearchPage,
} from './search/camunda-search.service';
export {
  DEFAULT_PAGE_LIMIT,
  decodeCursor,
  encodeCursor,
  likePattern,
  matchesLike,
  MAX_FROM,
  MAX_PAGE_LIMIT,
  operatorsOf,
  translateFilter,
  translatePage,
  translateSort,
  type ApiField,
  type ApiFieldKind,
  type ApiResource,
  type CamundaSearchRequest,
  type EnumMapping,
} from './search/search-language';
export { TaskService, taskView, type TaskQuery, type TaskView } from './tasks/task.service';
export { FormService, formView, type FormView, type TaskForm } from './forms/form.service';
export { compileForm, isFormResource, type CompiledForm, type DeployedForm } from './forms/form-registry';
export { JobService, type ActivateCommand, type ActivatedJob, type JobServiceOptions } from './jobs/job.service';
export { JobSignal } from './jobs/job-signal';
export { checkAdHocJobResult } from './jobs/ad-hoc-job-result';
export { backoffDelay, parseBackoff, DEFAULT_BACKOFF, type BackoffKind, type BackoffPolicy } from './jobs/backoff';
export { CorrelationService, type MessageResult, type PublishMessageCommand } from './correlation/correlation.service';
export { TimerService } from './timers/timer.service';
export { IncidentService, type IncidentQuery } from './incidents/incident.service';
export {
  BpmnError,
  JobFailure,
  JobHandlerRunner,
  type JobClient,
  type JobContext,
  type JobHandlerFn,
  type JobHandlerOptions,
  type JobHandlerRegistration,
  type JobHandlerRunnerOptions,
  type JobOutcome as HandlerJobOutcome,
} from './jobs/job-handler-runner';
export type * from './ports/inspection';
export * from './inspection/inspection.service';
export * from './inspection/overview.service';
export * from './batches/batch.records';
export { chunkId, InProcessBatchQueue, type BatchQueue } from './batches/batch-queue';
export { BatchService, visibleTo, type BatchFilter, type BatchServiceOptions, type CreateBatch } from './batches/batch.service';
export { BatchProcessor, type ChunkReport } from './batches/batch.processor';
export type { RetentionChunkResult, RetentionCursor, RetentionRepository, RetentionSchedule } from './retention/retention.port';
export { RetentionService, type RetentionOptions, type RetentionReport } from './retention/retention.service';
export { InProcessRetentionSchedule } from './retention/in-process-retention-schedule';
export { keepsHistory, type HistoryLevel } from './retention/history-level';
export * from './export/export.records';
export { StepExporter } from './export/step-exporter';
export { ExportDispatcher, backoffMs, type ExportBackoff, type ExportDispatcherOptions, type ExportSink } from './export/export-dispatcher';
export { WebhookSink, exportBody, exportSignature } from './export/webhook-sink';
export { ExportService } from './export/export.service';

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

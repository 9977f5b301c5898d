export * from './feel';
export * from './model';
export * from './runtime/runtime.types';
export { createInstance, execute, hasReadyWork, processVariables, tokensOf } from './runtime/execute';
export type { CreateInstanceInput } from './runtime/execute';
export { EngineError, EngineErrorCode } from './runtime/engine-errors';
export { visibleVariables } from './runtime/variables';
export { isoDateTime } from './runtime/behaviors/tasks.behavior';
export { cycleFirst, cycleNext, dateDue, durationDue } from './runtime/timers';

export * from './feel';
export * from './model/model.types';
export * from './runtime/runtime.types';
export { createInstance, execute, hasReadyWork, processVariables, tokensOf } from './runtime/execute';
export type { CreateInstanceInput } from './runtime/execute';
export { EngineError, EngineErrorCode } from './runtime/engine-errors';
export { visibleVariables } from './runtime/variables';
export { checkTimerValue, cycleFirst, cycleNext, dateDue, durationDue, TimerValueError } from './runtime/timers';

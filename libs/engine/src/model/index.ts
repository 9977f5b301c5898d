export { compileBpmn, type CompileBpmnResult } from './compile-bpmn';
export * from './model.types';
export { isActivity } from './element-kinds';
export {
  addDuration,
  nextCronTime,
  parseIsoDateTime,
  parseIsoDuration,
  parseTimeCycle,
  parseTimerValue,
  TimerValueError,
  type ParsedTimer,
  type TimeCycle,
} from './timer-values';

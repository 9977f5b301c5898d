export { compileBpmn, type CompileBpmnResult } from './compile-bpmn';
export * from './model.types';
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

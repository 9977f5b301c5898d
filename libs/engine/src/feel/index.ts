export * from './feel.types';
export {
  compileExpression,
  compileFeelExpression,
  compileFeelUnaryTests,
  compileUnaryTests,
  quoteExpression,
  type CompiledFeelExpression,
  type FeelCompileOptions,
} from './compile';
export { expressionSource, isExpression } from './expression-text';
// FEEL values as the evaluator holds them, for hosts that keep them (libs/dmn)
export {
  FeelDate,
  FeelDateTime,
  FeelDaysTimeDuration,
  FeelFunction,
  FeelLocalDateTime,
  FeelLocalTime,
  FeelRange,
  FeelTime,
  FeelYearsMonthsDuration,
  feelEquals,
  typeName as feelTypeName,
} from './feel-values';
export { parseDate, parseDateTime, parseDuration, parseTime } from './feel-temporal';
export { toJsonValue as feelToJson, NotJsonError } from './feel-json';
export { fromAiParameters, FromAiError, type FromAiParameter } from './from-ai';

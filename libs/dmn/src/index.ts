/**
 * Baton's DMN core: parse, validate and compile a DMN 1.1 - 1.5 document
 * once ({@link compileDmn}), evaluate its decisions many times
 * ({@link evaluateDecision}). Pure like libs/engine: no I/O, and the clock
 * comes in through {@link DmnEnv}. FEEL is Baton's (libs/engine), reached
 * through ./feel-adapter.ts only.
 */
export { compileDmn } from './compile/compile-drg';
export { evaluateDecision } from './evaluate/evaluate-decision';
export {
  DEFAULT_DMN_LIMITS,
  DmnErrorCode,
  type CompileDmnOptions,
  type CompileDmnResult,
  type CompiledDrg,
  type DecisionEvaluation,
  type DecisionInfo,
  type DecisionType,
  type DmnEnv,
  type DmnEvaluationError,
  type DmnLimits,
  type DmnValidationError,
  type DmnVersion,
  type EvaluatedDecision,
  type EvaluatedInput,
  type EvaluatedOutput,
  type MatchedRule,
} from './dmn.types';

import type { FeelLimits, ValidationError } from '@baton/engine';

/**
 * A problem found while compiling a DMN document, shaped like the BPMN
 * deploy errors: `elementId` names the decision, rule, input, output or
 * expression (`null` for document-level problems: not XML, not DMN),
 * `elementType` its DMN tag name (`decision`, `decisionTable`, `rule`,
 * `inputEntry`, ...).
 */
export type DmnValidationError = ValidationError;

export type DmnVersion = '1.1' | '1.2' | '1.3' | '1.4' | '1.5';

/** Bounds on what a document and one evaluation may cost. Hitting one is a clear error. */
export interface DmnLimits {
  /** UTF-8 bytes of a document. */
  readonly maxXmlBytes: number;
  /** Element nesting depth of a document. */
  readonly maxXmlDepth: number;
  /** Elements in a document. */
  readonly maxXmlElements: number;
  /**
   * Nested invocations in one evaluation: required decisions, knowledge
   * models, decision services and functions defined in DMN calling each other.
   */
  readonly maxCallDepth: number;
  /** Boxed expressions and decision-table rules evaluated by one `evaluateDecision`. */
  readonly maxEvaluationSteps: number;
}

export const DEFAULT_DMN_LIMITS: DmnLimits = Object.freeze({
  maxXmlBytes: 4 * 1024 * 1024,
  maxXmlDepth: 128,
  maxXmlElements: 200_000,
  maxCallDepth: 64,
  maxEvaluationSteps: 1_000_000,
});

export interface CompileDmnOptions {
  readonly limits?: Partial<DmnLimits>;
  /**
   * `refuse` (default): a document with any problem is refused as a whole,
   * as a deployment must be. `fail-on-evaluation`: a decision whose logic
   * does not compile is kept and fails when it is evaluated; the rest of
   * the graph works (conformance runs, editors). Document-level and graph
   * problems (cycles, dangling references) refuse the document either way.
   */
  readonly invalidDecisions?: 'refuse' | 'fail-on-evaluation';
}

/** Camunda 8's names for a decision's logic (`decisionType` in its API). */
export type DecisionType =
  | 'DECISION_TABLE'
  | 'LITERAL_EXPRESSION'
  | 'CONTEXT'
  | 'INVOCATION'
  | 'LIST'
  | 'RELATION'
  | 'UNKNOWN';

export interface DecisionInfo {
  readonly id: string;
  /** The decision's name, or its id when it has none. */
  readonly name: string;
  /** `<zeebe:versionTag value>` of the decision, when set. */
  readonly versionTag?: string;
  readonly decisionType: DecisionType;
  /** Ids of the decisions it requires directly, in document order. */
  readonly requiredDecisions: readonly string[];
  /**
   * The name its result has for the decisions that require it: the name of
   * its `<variable>`, or its id when it has none (as Camunda 8 does).
   */
  readonly resultName: string;
}

/**
 * A decision requirements graph compiled once (at deploy time) and
 * evaluated many times; immutable and safe to share.
 */
export interface CompiledDrg {
  /** `<definitions id>`: Camunda's decision requirements id. */
  readonly id: string;
  readonly name: string;
  readonly namespace: string;
  readonly dmnVersion: DmnVersion;
  /** Every decision of the graph, in document order. */
  readonly decisions: readonly DecisionInfo[];
}

export type CompileDmnResult =
  | { readonly ok: true; readonly definitions: CompiledDrg }
  | { readonly ok: false; readonly errors: readonly DmnValidationError[] };

/**
 * What an evaluation needs from outside: the clock (FEEL `now()`, `today()`),
 * and optionally the bounds of each FEEL evaluation (FEEL's defaults when
 * absent). The engine's environment can be passed as it is.
 */
export interface DmnEnv {
  /** Epoch milliseconds. */
  now(): number;
  /** Bounds of each FEEL evaluation; `DEFAULT_FEEL_LIMITS` of `@baton/engine` when absent. */
  readonly feelLimits?: FeelLimits;
}

// evaluation results: Camunda 8's EvaluateDecisionResult, with values as JSON
// values (its REST API carries each as a JSON-encoded string)

export interface EvaluatedInput {
  readonly inputId: string;
  /** The input's label, else its expression (cut to 30 characters). */
  readonly inputName: string;
  readonly inputValue: unknown;
}

export interface EvaluatedOutput {
  readonly outputId: string;
  /** The output's label, else its name. */
  readonly outputName: string;
  readonly outputValue: unknown;
}

export interface MatchedRule {
  readonly ruleId: string;
  /** 1-based position of the rule in its table. */
  readonly ruleIndex: number;
  readonly evaluatedOutputs: readonly EvaluatedOutput[];
}

export interface EvaluatedDecision {
  readonly decisionId: string;
  readonly decisionName: string;
  readonly decisionType: DecisionType;
  readonly versionTag?: string;
  /** The decision's result as a JSON value. */
  readonly output: unknown;
  /** Decision tables only: every input, in column order. */
  readonly evaluatedInputs: readonly EvaluatedInput[];
  /** Decision tables only: the rules whose outputs make the result (FIRST: the first match). */
  readonly matchedRules: readonly MatchedRule[];
}

export enum DmnErrorCode {
  /** No decision with that id in the graph. */
  DECISION_NOT_FOUND = 'DECISION_NOT_FOUND',
  /** A decision could not be evaluated: a FEEL error, a hit policy violated, a bad input. */
  DECISION_EVALUATION_ERROR = 'DECISION_EVALUATION_ERROR',
  /** The evaluation hit a {@link DmnLimits} bound (call depth, steps). */
  EVALUATION_LIMIT_EXCEEDED = 'EVALUATION_LIMIT_EXCEEDED',
}

export interface DmnEvaluationError {
  readonly code: DmnErrorCode;
  /** `Expected to evaluate decision 'a', but ...`, naming the rule, input or output at fault. */
  readonly message: string;
  /** The decision that failed (a required decision, or the one asked for). */
  readonly decisionId: string;
  /** The element at fault (rule, input, output, expression), when there is one. */
  readonly elementId: string | null;
  readonly elementType: string | null;
}

/** The outcome of `evaluateDecision`. Evaluated decisions are listed in both cases. */
export type DecisionEvaluation =
  | {
      readonly ok: true;
      readonly decisionId: string;
      readonly decisionName: string;
      /** The decision's result as a JSON value (temporal values as ISO 8601 strings). */
      readonly output: unknown;
      /** Every decision evaluated, required ones first, the one asked for last. */
      readonly evaluatedDecisions: readonly EvaluatedDecision[];
    }
  | {
      readonly ok: false;
      readonly error: DmnEvaluationError;
      /** The decisions evaluated before the failure. */
      readonly evaluatedDecisions: readonly EvaluatedDecision[];
    };

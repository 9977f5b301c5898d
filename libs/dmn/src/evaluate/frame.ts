import { FeelEvaluationError, type FeelEnv } from '../feel-adapter';
import { DmnErrorCode, type DmnLimits, type EvaluatedDecision } from '../dmn.types';

/** Names visible to an expression, with their FEEL values. */
export type Scope = Readonly<Record<string, unknown>>;

/** The state of one `evaluateDecision` call, threaded through every evaluator. */
export interface Frame {
  readonly env: FeelEnv;
  readonly limits: DmnLimits;
  steps: number;
  depth: number;
  /** Audit entries in evaluation order. */
  readonly audit: EvaluatedDecision[];
  /** Results of decisions already evaluated in this call (each is evaluated once), by id. */
  readonly results: Map<string, unknown>;
}

export type Evaluator = (scope: Scope, frame: Frame) => unknown;

/** Where a failure happened: the element at fault. */
export interface Culprit {
  readonly elementId: string | null;
  readonly elementType: string | null;
}

/** An evaluation failure, thrown inside the evaluators and turned into a result at the top. */
export class DmnFailure extends Error {
  /** Set by the decision evaluator that the failure passes through first. */
  decisionId?: string;
  constructor(
    readonly code: DmnErrorCode,
    message: string,
    readonly culprit: Culprit,
  ) {
    super(message);
    this.name = 'DmnFailure';
  }
}

export function step(frame: Frame, culprit: Culprit): void {
  frame.steps++;
  if (frame.steps > frame.limits.maxEvaluationSteps) {
    throw new DmnFailure(
      DmnErrorCode.EVALUATION_LIMIT_EXCEEDED,
      `the evaluation took more than ${frame.limits.maxEvaluationSteps} steps`,
      culprit,
    );
  }
}

/** Runs `body` one invocation deeper, bounded by `maxCallDepth`. */
export function nested<T>(frame: Frame, culprit: Culprit, body: () => T): T {
  if (frame.depth >= frame.limits.maxCallDepth) {
    throw new DmnFailure(
      DmnErrorCode.EVALUATION_LIMIT_EXCEEDED,
      `invocations are nested more than ${frame.limits.maxCallDepth} deep`,
      culprit,
    );
  }
  frame.depth++;
  try {
    return body();
  } finally {
    frame.depth--;
  }
}

/** Turns what an evaluator threw into a {@link DmnFailure} naming `culprit` (unless it names one already). */
export function asFailure(error: unknown, culprit: Culprit, what: string): DmnFailure {
  if (error instanceof DmnFailure) return error;
  if (error instanceof FeelEvaluationError) {
    return new DmnFailure(
      DmnErrorCode.DECISION_EVALUATION_ERROR,
      `${what}: ${error.message}`,
      culprit,
    );
  }
  if (error instanceof RangeError) {
    return new DmnFailure(
      DmnErrorCode.EVALUATION_LIMIT_EXCEEDED,
      `${what}: the evaluation recurses too deeply`,
      culprit,
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return new DmnFailure(DmnErrorCode.DECISION_EVALUATION_ERROR, `${what}: ${message}`, culprit);
}

/**
 * Typed failures of the engine API. Expected runtime failures inside a
 * process (FEEL errors, no matching condition, ...) are not exceptions: they
 * become incidents on the element. These are for callers asking the
 * impossible, and for broken invariants (bugs).
 */
export enum EngineErrorCode {
  /** The process has no none start event and no start event was named. */
  NoNoneStartEvent = 'NO_NONE_START_EVENT',
  /** The named start event does not exist or is not a start event of the process. */
  UnknownStartEvent = 'UNKNOWN_START_EVENT',
  /** The state belongs to another process or has an unknown layout. */
  StateMismatch = 'STATE_MISMATCH',
  /** A broken invariant inside the engine. */
  Bug = 'ENGINE_BUG',
}

export class EngineError extends Error {
  constructor(
    readonly code: EngineErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'EngineError';
  }
}

/** An exclusive or inclusive gateway found no flow to take. */
export class NoFlowError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NoFlowError';
  }
}

/**
 * A variable the engine was to write cannot be stored: over
 * `EngineEnv.maxVariableSize`, or holding U+0000 (which no JSON column takes).
 */
export class VariableLimitError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(message);
    this.name = 'VariableLimitError';
  }

  static tooLarge(variable: string, size: number, limit: number): VariableLimitError {
    return new VariableLimitError(variable, `variable '${variable}' would be ${size} bytes, over the limit of ${limit} bytes (MAX_VARIABLE_SIZE)`);
  }

  static nulCharacter(variable: string): VariableLimitError {
    return new VariableLimitError(variable, `variable '${variable}' holds the character U+0000, which cannot be stored`);
  }
}

/**
 * Failures a client caused, typed with a code. The HTTP layer maps codes to
 * status codes in one exception filter; nothing below it knows about HTTP.
 */
export enum RuntimeErrorCode {
  NotFound = 'NOT_FOUND',
  /** The current state forbids the action (complete an ended task, ...). */
  Conflict = 'CONFLICT',
  /** Understood but not processable (no none start event, a variable over its limit). */
  Unprocessable = 'UNPROCESSABLE',
  /** The request is larger than any valid request can be. */
  PayloadTooLarge = 'PAYLOAD_TOO_LARGE',
  /** The BPMN document was refused. */
  InvalidDefinition = 'INVALID_DEFINITION',
  BadRequest = 'BAD_REQUEST',
  /** A dependency is saturated or down; the client should retry later (503 + Retry-After). */
  Unavailable = 'UNAVAILABLE',
}

export interface RuntimeErrorDetail {
  readonly elementId?: string | null;
  readonly elementType?: string | null;
  readonly variable?: string;
  readonly field?: string;
  readonly message: string;
}

export class RuntimeError extends Error {
  constructor(
    readonly code: RuntimeErrorCode,
    message: string,
    readonly errors: readonly RuntimeErrorDetail[] = [],
  ) {
    super(message);
    this.name = 'RuntimeError';
  }

  static notFound(what: string): RuntimeError {
    return new RuntimeError(RuntimeErrorCode.NotFound, `${what} was not found`);
  }

  static conflict(message: string): RuntimeError {
    return new RuntimeError(RuntimeErrorCode.Conflict, message);
  }

  static badRequest(field: string, message: string): RuntimeError {
    return new RuntimeError(RuntimeErrorCode.BadRequest, message, [{ field, message }]);
  }
}

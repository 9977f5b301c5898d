export enum BusErrorCode {
  /** The bus (or consumer) was closed while the call was waiting. */
  Closed = 'BUS_CLOSED',
  /** The broker could not be reached in time for a call that does not retry (depth). */
  Unavailable = 'BUS_UNAVAILABLE',
  /** A caller passed options or items that can never work. */
  InvalidArgument = 'BUS_INVALID_ARGUMENT',
}

export class BusError extends Error {
  override readonly name = 'BusError';

  constructor(
    readonly code: BusErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function describeError(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

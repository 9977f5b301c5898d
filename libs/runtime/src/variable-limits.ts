import { RuntimeError, RuntimeErrorCode } from './runtime-error';
import { describeUnstorable, findUnstorable } from './unstorable';

export interface VariableLimitSettings {
  /** Bytes of one variable's JSON encoding (UTF-8). */
  readonly maxVariableSize: number;
  /** Bytes of all of one instance's variables together. */
  readonly maxTotalVariables: number;
  /** Longest a published message may wait for a subscription, in milliseconds (MAX_MESSAGE_TTL); unbounded when absent. */
  readonly maxMessageTtlMs?: number;
}

/**
 * The size limits of variables (MAX_VARIABLE_SIZE, MAX_TOTAL_VARIABLES;
 * docs/limits.md), checked at every entry point before
 * anything is written. A variable's size is the UTF-8 byte length of its JSON
 * encoding; the total is the sum over the instance's variables after the
 * change.
 */
export class VariableLimits {
  constructor(private readonly settings: VariableLimitSettings) {}

  /** The largest request body worth reading: the total limit plus room for the envelope. */
  get maxBodyBytes(): number {
    return this.settings.maxTotalVariables + 64 * 1024;
  }

  /** Refuses a message time-to-live over MAX_MESSAGE_TTL (a message buffered for centuries is a mistake). */
  checkMessageTtl(timeToLiveMs: number | undefined): void {
    const max = this.settings.maxMessageTtlMs;
    if (timeToLiveMs === undefined || max === undefined || timeToLiveMs <= max) return;
    const message = `timeToLiveMs ${timeToLiveMs} is over the limit of ${max} ms (MAX_MESSAGE_TTL ${max / 1000} s)`;
    throw new RuntimeError(RuntimeErrorCode.Unprocessable, message, [{ field: 'timeToLiveMs', message }]);
  }

  /**
   * Checks `incoming` on its own and merged over `existing` (the variables it
   * will join). Throws an Unprocessable error naming the first offending variable.
   */
  check(incoming: Readonly<Record<string, unknown>> | undefined, existing?: Readonly<Record<string, unknown>>): void {
    if (incoming === undefined) return;
    const sizes = new Map<string, number>();
    for (const [name, value] of Object.entries(incoming)) {
      storable(name, value);
      const size = byteSize(value);
      if (size > this.settings.maxVariableSize) {
        throw limitError(
          name,
          `variable '${name}' is ${size} bytes, over the limit of ${this.settings.maxVariableSize} bytes (MAX_VARIABLE_SIZE)`,
        );
      }
      sizes.set(name, size);
    }
    let total = 0;
    if (existing !== undefined) {
      for (const [name, value] of Object.entries(existing)) if (!sizes.has(name)) total += byteSize(value);
    }
    let largest = '';
    let largestSize = -1;
    for (const [name, size] of sizes) {
      total += size;
      if (size > largestSize) {
        largest = name;
        largestSize = size;
      }
    }
    if (total > this.settings.maxTotalVariables) {
      throw limitError(
        largest,
        `the variables of the instance would total ${total} bytes, over the limit of ${this.settings.maxTotalVariables} bytes (MAX_TOTAL_VARIABLES); the largest in this request is '${largest}'`,
      );
    }
  }
}

/** Nesting of objects and arrays one variable may have: deeper values are refused, never stack-overflowed on. */
export const MAX_VARIABLE_DEPTH = 100;

/**
 * Refuses what no store can hold and no reader should walk (see
 * {@link findUnstorable}), naming the variable: U+0000 in its name, strings
 * or keys, lone surrogates, nesting over {@link MAX_VARIABLE_DEPTH}, numbers
 * JSON cannot carry exactly.
 */
function storable(name: string, value: unknown): void {
  if (name.includes('\0')) throw limitError(JSON.stringify(name).slice(1, -1), `a variable name holds the character U+0000, which cannot be stored`);
  const found = findUnstorable(value, MAX_VARIABLE_DEPTH, name);
  if (found !== null) throw limitError(name, `variable ${describeUnstorable(found, MAX_VARIABLE_DEPTH)}`);
}

function byteSize(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value ?? null), 'utf8');
}

function limitError(variable: string, message: string): RuntimeError {
  return new RuntimeError(RuntimeErrorCode.Unprocessable, message, [{ variable, message }]);
}

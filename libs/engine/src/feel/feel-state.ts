import {
  DEFAULT_FEEL_LIMITS,
  FEEL_LIMIT_SETTINGS,
  type FeelEnv,
  type FeelLimits,
  type FeelWarning,
  type FeelWarningType,
} from './feel.types';

/**
 * The state of one evaluation: what it may still spend, how deep it is, and
 * what the host gave it. Created per `evaluate` call; the compiled closures
 * receive it with the scope.
 */
export class EvalState {
  /** Work units left. */
  work: number;
  /** Nested calls of FEEL-defined functions. */
  depth = 0;
  /** DMN 1.5 semantics where they differ from Camunda's (set by DMN's compile options). */
  dmn = false;
  readonly limits: FeelLimits;
  /** Deterministic randomness without a host's: set on first use only, evaluations rarely need it. */
  private randomState?: number;
  private uuidCounter?: number;

  constructor(
    readonly root: Readonly<Record<string, unknown>>,
    readonly env: FeelEnv | undefined,
  ) {
    this.limits = env?.feelLimits ?? DEFAULT_FEEL_LIMITS;
    this.work = this.limits.maxWork;
  }

  get warnings(): FeelWarning[] | undefined {
    return this.env?.warnings;
  }

  /** Records why a value is `null` when the host collects warnings; `message` is built only then. */
  warn(type: FeelWarningType, message: () => string): void {
    const sink = this.env?.warnings;
    if (sink !== undefined && sink.length < 100) sink.push({ type, message: message() });
  }

  now(): number {
    const env = this.env;
    if (env === undefined) {
      throw new FeelFailure('now() and today() need the engine clock, and none was given');
    }
    return env.now();
  }

  /** `random number()`: the host's randomness, else a fixed sequence (xorshift32) per evaluation. */
  random(): number {
    const random = this.env?.random;
    if (random !== undefined) return random();
    let x = this.randomState ?? 0x9e3779b9;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.randomState = x >>> 0;
    return this.randomState / 0x1_0000_0000;
  }

  /** `uuid()`: the host's UUIDs, else a counter dressed as a version 4 UUID. */
  uuid(): string {
    const uuid = this.env?.uuid;
    if (uuid !== undefined) return uuid();
    this.uuidCounter = (this.uuidCounter ?? 0) + 1;
    const n = this.uuidCounter.toString(16).padStart(12, '0');
    return `00000000-0000-4000-8000-${n}`;
  }
}

/** A failure that ends the evaluation (the caller adds the expression and makes it a `FeelEvaluationError`). */
export class FeelFailure extends Error {
  constructor(
    message: string,
    readonly limit?: keyof FeelLimits,
  ) {
    super(message);
    this.name = 'FeelFailure';
  }
}

const LIMIT_WORDING: Readonly<Record<keyof FeelLimits, [string, string]>> = {
  maxWork: ['work limit', 'steps'],
  maxListLength: ['list length limit', 'items'],
  maxStringLength: ['string length limit', 'characters'],
  maxContextEntries: ['context size limit', 'entries'],
  maxDepth: ['call depth limit', 'nested calls'],
};

export function limitExceeded(state: EvalState, limit: keyof FeelLimits): FeelFailure {
  const [what, unit] = LIMIT_WORDING[limit];
  return new FeelFailure(
    `the expression exceeded the ${what} of ${state.limits[limit]} ${unit} (${FEEL_LIMIT_SETTINGS[limit]})`,
    limit,
  );
}

export function spend(state: EvalState, units: number): void {
  state.work -= units;
  if (state.work < 0) throw limitExceeded(state, 'maxWork');
}

export function checkListLength(state: EvalState, length: number): void {
  if (length > state.limits.maxListLength) throw limitExceeded(state, 'maxListLength');
}

/** A string about to be built: its length is bounded, and long ones cost work (1 unit per 16 characters). */
export function checkStringLength(state: EvalState, length: number): void {
  if (length > state.limits.maxStringLength) throw limitExceeded(state, 'maxStringLength');
  if (length > 256) spend(state, length >> 4);
}

export function checkContextSize(state: EvalState, entries: number): void {
  if (entries > state.limits.maxContextEntries) throw limitExceeded(state, 'maxContextEntries');
}

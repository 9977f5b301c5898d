/**
 * Retry delays for failed jobs. `attempt` counts from 1 (the delay before the
 * first retry). The jitter variants follow the AWS Architecture Blog's
 * "Exponential Backoff and Jitter": full jitter spreads retries over
 * [0, exponential]; equal jitter keeps half the exponential delay and spreads
 * the other half.
 */
export type BackoffKind = 'fixed' | 'linear' | 'exponential' | 'exponential-full-jitter' | 'exponential-equal-jitter';

export interface BackoffPolicy {
  readonly kind: BackoffKind;
  /** Milliseconds: the fixed delay, the linear step, or the exponential base. */
  readonly baseMs: number;
  /** Upper bound of any delay. */
  readonly capMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { kind: 'exponential-full-jitter', baseMs: 1000, capMs: 60_000 };

/** The delay before retry number `attempt`; `random` returns [0, 1) (injected for tests). */
export function backoffDelay(policy: BackoffPolicy, attempt: number, random: () => number = Math.random): number {
  const n = Math.max(1, Math.floor(attempt));
  const exponential = Math.min(policy.capMs, policy.baseMs * 2 ** (n - 1));
  switch (policy.kind) {
    case 'fixed':
      return Math.min(policy.capMs, policy.baseMs);
    case 'linear':
      return Math.min(policy.capMs, policy.baseMs * n);
    case 'exponential':
      return exponential;
    case 'exponential-full-jitter':
      return Math.floor(random() * exponential);
    case 'exponential-equal-jitter':
      return Math.floor(exponential / 2 + random() * (exponential / 2));
  }
}

/** Parses `kind:base:cap` (e.g. `exponential-full-jitter:1000:60000`), naming what is wrong. */
export function parseBackoff(text: string): BackoffPolicy {
  const [kind, base, cap] = text.split(':');
  const kinds: BackoffKind[] = ['fixed', 'linear', 'exponential', 'exponential-full-jitter', 'exponential-equal-jitter'];
  if (!kinds.includes(kind as BackoffKind)) {
    throw new Error(`backoff kind '${kind}' is not one of ${kinds.join(', ')}`);
  }
  const baseMs = Number(base ?? DEFAULT_BACKOFF.baseMs);
  const capMs = Number(cap ?? DEFAULT_BACKOFF.capMs);
  if (!Number.isFinite(baseMs) || baseMs < 0 || !Number.isFinite(capMs) || capMs < baseMs) {
    throw new Error(`backoff '${text}' needs a base >= 0 and a cap >= base (milliseconds)`);
  }
  return { kind: kind as BackoffKind, baseMs, capMs };
}

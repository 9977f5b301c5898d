export interface BackoffOptions {
  /** First reconnect delay. Default 100 ms. */
  readonly initialDelayMs?: number;
  /** Cap on the exponential growth. Default 10 s. */
  readonly maxDelayMs?: number;
}

/**
 * Exponential backoff with the cap applied after jitter; the jitter (50-100 %
 * of the step) keeps a fleet of workers from reconnecting in lockstep after a
 * broker restart.
 */
export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  const initial = options.initialDelayMs ?? 100;
  const max = options.maxDelayMs ?? 10_000;
  const step = Math.min(max, initial * 2 ** Math.min(attempt, 30));
  return Math.round(step * (0.5 + Math.random() / 2));
}

/** Resolves after `ms`, or at once when `signal` aborts; never leaves a timer behind. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Lets timers and I/O run between batches when a handler settles synchronously. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Waits for `promise` at most `ms`; for shutdown steps that must not hang on a silent peer. */
export async function atMost(promise: Promise<unknown>, ms: number): Promise<void> {
  const timeout = new AbortController();
  await Promise.race([
    promise.then(
      () => undefined,
      () => undefined,
    ),
    sleep(ms, timeout.signal),
  ]);
  timeout.abort();
}

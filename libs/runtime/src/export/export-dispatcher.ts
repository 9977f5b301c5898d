import type { Key } from '../keys/key-generator';
import type { ExportLag, ExportRecord, ExportRepository, ExportSinkName } from './export.records';

/** Where records go: a webhook, a RabbitMQ exchange. */
export interface ExportSink {
  readonly name: ExportSinkName;
  /**
   * Delivers records in order and tells how many of the first it delivered:
   * all of them, or fewer with the error that stopped it. A record may arrive
   * more than once (at least once); its id is its idempotency key.
   */
  deliver(records: readonly ExportRecord[]): Promise<{ delivered: number; error?: Error }>;
  close?(): Promise<void>;
}

/** EXPORT_RETRY_BACKOFF: the wait after the n-th failed attempt in a row. */
export interface ExportBackoff {
  readonly kind: 'exponential' | 'fixed';
  readonly delayMs: number;
}

const MAX_BACKOFF_MS = 5 * 60_000;

export function backoffMs(policy: ExportBackoff, attempt: number): number {
  if (policy.kind === 'fixed') return policy.delayMs;
  return Math.min(MAX_BACKOFF_MS, policy.delayMs * 2 ** Math.max(0, attempt - 1));
}

export interface ExportDispatcherOptions {
  readonly batchSize: number;
  readonly maxAttempts: number;
  readonly backoff: ExportBackoff;
  /** Who this process is, for the sinks' leases. */
  readonly owner: string;
  readonly leaseMs?: number;
  readonly clock?: () => number;
  readonly onDelivered?: (sink: ExportSinkName, records: number) => void;
  readonly onFailed?: (sink: ExportSinkName, error: Error) => void;
  readonly onDeadLettered?: (sink: ExportSinkName, record: ExportRecord, error: Error) => void;
}

/**
 * Delivers the outbox to each sink (docs/export.md). Per sink, strictly in id
 * order: a round takes the oldest pending records, delivers them, and marks
 * the delivered ones; when the sink fails, nothing after the failed record is
 * tried until the backoff has passed, so a record of an instance never
 * overtakes an earlier one of the same instance. After `maxAttempts` failures
 * in a row the record goes to the dead letters and the sink goes on.
 *
 * No cursor by id: ids come from a sequence when a step inserts, and steps
 * commit out of that order, so a cursor could pass a record still being
 * committed. Each record names the sinks still to deliver it instead.
 */
export class ExportDispatcher {
  private readonly clock: () => number;
  private readonly leaseMs: number;

  constructor(
    private readonly repository: ExportRepository,
    readonly sinks: readonly ExportSink[],
    private readonly options: ExportDispatcherOptions,
  ) {
    this.clock = options.clock ?? Date.now;
    this.leaseMs = options.leaseMs ?? 60_000;
  }

  get enabled(): boolean {
    return this.sinks.length > 0;
  }

  /** One pass: every sink whose lease this process gets delivers until its outbox is empty or it fails. */
  async pass(stopping: () => boolean = () => false): Promise<void> {
    await Promise.all(this.sinks.map((sink) => this.passOf(sink, stopping)));
  }

  async lag(): Promise<Map<ExportSinkName, ExportLag>> {
    const now = new Date(this.clock());
    const lags = new Map<ExportSinkName, ExportLag>();
    for (const sink of this.sinks) lags.set(sink.name, await this.repository.lag(sink.name, now));
    return lags;
  }

  private async passOf(sink: ExportSink, stopping: () => boolean): Promise<void> {
    const { owner } = this.options;
    if (!(await this.repository.lease(sink.name, owner, this.leaseMs))) return;
    // Renewed while a round runs too (a slow receiver): a lease that lapsed could let a second
    // dispatcher deliver the same records alongside, out of order with this one.
    let held = true;
    const renewal = setInterval(() => {
      this.repository.lease(sink.name, owner, this.leaseMs).then(
        (ok) => (held &&= ok),
        () => (held = false),
      );
    }, Math.max(10, Math.floor(this.leaseMs / 3)));
    renewal.unref();
    try {
      while (held && !stopping() && (await this.round(sink))) {
        if (!(await this.repository.lease(sink.name, owner, this.leaseMs))) return;
      }
    } finally {
      clearInterval(renewal);
      await this.repository.release(sink.name, owner);
    }
  }

  /** One batch; true when there may be more to deliver now. */
  private async round(sink: ExportSink): Promise<boolean> {
    const state = await this.repository.state(sink.name);
    if (state.nextAttemptAt !== null && state.nextAttemptAt.getTime() > this.clock()) return false;
    const records = await this.repository.pending(sink.name, this.options.batchSize);
    if (records.length === 0) return false;
    let outcome: { delivered: number; error?: Error };
    try {
      outcome = await sink.deliver(records);
    } catch (e) {
      outcome = { delivered: 0, error: e instanceof Error ? e : new Error(String(e)) };
    }
    const delivered = Math.max(0, Math.min(outcome.delivered, records.length));
    if (delivered > 0) {
      await this.repository.delivered(sink.name, records.slice(0, delivered).map((r): Key => r.id));
      this.options.onDelivered?.(sink.name, delivered);
    }
    const error = outcome.error ?? (delivered < records.length ? new Error(`${sink.name} delivered ${delivered} of ${records.length} record(s)`) : undefined);
    if (error === undefined) {
      if (state.attempts > 0) await this.repository.setState(sink.name, { attempts: 0, nextAttemptAt: null, lastError: null });
      return records.length === this.options.batchSize;
    }
    this.options.onFailed?.(sink.name, error);
    // Attempts count failures at the same record: a round that got further starts over.
    const attempts = (delivered > 0 ? 0 : state.attempts) + 1;
    if (attempts >= this.options.maxAttempts) {
      const record = records[delivered];
      await this.repository.deadLetter(sink.name, record, attempts, error.message);
      this.options.onDeadLettered?.(sink.name, record, error);
      return true;
    }
    await this.repository.setState(sink.name, {
      attempts,
      nextAttemptAt: new Date(this.clock() + backoffMs(this.options.backoff, attempts)),
      lastError: error.message,
    });
    return false;
  }
}

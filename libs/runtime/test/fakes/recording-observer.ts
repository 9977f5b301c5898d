import type { BatchReport, FailureKind, JobEventOutcome, RuntimeObserver } from '../../src';

/** Keeps what the runtime reported, for assertions on failures and outcomes. */
export class RecordingObserver implements RuntimeObserver {
  readonly batches: BatchReport[] = [];
  readonly started: string[] = [];
  readonly jobOutcomes: { type: string; outcome: JobEventOutcome }[] = [];
  readonly timerLateness: number[] = [];
  readonly lookups: ('hit' | 'miss')[] = [];
  readonly failures: { kind: FailureKind; detail: string; error?: unknown }[] = [];

  batchCommitted(report: BatchReport): void {
    this.batches.push(report);
  }

  instancesStarted(bpmnProcessIds: readonly string[]): void {
    this.started.push(...bpmnProcessIds);
  }

  jobOutcome(type: string, outcome: JobEventOutcome): void {
    this.jobOutcomes.push({ type, outcome });
  }

  timersFired(latenessMs: readonly number[]): void {
    this.timerLateness.push(...latenessMs);
  }

  definitionLookup(result: 'hit' | 'miss'): void {
    this.lookups.push(result);
  }

  failure(kind: FailureKind, detail: string, error?: unknown): void {
    this.failures.push({ kind, detail, error });
  }

  failuresOf(kind: FailureKind): { kind: FailureKind; detail: string; error?: unknown }[] {
    return this.failures.filter((f) => f.kind === kind);
  }
}

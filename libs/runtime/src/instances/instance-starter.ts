import type { Variables } from '@baton/engine';
import type { PrismaClient } from '@baton/store';
import type { LoadedDefinition } from '../definitions/definition-registry';
import type { RuntimeLogger, WorkPublisher } from '../execution/batch-processor';
import { INSTANCE_COLUMNS, newInstanceRow } from '../execution/batch-writer';
import { insertRows } from '../execution/bulk-sql';
import { prepareInstance } from './new-instance';

export interface StartRequest {
  readonly definition: LoadedDefinition;
  readonly variables?: Variables;
  readonly businessKey?: string | null;
  readonly startEventId?: string;
}

export interface StartedInstance {
  readonly id: string;
  readonly processKey: string;
  readonly version: number;
  readonly status: 'ACTIVE';
  readonly startedAt: Date;
}

interface Pending {
  readonly row: Record<string, unknown>;
  readonly started: StartedInstance;
  readonly resolve: (value: StartedInstance) => void;
  readonly reject: (reason: unknown) => void;
}

/**
 * Starts instances in groups: requests that arrive together are written in
 * one multi-row INSERT (one transaction) and announced in one publish. A
 * group is cut when the event loop comes round (requests that arrived in the
 * same I/O phase travel together) or at `maxBatch`; up to `maxInFlight`
 * groups write at once so a slow commit does not stall new arrivals.
 *
 * The instance is durable once its row is committed: if the publish fails
 * the request still succeeds and the sweeper enqueues the work later.
 */
export class InstanceStarter {
  private queue: Pending[] = [];
  private scheduled = false;
  private inFlight = 0;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly publisher: WorkPublisher,
    private readonly options: { maxBatch?: number; maxInFlight?: number; logger: RuntimeLogger; onStarted?: (processKey: string) => void },
  ) {}

  /** Validates synchronously (throws EngineError for a process without a none start event), writes in a group. */
  start(request: StartRequest): Promise<StartedInstance> {
    const { definition } = request;
    const instance = prepareInstance(definition, request);
    const now = new Date();
    const started: StartedInstance = {
      id: instance.id,
      processKey: definition.key,
      version: definition.version,
      status: 'ACTIVE',
      startedAt: now,
    };
    const row = newInstanceRow(instance, now);
    return new Promise<StartedInstance>((resolve, reject) => {
      this.queue.push({ row, started, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    const maxBatch = this.options.maxBatch ?? 500;
    if (this.queue.length >= maxBatch && this.inFlight < (this.options.maxInFlight ?? 4)) {
      void this.flush();
      return;
    }
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      // At the in-flight limit the queue waits: the next flush to finish drains it.
      if (this.inFlight < (this.options.maxInFlight ?? 4)) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    const group = this.queue.splice(0, this.options.maxBatch ?? 500);
    if (group.length === 0) return;
    this.inFlight++;
    try {
      // One statement is its own transaction: no BEGIN/COMMIT round trips on the hottest path.
      await insertRows(this.prisma, 'ProcessInstance', INSTANCE_COLUMNS, group.map((p) => p.row));
    } catch (e) {
      for (const p of group) p.reject(e);
      this.inFlight--;
      this.drain();
      return;
    }
    // The rows are durable: answer now. A publish that fails (or hangs while the broker is away)
    // only delays the work; every row carries pendingSince and the sweeper enqueues it.
    this.publisher
      .publish(group.map((p) => ({ instanceId: p.started.id })))
      .catch((e: unknown) =>
        this.options.logger.warn(`publishing ${group.length} new instance(s) failed, the sweeper will enqueue them: ${(e as Error).message}`),
      );
    for (const p of group) {
      this.options.onStarted?.(p.started.processKey);
      p.resolve(p.started);
    }
    this.inFlight--;
    this.drain();
  }

  private drain(): void {
    if (this.queue.length > 0) this.schedule();
  }
}

import { createInstance, processVariables, type EngineEnv, type Variables } from '@baton/engine';
import type { PrismaClient } from '@baton/store';
import type { LoadedDefinition } from '../definitions/definition-registry';
import type { RuntimeLogger, WorkPublisher } from '../execution/batch-processor';
import { insertRows } from '../execution/bulk-sql';
import { newId } from '../ids';

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
  private readonly env: EngineEnv = { now: () => Date.now(), newId };

  constructor(
    private readonly prisma: PrismaClient,
    private readonly publisher: WorkPublisher,
    private readonly options: { maxBatch?: number; maxInFlight?: number; logger: RuntimeLogger; onStarted?: (processKey: string) => void },
  ) {}

  /** Validates synchronously (throws EngineError for a process without a none start event), writes in a group. */
  start(request: StartRequest): Promise<StartedInstance> {
    const id = newId();
    const { definition } = request;
    const { state } = createInstance(
      definition.process,
      { instanceId: id, variables: request.variables, startEventId: request.startEventId },
      this.env,
    );
    const now = new Date();
    const started: StartedInstance = { id, processKey: definition.key, version: definition.version, status: 'ACTIVE', startedAt: now };
    const row = {
      id,
      definitionId: definition.id,
      processKey: definition.key,
      processVersion: definition.version,
      status: 'ACTIVE',
      businessKey: request.businessKey ?? null,
      variables: processVariables(state),
      state,
      pendingSince: now.toISOString(),
      startedAt: now.toISOString(),
    };
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
      if (this.inFlight < (this.options.maxInFlight ?? 4)) void this.flush();
      else this.scheduled = false;
    });
  }

  private async flush(): Promise<void> {
    const group = this.queue.splice(0, this.options.maxBatch ?? 500);
    if (group.length === 0) return;
    this.inFlight++;
    try {
      await this.prisma.$transaction(async (tx) => {
        await insertRows(
          tx,
          'ProcessInstance',
          [
            { name: 'id', type: 'uuid' },
            { name: 'definitionId', type: 'uuid' },
            { name: 'processKey', type: 'text' },
            { name: 'processVersion', type: 'int' },
            { name: 'status', type: 'text', cast: '"InstanceStatus"' },
            { name: 'businessKey', type: 'text' },
            { name: 'variables', type: 'jsonb' },
            { name: 'state', type: 'jsonb' },
            { name: 'pendingSince', type: 'timestamptz' },
            { name: 'startedAt', type: 'timestamptz' },
          ],
          group.map((p) => p.row),
        );
      });
    } catch (e) {
      for (const p of group) p.reject(e);
      this.inFlight--;
      this.drain();
      return;
    }
    try {
      await this.publisher.publish(group.map((p) => ({ instanceId: p.started.id })));
    } catch (e) {
      this.options.logger.warn(`publishing ${group.length} new instance(s) failed, the sweeper will enqueue them: ${(e as Error).message}`);
    }
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

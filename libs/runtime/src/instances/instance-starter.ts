import type { Variables } from '@baton/engine';
import { MicroBatcher, type Pending } from '@baton/support';
import type { LoadedDefinition } from '../definitions/definition-registry';
import type { Announcer } from '../execution/announcer';
import type { Key } from '../keys/key-generator';
import { FailureKind, notify, type RuntimeObserver } from '../observer';
import type { RuntimeStore } from '../ports/repositories';
import type { NewInstanceRecord } from '../ports/records';
import { prepareInstance } from './new-instance';

export interface StartRequest {
  readonly definition: LoadedDefinition;
  readonly variables?: Variables;
  readonly businessKey?: string | null;
  readonly startEventId?: string;
  /**
   * A client's `Idempotency-Key`: the same key (per process id and tenant)
   * within `idempotencyTtlMs` answers the first start and creates nothing.
   */
  readonly idempotencyKey?: string;
}

export interface StartedInstance {
  readonly id: Key;
  readonly bpmnProcessId: string;
  readonly version: number;
  readonly definitionId: Key;
  readonly tenantId: string;
  readonly status: 'ACTIVE';
}

export interface InstanceStarterOptions {
  readonly observer?: RuntimeObserver;
  /** How long an idempotency key is remembered. Default 24 h. */
  readonly idempotencyTtlMs?: number;
  readonly clock?: () => number;
  readonly maxBatch?: number;
  readonly maxInFlight?: number;
}

/**
 * Starts instances. Requests that arrive together are written in one
 * multi-row INSERT (its own transaction) and announced in one publish; the
 * answer comes once the rows are durable, whatever the bus does. A start with
 * an idempotency key is written in a transaction of its own with its record,
 * so a retried or concurrent request with the same key finds the first answer.
 */
export class InstanceStarter {
  private readonly batcher: MicroBatcher<NewInstanceRecord, void>;
  private readonly observer: RuntimeObserver;
  private readonly clock: () => number;

  constructor(
    private readonly store: RuntimeStore,
    private readonly announcer: Announcer,
    private readonly newKey: () => Key,
    private readonly options: InstanceStarterOptions = {},
  ) {
    this.observer = options.observer ?? {};
    this.clock = options.clock ?? Date.now;
    this.batcher = new MicroBatcher((group) => this.write(group), { maxBatch: options.maxBatch, maxInFlight: options.maxInFlight });
  }

  /** Validates synchronously (throws EngineError for a process without a none start event), writes in a group. */
  async start(request: StartRequest): Promise<StartedInstance> {
    const { definition } = request;
    const instance = prepareInstance(definition, request, this.newKey);
    const started: StartedInstance = {
      id: instance.id,
      bpmnProcessId: definition.bpmnProcessId,
      version: definition.version,
      definitionId: definition.id,
      tenantId: definition.tenantId,
      status: 'ACTIVE',
    };
    if (request.idempotencyKey !== undefined) return this.startOnce(instance, started, request.idempotencyKey);
    await this.batcher.submit(instance);
    return started;
  }

  private async write(group: readonly Pending<NewInstanceRecord, void>[]): Promise<void> {
    const now = new Date(this.clock());
    try {
      await this.store.repos.instances.insertNew(
        group.map((p) => p.item),
        now,
      );
    } catch (e) {
      notify(this.observer, 'failure', FailureKind.StartFailed, `${group.length} new instance(s) could not be written`, e);
      throw e;
    }
    this.announcer.announce(group.map((p) => p.item.id), { start: true });
    notify(
      this.observer,
      'instancesStarted',
      group.map((p) => p.item.bpmnProcessId),
    );
    for (const p of group) p.resolve();
  }

  private async startOnce(instance: NewInstanceRecord, started: StartedInstance, key: string): Promise<StartedInstance> {
    const scope = `start:${instance.tenantId}:${instance.bpmnProcessId}`;
    const now = this.clock();
    const first = await this.store.transaction(async (tx) => {
      const earlier = await tx.idempotency.claim({
        scope,
        key,
        resourceId: instance.id,
        answer: started,
        expiresAt: new Date(now + (this.options.idempotencyTtlMs ?? 24 * 3600_000)),
      });
      if (earlier !== null) return earlier as StartedInstance;
      await tx.instances.insertNew([instance], new Date(now));
      return null;
    });
    if (first !== null) return first;
    this.announcer.announce([instance.id], { start: true });
    notify(this.observer, 'instancesStarted', [instance.bpmnProcessId]);
    return started;
  }
}

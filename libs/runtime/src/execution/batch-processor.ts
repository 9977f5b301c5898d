import { EngineError, execute, hasReadyWork, type EngineEnv, type EngineEvent, type InstanceState } from '@baton/engine';
import type { PrismaClient } from '@baton/store';
import type { DefinitionRegistry, LoadedDefinition } from '../definitions/definition-registry';
import { newId } from '../ids';
import { deliverSignal, takeBufferedMessages } from '../correlation/correlation';
import { BatchWriter, type InstanceHead } from './batch-writer';
import type { Tx } from './bulk-sql';
import { prepareInstance } from '../instances/new-instance';

/** The part of the token bus the runtime publishes through. */
export interface WorkPublisher {
  publish(items: readonly { readonly instanceId: string }[]): Promise<void>;
}

export interface RuntimeLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface BatchProcessorOptions {
  /** Instances stepped between two yields to the event loop (MAX_PARALLEL_TOKENS). */
  readonly maxParallel: number;
  readonly stepBudget: number;
  readonly logger: RuntimeLogger;
  /** Observes each committed batch (metrics). */
  readonly onBatch?: (report: BatchReport) => void;
}

export interface ProcessOptions {
  /** Block on rows another transaction holds instead of skipping them. */
  readonly wait?: boolean;
  /** Events applied after each instance's inbox, not stored (the caller's own command). */
  readonly events?: ReadonlyMap<string, readonly EngineEvent[]>;
  /**
   * Sees each locked row before it is stepped; throwing rolls the batch back
   * and rejects `process` with that error (a command's 404/409/422).
   */
  readonly guard?: (instance: LockedInstance) => void;
}

/** A row as `process` locked it. */
export interface LockedInstance {
  readonly id: string;
  readonly status: 'ACTIVE' | 'SUSPENDED' | 'COMPLETED' | 'CANCELED';
  readonly state: InstanceState;
}

export interface BatchReport {
  readonly items: number;
  /** Instances stepped and committed. */
  readonly stepped: number;
  /** Instances locked by another worker: their items were put back on the queue. */
  readonly requeued: number;
  readonly completed: { processKey: string; startedAt: Date }[];
  readonly canceled: { processKey: string }[];
  readonly started: { processKey: string }[];
  readonly historyEvents: number;
  readonly seconds: number;
}

interface Row {
  id: string;
  definitionId: string;
  processKey: string;
  status: 'ACTIVE' | 'SUSPENDED' | 'COMPLETED' | 'CANCELED';
  state: InstanceState;
  parentInstanceId: string | null;
  parentElementInstanceId: string | null;
  startedAt: Date;
}

interface StoredEvent {
  id: string;
  instanceId: string;
  event: EngineEvent;
}

/**
 * The worker's unit of work (DESIGN §2): for a batch of work items, lock the
 * touched instances (rows another worker holds are skipped and re-queued),
 * load their inboxes, run each forward with the engine, write everything in
 * one transaction, then publish follow-up work. The caller acks the items
 * only after `process` resolved, so a crash at any point loses nothing: the
 * transaction either committed (the redelivered items find nothing left to
 * do) or it did not (the items are redelivered and run again).
 */
export class BatchProcessor {
  private readonly env: EngineEnv;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly registry: DefinitionRegistry,
    private readonly publisher: WorkPublisher,
    private readonly options: BatchProcessorOptions,
  ) {
    this.env = { now: () => Date.now(), newId, stepBudget: options.stepBudget };
  }

  /**
   * Processes the work of these instances. `wait` blocks on rows another
   * transaction holds instead of skipping them (API commands on one instance);
   * `events` are applied after each instance's inbox, without being stored
   * (the caller's own command, e.g. cancel); `guard` checks a command's
   * preconditions under the row lock, and its throw rolls everything back.
   */
  async process(instanceIds: readonly string[], options: ProcessOptions = {}): Promise<BatchReport> {
    const started = process.hrtime.bigint();
    const ids = [...new Set(instanceIds)];
    const writer = new BatchWriter(new Date());
    let requeue: string[] = [];
    const completed: BatchReport['completed'] = [];
    const canceled: BatchReport['canceled'] = [];
    const startedInstances: BatchReport['started'] = [];
    let stepped = 0;
    let historyEvents = 0;

    await this.prisma.$transaction(
      async (tx) => {
        const rows = await tx.$queryRawUnsafe<Row[]>(
          `SELECT id, "definitionId", "processKey", status::text AS status, state,
                  "parentInstanceId", "parentElementInstanceId", "startedAt"
             FROM "ProcessInstance" WHERE id = ANY($1::uuid[])
            ORDER BY id -- one lock order for every transaction that locks several instances
              FOR UPDATE${options.wait ? '' : ' SKIP LOCKED'}`,
          ids,
        );
        requeue = await this.lockedElsewhere(tx, ids, rows);
        if (rows.length === 0) return;
        if (options.guard !== undefined) {
          for (const row of rows) options.guard({ id: row.id, status: row.status, state: row.state });
        }
        const events = await this.inboxes(
          tx,
          rows.map((r) => r.id),
        );
        const definitions = await this.definitions(rows);

        for (let i = 0; i < rows.length; i++) {
          if (i > 0 && i % this.options.maxParallel === 0) await yieldToEventLoop();
          const row = rows[i];
          const inbox = events.get(row.id) ?? [];
          const definition = definitions.get(row.definitionId);
          if (definition === undefined) {
            this.options.logger.error(`instance ${row.id}: definition ${row.definitionId} not found; left as it is`);
            continue;
          }
          const extra = options.events?.get(row.id) ?? [];
          const result = this.step(row, definition, [...inbox.map((e) => e.event), ...extra]);
          if (result === null) continue;
          writer.consumeEvents(inbox.map((e) => e.id));
          writer.stepped(head(row), result);
          stepped++;
          for (const effect of result.effects) {
            if (effect.type === 'history') historyEvents++;
            else if (effect.type === 'instanceEnded') {
              if (effect.status === 'COMPLETED') completed.push({ processKey: row.processKey, startedAt: row.startedAt });
              else canceled.push({ processKey: row.processKey });
            }
          }
        }

        await this.startChildren(writer, startedInstances);
        await this.cancelChildren(tx, writer);
        await this.broadcastSignals(tx, writer, startedInstances);
        await this.deliverBufferedMessages(tx, writer);
        await writer.flush(tx);
      },
      { isolationLevel: 'ReadCommitted', maxWait: 10_000, timeout: 60_000 },
    );

    const publish = [...writer.publish, ...requeue];
    if (publish.length > 0) {
      try {
        await this.publisher.publish(publish.map((instanceId) => ({ instanceId })));
      } catch (e) {
        // Committed but not published: every such instance carries pendingSince, so the sweeper re-enqueues it.
        this.options.logger.warn(`publishing ${publish.length} follow-up item(s) failed, the sweeper will retry: ${(e as Error).message}`);
      }
    }
    const report: BatchReport = {
      items: instanceIds.length,
      stepped,
      requeued: requeue.length,
      completed,
      canceled,
      started: startedInstances,
      historyEvents,
      seconds: Number(process.hrtime.bigint() - started) / 1e9,
    };
    this.options.onBatch?.(report);
    return report;
  }

  /** Runs one instance forward; null when there is nothing to do for it now. */
  private step(row: Row, definition: LoadedDefinition, events: EngineEvent[]) {
    try {
      // A duplicate hint: no events and nothing READY, so there is nothing to write either.
      if (events.length === 0 && (row.status !== 'ACTIVE' || !hasReadyWork(row.state))) return null;
      if (row.status === 'ACTIVE') return execute(definition.process, row.state, events, this.env);
      if (row.status === 'SUSPENDED') {
        // A suspended instance does not advance; only a cancel goes through (and makes the rest moot).
        if (!events.some((e) => e.type === 'cancel')) return null;
        return execute(definition.process, row.state, [{ type: 'cancel' }], this.env);
      }
      // Ended: whatever is still in the inbox is stale.
      return { state: row.state, effects: [] };
    } catch (e) {
      if (e instanceof EngineError) {
        this.options.logger.error(`instance ${row.id}: engine refused to step (${e.code}): ${e.message}`);
        return null;
      }
      throw e;
    }
  }

  /** Of the ids not locked here, those that exist are held by another worker: re-queue them. */
  private async lockedElsewhere(tx: Tx, ids: string[], rows: Row[]): Promise<string[]> {
    if (rows.length === ids.length) return [];
    const locked = new Set(rows.map((r) => r.id));
    const missing = ids.filter((id) => !locked.has(id));
    const existing = await tx.$queryRawUnsafe<{ id: string }[]>(
      `SELECT id FROM "ProcessInstance" WHERE id = ANY($1::uuid[])`,
      missing,
    );
    if (existing.length < missing.length) {
      const known = new Set(existing.map((r) => r.id));
      this.options.logger.warn(`dropping work for unknown instance(s): ${missing.filter((id) => !known.has(id)).join(', ')}`);
    }
    return existing.map((r) => r.id);
  }

  private async inboxes(tx: Tx, ids: string[]): Promise<Map<string, StoredEvent[]>> {
    const events = await tx.$queryRawUnsafe<StoredEvent[]>(
      `SELECT id::text AS id, "instanceId", event FROM "InstanceEvent" WHERE "instanceId" = ANY($1::uuid[]) ORDER BY id`,
      ids,
    );
    const byInstance = new Map<string, StoredEvent[]>();
    for (const event of events) {
      const list = byInstance.get(event.instanceId);
      if (list === undefined) byInstance.set(event.instanceId, [event]);
      else list.push(event);
    }
    return byInstance;
  }

  /** The definitions of the batch; one that fails to load leaves only its own instances behind. */
  private async definitions(rows: Row[]): Promise<Map<string, LoadedDefinition>> {
    const ids = [...new Set(rows.map((r) => r.definitionId))];
    const loaded = await Promise.allSettled(ids.map((id) => this.registry.byId(id)));
    const map = new Map<string, LoadedDefinition>();
    loaded.forEach((result, i) => {
      if (result.status === 'fulfilled' && result.value !== null) map.set(result.value.id, result.value);
      else if (result.status === 'rejected') {
        this.options.logger.error(`definition ${ids[i]} cannot be loaded: ${(result.reason as Error).message}`);
      }
    });
    return map;
  }

  /** Call activities: a child instance of the latest version, or a CALLED_ELEMENT_ERROR incident. */
  private async startChildren(writer: BatchWriter, started: BatchReport['started']): Promise<void> {
    for (const start of writer.childStarts) {
      const definition = await this.registry.byKey(start.processId);
      if (definition === null) {
        writer.addEvent(start.parent.id, {
          type: 'incident',
          elementInstanceId: start.elementInstanceId,
          incidentType: 'CALLED_ELEMENT_ERROR',
          message: `the called process '${start.processId}' is not deployed`,
        });
        continue;
      }
      try {
        writer.addInstance(
          prepareInstance(definition, {
            variables: start.variables,
            parent: { instanceId: start.parent.id, elementInstanceId: start.elementInstanceId },
          }),
        );
        started.push({ processKey: definition.key });
      } catch (e) {
        writer.addEvent(start.parent.id, {
          type: 'incident',
          elementInstanceId: start.elementInstanceId,
          incidentType: 'CALLED_ELEMENT_ERROR',
          message: `the called process '${start.processId}' cannot be started: ${(e as Error).message}`,
        });
      }
    }
  }

  private async cancelChildren(tx: Tx, writer: BatchWriter): Promise<void> {
    if (writer.childrenToCancel.length === 0) return;
    const children = await tx.$queryRawUnsafe<{ id: string }[]>(
      `SELECT id FROM "ProcessInstance"
        WHERE "parentElementInstanceId" = ANY($1::uuid[]) AND status IN ('ACTIVE', 'SUSPENDED')`,
      writer.childrenToCancel,
    );
    for (const child of children) writer.addEvent(child.id, { type: 'cancel' });
  }

  /** Thrown signals reach every signal subscription and start an instance per signal start event. */
  private async broadcastSignals(tx: Tx, writer: BatchWriter, started: BatchReport['started']): Promise<void> {
    for (const signal of writer.signals) {
      const delivery = await deliverSignal(tx, this.registry, signal.name, signal.variables);
      for (const e of delivery.events) writer.addEvent(e.instanceId, e.event);
      for (const instance of delivery.instances) {
        writer.addInstance(instance);
        started.push({ processKey: instance.processKey });
      }
    }
  }

  /** Subscriptions opened in this batch take the buffered messages that were waiting for them. */
  private async deliverBufferedMessages(tx: Tx, writer: BatchWriter): Promise<void> {
    const opened = writer.openedMessageSubscriptions();
    if (opened.length === 0) return;
    const waiting = await tx.$queryRawUnsafe<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM "BufferedMessage" WHERE "expiresAt" > now() AND name = ANY($1::text[])`,
      [...new Set(opened.map((s) => s.messageName))],
    );
    if (waiting[0].n === 0) return;
    for (const { subscription, instanceId, event } of await takeBufferedMessages(tx, opened)) {
      writer.addEvent(instanceId, event);
      if (subscription.interrupting) writer.dropMessageSubscription(subscription.key);
    }
  }
}

function head(row: Row): InstanceHead {
  return {
    id: row.id,
    processKey: row.processKey,
    parentInstanceId: row.parentInstanceId,
    parentElementInstanceId: row.parentElementInstanceId,
  };
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

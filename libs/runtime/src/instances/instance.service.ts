import { processVariables, type EngineEvent, type InstanceState, type Variables } from '@baton/engine';
import type { PrismaClient } from '@baton/store';
import { takeBufferedMessages } from '../correlation/correlation';
import type { DefinitionRegistry } from '../definitions/definition-registry';
import type { BatchProcessor, BatchReport, LockedInstance, RuntimeLogger, WorkPublisher } from '../execution/batch-processor';
import { inTransaction, type Tx } from '../execution/bulk-sql';
import { RuntimeError } from '../runtime-error';
import type { VariableLimits } from '../variable-limits';
import { appendEvents } from './instance-inbox';
import type { InstanceStarter } from './instance-starter';
import {
  instanceView,
  isEnded,
  summaryView,
  type HistoryItemView,
  type InstanceStatus,
  type InstanceSummaryView,
  type InstanceView,
  type StartedInstanceView,
} from './instance.views';
import { isUuid, pageOf, type Page, type PageRequest } from './listing';

export interface StartCommand {
  readonly variables?: Variables;
  readonly businessKey?: string | null;
  /** A deployed version of the key; default the latest. */
  readonly version?: number;
}

export interface InstanceQuery extends PageRequest {
  readonly status?: InstanceStatus;
  readonly processKey?: string;
  readonly businessKey?: string;
}

/** The guard saw the instance SUSPENDED (it was suspended after we looked): take the suspended path. */
class BecameSuspended extends Error {}

/**
 * The instance use cases behind `/processes/{key}/instances` and
 * `/instances/**`. Commands that need the engine (cancel, variables of an
 * ACTIVE instance) run synchronously through the BatchProcessor, with their
 * preconditions checked under the instance's row lock; suspend and resume only
 * flip the status, guarded by the current one.
 */
export class InstanceService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly registry: DefinitionRegistry,
    private readonly starter: InstanceStarter,
    private readonly processor: BatchProcessor,
    private readonly publisher: WorkPublisher,
    private readonly limits: VariableLimits,
    private readonly logger: RuntimeLogger,
  ) {}

  /** The hottest route: checks, then hands over to the InstanceStarter, which groups concurrent starts. */
  async start(key: string, command: StartCommand): Promise<StartedInstanceView> {
    this.limits.check(command.variables);
    const definition = await this.registry.byKey(key, command.version);
    if (definition === null) {
      throw RuntimeError.notFound(
        command.version === undefined ? `process '${key}'` : `version ${command.version} of process '${key}'`,
      );
    }
    const started = await this.starter.start({
      definition,
      variables: command.variables,
      businessKey: command.businessKey ?? null,
    });
    return { id: started.id, processKey: started.processKey, version: started.version, status: started.status };
  }

  async get(id: string): Promise<InstanceView> {
    if (!isUuid(id)) throw notFound(id);
    const [row, incidents] = await Promise.all([
      this.prisma.processInstance.findUnique({ where: { id } }),
      this.prisma.incident.findMany({ where: { instanceId: id, resolvedAt: null }, orderBy: { createdAt: 'asc' } }),
    ]);
    if (row === null) throw notFound(id);
    return instanceView(row, incidents);
  }

  /** Newest first: ids are UUIDv7, so `id DESC` is start order and the id is the cursor. */
  async list(query: InstanceQuery): Promise<Page<InstanceSummaryView>> {
    const rows = await this.prisma.processInstance.findMany({
      where: {
        status: query.status,
        processKey: query.processKey,
        businessKey: query.businessKey,
        ...(query.cursor !== undefined ? { id: { lt: query.cursor } } : {}),
      },
      orderBy: { id: 'desc' },
      take: query.limit + 1,
      select: {
        id: true,
        processKey: true,
        processVersion: true,
        status: true,
        businessKey: true,
        parentInstanceId: true,
        startedAt: true,
        endedAt: true,
      },
    });
    return pageOf(rows, query.limit, summaryView, (r) => r.id);
  }

  /** In the order the events were written; the cursor is the last event's id. */
  async history(id: string, page: PageRequest): Promise<Page<HistoryItemView>> {
    if (!isUuid(id)) throw notFound(id);
    const [exists, rows] = await Promise.all([
      this.prisma.processInstance.findUnique({ where: { id }, select: { id: true } }),
      this.prisma.historyEvent.findMany({
        where: { instanceId: id, ...(page.cursor !== undefined ? { id: { gt: BigInt(page.cursor) } } : {}) },
        orderBy: { id: 'asc' },
        take: page.limit + 1,
      }),
    ]);
    if (exists === null) throw notFound(id);
    return pageOf(
      rows,
      page.limit,
      (r) => ({
        id: r.id.toString(),
        type: r.type,
        elementId: r.elementId,
        elementType: r.elementType,
        elementInstanceId: r.elementInstanceId,
        at: r.at.toISOString(),
      }),
      (r) => r.id.toString(),
    );
  }

  /** Cancels through the engine (tokens terminated, tasks and jobs closed, children canceled by the worker). */
  async cancel(id: string): Promise<InstanceView> {
    await this.status(id, 'cancel');
    const report = await this.processor.process([id], {
      wait: true,
      events: new Map([[id, [{ type: 'cancel' }]]]),
      guard: (instance) => refuseEnded(instance, 'cancel'),
    });
    // Events in its inbox (applied first) completed it before the cancel came.
    if (report.completed.length > 0) throw RuntimeError.conflict(`instance ${id} completed before it could be canceled`);
    return this.get(id);
  }

  async suspend(id: string): Promise<InstanceView> {
    if (!isUuid(id)) throw notFound(id);
    const changed = await this.prisma.$queryRawUnsafe<{ id: string }[]>(
      `UPDATE "ProcessInstance" SET status = 'SUSPENDED', rev = rev + 1
        WHERE id = $1::uuid AND status = 'ACTIVE' RETURNING id`,
      id,
    );
    if (changed.length === 0) {
      const status = await this.status(id, 'suspend');
      throw RuntimeError.conflict(`instance ${id} is ${status}; only an ACTIVE instance can be suspended`);
    }
    return this.get(id);
  }

  /**
   * Back to ACTIVE; work that arrived or was due while suspended (pendingSince) is queued again.
   * Messages skip suspended instances and are buffered when they have a TTL (DESIGN §4.1), so
   * the instance's open subscriptions take the live buffered messages that match them, in the
   * same transaction as the status change. Due timers need nothing here: the timer poller skips
   * a suspended instance's timers, and they fire on its next pass.
   */
  async resume(id: string): Promise<InstanceView> {
    if (!isUuid(id)) throw notFound(id);
    const resumed = await inTransaction(this.prisma, async (tx) => {
      const changed = await tx.$queryRawUnsafe<{ pendingSince: Date | null }[]>(
        `UPDATE "ProcessInstance" SET status = 'ACTIVE', rev = rev + 1
          WHERE id = $1::uuid AND status = 'SUSPENDED' RETURNING "pendingSince"`,
        id,
      );
      if (changed.length === 0) return null;
      const delivered = await this.takeBufferedMessages(tx, id);
      if (delivered > 0) {
        await tx.$executeRawUnsafe(
          `UPDATE "ProcessInstance" SET "pendingSince" = COALESCE("pendingSince", now()) WHERE id = $1::uuid`,
          id,
        );
      }
      return { pending: changed[0].pendingSince !== null || delivered > 0 };
    });
    if (resumed === null) {
      const status = await this.status(id, 'resume');
      throw RuntimeError.conflict(`instance ${id} is ${status}; only a SUSPENDED instance can be resumed`);
    }
    if (resumed.pending) await this.publish(id);
    return this.get(id);
  }

  /** Hands the instance's open message subscriptions the live buffered messages that match them; returns how many. */
  private async takeBufferedMessages(tx: Tx, instanceId: string): Promise<number> {
    const subscriptions = await tx.$queryRawUnsafe<
      { id: string; instanceId: string; ownerInstanceId: string; elementId: string; messageName: string; correlationKey: string; interrupting: boolean }[]
    >(
      `SELECT id, "instanceId", "ownerInstanceId", "elementId", "messageName", COALESCE("correlationKey", '') AS "correlationKey", interrupting
         FROM "MessageSubscription" WHERE "instanceId" = $1::uuid AND "ownerInstanceId" IS NOT NULL
        ORDER BY "createdAt", id`,
      instanceId,
    );
    if (subscriptions.length === 0) return 0;
    const delivered = await takeBufferedMessages(tx, subscriptions);
    // As when a message is published: a one-shot subscription is consumed by the message it took.
    const consumed = delivered.filter((d) => d.subscription.interrupting).map((d) => d.subscription.id);
    if (consumed.length > 0) await tx.$executeRawUnsafe(`DELETE FROM "MessageSubscription" WHERE id = ANY($1::uuid[])`, consumed);
    await appendEvents(
      tx,
      delivered.map((d) => ({ instanceId: d.instanceId, event: d.event })),
    );
    return delivered.length;
  }

  /**
   * Merges `variables` into the process scope and answers the whole map. An
   * ACTIVE instance goes through the engine (the setVariables event, after
   * its inbox); a SUSPENDED one only has its variables written, its tokens
   * stay where they are (as in Camunda 7).
   */
  async patchVariables(id: string, variables: Variables): Promise<{ variables: Variables }> {
    this.limits.check(variables);
    for (let attempt = 0; attempt < 5; attempt++) {
      const status = await this.status(id, 'set variables of');
      if (status === 'SUSPENDED') {
        const written = await this.patchSuspended(id, variables);
        if (written !== null) return { variables: written };
        continue;
      }
      const events = new Map<string, EngineEvent[]>([[id, [{ type: 'setVariables', variables }]]]);
      let report: BatchReport;
      try {
        report = await this.processor.process([id], {
          wait: true,
          events,
          guard: (instance) => {
            refuseEnded(instance, 'set variables of');
            if (instance.status === 'SUSPENDED') throw new BecameSuspended();
            this.limits.check(variables, processVariables(instance.state));
          },
        });
      } catch (e) {
        if (e instanceof BecameSuspended) continue;
        throw e;
      }
      // The engine applies the event after the inbox and the READY work, and
      // nothing after an instance ended; setVariables itself never ends one.
      // So an instance that ended in this step ended before the variables.
      if (report.completed.length > 0 || report.canceled.length > 0) {
        throw RuntimeError.conflict(`instance ${id} ended before its variables could be written`);
      }
      if (report.stepped === 0) throw new Error(`instance ${id} was not stepped; its variables were not written`);
      const row = await this.prisma.processInstance.findUnique({ where: { id }, select: { variables: true } });
      if (row === null) throw notFound(id);
      return { variables: row.variables as Variables };
    }
    throw RuntimeError.conflict(`instance ${id} kept changing between ACTIVE and SUSPENDED; try again`);
  }

  /** Null when the instance is no longer SUSPENDED (resumed meanwhile). */
  private patchSuspended(id: string, variables: Variables): Promise<Variables | null> {
    return this.prisma.$transaction(async (tx) => {
      const rows = await tx.$queryRawUnsafe<{ status: InstanceStatus; state: InstanceState }[]>(
        `SELECT status::text AS status, state FROM "ProcessInstance" WHERE id = $1::uuid FOR UPDATE`,
        id,
      );
      if (rows.length === 0) throw notFound(id);
      if (rows[0].status !== 'SUSPENDED') return null;
      this.limits.check(variables, processVariables(rows[0].state));
      const state = withProcessVariables(rows[0].state, variables);
      const merged = processVariables(state);
      await tx.$executeRawUnsafe(
        `UPDATE "ProcessInstance" SET state = $2::jsonb, variables = $3::jsonb, rev = rev + 1 WHERE id = $1::uuid`,
        id,
        JSON.stringify(state),
        JSON.stringify(merged),
      );
      return merged;
    });
  }

  /** The current status; 404 for an unknown id, 409 for an ended instance. */
  private async status(id: string, action: string): Promise<InstanceStatus> {
    if (!isUuid(id)) throw notFound(id);
    const row = await this.prisma.processInstance.findUnique({ where: { id }, select: { status: true } });
    if (row === null) throw notFound(id);
    refuseEnded({ id, status: row.status }, action);
    return row.status;
  }

  private async publish(instanceId: string): Promise<void> {
    try {
      await this.publisher.publish([{ instanceId }]);
    } catch (e) {
      // pendingSince is set: the sweeper enqueues it.
      this.logger.warn(`publishing work for instance ${instanceId} failed, the sweeper will retry: ${(e as Error).message}`);
    }
  }
}

const notFound = (id: string): RuntimeError => RuntimeError.notFound(`process instance '${id}'`);

function refuseEnded(instance: Pick<LockedInstance, 'id' | 'status'>, action: string): void {
  if (isEnded(instance.status)) {
    throw RuntimeError.conflict(`instance ${instance.id} is ${instance.status}; cannot ${action} an ended instance`);
  }
}

/** The engine's `setVariables` on the process scope, for an instance that must not run. */
function withProcessVariables(state: InstanceState, variables: Variables): InstanceState {
  const root = state.elements[state.rootId];
  if (root === undefined) return state;
  return {
    ...state,
    elements: { ...state.elements, [state.rootId]: { ...root, variables: { ...root.variables, ...variables } } },
  };
}

import {
  hasReadyWork,
  processVariables,
  type Effect,
  type EngineEvent,
  type InstanceState,
  type StepResult,
  type Variables,
} from '@baton/engine';
import { newId } from '../ids';
import { insertRows, type Column, type Tx } from './bulk-sql';

/** What the writer needs to know about a stored instance. */
export interface InstanceHead {
  readonly id: string;
  readonly processKey: string;
  readonly parentInstanceId: string | null;
  readonly parentElementInstanceId: string | null;
}

export interface NewInstance {
  readonly id: string;
  readonly definitionId: string;
  readonly processKey: string;
  readonly processVersion: number;
  readonly businessKey: string | null;
  readonly state: InstanceState;
  readonly parentInstanceId: string | null;
  readonly parentElementInstanceId: string | null;
}

export interface ChildStart {
  readonly parent: InstanceHead;
  readonly elementInstanceId: string;
  readonly processId: string;
  readonly variables: Variables;
}

export interface ThrownSignal {
  readonly name: string;
  readonly variables: Variables;
}

/** The columns a new instance row is written with (starts, children, start events). */
export const INSTANCE_COLUMNS: readonly Column[] = [
  { name: 'id', type: 'uuid' },
  { name: 'definitionId', type: 'uuid' },
  { name: 'processKey', type: 'text' },
  { name: 'processVersion', type: 'int' },
  { name: 'status', type: 'text', cast: '"InstanceStatus"' },
  { name: 'businessKey', type: 'text' },
  { name: 'variables', type: 'jsonb' },
  { name: 'state', type: 'jsonb' },
  { name: 'parentInstanceId', type: 'uuid' },
  { name: 'parentElementInstanceId', type: 'uuid' },
  { name: 'pendingSince', type: 'timestamptz' },
  { name: 'startedAt', type: 'timestamptz' },
];

/** A new, not yet run instance as a row: pending until a worker has run it. */
export function newInstanceRow(instance: NewInstance, now: Date): Record<string, unknown> {
  return {
    id: instance.id,
    definitionId: instance.definitionId,
    processKey: instance.processKey,
    processVersion: instance.processVersion,
    status: 'ACTIVE',
    businessKey: instance.businessKey,
    variables: processVariables(instance.state),
    state: instance.state,
    parentInstanceId: instance.parentInstanceId,
    parentElementInstanceId: instance.parentElementInstanceId,
    pendingSince: now.toISOString(),
    startedAt: now.toISOString(),
  };
}

export async function insertNewInstances(tx: Tx, instances: readonly NewInstance[], now: Date): Promise<void> {
  await insertRows(
    tx,
    'ProcessInstance',
    INSTANCE_COLUMNS,
    instances.map((i) => newInstanceRow(i, now)),
  );
}

/** How the rows of one kind of wait state are written and ended. */
interface KeyedTable {
  readonly table: string;
  readonly columns: readonly Column[];
  readonly onConflict: string;
  /** Ends the rows of closed keys: `$1` the keys, `$2` (with `closeUsesTime`) the batch time. */
  readonly close: string;
  readonly closeUsesTime?: true;
}

const col = (name: string, type: string): Column => ({ name, type });

const JOBS: KeyedTable = {
  table: 'Job',
  columns: [
    col('id', 'uuid'),
    col('key', 'text'),
    col('instanceId', 'uuid'),
    col('elementInstanceId', 'uuid'),
    col('elementId', 'text'),
    col('processKey', 'text'),
    col('type', 'text'),
    col('retries', 'int'),
    col('customHeaders', 'jsonb'),
    col('availableAt', 'timestamptz'),
    col('createdAt', 'timestamptz'),
  ],
  // The key is the element instance: a job is created again for it only when the element is
  // activated again (an incident on it was resolved), and then it starts afresh.
  onConflict: `ON CONFLICT (key) DO UPDATE SET state = 'ACTIVATABLE', retries = EXCLUDED.retries, "workerId" = NULL,
     "lockExpiresAt" = NULL, "availableAt" = EXCLUDED."availableAt", "errorMessage" = NULL`,
  close: `UPDATE "Job" SET state = 'CANCELED', "workerId" = NULL, "lockExpiresAt" = NULL
           WHERE key = ANY($1::text[]) AND state IN ('ACTIVATABLE', 'ACTIVATED', 'FAILED')`,
};

const USER_TASKS: KeyedTable = {
  table: 'UserTask',
  columns: [
    col('id', 'uuid'),
    col('instanceId', 'uuid'),
    col('processKey', 'text'),
    col('elementId', 'text'),
    col('name', 'text'),
    col('assignee', 'text'),
    col('candidateGroups', 'text[]'),
    col('candidateUsers', 'text[]'),
    col('formKey', 'text'),
    col('dueDate', 'timestamptz'),
    col('followUpDate', 'timestamptz'),
    col('createdAt', 'timestamptz'),
  ],
  onConflict: 'ON CONFLICT (id) DO NOTHING',
  close: `UPDATE "UserTask" SET state = 'CANCELED', "completedAt" = $2::timestamptz
           WHERE id = ANY($1::uuid[]) AND state = 'CREATED'`,
  closeUsesTime: true,
};

const TIMERS: KeyedTable = {
  table: 'Timer',
  columns: [
    col('id', 'uuid'),
    col('key', 'text'),
    col('instanceId', 'uuid'),
    col('ownerInstanceId', 'uuid'),
    col('elementId', 'text'),
    col('dueAt', 'timestamptz'),
    col('createdAt', 'timestamptz'),
  ],
  // A timer cycle re-arms under the same key.
  onConflict: `ON CONFLICT (key) DO UPDATE SET "dueAt" = EXCLUDED."dueAt", state = 'SCHEDULED'`,
  close: `UPDATE "Timer" SET state = 'CANCELED' WHERE key = ANY($1::text[]) AND state = 'SCHEDULED'`,
};

const SUBSCRIPTION_COLUMNS = [
  col('id', 'uuid'),
  col('key', 'text'),
  col('instanceId', 'uuid'),
  col('ownerInstanceId', 'uuid'),
  col('elementId', 'text'),
  col('processKey', 'text'),
  col('createdAt', 'timestamptz'),
];

const MESSAGE_SUBSCRIPTIONS: KeyedTable = {
  table: 'MessageSubscription',
  columns: [...SUBSCRIPTION_COLUMNS, col('messageName', 'text'), col('correlationKey', 'text'), col('interrupting', 'boolean')],
  onConflict: 'ON CONFLICT (key) DO NOTHING',
  close: `DELETE FROM "MessageSubscription" WHERE key = ANY($1::text[])`,
};

const SIGNAL_SUBSCRIPTIONS: KeyedTable = {
  table: 'SignalSubscription',
  columns: [...SUBSCRIPTION_COLUMNS, col('signalName', 'text')],
  onConflict: 'ON CONFLICT (key) DO NOTHING',
  close: `DELETE FROM "SignalSubscription" WHERE key = ANY($1::text[])`,
};

type Op<T> = { readonly kind: 'open'; readonly row: T } | { readonly kind: 'close' };

/**
 * Collects the writes of one batch (the engine's effects for many instances)
 * and flushes them in one transaction with one statement per table. Wait-state
 * rows are folded by their effect key, so the last of "open, close, open" wins.
 *
 * Effects that need a lookup before they can be written (children to start,
 * signals to broadcast, children to cancel) are collected for the caller,
 * which resolves them and hands back rows and events.
 */
export class BatchWriter {
  /** Instances that have work for a worker once this batch has committed. */
  readonly publish = new Set<string>();
  readonly childStarts: ChildStart[] = [];
  readonly signals: ThrownSignal[] = [];
  readonly childrenToCancel: string[] = [];

  private readonly updates: Record<string, unknown>[] = [];
  private readonly inserts: Record<string, unknown>[] = [];
  private readonly history: Record<string, unknown>[] = [];
  private readonly events: Record<string, unknown>[] = [];
  private readonly consumed: string[] = [];
  private readonly jobs = new Map<string, Op<Record<string, unknown>>>();
  private readonly userTasks = new Map<string, Op<Record<string, unknown>>>();
  private readonly timers = new Map<string, Op<Record<string, unknown>>>();
  private readonly messageSubs = new Map<string, Op<Record<string, unknown>>>();
  private readonly signalSubs = new Map<string, Op<Record<string, unknown>>>();
  private readonly incidents: Record<string, unknown>[] = [];
  private readonly resolvedIncidents: string[] = [];
  private readonly canceledInstances: string[] = [];

  /** `now` as ISO 8601, made once: every row of the batch carries it (toISOString per effect showed in profiles). */
  private readonly at: string;
  /** The last history time converted, and its ISO form: the effects of one step share their time. */
  private lastHistoryMs = NaN;
  private lastHistoryIso = '';

  constructor(private readonly now: Date) {
    this.at = now.toISOString();
  }

  get isEmpty(): boolean {
    return this.updates.length === 0 && this.inserts.length === 0 && this.events.length === 0 && this.consumed.length === 0;
  }

  /** Message subscriptions this batch opens (for buffered messages waiting for them). */
  openedMessageSubscriptions(): {
    key: string;
    instanceId: string;
    ownerInstanceId: string;
    elementId: string;
    messageName: string;
    correlationKey: string;
    interrupting: boolean;
  }[] {
    const opened = [];
    for (const op of this.messageSubs.values()) {
      if (op.kind === 'open') opened.push(op.row as ReturnType<BatchWriter['openedMessageSubscriptions']>[number]);
    }
    return opened;
  }

  /** A one-shot subscription that was satisfied before it was written: it is never written. */
  dropMessageSubscription(key: string): void {
    this.messageSubs.set(key, { kind: 'close' });
  }

  consumeEvents(ids: readonly string[]): void {
    this.consumed.push(...ids);
  }

  /** Queues an event into an instance's inbox and marks the instance for publishing. */
  addEvent(instanceId: string, event: EngineEvent): void {
    this.events.push({ instanceId, event });
    this.publish.add(instanceId);
  }

  addInstance(instance: NewInstance): void {
    this.inserts.push(newInstanceRow(instance, this.now));
    this.publish.add(instance.id);
  }

  /** A settled instance whose inbox held only stale events: clear its pending mark. */
  settle(instance: InstanceHead, state: InstanceState, status: string): void {
    this.updates.push({
      id: instance.id,
      state,
      variables: processVariables(state),
      status,
      pendingSince: null,
      endedAt: null,
      keepEnded: true,
    });
  }

  /** Records one instance's step: its new state and every effect, translated to rows. */
  stepped(instance: InstanceHead, result: StepResult): void {
    const { state, effects } = result;
    const ready = hasReadyWork(state);
    let endedAt: string | null = null;
    for (const effect of effects) {
      const ended = this.effect(instance, effect);
      if (ended) endedAt = this.at;
    }
    this.updates.push({
      id: instance.id,
      state,
      variables: processVariables(state),
      status: state.status,
      pendingSince: ready ? this.at : null,
      endedAt,
      keepEnded: endedAt === null,
    });
    if (ready) this.publish.add(instance.id);
  }

  /** Returns true when the effect ends the instance. */
  private effect(instance: InstanceHead, effect: Effect): boolean {
    const at = this.at;
    switch (effect.type) {
      case 'history':
        this.history.push({
          instanceId: instance.id,
          type: effect.historyType,
          elementId: effect.elementId,
          elementType: effect.elementType,
          elementInstanceId: effect.elementInstanceId,
          at: this.historyIso(effect.at),
        });
        return false;
      case 'createJob':
        this.jobs.set(effect.key, {
          kind: 'open',
          row: {
            id: newId(),
            key: effect.key,
            instanceId: instance.id,
            elementInstanceId: effect.elementInstanceId,
            elementId: effect.elementId,
            processKey: instance.processKey,
            type: effect.jobType,
            retries: effect.retries,
            customHeaders: effect.customHeaders,
            availableAt: at,
            createdAt: at,
          },
        });
        return false;
      case 'cancelJob':
        this.jobs.set(effect.key, { kind: 'close' });
        return false;
      case 'createUserTask':
        this.userTasks.set(effect.key, {
          kind: 'open',
          row: {
            id: effect.elementInstanceId,
            instanceId: instance.id,
            processKey: instance.processKey,
            elementId: effect.elementId,
            name: effect.name,
            assignee: effect.assignee,
            candidateGroups: effect.candidateGroups,
            candidateUsers: effect.candidateUsers,
            formKey: effect.formKey,
            dueDate: effect.dueDate,
            followUpDate: effect.followUpDate,
            createdAt: at,
          },
        });
        return false;
      case 'cancelUserTask':
        this.userTasks.set(effect.key, { kind: 'close' });
        return false;
      case 'scheduleTimer':
        this.timers.set(effect.key, {
          kind: 'open',
          row: {
            id: newId(),
            key: effect.key,
            instanceId: instance.id,
            ownerInstanceId: effect.ownerInstanceId,
            elementId: effect.elementId,
            dueAt: new Date(effect.dueAt).toISOString(),
            createdAt: at,
          },
        });
        return false;
      case 'cancelTimer':
        this.timers.set(effect.key, { kind: 'close' });
        return false;
      case 'openMessageSubscription':
        this.messageSubs.set(effect.key, {
          kind: 'open',
          row: {
            id: newId(),
            key: effect.key,
            instanceId: instance.id,
            ownerInstanceId: effect.ownerInstanceId,
            elementId: effect.elementId,
            processKey: instance.processKey,
            messageName: effect.messageName,
            correlationKey: effect.correlationKey,
            interrupting: effect.interrupting,
            createdAt: at,
          },
        });
        return false;
      case 'closeMessageSubscription':
        this.messageSubs.set(effect.key, { kind: 'close' });
        return false;
      case 'openSignalSubscription':
        this.signalSubs.set(effect.key, {
          kind: 'open',
          row: {
            id: newId(),
            key: effect.key,
            instanceId: instance.id,
            ownerInstanceId: effect.ownerInstanceId,
            elementId: effect.elementId,
            processKey: instance.processKey,
            signalName: effect.signalName,
            createdAt: at,
          },
        });
        return false;
      case 'closeSignalSubscription':
        this.signalSubs.set(effect.key, { kind: 'close' });
        return false;
      case 'throwSignal':
        this.signals.push({ name: effect.signalName, variables: effect.variables });
        return false;
      case 'startChild':
        this.childStarts.push({
          parent: instance,
          elementInstanceId: effect.elementInstanceId,
          processId: effect.processId,
          variables: effect.variables,
        });
        return false;
      case 'cancelChild':
        this.childrenToCancel.push(effect.elementInstanceId);
        return false;
      case 'raiseIncident':
        this.incidents.push({
          id: newId(),
          instanceId: instance.id,
          elementId: effect.elementId,
          elementInstanceId: effect.elementInstanceId,
          type: effect.incidentType,
          message: effect.message,
          createdAt: at,
        });
        return false;
      case 'resolveIncident':
        this.resolvedIncidents.push(effect.elementInstanceId);
        return false;
      case 'retryJob':
      case 'instanceSuspended':
      case 'instanceResumed':
        return false;
      case 'instanceEnded':
        if (effect.status === 'CANCELED') this.canceledInstances.push(instance.id);
        if (effect.status === 'COMPLETED' && instance.parentInstanceId !== null && instance.parentElementInstanceId !== null) {
          this.addEvent(instance.parentInstanceId, {
            type: 'childCompleted',
            elementInstanceId: instance.parentElementInstanceId,
            variables: effect.variables,
          });
        }
        return true;
    }
  }

  private historyIso(ms: number): string {
    if (ms !== this.lastHistoryMs) {
      this.lastHistoryMs = ms;
      this.lastHistoryIso = new Date(ms).toISOString();
    }
    return this.lastHistoryIso;
  }

  /** Writes everything, one statement per table and kind of change. */
  async flush(tx: Tx): Promise<void> {
    await insertRows(tx, 'ProcessInstance', INSTANCE_COLUMNS, this.inserts);
    if (this.updates.length > 0) {
      await tx.$executeRawUnsafe(
        `UPDATE "ProcessInstance" AS p
            SET state = u.state, variables = u.variables, status = u.status::"InstanceStatus",
                rev = p.rev + 1, "pendingSince" = u."pendingSince",
                "endedAt" = CASE WHEN u."keepEnded" THEN p."endedAt" ELSE u."endedAt" END
           FROM jsonb_to_recordset($1::jsonb)
                AS u(id uuid, state jsonb, variables jsonb, status text, "pendingSince" timestamptz, "endedAt" timestamptz, "keepEnded" boolean)
          WHERE p.id = u.id`,
        JSON.stringify(this.updates),
      );
    }
    await insertRows(
      tx,
      'HistoryEvent',
      [
        { name: 'instanceId', type: 'uuid' },
        { name: 'type', type: 'text', cast: '"HistoryEventType"' },
        { name: 'elementId', type: 'text' },
        { name: 'elementType', type: 'text' },
        { name: 'elementInstanceId', type: 'uuid' },
        { name: 'at', type: 'timestamptz' },
      ],
      this.history,
    );
    await this.flushKeyed(tx, JOBS, this.jobs);
    await this.flushKeyed(tx, USER_TASKS, this.userTasks);
    await this.flushKeyed(tx, TIMERS, this.timers);
    await this.flushKeyed(tx, MESSAGE_SUBSCRIPTIONS, this.messageSubs);
    await this.flushKeyed(tx, SIGNAL_SUBSCRIPTIONS, this.signalSubs);
    await this.flushIncidents(tx);
    await insertRows(
      tx,
      'InstanceEvent',
      [
        { name: 'instanceId', type: 'uuid' },
        { name: 'event', type: 'jsonb' },
      ],
      this.events,
    );
    if (this.events.length > 0) {
      // Instances that received events have work: the sweeper must see them if the publish is lost.
      await tx.$executeRawUnsafe(
        `UPDATE "ProcessInstance" SET "pendingSince" = COALESCE("pendingSince", $2::timestamptz)
          WHERE id = ANY($1::uuid[]) AND "pendingSince" IS NULL`,
        [...new Set(this.events.map((e) => e.instanceId as string))],
        this.now.toISOString(),
      );
    }
    if (this.consumed.length > 0) {
      await tx.$executeRawUnsafe(`DELETE FROM "InstanceEvent" WHERE id = ANY($1::bigint[])`, this.consumed);
    }
  }

  /** Wait-state rows: inserts for the keys whose last op opened them, one statement ending the rest. */
  private async flushKeyed(tx: Tx, spec: KeyedTable, ops: Map<string, Op<Record<string, unknown>>>): Promise<void> {
    const { open, close } = split(ops);
    await insertRows(tx, spec.table, spec.columns, open, spec.onConflict);
    if (close.length === 0) return;
    if (spec.closeUsesTime) await tx.$executeRawUnsafe(spec.close, close, this.at);
    else await tx.$executeRawUnsafe(spec.close, close);
  }

  private async flushIncidents(tx: Tx): Promise<void> {
    const at = this.now.toISOString();
    if (this.resolvedIncidents.length > 0) {
      await tx.$executeRawUnsafe(
        `UPDATE "Incident" SET "resolvedAt" = $2::timestamptz WHERE "elementInstanceId" = ANY($1::uuid[]) AND "resolvedAt" IS NULL`,
        this.resolvedIncidents,
        at,
      );
    }
    if (this.canceledInstances.length > 0) {
      // A canceled instance leaves no open incident behind (job incidents included).
      await tx.$executeRawUnsafe(
        `UPDATE "Incident" SET "resolvedAt" = $2::timestamptz WHERE "instanceId" = ANY($1::uuid[]) AND "resolvedAt" IS NULL`,
        this.canceledInstances,
        at,
      );
    }
    await insertRows(
      tx,
      'Incident',
      [
        { name: 'id', type: 'uuid' },
        { name: 'instanceId', type: 'uuid' },
        { name: 'elementId', type: 'text' },
        { name: 'elementInstanceId', type: 'uuid' },
        { name: 'type', type: 'text' },
        { name: 'message', type: 'text' },
        { name: 'createdAt', type: 'timestamptz' },
      ],
      this.incidents,
    );
  }
}

function split<T>(ops: Map<string, Op<T>>): { open: T[]; close: string[] } {
  const open: T[] = [];
  const close: string[] = [];
  for (const [key, op] of ops) {
    if (op.kind === 'open') open.push(op.row);
    else close.push(key);
  }
  return { open, close };
}

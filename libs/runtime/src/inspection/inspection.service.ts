import type { TokenView } from '@baton/engine';
import { liveTokens, incidentView, type IncidentView } from '../instances/instance.views';
import { iso, pageOf } from '../instances/listing';
import { isKey, type Key } from '../keys/key-generator';
import type {
  ElementStatisticsRecord,
  IncidentGroupRecord,
  InspectionRepository,
  MessageSubscriptionInspectionRecord,
  TimerInspectionRecord,
  TimerInspectionState,
} from '../ports/inspection';
import {
  DEFAULT_TENANT,
  type JobRecord,
  type JobState,
  type Page,
  type PageRequest,
  type TenantScope,
} from '../ports/records';
import type { RuntimeStore } from '../ports/repositories';
import type { IncidentSearchField, JobSearchField, SearchCondition } from '../ports/search';
import { RuntimeError } from '../runtime-error';

/** A job as the inspection lists show it: read from its row, never leased. */
export interface JobListView {
  readonly id: Key;
  readonly type: string;
  readonly instanceId: Key;
  readonly processKey: string;
  readonly elementId: string;
  readonly elementInstanceId: Key;
  readonly state: JobState;
  readonly retries: number;
  readonly worker: string | null;
  readonly lockExpiresAt: string | null;
  readonly errorMessage: string | null;
  readonly tenantId: string;
}

export interface TimerView {
  readonly id: Key;
  /** Null for a start timer of a process version. */
  readonly instanceId: Key | null;
  readonly processKey: string | null;
  readonly definitionId: Key | null;
  readonly elementId: string;
  readonly dueAt: string;
  readonly state: TimerInspectionState;
  readonly repetitions: number | null;
  readonly cycle: string | null;
  readonly tenantId: string;
  readonly createdAt: string;
}

export interface MessageSubscriptionView {
  readonly id: Key;
  readonly instanceId: Key;
  readonly processKey: string;
  readonly elementId: string;
  readonly messageName: string;
  readonly correlationKey: string | null;
  readonly interrupting: boolean;
  readonly tenantId: string;
  readonly createdAt: string;
}

export type ElementStatisticsView = ElementStatisticsRecord;

export interface IncidentGroupView {
  readonly type: string;
  readonly message: string;
  readonly count: number;
  readonly firstCreatedAt: string;
  readonly lastCreatedAt: string;
}

/** What one thing a token waits for is. */
export type WaitingItem =
  | {
      readonly kind: 'job';
      readonly id: Key;
      readonly type: string;
      readonly state: JobState;
      readonly retries: number;
      readonly worker: string | null;
    }
  | {
      readonly kind: 'userTask';
      readonly id: Key;
      readonly name: string | null;
      readonly assignee: string | null;
    }
  | { readonly kind: 'timer'; readonly id: Key; readonly elementId: string; readonly dueAt: string }
  | {
      readonly kind: 'message';
      readonly id: Key;
      readonly elementId: string;
      readonly messageName: string;
      readonly correlationKey: string | null;
    }
  | {
      readonly kind: 'signal';
      readonly id: Key;
      readonly elementId: string;
      readonly signalName: string;
    }
  | {
      readonly kind: 'calledInstance';
      readonly id: Key;
      readonly processKey: string;
      readonly status: string;
    }
  | {
      readonly kind: 'incident';
      readonly id: Key;
      readonly type: string;
      readonly message: string;
    };

export interface WaitingTokenView extends TokenView {
  readonly waitingFor: WaitingItem[];
}

export interface WaitingView {
  readonly instanceId: Key;
  readonly tokens: WaitingTokenView[];
  /** Waits no live token owns (a row left behind, or one the engine has not yet matched to a token). */
  readonly unmatched: WaitingItem[];
}

export interface JobListQuery extends PageRequest {
  readonly type?: string;
  readonly state?: JobState;
  readonly instanceId?: string;
  readonly processKey?: string;
  readonly elementId?: string;
  readonly worker?: string;
  readonly tenants?: TenantScope;
}

export interface TimerListQuery extends PageRequest {
  readonly instanceId?: string;
  readonly processKey?: string;
  readonly elementId?: string;
  readonly state?: TimerInspectionState;
  readonly dueBefore?: string;
  readonly tenants?: TenantScope;
}

export interface MessageSubscriptionListQuery extends PageRequest {
  readonly instanceId?: string;
  readonly processKey?: string;
  readonly elementId?: string;
  readonly messageName?: string;
  readonly correlationKey?: string;
  readonly tenants?: TenantScope;
}

export interface IncidentGroupQuery {
  readonly processKey?: string;
  readonly limit: number;
  readonly tenants?: TenantScope;
}

export interface GroupIncidentsQuery extends PageRequest {
  readonly type: string;
  readonly message: string;
  readonly processKey?: string;
  readonly tenants?: TenantScope;
}

const EMPTY: Page<never> = { items: [], nextCursor: null };

/**
 * The inspection API's reads: waiting work across instances (jobs, timers,
 * message subscriptions), what each token of an instance waits for,
 * per-element statistics of a process version, and incidents grouped by
 * cause. Reads only: a job listed here is not leased, a timer not claimed.
 */
export class InspectionService {
  constructor(
    private readonly store: RuntimeStore,
    private readonly inspection: InspectionRepository,
  ) {}

  /** Jobs by key (oldest first) with the filters given; no lock, no lease (a search of the job rows). */
  async jobs(query: JobListQuery): Promise<Page<JobListView>> {
    if (query.instanceId !== undefined && !isKey(query.instanceId)) return EMPTY;
    const conditions: SearchCondition<JobSearchField>[] = [];
    const eq = (field: JobSearchField, value: string | undefined) => {
      if (value !== undefined) conditions.push({ field, op: 'eq', value });
    };
    eq('type', query.type);
    eq('state', query.state);
    eq('instanceId', query.instanceId);
    eq('bpmnProcessId', query.processKey);
    eq('elementId', query.elementId);
    eq('workerId', query.worker);
    const rows = await this.store.repos.jobs.search({
      conditions,
      tenants: query.tenants,
      sort: [{ field: 'id', descending: false }],
      limit: query.limit + 1,
      after: query.cursor === undefined ? undefined : [keyCursor(query.cursor)],
    });
    return pageOf(rows, query.limit, jobListView, (r) => r.id);
  }

  /** Timers in the order they fall due; SCHEDULED ones unless `state` says otherwise. */
  async timers(query: TimerListQuery): Promise<Page<TimerView>> {
    if (query.instanceId !== undefined && !isKey(query.instanceId)) return EMPTY;
    const rows = await this.inspection.timers({
      limit: query.limit + 1,
      after: query.cursor === undefined ? undefined : timerCursor(query.cursor),
      instanceId: query.instanceId,
      bpmnProcessId: query.processKey,
      elementId: query.elementId,
      state: query.state ?? 'SCHEDULED',
      dueBefore: query.dueBefore === undefined ? undefined : new Date(query.dueBefore),
      tenants: query.tenants,
    });
    return pageOf(rows, query.limit, timerView, encodeTimerCursor);
  }

  async messageSubscriptions(
    query: MessageSubscriptionListQuery,
  ): Promise<Page<MessageSubscriptionView>> {
    if (query.instanceId !== undefined && !isKey(query.instanceId)) return EMPTY;
    const rows = await this.inspection.messageSubscriptions({
      limit: query.limit + 1,
      after: query.cursor === undefined ? undefined : keyCursor(query.cursor),
      instanceId: query.instanceId,
      bpmnProcessId: query.processKey,
      elementId: query.elementId,
      messageName: query.messageName,
      correlationKey: query.correlationKey,
      tenants: query.tenants,
    });
    return pageOf(rows, query.limit, messageSubscriptionView, (r) => r.id);
  }

  /** Per-element statistics of a version of a process of the default tenant (the latest unless `version`). */
  async processStatistics(processKey: string, version?: number): Promise<ElementStatisticsView[]> {
    const repo = this.store.repos.definitions;
    const row =
      version === undefined
        ? await repo.latest(DEFAULT_TENANT, processKey)
        : await repo.byVersion(DEFAULT_TENANT, processKey, version);
    if (row === null) {
      throw RuntimeError.notFound(
        version === undefined
          ? `process '${processKey}'`
          : `version ${version} of process '${processKey}'`,
      );
    }
    return this.inspection.elementStatistics(row.id);
  }

  /** Per-element statistics of a process definition by its key (Camunda's `/v2` statistics); 404 outside `tenants`. */
  async definitionStatistics(
    definitionKey: string,
    tenants: TenantScope,
  ): Promise<ElementStatisticsView[]> {
    const definition = isKey(definitionKey)
      ? await this.store.repos.definitions.byId(definitionKey)
      : null;
    if (definition === null || (tenants !== undefined && !tenants.includes(definition.tenantId))) {
      throw RuntimeError.notFound(`process definition ${definitionKey}`);
    }
    return this.inspection.elementStatistics(definition.id);
  }

  async incidentGroups(query: IncidentGroupQuery): Promise<IncidentGroupView[]> {
    const rows = await this.inspection.incidentGroups({
      tenants: query.tenants,
      bpmnProcessId: query.processKey,
      limit: query.limit,
    });
    return rows.map(incidentGroupView);
  }

  /** The open incidents of one group (type and message), by key: what "retry all in this group" resolves. */
  async groupIncidents(query: GroupIncidentsQuery): Promise<Page<IncidentView>> {
    const conditions: SearchCondition<IncidentSearchField>[] = [
      { field: 'resolved', op: 'eq', value: false },
      { field: 'type', op: 'eq', value: query.type },
      { field: 'message', op: 'eq', value: query.message },
    ];
    if (query.processKey !== undefined)
      conditions.push({ field: 'bpmnProcessId', op: 'eq', value: query.processKey });
    const rows = await this.store.repos.incidents.search({
      conditions,
      tenants: query.tenants,
      sort: [{ field: 'id', descending: false }],
      limit: query.limit + 1,
      after: query.cursor === undefined ? undefined : [keyCursor(query.cursor)],
    });
    return pageOf(rows, query.limit, incidentView, (r) => r.id);
  }

  /**
   * What each live token of an instance waits for: its job or user task, the
   * timers and message or signal subscriptions of its event (or of the
   * boundary events on its activity), the instance its call activity
   * started, its open incident. Matched by element instance key where the
   * row carries one, else by element id.
   */
  async waiting(instanceId: string): Promise<WaitingView> {
    const instance = isKey(instanceId) ? await this.store.repos.instances.get(instanceId) : null;
    if (instance === null) throw RuntimeError.notFound(`instance ${instanceId}`);
    const repos = this.store.repos;
    const [jobs, tasks, timers, messages, signals, children, incidents] = await Promise.all([
      repos.jobs.search({
        conditions: [
          { field: 'instanceId', op: 'eq', value: instanceId },
          { field: 'state', op: 'in', value: ['ACTIVATABLE', 'ACTIVATED', 'FAILED'] },
        ],
        sort: [{ field: 'id', descending: false }],
        limit: 1000,
      }),
      repos.userTasks.list({ instanceId, limit: 1000 }),
      this.inspection.timers({ instanceId, state: 'SCHEDULED', limit: 1000 }),
      this.inspection.messageSubscriptions({ instanceId, limit: 1000 }),
      this.inspection.signalSubscriptionsOf(instanceId),
      repos.instances.search({
        conditions: [
          { field: 'parentInstanceId', op: 'eq', value: instanceId },
          { field: 'status', op: 'in', value: ['ACTIVE', 'SUSPENDED'] },
        ],
        sort: [{ field: 'id', descending: false }],
        limit: 1000,
      }),
      repos.incidents.openOf(instanceId),
    ]);
    const waits: { owner: Key | null; elementId: string; item: WaitingItem }[] = [
      ...jobs.map((j) => ({
        owner: j.elementInstanceId,
        elementId: j.elementId,
        item: {
          kind: 'job' as const,
          id: j.id,
          type: j.type,
          state: j.state,
          retries: j.retries,
          worker: j.workerId,
        },
      })),
      ...tasks.map((t) => ({
        owner: null,
        elementId: t.elementId,
        item: { kind: 'userTask' as const, id: t.id, name: t.name, assignee: t.assignee },
      })),
      ...timers.map((t) => ({
        owner: t.ownerInstanceId,
        elementId: t.elementId,
        item: {
          kind: 'timer' as const,
          id: t.id,
          elementId: t.elementId,
          dueAt: t.dueAt.toISOString(),
        },
      })),
      ...messages.map((m) => ({
        owner: m.ownerInstanceId,
        elementId: m.elementId,
        item: {
          kind: 'message' as const,
          id: m.id,
          elementId: m.elementId,
          messageName: m.messageName,
          correlationKey: m.correlationKey,
        },
      })),
      ...signals.map((s) => ({
        owner: s.ownerInstanceId,
        elementId: s.elementId,
        item: {
          kind: 'signal' as const,
          id: s.id,
          elementId: s.elementId,
          signalName: s.signalName,
        },
      })),
      ...children.map((c) => ({
        owner: c.parentElementInstanceId,
        elementId: '',
        item: {
          kind: 'calledInstance' as const,
          id: c.id,
          processKey: c.bpmnProcessId,
          status: c.status,
        },
      })),
      ...incidents.map((i) => ({
        owner: i.elementInstanceId,
        elementId: i.elementId,
        item: { kind: 'incident' as const, id: i.id, type: i.type, message: i.message },
      })),
    ];
    const tokens: WaitingTokenView[] = liveTokens(instance.state).map((t) => ({
      ...t,
      waitingFor: [],
    }));
    const byId = new Map(tokens.map((t) => [t.id, t]));
    const unmatched: WaitingItem[] = [];
    for (const wait of waits) {
      const token =
        (wait.owner !== null ? byId.get(wait.owner) : undefined) ??
        tokens.find((t) => t.elementId === wait.elementId);
      if (token === undefined) unmatched.push(wait.item);
      else token.waitingFor.push(wait.item);
    }
    return { instanceId, tokens, unmatched };
  }
}

const jobListView = (row: JobRecord): JobListView => ({
  id: row.id,
  type: row.type,
  instanceId: row.instanceId,
  processKey: row.bpmnProcessId,
  elementId: row.elementId,
  elementInstanceId: row.elementInstanceId,
  state: row.state,
  retries: row.retries,
  worker: row.workerId,
  lockExpiresAt: iso(row.lockExpiresAt),
  errorMessage: row.errorMessage,
  tenantId: row.tenantId,
});

const timerView = (row: TimerInspectionRecord): TimerView => ({
  id: row.id,
  instanceId: row.instanceId,
  processKey: row.bpmnProcessId,
  definitionId: row.definitionId,
  elementId: row.elementId,
  dueAt: row.dueAt.toISOString(),
  state: row.state,
  repetitions: row.repetitions,
  cycle: row.cycle,
  tenantId: row.tenantId,
  createdAt: row.createdAt.toISOString(),
});

const messageSubscriptionView = (
  row: MessageSubscriptionInspectionRecord,
): MessageSubscriptionView => ({
  id: row.id,
  instanceId: row.instanceId,
  processKey: row.bpmnProcessId,
  elementId: row.elementId,
  messageName: row.messageName,
  correlationKey: row.correlationKey,
  interrupting: row.interrupting,
  tenantId: row.tenantId,
  createdAt: row.createdAt.toISOString(),
});

const incidentGroupView = (row: IncidentGroupRecord): IncidentGroupView => ({
  type: row.type,
  message: row.message,
  count: row.count,
  firstCreatedAt: row.firstCreatedAt.toISOString(),
  lastCreatedAt: row.lastCreatedAt.toISOString(),
});

function keyCursor(cursor: string): Key {
  if (!isKey(cursor))
    throw RuntimeError.badRequest('cursor', `cursor '${cursor.slice(0, 40)}' is not a key`);
  return cursor;
}

/** A timer page's cursor: the due time and key of its last row (the list's order). */
function encodeTimerCursor(row: TimerInspectionRecord): string {
  return Buffer.from(JSON.stringify([row.dueAt.toISOString(), row.id])).toString('base64url');
}

function timerCursor(cursor: string): { dueAt: Date; id: Key } {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      typeof value[0] === 'string' &&
      typeof value[1] === 'string' &&
      isKey(value[1])
    ) {
      const dueAt = new Date(value[0]);
      if (!Number.isNaN(dueAt.getTime())) return { dueAt, id: value[1] };
    }
  } catch {
    // Reported below.
  }
  throw RuntimeError.badRequest(
    'cursor',
    `cursor '${cursor.slice(0, 40)}' is not a cursor of this list`,
  );
}

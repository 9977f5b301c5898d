import type { Key } from '../keys/key-generator';
import type { TenantScope } from './records';

/**
 * Read-only views of waiting work across instances (timers, message and
 * signal subscriptions) and per-element statistics of a process version,
 * for the cockpit and for operators' scripts. Nothing here locks a row or
 * changes one: looking never takes work from a worker or a poller.
 *
 * A port of its own (not part of {@link Repositories}): no use case runs
 * these reads inside a unit of work.
 */
export interface InspectionRepository {
  /** Timers in the order they fall due (due time, then key), after `after`. */
  timers(query: TimerInspectionQuery): Promise<TimerInspectionRecord[]>;
  /** Message subscriptions of live instances, oldest (lowest key) first, after `after`. */
  messageSubscriptions(
    query: MessageSubscriptionInspectionQuery,
  ): Promise<MessageSubscriptionInspectionRecord[]>;
  /** The signal subscriptions of an instance. */
  signalSubscriptionsOf(instanceId: Key): Promise<SignalSubscriptionInspectionRecord[]>;
  /** Per element of a process version: its element instances by state and its open incidents. */
  elementStatistics(definitionId: Key): Promise<ElementStatisticsRecord[]>;
  /** Open incidents grouped by type and message, largest group first. */
  incidentGroups(query: {
    readonly tenants?: TenantScope;
    readonly bpmnProcessId?: string;
    readonly limit: number;
  }): Promise<IncidentGroupRecord[]>;
}

export type TimerInspectionState = 'SCHEDULED' | 'FIRED' | 'CANCELED';

export interface TimerInspectionQuery {
  readonly limit: number;
  readonly after?: { readonly dueAt: Date; readonly id: Key };
  readonly instanceId?: Key;
  readonly bpmnProcessId?: string;
  readonly elementId?: string;
  /** SCHEDULED unless asked otherwise. */
  readonly state?: TimerInspectionState;
  /** Due at or before this instant. */
  readonly dueBefore?: Date;
  readonly tenants?: TenantScope;
}

/** A timer: of an instance (a catch or boundary event), or a start timer of a process version (`instanceId` null). */
export interface TimerInspectionRecord {
  readonly id: Key;
  readonly tenantId: string;
  readonly instanceId: Key | null;
  readonly definitionId: Key | null;
  readonly bpmnProcessId: string | null;
  /** The element instance waiting for it (the activity of a boundary event, the catch event itself). */
  readonly ownerInstanceId: Key | null;
  readonly elementId: string;
  readonly dueAt: Date;
  readonly state: TimerInspectionState;
  /** Firings left of a cycle; null: unbounded or not a cycle. */
  readonly repetitions: number | null;
  readonly cycle: string | null;
  readonly createdAt: Date;
}

export interface MessageSubscriptionInspectionQuery {
  readonly limit: number;
  readonly after?: Key;
  readonly instanceId?: Key;
  readonly bpmnProcessId?: string;
  readonly elementId?: string;
  readonly messageName?: string;
  readonly correlationKey?: string;
  readonly tenants?: TenantScope;
}

export interface MessageSubscriptionInspectionRecord {
  readonly id: Key;
  readonly tenantId: string;
  readonly instanceId: Key;
  readonly ownerInstanceId: Key | null;
  readonly bpmnProcessId: string;
  readonly elementId: string;
  readonly messageName: string;
  readonly correlationKey: string | null;
  readonly interrupting: boolean;
  readonly createdAt: Date;
}

export interface SignalSubscriptionInspectionRecord {
  readonly id: Key;
  readonly instanceId: Key;
  readonly ownerInstanceId: Key | null;
  readonly elementId: string;
  readonly signalName: string;
  readonly interrupting: boolean;
  readonly createdAt: Date;
}

/**
 * Camunda's element statistics: `active` element instances without an open
 * incident, `incidents` live ones with one, `completed` and `canceled`
 * (terminated) ones. The process element itself is left out.
 */
export interface ElementStatisticsRecord {
  readonly elementId: string;
  readonly active: number;
  readonly incidents: number;
  readonly completed: number;
  readonly canceled: number;
}

export interface IncidentGroupRecord {
  readonly type: string;
  readonly message: string;
  readonly count: number;
  /** The oldest incident of the group. */
  readonly firstCreatedAt: Date;
  readonly lastCreatedAt: Date;
}

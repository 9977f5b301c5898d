import { tokensOf, type InstanceState, type TokenView, type Variables } from '@baton/engine';
import type { Key } from '../keys/key-generator';
import type { HistoryRecord, IncidentRecord, InstanceRecord, InstanceStatus, InstanceSummaryRecord } from '../ports/records';
import { iso } from './listing';

/**
 * An instance's status as clients see it: the stored one, or — while a
 * command waits in its inbox for a worker to finish its step — the state it
 * is moving to (`CANCELING`, `SUSPENDING`, `RESUMING`).
 */
export type InstanceStatusView = InstanceStatus | 'CANCELING' | 'SUSPENDING' | 'RESUMING';

/** `POST /processes/{key}/instances` answers this (201). */
export interface StartedInstanceView {
  readonly id: Key;
  readonly processKey: string;
  readonly version: number;
  readonly status: 'ACTIVE';
}

export interface IncidentView {
  readonly id: Key;
  readonly instanceId: Key;
  readonly elementId: string;
  readonly elementInstanceId: Key | null;
  readonly type: string;
  readonly message: string;
  readonly jobId: Key | null;
  readonly createdAt: string;
  readonly resolvedAt: string | null;
}

/** A list item: the instance without its variables, tokens and incidents. */
export interface InstanceSummaryView {
  readonly id: Key;
  readonly processKey: string;
  readonly version: number;
  readonly definitionId: Key;
  readonly tenantId: string;
  readonly status: InstanceStatusView;
  readonly businessKey: string | null;
  readonly parentInstanceId: Key | null;
  readonly startedAt: string;
  readonly endedAt: string | null;
}

/** `GET /instances/{id}`. */
export interface InstanceView extends InstanceSummaryView {
  readonly variables: Variables;
  readonly tokens: TokenView[];
  readonly incidents: IncidentView[];
}

export interface HistoryItemView {
  /** The event's position in the instance's history; also the page cursor. */
  readonly id: string;
  readonly type: string;
  readonly elementId: string;
  readonly elementType: string;
  readonly elementInstanceId: Key | null;
  readonly at: string;
}

export function summaryView(row: InstanceSummaryRecord, pendingCommands: readonly string[] = []): InstanceSummaryView {
  return {
    id: row.id,
    processKey: row.bpmnProcessId,
    version: row.processVersion,
    definitionId: row.definitionId,
    tenantId: row.tenantId,
    status: statusView(row.status, pendingCommands),
    businessKey: row.businessKey,
    parentInstanceId: row.parentInstanceId,
    startedAt: row.startedAt.toISOString(),
    endedAt: iso(row.endedAt),
  };
}

function statusView(status: InstanceStatus, pending: readonly string[]): InstanceStatusView {
  if (status === 'COMPLETED' || status === 'CANCELED') return status;
  if (pending.includes('cancel')) return 'CANCELING';
  const last = pending.filter((c) => c === 'suspend' || c === 'resume').at(-1);
  if (last === 'suspend' && status === 'ACTIVE') return 'SUSPENDING';
  if (last === 'resume' && status === 'SUSPENDED') return 'RESUMING';
  return status;
}

export function instanceView(row: InstanceRecord, incidents: readonly IncidentRecord[], pendingCommands: readonly string[] = []): InstanceView {
  return {
    ...summaryView(row, pendingCommands),
    variables: row.variables,
    tokens: liveTokens(row.state),
    incidents: incidents.map(incidentView),
  };
}

export function incidentView(row: IncidentRecord): IncidentView {
  return {
    id: row.id,
    instanceId: row.instanceId,
    elementId: row.elementId,
    elementInstanceId: row.elementInstanceId,
    type: row.type,
    message: row.message,
    jobId: row.jobId,
    createdAt: row.createdAt.toISOString(),
    resolvedAt: iso(row.resolvedAt),
  };
}

export function historyView(row: HistoryRecord): HistoryItemView {
  return {
    id: row.id,
    type: row.type,
    elementId: row.elementId,
    elementType: row.elementType,
    elementInstanceId: row.elementInstanceId,
    at: row.at.toISOString(),
  };
}

/**
 * `tokensOf` lists the leaves below the process element. A new instance that
 * no worker has run yet has none: only its process element, READY to enter at
 * its start event. Clients see that as one READY token at the start event.
 */
export function liveTokens(state: InstanceState): TokenView[] {
  const tokens = tokensOf(state);
  if (tokens.length > 0 || (state.status !== 'ACTIVE' && state.status !== 'SUSPENDED')) return tokens;
  const root = state.elements[state.rootId];
  if (root === undefined || root.state !== 'READY' || root.entered) return tokens;
  return [{ id: root.id, elementId: root.startEventId ?? root.elementId, state: 'READY' }];
}

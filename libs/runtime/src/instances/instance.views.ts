import { tokensOf, type InstanceState, type TokenView, type Variables } from '@baton/engine';
import type { Incident, ProcessInstance } from '@baton/store';
import { iso } from './listing';

export type InstanceStatus = 'ACTIVE' | 'SUSPENDED' | 'COMPLETED' | 'CANCELED';

export const isEnded = (status: InstanceStatus): boolean => status === 'COMPLETED' || status === 'CANCELED';

/** `POST /processes/{key}/instances` answers this (201). */
export interface StartedInstanceView {
  readonly id: string;
  readonly processKey: string;
  readonly version: number;
  readonly status: 'ACTIVE';
}

export interface IncidentView {
  readonly id: string;
  readonly instanceId: string;
  readonly elementId: string;
  readonly type: string;
  readonly message: string;
  readonly jobId: string | null;
  readonly createdAt: string;
  readonly resolvedAt: string | null;
}

/** A list item: the instance without its variables, tokens and incidents. */
export interface InstanceSummaryView {
  readonly id: string;
  readonly processKey: string;
  readonly version: number;
  readonly status: InstanceStatus;
  readonly businessKey: string | null;
  readonly parentInstanceId: string | null;
  readonly startedAt: string;
  readonly endedAt: string | null;
}

/** `GET /instances/{id}` (DESIGN §4.1 "Instance view"). */
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
  readonly elementInstanceId: string | null;
  readonly at: string;
}

type SummaryRow = Pick<
  ProcessInstance,
  'id' | 'processKey' | 'processVersion' | 'status' | 'businessKey' | 'parentInstanceId' | 'startedAt' | 'endedAt'
>;

export function summaryView(row: SummaryRow): InstanceSummaryView {
  return {
    id: row.id,
    processKey: row.processKey,
    version: row.processVersion,
    status: row.status,
    businessKey: row.businessKey,
    parentInstanceId: row.parentInstanceId,
    startedAt: row.startedAt.toISOString(),
    endedAt: iso(row.endedAt),
  };
}

export function instanceView(row: ProcessInstance, incidents: readonly Incident[]): InstanceView {
  return {
    ...summaryView(row),
    variables: row.variables as Variables,
    tokens: liveTokens(row.state as unknown as InstanceState),
    incidents: incidents.map(incidentView),
  };
}

export function incidentView(row: Incident): IncidentView {
  return {
    id: row.id,
    instanceId: row.instanceId,
    elementId: row.elementId,
    type: row.type,
    message: row.message,
    jobId: row.jobId,
    createdAt: row.createdAt.toISOString(),
    resolvedAt: iso(row.resolvedAt),
  };
}

/**
 * `tokensOf` lists the leaves below the process element. A new instance that
 * no worker has run yet has none: only its process element, READY to enter at
 * its start event. Clients see that as one READY token at the start event.
 */
export function liveTokens(state: InstanceState): TokenView[] {
  const tokens = tokensOf(state);
  if (tokens.length > 0 || state.status !== 'ACTIVE') return tokens;
  const root = state.elements[state.rootId];
  if (root === undefined || root.state !== 'READY' || root.entered) return tokens;
  return [{ id: root.id, elementId: root.startEventId ?? root.elementId, state: 'READY' }];
}

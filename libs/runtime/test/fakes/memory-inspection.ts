import type {
  ElementStatisticsRecord,
  IncidentGroupRecord,
  InspectionRepository,
  Key,
  MessageSubscriptionInspectionQuery,
  MessageSubscriptionInspectionRecord,
  SignalSubscriptionInspectionRecord,
  TenantScope,
  TimerInspectionQuery,
  TimerInspectionRecord,
} from '../../src';
import type { MemoryStore } from './memory-store';

const big = (key: Key): bigint => BigInt(key);
const byKey = (a: { id: Key }, b: { id: Key }): number =>
  big(a.id) < big(b.id) ? -1 : big(a.id) > big(b.id) ? 1 : 0;
const inScope = (tenants: TenantScope, tenantId: string): boolean =>
  tenants === undefined || tenants.includes(tenantId);

/**
 * The inspection reads over a {@link MemoryStore}'s committed rows, with the
 * semantics of `libs/store`'s PgInspectionRepository.
 */
export class MemoryInspection implements InspectionRepository {
  constructor(private readonly store: MemoryStore) {}

  async timers(query: TimerInspectionQuery): Promise<TimerInspectionRecord[]> {
    const instances = new Map(this.store.rows('instances').map((i) => [i.id, i]));
    const definitions = new Map(this.store.rows('definitions').map((d) => [d.id, d]));
    const state = query.state ?? 'SCHEDULED';
    return this.store
      .rows('timers')
      .map((t): TimerInspectionRecord => {
        const instance = t.instanceId === null ? undefined : instances.get(t.instanceId);
        const definition = t.definitionId === null ? undefined : definitions.get(t.definitionId);
        return {
          id: t.id,
          tenantId: t.tenantId,
          instanceId: t.instanceId,
          definitionId: t.definitionId ?? instance?.definitionId ?? null,
          bpmnProcessId: instance?.bpmnProcessId ?? definition?.bpmnProcessId ?? null,
          ownerInstanceId: t.ownerInstanceId,
          elementId: t.elementId,
          dueAt: t.dueAt,
          state: t.state,
          repetitions: t.repetitions,
          cycle: t.cycle,
          createdAt: t.createdAt,
        };
      })
      .filter(
        (t) =>
          t.state === state &&
          inScope(query.tenants, t.tenantId) &&
          (query.instanceId === undefined || t.instanceId === query.instanceId) &&
          (query.bpmnProcessId === undefined || t.bpmnProcessId === query.bpmnProcessId) &&
          (query.elementId === undefined || t.elementId === query.elementId) &&
          (query.dueBefore === undefined || t.dueAt.getTime() <= query.dueBefore.getTime()),
      )
      .sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime() || byKey(a, b))
      .filter((t) => {
        const after = query.after;
        if (after === undefined) return true;
        const d = t.dueAt.getTime() - after.dueAt.getTime();
        return d > 0 || (d === 0 && big(t.id) > big(after.id));
      })
      .slice(0, query.limit);
  }

  async messageSubscriptions(
    query: MessageSubscriptionInspectionQuery,
  ): Promise<MessageSubscriptionInspectionRecord[]> {
    return this.store
      .rows('messageSubscriptions')
      .filter(
        (m) =>
          inScope(query.tenants, m.tenantId) &&
          (query.instanceId === undefined || m.instanceId === query.instanceId) &&
          (query.bpmnProcessId === undefined || m.bpmnProcessId === query.bpmnProcessId) &&
          (query.elementId === undefined || m.elementId === query.elementId) &&
          (query.messageName === undefined || m.messageName === query.messageName) &&
          (query.correlationKey === undefined || m.correlationKey === query.correlationKey) &&
          (query.after === undefined || big(m.id) > big(query.after)),
      )
      .sort(byKey)
      .slice(0, query.limit)
      .map((m) => ({
        id: m.id,
        tenantId: m.tenantId,
        instanceId: m.instanceId,
        ownerInstanceId: m.ownerInstanceId,
        bpmnProcessId: m.bpmnProcessId,
        elementId: m.elementId,
        messageName: m.messageName,
        correlationKey: m.correlationKey,
        interrupting: m.interrupting,
        createdAt: m.createdAt,
      }));
  }

  async signalSubscriptionsOf(instanceId: Key): Promise<SignalSubscriptionInspectionRecord[]> {
    return this.store
      .rows('signalSubscriptions')
      .filter((s) => s.instanceId === instanceId)
      .sort(byKey)
      .map((s) => ({
        id: s.id,
        instanceId: s.instanceId,
        ownerInstanceId: s.ownerInstanceId,
        elementId: s.elementId,
        signalName: s.signalName,
        interrupting: (s as { interrupting?: boolean }).interrupting ?? true,
        createdAt: s.createdAt,
      }));
  }

  async elementStatistics(definitionId: Key): Promise<ElementStatisticsRecord[]> {
    const ofVersion = new Set(
      this.store
        .rows('instances')
        .filter((i) => i.definitionId === definitionId)
        .map((i) => i.id),
    );
    const openIncidents = this.store
      .rows('incidents')
      .filter((i) => i.resolvedAt === null && ofVersion.has(i.instanceId));
    const withIncident = new Set(
      openIncidents.flatMap((i) => (i.elementInstanceId === null ? [] : [i.elementInstanceId])),
    );
    // A terminated element instance counts as canceled even if it had completed before (as the store counts).
    const elements = new Map<Key, { elementId: string; completed: boolean; terminated: boolean }>();
    for (const h of this.store.rows('history')) {
      if (!ofVersion.has(h.instanceId) || h.elementInstanceId === null) continue;
      if (h.elementType === 'process' || h.type.startsWith('INCIDENT')) continue;
      const e = elements.get(h.elementInstanceId) ?? {
        elementId: h.elementId,
        completed: false,
        terminated: false,
      };
      if (h.type === 'ELEMENT_COMPLETED') e.completed = true;
      if (h.type === 'ELEMENT_TERMINATED') e.terminated = true;
      elements.set(h.elementInstanceId, e);
    }
    const stats = new Map<
      string,
      { elementId: string; active: number; incidents: number; completed: number; canceled: number }
    >();
    const rowOf = (elementId: string) => {
      let row = stats.get(elementId);
      if (row === undefined)
        stats.set(
          elementId,
          (row = { elementId, active: 0, incidents: 0, completed: 0, canceled: 0 }),
        );
      return row;
    };
    for (const [id, e] of elements) {
      const row = rowOf(e.elementId);
      if (e.terminated) row.canceled++;
      else if (e.completed) row.completed++;
      else if (withIncident.has(id)) row.incidents++;
      else row.active++;
    }
    for (const i of openIncidents) if (i.elementInstanceId === null) rowOf(i.elementId).incidents++;
    return [...stats.values()].sort((a, b) =>
      a.elementId < b.elementId ? -1 : a.elementId > b.elementId ? 1 : 0,
    );
  }

  async incidentGroups(query: {
    readonly tenants?: TenantScope;
    readonly bpmnProcessId?: string;
    readonly limit: number;
  }): Promise<IncidentGroupRecord[]> {
    const groups = new Map<
      string,
      { type: string; message: string; count: number; firstCreatedAt: Date; lastCreatedAt: Date }
    >();
    for (const i of this.store.rows('incidents')) {
      if (i.resolvedAt !== null || !inScope(query.tenants, i.tenantId)) continue;
      if (query.bpmnProcessId !== undefined && i.bpmnProcessId !== query.bpmnProcessId) continue;
      const id = JSON.stringify([i.type, i.message]);
      const g = groups.get(id);
      if (g === undefined)
        groups.set(id, {
          type: i.type,
          message: i.message,
          count: 1,
          firstCreatedAt: i.createdAt,
          lastCreatedAt: i.createdAt,
        });
      else {
        g.count++;
        if (i.createdAt < g.firstCreatedAt) g.firstCreatedAt = i.createdAt;
        if (i.createdAt > g.lastCreatedAt) g.lastCreatedAt = i.createdAt;
      }
    }
    const text = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    return [...groups.values()]
      .sort((a, b) => b.count - a.count || text(a.type, b.type) || text(a.message, b.message))
      .slice(0, query.limit);
  }
}

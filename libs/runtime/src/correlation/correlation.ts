import { type EngineEvent, type Variables } from '@baton/engine';
import type { DefinitionRegistry } from '../definitions/definition-registry';
import type { Tx } from '../execution/bulk-sql';
import type { NewInstance } from '../execution/batch-writer';
import { prepareInstance } from '../instances/new-instance';

/** What delivering a message or signal decided, before anything is written. */
export interface Delivery {
  /** Inbox events for waiting instances. */
  readonly events: { instanceId: string; event: EngineEvent }[];
  /** Instances to create from message or signal start events. */
  readonly instances: NewInstance[];
}


/**
 * A signal reaches every waiting signal catch event, boundary event and event
 * subprocess of active instances, and starts an instance per signal start
 * event. Used for signals thrown by instances (worker) and sent over REST.
 */
export async function deliverSignal(
  tx: Tx,
  registry: DefinitionRegistry,
  name: string,
  variables: Variables,
): Promise<Delivery> {
  const subscriptions = await tx.$queryRawUnsafe<{ instanceId: string; ownerInstanceId: string; elementId: string }[]>(
    `SELECT s."instanceId", s."ownerInstanceId", s."elementId"
       FROM "SignalSubscription" s JOIN "ProcessInstance" p ON p.id = s."instanceId"
      WHERE s."signalName" = $1 AND p.status = 'ACTIVE'
      ORDER BY s."instanceId", s."createdAt"`,
    name,
  );
  const events = subscriptions.map((s) => ({
    instanceId: s.instanceId,
    event: { type: 'trigger', ownerInstanceId: s.ownerInstanceId, elementId: s.elementId, variables } as const,
  }));
  const instances = await startsByEvent(tx, registry, 'SIGNAL', name, variables, new Set());
  return { events, instances };
}

/**
 * Instances to start from message or signal start events of the latest
 * version of each process (deploying a version replaces the start rows of the
 * one before). `skipKeys`: process keys already reached by this delivery.
 */
export async function startsByEvent(
  tx: Tx,
  registry: DefinitionRegistry,
  kind: 'MESSAGE' | 'SIGNAL',
  name: string,
  variables: Variables,
  skipKeys: ReadonlySet<string>,
): Promise<NewInstance[]> {
  const rows = await tx.$queryRawUnsafe<{ definitionId: string; elementId: string; processKey: string }[]>(
    `SELECT "definitionId", "elementId", "processKey" FROM "StartSubscription" WHERE kind = $1::"StartEventKind" AND name = $2`,
    kind,
    name,
  );
  const instances: NewInstance[] = [];
  const keys = new Set<string>();
  for (const row of rows) {
    if (skipKeys.has(row.processKey) || keys.has(row.processKey)) continue;
    const definition = await registry.byId(row.definitionId);
    if (definition === null) continue;
    instances.push(prepareInstance(definition, { variables, startEventId: row.elementId }));
    keys.add(row.processKey);
  }
  return instances;
}

/** A message subscription as `takeBufferedMessages` needs it. */
export interface OpenMessageSubscription {
  readonly instanceId: string;
  readonly ownerInstanceId: string;
  readonly elementId: string;
  readonly messageName: string;
  readonly correlationKey: string;
  readonly interrupting: boolean;
}

/**
 * Buffered messages for subscriptions that just opened (or that a resumed
 * instance holds): each live buffered message with the same name and
 * correlation key goes to the first subscription that matches (and is
 * consumed by it). Once an interrupting subscription of an owner took a
 * message, the owner's other subscriptions take none: that trigger closes
 * them (the branches of an event-based gateway, the boundary events of one
 * activity), so a message taken for them would be consumed and lost; it
 * stays buffered instead.
 */
export async function takeBufferedMessages<S extends OpenMessageSubscription>(
  tx: Tx,
  subscriptions: readonly S[],
): Promise<{ subscription: S; instanceId: string; event: EngineEvent }[]> {
  const delivered: { subscription: S; instanceId: string; event: EngineEvent }[] = [];
  const interrupted = new Set<string>();
  for (const s of subscriptions) {
    if (interrupted.has(s.ownerInstanceId)) continue;
    const taken = await tx.$queryRawUnsafe<{ variables: Variables }[]>(
      `DELETE FROM "BufferedMessage" WHERE id = (
         SELECT id FROM "BufferedMessage"
          WHERE name = $1 AND "correlationKey" = $2 AND "expiresAt" > now()
          ORDER BY "createdAt", id LIMIT 1 FOR UPDATE SKIP LOCKED)
       RETURNING variables`,
      s.messageName,
      s.correlationKey,
    );
    if (taken.length === 0) continue;
    if (s.interrupting) interrupted.add(s.ownerInstanceId);
    delivered.push({
      subscription: s,
      instanceId: s.instanceId,
      event: { type: 'trigger', ownerInstanceId: s.ownerInstanceId, elementId: s.elementId, variables: taken[0].variables },
    });
  }
  return delivered;
}

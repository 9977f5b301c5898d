import type { EngineEvent, Variables } from '@baton/engine';
import type { DefinitionRegistry } from '../definitions/definition-registry';
import type { Key } from '../keys/key-generator';
import { prepareInstance } from '../instances/new-instance';
import type { Repositories } from '../ports/repositories';
import type { InboxEvent, MessageSubscriptionRecord, NewInstanceRecord, StartEventKind } from '../ports/records';

/** What delivering a message or signal decided, before anything is written. */
export interface Delivery {
  /** Inbox events for waiting instances. */
  readonly events: InboxEvent[];
  /** Instances to create from message or signal start events. */
  readonly instances: NewInstanceRecord[];
}

/**
 * A signal reaches every waiting signal catch event, boundary event and event
 * subprocess of the tenant's active instances, and starts an instance per
 * signal start event. Used for signals thrown by instances and sent over REST.
 */
export async function deliverSignal(
  tx: Repositories,
  registry: DefinitionRegistry,
  newKey: () => Key,
  signal: { tenantId: string; name: string; variables: Variables },
): Promise<Delivery> {
  const subscriptions = await tx.signals.subscribers(signal.tenantId, signal.name);
  const events = subscriptions.map((s) => ({
    instanceId: s.instanceId,
    event: { type: 'trigger', ownerInstanceId: s.ownerInstanceId, elementId: s.elementId, variables: signal.variables } as const,
  }));
  const instances = await startsByEvent(tx, registry, newKey, {
    tenantId: signal.tenantId,
    kind: 'SIGNAL',
    name: signal.name,
    variables: signal.variables,
    skip: new Set(),
  });
  return { events, instances };
}

/**
 * Instances to start from message or signal start events of the latest
 * version of each process (deploying a version replaces the start rows of the
 * one before). `skip`: process ids already reached by this delivery.
 */
export async function startsByEvent(
  tx: Repositories,
  registry: DefinitionRegistry,
  newKey: () => Key,
  delivery: { tenantId: string; kind: StartEventKind; name: string; variables: Variables; skip: ReadonlySet<string> },
): Promise<NewInstanceRecord[]> {
  const rows = await tx.startEvents.find(delivery.tenantId, delivery.kind, delivery.name);
  const instances: NewInstanceRecord[] = [];
  const started = new Set<string>();
  for (const row of rows) {
    if (delivery.skip.has(row.bpmnProcessId) || started.has(row.bpmnProcessId)) continue;
    const definition = await registry.byId(row.definitionId, tx);
    if (definition === null) continue;
    instances.push(prepareInstance(definition, { variables: delivery.variables, startEventId: row.elementId }, newKey));
    started.add(row.bpmnProcessId);
  }
  return instances;
}

/** A message subscription as `takeBufferedMessages` needs it. */
export type OpenMessageSubscription = Pick<
  MessageSubscriptionRecord,
  'key' | 'tenantId' | 'instanceId' | 'ownerInstanceId' | 'elementId' | 'messageName' | 'correlationKey' | 'interrupting'
>;

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
  tx: Repositories,
  subscriptions: readonly S[],
): Promise<{ subscription: S; instanceId: Key; event: EngineEvent }[]> {
  const delivered: { subscription: S; instanceId: Key; event: EngineEvent }[] = [];
  const interrupted = new Set<Key>();
  for (const s of subscriptions) {
    if (interrupted.has(s.ownerInstanceId)) continue;
    const variables = await tx.messages.takeBuffered(s.tenantId, s.messageName, s.correlationKey);
    if (variables === null) continue;
    if (s.interrupting) interrupted.add(s.ownerInstanceId);
    delivered.push({
      subscription: s,
      instanceId: s.instanceId,
      event: { type: 'trigger', ownerInstanceId: s.ownerInstanceId, elementId: s.elementId, variables },
    });
  }
  return delivered;
}

/**
 * The subscriptions these deliveries close at once: a message taken by an
 * interrupting subscription closes every subscription of its owner among
 * `subscriptions` (the other branches of an event-based gateway, the other
 * boundary events of an activity), as a published message consumes them. Left
 * open until the step that runs the trigger, they could take (and lose) a
 * message meanwhile.
 */
export function closedByDeliveries(
  delivered: readonly { subscription: OpenMessageSubscription }[],
  subscriptions: readonly OpenMessageSubscription[],
): string[] {
  const owners = new Set(delivered.filter((d) => d.subscription.interrupting).map((d) => d.subscription.ownerInstanceId));
  return subscriptions.filter((s) => owners.has(s.ownerInstanceId)).map((s) => s.key);
}

/**
 * Hands live buffered messages to the open subscriptions of these instances
 * that match them, as a message published now would: under each instance's
 * row lock (key order, as everywhere), the message is taken first and then
 * its subscription consumed. Both sides of a race call this after they
 * commit: a message buffered while a step was opening the subscription it
 * was for (neither transaction saw the other's row), so whichever commits
 * second finds the pair; taking the message is atomic, so it is delivered
 * once. Returns the instances that received one (to be announced).
 */
export async function deliverLateBufferedMessages(tx: Repositories, instanceIds: readonly Key[]): Promise<Key[]> {
  const events: InboxEvent[] = [];
  for (const instance of await tx.instances.lock([...new Set(instanceIds)])) {
    if (instance.status !== 'ACTIVE') continue;
    const subscriptions = await tx.messages.subscriptionsOf(instance.id);
    for (const { subscription, event } of await takeBufferedMessages(tx, subscriptions)) {
      // Under the instance lock nothing else consumes it: the subscription is there.
      await tx.messages.consume(subscription.id, subscription.interrupting);
      events.push({ instanceId: instance.id, event });
    }
  }
  await tx.inbox.append(events);
  return [...new Set(events.map((e) => e.instanceId))];
}

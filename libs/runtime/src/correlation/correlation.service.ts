import type { Variables } from '@baton/engine';
import type { DefinitionRegistry } from '../definitions/definition-registry';
import type { Announcer } from '../execution/announcer';
import type { Key } from '../keys/key-generator';
import { notify, type RuntimeObserver } from '../observer';
import type { RuntimeStore } from '../ports/repositories';
import { DEFAULT_TENANT, type InboxEvent } from '../ports/records';
import { RuntimeError } from '../runtime-error';
import type { VariableLimits } from '../variable-limits';
import { deliverLateBufferedMessages, deliverSignal, startsByEvent } from './correlation';

export interface PublishMessageCommand {
  readonly name: string;
  readonly correlationKey?: string;
  readonly variables?: Variables;
  readonly timeToLiveMs?: number;
  readonly messageId?: string;
  readonly tenantId?: string;
}

export interface MessageResult {
  /** The key of the message (buffered or not). */
  readonly messageKey: Key;
  readonly correlated: Key[];
  readonly started: Key[];
  readonly buffered: boolean;
}

/**
 * Messages and signals from outside. A message moves every waiting
 * subscription with its name and correlation key (at most one instance per
 * process id) and starts instances from message start events; unmatched with
 * a TTL it is buffered until a matching subscription opens. A signal reaches
 * every waiting signal subscription and signal start event. Neither crosses
 * tenants.
 *
 * Each candidate instance is row-locked before its subscription is re-read
 * and consumed, in key order: the unit of work locks instances first too, so
 * the two never wait on each other in opposite orders, and two messages
 * racing for one subscription find it consumed by whichever came first.
 */
export class CorrelationService {
  constructor(
    private readonly store: RuntimeStore,
    private readonly registry: DefinitionRegistry,
    private readonly announcer: Announcer,
    private readonly limits: VariableLimits,
    private readonly newKey: () => Key,
    private readonly observer: RuntimeObserver = {},
    private readonly clock: () => number = Date.now,
  ) {}

  async publishMessage(command: PublishMessageCommand): Promise<MessageResult> {
    const variables = command.variables ?? {};
    const tenantId = command.tenantId ?? DEFAULT_TENANT;
    this.limits.check(variables);
    this.limits.checkMessageTtl(command.timeToLiveMs);
    const correlationKey = command.correlationKey ?? '';
    const messageKey = this.newKey();
    const result = await this.store.transaction(async (tx) => {
      if (command.messageId !== undefined && (await tx.messages.isBuffered(tenantId, command.messageId))) {
        throw RuntimeError.conflict(`a message with id '${command.messageId}' is already buffered`);
      }
      const candidates = await tx.messages.candidates(tenantId, command.name, correlationKey);
      const correlated: Key[] = [];
      const reached = new Set<string>();
      const events: InboxEvent[] = [];
      for (const candidate of candidates) {
        if (reached.has(candidate.bpmnProcessId)) continue;
        const [instance] = await tx.instances.lock([candidate.instanceId]);
        if (instance === undefined || instance.status !== 'ACTIVE') continue;
        // Re-read under the instance lock: a racing message or the unit of work may have consumed it.
        if (!(await tx.messages.consume(candidate.id, candidate.interrupting))) continue;
        this.limits.check(variables, instance.variables);
        events.push({
          instanceId: candidate.instanceId,
          event: { type: 'trigger', ownerInstanceId: candidate.ownerInstanceId, elementId: candidate.elementId, variables },
        });
        correlated.push(candidate.instanceId);
        reached.add(candidate.bpmnProcessId);
      }
      await tx.inbox.append(events);
      const instances = await startsByEvent(tx, this.registry, this.newKey, {
        tenantId,
        kind: 'MESSAGE',
        name: command.name,
        variables,
        skip: reached,
      });
      await tx.instances.insertNew(instances, new Date(this.clock()));
      let buffered = false;
      if (correlated.length === 0 && instances.length === 0 && (command.timeToLiveMs ?? 0) > 0) {
        const kept = await tx.messages.buffer({
          id: messageKey,
          tenantId,
          messageId: command.messageId ?? null,
          name: command.name,
          correlationKey,
          variables,
          timeToLiveMs: command.timeToLiveMs ?? 0,
        });
        // A live message with this id won the race to the buffer.
        if (!kept) throw RuntimeError.conflict(`a message with id '${command.messageId}' is already buffered`);
        buffered = true;
      }
      return { correlated, started: instances, buffered };
    });
    // A subscription that a step committed after this transaction looked for one (and before it
    // committed the message) never saw the message in the buffer: it takes it now.
    const late = result.buffered ? await this.deliverIfSubscribedMeanwhile(tenantId, command.name, correlationKey) : [];
    this.announcer.announce([...result.correlated, ...result.started.map((i) => i.id), ...late]);
    if (result.started.length > 0) notify(this.observer, 'instancesStarted', result.started.map((i) => i.bpmnProcessId));
    return {
      messageKey,
      correlated: [...result.correlated, ...late],
      started: result.started.map((i) => i.id),
      buffered: result.buffered && late.length === 0,
    };
  }

  private async deliverIfSubscribedMeanwhile(tenantId: string, name: string, correlationKey: string): Promise<Key[]> {
    const subscribed = await this.store.repos.messages.candidates(tenantId, name, correlationKey);
    if (subscribed.length === 0) return [];
    return this.store.transaction((tx) => deliverLateBufferedMessages(tx, subscribed.map((s) => s.instanceId)));
  }

  async broadcastSignal(name: string, variables: Variables = {}, tenantId = DEFAULT_TENANT): Promise<{ signalKey: Key; triggered: number }> {
    this.limits.check(variables);
    const signalKey = this.newKey();
    const { triggered, announce, started } = await this.store.transaction(async (tx) => {
      const delivery = await deliverSignal(tx, this.registry, this.newKey, { tenantId, name, variables });
      const reached = [...new Set(delivery.events.map((e) => e.instanceId))];
      // Locked first, in key order, as the unit of work locks them.
      await tx.instances.lock(reached);
      await tx.inbox.append(delivery.events);
      await tx.instances.insertNew(delivery.instances, new Date(this.clock()));
      return {
        triggered: delivery.events.length + delivery.instances.length,
        announce: [...reached, ...delivery.instances.map((i) => i.id)],
        started: delivery.instances.map((i) => i.bpmnProcessId),
      };
    });
    this.announcer.announce(announce);
    if (started.length > 0) notify(this.observer, 'instancesStarted', started);
    return { signalKey, triggered };
  }
}

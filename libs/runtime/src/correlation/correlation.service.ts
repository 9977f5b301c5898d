import type { Variables } from '@baton/engine';
import { inTransaction } from '../execution/bulk-sql';
import type { PrismaClient } from '@baton/store';
import type { DefinitionRegistry } from '../definitions/definition-registry';
import type { WorkPublisher } from '../execution/batch-processor';
import { insertNewInstances } from '../execution/batch-writer';
import { newId } from '../ids';
import { appendEvents, touchInstance } from '../instances/instance-inbox';
import { RuntimeError } from '../runtime-error';
import type { VariableLimits } from '../variable-limits';
import { deliverSignal, startsByEvent } from './correlation';

export interface PublishMessageCommand {
  readonly name: string;
  readonly correlationKey?: string;
  readonly variables?: Variables;
  readonly timeToLiveMs?: number;
  readonly messageId?: string;
}

export interface MessageResult {
  readonly correlated: string[];
  readonly started: string[];
  readonly buffered: boolean;
}

interface Candidate {
  id: string;
  instanceId: string;
  ownerInstanceId: string;
  elementId: string;
  processKey: string;
  interrupting: boolean;
}

/**
 * Messages and signals from outside (DESIGN §4.1). A message moves every
 * waiting subscription with its name and correlation key, at most one
 * instance per process key, and starts instances from message start events;
 * unmatched with a TTL it is buffered until a matching subscription opens.
 * A signal reaches every waiting signal subscription and signal start event.
 *
 * Each candidate instance is row-locked before its subscription is re-read
 * and consumed, in id order: a worker batch locks instances first too, so
 * the two never wait on each other in opposite orders, and two messages
 * racing for one subscription find it consumed by whichever came first.
 */
export class CorrelationService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly registry: DefinitionRegistry,
    private readonly publisher: WorkPublisher,
    private readonly limits: VariableLimits,
  ) {}

  async publishMessage(command: PublishMessageCommand): Promise<MessageResult> {
    const variables = command.variables ?? {};
    this.limits.check(variables);
    const correlationKey = command.correlationKey ?? '';
    const result = await inTransaction(this.prisma, async (tx) => {
      if (command.messageId !== undefined) {
        const seen = await tx.$queryRawUnsafe<{ id: string }[]>(
          `SELECT id FROM "BufferedMessage" WHERE "messageId" = $1 AND "expiresAt" > now()`,
          command.messageId,
        );
        if (seen.length > 0) throw RuntimeError.conflict(`a message with id '${command.messageId}' is already buffered`);
      }
      const candidates = await tx.$queryRawUnsafe<Candidate[]>(
        `SELECT s.id, s."instanceId", s."ownerInstanceId", s."elementId", s."processKey", s.interrupting
           FROM "MessageSubscription" s JOIN "ProcessInstance" p ON p.id = s."instanceId"
          WHERE s."messageName" = $1 AND s."correlationKey" = $2 AND p.status = 'ACTIVE'
          ORDER BY s."instanceId", s."createdAt"`,
        command.name,
        correlationKey,
      );
      const correlated: string[] = [];
      const reachedKeys = new Set<string>();
      const events: Parameters<typeof appendEvents>[1][number][] = [];
      for (const candidate of candidates) {
        if (reachedKeys.has(candidate.processKey)) continue;
        const instance = await touchInstance(tx, candidate.instanceId);
        if (instance === null || instance.status !== 'ACTIVE') continue;
        // Re-read under the instance lock: a racing message or the worker may have consumed it.
        const still = await tx.$queryRawUnsafe<{ id: string }[]>(
          candidate.interrupting
            ? `DELETE FROM "MessageSubscription" WHERE id = $1::uuid RETURNING id`
            : `SELECT id FROM "MessageSubscription" WHERE id = $1::uuid`,
          candidate.id,
        );
        if (still.length === 0) continue;
        this.limits.check(variables, instance.variables);
        events.push({
          instanceId: candidate.instanceId,
          event: { type: 'trigger', ownerInstanceId: candidate.ownerInstanceId, elementId: candidate.elementId, variables },
        });
        correlated.push(candidate.instanceId);
        reachedKeys.add(candidate.processKey);
      }
      await appendEvents(tx, events);
      const instances = await startsByEvent(tx, this.registry, 'MESSAGE', command.name, variables, reachedKeys);
      await insertNewInstances(tx, instances, new Date());
      const started = instances.map((i) => i.id);
      let buffered = false;
      if (correlated.length === 0 && started.length === 0 && (command.timeToLiveMs ?? 0) > 0) {
        const kept = await tx.$queryRawUnsafe<{ id: string }[]>(
          `INSERT INTO "BufferedMessage" (id, "messageId", name, "correlationKey", variables, "expiresAt")
           VALUES ($1::uuid, $2, $3, $4, $5::jsonb, now() + $6 * interval '1 millisecond')
           ON CONFLICT ("messageId") DO UPDATE SET name = EXCLUDED.name, "correlationKey" = EXCLUDED."correlationKey",
              variables = EXCLUDED.variables, "expiresAt" = EXCLUDED."expiresAt", "createdAt" = now()
           WHERE "BufferedMessage"."expiresAt" <= now()
           RETURNING id`,
          newId(),
          command.messageId ?? null,
          command.name,
          correlationKey,
          JSON.stringify(variables),
          command.timeToLiveMs,
        );
        // A live message with this id won the race to the buffer.
        if (kept.length === 0) throw RuntimeError.conflict(`a message with id '${command.messageId}' is already buffered`);
        buffered = true;
      }
      return { correlated, started, buffered };
    });
    const publish = [...result.correlated, ...result.started];
    if (publish.length > 0) await this.publisher.publish(publish.map((instanceId) => ({ instanceId })));
    return result;
  }

  async broadcastSignal(name: string, variables: Variables = {}): Promise<{ triggered: number }> {
    this.limits.check(variables);
    const { triggered, instanceIds } = await inTransaction(this.prisma, async (tx) => {
      const delivery = await deliverSignal(tx, this.registry, name, variables);
      const byInstance = [...new Set(delivery.events.map((e) => e.instanceId))].sort();
      for (const id of byInstance) await touchInstance(tx, id);
      await appendEvents(tx, delivery.events);
      await insertNewInstances(tx, delivery.instances, new Date());
      return {
        triggered: delivery.events.length + delivery.instances.length,
        instanceIds: [...byInstance, ...delivery.instances.map((i) => i.id)],
      };
    });
    if (instanceIds.length > 0) await this.publisher.publish(instanceIds.map((instanceId) => ({ instanceId })));
    return { triggered };
  }
}

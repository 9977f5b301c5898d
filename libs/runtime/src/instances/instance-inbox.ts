import type { EngineEvent, Variables } from '@baton/engine';
import { insertRows, type Tx } from '../execution/bulk-sql';

export interface TouchedInstance {
  readonly status: 'ACTIVE' | 'SUSPENDED' | 'COMPLETED' | 'CANCELED';
  /** Process-scope variables, for the size limits of what the event adds. */
  readonly variables: Variables;
}

/**
 * Events from outside that a worker applies (a user task or job completed, a
 * message correlated) travel through the instance's inbox. One transaction:
 *
 * 1. `touchInstance` — row-locks the instance and marks it pending, so the
 *    sweeper re-enqueues it if the publish after the commit is lost. The
 *    instance row is locked FIRST, as the worker locks it first, so a command
 *    and a worker batch never wait on each other in opposite orders.
 * 2. the wait-state row changes (task COMPLETED, ...), guarded by its state;
 * 3. `appendEvents` inserts the events.
 *
 * After the commit the caller publishes `{ instanceId }` on the token bus.
 */
export async function touchInstance(tx: Tx, instanceId: string): Promise<TouchedInstance | null> {
  const rows = await tx.$queryRawUnsafe<TouchedInstance[]>(
    `UPDATE "ProcessInstance" SET "pendingSince" = COALESCE("pendingSince", now())
      WHERE id = $1::uuid
  RETURNING status::text AS status, variables`,
    instanceId,
  );
  return rows[0] ?? null;
}

export async function appendEvents(
  tx: Tx,
  events: readonly { readonly instanceId: string; readonly event: EngineEvent }[],
): Promise<void> {
  await insertRows(
    tx,
    'InstanceEvent',
    [
      { name: 'instanceId', type: 'uuid' },
      { name: 'event', type: 'jsonb' },
    ],
    events as readonly Record<string, unknown>[],
  );
}

import type { PrismaClient } from '../src';

export interface SeedOptions {
  /** The first instance key; the others follow it. */
  readonly firstId: bigint;
  readonly count: number;
  /** When the instances ended; null: they still run. */
  readonly endedAt: Date | null;
  /** History events per instance (in step rows of two events). */
  readonly history: number;
  /** One row in each table that names an instance (user task, job, timer, subscriptions, incident, inbox, decision, variable key, batch item). */
  readonly related?: boolean;
  readonly parentId?: bigint;
}

/**
 * Instances with their rows, written with INSERT ... SELECT generate_series
 * (retention tests and the bench's retention section).
 */
export async function seedInstances(prisma: PrismaClient, o: SeedOptions): Promise<bigint[]> {
  const first = o.firstId.toString();
  const ended = o.endedAt?.toISOString() ?? null;
  await prisma.$executeRawUnsafe(
    `INSERT INTO "ProcessInstance" (id, "definitionId", "bpmnProcessId", "processVersion", status, state, "parentInstanceId", "startedAt", "endedAt")
     SELECT $1::bigint + g, 1, 'seeded', 1, (CASE WHEN $3::timestamptz IS NULL THEN 'ACTIVE' ELSE 'COMPLETED' END)::"InstanceStatus",
            '{}', $4::bigint, COALESCE($3::timestamptz, now()) - interval '1 minute', $3::timestamptz
       FROM generate_series(0, $2 - 1) AS g`,
    first,
    o.count,
    ended,
    o.parentId?.toString() ?? null,
  );
  if (o.history > 0) {
    await prisma.$executeRawUnsafe(
      // Two events (an element's activation and completion) per step row, as a worker writes a step of one element.
      `INSERT INTO "HistoryStep" ("instanceId", types, "elementIds", "elementTypes", "elementInstanceIds", at)
       SELECT $1::bigint + g,
              array_agg((CASE WHEN h % 2 = 0 THEN 'ELEMENT_ACTIVATED' ELSE 'ELEMENT_COMPLETED' END)::"HistoryEventType" ORDER BY h),
              array_agg('task_' || (h / 2) ORDER BY h), array_agg('serviceTask'::text ORDER BY h),
              array_agg(($1::bigint + g) * 64 + h / 2 ORDER BY h), array_agg(now() ORDER BY h)
         FROM generate_series(0, $2 - 1) AS g, generate_series(0, $3 - 1) AS h
        GROUP BY g, h / 2
        ORDER BY g, h / 2`,
      first,
      o.count,
      o.history,
    );
  }
  if (o.related) {
    const each = (sql: string) => prisma.$executeRawUnsafe(sql.replace(/\$ID/g, '($1::bigint + g)') + ' FROM generate_series(0, $2 - 1) AS g', first, o.count);
    await each(`INSERT INTO "UserTask" (id, "instanceId", "bpmnProcessId", "elementId", state) SELECT $ID * 64 + 1, $ID, 'seeded', 'review', 'COMPLETED'`);
    await each(`INSERT INTO "Job" (id, key, "instanceId", "elementInstanceId", "elementId", "bpmnProcessId", type, retries, state)
                SELECT $ID * 64 + 2, 'job-' || $ID, $ID, $ID * 64 + 2, 'charge', 'seeded', 'charge', 3, 'COMPLETED'`);
    await each(`INSERT INTO "Timer" (id, key, "instanceId", "elementId", "dueAt", state) SELECT $ID * 64 + 3, 'timer-' || $ID, $ID, 'wait', now(), 'FIRED'`);
    await each(`INSERT INTO "MessageSubscription" (id, key, "instanceId", "elementId", "bpmnProcessId", "messageName")
                SELECT $ID * 64 + 4, 'msg-' || $ID, $ID, 'receive', 'seeded', 'paid'`);
    await each(`INSERT INTO "SignalSubscription" (id, key, "instanceId", "elementId", "bpmnProcessId", "signalName")
                SELECT $ID * 64 + 5, 'sig-' || $ID, $ID, 'catch', 'seeded', 'stop'`);
    await each(`INSERT INTO "Incident" (id, "instanceId", "elementId", type, message, "resolvedAt") SELECT $ID * 64 + 6, $ID, 'charge', 'JOB_NO_RETRIES', 'x', now()`);
    await each(`INSERT INTO "InstanceEvent" ("instanceId", event) SELECT $ID, '{"type":"cancel"}'`);
    await each(`INSERT INTO "DecisionInstance" (id, "processInstanceId", "decisionKey", "decisionId", "decisionVersion", "decisionRequirementsKey", state)
                SELECT $ID * 64 + 7, $ID, 1, 'd', 1, 1, 'EVALUATED'`);
    await each(`INSERT INTO "VariableKey" ("instanceId", "scopeId", name) SELECT $ID, $ID, 'amount'`);
    await each(`INSERT INTO "BatchOperationItem" ("batchKey", "itemKey", "instanceId", chunk, state) SELECT 1, $ID, $ID, 0, 'COMPLETED'`);
  }
  return Array.from({ length: o.count }, (_, i) => o.firstId + BigInt(i));
}

/** Rows per table that name one of `ids` (`HistoryEvent`: the history's events, a view of `HistoryStep`). */
export async function rowsOf(prisma: PrismaClient, ids: readonly bigint[]): Promise<Record<string, number>> {
  const keys = ids.map(String);
  const count = async (table: string, column = 'instanceId') =>
    Number(
      (await prisma.$queryRawUnsafe<{ n: bigint }[]>(`SELECT count(*) AS n FROM "${table}" WHERE "${column}" = ANY($1::bigint[])`, keys))[0].n,
    );
  const tables = ['HistoryStep', 'HistoryEvent', 'UserTask', 'Job', 'Timer', 'MessageSubscription', 'SignalSubscription', 'Incident', 'InstanceEvent', 'VariableKey', 'BatchOperationItem'];
  const out: Record<string, number> = { ProcessInstance: await count('ProcessInstance', 'id'), DecisionInstance: await count('DecisionInstance', 'processInstanceId') };
  for (const t of tables) out[t] = await count(t);
  return out;
}

import type { ChangeRepository, ChangeSet, KeyedChanges } from '@baton/runtime';
import { historyStatement } from './history.sql';
import { INSTANCE_COLUMNS, newInstanceRow } from './instance.repository';
import { col, insertRows, insertRowsStatement, runTogether, type Column, type Db, type Statement } from './sql';

/** How the rows of one kind of wait state are written and ended. */
interface KeyedTable {
  readonly table: string;
  readonly columns: readonly Column[];
  readonly onConflict: string;
  /** Ends the rows of closed keys: `$1` the keys, `$2` (with `closeUsesTime`) the time. */
  readonly close: string;
  readonly closeUsesTime?: true;
}

const JOBS: KeyedTable = {
  table: 'Job',
  columns: [
    col('id', 'bigint'),
    col('key', 'text'),
    col('tenantId', 'text'),
    col('instanceId', 'bigint'),
    col('elementInstanceId', 'bigint'),
    col('elementId', 'text'),
    col('definitionId', 'bigint'),
    col('bpmnProcessId', 'text'),
    col('type', 'text'),
    col('retries', 'int'),
    col('customHeaders', 'jsonb'),
    col('listenerEventType', 'text'),
    col('availableAt', 'timestamptz'),
    col('createdAt', 'timestamptz'),
  ],
  // The key is the element instance: a job is created again for it only when the element is
  // activated again (an incident on it was resolved), and then it starts afresh.
  onConflict: `ON CONFLICT (key) DO UPDATE SET state = 'ACTIVATABLE', retries = EXCLUDED.retries, "workerId" = NULL,
     "lockExpiresAt" = NULL, "availableAt" = EXCLUDED."availableAt", "errorMessage" = NULL,
     outcome = NULL, "outcomeWorkerId" = NULL, "outcomeDigest" = NULL`,
  close: `UPDATE "Job" SET state = 'CANCELED', "workerId" = NULL, "lockExpiresAt" = NULL
           WHERE key = ANY($1::text[]) AND state IN ('ACTIVATABLE', 'ACTIVATED', 'FAILED')`,
};

const USER_TASKS: KeyedTable = {
  table: 'UserTask',
  columns: [
    col('id', 'bigint'),
    col('tenantId', 'text'),
    col('instanceId', 'bigint'),
    col('definitionId', 'bigint'),
    col('bpmnProcessId', 'text'),
    col('elementId', 'text'),
    col('name', 'text'),
    col('assignee', 'text'),
    col('candidateGroups', 'text[]'),
    col('candidateUsers', 'text[]'),
    col('formKey', 'text'),
    col('dueDate', 'timestamptz'),
    col('followUpDate', 'timestamptz'),
    col('priority', 'int'),
    col('createdAt', 'timestamptz'),
  ],
  onConflict: 'ON CONFLICT (id) DO NOTHING',
  // A user task's effect key is its element instance, which is also its key.
  close: `UPDATE "UserTask" SET state = 'CANCELED', "completedAt" = $2::timestamptz
           WHERE id = ANY($1::bigint[]) AND state IN ('CREATED', 'ASSIGNING', 'UPDATING', 'COMPLETING')`,
  closeUsesTime: true,
};

const TIMERS: KeyedTable = {
  table: 'Timer',
  columns: [
    col('id', 'bigint'),
    col('key', 'text'),
    col('tenantId', 'text'),
    col('instanceId', 'bigint'),
    col('ownerInstanceId', 'bigint'),
    col('elementId', 'text'),
    col('dueAt', 'timestamptz'),
    col('createdAt', 'timestamptz'),
  ],
  // A timer cycle re-arms under the same key.
  onConflict: `ON CONFLICT (key) DO UPDATE SET "dueAt" = EXCLUDED."dueAt", state = 'SCHEDULED'`,
  close: `UPDATE "Timer" SET state = 'CANCELED' WHERE key = ANY($1::text[]) AND state = 'SCHEDULED'`,
};

const SUBSCRIPTION_COLUMNS = [
  col('id', 'bigint'),
  col('key', 'text'),
  col('tenantId', 'text'),
  col('instanceId', 'bigint'),
  col('ownerInstanceId', 'bigint'),
  col('elementId', 'text'),
  col('bpmnProcessId', 'text'),
  col('createdAt', 'timestamptz'),
];

const MESSAGE_SUBSCRIPTIONS: KeyedTable = {
  table: 'MessageSubscription',
  columns: [...SUBSCRIPTION_COLUMNS, col('messageName', 'text'), col('correlationKey', 'text'), col('interrupting', 'boolean')],
  onConflict: 'ON CONFLICT (key) DO NOTHING',
  close: `DELETE FROM "MessageSubscription" WHERE key = ANY($1::text[])`,
};

const SIGNAL_SUBSCRIPTIONS: KeyedTable = {
  table: 'SignalSubscription',
  columns: [...SUBSCRIPTION_COLUMNS, col('signalName', 'text')],
  onConflict: 'ON CONFLICT (key) DO NOTHING',
  close: `DELETE FROM "SignalSubscription" WHERE key = ANY($1::text[])`,
};


const INCIDENT_COLUMNS = [
  col('id', 'bigint'),
  col('tenantId', 'text'),
  col('instanceId', 'bigint'),
  col('definitionId', 'bigint'),
  col('bpmnProcessId', 'text'),
  col('elementId', 'text'),
  col('elementInstanceId', 'bigint'),
  col('type', 'text'),
  col('message', 'text'),
  col('jobEffectKey', 'text'),
  col('createdAt', 'timestamptz'),
];

export const EVENT_COLUMNS = [col('instanceId', 'bigint'), col('event', 'jsonb')];

/**
 * Writes one unit of work: one statement per table and kind of change,
 * whatever the number of instances, in the transaction of the caller.
 */
export class PgChangeRepository implements ChangeRepository {
  constructor(private readonly db: Db) {}

  async apply(changes: ChangeSet): Promise<void> {
    const db = this.db;
    const at = changes.now.toISOString();
    await insertRows(
      db,
      'ProcessInstance',
      INSTANCE_COLUMNS,
      changes.newInstances.map((i) => newInstanceRow(i, at)),
    );
    // A step's usual writes in one round trip: they touch different tables and none reads another's rows.
    await runTogether(db, [
      instanceUpdateStatement(changes, at),
      historyStatement(changes.history),
      openStatement(JOBS, changes.jobs, { availableAt: at, createdAt: at }),
      changes.consumedEvents.length === 0
        ? null
        : { sql: `DELETE FROM "InstanceEvent" WHERE id = ANY($1::bigint[])`, params: [changes.consumedEvents] },
    ]);
    await this.close(JOBS, changes.jobs.close, at);
    if (changes.jobs.retry.length > 0) {
      // A job incident resolved: the job is activatable again with its new retries.
      await db.$executeRawUnsafe(
        `UPDATE "Job" j SET state = 'ACTIVATABLE', retries = r.retries, "availableAt" = $2::timestamptz, "errorMessage" = NULL,
                "workerId" = NULL, "lockExpiresAt" = NULL
           FROM jsonb_to_recordset($1::jsonb) AS r(key text, retries int)
          WHERE j.key = r.key AND j.state = 'FAILED'`,
        JSON.stringify(changes.jobs.retry),
        at,
      );
    }
    await this.keyed(USER_TASKS, changes.userTasks, at, { createdAt: at });
    await this.endTaskTransitions(changes, at);
    await this.keyed(TIMERS, changes.timers, at, { createdAt: at });
    await this.keyed(MESSAGE_SUBSCRIPTIONS, changes.messageSubscriptions, at, { createdAt: at });
    await this.keyed(SIGNAL_SUBSCRIPTIONS, changes.signalSubscriptions, at, { createdAt: at });
    await this.incidents(changes, at);
    await insertRows(db, 'InstanceEvent', EVENT_COLUMNS, changes.events);
    if (changes.events.length > 0) await markPending(db, changes.events, at);
    if (changes.idle.length > 0) {
      // A hint that found nothing to do: the mark goes, unless events came in meanwhile; the
      // step went through, so its failures in a row are over.
      await db.$executeRawUnsafe(
        `UPDATE "ProcessInstance" p
            SET "stepFailures" = 0,
                "pendingSince" = CASE WHEN EXISTS (SELECT 1 FROM "InstanceEvent" e WHERE e."instanceId" = p.id)
                                      THEN p."pendingSince" END
          WHERE p.id = ANY($1::bigint[]) AND (p."pendingSince" IS NOT NULL OR p."stepFailures" > 0)`,
        changes.idle,
      );
    }
  }

  /** Wait-state rows: inserts for the keys whose last change opened them, one statement ending the rest. */
  private async keyed<T extends object>(spec: KeyedTable, changes: KeyedChanges<T>, at: string, extra: object): Promise<void> {
    await runTogether(this.db, [openStatement(spec, changes, extra)]);
    await this.close(spec, changes.close, at);
  }

  /** Ends the wait-state rows of closed keys. */
  private async close(spec: KeyedTable, keys: readonly string[], at: string): Promise<void> {
    if (keys.length === 0) return;
    if (spec.closeUsesTime) await this.db.$executeRawUnsafe(spec.close, keys, at);
    else await this.db.$executeRawUnsafe(spec.close, keys);
  }

  /**
   * User tasks whose ASSIGNING, UPDATING or COMPLETING ended (their listeners are done):
   * the new state and, unless denied, the task's data after the transition.
   */
  private async endTaskTransitions(changes: ChangeSet, at: string): Promise<void> {
    const ends = changes.userTasks.transitions ?? [];
    if (ends.length === 0) return;
    await this.db.$executeRawUnsafe(
      `UPDATE "UserTask" u
          SET state = t.state::"UserTaskState",
              "completedAt" = CASE WHEN t.state = 'COMPLETED' THEN $2::timestamptz ELSE u."completedAt" END,
              assignee = CASE WHEN t.applied THEN t.assignee ELSE u.assignee END,
              "candidateGroups" = CASE WHEN t.applied THEN t."candidateGroups" ELSE u."candidateGroups" END,
              "candidateUsers" = CASE WHEN t.applied THEN t."candidateUsers" ELSE u."candidateUsers" END,
              "dueDate" = CASE WHEN t.applied THEN t."dueDate" ELSE u."dueDate" END,
              "followUpDate" = CASE WHEN t.applied THEN t."followUpDate" ELSE u."followUpDate" END,
              priority = CASE WHEN t.applied THEN t.priority ELSE u.priority END
         FROM jsonb_to_recordset($1::jsonb)
              AS t(id bigint, state text, applied boolean, assignee text, "candidateGroups" text[], "candidateUsers" text[],
                   "dueDate" timestamptz, "followUpDate" timestamptz, priority int)
        WHERE u.id = t.id AND u.state IN ('ASSIGNING', 'UPDATING', 'COMPLETING')`,
      JSON.stringify(ends.map((e) => ({ id: e.id, state: e.state, applied: e.task !== null, ...e.task }))),
      at,
    );
  }

  private async incidents(changes: ChangeSet, at: string): Promise<void> {
    const db = this.db;
    if (changes.resolvedIncidentElements.length > 0) {
      await db.$executeRawUnsafe(
        `UPDATE "Incident" SET "resolvedAt" = $2::timestamptz
          WHERE "elementInstanceId" = ANY($1::bigint[]) AND "resolvedAt" IS NULL`,
        changes.resolvedIncidentElements,
        at,
      );
    }
    if (changes.canceledInstances.length > 0) {
      // A canceled instance leaves no open incident behind.
      await db.$executeRawUnsafe(
        `UPDATE "Incident" SET "resolvedAt" = $2::timestamptz WHERE "instanceId" = ANY($1::bigint[]) AND "resolvedAt" IS NULL`,
        changes.canceledInstances,
        at,
      );
    }
    if (changes.incidents.length === 0) return;
    const names = INCIDENT_COLUMNS.filter((c) => c.name !== 'jobEffectKey');
    const record = INCIDENT_COLUMNS.map((c) => `"${c.name}" ${c.type}`).join(', ');
    await db.$executeRawUnsafe(
      // A job incident names its job: the job of the element's effect key.
      `INSERT INTO "Incident" (${names.map((c) => `"${c.name}"`).join(', ')}, "jobId")
       SELECT ${names.map((c) => `r."${c.name}"`).join(', ')}, (SELECT j.id FROM "Job" j WHERE j.key = r."jobEffectKey")
         FROM jsonb_to_recordset($1::jsonb) AS r(${record})`,
      JSON.stringify(changes.incidents.map((i) => ({ ...i, jobEffectKey: i.jobEffectKey ?? null, createdAt: at }))),
    );
  }
}

/** The inserts of the wait-state rows whose keys' last change opened them (`extra`: columns every row gets); null for none. */
function openStatement<T extends object>(spec: KeyedTable, changes: KeyedChanges<T>, extra: object): Statement | null {
  return insertRowsStatement(spec.table, spec.columns, changes.open.map((row) => ({ ...row, ...extra })), spec.onConflict);
}

/** The stepped instances' new state, variables and status (one UPDATE for all); null when none was stepped. */
function instanceUpdateStatement(changes: ChangeSet, at: string): Statement | null {
  if (changes.instanceUpdates.length === 0) return null;
  return {
    sql: `UPDATE "ProcessInstance" AS p
            SET state = u.state, variables = u.variables, status = u.status::"InstanceStatus",
                rev = p.rev + 1, "stepFailures" = 0,
                "pendingSince" = CASE WHEN u.pending THEN $2::timestamptz END,
                "endedAt" = CASE WHEN u.ended THEN $2::timestamptz ELSE p."endedAt" END
           FROM jsonb_to_recordset($1::jsonb)
                AS u(id bigint, state jsonb, variables jsonb, status text, pending boolean, ended boolean)
          WHERE p.id = u.id`,
    params: [JSON.stringify(changes.instanceUpdates), at],
  };
}

/** Instances that received events have work: the sweeper must see them if the announcement is lost. */
export async function markPending(db: Db, events: readonly { instanceId: string }[], at?: string): Promise<void> {
  await db.$executeRawUnsafe(
    `UPDATE "ProcessInstance" SET "pendingSince" = COALESCE($2::timestamptz, now())
      WHERE id = ANY($1::bigint[]) AND "pendingSince" IS NULL`,
    [...new Set(events.map((e) => e.instanceId))],
    at ?? null,
  );
}

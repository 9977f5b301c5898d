import type { InstanceMigrationRepository, InstanceMigrationRewrite } from '@baton/runtime';
import type { Db } from './sql';

const SUBSCRIPTION_TABLES = {
  timer: 'Timer',
  message: 'MessageSubscription',
  signal: 'SignalSubscription',
} as const;

/**
 * The row rewrites of a process instance migration, run in the unit of work's
 * transaction under the instance's row lock (so no job, task or subscription
 * row of the instance changes meanwhile): one statement, and three more when
 * subscriptions are renamed.
 */
export class PgInstanceMigrationRepository implements InstanceMigrationRepository {
  constructor(private readonly db: Db) {}

  async rewrite(r: InstanceMigrationRewrite): Promise<void> {
    // Jobs keep their key, type, retries, headers and lease (Zeebe's JobIntent.MIGRATED changes only
    // their element and process); user tasks their key and data; open incidents stay on their element.
    const moved = (table: string, match: string, extra = '') =>
      `UPDATE "${table}" t SET "elementId" = m.eid, "definitionId" = $2::bigint, "bpmnProcessId" = $3
         FROM m WHERE t."instanceId" = $1::bigint AND ${match} = m.id${extra} RETURNING 1`;
    await this.db.$executeRawUnsafe(
      `WITH m AS (SELECT * FROM unnest($5::bigint[], $6::text[]) AS m(id, eid)),
            p AS (UPDATE "ProcessInstance" SET "definitionId" = $2::bigint, "bpmnProcessId" = $3, "processVersion" = $4, rev = rev + 1
                   WHERE id = $1::bigint RETURNING 1),
            j AS (${moved('Job', 't."elementInstanceId"')}),
            u AS (${moved('UserTask', 't.id')}),
            i AS (${moved('Incident', 't."elementInstanceId"', ' AND t."resolvedAt" IS NULL')}),
            ms AS (UPDATE "MessageSubscription" SET "bpmnProcessId" = $3 WHERE "instanceId" = $1::bigint RETURNING 1),
            ss AS (UPDATE "SignalSubscription" SET "bpmnProcessId" = $3 WHERE "instanceId" = $1::bigint RETURNING 1)
       SELECT 1`,
      r.instanceId,
      r.definitionId,
      r.bpmnProcessId,
      r.version,
      r.elements.map((e) => e.elementInstanceId),
      r.elements.map((e) => e.elementId),
    );
    if (r.renamed.length === 0) return;
    // Two passes through a key no effect uses, so that swapped catch events never collide on the unique key.
    const kinds = [...new Set(r.renamed.map((s) => s.kind))];
    const pass = (table: string, set: string) =>
      `UPDATE "${table}" t SET ${set} FROM m WHERE t."instanceId" = $1::bigint AND t.key = m.src RETURNING 1`;
    const statement = (set: (table: string) => string) =>
      `WITH m AS (SELECT * FROM unnest($2::text[], $3::text[], $4::boolean[], $5::text[]) AS m(src, dst, interrupting, eid)),
            ${kinds.map((k, n) => `u${n} AS (${pass(SUBSCRIPTION_TABLES[k], set(SUBSCRIPTION_TABLES[k]))})`).join(',\n')}
       SELECT 1`;
    const via = r.renamed.map((s) => `${s.toKey}#migrating`);
    const interrupting = r.renamed.map((s) => s.interrupting);
    const elementIds = r.renamed.map((s) => s.elementId);
    await this.db.$executeRawUnsafe(
      statement(
        (table) => `key = m.dst${table === 'Timer' ? '' : ', interrupting = m.interrupting'}`,
      ),
      r.instanceId,
      r.renamed.map((s) => s.fromKey),
      via,
      interrupting,
      elementIds,
    );
    // A timer canceled here (an unmapped catch event) may hold the key a mapped one takes.
    if (kinds.includes('timer')) {
      await this.db.$executeRawUnsafe(
        `DELETE FROM "Timer" WHERE "instanceId" = $1::bigint AND key = ANY($2::text[]) AND state <> 'SCHEDULED'`,
        r.instanceId,
        r.renamed.map((s) => s.toKey),
      );
    }
    await this.db.$executeRawUnsafe(
      statement(() => `key = m.dst, "elementId" = m.eid`),
      r.instanceId,
      via,
      r.renamed.map((s) => s.toKey),
      interrupting,
      elementIds,
    );
  }
}

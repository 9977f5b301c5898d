import { cycleNext } from '@baton/engine';
import { inTransaction } from '../execution/bulk-sql';
import type { PrismaClient } from '@baton/store';
import type { DefinitionRegistry } from '../definitions/definition-registry';
import type { RuntimeLogger, WorkPublisher } from '../execution/batch-processor';
import { insertNewInstances, type NewInstance } from '../execution/batch-writer';
import { appendEvents } from '../instances/instance-inbox';
import { prepareInstance } from '../instances/new-instance';

interface DueTimer {
  id: string;
  instanceId: string | null;
  definitionId: string | null;
  ownerInstanceId: string | null;
  elementId: string;
  dueAt: Date;
  cycle: string | null;
  repetitions: number | null;
}

/**
 * Fires due timers. Timer rows live in Postgres with the instance they belong
 * to (written in the same transaction as the step that scheduled them), so a
 * restart of any component loses none. Every worker polls; a due timer is
 * claimed with `FOR UPDATE SKIP LOCKED` and flipped to FIRED in the same
 * statement, so it fires once however many workers poll. Timers of suspended
 * instances wait: they are due again the moment the instance resumes.
 *
 * An instance timer becomes a `trigger` event in the instance's inbox; a timer
 * start event starts an instance and, for a cycle, arms its next firing.
 */
export class TimerService {

  constructor(
    private readonly prisma: PrismaClient,
    private readonly registry: DefinitionRegistry,
    private readonly publisher: WorkPublisher,
    private readonly options: { batchSize?: number; logger: RuntimeLogger; onFired?: (latenessMs: number[]) => void },
  ) {}

  /** One pass: fires up to `batchSize` due timers; returns how many fired. */
  async fireDue(): Promise<number> {
    const now = new Date();
    const { fired, publish, lateness } = await inTransaction(this.prisma, async (tx) => {
      const due = await tx.$queryRawUnsafe<DueTimer[]>(
        `WITH due AS (
           SELECT t.id FROM "Timer" t
            WHERE t.state = 'SCHEDULED' AND t."dueAt" <= now()
              AND (t."instanceId" IS NULL
                   OR EXISTS (SELECT 1 FROM "ProcessInstance" p WHERE p.id = t."instanceId" AND p.status = 'ACTIVE'))
            ORDER BY t."dueAt"
            LIMIT $1
            FOR UPDATE OF t SKIP LOCKED)
         UPDATE "Timer" t SET state = 'FIRED' FROM due WHERE t.id = due.id
     RETURNING t.id, t."instanceId", t."definitionId", t."ownerInstanceId", t."elementId", t."dueAt", t.cycle, t.repetitions`,
        this.options.batchSize ?? 1000,
      );
      if (due.length === 0) return { fired: 0, publish: [], lateness: [] };
      const events = due
        .filter((t) => t.instanceId !== null && t.ownerInstanceId !== null)
        .map((t) => ({
          instanceId: t.instanceId as string,
          event: { type: 'trigger', ownerInstanceId: t.ownerInstanceId as string, elementId: t.elementId } as const,
        }));
      await appendEvents(tx, events);
      const started: NewInstance[] = [];
      for (const timer of due.filter((t) => t.instanceId === null && t.definitionId !== null)) {
        const definition = await this.registry.byId(timer.definitionId as string);
        if (definition === null) continue;
        started.push(prepareInstance(definition, { startEventId: timer.elementId }));
        if (timer.cycle !== null && (timer.repetitions === null || timer.repetitions > 0)) {
          // Arm the next firing of the start event's cycle.
          await tx.$executeRawUnsafe(
            `UPDATE "Timer" SET state = 'SCHEDULED', "dueAt" = $2::timestamptz, repetitions = $3 WHERE id = $1::uuid`,
            timer.id,
            new Date(cycleNext(timer.cycle, timer.dueAt.getTime())).toISOString(),
            timer.repetitions === null ? null : timer.repetitions - 1,
          );
        }
      }
      await insertNewInstances(tx, started, now);
      return {
        fired: due.length,
        publish: [...new Set(events.map((e) => e.instanceId)), ...started.map((s) => s.id)],
        lateness: due.map((t) => now.getTime() - t.dueAt.getTime()),
      };
    });
    if (lateness.length > 0) this.options.onFired?.(lateness);
    if (publish.length > 0) {
      await this.publisher
        .publish(publish.map((instanceId) => ({ instanceId })))
        .catch((e: unknown) => this.options.logger.warn(`publishing fired timers failed, the sweeper will retry: ${(e as Error).message}`));
    }
    return fired;
  }

  /** Polls every `intervalMs` (at once again while a pass fills a whole batch) until stopped. */
  start(intervalMs: number): () => Promise<void> {
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    let running: Promise<void> = Promise.resolve();
    const loop = async (): Promise<void> => {
      let fired = 0;
      try {
        fired = await this.fireDue();
      } catch (e) {
        this.options.logger.warn(`firing timers failed: ${(e as Error).message}`);
      }
      if (stopped) return;
      timer = setTimeout(() => (running = loop()), fired >= (this.options.batchSize ?? 1000) ? 0 : intervalMs);
    };
    running = loop();
    return async () => {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      await running;
    };
  }
}

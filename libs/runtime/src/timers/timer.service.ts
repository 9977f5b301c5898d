import { cycleNext } from '@baton/engine';
import type { DefinitionRegistry } from '../definitions/definition-registry';
import type { Announcer } from '../execution/announcer';
import { prepareInstance } from '../instances/new-instance';
import type { Key } from '../keys/key-generator';
import { FailureKind, notify, type RuntimeObserver } from '../observer';
import type { RuntimeStore } from '../ports/repositories';
import type { InboxEvent, NewInstanceRecord } from '../ports/records';

/**
 * Fires due timers. Timer rows live in the store with the instance they
 * belong to (written in the same transaction as the step that scheduled
 * them), so a restart of any component loses none. Every worker polls; a due
 * timer is claimed and flipped to FIRED in one statement, so it fires once
 * however many workers poll. Timers of suspended instances wait: they are due
 * again the moment the instance resumes.
 *
 * An instance timer becomes a `trigger` event in the instance's inbox; a
 * timer start event starts an instance and, for a cycle, arms its next firing.
 */
export class TimerService {
  constructor(
    private readonly store: RuntimeStore,
    private readonly registry: DefinitionRegistry,
    private readonly announcer: Announcer,
    private readonly newKey: () => Key,
    private readonly options: { batchSize?: number; observer?: RuntimeObserver; clock?: () => number } = {},
  ) {}

  /** One pass: fires up to `batchSize` due timers; returns how many fired. */
  async fireDue(): Promise<number> {
    const now = new Date((this.options.clock ?? Date.now)());
    const { fired, announce, lateness, started } = await this.store.transaction(async (tx) => {
      const due = await tx.timers.claimDue(this.options.batchSize ?? 1000);
      if (due.length === 0) return { fired: 0, announce: [], lateness: [], started: [] };
      const events: InboxEvent[] = [];
      for (const t of due) {
        if (t.instanceId === null || t.ownerInstanceId === null) continue;
        events.push({ instanceId: t.instanceId, event: { type: 'trigger', ownerInstanceId: t.ownerInstanceId, elementId: t.elementId } });
      }
      await tx.inbox.append(events);
      const instances: NewInstanceRecord[] = [];
      for (const timer of due) {
        if (timer.instanceId !== null || timer.definitionId === null) continue;
        const definition = await this.registry.byId(timer.definitionId, tx);
        if (definition === null) continue;
        instances.push(prepareInstance(definition, { startEventId: timer.elementId }, this.newKey));
        if (timer.cycle !== null && (timer.repetitions === null || timer.repetitions > 0)) {
          // Arm the next firing of the start event's cycle.
          await tx.timers.rearm(
            timer.id,
            new Date(cycleNext(timer.cycle, timer.dueAt.getTime())),
            timer.repetitions === null ? null : timer.repetitions - 1,
          );
        }
      }
      await tx.instances.insertNew(instances, now);
      return {
        fired: due.length,
        announce: [...events.map((e) => e.instanceId), ...instances.map((i) => i.id)],
        lateness: due.map((t) => now.getTime() - t.dueAt.getTime()),
        started: instances.map((i) => i.bpmnProcessId),
      };
    });
    if (lateness.length > 0) notify(this.options.observer ?? {}, 'timersFired', lateness);
    if (started.length > 0) notify(this.options.observer ?? {}, 'instancesStarted', started);
    this.announcer.announce(announce);
    return fired;
  }

  /**
   * One turn of the poller: a cheap look at the timers; a pass (a
   * transaction) only when one is due; then how long to wait before the next
   * turn: none while a pass fills a whole batch, until the next timer falls
   * due when one does within `intervalMs` (so it fires on time rather than up
   * to an interval late), `intervalMs` otherwise (timers armed meanwhile by
   * other processes are found then).
   */
  async turn(intervalMs: number): Promise<{ readonly fired: number; readonly waitMs: number }> {
    const { due, nextInMs } = await this.store.repos.timers.peek(intervalMs);
    const fired = due ? await this.fireDue() : 0;
    if (fired >= (this.options.batchSize ?? 1000)) return { fired, waitMs: 0 };
    return { fired, waitMs: nextInMs === null ? intervalMs : Math.min(intervalMs, Math.max(0, Math.ceil(nextInMs))) };
  }

  /** Runs {@link turn} after turn until stopped. */
  start(intervalMs: number): () => Promise<void> {
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    let running: Promise<void> = Promise.resolve();
    const loop = async (): Promise<void> => {
      let wait = intervalMs;
      try {
        wait = (await this.turn(intervalMs)).waitMs;
      } catch (e) {
        notify(this.options.observer ?? {}, 'failure', FailureKind.TimerFailed, `firing timers failed: ${(e as Error).message}`, e);
      }
      if (stopped) return;
      timer = setTimeout(() => (running = loop()), wait);
    };
    running = loop();
    return async () => {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      await running;
    };
  }
}

import { TimerService } from '@baton/runtime';
import { startWorker, type BenchChild } from './children';
import { percentile, sleep, statOf, type Stat } from './stats';
import { BenchWorld, benchFile, quietObserver } from './world';

export interface TimerPlan {
  readonly rounds: number;
  /** Timers due in the same second, per round. */
  readonly timers: number;
  /** How far ahead of now they are due: time to start the instances and let the worker reach the timer. */
  readonly leadSeconds: number;
  readonly rabbitmqUrl: string;
}

export interface TimerRound {
  readonly timers: number;
  /** Timers that were scheduled (rows written) before they were due. */
  readonly scheduledBeforeDue: number;
  readonly completed: number;
  /** Due -> fired: the timer's trigger event written to the instance's inbox, ms. */
  readonly fired: { p50: number; p95: number; max: number };
  /** Due -> the timer catch event completed (its history entry: a worker ran the instance on), ms. */
  readonly completedLateness: { p50: number; p95: number; max: number };
}

export interface TimerFigures {
  readonly rounds: TimerRound[];
  /** Fired lateness (the target's figure: timers *fire* within 250 ms at p95). */
  readonly p50: Stat;
  readonly p95: Stat;
  readonly max: Stat;
  /** Completion lateness: fired, then through the queue and the worker's batches. */
  readonly completedP50: Stat;
  readonly completedP95: Stat;
  readonly completedMax: Stat;
  /** Who fired them: the worker's own poller, or (when the worker fired none) one in the bench process. */
  readonly poller: string;
}

/**
 * 1,000 instances of TimerBench (start -> timer catch `timeDate = due` -> end)
 * with the same `due`, one worker with its defaults. Two latenesses per timer:
 * - fired: when its trigger event was written to the instance's inbox (a
 *   statement trigger the bench adds to its own schema records the clock of
 *   each insert, since the worker deletes inbox rows once applied) minus dueAt:
 *   the poll interval and the claim;
 * - completed: the timer catch event's ELEMENT_COMPLETED time (history) minus
 *   dueAt: that plus the publish and the worker's batches.
 */
export async function measureTimers(
  plan: TimerPlan,
  log: (line: string) => void,
): Promise<TimerFigures> {
  const world = await BenchWorld.create('timers', plan.rabbitmqUrl, 8);
  let worker: BenchChild | undefined;
  let stopBenchPoller: (() => Promise<void>) | undefined;
  let poller = 'worker (its own timer poller, default interval)';
  try {
    const definition = await world.deploy(benchFile('timer-date.bpmn'));
    await recordFirings(world);
    worker = await startWorker({
      name: 'timer-worker',
      databaseUrl: world.db.url,
      rabbitmqUrl: plan.rabbitmqUrl,
      queue: world.queue,
      batchSize: 100,
    });
    const rounds: TimerRound[] = [];
    for (let r = 0; r < plan.rounds; r++) {
      // A whole second, so that every timer is due at the same instant.
      const dueMs = Math.ceil((Date.now() + plan.leadSeconds * 1000) / 1000) * 1000;
      const due = new Date(dueMs).toISOString();
      const started = await Promise.all(
        Array.from({ length: plan.timers }, () =>
          world.starter.start({ definition, variables: { due } }),
        ),
      );
      const ids = started.map((s) => s.id);
      const scheduled = () =>
        world.count(`SELECT count(*) AS n FROM "Timer" WHERE "instanceId" = ANY($1::bigint[])`, ids);
      while (Date.now() < dueMs - 50 && (await scheduled()) < plan.timers) await sleep(50);
      const scheduledBeforeDue = await scheduled();
      if (scheduledBeforeDue < plan.timers) {
        log(
          `  warn: only ${scheduledBeforeDue} of ${plan.timers} timers were scheduled before they were due`,
        );
      }
      const completed = () =>
        world.count(
          `SELECT count(*) AS n FROM "ProcessInstance" WHERE status = 'COMPLETED' AND id = ANY($1::bigint[])`,
          ids,
        );
      const deadline = dueMs + 30_000;
      let done = 0;
      while (Date.now() < deadline) {
        await sleep(100);
        done = await completed();
        if (done >= plan.timers) break;
        // The worker of this tree may not poll timers yet: after 2 s without a firing, poll from here.
        if (stopBenchPoller === undefined && Date.now() > dueMs + 2_000) {
          const fired = await world.count(
            `SELECT count(*) AS n FROM "Timer" WHERE state = 'FIRED' AND "instanceId" = ANY($1::bigint[])`,
            ids,
          );
          if (fired === 0) {
            poller = 'the bench process (the worker fired none): TimerService every 100 ms';
            log(`  note: the worker fired no timer; polling from the bench process`);
            stopBenchPoller = new TimerService(world.runtime, world.registry, world.announcer, world.newKey, {
              observer: quietObserver,
            }).start(100);
          }
        }
      }
      const rows = await world.db.prisma.$queryRawUnsafe<{ ms: number }[]>(
        `SELECT (EXTRACT(EPOCH FROM (h.at - t."dueAt")) * 1000)::float8 AS ms
           FROM "Timer" t
           JOIN "HistoryEvent" h
             ON h."instanceId" = t."instanceId" AND h."elementId" = t."elementId" AND h.type = 'ELEMENT_COMPLETED'
          WHERE t."instanceId" = ANY($1::bigint[])`,
        ids,
      );
      const firedRows = await world.db.prisma.$queryRawUnsafe<{ ms: number }[]>(
        `SELECT (EXTRACT(EPOCH FROM (f.at - t."dueAt")) * 1000)::float8 AS ms
           FROM "Timer" t JOIN bench_timer_fired f ON f.instance_id = t."instanceId"
          WHERE t."instanceId" = ANY($1::bigint[])`,
        ids,
      );
      const round: TimerRound = {
        timers: plan.timers,
        scheduledBeforeDue,
        completed: done,
        fired: spread(firedRows.map((row) => row.ms)),
        completedLateness: spread(rows.map((row) => row.ms)),
      };
      rounds.push(round);
      log(
        `  ${plan.timers} timers due at once: fired p95 ${round.fired.p95.toFixed(0)} ms (max ${round.fired.max.toFixed(0)}), ` +
          `completed p95 ${round.completedLateness.p95.toFixed(0)} ms (max ${round.completedLateness.max.toFixed(0)})`,
      );
    }
    return {
      rounds,
      p50: statOf(rounds, (r) => r.fired.p50, 'ms'),
      p95: statOf(rounds, (r) => r.fired.p95, 'ms'),
      max: statOf(rounds, (r) => r.fired.max, 'ms'),
      completedP50: statOf(rounds, (r) => r.completedLateness.p50, 'ms'),
      completedP95: statOf(rounds, (r) => r.completedLateness.p95, 'ms'),
      completedMax: statOf(rounds, (r) => r.completedLateness.max, 'ms'),
      poller,
    };
  } finally {
    await stopBenchPoller?.();
    await worker?.stop();
    await world.close();
  }
}

function spread(values: readonly number[]): { p50: number; p95: number; max: number } {
  return {
    p50: percentile(values, 50),
    p95: percentile(values, 95),
    max: values.length ? Math.max(...values) : NaN,
  };
}

/**
 * A statement trigger on the inbox in the bench's own schema: every timer
 * `trigger` event written is copied with the clock at that moment into
 * bench_timer_fired, since the worker deletes inbox rows once it applied them.
 */
async function recordFirings(world: BenchWorld): Promise<void> {
  const statements = [
    `CREATE TABLE bench_timer_fired (instance_id bigint NOT NULL, at timestamptz NOT NULL)`,
    `CREATE FUNCTION bench_record_timer_fired() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
       INSERT INTO bench_timer_fired (instance_id, at)
         SELECT "instanceId", clock_timestamp() FROM new_rows WHERE event->>'type' = 'trigger';
       RETURN NULL;
     END $$`,
    `CREATE TRIGGER bench_timer_fired AFTER INSERT ON "InstanceEvent"
       REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION bench_record_timer_fired()`,
  ];
  for (const sql of statements) await world.db.prisma.$executeRawUnsafe(sql);
}

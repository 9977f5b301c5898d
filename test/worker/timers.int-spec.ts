import { duplicateHistory, freePort, notCompletedOnce, Scenario, waitFor } from './worker-harness';

// Worker processes against the real Postgres and RabbitMQ on this machine;
// each test has its own schema and queue. Workers start from source under
// tsx (a few seconds each).
jest.setTimeout(90_000);

const SHORT_TIMER = 'libs/runtime/test/fixtures/short-timer.bpmn';

describe('timers in worker processes (Postgres, RabbitMQ)', () => {
  let scenario: Scenario | undefined;

  afterEach(async () => {
    await scenario?.close();
    scenario = undefined;
  });

  const timerStates = (s: Scenario, ids: string[]) =>
    s.db.prisma.timer.groupBy({ by: ['state'], where: { instanceId: { in: ids.map((k) => BigInt(k)) } }, _count: true });

  it('two workers polling: each of 50 one-second timers fires exactly once and each instance completes once', async () => {
    const s = (scenario = await Scenario.create('timers_two'));
    await s.run(async () => {
      const workers = await Promise.all([
        s.spawnWorker('worker-1', { TIMER_POLL_INTERVAL_MS: '20' }),
        s.spawnWorker('worker-2', { TIMER_POLL_INTERVAL_MS: '20' }),
      ]);
      const definition = await s.deploy(SHORT_TIMER);
      await Promise.all(workers.map((w) => w.ready()));
      expect(workers.every((w) => /timers: polling every 20 ms/.test(w.text))).toBe(true);

      const ids = (await s.start(definition, 50, (i) => ({ i, wait: 'PT1S' }))).map((x) => x.id);
      const t0 = Date.now();
      await waitFor('50 scheduled timers', async () => (await s.count(`SELECT count(*) AS n FROM "Timer" WHERE state = 'SCHEDULED'`)) === 50, {
        timeoutMs: 20_000,
      });
      await waitFor('50 completed instances', async () => (await s.count(`SELECT count(*) AS n FROM "ProcessInstance" WHERE status = 'COMPLETED'`)) === 50, {
        timeoutMs: 30_000,
      });
      expect(Date.now() - t0).toBeGreaterThanOrEqual(900);

      // One timer row per instance, FIRED (never re-armed, never fired again); each catch event completed once.
      expect(await timerStates(s, ids)).toEqual([{ state: 'FIRED', _count: 50 }]);
      expect(await notCompletedOnce(s, ids, ['wait', 'end'])).toBe(0);
      expect(await duplicateHistory(s)).toBe(0);
      // Nothing left to fire: the instances' inboxes are empty and nobody is pending.
      expect(await s.count(`SELECT count(*) AS n FROM "InstanceEvent"`)).toBe(0);
      const [lateness] = await s.db.prisma.$queryRawUnsafe<{ p95: number }[]>(
        `SELECT percentile_cont(0.95) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM h.at - t."dueAt") * 1000)::float8 AS p95
           FROM "Timer" t JOIN "HistoryEvent" h ON h."instanceId" = t."instanceId" AND h."elementId" = 'wait' AND h.type = 'ELEMENT_COMPLETED'`,
      );
      console.log(`[timers] 2 workers, 50 timers: p95 from due time to catch-event completion ${lateness.p95.toFixed(0)} ms`);
      for (const w of workers) expect(w.exit).toBeUndefined();
    });
  });

  /**
   * "A Redis restart during pending timers loses none." Shutting down the
   * Redis on this machine is not an option (other work shares it), so this
   * shows the same thing from the other side: timers do not touch Redis at
   * all. Instances are started and their timers scheduled while a worker
   * runs with a live Redis; that worker stops (a restart, mid-wait); a new
   * worker comes up pointed at a Redis port where nothing listens — as if
   * Redis were down for the rest of the test — and every timer still fires
   * exactly once. Timers are Postgres rows claimed with SKIP LOCKED; Redis
   * only caches definitions, and a dead Redis is a cache miss.
   */
  it('timers survive a worker restart and need no Redis: a worker on a dead Redis port fires every pending timer once', async () => {
    const s = (scenario = await Scenario.create('timers_noredis'));
    await s.run(async () => {
      const first = await s.spawnWorker('worker-live-redis', { REDIS_URL: 'redis://127.0.0.1:6379' });
      const definition = await s.deploy(SHORT_TIMER);
      await first.ready();
      const ids = (await s.start(definition, 20, (i) => ({ i, wait: 'PT2S' }))).map((x) => x.id);
      await waitFor('20 scheduled timers', async () => (await s.count(`SELECT count(*) AS n FROM "Timer" WHERE state = 'SCHEDULED'`)) === 20, {
        timeoutMs: 20_000,
      });
      first.kill('SIGTERM');
      expect(await first.waitExit(30_000)).toEqual({ code: 0, signal: null });
      // The timers outlived the worker that scheduled them.
      expect(await timerStates(s, ids)).toEqual([{ state: 'SCHEDULED', _count: 20 }]);

      const deadRedis = `redis://127.0.0.1:${await freePort()}`;
      const second = await s.spawnWorker('worker-dead-redis', { REDIS_URL: deadRedis, TIMER_POLL_INTERVAL_MS: '50' });
      // Not `ready()`: readiness reports the dead Redis. Alive and working is what counts here.
      await waitFor('the worker to listen', async () => (await second.get('/health')).status === 200, { timeoutMs: 45_000, intervalMs: 100 });
      await waitFor('20 completed instances', async () => (await s.count(`SELECT count(*) AS n FROM "ProcessInstance" WHERE status = 'COMPLETED'`)) === 20, {
        timeoutMs: 30_000,
      });
      expect(second.text).toMatch(/cache=redis/);
      expect(second.text).toMatch(/Redis unavailable/);
      expect(await timerStates(s, ids)).toEqual([{ state: 'FIRED', _count: 20 }]);
      expect(await notCompletedOnce(s, ids, ['wait', 'end'])).toBe(0);
      expect(await duplicateHistory(s)).toBe(0);
    });
  });
});

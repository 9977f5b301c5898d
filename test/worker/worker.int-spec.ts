import { execFileSync } from 'node:child_process';
import { Client } from 'pg';
import {
  duplicateHistory,
  notCompletedOnce,
  RABBITMQ_URL,
  Scenario,
  sleep,
  waitFor,
  type WorkerProcess,
} from './worker-harness';

// Worker processes against the real Postgres and RabbitMQ on this machine.
// Each test has its own schema and queue; workers start from source under tsx
// (a few seconds each), so the budget per test is generous.
jest.setTimeout(120_000);

const PARALLEL = 'libs/engine/test/fixtures/bpmn/gateways/parallel.bpmn';
const CALL_PARALLEL = 'test/worker/fixtures/call-parallel.bpmn';

describe('worker processes (Postgres, RabbitMQ)', () => {
  let scenario: Scenario | undefined;

  afterEach(async () => {
    await scenario?.close();
    scenario = undefined;
  });

  it('two workers on one queue complete 1,000 parallel-gateway instances exactly once', async () => {
    const s = (scenario = await Scenario.create('two'));
    await s.run(async () => {
      // One worker reads definitions through Redis, the other through its memory cache.
      const workers = await Promise.all([
        s.spawnWorker('worker-1', { REDIS_URL: 'redis://127.0.0.1:6379' }),
        s.spawnWorker('worker-2'),
      ]);
      const definition = await s.deploy(PARALLEL);
      await Promise.all(workers.map((w) => w.ready()));
      expect(workers.map((w) => /cache=(\w+)/.exec(w.text)?.[1])).toEqual(['redis', 'memory']);

      const t0 = performance.now();
      const started = await s.start(definition, 1000, (i) => ({ i, tag: `n${i}` }));
      const ids = started.map((x) => x.id);
      await waitFor(
        '1,000 instances to complete',
        async () =>
          (await s.count(
            `SELECT count(*) AS n FROM "ProcessInstance" WHERE status = 'COMPLETED'`,
          )) === 1000,
        {
          timeoutMs: 60_000,
          intervalMs: 25,
        },
      );
      const seconds = (performance.now() - t0) / 1000;
      const [span] = await s.db.prisma.$queryRawUnsafe<{ s: number }[]>(
        `SELECT EXTRACT(EPOCH FROM max("endedAt") - min("startedAt"))::float8 AS s FROM "ProcessInstance"`,
      );
      console.log(
        `[worker throughput] 2 workers, TOKEN_BATCH_SIZE=100: 1,000 parallel-gateway instances in ${seconds.toFixed(2)} s ` +
          `= ${Math.round(1000 / seconds)} instances/s (start of first to end of last in the store: ${span.s.toFixed(2)} s)`,
      );

      const rows = await s.db.prisma.processInstance.findMany({ where: { id: { in: ids.map((k) => BigInt(k)) } } });
      expect(rows).toHaveLength(1000);
      const byId = new Map(rows.map((r) => [r.id.toString(), r]));
      started.forEach((x, i) => {
        const row = byId.get(x.id);
        // Stepped exactly once (rev 0 -> 1), settled, with the variables it started with.
        expect({
          status: row?.status,
          rev: row?.rev,
          pendingSince: row?.pendingSince,
          variables: row?.variables,
        }).toEqual({
          status: 'COMPLETED',
          rev: 1,
          pendingSince: null,
          variables: { i, tag: `n${i}` },
        });
      });
      expect(await notCompletedOnce(s, ids, ['join', 'end'])).toBe(0);
      expect(await duplicateHistory(s)).toBe(0);

      // Both workers took part; both stop cleanly.
      for (const w of workers) w.kill('SIGTERM');
      const exits = await Promise.all(workers.map((w) => w.waitExit(30_000)));
      expect(exits).toEqual([
        { code: 0, signal: null },
        { code: 0, signal: null },
      ]);
      const shares = workers.map((w) =>
        Number(/stopped after \d+ batch\(es\): (\d+) item/.exec(w.text)?.[1] ?? 0),
      );
      console.log(`[worker throughput] items per worker: ${shares.join(', ')}`);
      for (const share of shares) expect(share).toBeGreaterThan(0);
    });
  });

  it('a worker killed with SIGKILL mid-run loses nothing: a new worker completes all 500 instances, no duplicate history', async () => {
    const s = (scenario = await Scenario.create('kill'));
    await s.run(async () => {
      const settings = { TOKEN_BATCH_SIZE: '10', STATE_CHECK_INTERVAL: '1' };
      const first = await s.spawnWorker('worker-killed', settings);
      await s.deploy(PARALLEL);
      const definition = await s.deploy(CALL_PARALLEL);
      await first.ready();

      // Each parent takes three batches: start the child, run the child, finish on the child's completion.
      const parents = (await s.start(definition, 500)).map((x) => x.id);
      const completedParents = () =>
        s.count(
          `SELECT count(*) AS n FROM "ProcessInstance" WHERE "parentInstanceId" IS NULL AND status = 'COMPLETED'`,
        );
      const atKill = await waitFor(
        'the first parents to complete',
        async () => {
          const n = await completedParents();
          return n >= 20 ? n : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 5 },
      );
      first.kill('SIGKILL');
      expect(await first.waitExit(10_000)).toEqual({ code: null, signal: 'SIGKILL' });
      expect(atKill).toBeLessThan(500);

      const second = await s.spawnWorker('worker-after', settings);
      await waitFor('all 500 parents to complete', async () => (await completedParents()) === 500, {
        timeoutMs: 90_000,
        intervalMs: 50,
      });
      console.log(
        `[worker kill] SIGKILL after ${atKill} of 500 parents had completed; the second worker finished the rest`,
      );

      const children = await s.db.prisma.processInstance.findMany({
        where: { parentInstanceId: { not: null } },
      });
      // Exactly one child per parent: a redelivered batch never starts a call activity twice.
      expect(children).toHaveLength(500);
      expect(new Set(children.map((c) => c.parentInstanceId)).size).toBe(500);
      expect(children.every((c) => c.status === 'COMPLETED' && c.rev === 1)).toBe(true);
      const parentRows = await s.db.prisma.processInstance.findMany({
        where: { id: { in: parents.map((k) => BigInt(k)) } },
      });
      const byId = new Map(parentRows.map((r) => [r.id.toString(), r]));
      parents.forEach((id, i) => {
        const row = byId.get(id);
        // Two steps each (start, child completed): nothing committed twice.
        expect({
          status: row?.status,
          rev: row?.rev,
          pendingSince: row?.pendingSince,
          variables: row?.variables,
        }).toEqual({
          status: 'COMPLETED',
          rev: 2,
          pendingSince: null,
          variables: { i },
        });
      });
      expect(await notCompletedOnce(s, parents, ['call_parallel', 'end'])).toBe(0);
      expect(
        await notCompletedOnce(
          s,
          children.map((c) => c.id.toString()),
          ['join', 'end'],
        ),
      ).toBe(0);
      expect(await duplicateHistory(s)).toBe(0);
      expect(second.exit).toBeUndefined();
    });
  });

  it('SIGTERM: the worker finishes and acks the batches in flight, then exits 0', async () => {
    const s = (scenario = await Scenario.create('term'));
    await s.run(async () => {
      const worker = await s.spawnWorker('worker-term', {
        TOKEN_BATCH_SIZE: '50',
        TOKEN_CONCURRENCY: '2',
        // No sweeper pass during the test: the queue depth is checked exactly.
        STATE_CHECK_INTERVAL: '600',
      });
      const definition = await s.deploy(PARALLEL);
      await worker.ready();

      // Hold the batch in flight: its history insert waits on this lock until we let go.
      const blocker = new Client({ connectionString: s.db.baseUrl });
      await blocker.connect();
      try {
        await blocker.query(`BEGIN; LOCK TABLE "${s.db.schema}"."HistoryStep" IN EXCLUSIVE MODE`);
        const ids = (await s.start(definition, 200)).map((x) => x.id);
        await waitFor(
          'a batch to wait on the history lock',
          async () =>
            (await s.count(
              `SELECT count(*) AS n FROM pg_locks WHERE relation = $1::regclass AND NOT granted`,
              `"${s.db.schema}"."HistoryStep"`,
            )) > 0,
          { timeoutMs: 30_000 },
        );

        worker.kill('SIGTERM');
        await sleep(1_000);
        // Still there: waiting for its batch, not dropping it.
        expect(worker.exit).toBeUndefined();
        expect(worker.text).toContain('SIGTERM: finishing the batches in flight');
        await blocker.query('COMMIT');

        expect(await worker.waitExit(30_000)).toEqual({ code: 0, signal: null });
        const done = await s.count(
          `SELECT count(*) AS n FROM "ProcessInstance" WHERE status = 'COMPLETED' AND rev = 1`,
        );
        expect(done).toBeGreaterThan(0);
        // At most the two batches (TOKEN_CONCURRENCY) that were in flight.
        expect(done).toBeLessThanOrEqual(100);
        expect(
          await s.count(
            `SELECT count(*) AS n FROM "ProcessInstance" WHERE status = 'ACTIVE' AND rev = 0`,
          ),
        ).toBe(200 - done);
        // The committed batches were acked; everything else went back to the queue.
        await waitFor(
          'unacked deliveries back in the queue',
          async () => (await s.queuedItems()) === 200 - done,
          { timeoutMs: 10_000 },
        );

        const next = await s.spawnWorker('worker-next');
        await waitFor(
          'the rest to complete',
          async () =>
            (await s.count(
              `SELECT count(*) AS n FROM "ProcessInstance" WHERE status = 'COMPLETED'`,
            )) === 200,
          {
            timeoutMs: 60_000,
          },
        );
        expect(await s.count(`SELECT count(*) AS n FROM "ProcessInstance" WHERE rev <> 1`)).toBe(0);
        expect(await notCompletedOnce(s, ids, ['join', 'end'])).toBe(0);
        expect(await duplicateHistory(s)).toBe(0);
        expect(next.exit).toBeUndefined();
      } finally {
        await blocker.end().catch(() => undefined);
      }
    });
  });

  it('the sweeper finds committed work that was never published and a running worker completes it', async () => {
    const s = (scenario = await Scenario.create('sweep'));
    await s.run(async () => {
      const interval = 1;
      const worker = await s.spawnWorker('worker-sweep', {
        STATE_CHECK_INTERVAL: String(interval),
        MIGRATE_ON_START: 'true',
      });
      const definition = await s.deploy(PARALLEL);
      await worker.ready();

      const ids = (await s.startUnpublished(definition, 5)).map((x) => x.id);
      await s.db.prisma.$executeRawUnsafe(
        `UPDATE "ProcessInstance" SET "pendingSince" = now() - interval '1 hour' WHERE id = ANY($1::bigint[])`,
        ids,
      );
      const t0 = performance.now();
      await waitFor(
        'the swept instances to complete',
        async () =>
          (await s.count(
            `SELECT count(*) AS n FROM "ProcessInstance" WHERE status = 'COMPLETED' AND id = ANY($1::bigint[])`,
            ids,
          )) === 5,
        // ~2 x STATE_CHECK_INTERVAL, plus a second for a loaded machine.
        { timeoutMs: 2 * interval * 1000 + 1000, intervalMs: 20 },
      );
      console.log(
        `[worker sweeper] STATE_CHECK_INTERVAL=${interval}: unpublished work completed ${((performance.now() - t0) / 1000).toFixed(2)} s after it became overdue`,
      );
      expect(worker.text).toMatch(/sweeper re-queued \d+ instance/);
      expect(worker.text).toContain('database schema is up to date');
      expect(await worker.get('/health')).toEqual({ status: 200, body: '{"status":"ok"}' });
      expect(await worker.get('/metrics')).toMatchObject({ status: 200 });
      expect(JSON.parse((await worker.get('/health/ready')).body)).toEqual({
        status: 'ok',
        checks: { postgres: { status: 'up' }, rabbitmq: { status: 'up' }, consumer: { status: 'up' } },
      });
      expect(await notCompletedOnce(s, ids, ['join', 'end'])).toBe(0);
      expect(await duplicateHistory(s)).toBe(0);
    });
  });

  const rabbitmqctl = onPath('rabbitmqctl') && onPath('ss');
  (rabbitmqctl ? it : it.skip)(
    'keeps consuming after RabbitMQ closed its connections',
    async () => {
      const s = (scenario = await Scenario.create('reconnect'));
      await s.run(async () => {
        const worker = await s.spawnWorker('worker-reconnect');
        const definition = await s.deploy(PARALLEL);
        await worker.ready();
        const before = (await s.start(definition, 20)).map((x) => x.id);
        await waitForCompleted(s, before);

        const closed = closeConnectionsOf(worker);
        expect(closed).toBeGreaterThan(0);
        await waitFor('the worker to notice', async () => /lost RabbitMQ/.test(worker.text), {
          timeoutMs: 10_000,
        });

        const after = (await s.start(definition, 100)).map((x) => x.id);
        await waitForCompleted(s, after);
        await worker.ready(10_000);
        expect(await duplicateHistory(s)).toBe(0);
        expect(worker.exit).toBeUndefined();
      });
    },
  );
  if (!rabbitmqctl)
    console.warn(
      'reconnect test skipped: rabbitmqctl or ss is not on PATH, so the broker cannot be told to close connections',
    );
});

async function waitForCompleted(s: Scenario, ids: string[]): Promise<void> {
  await waitFor(
    `${ids.length} instances to complete`,
    async () =>
      (await s.count(
        `SELECT count(*) AS n FROM "ProcessInstance" WHERE status = 'COMPLETED' AND id = ANY($1::bigint[])`,
        ids,
      )) === ids.length,
    { timeoutMs: 30_000 },
  );
}

function onPath(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Has the broker close exactly this worker's AMQP connections (other suites
 * may be using RabbitMQ at the same time): the worker's local ports from
 * `ss`, matched against the broker's view of each connection's peer port.
 */
function closeConnectionsOf(worker: WorkerProcess): number {
  const amqpPort = new URL(RABBITMQ_URL).port;
  const sockets = execFileSync(
    'ss',
    ['-tnpH', 'state', 'established', `( dport = :${amqpPort} )`],
    { encoding: 'utf8' },
  );
  const ports = new Set<string>();
  for (const line of sockets.split('\n')) {
    if (!line.includes(`pid=${worker.pid},`)) continue;
    const local = line.trim().split(/\s+/)[2];
    ports.add(local.slice(local.lastIndexOf(':') + 1));
  }
  const listing = execFileSync('rabbitmqctl', ['-q', 'list_connections', 'pid', 'peer_port'], {
    encoding: 'utf8',
  });
  let closed = 0;
  for (const line of listing.split('\n')) {
    const [pid, peerPort] = line.trim().split(/\s+/);
    if (pid === undefined || !ports.has(peerPort)) continue;
    execFileSync(
      'rabbitmqctl',
      ['-q', 'close_connection', pid, 'test: closing the worker connection'],
      { stdio: 'ignore' },
    );
    closed++;
  }
  return closed;
}

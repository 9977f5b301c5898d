import { Client } from 'pg';
import { PgJobNotifications } from '@baton/store';
import { InstanceService, JobService, JobSignal, TimerService, UnitOfWork, VariableLimits, type RuntimeStore } from '../src';
import { big, bpmn, harness, testKeys, testObserver, type Harness } from './runtime-harness';

const fixture = (p: string) => bpmn(`libs/engine/test/fixtures/bpmn/${p}`);
const limits = new VariableLimits({ maxVariableSize: 1024, maxTotalVariables: 4096 });
const LEASE = 30_000;

/** Resolves with 'settled' when `p` settles within `ms`, 'waiting' otherwise. */
async function within(p: Promise<unknown>, ms: number): Promise<'settled' | 'waiting'> {
  let timer: NodeJS.Timeout | undefined;
  const waiting = new Promise<'waiting'>((resolve) => (timer = setTimeout(() => resolve('waiting'), ms)));
  const result = await Promise.race([p.then(() => 'settled' as const, () => 'settled' as const), waiting]);
  clearTimeout(timer);
  return result;
}

/**
 * Job completions against Postgres: grouped, never waiting for an instance a
 * step holds, and ending in exactly one outcome when they race a cancel or a
 * boundary timer.
 */
describe('job reports (Postgres)', () => {
  let h: Harness;
  let transactions: number;
  let writes: number;
  let jobs: JobService;
  let instances: InstanceService;
  let timers: TimerService;
  /** A second connection: the row locks another transaction (a worker's step) would hold. */
  let other: Client;

  beforeAll(async () => {
    h = await harness('jobreports');
    // Counts the transactions the job service opens and the statements that end jobs.
    const settle = h.runtime.repos.jobs.settle.bind(h.runtime.repos.jobs);
    const repos = {
      ...h.runtime.repos,
      jobs: Object.assign(Object.create(h.runtime.repos.jobs) as typeof h.runtime.repos.jobs, {
        settle: (...args: Parameters<typeof settle>) => {
          writes++;
          return settle(...args);
        },
      }),
    };
    const counted: RuntimeStore = {
      repos,
      transaction: (work, options) => {
        transactions++;
        return h.runtime.transaction(work, options);
      },
    };
    jobs = new JobService(counted, h.announcer, limits, { pollIntervalMs: 20 });
    instances = new InstanceService(h.runtime, h.registry, h.starter, h.unitOfWork, limits);
    timers = new TimerService(h.runtime, h.registry, h.announcer, testKeys, { observer: testObserver });
    other = new Client({ connectionString: h.db.baseUrl });
    await other.connect();
    await other.query(`SET search_path TO "${h.db.schema}"`);
  }, 60_000);
  afterAll(async () => {
    await other.end();
    await h.close();
  });

  async function startMany(file: string, n: number): Promise<string[]> {
    const { processes } = await h.registry.deploy(fixture(file));
    const definition = (await h.registry.byId(processes[0].id))!;
    const ids = await Promise.all(Array.from({ length: n }, (_, i) => h.starter.start({ definition, variables: { i } }).then((s) => s.id)));
    await h.drain();
    return ids;
  }
  const leaseAll = (type: string, n: number) => jobs.activate({ type, workerId: 'w', maxJobs: n, lockDurationMs: LEASE });
  const status = async (id: string) => (await h.db.prisma.processInstance.findUniqueOrThrow({ where: { id: big(id) } })).status;

  it('completions that arrive together are written by one statement: jobs ended and inbox events appended together', async () => {
    const ids = await startMany('tasks/service-task.bpmn', 40);
    const leased = await leaseAll('charge-card', 40);
    expect(leased).toHaveLength(40);
    transactions = 0;
    writes = 0;

    await Promise.all(leased.map((job) => jobs.complete(job.id, { workerId: 'w', variables: { paid: job.variables.i } })));

    expect(writes).toBe(1);
    // Read, decide, write: no transaction is held open across the round trips.
    expect(transactions).toBe(0);
    const events = await h.db.prisma.instanceEvent.findMany({ where: { instanceId: { in: ids.map(big) } } });
    expect(events).toHaveLength(40);
    // The instance rows are not touched: the inbox rows are what the sweeper looks for.
    const marked = await h.db.prisma.processInstance.count({ where: { id: { in: ids.map(big) }, pendingSince: { not: null } } });
    expect(marked).toBe(0);
    await h.drain();
    for (const id of ids) expect(await status(id)).toBe('COMPLETED');
  });

  it('one activation statement leases jobs of several instances, several per instance, each with the variables its element sees', async () => {
    const { processes } = await h.registry.deploy(fixture('multi-instance/parallel.bpmn'));
    const definition = (await h.registry.byId(processes[0].id))!;
    const ids = await Promise.all(
      ['a', 'b'].map((tag) => h.starter.start({ definition, variables: { tag, items: [`${tag}1`, `${tag}2`, `${tag}3`] } }).then((s) => s.id)),
    );
    await h.drain();

    const leased = await jobs.activate({ type: 'process-item', workerId: 'w', maxJobs: 10, lockDurationMs: LEASE });

    expect(leased).toHaveLength(6);
    const seen = leased.map((j) => `${j.instanceId === ids[0] ? 'A' : 'B'}:${String(j.variables.tag)}:${String(j.variables.item)}`).sort();
    expect(seen).toEqual(['A:a:a1', 'A:a:a2', 'A:a:a3', 'B:b:b1', 'B:b:b2', 'B:b:b3']);
    await Promise.all(leased.map((job) => jobs.complete(job.id, { workerId: 'w' })));
    await h.drain();
    for (const id of ids) expect(await status(id)).toBe('COMPLETED');
  });

  it('a completion does not wait for the instance row another transaction holds (a worker stepping it)', async () => {
    const [id] = await startMany('tasks/service-task.bpmn', 1);
    const [job] = await leaseAll('charge-card', 1);
    await other.query('BEGIN');
    try {
      await other.query(`SELECT id FROM "ProcessInstance" WHERE id = $1 FOR UPDATE`, [id]);

      expect(await within(jobs.complete(job.id, { workerId: 'w' }), 5_000)).toBe('settled');
      expect(await h.db.prisma.job.findUniqueOrThrow({ where: { id: big(job.id) } })).toMatchObject({ state: 'COMPLETED' });
    } finally {
      await other.query('ROLLBACK');
    }
    await h.drain();
    expect(await status(id)).toBe('COMPLETED');
  });

  it('a job another transaction holds is decided after it, on its own; the rest of its group does not wait', async () => {
    await startMany('tasks/service-task.bpmn', 2);
    const [held, free] = await leaseAll('charge-card', 2);
    await other.query('BEGIN');
    let completingHeld: Promise<void> | undefined;
    try {
      await other.query(`SELECT id FROM "Job" WHERE id = $1 FOR UPDATE`, [held.id]);
      transactions = 0;
      writes = 0;
      completingHeld = jobs.complete(held.id, { workerId: 'w' });
      const completingFree = jobs.complete(free.id, { workerId: 'w' });

      expect(await within(completingFree, 5_000)).toBe('settled');
      expect(await within(completingHeld, 200)).toBe('waiting');
    } finally {
      await other.query('COMMIT');
    }
    await expect(completingHeld).resolves.toBeUndefined();
    // The group's one statement left the held job out; it was then decided alone, in a transaction of its own.
    expect({ writes, transactions }).toEqual({ writes: 1, transactions: 1 });
    const states = await h.db.prisma.job.findMany({ where: { id: { in: [big(held.id), big(free.id)] } } });
    expect(states.map((j) => j.state)).toEqual(['COMPLETED', 'COMPLETED']);
    await h.drain();
  });

  it('the lease holder is found with the job when a completion names no worker (Camunda REST)', async () => {
    const [id] = await startMany('tasks/service-task.bpmn', 1);
    const [job] = await leaseAll('charge-card', 1);

    await jobs.complete(job.id, { variables: { by: 'holder' } });
    // Repeated (its answer was lost): answered as the first was.
    await jobs.complete(job.id, { variables: { by: 'holder' } });
    await expect(jobs.complete(job.id, { variables: { by: 'someone else' } })).rejects.toMatchObject({ code: 'CONFLICT' });

    expect(await h.db.prisma.job.findUniqueOrThrow({ where: { id: big(job.id) } })).toMatchObject({ outcomeWorkerId: 'w' });
    await h.drain();
    expect(await status(id)).toBe('COMPLETED');
  });

  it('a completion racing a cancel ends in one outcome: either the completion was taken or the job was canceled, never both', async () => {
    const ids = await startMany('tasks/service-task.bpmn', 30);
    const leased = await leaseAll('charge-card', 30);
    const jobOf = new Map(leased.map((j) => [j.instanceId, j]));

    const results = await Promise.all(
      ids.map(async (id) => {
        const job = jobOf.get(id)!;
        const [completion, cancel] = await Promise.allSettled([
          jobs.complete(job.id, { workerId: 'w', variables: { done: true } }),
          instances.cancel(id),
        ]);
        return { id, job, completion, cancel };
      }),
    );
    await h.drain();

    for (const { id, job, completion, cancel } of results) {
      const jobRow = await h.db.prisma.job.findUniqueOrThrow({ where: { id: big(job.id) } });
      const instance = await status(id);
      if (completion.status === 'fulfilled') {
        // Taken: the job is COMPLETED; the instance went on, or the cancel overtook the event.
        expect(jobRow.state).toBe('COMPLETED');
        expect(['COMPLETED', 'CANCELED']).toContain(instance);
      } else {
        // Refused because the cancel ended the job first.
        expect(completion.reason).toMatchObject({ code: 'CONFLICT' });
        expect(jobRow.state).toBe('CANCELED');
        expect(instance).toBe('CANCELED');
      }
      if (cancel.status === 'rejected') expect(instance).toBe('COMPLETED');
      else expect(instance).toBe('CANCELED');
    }
    expect(await h.db.prisma.instanceEvent.count({ where: { instanceId: { in: ids.map(big) } } })).toBe(0);
    expect(await h.db.prisma.incident.count({ where: { instanceId: { in: ids.map(big) } } })).toBe(0);
  });

  it('a completion racing an interrupting boundary timer ends in one path: the task completed or the timer fired, never both', async () => {
    const ids = await startMany('events/timer-boundary-service-task.bpmn', 20);
    const leased = await leaseAll('call-api', 20);
    expect(leased).toHaveLength(20);
    await h.db.prisma.$executeRawUnsafe(`UPDATE "Timer" SET "dueAt" = now() - interval '1 second' WHERE "instanceId" = ANY($1::bigint[])`, ids);

    const completions = leased.map((job) => jobs.complete(job.id, { workerId: 'w', variables: { answered: true } }).then(() => job.instanceId));
    const [settled] = await Promise.all([Promise.allSettled(completions), timers.fireDue(), h.drain()]);
    await h.drain();

    const taken = new Set(settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : [])));
    let viaTask = 0;
    for (const id of ids) {
      expect(await status(id)).toBe('COMPLETED');
      const history = await h.runtime.repos.history.page(id, { limit: 200 });
      const ended = history.filter((e) => e.type === 'ELEMENT_COMPLETED' && (e.elementId === 'end' || e.elementId === 'timeout_end'));
      expect(ended).toHaveLength(1);
      const instance = await h.db.prisma.processInstance.findUniqueOrThrow({ where: { id: big(id) } });
      const answered = (instance.variables as Record<string, unknown>).answered === true;
      if (ended[0].elementId === 'end') {
        viaTask++;
        // The task's path: only a completion that was taken moves it there, with its variables.
        expect(taken.has(id)).toBe(true);
        expect(answered).toBe(true);
      } else {
        expect(answered).toBe(false);
      }
    }
    for (const r of settled) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'CONFLICT' });
    expect(viaTask).toBeLessThanOrEqual(taken.size);
  });

  describe('long polls woken across processes (Postgres LISTEN/NOTIFY)', () => {
    const quiet = { warn: () => undefined };
    const opened: PgJobNotifications[] = [];
    const open = async (url: string, onNotified: (types: string[]) => void) => {
      const n = new PgJobNotifications({ url, onNotified, logger: quiet });
      opened.push(n);
      await n.start();
      expect(n.listening).toBe(true);
      return n;
    };
    afterAll(() => Promise.all(opened.map((n) => n.stop())));

    it('a published job type reaches every process listening on the schema, and no other schema', async () => {
      const here: string[][] = [];
      const elsewhere: string[][] = [];
      const a = await open(h.db.url, () => undefined);
      await open(h.db.url, (types) => here.push(types));
      await open(`${h.db.baseUrl}${h.db.baseUrl.includes('?') ? '&' : '?'}schema=another_schema`, (types) => elsewhere.push(types));

      a.publish(['charge-card', 'ship']);
      a.publish(['charge-card']);
      const deadline = Date.now() + 5_000;
      while (here.flat().length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));

      // Publishes of one event-loop turn go out as one notification.
      expect(here).toEqual([['charge-card', 'ship']]);
      await new Promise((r) => setTimeout(r, 100));
      expect(elsewhere).toEqual([]);
    });

    it("a long poll in one process answers as soon as another process's step commits a job of its type, not at its next poll", async () => {
      // The API process: its activations wait up to 30 s between polls, woken only by notifications.
      const apiSignal = new JobSignal();
      await open(h.db.url, (types) => apiSignal.wake(types));
      const api = new JobService(h.runtime, h.announcer, limits, { pollIntervalMs: 30_000, signal: apiSignal });
      // The worker process: its unit of work relays the job types it commits.
      const workerSignal = new JobSignal();
      const workerNotifications = await open(h.db.url, () => undefined);
      workerSignal.relayTo((types) => workerNotifications.publish(types));
      const worker = new UnitOfWork(h.runtime, h.registry, h.announcer, testKeys, { maxParallel: 50, stepBudget: 10_000, jobSignal: workerSignal });
      const { processes } = await h.registry.deploy(fixture('tasks/service-task.bpmn'));
      const definition = (await h.registry.byId(processes[0].id))!;
      await h.drain();
      await api.activate({ type: 'charge-card', workerId: 'w', maxJobs: 100, lockDurationMs: LEASE });

      const started = Date.now();
      const polling = api.activate({ type: 'charge-card', workerId: 'w', maxJobs: 1, lockDurationMs: LEASE, requestTimeoutMs: 20_000 });
      await new Promise((r) => setTimeout(r, 100));
      const { id } = await h.starter.start({ definition, variables: {} });
      await worker.runBatch(h.publisher.take());
      const [job] = await polling;

      expect(job).toMatchObject({ instanceId: id, type: 'charge-card' });
      expect(Date.now() - started).toBeLessThan(5_000);
      api.close();
    });
  });
});

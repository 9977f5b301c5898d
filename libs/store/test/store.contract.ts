import { randomUUID } from 'node:crypto';
import { BatchProcessor, DefinitionRegistry, Sweeper, TimerService } from '@baton/runtime';
import { Prisma, readMigrationFiles } from '../src';
import {
  engineFixture,
  QueuePublisher,
  quietLogger,
  repoFile,
  runtimeOn,
  sleep,
  type RuntimeOnStore,
  type StoreAdapter,
} from './store-fixtures';
import { MemoryDefinitionCache } from '@baton/cache';

const PARALLEL = engineFixture('gateways/parallel.bpmn');
const SERVICE_TASK = engineFixture('tasks/service-task.bpmn');
const R1 = 'bench/processes/r1-exclusive-script.bpmn';
const SHORT_TIMER = 'libs/runtime/test/fixtures/short-timer.bpmn';

const TABLES = [
  'Definition',
  'ProcessInstance',
  'InstanceEvent',
  'HistoryEvent',
  'UserTask',
  'Job',
  'Timer',
  'MessageSubscription',
  'SignalSubscription',
  'BufferedMessage',
  'Incident',
  'StartSubscription',
];

/**
 * What the runtime needs from its system of record, checked on every store
 * adapter (DESIGN §1: Postgres and the embedded PGlite) so the two cannot
 * drift: the schema the migrations build, the types that cross the driver,
 * the raw SQL the runtime writes (multi-row `jsonb_to_recordset` writes with
 * enum casts, `FOR UPDATE SKIP LOCKED`, `make_interval`, advisory locks),
 * interactive transactions, and the batch cycle on top (start -> step ->
 * commit, inbox, redelivery, timers due, the sweeper).
 */
export function describeStoreContract(adapter: StoreAdapter): void {
  describe(`Store contract: ${adapter.name}`, () => {
    let rt: RuntimeOnStore;

    beforeAll(async () => {
      rt = await runtimeOn(adapter, 'store_contract');
    }, 60_000);

    afterAll(async () => {
      await rt?.close();
    });

    describe('schema', () => {
      it('records every migration as Prisma does (name, checksum, finished) and has every table', async () => {
        const rows = await rt.prisma.$queryRaw<
          { migration_name: string; checksum: string; finished_at: Date | null; rolled_back_at: Date | null; applied_steps_count: number }[]
        >`SELECT migration_name, checksum, finished_at, rolled_back_at, applied_steps_count FROM _prisma_migrations ORDER BY migration_name`;
        expect(rows.map((r) => [r.migration_name, r.checksum])).toEqual(readMigrationFiles().map((m) => [m.name, m.checksum]));
        for (const row of rows) {
          expect(row.finished_at).toBeInstanceOf(Date);
          expect(row.rolled_back_at).toBeNull();
          expect(row.applied_steps_count).toBe(1);
        }
        const tables = await rt.prisma.$queryRaw<{ table_name: string }[]>`
          SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()`;
        expect(tables.map((t) => t.table_name)).toEqual(expect.arrayContaining(TABLES));
      });
    });

    describe('types across the driver', () => {
      it('round-trips JSONB (unicode, big numbers, nesting) and lets SQL look inside it', async () => {
        const id = randomUUID();
        const variables = { n: 1.5, big: 2 ** 40, text: 'grüße ✓ 😀', nested: { list: [1, 'a', null, true] } };
        await rt.prisma.processInstance.create({
          data: { id, definitionId: randomUUID(), processKey: 'types', processVersion: 1, variables, state: { tokens: [] } },
        });
        const read = await rt.prisma.processInstance.findUniqueOrThrow({ where: { id } });
        expect(read.variables).toEqual(variables);
        const [{ text }] = await rt.prisma.$queryRaw<{ text: string }[]>`
          SELECT variables->>'text' AS text FROM "ProcessInstance" WHERE id = ${id}::uuid`;
        expect(text).toBe('grüße ✓ 😀');
      });

      it('stores instants in UTC with millisecond precision, whatever the host time zone', async () => {
        const at = new Date('2026-03-29T01:30:00.123Z');
        const id = randomUUID();
        await rt.prisma.processInstance.create({
          data: { id, definitionId: randomUUID(), processKey: 'types', processVersion: 1, state: {}, startedAt: at },
        });
        expect((await rt.prisma.processInstance.findUniqueOrThrow({ where: { id } })).startedAt.toISOString()).toBe(at.toISOString());
        const [raw] = await rt.prisma.$queryRaw<{ startedAt: Date; asText: string }[]>`
          SELECT "startedAt", "startedAt"::text AS "asText" FROM "ProcessInstance" WHERE id = ${id}::uuid`;
        expect(raw.startedAt.toISOString()).toBe(at.toISOString());
        expect(raw.asText).toBe('2026-03-29 01:30:00.123+00');
        const [{ skew }] = await rt.prisma.$queryRaw<{ skew: number }[]>`SELECT abs(extract(epoch FROM now()) * 1000 - ${Date.now()})::float8 AS skew`;
        expect(skew).toBeLessThan(5_000);
      });

      it('reports a unique violation as P2002 and lets createMany skip duplicates', async () => {
        const job = (key: string) => ({
          key,
          instanceId: randomUUID(),
          elementInstanceId: randomUUID(),
          elementId: 'charge',
          processKey: 'p',
          type: 'charge-card',
          retries: 3,
        });
        const key = `job-${randomUUID()}`;
        await rt.prisma.job.create({ data: job(key) });
        const error = await rt.prisma.job.create({ data: job(key) }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(Prisma.PrismaClientKnownRequestError);
        expect(error).toMatchObject({ code: 'P2002' });
        const replay = await rt.prisma.job.createMany({ data: [job(key), job(`${key}-2`)], skipDuplicates: true });
        expect(replay.count).toBe(1);
      });

      it('filters a text[] column with has', async () => {
        const instanceId = randomUUID();
        await rt.prisma.userTask.createMany({
          data: [
            { id: randomUUID(), instanceId, processKey: 'p', elementId: 'a', candidateGroups: ['sales', 'ops'] },
            { id: randomUUID(), instanceId, processKey: 'p', elementId: 'b', candidateGroups: ['ops'] },
          ],
        });
        const tasks = await rt.prisma.userTask.findMany({ where: { instanceId, candidateGroups: { has: 'sales' } } });
        expect(tasks.map((t) => t.elementId)).toEqual(['a']);
      });
    });

    describe('transactions', () => {
      it('rolls back everything a failed interactive transaction wrote', async () => {
        const key = `rollback-${randomUUID()}`;
        const failed = rt.prisma.$transaction(async (tx) => {
          await tx.definition.create({ data: { key, version: 1, xml: '<x/>', hash: 'h' } });
          await tx.$executeRawUnsafe(`INSERT INTO "Definition" (id, key, version, xml, hash) VALUES ($1::uuid, $2, 2, '<x/>', 'h')`, randomUUID(), key);
          throw new Error('changed my mind');
        });
        await expect(failed).rejects.toThrow('changed my mind');
        expect(await rt.prisma.definition.count({ where: { key } })).toBe(0);
      });

      it('answers a query made through the client from inside a transaction callback', async () => {
        // The registry reads a definition it has not cached yet while a worker batch holds its
        // transaction: a second pooled connection on Postgres, the same one on PGlite.
        let timer: NodeJS.Timeout | undefined;
        const blocked = new Promise<'blocked'>((resolve) => (timer = setTimeout(() => resolve('blocked'), 5_000)));
        const answer = await rt.prisma.$transaction(async (tx) => {
          await tx.$queryRawUnsafe('SELECT 1');
          return Promise.race([rt.prisma.definition.count(), blocked]);
        });
        clearTimeout(timer);
        expect(typeof answer).toBe('number');
      });

      it('keeps deployed versions gap-free under concurrent deploys (advisory lock) and dedupes identical XML', async () => {
        const xml = (n: number) =>
          `<?xml version="1.0"?><bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d${n}" targetNamespace="t">` +
          `<bpmn:process id="concurrent-deploy" isExecutable="true"><bpmn:startEvent id="s${n}"/></bpmn:process></bpmn:definitions>`;
        const results = await Promise.all([1, 2, 3, 4].map((n) => rt.registry.deploy(xml(n))));
        expect(results.map((r) => r.processes[0].version).sort()).toEqual([1, 2, 3, 4]);
        // The same XML as the latest version: that version again, nothing new.
        const latest = results.findIndex((r) => r.processes[0].version === 4) + 1;
        expect(await rt.registry.deploy(xml(latest))).toMatchObject({ created: false, processes: [{ version: 4 }] });
      });
    });

    describe('the batch cycle', () => {
      it('starts instances in grouped writes and runs them to the end in batches', async () => {
        const definition = await rt.deploy(PARALLEL);
        const started = await Promise.all(
          Array.from({ length: 60 }, (_, i) => rt.starter.start({ definition, variables: { i } })),
        );
        expect(rt.publisher.items).toHaveLength(60);
        // A worker that has never seen the definition: it reads it inside its batch transaction.
        const worker = freshWorker(rt);
        while (rt.publisher.items.length > 0) await worker.process(rt.publisher.take(25));
        const rows = await rt.prisma.processInstance.findMany({ where: { id: { in: started.map((s) => s.id) } } });
        expect(rows.map((r) => [r.status, r.pendingSince, r.rev])).toEqual(rows.map(() => ['COMPLETED', null, 1]));
        expect(rows.every((r) => r.endedAt !== null)).toBe(true);
        expect(await rt.prisma.historyEvent.count({ where: { instanceId: started[0].id } })).toBe(16);
        expect(
          await rt.prisma.historyEvent.count({
            where: { instanceId: { in: started.map((s) => s.id) }, elementId: 'join', type: 'ELEMENT_COMPLETED' },
          }),
        ).toBe(60);
      });

      it('changes nothing when an item is redelivered after its commit', async () => {
        const id = await rt.start(SERVICE_TASK, { amount: 3 });
        const before = await rt.prisma.processInstance.findUniqueOrThrow({ where: { id } });
        const history = await rt.prisma.historyEvent.count({ where: { instanceId: id } });
        expect(await rt.prisma.job.findMany({ where: { instanceId: id } })).toEqual([
          expect.objectContaining({ type: 'charge-card', state: 'ACTIVATABLE', customHeaders: { method: 'visa', region: 'eu' } }),
        ]);
        const report = await rt.processor.process([id, id]);
        expect(report.stepped).toBe(0);
        expect((await rt.prisma.processInstance.findUniqueOrThrow({ where: { id } })).state).toEqual(before.state);
        expect(await rt.prisma.job.count({ where: { instanceId: id } })).toBe(1);
        expect(await rt.prisma.historyEvent.count({ where: { instanceId: id } })).toBe(history);
      });

      it('applies inbox events under the row lock and deletes them', async () => {
        const id = await rt.start(SERVICE_TASK);
        const job = await rt.prisma.job.findFirstOrThrow({ where: { instanceId: id } });
        await rt.prisma.instanceEvent.create({
          data: { instanceId: id, event: { type: 'complete', elementInstanceId: job.elementInstanceId, variables: { receipt: 'r1' } } },
        });
        await rt.processor.process([id]);
        const row = await rt.prisma.processInstance.findUniqueOrThrow({ where: { id } });
        expect(row).toMatchObject({ status: 'COMPLETED', variables: { receipt: 'r1' } });
        expect(await rt.prisma.instanceEvent.count({ where: { instanceId: id } })).toBe(0);
      });

      it('starts a call activity child from a definition first read inside the batch', async () => {
        // Deployed through another registry, so this one has neither cached nor memoised the child.
        await new DefinitionRegistry(rt.prisma, new MemoryDefinitionCache(), { cacheTtlSeconds: 60 }).deploy(
          repoFile(engineFixture('subprocess/call-activity-child.bpmn')),
        );
        const id = await rt.start(engineFixture('subprocess/call-activity.bpmn'), { value: 4 });
        await rt.drain();
        const child = await rt.prisma.processInstance.findFirstOrThrow({ where: { parentInstanceId: id } });
        expect(child.status).toBe('COMPLETED');
        expect(await rt.prisma.processInstance.findUniqueOrThrow({ where: { id } })).toMatchObject({
          status: 'COMPLETED',
          variables: { value: 4, result: 8 },
        });
      });

      it('never lets two batches advance one instance at once', async () => {
        const definition = await rt.deploy(PARALLEL);
        const { id } = await rt.starter.start({ definition });
        rt.publisher.take();
        let release!: () => void;
        const held = new Promise<void>((resolve) => (release = resolve));
        let locked!: () => void;
        const isLocked = new Promise<void>((resolve) => (locked = resolve));
        const holder = rt.prisma.$transaction(async (tx) => {
          await tx.$queryRawUnsafe(`SELECT id FROM "ProcessInstance" WHERE id = $1::uuid FOR UPDATE`, id);
          locked();
          await held;
        });
        await isLocked;
        const batch = rt.processor.process([id]);
        if (rt.store.concurrentTransactions) {
          // Postgres: the row is skipped (SKIP LOCKED) and its item handed back for later.
          expect(await batch).toMatchObject({ stepped: 0, requeued: 1 });
          expect(rt.publisher.take()).toEqual([id]);
          release();
          await holder;
          await rt.processor.process([id]);
        } else {
          // PGlite: one connection, so the batch's transaction waits for the holder's to end.
          const early = await Promise.race([batch.then(() => 'ran'), sleep(300).then(() => 'waited')]);
          expect(early).toBe('waited');
          release();
          await holder;
          expect(await batch).toMatchObject({ stepped: 1, requeued: 0 });
        }
        expect(await rt.status(id)).toBe('COMPLETED');
        expect(await rt.prisma.historyEvent.count({ where: { instanceId: id } })).toBe(16);
      });

      it('steps each instance once when concurrent batches carry the same items', async () => {
        const definition = await rt.deploy(R1);
        const started = await Promise.all(
          Array.from({ length: 30 }, (_, i) => rt.starter.start({ definition, variables: { amount: i * 10 } })),
        );
        const ids = rt.publisher.take();
        expect(ids.sort()).toEqual(started.map((s) => s.id).sort());
        await Promise.all([rt.processor.process(ids), rt.processor.process(ids), freshWorker(rt).process(ids)]);
        await rt.drain();
        // rev counts committed steps: 1 means exactly one batch advanced the instance.
        const ends = await rt.prisma.historyEvent.groupBy({
          by: ['instanceId'],
          where: { instanceId: { in: ids }, elementId: 'EndEvent_1', type: 'ELEMENT_COMPLETED' },
          _count: true,
        });
        expect(ends.map((e) => e._count)).toEqual(ids.map(() => 1));
        expect(await rt.prisma.processInstance.count({ where: { id: { in: ids }, status: 'COMPLETED', rev: 1 } })).toBe(30);
      });
    });

    describe('wait-state queries', () => {
      it('fires due timers only (and not those of suspended instances) until the instance resumes', async () => {
        const definition = await rt.deploy(SHORT_TIMER);
        const active = (await rt.starter.start({ definition, variables: { wait: 'PT1H' } })).id;
        const suspended = (await rt.starter.start({ definition, variables: { wait: 'PT1H' } })).id;
        const later = (await rt.starter.start({ definition, variables: { wait: 'PT1H' } })).id;
        await rt.drain();
        await rt.prisma.$executeRawUnsafe(
          `UPDATE "Timer" SET "dueAt" = now() - interval '1 second' WHERE "instanceId" = ANY($1::uuid[])`,
          [active, suspended],
        );
        await rt.prisma.$executeRawUnsafe(`UPDATE "ProcessInstance" SET status = 'SUSPENDED' WHERE id = $1::uuid`, suspended);
        const timers = new TimerService(rt.prisma, rt.registry, rt.publisher, { logger: quietLogger });
        expect(await timers.fireDue()).toBe(1);
        expect(rt.publisher.take()).toEqual([active]);
        expect(await timers.fireDue()).toBe(0);
        await rt.processor.process([active]);
        expect(await rt.status(active)).toBe('COMPLETED');
        expect(await rt.prisma.timer.findMany({ where: { instanceId: { in: [suspended, later] } }, select: { state: true } })).toEqual([
          { state: 'SCHEDULED' },
          { state: 'SCHEDULED' },
        ]);
        await rt.prisma.$executeRawUnsafe(`UPDATE "ProcessInstance" SET status = 'ACTIVE' WHERE id = $1::uuid`, suspended);
        expect(await timers.fireDue()).toBe(1);
        await rt.drain();
        expect(await rt.status(suspended)).toBe('COMPLETED');
        expect(await rt.status(later)).toBe('ACTIVE');
      });

      it('the sweeper re-queues overdue work (make_interval) and leaves fresh work alone', async () => {
        const definition = await rt.deploy(PARALLEL);
        const overdue = (await rt.starter.start({ definition })).id;
        const fresh = (await rt.starter.start({ definition })).id;
        rt.publisher.take();
        await rt.prisma.$executeRawUnsafe(
          `UPDATE "ProcessInstance" SET "pendingSince" = now() - interval '1 hour' WHERE id = $1::uuid`,
          overdue,
        );
        const publisher = new QueuePublisher();
        const sweeper = new Sweeper(rt.prisma, publisher, { intervalSeconds: 60, logger: quietLogger });
        expect(await sweeper.sweepOnce()).toBe(1);
        expect(publisher.take()).toEqual([overdue]);
        // Picked rows get a fresh pendingSince: not queued again at the next pass.
        expect(await sweeper.sweepOnce()).toBe(0);
        await rt.processor.process([overdue, fresh]);
        expect([await rt.status(overdue), await rt.status(fresh)]).toEqual(['COMPLETED', 'COMPLETED']);
      });
    });
  });
}

/** A second worker: its own registry (nothing cached) and batch processor, on the same store. */
function freshWorker(rt: RuntimeOnStore): BatchProcessor {
  const registry = new DefinitionRegistry(rt.prisma, new MemoryDefinitionCache(), { cacheTtlSeconds: 60 });
  return new BatchProcessor(rt.prisma, registry, rt.publisher, { maxParallel: 50, stepBudget: 10_000, logger: quietLogger });
}

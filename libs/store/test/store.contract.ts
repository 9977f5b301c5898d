import { Announcer, DefinitionRegistry, LockTimeoutError, Sweeper, TimerService, type Key, type UnitOfWork } from '@baton/runtime';
import { MemoryDefinitionCache } from '@baton/cache';
import type { ChangeSet, HistoryAppend } from '@baton/runtime';
import { HISTORY_ROW_EVENTS, insertHistory, Prisma, readMigrationFiles } from '../src';
import {
  big,
  engineFixture,
  newUnitOfWork,
  QueuePublisher,
  repoFile,
  runtimeOn,
  sleep,
  testKeys,
  testObserver,
  type RuntimeOnStore,
  type StoreAdapter,
} from './store-fixtures';

const PARALLEL = engineFixture('gateways/parallel.bpmn');
const SERVICE_TASK = engineFixture('tasks/service-task.bpmn');
const R1 = 'bench/processes/r1-exclusive-script.bpmn';
const SHORT_TIMER = 'libs/runtime/test/fixtures/short-timer.bpmn';

const TABLES = [
  'Deployment',
  'Definition',
  'KeyNode',
  'ProcessInstance',
  'InstanceEvent',
  'HistoryStep',
  'HistoryEvent',
  'UserTask',
  'Job',
  'Timer',
  'MessageSubscription',
  'SignalSubscription',
  'BufferedMessage',
  'Incident',
  'StartSubscription',
  'IdempotencyRecord',
  'DecisionRequirements',
  'DecisionDefinition',
  'DecisionInstance',
  'VariableKey',
];

/** Above 2^53: a key a JS number would round. */
const BIG_KEY = '9007199254740993';

const historyAppend = (instanceId: Key, elementId: string, elementInstanceId: Key | null = null): HistoryAppend => ({
  instanceId,
  type: 'ELEMENT_ACTIVATED',
  elementId,
  elementType: 'task',
  elementInstanceId,
  at: new Date('2026-01-02T03:04:05.678Z'),
});

/**
 * What the runtime needs from its system of record, checked on every store
 * adapter (Postgres and the embedded PGlite) so the two cannot
 * drift: the schema the migrations build, the types that cross the driver
 * (64-bit keys as exact decimal strings), the raw SQL of the repositories
 * behind the runtime's `RuntimeStore` port (multi-row `jsonb_to_recordset`
 * writes with enum casts, `FOR UPDATE SKIP LOCKED`, `make_interval`, advisory
 * locks, lock timeouts), interactive transactions, and the unit of work on top
 * (start -> step -> commit, inbox, redelivery, timers due, the sweeper).
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

    /** History events (the per-event view of the compact rows) matching an SQL condition. */
    const historyCount = async (where: string) =>
      (await rt.prisma.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM "HistoryEvent" WHERE ${where}`))[0].n;
    /** Every position in the instance's history, in page order. */
    const historyIds = async (instanceId: Key) => {
      const ids: string[] = [];
      for (let page = await rt.runtime.repos.history.page(instanceId, { limit: 1000 }); page.length > 0; ) {
        ids.push(...page.map((h) => h.id));
        page = await rt.runtime.repos.history.page(instanceId, { limit: 1000, cursor: ids[ids.length - 1] });
      }
      return ids;
    };

    /** An instance row written directly (no definition behind it): for the tests of plain types and queries. */
    const bareInstance = (id: Key, data: Partial<Prisma.ProcessInstanceUncheckedCreateInput> = {}) =>
      rt.prisma.processInstance.create({
        data: {
          id: big(id),
          definitionId: big(testKeys()),
          bpmnProcessId: 'types',
          processVersion: 1,
          state: { instanceId: id, rootId: id, elements: {} },
          ...data,
        },
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
        const id = testKeys();
        const variables = { n: 1.5, big: 2 ** 40, text: 'grüße ✓ 😀', nested: { list: [1, 'a', null, true] } };
        await bareInstance(id, { variables, state: { tokens: [] } });
        const read = await rt.prisma.processInstance.findUniqueOrThrow({ where: { id: big(id) } });
        expect(read.variables).toEqual(variables);
        const [{ text }] = await rt.prisma.$queryRaw<{ text: string }[]>`
          SELECT variables->>'text' AS text FROM "ProcessInstance" WHERE id = ${big(id)}`;
        expect(text).toBe('grüße ✓ 😀');
      });

      it('carries 64-bit keys as exact decimal strings through the repositories, both ways', async () => {
        const definitionId = '9007199254740995';
        await bareInstance(BIG_KEY, { definitionId: big(definitionId), tenantId: 'keys' });
        const read = await rt.runtime.repos.instances.get(BIG_KEY);
        expect(read).toMatchObject({ id: BIG_KEY, definitionId, tenantId: 'keys', status: 'ACTIVE', parentInstanceId: null });
        expect(await rt.runtime.repos.instances.existing([BIG_KEY, '9007199254740992'])).toEqual([BIG_KEY]);
        // A number would have rounded it to ...992, another row.
        expect((await rt.prisma.processInstance.findUniqueOrThrow({ where: { id: 9007199254740993n } })).definitionId).toBe(9007199254740995n);
      });

      it('stores instants in UTC with millisecond precision, whatever the host time zone', async () => {
        const at = new Date('2026-03-29T01:30:00.123Z');
        const id = testKeys();
        await bareInstance(id, { startedAt: at });
        expect((await rt.prisma.processInstance.findUniqueOrThrow({ where: { id: big(id) } })).startedAt.toISOString()).toBe(at.toISOString());
        expect((await rt.runtime.repos.instances.get(id))?.startedAt.toISOString()).toBe(at.toISOString());
        const [raw] = await rt.prisma.$queryRaw<{ startedAt: Date; asText: string }[]>`
          SELECT "startedAt", "startedAt"::text AS "asText" FROM "ProcessInstance" WHERE id = ${big(id)}`;
        expect(raw.startedAt.toISOString()).toBe(at.toISOString());
        expect(raw.asText).toBe('2026-03-29 01:30:00.123+00');
        const [{ skew }] = await rt.prisma.$queryRaw<{ skew: number }[]>`SELECT abs(extract(epoch FROM now()) * 1000 - ${Date.now()})::float8 AS skew`;
        expect(skew).toBeLessThan(5_000);
      });

      it('reports a unique violation as P2002 and lets createMany skip duplicates', async () => {
        const job = (key: string) => ({
          id: big(testKeys()),
          key,
          instanceId: big(testKeys()),
          elementInstanceId: big(testKeys()),
          elementId: 'charge',
          bpmnProcessId: 'p',
          type: 'charge-card',
          retries: 3,
        });
        const key = `${testKeys()}:charge`;
        await rt.prisma.job.create({ data: job(key) });
        const error = await rt.prisma.job.create({ data: job(key) }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(Prisma.PrismaClientKnownRequestError);
        expect(error).toMatchObject({ code: 'P2002' });
        const replay = await rt.prisma.job.createMany({ data: [job(key), job(`${key}-2`)], skipDuplicates: true });
        expect(replay.count).toBe(1);
      });

      it('filters a text[] column (candidate groups) through the task repository', async () => {
        const instanceId = testKeys();
        await bareInstance(instanceId);
        const [a, b] = [testKeys(), testKeys()];
        await rt.prisma.userTask.createMany({
          data: [
            { id: big(a), instanceId: big(instanceId), bpmnProcessId: 'p', elementId: 'a', candidateGroups: ['sales', 'ops'] },
            { id: big(b), instanceId: big(instanceId), bpmnProcessId: 'p', elementId: 'b', candidateGroups: ['ops'] },
          ],
        });
        const sales = await rt.runtime.repos.userTasks.list({ instanceId, candidateGroup: 'sales', limit: 10 });
        expect(sales.map((t) => [t.id, t.elementId, t.candidateGroups])).toEqual([[a, 'a', ['sales', 'ops']]]);
        const ops = await rt.runtime.repos.userTasks.list({ instanceId, candidateGroup: 'ops', limit: 10 });
        expect(ops.map((t) => t.id)).toEqual([a, b]);
      });
    });

    describe('user task transitions (task listeners)', () => {
      const changesOf = (userTasks: ChangeSet['userTasks']): ChangeSet => ({
        now: new Date(),
        newInstances: [],
        instanceUpdates: [],
        history: [],
        jobs: { open: [], close: [], retry: [] },
        userTasks,
        timers: { open: [], close: [] },
        messageSubscriptions: { open: [], close: [] },
        signalSubscriptions: { open: [], close: [] },
        incidents: [],
        resolvedIncidentElements: [],
        canceledInstances: [],
        events: [],
        consumedEvents: [],
        idle: [],
      });

      it('starts ASSIGNING/COMPLETING from CREATED only; ends them applied (with the data), denied (unchanged) or canceled', async () => {
        const instanceId = testKeys();
        await bareInstance(instanceId);
        const [assigned, denied, completed, canceled] = [testKeys(), testKeys(), testKeys(), testKeys()];
        await rt.prisma.userTask.createMany({
          data: [assigned, denied, completed, canceled].map((id) => ({
            id: big(id),
            instanceId: big(instanceId),
            bpmnProcessId: 'p',
            elementId: 't',
            assignee: 'old',
            candidateGroups: ['ops'],
          })),
        });
        const tasks = rt.runtime.repos.userTasks;
        expect(await tasks.startTransition(assigned, 'ASSIGNING')).toBe(true);
        expect(await tasks.startTransition(assigned, 'COMPLETING')).toBe(false);
        expect(await tasks.startTransition(denied, 'ASSIGNING')).toBe(true);
        expect(await tasks.startTransition(completed, 'COMPLETING')).toBe(true);
        expect(await tasks.startTransition(canceled, 'COMPLETING')).toBe(true);
        expect((await tasks.get(completed))?.state).toBe('COMPLETING');
        expect((await tasks.list({ instanceId, limit: 10 })).map((t) => t.state)).toEqual(['ASSIGNING', 'ASSIGNING', 'COMPLETING', 'COMPLETING']);
        const data = {
          assignee: 'ann',
          candidateGroups: ['sales', 'ops'],
          candidateUsers: ['bob'],
          dueDate: '2026-03-01T09:00:00Z',
          followUpDate: null,
          priority: 80,
        };
        await rt.runtime.transaction((tx) =>
          tx.changes.apply(
            changesOf({
              open: [],
              close: [canceled],
              transitions: [
                { id: assigned, state: 'CREATED', task: data },
                { id: denied, state: 'CREATED', task: null },
                { id: completed, state: 'COMPLETED', task: { ...data, assignee: 'carl' } },
              ],
            }),
          ),
        );
        expect(await tasks.get(assigned)).toMatchObject({
          state: 'CREATED',
          assignee: 'ann',
          candidateGroups: ['sales', 'ops'],
          candidateUsers: ['bob'],
          priority: 80,
          completedAt: null,
        });
        expect((await tasks.get(assigned))?.dueDate?.toISOString()).toBe('2026-03-01T09:00:00.000Z');
        expect(await tasks.get(denied)).toMatchObject({ state: 'CREATED', assignee: 'old', candidateGroups: ['ops'], priority: 50 });
        expect(await tasks.get(completed)).toMatchObject({ state: 'COMPLETED', assignee: 'carl', completedAt: expect.any(Date) });
        expect(await tasks.get(canceled)).toMatchObject({ state: 'CANCELED' });
      });

      it('updates the dates, candidates and priority of a CREATED task: absent keeps, null clears a date', async () => {
        const instanceId = testKeys();
        await bareInstance(instanceId);
        const [open, busy] = [testKeys(), testKeys()];
        await rt.prisma.userTask.createMany({
          data: [open, busy].map((id) => ({
            id: big(id),
            instanceId: big(instanceId),
            bpmnProcessId: 'p',
            elementId: 't',
            candidateUsers: ['ann'],
            dueDate: new Date('2026-01-01T00:00:00Z'),
          })),
        });
        const tasks = rt.runtime.repos.userTasks;
        // Absent keeps a value: the due date stays.
        expect(await tasks.update(open, { priority: 7 })).toBe(true);
        expect(await tasks.get(open)).toMatchObject({ dueDate: new Date('2026-01-01T00:00:00Z'), candidateUsers: ['ann'], priority: 7 });
        expect(await tasks.startTransition(busy, 'UPDATING')).toBe(true);
        expect(await tasks.update(busy, { priority: 1 })).toBe(false);
        expect(
          await tasks.update(open, { dueDate: null, followUpDate: '2026-02-01T10:00:00+01:00', candidateGroups: ['ops'], candidateUsers: [], priority: 5 }),
        ).toBe(true);
        expect(await tasks.get(open)).toMatchObject({
          dueDate: null,
          followUpDate: new Date('2026-02-01T09:00:00Z'),
          candidateGroups: ['ops'],
          candidateUsers: [],
          priority: 5,
        });
        expect(await tasks.get(busy)).toMatchObject({ state: 'UPDATING', priority: 50 });
      });
    });

    describe('ordering by key', () => {
      // Keys migrated from UUIDs are small numbers (1, 2, ... 10, 11): ordered as text, 10 would
      // come before 9. Every ordered read and every lock order is by the key as a number.
      const small = (n: number) => String(n);

      it('lists instances newest (highest key) first and pages through them by key', async () => {
        const ids = [8, 9, 10, 11, 100];
        for (const n of ids) await bareInstance(small(n), { bpmnProcessId: 'ordering-instances' });
        const list = (cursor?: string) =>
          rt.runtime.repos.instances.list({ bpmnProcessId: 'ordering-instances', limit: 2, cursor });
        const first = await list();
        expect(first.map((r) => r.id)).toEqual(['100', '11']);
        const second = await list('11');
        expect(second.map((r) => r.id)).toEqual(['10', '9']);
        expect((await list('9')).map((r) => r.id)).toEqual(['8']);
      });

      it('locks instances for a step in key order', async () => {
        for (const n of [7, 13, 99]) await bareInstance(small(n), { bpmnProcessId: 'ordering-locks' });
        const locked = await rt.runtime.transaction(async (tx) => ({
          step: (await tx.instances.lockForStep(['99', '13', '7'], 'skip')).map((r) => r.id),
          touch: (await tx.instances.lock(['99', '13', '7'])).map((r) => r.id),
        }));
        expect(locked).toEqual({ step: ['7', '13', '99'], touch: ['7', '13', '99'] });
      });

      it('locks jobs, pages user tasks and incidents in key order', async () => {
        const instanceId = testKeys();
        await bareInstance(instanceId, { bpmnProcessId: 'ordering-rows' });
        const keys = [9, 10, 11];
        await rt.prisma.job.createMany({
          data: keys.map((n) => ({
            id: BigInt(n),
            key: `ordering:${n}`,
            instanceId: big(instanceId),
            elementInstanceId: BigInt(n),
            elementId: 'e',
            bpmnProcessId: 'ordering-rows',
            type: 'ordering',
            retries: 1,
          })),
        });
        await rt.prisma.userTask.createMany({
          data: keys.map((n) => ({ id: BigInt(n), instanceId: big(instanceId), bpmnProcessId: 'ordering-rows', elementId: `t${n}` })),
        });
        await rt.prisma.incident.createMany({
          data: keys.map((n) => ({ id: BigInt(n), instanceId: big(instanceId), elementId: `i${n}`, type: 'UNHANDLED_ERROR', message: 'm' })),
        });
        const jobs = await rt.runtime.transaction(async (tx) => (await tx.jobs.lock(['11', '10', '9'])).map((j) => j.id));
        expect(jobs).toEqual(['9', '10', '11']);
        const tasks = rt.runtime.repos.userTasks;
        expect((await tasks.list({ instanceId, limit: 2 })).map((t) => t.id)).toEqual(['9', '10']);
        expect((await tasks.list({ instanceId, limit: 2, cursor: '10' })).map((t) => t.id)).toEqual(['11']);
        const incidents = rt.runtime.repos.incidents;
        expect((await incidents.list({ instanceId, limit: 2 })).map((i) => i.id)).toEqual(['9', '10']);
        expect((await incidents.list({ instanceId, limit: 2, cursor: '10' })).map((i) => i.id)).toEqual(['11']);
        expect((await incidents.openOf(instanceId)).map((i) => i.id)).toEqual(['9', '10', '11']);
      });

      it('loads inbox events and pages history in the order they were written, past a new digit of the position', async () => {
        const instanceId = testKeys();
        await bareInstance(instanceId, { bpmnProcessId: 'ordering-inbox' });
        // Positions are bigserials: move them just below a power of ten so this instance's rows cross it.
        await rt.prisma.$executeRawUnsafe(`SELECT setval(pg_get_serial_sequence('"InstanceEvent"', 'id'), 999999995)`);
        // History positions are row id * 1024 + index: rows from 976,560 on cross 10^9 at their fourth row.
        await rt.prisma.$executeRawUnsafe(`SELECT setval(pg_get_serial_sequence('"HistoryStep"', 'id'), 976559)`);
        const n = 12;
        for (let i = 0; i < n; i++) {
          await rt.runtime.repos.inbox.append([{ instanceId, event: { type: 'setVariables', variables: { i } } }]);
        }
        // Steps of 3, 1, 4, 2 and 2 events, another instance's between them in the same statements:
        // pages of 5 end inside rows.
        const other = testKeys();
        let e = 0;
        for (const size of [3, 1, 4, 2, 2]) {
          const events = Array.from({ length: size }, () => historyAppend(instanceId, `e${e++}`));
          await insertHistory(rt.prisma, [historyAppend(other, 'x'), ...events.slice(0, 1), historyAppend(other, 'y'), ...events.slice(1)]);
        }
        const inbox = await rt.runtime.repos.inbox.load([instanceId]);
        expect(inbox.map((e) => (e.event as unknown as { variables: { i: number } }).variables.i)).toEqual([...Array(n).keys()]);
        expect(inbox[n - 1].id).toBe('1000000007');
        const pending = await rt.runtime.repos.inbox.pendingCommands([instanceId]);
        expect(pending.get(instanceId)).toHaveLength(n);
        const pages: string[][] = [];
        let cursor: string | undefined;
        for (;;) {
          const page = await rt.runtime.repos.history.page(instanceId, { limit: 5, cursor });
          if (page.length === 0) break;
          pages.push(page.map((h) => h.elementId));
          cursor = page[page.length - 1].id;
        }
        expect(pages.flat()).toEqual([...Array(n).keys()].map((i) => `e${i}`));
        expect(pages.map((p) => p.length)).toEqual([5, 5, 2]);
        const ids = await historyIds(instanceId);
        expect(ids.some((id) => id.length === 9) && ids.some((id) => id.length === 10)).toBe(true);
        await rt.prisma.instanceEvent.deleteMany({ where: { instanceId: big(instanceId) } });
      });

      it('splits a long step into rows of 1,024 events and pages across them in order', async () => {
        const instanceId = testKeys();
        const n = HISTORY_ROW_EVENTS + 300;
        await insertHistory(
          rt.prisma,
          Array.from({ length: n }, (_, i) => historyAppend(instanceId, `e${i}`, i % 2 === 0 ? null : BIG_KEY)),
        );
        expect(await rt.prisma.historyStep.count({ where: { instanceId: big(instanceId) } })).toBe(2);
        const seen: string[] = [];
        let cursor: string | undefined;
        for (;;) {
          const page = await rt.runtime.repos.history.page(instanceId, { limit: 500, cursor });
          if (page.length === 0) break;
          seen.push(...page.map((h) => h.elementId));
          cursor = page[page.length - 1].id;
        }
        expect(seen).toEqual(Array.from({ length: n }, (_, i) => `e${i}`));
        const [first, second] = await rt.runtime.repos.history.page(instanceId, { limit: 2 });
        expect([first.elementInstanceId, second.elementInstanceId]).toEqual([null, BIG_KEY]);
        expect(first.at).toEqual(new Date('2026-01-02T03:04:05.678Z'));
        // The per-event view lists the same events, in the same order, with the same positions.
        const view = await rt.prisma.$queryRawUnsafe<{ id: string; elementId: string }[]>(
          `SELECT id::text AS id, "elementId" FROM "HistoryEvent" WHERE "instanceId" = $1::bigint ORDER BY id`,
          instanceId,
        );
        expect(view.map((v) => v.elementId)).toEqual(seen);
        expect(view.map((v) => v.id)).toEqual(await historyIds(instanceId));
      });
    });

    describe('transactions', () => {
      it('rolls back everything a failed interactive transaction wrote', async () => {
        const bpmnProcessId = `rollback-${testKeys()}`;
        const failed = rt.prisma.$transaction(async (tx) => {
          await tx.definition.create({ data: { id: big(testKeys()), bpmnProcessId, version: 1, xml: '<x/>', hash: 'h' } });
          await tx.$executeRawUnsafe(
            `INSERT INTO "Definition" (id, "bpmnProcessId", version, xml, hash) VALUES ($1::bigint, $2, 2, '<x/>', 'h')`,
            testKeys(),
            bpmnProcessId,
          );
          throw new Error('changed my mind');
        });
        await expect(failed).rejects.toThrow('changed my mind');
        expect(await rt.prisma.definition.count({ where: { bpmnProcessId } })).toBe(0);
      });

      it('rolls back what the repositories wrote in a RuntimeStore transaction that throws', async () => {
        const id = testKeys();
        const failed = rt.runtime.transaction(async (tx) => {
          await tx.definitions.insertDeployment({ id, tenantId: '<default>' });
          expect(await tx.definitions.byId(id)).toBeNull();
          throw new Error('changed my mind');
        });
        await expect(failed).rejects.toThrow('changed my mind');
        expect(await rt.prisma.deployment.count({ where: { id: big(id) } })).toBe(0);
      });

      it('answers a query made through the client from inside a transaction callback', async () => {
        // The registry reads a definition it has not cached yet while a worker batch holds its
        // transaction: a second pooled connection on Postgres, the same one on PGlite.
        let timer: NodeJS.Timeout | undefined;
        const blocked = new Promise<'blocked'>((resolve) => (timer = setTimeout(() => resolve('blocked'), 5_000)));
        const answer = await rt.runtime.transaction(async (tx) => {
          await tx.instances.existing([testKeys()]);
          return Promise.race([rt.runtime.repos.definitions.latest('<default>', 'nothing-deployed').then(() => 'answered'), blocked]);
        });
        clearTimeout(timer);
        expect(answer).toBe('answered');
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

      it('answers the first idempotent start to every repeat, also to concurrent ones, and creates one instance', async () => {
        const definition = await rt.deploy(PARALLEL);
        const idempotencyKey = `order-${testKeys()}`;
        const starts = await Promise.all([1, 2, 3].map(() => rt.starter.start({ definition, idempotencyKey })));
        expect(new Set(starts.map((s) => s.id)).size).toBe(1);
        expect(await rt.starter.start({ definition, idempotencyKey })).toEqual(starts[0]);
        expect(await rt.prisma.processInstance.count({ where: { id: big(starts[0].id) } })).toBe(1);
        expect(await rt.prisma.idempotencyRecord.count({ where: { key: idempotencyKey } })).toBe(1);
        // An expired record counts as absent: the key starts a new instance and is recorded for it.
        await rt.prisma.idempotencyRecord.updateMany({ where: { key: idempotencyKey }, data: { expiresAt: new Date(Date.now() - 1000) } });
        const again = await rt.starter.start({ definition, idempotencyKey });
        expect(again.id).not.toBe(starts[0].id);
        expect(await rt.prisma.idempotencyRecord.findFirstOrThrow({ where: { key: idempotencyKey } })).toMatchObject({
          resourceId: big(again.id),
        });
        expect(await rt.runtime.repos.idempotency.purgeExpired()).toBe(0);
        await rt.drain();
      });

      it('leases each key node to one owner at a time', async () => {
        const nodes = rt.runtime.repos.keyNodes;
        const [a, b] = await Promise.all([nodes.claim('owner-a', 60_000), nodes.claim('owner-b', 60_000)]);
        expect(a).not.toBeNull();
        expect(b).not.toBeNull();
        expect(a).not.toBe(b);
        expect(await nodes.renew(a!, 'owner-b', 60_000)).toBe(false);
        expect(await nodes.renew(a!, 'owner-a', 60_000)).toBe(true);
        await nodes.release(a!, 'owner-a');
        expect(await nodes.claim('owner-c', 60_000)).toBe(a);
        await rt.prisma.keyNode.deleteMany({});
      });

      it("leases only from a store partition's range of nodes, and none once the range is taken", async () => {
        const nodes = rt.runtime.repos.keyNodes;
        const range = { from: 512, to: 514 };
        const claimed = await Promise.all(['p-a', 'p-b', 'p-c'].map((owner) => nodes.claim(owner, 60_000, range)));
        expect([...claimed].sort()).toEqual([512, 513, 514]);
        expect(await nodes.claim('p-d', 60_000, range)).toBeNull();
        // Nodes outside the range are still free for the rest.
        const other = await nodes.claim('other', 60_000);
        expect(other === null || (other >= 512 && other <= 514)).toBe(false);
        await rt.prisma.keyNode.deleteMany({});
      });
    });

    describe('the unit of work', () => {
      it('starts instances in grouped writes and runs them to the end in batches', async () => {
        const definition = await rt.deploy(PARALLEL);
        const started = await Promise.all(
          Array.from({ length: 60 }, (_, i) => rt.starter.start({ definition, variables: { i } })),
        );
        expect(rt.publisher.items).toHaveLength(60);
        // A worker that has never seen the definition: it reads it inside its batch transaction.
        const worker = freshWorker(rt);
        while (rt.publisher.items.length > 0) await worker.runBatch(rt.publisher.take(25));
        const rows = await rt.prisma.processInstance.findMany({ where: { id: { in: started.map((s) => big(s.id)) } } });
        expect(rows.map((r) => [r.status, r.pendingSince, r.rev])).toEqual(rows.map(() => ['COMPLETED', null, 1]));
        expect(rows).toHaveLength(60);
        expect(rows.every((r) => r.endedAt !== null)).toBe(true);
        expect(await historyCount(`"instanceId" = ${started[0].id}`)).toBe(16);
        expect(
          await historyCount(`"instanceId" = ANY(ARRAY[${started.map((s) => s.id).join(',')}]::bigint[]) AND "elementId" = 'join' AND type = 'ELEMENT_COMPLETED'`),
        ).toBe(60);
      });

      it('changes nothing when an item is redelivered after its commit', async () => {
        const id = await rt.start(SERVICE_TASK, { amount: 3 });
        const before = await rt.prisma.processInstance.findUniqueOrThrow({ where: { id: big(id) } });
        const history = await historyCount(`"instanceId" = ${id}`);
        expect(await rt.prisma.job.findMany({ where: { instanceId: big(id) } })).toEqual([
          expect.objectContaining({ type: 'charge-card', state: 'ACTIVATABLE', customHeaders: { method: 'visa', region: 'eu' } }),
        ]);
        const report = await rt.unitOfWork.runBatch([id, id]);
        expect(report.stepped).toBe(0);
        expect((await rt.prisma.processInstance.findUniqueOrThrow({ where: { id: big(id) } })).state).toEqual(before.state);
        expect(await rt.prisma.job.count({ where: { instanceId: big(id) } })).toBe(1);
        expect(await historyCount(`"instanceId" = ${id}`)).toBe(history);
      });

      it('applies inbox events under the row lock and deletes them', async () => {
        const id = await rt.start(SERVICE_TASK);
        const job = await rt.prisma.job.findFirstOrThrow({ where: { instanceId: big(id) } });
        await rt.runtime.repos.inbox.append([
          { instanceId: id, event: { type: 'complete', elementInstanceId: job.elementInstanceId.toString(), variables: { receipt: 'r1' } } },
        ]);
        expect((await rt.prisma.processInstance.findUniqueOrThrow({ where: { id: big(id) } })).pendingSince).not.toBeNull();
        await rt.unitOfWork.runBatch([id]);
        const row = await rt.prisma.processInstance.findUniqueOrThrow({ where: { id: big(id) } });
        expect(row).toMatchObject({ status: 'COMPLETED', variables: { receipt: 'r1' }, pendingSince: null });
        expect(await rt.prisma.instanceEvent.count({ where: { instanceId: big(id) } })).toBe(0);
      });

      it('starts a call activity child from a definition first read inside the batch', async () => {
        // Deployed through another registry, so this one has neither cached nor memoised the child.
        await new DefinitionRegistry(rt.runtime, new MemoryDefinitionCache(), testKeys, { cacheTtlSeconds: 60 }).deploy(
          repoFile(engineFixture('subprocess/call-activity-child.bpmn')),
        );
        const id = await rt.start(engineFixture('subprocess/call-activity.bpmn'), { value: 4 });
        await rt.drain();
        const child = await rt.prisma.processInstance.findFirstOrThrow({ where: { parentInstanceId: big(id) } });
        expect(child.status).toBe('COMPLETED');
        expect(await rt.prisma.processInstance.findUniqueOrThrow({ where: { id: big(id) } })).toMatchObject({
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
        const holder = rt.runtime.transaction(async (tx) => {
          await tx.instances.lock([id]);
          locked();
          await held;
        });
        await isLocked;
        const batch = rt.unitOfWork.runBatch([id]);
        if (rt.store.concurrentTransactions) {
          // Postgres: the row is skipped (SKIP LOCKED) and its item handed back for later.
          expect(await batch).toMatchObject({ stepped: 0, requeued: 1 });
          await rt.announcer.settled();
          expect(rt.publisher.take()).toEqual([id]);
          release();
          await holder;
          await rt.unitOfWork.runBatch([id]);
        } else {
          // PGlite: one connection, so the batch's transaction waits for the holder's to end.
          const early = await Promise.race([batch.then(() => 'ran'), sleep(300).then(() => 'waited')]);
          expect(early).toBe('waited');
          release();
          await holder;
          expect(await batch).toMatchObject({ stepped: 1, requeued: 0 });
        }
        expect(await rt.status(id)).toBe('COMPLETED');
        expect(await historyCount(`"instanceId" = ${id}`)).toBe(16);
      });

      it('gives up on a held row lock after the lock timeout with LockTimeoutError, and a command then waits in the inbox', async () => {
        const id = await rt.start(SERVICE_TASK);
        // As a worker holds an instance it has work for: the instance is marked pending.
        await rt.prisma.processInstance.update({ where: { id: big(id) }, data: { pendingSince: new Date() } });
        let release!: () => void;
        const held = new Promise<void>((resolve) => (release = resolve));
        let locked!: () => void;
        const isLocked = new Promise<void>((resolve) => (locked = resolve));
        const holder = rt.runtime.transaction(async (tx) => {
          await tx.instances.lockForStep([id], 'wait');
          locked();
          await held;
        });
        await isLocked;
        if (rt.store.concurrentTransactions) {
          const waited = rt.runtime.transaction((tx) => tx.instances.lockForStep([id], 'wait'), { lockTimeoutMs: 100 });
          await expect(waited).rejects.toBeInstanceOf(LockTimeoutError);
          const result = await rt.unitOfWork.command(id, [{ type: 'setVariables', variables: { late: true } }], { lockTimeoutMs: 100 });
          expect(result).toBe('queued');
          expect(await rt.runtime.repos.inbox.pendingCommands([id])).toEqual(new Map([[id, ['setVariables']]]));
          release();
          await holder;
        } else {
          // PGlite: the second transaction waits for the connection, not for the row lock.
          const command = rt.unitOfWork.command(id, [{ type: 'setVariables', variables: { late: true } }], { lockTimeoutMs: 100 });
          const early = await Promise.race([command.then(() => 'ran'), sleep(300).then(() => 'waited')]);
          expect(early).toBe('waited');
          release();
          await holder;
          expect(await command).toBe('applied');
        }
        await rt.drain();
        expect((await rt.runtime.repos.instances.get(id))?.variables).toMatchObject({ late: true });
        expect(await rt.prisma.instanceEvent.count({ where: { instanceId: big(id) } })).toBe(0);
      });

      it('steps each instance once when concurrent batches carry the same items', async () => {
        const definition = await rt.deploy(R1);
        const started = await Promise.all(
          Array.from({ length: 30 }, (_, i) => rt.starter.start({ definition, variables: { amount: i * 10 } })),
        );
        await rt.announcer.settled();
        const ids = rt.publisher.take();
        expect([...ids].sort()).toEqual(started.map((s) => s.id).sort());
        await Promise.all([rt.unitOfWork.runBatch(ids), rt.unitOfWork.runBatch(ids), freshWorker(rt).runBatch(ids)]);
        await rt.drain();
        // rev counts committed steps: 1 means exactly one batch advanced the instance.
        const ends = await rt.prisma.$queryRawUnsafe<{ n: number }[]>(
          `SELECT count(*)::int AS n FROM "HistoryEvent"
            WHERE "instanceId" = ANY($1::bigint[]) AND "elementId" = 'EndEvent_1' AND type = 'ELEMENT_COMPLETED'
            GROUP BY "instanceId"`,
          ids,
        );
        expect(ends).toHaveLength(30);
        expect(ends.map((e) => e.n)).toEqual(ids.map(() => 1));
        expect(await rt.prisma.processInstance.count({ where: { id: { in: ids.map(big) }, status: 'COMPLETED', rev: 1 } })).toBe(30);
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
          `UPDATE "Timer" SET "dueAt" = now() - interval '1 second' WHERE "instanceId" = ANY($1::bigint[])`,
          [active, suspended],
        );
        expect((await rt.instances.suspend(suspended)).outcome).toBe('applied');
        await rt.drain();
        const timers = new TimerService(rt.runtime, rt.registry, rt.announcer, testKeys, { observer: testObserver });
        expect(await timers.fireDue()).toBe(1);
        await rt.announcer.settled();
        expect(rt.publisher.take()).toEqual([active]);
        expect(await timers.fireDue()).toBe(0);
        await rt.unitOfWork.runBatch([active]);
        expect(await rt.status(active)).toBe('COMPLETED');
        expect(
          await rt.prisma.timer.findMany({ where: { instanceId: { in: [big(suspended), big(later)] } }, select: { state: true } }),
        ).toEqual([{ state: 'SCHEDULED' }, { state: 'SCHEDULED' }]);
        expect((await rt.instances.resume(suspended)).outcome).toBe('applied');
        expect(await timers.fireDue()).toBe(1);
        await rt.drain();
        expect(await rt.status(suspended)).toBe('COMPLETED');
        expect(await rt.status(later)).toBe('ACTIVE');
      });

      it('the sweeper re-queues overdue work (make_interval) and leaves fresh work alone', async () => {
        const definition = await rt.deploy(PARALLEL);
        const overdue = (await rt.starter.start({ definition })).id;
        const fresh = (await rt.starter.start({ definition })).id;
        await rt.announcer.settled();
        rt.publisher.take();
        await rt.prisma.$executeRawUnsafe(
          `UPDATE "ProcessInstance" SET "pendingSince" = now() - interval '1 hour' WHERE id = $1::bigint`,
          overdue,
        );
        const publisher = new QueuePublisher();
        const announcer = new Announcer(publisher, testObserver);
        const sweeper = new Sweeper(rt.runtime, announcer, { intervalSeconds: 60, observer: testObserver });
        expect(await sweeper.sweepOnce()).toBe(1);
        await announcer.settled();
        expect(publisher.take()).toEqual([overdue]);
        // Picked rows get a fresh pendingSince: not queued again at the next pass.
        expect(await sweeper.sweepOnce()).toBe(0);
        await rt.unitOfWork.runBatch([overdue, fresh]);
        expect([await rt.status(overdue), await rt.status(fresh)]).toEqual(['COMPLETED', 'COMPLETED']);
      });

      it('the sweeper re-queues inbox events nobody consumed', async () => {
        const id = await rt.start(SERVICE_TASK);
        const job = await rt.prisma.job.findFirstOrThrow({ where: { instanceId: big(id) } });
        await rt.runtime.repos.inbox.append([
          { instanceId: id, event: { type: 'complete', elementInstanceId: job.elementInstanceId.toString(), variables: {} } },
        ]);
        // The announcement was lost, and the event is old.
        await rt.prisma.instanceEvent.updateMany({ where: { instanceId: big(id) }, data: { createdAt: new Date(Date.now() - 3_600_000) } });
        await rt.prisma.processInstance.update({ where: { id: big(id) }, data: { pendingSince: null } });
        const publisher = new QueuePublisher();
        const announcer = new Announcer(publisher, testObserver);
        const sweeper = new Sweeper(rt.runtime, announcer, { intervalSeconds: 60 });
        expect(await sweeper.sweepOnce()).toBe(1);
        await announcer.settled();
        expect(publisher.take()).toEqual([id]);
        await rt.unitOfWork.runBatch([id]);
        expect(await rt.status(id)).toBe('COMPLETED');
        expect(await sweeper.sweepOnce()).toBe(0);
      });
    });

    describe('decisions', () => {
      const DMN = repoFile('test/fixtures/decisions/dinner.dmn');
      const BPMN = 'test/fixtures/decisions/dinner.bpmn';

      it('versions DMN documents and their decisions; finds them by version, version tag, deployment and key; lists the latest', async () => {
        const decisions = rt.registry.decisions;
        const tenantId = `dmn-${testKeys()}`;
        const first = await decisions.deploy(DMN, { tenantId, name: 'dinner.dmn' });
        expect(first.created).toBe(true);
        const same = await decisions.deploy(DMN, { tenantId, name: 'dinner.dmn' });
        expect(same).toMatchObject({ created: false, deploymentId: first.deploymentId });
        const second = await decisions.deploy(DMN.replace('"buffet"</text>', '"brunch"</text>'), { tenantId, name: 'dinner.dmn' });
        const [v1, v2] = [first.resources[0], second.resources[0]];
        expect(v2.requirements).toMatchObject({ decisionRequirementsId: 'dinner-decisions', version: 2, resourceName: 'dinner.dmn', name: 'Dinner decisions' });
        expect(v2.decisions.map((d) => [d.decisionId, d.version, d.versionTag])).toEqual([
          ['season', 2, null],
          ['dish', 2, 'v1'],
        ]);
        const repo = rt.runtime.repos.decisions;
        expect(await repo.latestDecision(tenantId, 'dish')).toEqual(v2.decisions[1]);
        expect(await repo.decisionByVersion(tenantId, 'dish', 1)).toEqual(v1.decisions[1]);
        expect(await repo.decisionByVersionTag(tenantId, 'dish', 'v1')).toEqual(v2.decisions[1]);
        expect(await repo.decisionByVersionTag(tenantId, 'dish', 'v9')).toBeNull();
        expect(await repo.decisionInDeployment(tenantId, 'dish', first.deploymentId)).toEqual(v1.decisions[1]);
        expect(await repo.decisionById(v1.decisions[0].id)).toEqual(v1.decisions[0]);
        expect(await repo.decisionsOf(v1.requirements.id)).toEqual(v1.decisions);
        expect((await repo.requirementsById(v1.requirements.id))?.xml).toBe(DMN);
        expect((await repo.listLatest({ limit: 10 }, [tenantId])).map((d) => [d.decisionId, d.version])).toEqual([
          ['dish', 2],
          ['season', 2],
        ]);
        expect((await repo.listLatest({ limit: 10, after: { decisionId: 'dish', tenantId } }, [tenantId])).map((d) => d.decisionId)).toEqual(['season']);
      });

      it('a business rule task evaluates its decision inside the step and records the evaluation (JSONB round trip)', async () => {
        await rt.registry.decisions.deploy(DMN, { name: 'dinner.dmn' });
        const id = await rt.start(BPMN, { month: 2, guestCount: 3 });
        expect(await rt.status(id)).toBe('COMPLETED');
        const [evaluation] = await rt.runtime.repos.decisions.instancesOf(id);
        expect(evaluation).toMatchObject({
          processInstanceId: id,
          elementId: 'decide_dish',
          decisionId: 'dish',
          state: 'EVALUATED',
          output: 'stew',
          failureMessage: null,
        });
        expect(evaluation.elementInstanceId).toMatch(/^[1-9][0-9]*$/);
        expect(evaluation.evaluatedAt).toBeInstanceOf(Date);
        expect(evaluation.evaluatedDecisions).toEqual([
          expect.objectContaining({ decisionId: 'season', output: 'winter' }),
          expect.objectContaining({ decisionId: 'dish', output: 'stew', evaluatedInputs: expect.arrayContaining([expect.objectContaining({ inputValue: 3 })]) }),
        ]);
      });
    });
  });
}

/** A second worker: its own registry (nothing cached) and unit of work, on the same store. */
function freshWorker(rt: RuntimeOnStore): UnitOfWork {
  const registry = new DefinitionRegistry(rt.runtime, new MemoryDefinitionCache(), testKeys, { cacheTtlSeconds: 60 });
  return newUnitOfWork(rt.runtime, registry, rt.announcer);
}

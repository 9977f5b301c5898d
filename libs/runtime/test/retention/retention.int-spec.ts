import { PgRetentionRepository } from '@baton/store';
import { RetentionService, UnitOfWork, type HistoryLevel } from '../../src';
import { freshSchema, type FreshSchema } from '../../../store/test/fresh-schema';
import { rowsOf, seedInstances } from '../../../store/test/retention-seed';
import { big, runtimeParts, testKeys, testObserver, type RuntimeParts } from '../runtime-harness';
import { levelProcess } from './retention-fixtures';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('history levels (Postgres)', () => {
  let db: FreshSchema;
  let parts: RuntimeParts;
  beforeAll(async () => {
    db = await freshSchema({ prefix: 'hist_level', poolSize: 4 });
    parts = runtimeParts(db.prisma);
  });
  afterAll(() => db.drop());

  /** Deploys the start -> gateway -> task -> end process with `property`, runs one instance at host level `host`. */
  async function run(host: HistoryLevel, property?: string): Promise<{ type: string; elementId: string }[]> {
    const id = `p_${host}_${property ?? 'unset'}`;
    const unitOfWork = new UnitOfWork(parts.runtime, parts.registry, parts.announcer, testKeys, {
      maxParallel: 50,
      stepBudget: 10_000,
      observer: testObserver,
      historyLevel: host,
    });
    const { processes } = await parts.registry.deploy(levelProcess(id, property));
    const definition = await parts.registry.byId(processes[0].id);
    const { id: instanceId } = await parts.starter.start({ definition: definition! });
    while (parts.publisher.items.length > 0) await unitOfWork.runBatch(parts.publisher.take());
    const row = await db.prisma.processInstance.findUniqueOrThrow({ where: { id: big(instanceId) } });
    expect(row.status).toBe('COMPLETED');
    return db.prisma.$queryRawUnsafe<{ type: string; elementId: string }[]>(
      `SELECT type::text AS type, "elementId" FROM "HistoryEvent" WHERE "instanceId" = $1::bigint ORDER BY id`,
      instanceId,
    );
  }

  it('full writes every element event', async () => {
    const rows = await run('full');
    expect(rows.map((r) => r.elementId)).toEqual(expect.arrayContaining(['start', 'gate', 'work', 'end']));
    expect(rows).toHaveLength(10);
  });

  it('activity writes the lifecycle of the process and its activities only', async () => {
    const rows = await run('activity');
    expect(rows.map((r) => `${r.elementId}:${r.type}`).sort()).toEqual(
      ['p_activity_unset:ELEMENT_ACTIVATED', 'p_activity_unset:ELEMENT_COMPLETED', 'work:ELEMENT_ACTIVATED', 'work:ELEMENT_COMPLETED'].sort(),
    );
  });

  it('none writes no history row', async () => {
    expect(await run('none')).toEqual([]);
  });

  it("a process's baton:historyLevel wins over the host's level", async () => {
    expect(await run('full', 'none')).toEqual([]);
    expect(await run('none', 'full')).toHaveLength(10);
    expect(await run('none', 'activity')).toHaveLength(4);
  });
});

describe('retention (Postgres)', () => {
  let db: FreshSchema;
  const now = Date.parse('2026-06-01T12:00:00Z');
  let nextKey = 1_000_000n;
  const seed = async (count: number, endedAt: number | null, extra: { history?: number; related?: boolean; parentId?: bigint } = {}) => {
    const ids = await seedInstances(db.prisma, {
      firstId: nextKey,
      count,
      endedAt: endedAt === null ? null : new Date(endedAt),
      history: extra.history ?? 4,
      related: extra.related ?? false,
      ...(extra.parentId !== undefined ? { parentId: extra.parentId } : {}),
    });
    nextKey += 1000n;
    return ids;
  };
  beforeEach(async () => {
    db = await freshSchema({ prefix: 'retention', poolSize: 4 });
  });
  afterEach(() => db.drop());

  it('deletes the ended instances older than INSTANCE_RETENTION with all their rows, in chunks, in one pass', async () => {
    const old = await seed(5, now - DAY - HOUR, { related: true });
    const recent = await seed(1, now - DAY + 60_000, { related: true });
    const running = await seed(1, null, { related: true });
    // An old child of a running parent stays until its parent has ended.
    const child = await seed(1, now - 2 * DAY, { parentId: running[0] });
    const chunks: Record<string, number>[] = [];
    const service = new RetentionService(new PgRetentionRepository(db.prisma), {
      instanceRetentionMs: DAY,
      chunkSize: 2,
      clock: () => now,
      onChunk: (deleted) => chunks.push({ ...deleted }),
    });

    const report = await service.runPass();

    expect(report.instances).toBe(5);
    expect(report.chunks).toBe(3);
    expect(chunks.map((c) => c.ProcessInstance)).toEqual([2, 2, 1]);
    expect(report.deleted).toMatchObject({ ProcessInstance: 5, HistoryStep: 10, UserTask: 5, Job: 5, Timer: 5, Incident: 5, DecisionInstance: 5, VariableKey: 5 });
    const gone = await rowsOf(db.prisma, old);
    expect(gone).toEqual({
      ProcessInstance: 0,
      HistoryStep: 0,
      HistoryEvent: 0,
      UserTask: 0,
      Job: 0,
      Timer: 0,
      MessageSubscription: 0,
      SignalSubscription: 0,
      Incident: 0,
      InstanceEvent: 0,
      DecisionInstance: 0,
      VariableKey: 0,
      // Batch items keep the key of an instance that is gone (the batch's report stays whole).
      BatchOperationItem: 5,
    });
    for (const ids of [recent, running]) {
      expect(await rowsOf(db.prisma, ids)).toEqual(expect.objectContaining({ ProcessInstance: 1, HistoryEvent: 4, UserTask: 1, Job: 1, Incident: 1 }));
    }
    expect(await rowsOf(db.prisma, child)).toEqual(expect.objectContaining({ ProcessInstance: 1, HistoryEvent: 4 }));

    // Nothing more is due: a second pass deletes nothing.
    expect((await service.runPass()).deleted).toEqual({});
  });

  it('deletes only the history of instances ended before HISTORY_RETENTION, and the next pass goes on from there', async () => {
    const old = await seed(5, now - 2 * HOUR);
    const recent = await seed(1, now - 50 * 60_000);
    const running = await seed(1, null);
    let clock = now;
    const service = new RetentionService(new PgRetentionRepository(db.prisma), {
      historyRetentionMs: HOUR,
      chunkSize: 2,
      clock: () => clock,
    });

    const first = await service.runPass();

    expect(first).toMatchObject({ instances: 0, historyInstances: 5, deleted: { HistoryStep: 10 } });
    expect(await rowsOf(db.prisma, old)).toEqual(expect.objectContaining({ ProcessInstance: 5, HistoryEvent: 0 }));
    expect(await rowsOf(db.prisma, recent)).toEqual(expect.objectContaining({ ProcessInstance: 1, HistoryEvent: 4 }));
    expect(await rowsOf(db.prisma, running)).toEqual(expect.objectContaining({ ProcessInstance: 1, HistoryEvent: 4 }));

    // Twenty minutes later the recent one is due; the pass starts after the last one's mark.
    clock = now + 20 * 60_000;
    const second = await service.runPass();
    expect(second).toMatchObject({ historyInstances: 1, deleted: { HistoryStep: 2 } });
    expect(await rowsOf(db.prisma, recent)).toEqual(expect.objectContaining({ ProcessInstance: 1, HistoryEvent: 0 }));
    expect(await rowsOf(db.prisma, running)).toEqual(expect.objectContaining({ HistoryEvent: 4 }));
  });

  it('does nothing without a retention', async () => {
    await seed(3, now - 400 * DAY);
    const service = new RetentionService(new PgRetentionRepository(db.prisma), { chunkSize: 2, clock: () => now });
    expect(service.enabled).toBe(false);
    expect(await service.runPass()).toEqual({ instances: 0, historyInstances: 0, chunks: 0, deleted: {} });
    expect(await db.prisma.historyStep.count()).toBe(6);
  });
});

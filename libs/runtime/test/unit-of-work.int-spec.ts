import { big, bpmn, harness, type Harness } from './runtime-harness';

const fixture = (p: string) => bpmn(`libs/engine/test/fixtures/bpmn/${p}`);

describe('UnitOfWork (Postgres)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness('batch');
  });
  afterAll(() => h.close());
  /** History events (the per-event view of the compact rows) matching an SQL condition. */
  const historyCount = async (where: string) =>
    (await h.db.prisma.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM "HistoryEvent" WHERE ${where}`))[0].n;

  it('runs started instances to the end in batches and writes their history', async () => {
    const { processes } = await h.registry.deploy(fixture('gateways/parallel.bpmn'));
    const definition = await h.registry.byId(processes[0].id);
    const started = await Promise.all(
      Array.from({ length: 120 }, (_, i) => h.starter.start({ definition: definition!, variables: { i } })),
    );
    expect(h.publisher.items).toHaveLength(120);
    await h.drain(50);
    const rows = await h.db.prisma.processInstance.findMany({ where: { id: { in: started.map((s) => big(s.id)) } } });
    expect(rows.every((r) => r.status === 'COMPLETED' && r.pendingSince === null && r.endedAt !== null)).toBe(true);
    expect(rows.every((r) => r.rev === 1)).toBe(true);
    expect(await historyCount(`"instanceId" = ${started[0].id}`)).toBe(16);
    expect(await historyCount(`"elementId" = 'join' AND type = 'ELEMENT_COMPLETED'`)).toBe(120);
  });

  it('a redelivered item after commit changes nothing', async () => {
    const { processes } = await h.registry.deploy(fixture('tasks/service-task.bpmn'));
    const definition = await h.registry.byId(processes[0].id);
    const { id } = await h.starter.start({ definition: definition!, variables: { amount: 3 } });
    await h.drain();
    const before = await h.db.prisma.processInstance.findUniqueOrThrow({ where: { id: big(id) } });
    const historyBefore = await historyCount(`"instanceId" = ${id}`);
    const jobs = await h.db.prisma.job.findMany({ where: { instanceId: big(id) } });
    expect(jobs).toEqual([expect.objectContaining({ type: 'charge-card', retries: 5, state: 'ACTIVATABLE', elementId: 'charge' })]);
    const report = await h.unitOfWork.runBatch([id, id]);
    expect(report.stepped).toBe(0);
    const after = await h.db.prisma.processInstance.findUniqueOrThrow({ where: { id: big(id) } });
    expect(after.state).toEqual(before.state);
    expect(await h.db.prisma.job.count({ where: { instanceId: big(id) } })).toBe(1);
    expect(await historyCount(`"instanceId" = ${id}`)).toBe(historyBefore);
  });

  it('applies inbox events under the row lock and deletes them', async () => {
    const { processes } = await h.registry.deploy(fixture('tasks/service-task.bpmn'));
    const definition = await h.registry.byId(processes[0].id);
    const { id } = await h.starter.start({ definition: definition!, variables: {} });
    await h.drain();
    const job = await h.db.prisma.job.findFirstOrThrow({ where: { instanceId: big(id) } });
    await h.db.prisma.instanceEvent.create({
      data: { instanceId: big(id), event: { type: 'complete', elementInstanceId: job.elementInstanceId.toString(), variables: { receipt: 'r1' } } },
    });
    await h.unitOfWork.runBatch([id]);
    const row = await h.db.prisma.processInstance.findUniqueOrThrow({ where: { id: big(id) } });
    expect(row.status).toBe('COMPLETED');
    expect(row.variables).toEqual({ receipt: 'r1' });
    expect(await h.db.prisma.instanceEvent.count({ where: { instanceId: big(id) } })).toBe(0);
  });

  it('skips instances locked by another transaction and hands their items back', async () => {
    const { processes } = await h.registry.deploy(fixture('gateways/parallel.bpmn'));
    const definition = await h.registry.byId(processes[0].id);
    const { id } = await h.starter.start({ definition: definition! });
    h.publisher.take();
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    const holder = h.db.prisma.$transaction(async (tx) => {
      await tx.$queryRawUnsafe(`SELECT id FROM "ProcessInstance" WHERE id = $1::bigint FOR UPDATE`, id);
      locked();
      await held;
    });
    await isLocked;
    const report = await h.unitOfWork.runBatch([id]);
    expect(report).toMatchObject({ stepped: 0, requeued: 1 });
    expect(h.publisher.take()).toEqual([id]);
    release();
    await holder;
    await h.unitOfWork.runBatch([id]);
    expect((await h.db.prisma.processInstance.findUniqueOrThrow({ where: { id: big(id) } })).status).toBe('COMPLETED');
  });

  it('call activity: starts the child, and the child completing moves the parent on', async () => {
    await h.registry.deploy(fixture('subprocess/call-activity-child.bpmn'));
    const { processes } = await h.registry.deploy(fixture('subprocess/call-activity.bpmn'));
    const definition = await h.registry.byId(processes[0].id);
    const { id } = await h.starter.start({ definition: definition!, variables: { value: 4 } });
    await h.drain();
    const parent = await h.db.prisma.processInstance.findUniqueOrThrow({ where: { id: big(id) } });
    const child = await h.db.prisma.processInstance.findFirstOrThrow({ where: { parentInstanceId: big(id) } });
    expect(child.status).toBe('COMPLETED');
    expect(parent.status).toBe('COMPLETED');
    expect(parent.variables).toMatchObject({ value: 4, result: 8 });
  });
});

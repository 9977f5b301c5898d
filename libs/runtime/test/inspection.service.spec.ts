import { InspectionService, RuntimeErrorCode } from '../src';
import { engineFixture, MemoryInspection, RuntimeKit } from './fakes';

const SERVICE_TASK = engineFixture('tasks/service-task.bpmn');
const TIMER_BOUNDARY = engineFixture('events/timer-boundary-service-task.bpmn');
const MESSAGE_BOUNDARY = engineFixture('events/message-boundary-user-task.bpmn');

function kitWithInspection(): { kit: RuntimeKit; inspection: InspectionService } {
  const kit = new RuntimeKit();
  return { kit, inspection: new InspectionService(kit.store, new MemoryInspection(kit.store)) };
}

describe('InspectionService', () => {
  it('lists jobs without leasing them, filtered and page by page', async () => {
    const { kit, inspection } = kitWithInspection();
    await kit.deploy(SERVICE_TASK);
    await kit.deploy(TIMER_BOUNDARY);
    const a = await kit.startAndRun('service-task');
    const b = await kit.startAndRun('service-task');
    const c = await kit.startAndRun('timer-boundary-service-task');

    const first = await inspection.jobs({ limit: 2 });
    const rest = await inspection.jobs({ limit: 2, cursor: first.nextCursor ?? undefined });
    expect([...first.items, ...rest.items].map((j) => j.instanceId)).toEqual([a, b, c]);
    expect(rest.nextCursor).toBeNull();
    expect(first.items[0]).toMatchObject({
      type: 'charge-card',
      processKey: 'service-task',
      elementId: 'charge',
      state: 'ACTIVATABLE',
      worker: null,
    });
    expect(
      (await inspection.jobs({ limit: 10, type: 'call-api' })).items.map((j) => j.instanceId),
    ).toEqual([c]);
    expect(
      (await inspection.jobs({ limit: 10, instanceId: b })).items.map((j) => j.instanceId),
    ).toEqual([b]);
    expect((await inspection.jobs({ limit: 10, instanceId: 'nope' })).items).toEqual([]);
    await expect(inspection.jobs({ limit: 10, cursor: 'x' })).rejects.toMatchObject({
      code: RuntimeErrorCode.BadRequest,
    });
    // Listing leased nothing: a worker still gets every job.
    expect(
      await kit.jobs.activate({
        type: 'charge-card',
        workerId: 'w',
        maxJobs: 10,
        lockDurationMs: 60_000,
      }),
    ).toHaveLength(2);
    expect(
      (await inspection.jobs({ limit: 10, state: 'ACTIVATED', worker: 'w' })).items.map(
        (j) => j.instanceId,
      ),
    ).toEqual([a, b]);
  });

  it('lists timers in the order they fall due, with their process, and tells what a token waits for', async () => {
    const { kit, inspection } = kitWithInspection();
    await kit.deploy(TIMER_BOUNDARY);
    const first = await kit.startAndRun('timer-boundary-service-task');
    kit.clock.advance(5_000);
    const second = await kit.startAndRun('timer-boundary-service-task');

    const page1 = await inspection.timers({ limit: 1 });
    const page2 = await inspection.timers({ limit: 1, cursor: page1.nextCursor ?? undefined });
    expect([...page1.items, ...page2.items].map((t) => t.instanceId)).toEqual([first, second]);
    expect(page1.items[0]).toMatchObject({
      processKey: 'timer-boundary-service-task',
      elementId: 'timeout',
      state: 'SCHEDULED',
    });
    expect(Date.parse(page2.items[0].dueAt) - Date.parse(page1.items[0].dueAt)).toBe(5_000);
    expect(
      (await inspection.timers({ limit: 10, dueBefore: page1.items[0].dueAt })).items.map(
        (t) => t.instanceId,
      ),
    ).toEqual([first]);
    expect((await inspection.timers({ limit: 10, processKey: 'other' })).items).toEqual([]);
    await expect(inspection.timers({ limit: 10, cursor: 'bad' })).rejects.toMatchObject({
      code: RuntimeErrorCode.BadRequest,
    });

    const waiting = await inspection.waiting(first);
    expect(waiting.tokens).toHaveLength(1);
    expect(waiting.tokens[0].elementId).toBe('call_api');
    expect(waiting.tokens[0].waitingFor.map((w) => w.kind).sort()).toEqual(['job', 'timer']);
    expect(waiting.unmatched).toEqual([]);
    await expect(inspection.waiting('123')).rejects.toMatchObject({
      code: RuntimeErrorCode.NotFound,
    });
  });

  it('lists message subscriptions by name and correlation key', async () => {
    const { kit, inspection } = kitWithInspection();
    await kit.deploy(MESSAGE_BOUNDARY);
    const a = await kit.startAndRun('message-boundary-user-task', { applicationId: 'A-1' });
    await kit.startAndRun('message-boundary-user-task', { applicationId: 'A-2' });

    const all = await inspection.messageSubscriptions({ limit: 10 });
    expect(all.items).toHaveLength(4);
    const withdrawn = await inspection.messageSubscriptions({
      limit: 10,
      messageName: 'application-withdrawn',
      correlationKey: 'A-1',
    });
    expect(withdrawn.items).toEqual([
      expect.objectContaining({
        instanceId: a,
        elementId: 'withdrawn',
        interrupting: true,
        processKey: 'message-boundary-user-task',
      }),
    ]);
    const waiting = await inspection.waiting(a);
    expect(waiting.tokens[0].waitingFor.map((w) => w.kind).sort()).toEqual([
      'message',
      'message',
      'userTask',
    ]);
  });

  it('counts element instances per element of a version and groups open incidents by cause', async () => {
    const { kit, inspection } = kitWithInspection();
    await kit.deploy(SERVICE_TASK);
    const done = await kit.startAndRun('service-task');
    const failed = await kit.startAndRun('service-task');
    await kit.startAndRun('service-task');
    const jobs = await kit.jobs.activate({
      type: 'charge-card',
      workerId: 'w',
      maxJobs: 3,
      lockDurationMs: 60_000,
    });
    const jobOf = (instanceId: string) => jobs.find((j) => j.instanceId === instanceId)!;
    await kit.jobs.complete(jobOf(done).id, { workerId: 'w' });
    await kit.jobs.fail(jobOf(failed).id, {
      workerId: 'w',
      errorMessage: 'card service down',
      retries: 0,
    });
    await kit.drain();

    const stats = await inspection.processStatistics('service-task');
    const of = (elementId: string) => stats.find((s) => s.elementId === elementId);
    expect(of('charge')).toEqual({
      elementId: 'charge',
      active: 1,
      incidents: 1,
      completed: 1,
      canceled: 0,
    });
    expect(of('start')).toMatchObject({ completed: 3, active: 0 });
    expect(stats.map((s) => s.elementId)).not.toContain('service-task');
    await expect(inspection.processStatistics('service-task', 2)).rejects.toMatchObject({
      code: RuntimeErrorCode.NotFound,
    });

    const groups = await inspection.incidentGroups({ limit: 10 });
    expect(groups).toEqual([
      expect.objectContaining({ type: 'JOB_NO_RETRIES', message: 'card service down', count: 1 }),
    ]);
    const inGroup = await inspection.groupIncidents({
      limit: 10,
      type: 'JOB_NO_RETRIES',
      message: 'card service down',
    });
    expect(inGroup.items.map((i) => i.instanceId)).toEqual([failed]);
    expect(
      (await inspection.groupIncidents({ limit: 10, type: 'JOB_NO_RETRIES', message: 'other' }))
        .items,
    ).toEqual([]);
  });
  it('sees only the tenants it is given', async () => {
    const { kit, inspection } = kitWithInspection();
    await kit.deploy(TIMER_BOUNDARY, 'tenant-a');
    await kit.deploy(TIMER_BOUNDARY, 'tenant-b');
    const a = await kit.startAndRun('timer-boundary-service-task', undefined, 'tenant-a');
    const b = await kit.startAndRun('timer-boundary-service-task', undefined, 'tenant-b');
    const ids = (page: { items: { instanceId: string | null }[] }) =>
      page.items.map((i) => i.instanceId);
    expect(ids(await inspection.jobs({ limit: 10, tenants: ['tenant-a'] }))).toEqual([a]);
    expect(ids(await inspection.timers({ limit: 10, tenants: ['tenant-b'] }))).toEqual([b]);
    expect(ids(await inspection.timers({ limit: 10 }))).toEqual([a, b]);
    expect(
      (await inspection.messageSubscriptions({ limit: 10, tenants: ['tenant-a'] })).items,
    ).toEqual([]);
    const definition = kit.store.rows('definitions').find((d) => d.tenantId === 'tenant-b')!;
    await expect(
      inspection.definitionStatistics(definition.id, ['tenant-a']),
    ).rejects.toMatchObject({ code: RuntimeErrorCode.NotFound });
    expect(await inspection.definitionStatistics(definition.id, ['tenant-b'])).toEqual(
      expect.arrayContaining([
        { elementId: 'call_api', active: 1, incidents: 0, completed: 0, canceled: 0 },
      ]),
    );
  });
});

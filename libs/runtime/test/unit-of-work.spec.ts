import { FailureKind, type Key } from '../src';
import { engineFixture, RuntimeKit } from './fakes';

const CANCEL_EVERYTHING = engineFixture('misc/cancel-everything.bpmn');
const SERVICE_TASK = engineFixture('tasks/service-task.bpmn');
const MI_CALL = engineFixture('multi-instance/call-activity.bpmn');
const MI_CALL_CHILD = engineFixture('multi-instance/call-activity-child.bpmn');

/** Starts instances without running them: their work items wait on the bus. */
async function startUnrun(kit: RuntimeKit, processId: string, n: number, variables?: Record<string, unknown>): Promise<Key[]> {
  const ids: Key[] = [];
  for (let i = 0; i < n; i++) ids.push((await kit.instances.start(processId, { variables })).id);
  await kit.announcer.settled();
  return ids;
}

describe('UnitOfWork.runBatch', () => {
  it('steps a new instance to its wait states and writes its jobs, tasks, timers, subscriptions and history in one commit', async () => {
    const kit = new RuntimeKit();
    await kit.deploy(CANCEL_EVERYTHING);
    const [id] = await startUnrun(kit, 'cancel-everything', 1, { items: ['a', 'b'], key: 'k-1' });

    const report = await kit.unitOfWork.runBatch(kit.publisher.take());

    expect(report).toMatchObject({ items: 1, stepped: 1, requeued: 0 });
    expect(kit.store.statements('changes.apply')).toBe(1);
    const jobs = kit.store.rows('jobs');
    expect(jobs.map((j) => [j.type, j.state, j.instanceId])).toEqual([
      ['batch', 'ACTIVATABLE', id],
      ['batch', 'ACTIVATABLE', id],
    ]);
    expect(kit.store.rows('userTasks').map((t) => [t.elementId, t.state])).toEqual([['approve', 'CREATED']]);
    expect(kit.store.rows('timers').map((t) => [t.elementId, t.state, t.dueAt.getTime() - kit.clock.now()]).sort()).toEqual([
      ['batch_timeout', 'SCHEDULED', 2 * 3600_000],
      ['hour', 'SCHEDULED', 3600_000],
    ]);
    expect(kit.store.rows('messageSubscriptions').map((s) => [s.elementId, s.messageName, s.correlationKey])).toEqual([['got_go', 'go', 'k-1']]);
    expect(kit.store.rows('signalSubscriptions').map((s) => [s.elementId, s.signalName])).toEqual([['status_start', 'status']]);
    const trail = await kit.trail(id);
    expect(trail).toEqual(expect.arrayContaining(['start:ELEMENT_COMPLETED', 'quick:ELEMENT_COMPLETED', 'approve:ELEMENT_ACTIVATED']));
    const [row] = kit.store.rows('instances');
    // Everything rests in a wait state: nothing left for the sweeper.
    expect(row).toMatchObject({ status: 'ACTIVE', pendingSince: null, rev: 1 });
    expect(kit.publisher.queue).toEqual([]);
  });

  it('skips the instances another worker holds and announces them again', async () => {
    const kit = new RuntimeKit();
    await kit.deploy(SERVICE_TASK);
    const [held, free] = await startUnrun(kit, 'service-task', 2);
    kit.store.holdLock(held);

    const report = await kit.unitOfWork.runBatch(kit.publisher.take());
    await kit.announcer.settled();

    expect(report).toMatchObject({ items: 2, stepped: 1, requeued: 1 });
    expect(kit.publisher.queue).toEqual([held]);
    expect(await kit.trail(held)).toEqual([]);
    expect(await kit.trail(free)).toContain('charge:ELEMENT_ACTIVATED');

    kit.store.releaseLock(held);
    await kit.drain();
    expect(await kit.trail(held)).toContain('charge:ELEMENT_ACTIVATED');
  });

  it('writes nothing for a duplicate hint (no events, nothing READY)', async () => {
    const kit = new RuntimeKit();
    await kit.deploy(SERVICE_TASK);
    const id = await kit.startAndRun('service-task');
    const before = kit.store.rows('instances')[0];
    const history = await kit.history(id);

    const report = await kit.unitOfWork.runBatch([id, id]);
    await kit.announcer.settled();

    expect(report).toMatchObject({ items: 1, stepped: 0, historyEvents: 0 });
    expect(kit.store.rows('instances')[0]).toEqual(before);
    expect(await kit.history(id)).toEqual(history);
    expect(kit.publisher.queue).toEqual([]);
  });

  it('drops work for an instance that does not exist and says which', async () => {
    const kit = new RuntimeKit();
    const report = await kit.unitOfWork.runBatch(['123456789']);
    await kit.announcer.settled();

    expect(report).toMatchObject({ stepped: 0, requeued: 0 });
    expect(kit.publisher.calls).toEqual([]);
    expect(kit.observer.failuresOf(FailureKind.StepFailed).map((f) => f.detail)).toEqual([expect.stringContaining('123456789')]);
  });

  it('applies an inbox event exactly once, however often the instance is delivered', async () => {
    const kit = new RuntimeKit();
    await kit.deploy(SERVICE_TASK);
    const id = await kit.startAndRun('service-task');
    const [job] = await kit.jobs.activate({ type: 'charge-card', workerId: 'w1', maxJobs: 1, lockDurationMs: 60_000 });
    await kit.jobs.complete(job.id, { workerId: 'w1', variables: { receipt: 'r-1' } });
    expect(kit.store.rows('inbox')).toHaveLength(1);

    // The announcement and two redeliveries of it, one of them twice in one batch.
    await kit.unitOfWork.runBatch([id, id]);
    await kit.unitOfWork.runBatch([id]);
    await kit.drain();

    expect(kit.store.rows('inbox')).toEqual([]);
    expect((await kit.trail(id)).filter((t) => t === 'charge:ELEMENT_COMPLETED')).toHaveLength(1);
    expect(await kit.instances.get(id)).toMatchObject({ status: 'COMPLETED', variables: { receipt: 'r-1' } });
  });

  it('keeps the events of a suspended instance in its inbox until it is resumed, then applies them', async () => {
    const kit = new RuntimeKit();
    await kit.deploy(SERVICE_TASK);
    const id = await kit.startAndRun('service-task');
    const [job] = await kit.jobs.activate({ type: 'charge-card', workerId: 'w1', maxJobs: 1, lockDurationMs: 60_000 });
    await kit.instances.suspend(id);
    // The worker leased the job before the suspension and reports it now.
    await kit.jobs.complete(job.id, { workerId: 'w1' });
    await kit.drain();

    expect(kit.store.rows('inbox').map((e) => e.event.type)).toEqual(['complete']);
    expect(await kit.trail(id)).not.toContain('charge:ELEMENT_COMPLETED');
    expect((await kit.instances.get(id)).status).toBe('SUSPENDED');

    await kit.instances.resume(id);
    await kit.drain();

    expect(kit.store.rows('inbox')).toEqual([]);
    expect((await kit.instances.get(id)).status).toBe('COMPLETED');
  });

  it('rolls a failed batch back completely, reports batch_failed, and the redelivered items run', async () => {
    const kit = new RuntimeKit();
    await kit.deploy(SERVICE_TASK);
    const ids = await startUnrun(kit, 'service-task', 2);
    const items = kit.publisher.take();
    const before = kit.store.rows('instances');
    const publishes = kit.publisher.calls.length;
    kit.store.failNext('changes.apply', new Error('could not write to the log'));

    await expect(kit.unitOfWork.runBatch(items)).rejects.toThrow('could not write to the log');
    await kit.announcer.settled();

    expect(kit.store.rows('instances')).toEqual(before);
    expect(kit.store.rows('jobs')).toEqual([]);
    expect(kit.store.rows('history')).toEqual([]);
    expect(kit.publisher.calls).toHaveLength(publishes);
    expect(kit.observer.failuresOf(FailureKind.BatchFailed)).toHaveLength(1);
    expect(kit.observer.batches).toEqual([]);

    await kit.unitOfWork.runBatch(items);
    expect(kit.store.rows('jobs').map((j) => j.instanceId).sort()).toEqual([...ids].sort());
  });

  it('leaves nothing behind when the commit itself fails after the work ran', async () => {
    const kit = new RuntimeKit();
    await kit.deploy(SERVICE_TASK);
    const id = await kit.startAndRun('service-task');
    const [job] = await kit.jobs.activate({ type: 'charge-card', workerId: 'w1', maxJobs: 1, lockDurationMs: 60_000 });
    await kit.jobs.complete(job.id, { workerId: 'w1' });
    await kit.announcer.settled();
    kit.store.failCommit(new Error('connection reset'));

    await expect(kit.unitOfWork.runBatch(kit.publisher.take())).rejects.toThrow('connection reset');

    // The completion is still waiting; the instance has not moved.
    expect(kit.store.rows('inbox').map((e) => e.event.type)).toEqual(['complete']);
    expect((await kit.instances.get(id)).status).toBe('ACTIVE');
    await kit.unitOfWork.runBatch([id]);
    expect((await kit.instances.get(id)).status).toBe('COMPLETED');
  });

  it('announces after the commit: what it announces is already in the store', async () => {
    const kit = new RuntimeKit();
    await kit.deploy(MI_CALL_CHILD);
    await kit.deploy(MI_CALL);
    await startUnrun(kit, 'multi-instance-call-activity', 1, { numbers: [1, 2] });
    const seen: string[][] = [];
    kit.publisher.onPublish = (ids) => {
      const stored = new Set(kit.store.rows('instances').map((r) => r.id));
      seen.push(ids.filter((id) => stored.has(id)));
      expect(ids.every((id) => stored.has(id))).toBe(true);
    };

    await kit.unitOfWork.runBatch(kit.publisher.take());
    await kit.announcer.settled();

    const children = kit.store.rows('instances').filter((r) => r.parentInstanceId !== null);
    expect(children).toHaveLength(2);
    expect(seen.flat().sort()).toEqual(children.map((c) => c.id).sort());
  });

  it('does not fail the batch when the publish fails; the sweeper announces the work later', async () => {
    const kit = new RuntimeKit();
    await kit.deploy(MI_CALL_CHILD);
    await kit.deploy(MI_CALL);
    await startUnrun(kit, 'multi-instance-call-activity', 1, { numbers: [1] });
    kit.publisher.failNext();

    const report = await kit.unitOfWork.runBatch(kit.publisher.take());
    await kit.announcer.settled();

    expect(report.stepped).toBe(1);
    expect(kit.publisher.queue).toEqual([]);
    expect(kit.observer.failuresOf(FailureKind.PublishFailed)).toHaveLength(1);
    const child = kit.store.rows('instances').find((r) => r.parentInstanceId !== null);
    expect(child?.pendingSince).not.toBeNull();

    kit.clock.advance(5_000);
    expect(await kit.sweeper.sweepOnce()).toBe(1);
    await kit.drain();
    expect(kit.store.rows('jobs').map((j) => [j.type, j.instanceId])).toEqual([['double', child?.id]]);
  });

  it('starts a call activity child in the parent batch; its completion moves the parent on', async () => {
    const kit = new RuntimeKit();
    await kit.deploy(engineFixture('subprocess/call-activity-child.bpmn'));
    await kit.deploy(engineFixture('subprocess/call-activity.bpmn'));

    const parent = await kit.startAndRun('call-activity', { value: 21 });

    const [child] = kit.store.rows('instances').filter((r) => r.parentInstanceId === parent);
    expect(child).toMatchObject({ bpmnProcessId: 'call-activity-child', status: 'COMPLETED' });
    expect(await kit.instances.get(parent)).toMatchObject({ status: 'COMPLETED', variables: { value: 21, result: 42 } });
    // Starts inside a unit of work are counted in its report (REST starts through instancesStarted).
    expect(kit.observer.started).toEqual(['call-activity']);
    expect(kit.observer.batches.flatMap((b) => b.started)).toEqual([{ bpmnProcessId: 'call-activity-child' }]);
  });

  it("calls the version a call activity binds: its own deployment's, or the latest with a version tag", async () => {
    const kit = new RuntimeKit();
    const CHILD = engineFixture('subprocess/call-activity-child.bpmn');
    /** The child under a version tag, multiplying by `factor` (a changed document: another version). */
    const child = (tag: string, factor: number) =>
      CHILD.replace(/(<bpmn:process id="call-activity-child"[^>]*>)/, `$1<bpmn:extensionElements><zeebe:versionTag value="${tag}"/></bpmn:extensionElements>`).replace(
        '= input * 2',
        `= input * ${factor}`,
      );
    const parent = (binding: string) =>
      engineFixture('subprocess/call-activity.bpmn').replace('processId="call-activity-child"', `processId="call-activity-child" ${binding}`);
    expect(CHILD).toContain('= input * 2');

    // One deployment brings the caller and child v1 (tag "one"); then v2 ("two") and v3 ("one" again) alone.
    await kit.registry.deployResources([
      { name: 'parent.bpmn', xml: parent('bindingType="deployment"') },
      { name: 'child.bpmn', xml: child('one', 2) },
    ]);
    await kit.deploy(child('two', 3));
    await kit.deploy(child('one', 5));
    const byDeployment = await kit.startAndRun('call-activity', { value: 10 });
    expect((await kit.instances.get(byDeployment)).variables).toMatchObject({ result: 20 });

    await kit.deploy(parent('bindingType="versionTag" versionTag="two"'));
    const byTag = await kit.startAndRun('call-activity', { value: 10 });
    expect((await kit.instances.get(byTag)).variables).toMatchObject({ result: 30 });

    await kit.deploy(parent('bindingType="versionTag" versionTag="three"'));
    const noTag = await kit.startAndRun('call-activity', { value: 10 });
    expect((await kit.instances.get(noTag)).incidents).toEqual([
      expect.objectContaining({ type: 'CALLED_ELEMENT_ERROR', message: expect.stringContaining("'call-activity-child' is not deployed with version tag 'three'") }),
    ]);
  });

  it('opens a CALLED_ELEMENT_ERROR incident when the called process is not deployed', async () => {
    const kit = new RuntimeKit();
    await kit.deploy(engineFixture('subprocess/call-activity.bpmn'));

    const parent = await kit.startAndRun('call-activity', { value: 1 });

    expect((await kit.instances.get(parent)).incidents).toEqual([
      expect.objectContaining({ type: 'CALLED_ELEMENT_ERROR', elementId: 'call_child', message: expect.stringContaining("'call-activity-child' is not deployed") }),
    ]);
    expect(kit.store.rows('instances')).toHaveLength(1);
  });
});

describe('UnitOfWork.command', () => {
  it('applies a cancel to a fresh instance without running it: no element is activated', async () => {
    const kit = new RuntimeKit();
    await kit.deploy(SERVICE_TASK);
    const [id] = await startUnrun(kit, 'service-task', 1);

    const outcome = await kit.unitOfWork.command(id, [{ type: 'cancel' }], { lockTimeoutMs: 50 });
    await kit.drain();

    expect(outcome).toBe('applied');
    expect((await kit.instances.get(id)).status).toBe('CANCELED');
    expect(kit.store.rows('instances')[0].endedAt).toEqual(kit.clock.date());
    expect((await kit.history(id)).filter((h) => h.type === 'ELEMENT_ACTIVATED')).toEqual([]);
    expect(kit.store.rows('jobs')).toEqual([]);
  });

  it('cancels a suspended instance that has READY work without running any of it', async () => {
    const kit = new RuntimeKit();
    await kit.deploy(SERVICE_TASK);
    const [id] = await startUnrun(kit, 'service-task', 1);
    expect(await kit.unitOfWork.command(id, [{ type: 'suspend' }], { lockTimeoutMs: 50 })).toBe('applied');
    await kit.drain();
    expect(await kit.trail(id)).toEqual([]);

    expect(await kit.unitOfWork.command(id, [{ type: 'cancel' }], { lockTimeoutMs: 50 })).toBe('applied');
    await kit.drain();

    expect((await kit.instances.get(id)).status).toBe('CANCELED');
    expect((await kit.history(id)).filter((h) => h.type === 'ELEMENT_ACTIVATED')).toEqual([]);
  });

  it('refuses through the guard and writes nothing', async () => {
    const kit = new RuntimeKit();
    await kit.deploy(SERVICE_TASK);
    const [id] = await startUnrun(kit, 'service-task', 1);
    const before = kit.store.rows('instances');

    await expect(
      kit.unitOfWork.command(id, [{ type: 'cancel' }], {
        lockTimeoutMs: 50,
        guard: () => {
          throw new Error('not you');
        },
      }),
    ).rejects.toThrow('not you');

    expect(kit.store.rows('instances')).toEqual(before);
    expect(kit.store.rows('inbox')).toEqual([]);
  });

  it('queues a command on an instance a worker holds; the next batch applies it before anything else', async () => {
    const kit = new RuntimeKit();
    await kit.deploy(SERVICE_TASK);
    const [id] = await startUnrun(kit, 'service-task', 1);
    kit.store.holdLock(id);

    const outcome = await kit.unitOfWork.command(id, [{ type: 'cancel' }], { lockTimeoutMs: 5 });

    expect(outcome).toBe('queued');
    expect(kit.store.rows('inbox').map((e) => [e.instanceId, e.event.type])).toEqual([[id, 'cancel']]);
    expect((await kit.instances.get(id)).status).toBe('CANCELING');

    kit.store.releaseLock(id);
    await kit.drain();

    expect((await kit.instances.get(id)).status).toBe('CANCELED');
    // The instance had a READY start event when the cancel came: none of it ran.
    expect((await kit.history(id)).filter((h) => h.type === 'ELEMENT_ACTIVATED')).toEqual([]);
    expect(kit.store.rows('inbox')).toEqual([]);
  });

  it('answers 404 for an instance that does not exist, also when it would queue', async () => {
    const kit = new RuntimeKit();
    await expect(kit.unitOfWork.command('987654321', [{ type: 'cancel' }], { lockTimeoutMs: 5 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(kit.store.rows('inbox')).toEqual([]);
  });

  it('cancels a parent and puts a cancel into the inbox of each of its call-activity children', async () => {
    const kit = new RuntimeKit();
    await kit.deploy(MI_CALL_CHILD);
    await kit.deploy(MI_CALL);
    const parent = await kit.startAndRun('multi-instance-call-activity', { numbers: [1, 2] });
    const children = kit.store.rows('instances').filter((r) => r.parentInstanceId === parent);
    expect(children).toHaveLength(2);
    expect(kit.store.rows('jobs').filter((j) => j.state === 'ACTIVATABLE')).toHaveLength(2);

    await kit.unitOfWork.command(parent, [{ type: 'cancel' }], { lockTimeoutMs: 50 });

    expect(kit.store.rows('inbox').map((e) => [e.instanceId, e.event.type]).sort()).toEqual(children.map((c) => [c.id, 'cancel']).sort());
    await kit.drain();
    for (const child of children) expect((await kit.instances.get(child.id)).status).toBe('CANCELED');
    expect(kit.store.rows('jobs').map((j) => j.state)).toEqual(['CANCELED', 'CANCELED']);
    expect(kit.store.rows('inbox')).toEqual([]);
  });
});

import { FailureKind, type Key } from '../src';
import { engineFixture, RuntimeKit } from './fakes';
import type { InstanceRow } from './fakes/memory-store';

/**
 * One instance the engine cannot step never takes its batch, or a worker,
 * down: its step is rolled back alone and counted; after STEP_FAILURE_LIMIT
 * failures in a row it is set aside with a STEP_FAILED incident.
 */

const SERVICE_TASK = engineFixture('tasks/service-task.bpmn');
const USER_TASK = engineFixture('tasks/user-task.bpmn');

async function startUnrun(kit: RuntimeKit, processId: string, n: number, variables?: Record<string, unknown>): Promise<Key[]> {
  const ids: Key[] = [];
  for (let i = 0; i < n; i++) ids.push((await kit.instances.start(processId, { variables })).id);
  await kit.announcer.settled();
  kit.publisher.take();
  return ids;
}

/** A state the engine throws on when it runs it (its start event is gone): a TypeError, not an EngineError. */
function poison(row: InstanceRow): InstanceRow {
  const root = row.state.elements[row.state.rootId];
  return { ...row, state: { ...row.state, elements: { ...row.state.elements, [root.id]: { ...root, startEventId: 'vanished' } } } };
}

const instanceRow = (kit: RuntimeKit, id: Key) => kit.store.rows('instances').find((r) => r.id === id) as InstanceRow;

describe('poison isolation', () => {
  it('an instance whose step throws is rolled back alone: the rest of its batch commits', async () => {
    const kit = new RuntimeKit();
    await kit.deploy(SERVICE_TASK);
    const [a, bad, c] = await startUnrun(kit, 'service-task', 3);
    kit.store.tamper(bad, poison);

    const report = await kit.unitOfWork.runBatch([a, bad, c]);

    expect(report).toMatchObject({ items: 3, stepped: 2 });
    expect(kit.store.rows('jobs').map((j) => j.instanceId).sort()).toEqual([a, c].sort());
    expect(instanceRow(kit, bad)).toMatchObject({ stepFailures: 1, status: 'ACTIVE' });
    expect(instanceRow(kit, bad).pendingSince).not.toBeNull();
    expect(kit.store.rows('incidents')).toEqual([]);
    const [failure] = kit.observer.failuresOf(FailureKind.StepFailed);
    expect(failure.detail).toContain(`instance ${bad}`);
    expect(failure.detail).toContain('1 of 3');
    expect(failure.error).toBeInstanceOf(TypeError);
    expect(kit.observer.failuresOf(FailureKind.BatchFailed)).toEqual([]);
  });

  it('after STEP_FAILURE_LIMIT failures in a row it is set aside with a STEP_FAILED incident; resolving retries it', async () => {
    const kit = new RuntimeKit({ unitOfWork: { stepFailureLimit: 3 } });
    await kit.deploy(SERVICE_TASK);
    const [bad] = await startUnrun(kit, 'service-task', 1);
    const healthy = instanceRow(kit, bad);
    kit.store.tamper(bad, poison);

    await kit.unitOfWork.runBatch([bad]);
    await kit.unitOfWork.runBatch([bad]);
    expect(kit.store.rows('incidents')).toEqual([]);
    expect(instanceRow(kit, bad).stepFailures).toBe(2);
    await kit.unitOfWork.runBatch([bad]);

    const [incident] = kit.store.rows('incidents');
    expect(incident).toMatchObject({ instanceId: bad, type: 'STEP_FAILED', elementId: 'service-task' });
    expect(incident.message).toContain('STEP_FAILURE_LIMIT');
    expect(incident.message).toContain('multiInstance');
    expect(kit.observer.failuresOf(FailureKind.StepIsolated)).toHaveLength(1);
    expect(instanceRow(kit, bad).stepFailures).toBe(0);

    // Set aside, it costs nothing: a hint finds nothing to run, and nothing fails.
    kit.publisher.take();
    await kit.unitOfWork.runBatch([bad]);
    expect(kit.observer.failuresOf(FailureKind.StepFailed)).toHaveLength(2);

    // The operator repairs what broke and resolves: the instance runs on from where it stopped.
    kit.store.tamper(bad, (row) => ({ ...row, state: { ...row.state, elements: { ...row.state.elements, [row.state.rootId]: { ...row.state.elements[row.state.rootId], startEventId: healthy.state.elements[healthy.state.rootId].startEventId } } } }));
    await kit.incidents.resolve(incident.id);
    await kit.drain();
    expect(kit.store.rows('jobs').map((j) => j.instanceId)).toEqual([bad]);
    expect((await kit.instances.get(bad)).incidents).toEqual([]);
  });

  it('a step that finishes clears the count of failures', async () => {
    const kit = new RuntimeKit();
    await kit.deploy(SERVICE_TASK);
    const [id] = await startUnrun(kit, 'service-task', 1);
    const healthy = instanceRow(kit, id);
    kit.store.tamper(id, poison);
    await kit.unitOfWork.runBatch([id]);
    expect(instanceRow(kit, id).stepFailures).toBe(1);

    kit.store.tamper(id, (row) => ({ ...row, state: healthy.state }));
    await kit.unitOfWork.runBatch([id]);

    expect(instanceRow(kit, id).stepFailures).toBe(0);
    expect(kit.store.rows('jobs')).toHaveLength(1);
  });

  describe('redelivered work (a worker died holding it)', () => {
    it('is stepped alone and, when it finishes, leaves no count behind', async () => {
      const kit = new RuntimeKit();
      await kit.deploy(SERVICE_TASK);
      const [id] = await startUnrun(kit, 'service-task', 1);

      const report = await kit.unitOfWork.runRedelivered(id);

      expect(report).toMatchObject({ items: 1, stepped: 1 });
      expect(instanceRow(kit, id).stepFailures).toBe(0);
      expect(kit.store.rows('jobs')).toHaveLength(1);
    });

    it('an instance that keeps killing workers is set aside without being stepped again', async () => {
      const kit = new RuntimeKit({ unitOfWork: { stepFailureLimit: 3 } });
      await kit.deploy(SERVICE_TASK);
      const [id] = await startUnrun(kit, 'service-task', 1);
      // Two redeliveries whose workers died mid-step: each counted its attempt first, none finished.
      await kit.store.transaction((tx) => tx.instances.recordStepFailure(id));
      await kit.store.transaction((tx) => tx.instances.recordStepFailure(id));

      await kit.unitOfWork.runRedelivered(id);

      expect(kit.store.rows('jobs')).toEqual([]);
      expect(kit.store.rows('incidents')).toEqual([
        expect.objectContaining({ instanceId: id, type: 'STEP_FAILED', message: expect.stringContaining('3 attempt(s) in a row to step it did not finish') }),
      ]);
      expect(kit.observer.failuresOf(FailureKind.StepIsolated)).toHaveLength(1);
    });
  });

  it('an instance whose user task date no store can read gets an incident; its neighbours commit', async () => {
    const kit = new RuntimeKit();
    await kit.deploy(USER_TASK);
    const [good] = await startUnrun(kit, 'user-task', 1, { owner: 'anna', followUpAt: '2026-02-01T00:00:00Z' });
    const [bad] = await startUnrun(kit, 'user-task', 1, { owner: 'ben', followUpAt: 'soon' });

    await kit.unitOfWork.runBatch([good, bad]);

    expect(kit.store.rows('userTasks').map((t) => t.instanceId)).toEqual([good]);
    expect((await kit.instances.get(bad)).incidents).toEqual([
      expect.objectContaining({ type: 'EXPRESSION_ERROR', elementId: 'approve', message: expect.stringContaining('follow-up date') }),
    ]);
  });

  it('a batch over its time budget commits what it stepped and hands the rest back, still pending', async () => {
    let now = Date.UTC(2026, 0, 1);
    // Each read of the unit of work's clock is 40 ms later: the 100 ms budget ends after a few instances.
    const kit = new RuntimeKit({ unitOfWork: { batchTimeBudgetMs: 100, clock: () => (now += 40) } });
    await kit.deploy(SERVICE_TASK);
    const ids = await startUnrun(kit, 'service-task', 10);

    const report = await kit.unitOfWork.runBatch(ids);
    await kit.announcer.settled();

    expect(report.stepped).toBeGreaterThan(0);
    expect(report.stepped).toBeLessThan(10);
    expect(report.requeued).toBe(10 - report.stepped);
    const handedBack = kit.publisher.take();
    expect(handedBack).toHaveLength(10 - report.stepped);
    for (const id of handedBack) await kit.unitOfWork.runBatch([id]);
    expect(kit.store.rows('jobs')).toHaveLength(10);
  });
});

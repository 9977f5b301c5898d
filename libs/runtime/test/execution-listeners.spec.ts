import { RuntimeErrorCode, type ActivatedJob } from '../src';
import { engineFixture, RuntimeKit } from './fakes';

/**
 * Execution listener jobs through the job service and the unit of work:
 * they are leased like any job, show their kind and listener event, and their
 * outcomes reach the element waiting for them.
 */
const LISTENERS = engineFixture('listeners/service-task.bpmn');
const LEASE = 30_000;

async function started(): Promise<{ kit: RuntimeKit; id: string }> {
  const kit = new RuntimeKit();
  await kit.deploy(LISTENERS);
  const id = await kit.startAndRun('el-task', { amount: 5, kind: 'x', attempts: 3 });
  return { kit, id };
}

async function only(kit: RuntimeKit, type: string): Promise<ActivatedJob> {
  const jobs = await kit.jobs.activate({
    type,
    workerId: 'w1',
    maxJobs: 10,
    lockDurationMs: LEASE,
  });
  expect(jobs).toHaveLength(1);
  return jobs[0];
}

describe('execution listener jobs', () => {
  it('run in order with their kind and event, then the element job, then the end listener', async () => {
    const { kit, id } = await started();
    expect(
      await kit.jobs.activate({
        type: 'charge',
        workerId: 'w1',
        maxJobs: 10,
        lockDurationMs: LEASE,
      }),
    ).toEqual([]);

    const audit = await only(kit, 'audit');
    expect(audit).toMatchObject({
      kind: 'EXECUTION_LISTENER',
      listenerEventType: 'START',
      elementId: 'charge',
      retries: 2,
    });
    expect(audit.variables).toMatchObject({ doubled: 10 });
    await kit.jobs.complete(audit.id, { workerId: 'w1', variables: { auditId: 1 } });
    await kit.drain();

    const enrich = await only(kit, 'enrich-x');
    expect(enrich).toMatchObject({
      kind: 'EXECUTION_LISTENER',
      listenerEventType: 'START',
      retries: 3,
    });
    await kit.jobs.complete(enrich.id, { workerId: 'w1' });
    await kit.drain();

    const charge = await only(kit, 'charge');
    expect(charge).toMatchObject({ kind: 'BPMN_ELEMENT', listenerEventType: 'UNSPECIFIED' });
    expect(charge.variables).toMatchObject({ auditId: 1 });
    await kit.jobs.complete(charge.id, { workerId: 'w1', variables: { result: 'ok' } });
    await kit.drain();

    const notify = await only(kit, 'notify');
    expect(notify).toMatchObject({ kind: 'EXECUTION_LISTENER', listenerEventType: 'END' });
    await kit.jobs.complete(notify.id, { workerId: 'w1', variables: { notified: true } });
    await kit.drain();

    const instance = await kit.instances.get(id);
    expect(instance.status).toBe('COMPLETED');
    expect(instance.variables).toMatchObject({ charged: 'ok', notified: true });
    expect(instance.variables).not.toHaveProperty('auditId');
  });

  it('a BPMN error from a listener job is refused (409) and changes nothing', async () => {
    const { kit } = await started();
    const audit = await only(kit, 'audit');
    await expect(
      kit.jobs.throwError(audit.id, { workerId: 'w1', errorCode: 'E' }),
    ).rejects.toMatchObject({
      code: RuntimeErrorCode.Conflict,
      message: expect.stringContaining('EXECUTION_LISTENER job'),
    });
    expect(kit.store.rows('inbox')).toEqual([]);
    await kit.jobs.complete(audit.id, { workerId: 'w1' });
  });

  it('out of retries: EXECUTION_LISTENER_NO_RETRIES naming the listener job; resolving hands that job out again', async () => {
    const { kit, id } = await started();
    const audit = await only(kit, 'audit');
    await kit.jobs.fail(audit.id, { workerId: 'w1', errorMessage: 'audit down', retries: 0 });
    await kit.drain();

    const [incident] = (await kit.instances.get(id)).incidents;
    expect(incident).toMatchObject({
      type: 'EXECUTION_LISTENER_NO_RETRIES',
      elementId: 'charge',
      message: 'audit down',
      jobId: audit.id,
    });
    expect(
      await kit.jobs.activate({ type: 'audit', workerId: 'w2', maxJobs: 1, lockDurationMs: LEASE }),
    ).toEqual([]);

    await kit.incidents.resolve(incident.id, { retries: 2 });
    await kit.drain();
    const again = await only(kit, 'audit');
    expect(again).toMatchObject({ id: audit.id, retries: 2, kind: 'EXECUTION_LISTENER' });
    await kit.jobs.complete(again.id, { workerId: 'w1' });
    await kit.drain();
    expect((await only(kit, 'enrich-x')).listenerEventType).toBe('START');
  });

  it('canceling the instance cancels the pending listener job', async () => {
    const { kit, id } = await started();
    await kit.instances.cancel(id);
    await kit.drain();
    expect(kit.store.rows('jobs').map((j) => [j.type, j.state])).toEqual([['audit', 'CANCELED']]);
  });
});

describe('creating task listener jobs', () => {
  const TASK_LISTENERS = engineFixture('listeners/user-task-listeners.bpmn');

  async function creating(): Promise<{ kit: RuntimeKit; id: string; job: ActivatedJob }> {
    const kit = new RuntimeKit();
    await kit.deploy(TASK_LISTENERS);
    const id = await kit.startAndRun('tl-creating', { region: 'eu' });
    return { kit, id, job: await only(kit, 'assign-by-rule') };
  }

  it('are TASK_LISTENER/CREATING jobs; their corrections make the task', async () => {
    const { kit, id, job } = await creating();
    expect(job).toMatchObject({ kind: 'TASK_LISTENER', listenerEventType: 'CREATING' });
    expect(kit.store.rows('userTasks')).toEqual([]);
    await kit.jobs.completeWithUserTaskResult(job.id, {
      workerId: 'w1',
      result: { denied: false, corrections: { assignee: 'ann', priority: 90 } },
    });
    await kit.drain();
    const audit = await only(kit, 'audit-eu');
    await kit.jobs.complete(audit.id, { workerId: 'w1' });
    await kit.drain();
    expect(await kit.tasks.list({ instanceId: id, limit: 10 })).toMatchObject({
      items: [
        {
          elementId: 'approve',
          assignee: 'ann',
          priority: 90,
          candidateGroups: ['clerks'],
          state: 'CREATED',
        },
      ],
    });
  });

  it('refuses (400) what Camunda 8.8 refuses: variables, a denial of creating, an assignee the task already has', async () => {
    const { kit, job } = await creating();
    await expect(
      kit.jobs.complete(job.id, { workerId: 'w1', variables: { x: 1 } }),
    ).rejects.toMatchObject({ code: RuntimeErrorCode.BadRequest });
    await expect(
      kit.jobs.completeWithUserTaskResult(job.id, { workerId: 'w1', result: { denied: true } }),
    ).rejects.toMatchObject({
      code: RuntimeErrorCode.BadRequest,
      message: expect.stringContaining("a 'CREATING' task listener cannot deny"),
    });
    await kit.jobs.completeWithUserTaskResult(job.id, {
      workerId: 'w1',
      result: { denied: false, corrections: { assignee: 'ann' } },
    });
    await kit.drain();
    const audit = await only(kit, 'audit-eu');
    await expect(
      kit.jobs.completeWithUserTaskResult(audit.id, {
        workerId: 'w1',
        result: { denied: false, corrections: { assignee: 'bob' } },
      }),
    ).rejects.toMatchObject({
      code: RuntimeErrorCode.BadRequest,
      message: expect.stringContaining("already has an assignee ('ann')"),
    });
    expect(kit.store.rows('inbox')).toEqual([]);
  });
});

describe('assigning and completing task listener jobs', () => {
  const TRANSITIONS = engineFixture('listeners/user-task-transitions.bpmn');

  async function opened(): Promise<{ kit: RuntimeKit; id: string; taskId: string }> {
    const kit = new RuntimeKit();
    await kit.deploy(TRANSITIONS);
    const id = await kit.startAndRun('tl-transitions', { region: 'eu', audit: 'audit-x' });
    const { items } = await kit.tasks.list({ instanceId: id, limit: 10 });
    expect(items).toHaveLength(1);
    return { kit, id, taskId: items[0].id };
  }

  it('a claim puts the task in ASSIGNING; other transitions are refused (409) until the last listener applies it', async () => {
    const { kit, taskId } = await opened();
    expect(await kit.tasks.claim(taskId, 'ann')).toMatchObject({
      state: 'ASSIGNING',
      assignee: null,
    });
    await expect(kit.tasks.complete(taskId, {})).rejects.toMatchObject({
      code: RuntimeErrorCode.Conflict,
    });
    await expect(kit.tasks.assign(taskId, 'bob', true)).rejects.toMatchObject({
      code: RuntimeErrorCode.Conflict,
    });
    await kit.drain();
    const check = await only(kit, 'check-assignee');
    expect(check).toMatchObject({ kind: 'TASK_LISTENER', listenerEventType: 'ASSIGNING' });
    expect(check.customHeaders).toMatchObject({
      'io.camunda.zeebe:assignee': 'ann',
      'io.camunda.zeebe:action': 'claim',
    });
    await kit.jobs.completeWithUserTaskResult(check.id, {
      workerId: 'w1',
      result: { denied: false, corrections: { priority: 75 } },
    });
    await kit.drain();
    expect(await kit.tasks.get(taskId)).toMatchObject({ state: 'ASSIGNING', assignee: null });
    await kit.jobs.complete((await only(kit, 'notify-eu')).id, { workerId: 'w1' });
    await kit.drain();
    expect(await kit.tasks.get(taskId)).toMatchObject({
      state: 'CREATED',
      assignee: 'ann',
      priority: 75,
    });
  });

  it('a denied completion puts the task back and drops its variables; a completion let through moves the instance on', async () => {
    const { kit, id, taskId } = await opened();
    expect(await kit.tasks.complete(taskId, { verdict: 'no' })).toMatchObject({
      state: 'COMPLETING',
    });
    await kit.drain();
    const check = await only(kit, 'check-completion');
    expect(check).toMatchObject({ kind: 'TASK_LISTENER', listenerEventType: 'COMPLETING' });
    await kit.jobs.completeWithUserTaskResult(check.id, {
      workerId: 'w1',
      result: { denied: true, deniedReason: 'not yet' },
    });
    await kit.drain();
    expect(await kit.tasks.get(taskId)).toMatchObject({ state: 'CREATED', completedAt: null });
    expect(kit.store.rows('instances')[0]).toMatchObject({ status: 'ACTIVE' });

    await kit.tasks.complete(taskId, { verdict: 'yes' });
    await kit.drain();
    await kit.jobs.complete((await only(kit, 'check-completion')).id, { workerId: 'w1' });
    await kit.drain();
    await kit.jobs.complete((await only(kit, 'audit-x')).id, { workerId: 'w1' });
    await kit.drain();
    expect(await kit.tasks.get(taskId)).toMatchObject({ state: 'COMPLETED' });
    expect(kit.store.rows('instances').find((i) => String(i.id) === id)).toMatchObject({
      status: 'COMPLETED',
      variables: expect.objectContaining({ verdict: 'yes' }),
    });
  });

  it('an update puts the task in UPDATING; its listener sees the changed attributes; the update applies after it', async () => {
    const { kit, taskId } = await opened();
    expect(
      await kit.tasks.update(taskId, { priority: 90, candidateGroups: [] }, 'escalate'),
    ).toMatchObject({
      state: 'UPDATING',
      priority: 50,
      candidateGroups: ['clerks'],
    });
    await expect(kit.tasks.claim(taskId, 'ann')).rejects.toMatchObject({
      code: RuntimeErrorCode.Conflict,
    });
    await kit.drain();
    const check = await only(kit, 'check-update');
    expect(check).toMatchObject({ kind: 'TASK_LISTENER', listenerEventType: 'UPDATING' });
    expect(check.customHeaders).toMatchObject({
      'io.camunda.zeebe:action': 'escalate',
      'io.camunda.zeebe:changedAttributes': '["candidateGroups","priority"]',
      'io.camunda.zeebe:priority': '90',
    });
    await kit.jobs.complete(check.id, { workerId: 'w1' });
    await kit.drain();
    expect(await kit.tasks.get(taskId)).toMatchObject({
      state: 'CREATED',
      priority: 90,
      candidateGroups: [],
    });
  });

  it('canceling the instance while a listener runs cancels its job and the task', async () => {
    const { kit, id, taskId } = await opened();
    await kit.tasks.assign(taskId, 'ann', true);
    await kit.drain();
    await kit.instances.cancel(id);
    await kit.drain();
    expect(await kit.tasks.get(taskId)).toMatchObject({ state: 'CANCELED' });
    expect(
      await kit.jobs.activate({
        type: 'check-assignee',
        workerId: 'w1',
        maxJobs: 10,
        lockDurationMs: LEASE,
      }),
    ).toEqual([]);
  });
});

/**
 * `canceling` task listeners through the job service and the unit of work:
 * canceling the instance cancels the task at once; the listener's job carries
 * the task as it was (from its row); a denial is refused; the instance is
 * CANCELED once the last listener completed.
 */
describe('canceling task listener jobs', () => {
  const CANCELING = engineFixture('listeners/user-task-canceling.bpmn');

  it('run when the instance is canceled, with the task in their headers; the instance ends after them', async () => {
    const kit = new RuntimeKit();
    await kit.deploy(CANCELING);
    const id = await kit.startAndRun('tl-cancel-scopes', { key: 'k' });
    const { items } = await kit.tasks.list({ instanceId: id, limit: 10 });
    const taskId = items[0].id;
    // No assigning listener on this task: the assignment applies at once, to the row only.
    await kit.tasks.assign(taskId, 'ann', true);
    await kit.drain();

    await kit.instances.cancel(id);
    await kit.drain();
    expect(await kit.tasks.get(taskId)).toMatchObject({ state: 'CANCELED' });
    expect(kit.store.rows('instances').find((i) => String(i.id) === id)).toMatchObject({
      status: 'ACTIVE',
    });
    await expect(kit.tasks.complete(taskId, {})).rejects.toMatchObject({
      code: RuntimeErrorCode.Conflict,
    });
    // The cancellation is under way: another cancel or a suspension is refused.
    await expect(kit.instances.cancel(id)).rejects.toMatchObject({
      code: RuntimeErrorCode.Conflict,
      message: expect.stringContaining('waits for canceling task listeners'),
    });
    await expect(kit.instances.suspend(id)).rejects.toMatchObject({
      code: RuntimeErrorCode.Conflict,
    });

    const job = await only(kit, 'notify-cancel');
    expect(job).toMatchObject({
      kind: 'TASK_LISTENER',
      listenerEventType: 'CANCELING',
      elementId: 'check',
    });
    expect(job.customHeaders).toEqual({
      'io.camunda.zeebe:userTaskKey': taskId,
      'io.camunda.zeebe:action': '',
      'io.camunda.zeebe:assignee': 'ann',
      'io.camunda.zeebe:priority': '50',
    });
    await expect(
      kit.jobs.completeWithUserTaskResult(job.id, { workerId: 'w1', result: { denied: true } }),
    ).rejects.toMatchObject({
      code: RuntimeErrorCode.BadRequest,
      message: expect.stringContaining("a 'CANCELING' task listener cannot deny"),
    });
    await kit.jobs.complete(job.id, { workerId: 'w1' });
    await kit.drain();
    expect(kit.store.rows('instances').find((i) => String(i.id) === id)).toMatchObject({
      status: 'CANCELED',
    });
  });
});

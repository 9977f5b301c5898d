import type { CamundaClient } from '@camunda8/orchestration-cluster-api';
import { fixture, startApi, type ApiHarness } from './api-harness';
import { activateOne as activateOneJob, camundaClient, deploy, failure, until } from './camunda-support';

/**
 * Execution listeners end to end, through the official client as a Camunda 8
 * worker would meet them: listener jobs are activated, failed and completed
 * like any job, show their kind and listener event, and the element goes on
 * only once each has completed.
 */
const NOW = { consistency: { waitUpToMs: 0 } };

describe('execution and task listeners through /v2 and /api/v1', () => {
  let h: ApiHarness;
  let camunda: CamundaClient;
  let stopWorker: () => Promise<void>;

  beforeAll(async () => {
    h = await startApi('api_listeners');
    stopWorker = await h.worker();
    camunda = camundaClient(h.origin);
    await deploy(camunda, 'el-task', fixture('listeners/service-task.bpmn'));
    await deploy(camunda, 'tl-creating', fixture('listeners/user-task-listeners.bpmn'));
    await deploy(camunda, 'tl-transitions', fixture('listeners/user-task-transitions.bpmn'));
    await deploy(camunda, 'tl-canceling', fixture('listeners/user-task-canceling.bpmn'));
  }, 60_000);
  afterAll(async () => {
    await stopWorker?.();
    await h?.close();
  });

  const activateOne = (type: string) => activateOneJob(camunda, type, { upTo: 5 });

  it('start listeners, the element job and the end listener run in turn; a failed listener is an incident that resolving retries', async () => {
    const { processInstanceKey } = await camunda.createProcessInstance({
      processDefinitionId: 'el-task' as never,
      variables: { amount: 5, kind: 'x', attempts: 2 },
    });

    const audit = await activateOne('audit');
    expect(audit).toMatchObject({
      processInstanceKey,
      elementId: 'charge',
      kind: 'EXECUTION_LISTENER',
      listenerEventType: 'START',
      retries: 2,
    });
    expect(audit.variables).toMatchObject({ doubled: 10 });
    // A listener job cannot throw a BPMN error (Camunda 8 rejects it).
    const thrown = await failure(camunda.throwJobError({ jobKey: audit.jobKey, errorCode: 'E' }));
    expect(thrown).toMatchObject({ status: 409 });
    await camunda.completeJob({ jobKey: audit.jobKey, variables: { auditId: 1 } });

    const enrich = await activateOne('enrich-x');
    await camunda.failJob({ jobKey: enrich.jobKey, retries: 0, errorMessage: 'enrichment down' });
    const incidents = await until(
      () => camunda.searchIncidents({ filter: { processInstanceKey } }, NOW),
      (r) => r.items?.length === 1,
      'the listener incident',
    );
    const incident = incidents.items?.[0];
    expect(incident).toMatchObject({
      errorType: 'EXECUTION_LISTENER_NO_RETRIES',
      elementId: 'charge',
      jobKey: enrich.jobKey,
    });
    await camunda.updateJob({ jobKey: enrich.jobKey, changeset: { retries: 1 } });
    await camunda.resolveIncident({ incidentKey: incident?.incidentKey as never });

    const again = await activateOne('enrich-x');
    expect(again).toMatchObject({
      jobKey: enrich.jobKey,
      kind: 'EXECUTION_LISTENER',
      listenerEventType: 'START',
    });
    await camunda.completeJob({ jobKey: again.jobKey });

    const charge = await activateOne('charge');
    expect(charge).toMatchObject({ kind: 'BPMN_ELEMENT', listenerEventType: 'UNSPECIFIED' });
    expect(charge.variables).toMatchObject({ auditId: 1 });
    await camunda.completeJob({ jobKey: charge.jobKey, variables: { result: 'paid' } });

    // The end listener through Baton's own API: the same job kinds.
    const activated = await until(
      () =>
        h.json('POST', '/jobs/activate', {
          type: 'notify',
          workerId: 'v1',
          maxJobs: 5,
          lockDurationMs: 30_000,
        }),
      (r) => r.body.jobs?.length === 1,
      'the end listener job',
    );
    const notify = activated.body.jobs[0];
    expect(notify).toMatchObject({
      elementId: 'charge',
      kind: 'EXECUTION_LISTENER',
      listenerEventType: 'END',
    });
    expect(notify.variables).toMatchObject({ charged: 'paid' });
    expect(
      (
        await h.json('POST', `/jobs/${notify.id}/complete`, {
          workerId: 'v1',
          variables: { notified: true },
        })
      ).status,
    ).toBe(204);

    const done = await until(
      () => h.json('GET', `/instances/${processInstanceKey}`),
      (r) => r.body.status === 'COMPLETED',
      'the instance to complete',
    );
    expect(done.body.variables).toMatchObject({ charged: 'paid', notified: true });

    // The job search shows each job's kind and listener event.
    const jobs = await camunda.searchJobs({ filter: { processInstanceKey } }, NOW);
    expect((jobs.items ?? []).map((j) => [j.type, j.kind, j.listenerEventType]).sort()).toEqual([
      ['audit', 'EXECUTION_LISTENER', 'START'],
      ['charge', 'BPMN_ELEMENT', 'UNSPECIFIED'],
      ['enrich-x', 'EXECUTION_LISTENER', 'START'],
      ['notify', 'EXECUTION_LISTENER', 'END'],
    ]);
    const listeners = await camunda.searchJobs({ filter: { processInstanceKey, kind: 'EXECUTION_LISTENER', listenerEventType: { $in: ['START'] } } }, NOW);
    expect((listeners.items ?? []).map((j) => j.type).sort()).toEqual(['audit', 'enrich-x']);
    const own = await camunda.searchJobs({ filter: { processInstanceKey, listenerEventType: 'UNSPECIFIED' } }, NOW);
    expect((own.items ?? []).map((j) => j.type)).toEqual(['charge']);
  });

  it('canceling the instance while a listener runs cancels its job', async () => {
    const { processInstanceKey } = await camunda.createProcessInstance({
      processDefinitionId: 'el-task' as never,
      variables: { amount: 1, kind: 'x', attempts: 1 },
    });
    const audit = await activateOne('audit');
    await camunda.cancelProcessInstance({ processInstanceKey });
    const jobs = await until(
      () => camunda.searchJobs({ filter: { jobKey: audit.jobKey } }, NOW),
      (r) => r.items?.[0]?.state === 'CANCELED',
      'the listener job to be canceled',
    );
    expect(jobs.items?.[0]).toMatchObject({
      kind: 'EXECUTION_LISTENER',
      listenerEventType: 'START',
    });
  });

  it('creating task listeners: TASK_LISTENER jobs whose result corrects the task before it is created', async () => {
    const { processInstanceKey } = await camunda.createProcessInstance({
      processDefinitionId: 'tl-creating' as never,
      variables: { region: 'eu' },
    });
    const rule = await activateOne('assign-by-rule');
    expect(rule).toMatchObject({
      processInstanceKey,
      elementId: 'approve',
      kind: 'TASK_LISTENER',
      listenerEventType: 'CREATING',
    });
    expect(rule.customHeaders).toMatchObject({
      'io.camunda.zeebe:candidateGroups': '["clerks"]',
      'io.camunda.zeebe:priority': '50',
    });
    // Camunda 8.8 refuses variables on a task listener job, and a denial of `creating`.
    expect(
      await failure(camunda.completeJob({ jobKey: rule.jobKey, variables: { x: 1 } })),
    ).toMatchObject({ status: 400 });
    expect(
      await failure(
        camunda.completeJob({ jobKey: rule.jobKey, result: { type: 'userTask', denied: true } }),
      ),
    ).toMatchObject({ status: 400 });
    await camunda.completeJob({
      jobKey: rule.jobKey,
      result: { type: 'userTask', corrections: { assignee: 'ann', priority: 90 } },
    });

    const audit = await activateOne('audit-eu');
    expect(audit.customHeaders).toMatchObject({
      'io.camunda.zeebe:assignee': 'ann',
      'io.camunda.zeebe:priority': '90',
    });
    await camunda.completeJob({
      jobKey: audit.jobKey,
      result: { type: 'userTask', corrections: { candidateGroups: [] } },
    });

    const tasks = await until(
      () => camunda.searchUserTasks({ filter: { processInstanceKey } }, NOW),
      (r) => r.items?.length === 1,
      'the user task',
    );
    expect(tasks.items?.[0]).toMatchObject({
      elementId: 'approve',
      assignee: 'ann',
      priority: 90,
      candidateGroups: [],
    });
  });

  it('assigning, updating and completing task listeners: the transition waits for them, a denial puts the task back, the last one applies it', async () => {
    const { processInstanceKey } = await camunda.createProcessInstance({
      processDefinitionId: 'tl-transitions' as never,
      variables: { region: 'eu', audit: 'audit-x' },
    });
    const { items } = await until(
      () => camunda.searchUserTasks({ filter: { processInstanceKey } }, NOW),
      (r) => r.items?.length === 1,
      'the user task',
    );
    const userTaskKey = items[0].userTaskKey;
    const stateOf = async () => (await camunda.getUserTask({ userTaskKey }, NOW)).state;

    // Baton answers the assignment at once (204) with the task ASSIGNING; other transitions are refused meanwhile.
    await camunda.assignUserTask({ userTaskKey, assignee: 'ann' });
    expect(await stateOf()).toBe('ASSIGNING');
    expect(await failure(camunda.completeUserTask({ userTaskKey }))).toMatchObject({ status: 409 });
    const check = await activateOne('check-assignee');
    expect(check).toMatchObject({ kind: 'TASK_LISTENER', listenerEventType: 'ASSIGNING', elementId: 'review' });
    expect(check.customHeaders).toMatchObject({ 'io.camunda.zeebe:assignee': 'ann', 'io.camunda.zeebe:action': 'assign' });
    await camunda.completeJob({ jobKey: check.jobKey, result: { type: 'userTask', denied: true, deniedReason: 'ann is away' } });
    await until(stateOf, (s) => s === 'CREATED', 'the denied assignment');
    expect((await camunda.getUserTask({ userTaskKey }, NOW)).assignee).toBeUndefined();

    await camunda.assignUserTask({ userTaskKey, assignee: 'bob' });
    await camunda.completeJob({ jobKey: (await activateOne('check-assignee')).jobKey, result: { type: 'userTask', corrections: { priority: 70 } } });
    await camunda.completeJob({ jobKey: (await activateOne('notify-eu')).jobKey });
    await until(stateOf, (s) => s === 'CREATED', 'the assignment');
    expect(await camunda.getUserTask({ userTaskKey }, NOW)).toMatchObject({ assignee: 'bob', priority: 70 });

    // (The official client checks dates itself: a raw request shows Baton's 400.)
    const badDate = await fetch(`${h.origin}/v2/user-tasks/${userTaskKey}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ changeset: { dueDate: 'soon' } }),
    });
    expect(badDate.status).toBe(400);
    expect(await badDate.text()).toContain('changeset.dueDate');
    await camunda.updateUserTask({ userTaskKey, changeset: { priority: 20, candidateGroups: ['ops'] }, action: 'escalate' });
    expect(await stateOf()).toBe('UPDATING');
    const update = await activateOne('check-update');
    expect(update).toMatchObject({ kind: 'TASK_LISTENER', listenerEventType: 'UPDATING' });
    expect(update.customHeaders).toMatchObject({
      'io.camunda.zeebe:action': 'escalate',
      'io.camunda.zeebe:changedAttributes': '["candidateGroups","priority"]',
    });
    await camunda.completeJob({ jobKey: update.jobKey });
    await until(stateOf, (s) => s === 'CREATED', 'the update');
    expect(await camunda.getUserTask({ userTaskKey }, NOW)).toMatchObject({ priority: 20, candidateGroups: ['ops'] });

    await camunda.completeUserTask({ userTaskKey, variables: { verdict: 'yes' } });
    expect(await stateOf()).toBe('COMPLETING');
    const v1 = await h.api(`/tasks/${userTaskKey}`);
    expect(await v1.json()).toMatchObject({ state: 'COMPLETING' });
    const completing = await activateOne('check-completion');
    expect(completing).toMatchObject({ kind: 'TASK_LISTENER', listenerEventType: 'COMPLETING' });
    await camunda.completeJob({ jobKey: completing.jobKey });
    await camunda.completeJob({ jobKey: (await activateOne('audit-x')).jobKey });
    await until(
      async () => (await camunda.getProcessInstance({ processInstanceKey }, NOW)).state,
      (s) => s === 'COMPLETED',
      'the instance to complete',
    );
    expect(await stateOf()).toBe('COMPLETED');
  });

  it('canceling task listeners: canceling the instance cancels the task, runs the listener, and only then terminates the instance', async () => {
    const { processInstanceKey } = await camunda.createProcessInstance({
      processDefinitionId: 'tl-cancel-scopes' as never,
      variables: { key: 'k-e2e' },
    });
    const { items } = await until(
      () => camunda.searchUserTasks({ filter: { processInstanceKey } }, NOW),
      (r) => r.items?.length === 1,
      'the user task',
    );
    const userTaskKey = items[0].userTaskKey;
    // No assigning listener on this task: the assignment applies at once.
    await camunda.assignUserTask({ userTaskKey, assignee: 'ann' });
    await until(
      async () => (await camunda.getUserTask({ userTaskKey }, NOW)).assignee,
      (a) => a === 'ann',
      'the assignment',
    );

    await camunda.cancelProcessInstance({ processInstanceKey });
    const cancel = await activateOne('notify-cancel');
    expect(cancel).toMatchObject({
      processInstanceKey,
      elementId: 'check',
      kind: 'TASK_LISTENER',
      listenerEventType: 'CANCELING',
    });
    // The task as it was, from its row: the engine never saw the assignment.
    expect(cancel.customHeaders).toMatchObject({
      'io.camunda.zeebe:userTaskKey': userTaskKey,
      'io.camunda.zeebe:assignee': 'ann',
      'io.camunda.zeebe:action': '',
    });
    // Meanwhile the task is canceled (no more completions) and the instance still runs.
    expect((await camunda.getUserTask({ userTaskKey }, NOW)).state).toBe('CANCELED');
    expect(await failure(camunda.completeUserTask({ userTaskKey }))).toMatchObject({ status: 409 });
    expect((await camunda.getProcessInstance({ processInstanceKey }, NOW)).state).toBe('ACTIVE');
    // The cancellation is under way: a second one (or a suspension) is refused.
    expect(await failure(camunda.cancelProcessInstance({ processInstanceKey }))).toMatchObject({ status: 409 });
    expect((await h.json('POST', `/instances/${processInstanceKey}/suspend`)).status).toBe(409);

    // A canceling listener cannot deny (Camunda 8.8 rejects it): 400 naming the event.
    const denied = await failure(
      camunda.completeJob({ jobKey: cancel.jobKey, result: { type: 'userTask', denied: true } }),
    );
    expect(denied).toMatchObject({ status: 400 });
    expect(JSON.stringify(denied)).toContain("a 'CANCELING' task listener cannot deny");
    expect((await camunda.getProcessInstance({ processInstanceKey }, NOW)).state).toBe('ACTIVE');

    await camunda.completeJob({ jobKey: cancel.jobKey });
    await until(
      async () => (await camunda.getProcessInstance({ processInstanceKey }, NOW)).state,
      (s) => s === 'TERMINATED',
      'the instance to be terminated',
    );
    const jobs = await camunda.searchJobs({ filter: { processInstanceKey } }, NOW);
    expect((jobs.items ?? []).map((j) => [j.type, j.kind, j.listenerEventType, j.state]).sort()).toEqual([
      ['notify-cancel', 'TASK_LISTENER', 'CANCELING', 'COMPLETED'],
      ['work', 'BPMN_ELEMENT', 'UNSPECIFIED', 'CANCELED'],
    ]);
  });
});

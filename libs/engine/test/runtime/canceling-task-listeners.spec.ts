import { checkModification, migrateInstance, type EngineEvent } from '../../src';
import { Driver } from '../support/driver';

/**
 * `canceling` task listeners (Camunda 8.8): when a user task whose task
 * exists is terminated, its task is canceled and the element stays
 * terminating (Zeebe's ELEMENT_TERMINATING, the task CANCELING) until each
 * listener's job completed, one at a time, in model order. Only then is the
 * element terminated and what terminated it goes on: the instance ends
 * CANCELED, the interrupting boundary event or event subprocess starts, the
 * scope of a terminate end event completes.
 */
const FILE = 'listeners/user-task-canceling.bpmn';

const jobs = (d: Driver, id: string) =>
  d.jobsOf(id).map((j) => `${j.jobType}:${j.listener ?? 'own'}`);

describe('canceling task listeners: the instance is canceled', () => {
  const start = async () => {
    const d = await Driver.load([FILE]);
    return { d, id: d.start('tl-cancel', { region: 'eu' }) };
  };

  it('run in order after the task is canceled; the instance is canceled only after the last one', async () => {
    const { d, id } = await start();
    expect(d.userTasks.size).toBe(1);
    expect(d.timers.size).toBe(2);
    d.cancel(id);

    // The task and the boundary timers are gone at once; the element is still there, terminating.
    expect(d.userTasks.size).toBe(0);
    expect(d.timers.size).toBe(0);
    expect(d.status(id)).toBe('ACTIVE');
    expect(d.tokens(id)).toEqual([
      expect.objectContaining({ elementId: 'review', state: 'WAITING' }),
    ]);
    expect(d.trail(id)).not.toContain('ELEMENT_TERMINATED review userTask');
    const first = d.jobsOf(id)[0];
    expect(jobs(d, id)).toEqual(['notify-cancel:canceling']);
    expect(first).toMatchObject({ elementId: 'review', retries: 3 });
    // The engine gives the task key and an empty action; the host adds the task's data from its row.
    expect(first.customHeaders).toEqual({
      'io.camunda.zeebe:userTaskKey': first.elementInstanceId,
      'io.camunda.zeebe:action': '',
    });
    // The job sees the element's variables: its locals and the process's.
    expect(first.variables).toMatchObject({ note: 'local', region: 'eu' });

    d.completeJobOfType(id, 'notify-cancel');
    expect(jobs(d, id)).toEqual(['cleanup-eu:canceling']);
    expect(d.jobsOf(id)[0].retries).toBe(1);
    expect(d.status(id)).toBe('ACTIVE');

    d.completeJobOfType(id, 'cleanup-eu');
    expect(d.status(id)).toBe('CANCELED');
    expect(d.tokens(id)).toEqual([]);
    expect(d.trail(id).slice(-2)).toEqual([
      'ELEMENT_TERMINATED review userTask',
      'ELEMENT_TERMINATED tl-cancel process',
    ]);
  });

  it('meanwhile a second cancel, a completion of the task and a stale trigger change nothing', async () => {
    const { d, id } = await start();
    const taskKey = [...d.userTasks.values()][0].elementInstanceId;
    d.cancel(id);
    d.cancel(id);
    d.step(id, [{ type: 'complete', elementInstanceId: taskKey, variables: { verdict: 'yes' } }]);
    d.step(id, [{ type: 'trigger', ownerInstanceId: taskKey, elementId: 'late' }]);
    expect(jobs(d, id)).toEqual(['notify-cancel:canceling']);
    expect(d.variables(id).verdict).toBeUndefined();
    expect(d.status(id)).toBe('ACTIVE');
    expect(d.completed(id)).not.toContain('timedOut');
    // The listener's completion still applies when it comes in one batch with another cancel.
    const job = d.jobsOf(id)[0];
    d.jobs.delete(job.key);
    d.step(id, [
      { type: 'cancel' },
      { type: 'complete', elementInstanceId: taskKey, listener: 'canceling' },
    ]);
    expect(jobs(d, id)).toEqual(['cleanup-eu:canceling']);
  });

  it('an assignment waiting for its listener: that job is canceled, the canceling listeners run', async () => {
    const { d, id } = await start();
    d.requestTaskTransition(id, 'review', 'assigning', 'claim', { assignee: 'ann' });
    expect(jobs(d, id)).toEqual(['check-assignee:assigning']);
    d.cancel(id);
    expect(jobs(d, id)).toEqual(['notify-cancel:canceling']);
    // The transition never happens: an assignment asked for meanwhile is refused.
    expect(d.jobsOf(id)[0].customHeaders['io.camunda.zeebe:assignee']).toBeUndefined();
    d.completeJobOfType(id, 'notify-cancel');
    d.completeJobOfType(id, 'cleanup-eu');
    expect(d.status(id)).toBe('CANCELED');
  });

  it('out of retries: TASK_LISTENER_NO_RETRIES; resolving hands the job out again, the termination goes on', async () => {
    const { d, id } = await start();
    d.cancel(id);
    d.completeJobOfType(id, 'notify-cancel');
    d.failJob(id, 'review', 'cleanup down');
    expect(d.incidentsOf(id)).toEqual([
      expect.objectContaining({
        type: 'TASK_LISTENER_NO_RETRIES',
        message: 'cleanup down',
        elementId: 'review',
      }),
    ]);
    expect(d.status(id)).toBe('ACTIVE');
    d.resolveIncident(id, 'review', 2);
    expect(d.incidentsOf(id)).toEqual([]);
    expect(d.jobsOf(id)).toEqual([expect.objectContaining({ jobType: 'cleanup-eu', retries: 2 })]);
    d.completeJobOfType(id, 'cleanup-eu');
    expect(d.status(id)).toBe('CANCELED');
  });

  it("a listener's type that fails to evaluate: EXPRESSION_ERROR; resolving runs that listener again", async () => {
    const d = await Driver.load([FILE]);
    const id = d.start('tl-cancel', {});
    d.cancel(id);
    d.completeJobOfType(id, 'notify-cancel');
    expect(d.incidentsOf(id)).toEqual([
      expect.objectContaining({ type: 'EXPRESSION_ERROR', elementId: 'review' }),
    ]);
    expect(d.jobsOf(id)).toEqual([]);
    d.setVariables(id, { region: 'us' });
    d.resolveIncident(id, 'review');
    expect(jobs(d, id)).toEqual(['cleanup-us:canceling']);
    d.completeJobOfType(id, 'cleanup-us');
    expect(d.status(id)).toBe('CANCELED');
  });

  it('a suspended instance that is canceled is resumed to run them', async () => {
    const { d, id } = await start();
    d.suspend(id);
    d.cancel(id);
    expect(d.status(id)).toBe('ACTIVE');
    d.completeJobOfType(id, 'notify-cancel');
    d.completeJobOfType(id, 'cleanup-eu');
    expect(d.status(id)).toBe('CANCELED');
  });

  it('a task still being created: the creating job is canceled; the listener sees the task as it would have been', async () => {
    const d = await Driver.load([FILE]);
    const id = d.start('tl-cancel-creating');
    expect(jobs(d, id)).toEqual(['assign-by-rule:creating']);
    d.cancel(id);
    expect(jobs(d, id)).toEqual(['notify-cancel:canceling']);
    const job = d.jobsOf(id)[0];
    expect(job.customHeaders).toEqual({
      'io.camunda.zeebe:userTaskKey': job.elementInstanceId,
      'io.camunda.zeebe:action': '',
      'io.camunda.zeebe:candidateGroups': '["clerks"]',
      'io.camunda.zeebe:priority': '50',
    });
    d.completeJobOfType(id, 'notify-cancel');
    expect(d.status(id)).toBe('CANCELED');
    expect(d.userTasks.size).toBe(0);
  });

  it('an instance waiting for them is not migrated', async () => {
    const { d, id } = await start();
    d.cancel(id);
    const inst = d.instance(id);
    expect(() =>
      migrateInstance(
        inst.process,
        inst.process,
        inst.state,
        [{ sourceElementId: 'review', targetElementId: 'review' }],
        d.env,
      ),
    ).toThrow("the element 'review' is being terminated (its canceling task listeners run)");
  });

  it('a modification that terminates the task waits for them; the process left empty is canceled after', async () => {
    const { d, id } = await start();
    const taskKey = [...d.userTasks.values()][0].elementInstanceId;
    const modify: EngineEvent = {
      type: 'modify',
      activate: [],
      terminate: [{ elementInstanceId: taskKey }],
    };
    d.step(id, [modify]);
    expect(d.status(id)).toBe('ACTIVE');
    expect(jobs(d, id)).toEqual(['notify-cancel:canceling']);
    // Meanwhile the instance is not modified further: a modification naming the element is refused whole.
    expect(
      checkModification(d.process('tl-cancel'), d.instance(id).state, {
        activate: [{ elementId: 'review' }],
        terminate: [],
      }),
    ).toEqual([
      expect.objectContaining({
        elementId: 'review',
        message: expect.stringContaining('is being terminated (its canceling task listeners run)'),
      }),
    ]);
    d.completeJobOfType(id, 'notify-cancel');
    d.completeJobOfType(id, 'cleanup-eu');
    expect(d.status(id)).toBe('CANCELED');
  });
});

describe('canceling task listeners: an interrupting event', () => {
  it('boundary event: it is activated only after the listeners ran; a non-interrupting one no longer fires', async () => {
    const d = await Driver.load([FILE]);
    const id = d.start('tl-cancel', { region: 'eu' });
    d.advance(3_600_000);
    expect(jobs(d, id)).toEqual(['notify-cancel:canceling']);
    expect(d.userTasks.size).toBe(0);
    expect(d.tokenElements(id)).toEqual(['review:WAITING']);
    d.advance(3_600_000);
    expect(d.completed(id)).not.toContain('reminded');
    d.completeJobOfType(id, 'notify-cancel');
    expect(d.completed(id)).not.toContain('timedOut');
    d.completeJobOfType(id, 'cleanup-eu');
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.completed(id)).toEqual(['start', 'late', 'timedOut', 'tl-cancel']);
    const trail = d.trail(id);
    expect(trail.indexOf('ELEMENT_TERMINATED review userTask')).toBeLessThan(
      trail.indexOf('ELEMENT_ACTIVATED late boundaryEvent'),
    );
  });

  it('a terminate end event: its scope completes once the task is terminated', async () => {
    const d = await Driver.load([FILE]);
    const id = d.start('tl-cancel-scopes', { key: 'k' });
    d.completeJob(id, 'work');
    expect(jobs(d, id)).toEqual(['notify-cancel:canceling']);
    expect(d.tokenElements(id)).toEqual(['check:WAITING']);
    expect(d.completed(id)).not.toContain('sub');
    d.completeJobOfType(id, 'notify-cancel');
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.completed(id)).toEqual([
      's-start',
      'sub-start',
      'fork',
      'work',
      'kill',
      'sub',
      's-done',
      'tl-cancel-scopes',
    ]);
  });

  it('an error caught by the boundary event of the scope around it: the scope is terminated after the listener', async () => {
    const d = await Driver.load([FILE]);
    const id = d.start('tl-cancel-scopes', { key: 'k' });
    d.throwJobError(id, 'work', 'BROKEN');
    expect(jobs(d, id)).toEqual(['notify-cancel:canceling']);
    expect(d.tokenElements(id)).toEqual(['check:WAITING']);
    d.completeJobOfType(id, 'notify-cancel');
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.completed(id)).toEqual([
      's-start',
      'sub-start',
      'fork',
      'failed',
      's-failed',
      'tl-cancel-scopes',
    ]);
    const trail = d.trail(id);
    expect(trail.indexOf('ELEMENT_TERMINATED sub subProcess')).toBeGreaterThan(
      trail.indexOf('ELEMENT_TERMINATED check userTask'),
    );
  });

  it('an interrupting event subprocess starts once everything else is terminated', async () => {
    const d = await Driver.load([FILE]);
    const id = d.start('tl-cancel-scopes', { key: 'k' });
    expect(d.publishMessage('stop', 'k')).toBe(1);
    expect(jobs(d, id)).toEqual(['notify-cancel:canceling']);
    expect(d.completed(id)).not.toContain('stopped');
    d.completeJobOfType(id, 'notify-cancel');
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.completed(id)).toEqual([
      's-start',
      'sub-start',
      'fork',
      'stop',
      'stopped',
      'on-stop',
      'tl-cancel-scopes',
    ]);
  });

  it('an interrupting event subprocess while a boundary event waits: only the event subprocess runs', async () => {
    const d = await Driver.load([FILE]);
    const id = d.start('tl-cancel-scopes', { key: 'k' });
    d.throwJobError(id, 'work', 'BROKEN');
    expect(d.publishMessage('stop', 'k')).toBe(1);
    expect(jobs(d, id)).toEqual(['notify-cancel:canceling']);
    d.completeJobOfType(id, 'notify-cancel');
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.completed(id)).toEqual([
      's-start',
      'sub-start',
      'fork',
      'stop',
      'stopped',
      'on-stop',
      'tl-cancel-scopes',
    ]);
  });

  it("a multi-instance's completion condition: the body completes once the remaining tasks are terminated", async () => {
    const d = await Driver.load([FILE]);
    const id = d.start('tl-cancel-mi', { voters: ['a', 'b', 'c'] });
    expect(d.userTasks.size).toBe(3);
    d.completeUserTask(id, 'vote');
    expect(jobs(d, id)).toEqual(['notify-cancel:canceling', 'notify-cancel:canceling']);
    expect(d.completed(id)).not.toContain('m-done');
    d.completeJobOfType(id, 'notify-cancel');
    expect(d.status(id)).toBe('ACTIVE');
    d.completeJobOfType(id, 'notify-cancel');
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.completed(id).slice(-3)).toEqual(['vote', 'm-done', 'tl-cancel-mi']);
  });

  it("an ad-hoc subprocess's completion condition: it completes once the remaining task is terminated", async () => {
    const d = await Driver.load([FILE]);
    const id = d.start('tl-cancel-adhoc');
    expect(d.userTasks.size).toBe(1);
    d.completeJob(id, 'fetch', { fetched: true });
    expect(jobs(d, id)).toEqual(['notify-cancel:canceling']);
    expect(d.userTasks.size).toBe(0);
    expect(d.completed(id)).not.toContain('tools');
    d.completeJobOfType(id, 'notify-cancel');
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.completed(id).slice(-3)).toEqual(['tools', 'a-done', 'tl-cancel-adhoc']);
  });
});

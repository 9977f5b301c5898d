import type { Effect } from '../../src';
import { Driver } from '../support/driver';

/**
 * Execution listeners as Camunda 8 runs them: each listener is a job of its
 * type that must complete before the element goes on; the listeners of one
 * event run one at a time, in model order; start listeners after the input
 * mappings and before the element's own work, end listeners after the output
 * mappings and before the element is left.
 */
const TASK = 'listeners/service-task.bpmn';
const SCOPES = 'listeners/process-and-scopes.bpmn';

const jobTypes = (d: Driver, id: string): string[] =>
  d
    .jobsOf(id)
    .map((j) => j.jobType)
    .sort();

function lastEffect<T extends Effect['type']>(d: Driver, type: T): Extract<Effect, { type: T }> {
  const found = d.effectLog.filter((e) => e.type === type);
  return found[found.length - 1] as Extract<Effect, { type: T }>;
}

describe('execution listeners on a service task', () => {
  const start = async (
    variables: Record<string, unknown> = { amount: 5, kind: 'x', attempts: 4 },
  ) => {
    const d = await Driver.load([TASK]);
    return { d, id: d.start('el-task', variables) };
  };

  it('start listeners run in order after the input mappings, then the job; the end listener after the output mappings', async () => {
    const { d, id } = await start();
    // The first start listener: the input mapping is applied, the element's own job not created yet.
    expect(d.jobsOf(id)).toEqual([
      expect.objectContaining({
        elementId: 'charge',
        jobType: 'audit',
        retries: 2,
        listener: 'start',
        customHeaders: { region: 'eu' },
      }),
    ]);
    expect(d.jobsOf(id)[0].variables).toMatchObject({ amount: 5, doubled: 10 });
    expect(d.timers.size).toBe(0);
    expect(d.trail(id)).toContain('ELEMENT_ACTIVATED charge serviceTask');

    d.completeJobOfType(id, 'audit', { auditId: 7 });
    // The second one: its type and retries are FEEL, and it sees what the first one set.
    expect(d.jobsOf(id)).toEqual([
      expect.objectContaining({ jobType: 'enrich-x', retries: 4, listener: 'start' }),
    ]);
    expect(d.jobsOf(id)[0].variables).toMatchObject({ auditId: 7 });

    d.completeJobOfType(id, 'enrich-x');
    // Now the element's own work: its job and its boundary timer.
    expect(d.jobsOf(id)).toEqual([expect.objectContaining({ jobType: 'charge' })]);
    expect(d.jobsOf(id)[0]).not.toHaveProperty('listener');
    expect(d.jobsOf(id)[0].variables).toMatchObject({ auditId: 7, doubled: 10 });
    expect(d.timers.size).toBe(1);

    d.completeJobOfType(id, 'charge', { result: 42 });
    expect(d.jobsOf(id)).toEqual([expect.objectContaining({ jobType: 'notify', listener: 'end' })]);
    expect(d.jobsOf(id)[0].variables).toMatchObject({ charged: 42 });
    expect(d.completed(id)).not.toContain('charge');
    expect(d.timers.size).toBe(1);

    d.completeJobOfType(id, 'notify', { notified: true });
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.completed(id)).toEqual(['start', 'charge', 'done', 'el-task']);
    // A start listener's variables are locals of the element; an end listener's reach the parent scope.
    expect(d.variables(id)).toEqual({
      amount: 5,
      kind: 'x',
      attempts: 4,
      charged: 42,
      notified: true,
    });
    expect(d.timers.size).toBe(0);
  });

  it('a listener job out of retries: EXECUTION_LISTENER_NO_RETRIES naming its job; resolving hands that job out again', async () => {
    const { d, id } = await start();
    d.completeJobOfType(id, 'audit');
    d.failJob(id, 'charge', 'enrichment service down');
    expect(d.incidentsOf(id)).toEqual([
      expect.objectContaining({
        elementId: 'charge',
        type: 'EXECUTION_LISTENER_NO_RETRIES',
        message: 'enrichment service down',
      }),
    ]);
    const listenerKey = d.jobsOf(id)[0].key;
    expect(lastEffect(d, 'raiseIncident').jobKey).toBe(listenerKey);

    d.resolveIncident(id, 'charge', 3);
    expect(lastEffect(d, 'retryJob')).toMatchObject({ key: listenerKey, retries: 3 });
    expect(d.incidentsOf(id)).toEqual([]);
    // Only the failed listener runs again: the audit listener is not repeated.
    expect(jobTypes(d, id)).toEqual(['enrich-x']);
    d.completeJobOfType(id, 'enrich-x');
    expect(jobTypes(d, id)).toEqual(['charge']);
  });

  it("a listener's job type that fails to evaluate: EXPRESSION_ERROR; resolving runs the event's listeners again", async () => {
    const { d, id } = await start({ amount: 5, attempts: 1 });
    d.completeJobOfType(id, 'audit');
    expect(d.jobsOf(id)).toEqual([]);
    expect(d.incidentsOf(id)).toEqual([
      expect.objectContaining({ elementId: 'charge', type: 'EXPRESSION_ERROR' }),
    ]);
    d.setVariables(id, { kind: 'y' });
    d.resolveIncident(id, 'charge');
    expect(jobTypes(d, id)).toEqual(['audit']);
    d.completeJobOfType(id, 'audit');
    d.completeJobOfType(id, 'enrich-y');
    expect(jobTypes(d, id)).toEqual(['charge']);
  });

  it('retries that are not a whole number: EXPRESSION_ERROR naming the listener', async () => {
    const { d, id } = await start({ amount: 5, kind: 'x', attempts: 'many' });
    d.completeJobOfType(id, 'audit');
    expect(d.incidentsOf(id)).toEqual([
      expect.objectContaining({
        type: 'EXPRESSION_ERROR',
        message: expect.stringMatching(
          /retries of the start execution listener #2 of 'charge'.*"many"/,
        ),
      }),
    ]);
  });

  it('a BPMN error from a listener job changes nothing (Camunda 8 rejects it)', async () => {
    const { d, id } = await start();
    const before = JSON.stringify(d.instance(id).state);
    d.throwJobError(id, 'charge', 'boom');
    expect(JSON.stringify(d.instance(id).state)).toBe(before);
    expect(d.incidentsOf(id)).toEqual([]);
  });

  it('canceling while a start listener runs cancels its job and nothing the element had not opened', async () => {
    const { d, id } = await start();
    const listenerKey = d.jobsOf(id)[0].key;
    d.cancel(id);
    expect(d.status(id)).toBe('CANCELED');
    const cancels = d.effectLog.filter((e) => e.type === 'cancelJob' || e.type === 'cancelTimer');
    expect(cancels).toEqual([expect.objectContaining({ type: 'cancelJob', key: listenerKey })]);
    expect(d.jobsOf(id)).toEqual([]);
  });

  it('a boundary event during an end listener terminates the element and cancels the listener job', async () => {
    const { d, id } = await start();
    d.completeJobOfType(id, 'audit');
    d.completeJobOfType(id, 'enrich-x');
    d.completeJobOfType(id, 'charge', { result: 1 });
    expect(jobTypes(d, id)).toEqual(['notify']);
    d.advance(3_600_000);
    expect(d.jobsOf(id)).toEqual([]);
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.completed(id)).toEqual(['start', 'slow', 'timedOut', 'el-task']);
  });

  it('a completion for a listener event the element does not wait for is stale and ignored', async () => {
    const { d, id } = await start();
    const job = d.jobsOf(id)[0];
    d.step(id, [{ type: 'complete', elementInstanceId: job.elementInstanceId, listener: 'end' }]);
    d.step(id, [{ type: 'complete', elementInstanceId: job.elementInstanceId }]);
    expect(d.jobsOf(id)).toEqual([job]);
  });
});

describe('execution listeners on the process, events, subprocesses and gateways', () => {
  it('run in lifecycle order and steer what follows', async () => {
    const d = await Driver.load([SCOPES]);
    const id = d.start('el-scopes', { path: 'low' });
    // The process's start listener runs before the start event is entered.
    expect(jobTypes(d, id)).toEqual(['p-start']);
    expect(d.trail(id)).toEqual([]);
    d.completeJobOfType(id, 'p-start', { fromStart: 1 });
    expect(d.trail(id)).toEqual([
      'ELEMENT_ACTIVATED el-scopes process',
      'ELEMENT_ACTIVATED start startEvent',
    ]);
    expect(jobTypes(d, id)).toEqual(['s-end']);
    d.completeJobOfType(id, 's-end');
    expect(jobTypes(d, id)).toEqual(['sub-start']);
    expect(d.tokenElements(id)).toEqual(['sub:WAITING']);
    d.completeJobOfType(id, 'sub-start', { subLocal: true });
    // The subprocess ran its content; its end listener runs after its last token ended.
    expect(jobTypes(d, id)).toEqual(['sub-end']);
    expect(d.completed(id)).toEqual(['start', 'subStart', 'inner', 'subEnd']);
    d.completeJobOfType(id, 'sub-end', { fromSub: 2 });
    // A start listener sets the variable the catch event's timer reads.
    expect(jobTypes(d, id)).toEqual(['set-delay']);
    expect(d.timers.size).toBe(0);
    d.completeJobOfType(id, 'set-delay', { delay: 'PT5M' });
    expect([...d.timers.values()]).toEqual([
      expect.objectContaining({ elementId: 'wait', dueAt: d.now + 300_000 }),
    ]);
    d.advance(300_000);
    // The gateway's start listener decides the path.
    expect(jobTypes(d, id)).toEqual(['route']);
    d.completeJobOfType(id, 'route', { path: 'high' });
    expect(jobTypes(d, id)).toEqual(['p-end']);
    expect(d.status(id)).toBe('ACTIVE');
    d.completeJobOfType(id, 'p-end', { fromEnd: 3 });
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.completed(id).slice(-3)).toEqual(['gw', 'high', 'el-scopes']);
    // The gateway's listener set `path` as a local of the gateway: the process keeps its own.
    expect(d.variables(id)).toEqual({ path: 'low', fromStart: 1, fromSub: 2, fromEnd: 3 });
  });

  it("canceling while the process's start listener runs cancels its job", async () => {
    const d = await Driver.load([SCOPES]);
    const id = d.start('el-scopes');
    const key = d.jobsOf(id)[0].key;
    d.cancel(id);
    expect(d.status(id)).toBe('CANCELED');
    expect(d.effectLog).toContainEqual(expect.objectContaining({ type: 'cancelJob', key }));
  });

  it("the process's end listener out of retries: an incident on the process; resolving completes it", async () => {
    const d = await Driver.load([SCOPES]);
    const id = d.start('el-scopes', { path: 'low' });
    for (const type of ['p-start', 's-end', 'sub-start', 'sub-end']) d.completeJobOfType(id, type);
    d.completeJobOfType(id, 'set-delay', { delay: 'PT1M' });
    d.advance(60_000);
    d.completeJobOfType(id, 'route');
    d.failJob(id, 'el-scopes', 'no');
    expect(d.incidentsOf(id)).toEqual([
      expect.objectContaining({ elementId: 'el-scopes', type: 'EXECUTION_LISTENER_NO_RETRIES' }),
    ]);
    d.resolveIncident(id, 'el-scopes');
    d.completeJobOfType(id, 'p-end');
    expect(d.status(id)).toBe('COMPLETED');
  });
});

describe('execution listeners around a user task and a call activity', () => {
  it("a start listener's variable sets the assignee; the task and the child start only after the start listeners", async () => {
    const d = await Driver.load(['listeners/user-task-and-call.bpmn']);
    const id = d.start('el-user');
    expect(jobTypes(d, id)).toEqual(['prepare']);
    expect(d.userTasks.size).toBe(0);
    d.completeJobOfType(id, 'prepare', { reviewer: 'ann' });
    expect([...d.userTasks.values()]).toEqual([
      expect.objectContaining({ elementId: 'review', assignee: 'ann' }),
    ]);
    d.completeUserTask(id, 'review', { approved: true });
    expect(jobTypes(d, id)).toEqual(['archive']);
    d.completeJobOfType(id, 'archive');
    expect(jobTypes(d, id)).toEqual(['before-call']);
    expect(d.instances.size).toBe(1);
    d.completeJobOfType(id, 'before-call');
    // The child ran to its end; the call activity's end listener runs before it is left.
    expect(d.instances.size).toBe(2);
    expect(jobTypes(d, id)).toEqual(['after-call']);
    d.completeJobOfType(id, 'after-call');
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.variables(id)).toEqual({ approved: true });
  });

  it('the host setting aside an element that waits for an end listener retries the completion: the end listeners run again', async () => {
    const d = await Driver.load(['listeners/user-task-and-call.bpmn']);
    const id = d.start('el-user');
    d.completeJobOfType(id, 'prepare', { reviewer: 'ann' });
    d.completeUserTask(id, 'review');
    const job = d.jobsOf(id)[0];
    d.step(id, [
      {
        type: 'incident',
        elementInstanceId: job.elementInstanceId,
        incidentType: 'STEP_FAILED',
        message: 'x',
      },
    ]);
    d.resolveIncident(id, 'review');
    expect(jobTypes(d, id)).toEqual(['archive']);
    d.completeJobOfType(id, 'archive');
    expect(jobTypes(d, id)).toEqual(['before-call']);
  });
});

describe('execution listeners on a multi-instance activity run on every inner instance', () => {
  it.each([
    ['listeners/mi-sequential.bpmn', 'el-multi-sequential'],
    ['listeners/mi-parallel.bpmn', 'el-multi-parallel'],
  ])('%s', async (path, processId) => {
    const d = await Driver.load([path]);
    const id = d.start(processId, { items: ['a', 'b'] });
    const seen: string[] = [];
    for (let round = 0; round < 20 && d.status(id) === 'ACTIVE'; round++) {
      const job = d.jobsOf(id)[0];
      seen.push(`${job.jobType}:${String(job.variables.item)}`);
      d.completeJobOfType(
        id,
        job.jobType,
        job.jobType === 'work' ? { seen: job.variables.item } : {},
      );
    }
    expect(d.status(id)).toBe('COMPLETED');
    expect(seen.filter((s) => s.startsWith('per-item')).sort()).toEqual([
      'per-item:a',
      'per-item:b',
    ]);
    expect(seen.filter((s) => s.startsWith('after-item')).sort()).toEqual([
      'after-item:a',
      'after-item:b',
    ]);
    expect(d.variables(id).results).toEqual(['a', 'b']);
    if (processId === 'el-multi-sequential') {
      expect(seen).toEqual([
        'per-item:a',
        'work:a',
        'after-item:a',
        'per-item:b',
        'work:b',
        'after-item:b',
      ]);
    }
  });
});

/**
 * User task listeners of the `creating` event (Camunda 8.8): jobs that run
 * before the task is created, each seeing the task in its headers and able to
 * correct it; the element is activated meanwhile.
 */
describe('creating task listeners on a Camunda user task', () => {
  const TL = 'listeners/user-task-listeners.bpmn';
  const start = async () => {
    const d = await Driver.load([TL]);
    return { d, id: d.start('tl-creating', { region: 'eu' }) };
  };

  it('run in order before the task exists; their corrections make the task', async () => {
    const { d, id } = await start();
    expect(d.userTasks.size).toBe(0);
    expect(d.timers.size).toBe(1);
    const first = d.jobsOf(id)[0];
    expect(first).toMatchObject({ jobType: 'assign-by-rule', listener: 'creating', retries: 3 });
    expect(first.customHeaders).toEqual({
      'io.camunda.zeebe:userTaskKey': first.elementInstanceId,
      'io.camunda.zeebe:action': '',
      'io.camunda.zeebe:candidateGroups': '["clerks"]',
      'io.camunda.zeebe:dueDate': '2026-03-01T09:00:00Z',
      'io.camunda.zeebe:priority': '50',
    });
    d.completeJobOfType(id, 'assign-by-rule', undefined, {
      assignee: 'ann',
      candidateUsers: ['bob'],
      priority: 80,
      dueDate: null,
    });
    const second = d.jobsOf(id)[0];
    expect(second).toMatchObject({ jobType: 'audit-eu', retries: 1 });
    // The next listener sees the corrections so far.
    expect(second.customHeaders).toMatchObject({
      'io.camunda.zeebe:assignee': 'ann',
      'io.camunda.zeebe:candidateUsers': '["bob"]',
      'io.camunda.zeebe:priority': '80',
    });
    d.completeJobOfType(id, 'audit-eu', undefined, { candidateGroups: [], dueDate: '' });
    expect([...d.userTasks.values()]).toEqual([
      expect.objectContaining({
        elementId: 'approve',
        assignee: 'ann',
        candidateGroups: [],
        candidateUsers: ['bob'],
        dueDate: null,
        priority: 80,
      }),
    ]);
    d.completeUserTask(id, 'approve');
    expect(d.status(id)).toBe('COMPLETED');
  });

  it('out of retries: TASK_LISTENER_NO_RETRIES; resolving hands the job out again, the earlier listener is not repeated', async () => {
    const { d, id } = await start();
    d.completeJobOfType(id, 'assign-by-rule', undefined, { assignee: 'ann' });
    d.failJob(id, 'approve', 'audit down');
    expect(d.incidentsOf(id)).toEqual([
      expect.objectContaining({ type: 'TASK_LISTENER_NO_RETRIES', message: 'audit down' }),
    ]);
    d.resolveIncident(id, 'approve');
    expect(jobTypes(d, id)).toEqual(['audit-eu']);
    d.completeJobOfType(id, 'audit-eu');
    expect([...d.userTasks.values()]).toEqual([expect.objectContaining({ assignee: 'ann' })]);
  });

  it('a boundary event while a creating listener runs cancels its job; no task is ever created', async () => {
    const { d, id } = await start();
    d.advance(3_600_000);
    expect(d.jobsOf(id)).toEqual([]);
    expect(d.userTasks.size).toBe(0);
    expect(d.completed(id)).toEqual(['start', 'slow', 'timedOut', 'tl-creating']);
  });
});

/**
 * User task listeners of the `assigning` and `completing` events (Camunda
 * 8.8): a transition a client asked for waits for them; each may correct the
 * task or deny the transition (the task goes back as it was, a completion's
 * variables are dropped); it takes effect after the last one.
 */
describe('assigning and completing task listeners on a Camunda user task', () => {
  const TL = 'listeners/user-task-transitions.bpmn';
  const start = async () => {
    const d = await Driver.load([TL]);
    return { d, id: d.start('tl-transitions', { region: 'eu', audit: 'audit-x' }) };
  };
  const task = (d: Driver) => [...d.userTasks.values()][0];

  it('an assignment waits for its listeners in order; corrections apply; then the task is assigned', async () => {
    const { d, id } = await start();
    expect(d.jobsOf(id)).toEqual([]);
    d.requestTaskTransition(id, 'review', 'assigning', 'claim', { assignee: 'ann' });
    expect(task(d)).toMatchObject({ state: 'ASSIGNING', assignee: null });
    const first = d.jobsOf(id)[0];
    expect(first).toMatchObject({ jobType: 'check-assignee', listener: 'assigning', retries: 3 });
    expect(first.customHeaders).toEqual({
      'io.camunda.zeebe:userTaskKey': first.elementInstanceId,
      'io.camunda.zeebe:action': 'claim',
      'io.camunda.zeebe:assignee': 'ann',
      'io.camunda.zeebe:candidateGroups': '["clerks"]',
      'io.camunda.zeebe:priority': '50',
    });
    d.completeJobOfType(id, 'check-assignee', undefined, { priority: 70 });
    const second = d.jobsOf(id)[0];
    expect(second).toMatchObject({ jobType: 'notify-eu', retries: 1 });
    expect(second.customHeaders).toMatchObject({
      'io.camunda.zeebe:assignee': 'ann',
      'io.camunda.zeebe:priority': '70',
    });
    expect(second.key).not.toBe(first.key);
    d.completeJobOfType(id, 'notify-eu');
    expect(task(d)).toMatchObject({ state: 'CREATED', assignee: 'ann', priority: 70 });
    expect(lastEffect(d, 'endUserTaskTransition')).toMatchObject({
      event: 'assigning',
      denied: false,
    });
    expect(d.tokens(id)).toEqual([
      expect.objectContaining({ elementId: 'review', state: 'WAITING' }),
    ]);

    // A second assignment runs the listeners again, as new jobs; a denial leaves the task as it was.
    d.requestTaskTransition(id, 'review', 'assigning', 'assign', { assignee: 'bob' });
    const again = d.jobsOf(id)[0];
    expect(again).toMatchObject({ jobType: 'check-assignee' });
    expect(again.key).not.toBe(first.key);
    d.completeJobOfType(id, 'check-assignee', undefined, undefined, {
      denied: true,
      deniedReason: 'bob is away',
    });
    expect(d.jobsOf(id)).toEqual([]);
    expect(task(d)).toMatchObject({ state: 'CREATED', assignee: 'ann' });
    expect(lastEffect(d, 'endUserTaskTransition')).toMatchObject({
      denied: true,
      deniedReason: 'bob is away',
    });
  });

  it('a completion waits for its listeners; denied, its variables are dropped; let through, the instance moves on', async () => {
    const { d, id } = await start();
    d.requestTaskTransition(id, 'review', 'completing', 'complete', {}, { verdict: 'no' });
    expect(task(d)).toMatchObject({ state: 'COMPLETING' });
    expect(d.jobsOf(id)[0]).toMatchObject({ jobType: 'check-completion', listener: 'completing' });
    expect(d.jobsOf(id)[0].customHeaders['io.camunda.zeebe:action']).toBe('complete');
    d.completeJobOfType(id, 'check-completion', undefined, undefined, {
      denied: true,
      deniedReason: 'incomplete',
    });
    expect(task(d)).toMatchObject({ state: 'CREATED' });
    expect(d.variables(id).verdict).toBeUndefined();
    expect(d.status(id)).toBe('ACTIVE');

    d.requestTaskTransition(id, 'review', 'completing', 'complete', {}, { verdict: 'yes' });
    d.completeJobOfType(id, 'check-completion');
    expect(d.status(id)).toBe('ACTIVE');
    expect(d.jobsOf(id)[0]).toMatchObject({ jobType: 'audit-x' });
    d.completeJobOfType(id, 'audit-x', undefined, { assignee: 'carl' });
    expect(lastEffect(d, 'endUserTaskTransition')).toMatchObject({
      event: 'completing',
      denied: false,
      task: expect.objectContaining({ assignee: 'carl' }),
    });
    expect(d.userTasks.size).toBe(0);
    expect(d.variables(id).verdict).toBe('yes');
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.completed(id)).toEqual(['start', 'review', 'done', 'tl-transitions']);
  });

  it('an update waits for its listener, which sees the changed attributes; applied or denied', async () => {
    const { d, id } = await start();
    d.requestTaskTransition(
      id,
      'review',
      'updating',
      'escalate',
      { priority: 90, candidateGroups: [] },
      undefined,
      ['candidateGroups', 'priority'],
    );
    expect(task(d)).toMatchObject({ state: 'UPDATING', priority: 50 });
    const check = d.jobsOf(id)[0];
    expect(check).toMatchObject({ jobType: 'check-update', listener: 'updating' });
    expect(check.customHeaders).toEqual({
      'io.camunda.zeebe:userTaskKey': check.elementInstanceId,
      'io.camunda.zeebe:action': 'escalate',
      'io.camunda.zeebe:changedAttributes': '["candidateGroups","priority"]',
      'io.camunda.zeebe:priority': '90',
    });
    d.completeJobOfType(id, 'check-update', undefined, { dueDate: '2026-04-01T00:00:00Z' });
    expect(task(d)).toMatchObject({
      state: 'CREATED',
      priority: 90,
      candidateGroups: [],
      dueDate: '2026-04-01T00:00:00Z',
    });

    d.requestTaskTransition(id, 'review', 'updating', 'update', { priority: 10 }, undefined, [
      'priority',
    ]);
    d.completeJobOfType(id, 'check-update', undefined, undefined, { denied: true });
    expect(task(d)).toMatchObject({ state: 'CREATED', priority: 90 });
  });

  it('a transition asked for while another runs is refused at once; the running one goes on', async () => {
    const { d, id } = await start();
    d.requestTaskTransition(id, 'review', 'assigning', 'assign', { assignee: 'ann' });
    d.requestTaskTransition(id, 'review', 'completing', 'complete', {}, { verdict: 'yes' });
    expect(lastEffect(d, 'endUserTaskTransition')).toMatchObject({
      event: 'completing',
      denied: true,
    });
    expect(jobTypes(d, id)).toEqual(['check-assignee']);
    expect(d.variables(id).verdict).toBeUndefined();
  });

  it('out of retries: TASK_LISTENER_NO_RETRIES; resolving hands that job out again', async () => {
    const { d, id } = await start();
    d.requestTaskTransition(id, 'review', 'assigning', 'assign', { assignee: 'ann' });
    d.completeJobOfType(id, 'check-assignee');
    d.failJob(id, 'review', 'mail down');
    expect(d.incidentsOf(id)).toEqual([
      expect.objectContaining({ type: 'TASK_LISTENER_NO_RETRIES', message: 'mail down' }),
    ]);
    d.resolveIncident(id, 'review');
    expect(jobTypes(d, id)).toEqual(['notify-eu']);
    d.completeJobOfType(id, 'notify-eu');
    expect(task(d)).toMatchObject({ state: 'CREATED', assignee: 'ann' });
  });

  it("a listener's type that fails to evaluate: EXPRESSION_ERROR; resolving runs that listener again", async () => {
    const d = await Driver.load([TL]);
    const id = d.start('tl-transitions', { region: 'eu' });
    d.requestTaskTransition(id, 'review', 'completing', 'complete');
    d.completeJobOfType(id, 'check-completion');
    expect(d.incidentsOf(id)).toEqual([expect.objectContaining({ type: 'EXPRESSION_ERROR' })]);
    expect(task(d)).toMatchObject({ state: 'COMPLETING' });
    d.setVariables(id, { audit: 'audit-y' });
    d.resolveIncident(id, 'review');
    expect(jobTypes(d, id)).toEqual(['audit-y']);
    d.completeJobOfType(id, 'audit-y');
    expect(d.status(id)).toBe('COMPLETED');
  });

  it('a boundary event while a completing listener runs cancels its job and the task; the completion never happens', async () => {
    const { d, id } = await start();
    d.requestTaskTransition(id, 'review', 'completing', 'complete', {}, { verdict: 'yes' });
    d.advance(3_600_000);
    expect(d.jobsOf(id)).toEqual([]);
    expect(d.userTasks.size).toBe(0);
    expect(d.variables(id).verdict).toBeUndefined();
    expect(d.completed(id)).toEqual(['start', 'late', 'timedOut', 'tl-transitions']);
  });
});

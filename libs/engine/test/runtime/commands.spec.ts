import { createInstance, execute, hasReadyWork, type ElementInstance } from '../../src';
import { checkTransition, lifecycleOf, TRANSITIONS } from '../../src/runtime/lifecycle';
import { Driver } from '../support/driver';

/**
 * Commands — cancel, suspend, resume, set variables, resolve incident — are
 * engine events like any other; these are the rules that make them mean it.
 */
describe('commands', () => {
  it('cancel overtakes the events before it: a completion in the same inbox is not applied', async () => {
    const d = await Driver.load(['tasks/service-task.bpmn']);
    const id = d.start('service-task');
    const [job] = d.jobsOf(id, 'charge');
    d.step(id, [{ type: 'complete', elementInstanceId: job.elementInstanceId }, { type: 'cancel' }]);
    expect(d.status(id)).toBe('CANCELED');
    expect(d.completed(id)).toEqual(['start']);
    expect(d.trail(id).slice(-2)).toEqual(['ELEMENT_TERMINATED charge serviceTask', 'ELEMENT_TERMINATED service-task process']);
    expect(d.jobsOf(id)).toEqual([]);
  });

  it('cancel runs no READY work: a new instance is canceled before its start event is entered', async () => {
    const d = await Driver.load(['tasks/script-task.bpmn']);
    const process = d.process('script-task');
    const { state } = createInstance(process, { instanceId: 'x', variables: { a: 1 } }, d.env);
    const result = execute(process, state, [{ type: 'cancel' }], d.env);
    expect(result.state.status).toBe('CANCELED');
    const activated = result.effects.filter((e) => e.type === 'history' && e.historyType === 'ELEMENT_ACTIVATED');
    expect(activated).toEqual([]);
    expect(result.effects.at(-1)).toEqual({ type: 'instanceEnded', status: 'CANCELED', variables: { a: 1 } });
  });

  it('with run: false applies commands and runs nothing', async () => {
    const d = await Driver.load(['tasks/script-task.bpmn']);
    const process = d.process('script-task');
    const { state } = createInstance(process, { instanceId: 'x' }, d.env);
    const result = execute(process, state, [{ type: 'setVariables', variables: { a: 2 } }], d.env, { run: false });
    expect(result.effects).toEqual([]);
    expect(result.state.elements[result.state.rootId].variables).toEqual({ a: 2 });
    expect(hasReadyWork(result.state)).toBe(true);
  });

  it('a suspended instance applies commands and defers everything else until it is resumed', async () => {
    const d = await Driver.load(['tasks/service-task.bpmn']);
    const id = d.start('service-task');
    const [job] = d.jobsOf(id, 'charge');
    d.suspend(id);
    expect(d.status(id)).toBe('SUSPENDED');
    expect(d.effectLog.at(-1)).toEqual({ type: 'instanceSuspended' });

    d.step(id, [{ type: 'complete', elementInstanceId: job.elementInstanceId, variables: { paid: true } }]);
    expect(d.inbox.get(id)).toHaveLength(1);
    expect(d.completed(id)).toEqual(['start']);
    d.setVariables(id, { note: 'while suspended' });
    expect(d.variables(id)).toEqual({ note: 'while suspended' });

    d.resume(id);
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.inbox.has(id)).toBe(false);
    expect(d.completed(id)).toEqual(['start', 'charge', 'end', 'service-task']);
    expect(d.variables(id)).toEqual({ note: 'while suspended', paid: true });
  });

  it('a suspended instance keeps READY work READY; resume runs it', async () => {
    const d = await Driver.load(['tasks/script-task.bpmn']);
    const process = d.process('script-task');
    const { state } = createInstance(process, { instanceId: 'x' }, d.env);
    const suspended = execute(process, state, [{ type: 'suspend' }], d.env, { run: false });
    expect(suspended.state.status).toBe('SUSPENDED');
    expect(execute(process, suspended.state, [], d.env).effects).toEqual([]);
    const resumed = execute(process, suspended.state, [{ type: 'resume' }], d.env);
    expect(resumed.state.status).toBe('COMPLETED');
  });

  it('a job out of retries is an incident of the engine; resolving hands the job out again', async () => {
    const d = await Driver.load(['tasks/service-task.bpmn']);
    const id = d.start('service-task');
    d.failJob(id, 'charge', 'card declined');
    expect(d.incidentsOf(id)).toEqual([
      expect.objectContaining({ elementId: 'charge', type: 'JOB_NO_RETRIES', message: 'card declined' }),
    ]);
    expect(d.trail(id, ['INCIDENT_CREATED'])).toEqual(['INCIDENT_CREATED charge serviceTask']);
    expect(d.tokenElements(id)).toEqual(['charge:WAITING']);

    d.resolveIncident(id, 'charge', 3);
    expect(d.incidentsOf(id)).toEqual([]);
    expect(d.effectLog.filter((e) => e.type === 'retryJob')).toEqual([
      expect.objectContaining({ type: 'retryJob', retries: 3 }),
    ]);
    expect(d.jobsOf(id, 'charge')[0].retries).toBe(3);
    // The element did not run again: no second job, no second activation.
    expect(d.effectLog.filter((e) => e.type === 'createJob')).toHaveLength(1);
    d.completeJob(id, 'charge');
    expect(d.status(id)).toBe('COMPLETED');
  });

  it('a job failure for an element that no longer waits for it changes nothing', async () => {
    const d = await Driver.load(['tasks/service-task.bpmn']);
    const id = d.start('service-task');
    const [job] = d.jobsOf(id, 'charge');
    d.completeJob(id, 'charge');
    d.step(id, [{ type: 'jobFailed', elementInstanceId: job.elementInstanceId, errorMessage: 'late' }]);
    expect(d.incidentsOf(id)).toEqual([]);
    expect(d.status(id)).toBe('COMPLETED');
  });
});

describe('element lifecycle', () => {
  const inst = (fields: Partial<ElementInstance>): ElementInstance =>
    ({ id: 'e1', elementId: 'a', elementType: 'task', parentId: 'p', state: 'READY', ...fields }) as ElementInstance;

  it('derives the lifecycle state from the stored fields', () => {
    expect(lifecycleOf(inst({ pending: 'activate' }))).toBe('ACTIVATING');
    expect(lifecycleOf(inst({ state: 'WAITING', entered: true }))).toBe('ACTIVATED');
    expect(lifecycleOf(inst({ pending: 'complete' }))).toBe('COMPLETING');
    expect(lifecycleOf(inst({ state: 'WAITING', incident: { type: 'EXPRESSION_ERROR', message: '', phase: 'complete' } }))).toBe(
      'COMPLETING',
    );
  });

  it('allows only the transitions of the table', () => {
    expect(() => checkTransition(inst({ state: 'WAITING', entered: true }), 'ACTIVATING')).toThrow(/cannot go from ACTIVATED to ACTIVATING/);
    expect(() => checkTransition(inst({ pending: 'complete' }), 'ACTIVATED')).toThrow(/COMPLETING to ACTIVATED/);
    expect(() => checkTransition(inst({ state: 'WAITING', entered: true }), 'COMPLETING')).not.toThrow();
    expect(TRANSITIONS.COMPLETED).toEqual([]);
    expect(TRANSITIONS.TERMINATED).toEqual([]);
  });
});

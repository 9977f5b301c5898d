import { Driver } from '../support/driver';

describe('tasks', () => {
  it('service task: creates a job with type, retries and the visible variables, and waits for it', async () => {
    const d = await Driver.load(['tasks/service-task.bpmn']);
    const id = d.start('service-task', { amount: 5 });
    const [job] = d.jobsOf(id);
    expect(job).toMatchObject({ elementId: 'charge', jobType: 'charge-card', retries: 5, variables: { amount: 5 } });
    expect(d.tokens(id)).toEqual([{ id: job.elementInstanceId, elementId: 'charge', state: 'WAITING' }]);
    d.completeJob(id, 'charge', { receipt: 'r-1' });
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.variables(id)).toEqual({ amount: 5, receipt: 'r-1' });
  });

  it('a completion for a job that is no longer waiting changes nothing', async () => {
    const d = await Driver.load(['tasks/service-task.bpmn']);
    const id = d.start('service-task');
    const [job] = d.jobsOf(id);
    d.completeJob(id, 'charge');
    const before = JSON.stringify(d.instance(id).state);
    d.step(id, [{ type: 'complete', elementInstanceId: job.elementInstanceId, variables: { late: true } }]);
    expect(JSON.stringify(d.instance(id).state)).toBe(before);
  });

  it('script task: evaluates FEEL into the result variable', async () => {
    const d = await Driver.load(['tasks/script-task.bpmn']);
    const id = d.start('script-task', { a: 2, b: 40 });
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.variables(id)).toEqual({ a: 2, b: 40, sum: 42 });
  });

  it('user task: carries assignment and form, waits, completes with variables', async () => {
    const d = await Driver.load(['tasks/user-task.bpmn']);
    const id = d.start('user-task', { owner: 'ann' });
    const [task] = [...d.userTasks.values()];
    expect(task).toMatchObject({ elementId: 'approve', assignee: 'ann' });
    expect(task.candidateGroups.length).toBeGreaterThan(0);
    d.completeUserTask(id, 'approve', { approved: true });
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.variables(id)).toMatchObject({ approved: true });
  });

  it('receive task: waits for its message, correlated by key', async () => {
    const d = await Driver.load(['tasks/receive-task.bpmn']);
    const id = d.start('receive-task', { orderId: 'A' });
    const other = d.start('receive-task', { orderId: 'B' });
    expect(d.publishMessage('order-paid', 'A', { paidAt: 'now' })).toBe(1);
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.status(other)).toBe('ACTIVE');
    expect(d.variables(id)).toMatchObject({ paidAt: 'now' });
  });

  it('io mappings: inputs become locals of the job, outputs propagate only what is mapped', async () => {
    const d = await Driver.load(['variables/io-mapping.bpmn']);
    const id = d.start('io-mapping', { orderId: 'o-9', order: { total: 30, lines: [1, 2, 3] } });
    const [job] = d.jobsOf(id);
    expect(job.variables).toMatchObject({ total: 30, currency: 'EUR', request: { id: 'o-9', lines: 3 } });
    // Locals do not leak into the process scope.
    expect(d.variables(id)).not.toHaveProperty('total');
    d.completeJob(id, 'charge', { ok: true, receipt: 'R-7', noise: 'dropped' });
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.variables(id)).toEqual({
      orderId: 'o-9',
      order: { total: 30, lines: [1, 2, 3], charged: true },
      receiptId: 'R-7',
    });
  });

  it('call activity: starts the child with the parent variables and maps its result back', async () => {
    const d = await Driver.load(['subprocess/call-activity.bpmn', 'subprocess/call-activity-child.bpmn']);
    const id = d.start('call-activity', { value: 21 });
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.variables(id)).toMatchObject({ value: 21, result: 42 });
    const child = [...d.instances.values()].find((i) => i.process.id === 'call-activity-child');
    expect(child?.state.status).toBe('COMPLETED');
  });

  it('call activity of a process that is not deployed: CALLED_ELEMENT_ERROR incident', async () => {
    const d = await Driver.load(['subprocess/call-activity.bpmn']);
    const id = d.start('call-activity', { value: 1 });
    expect(d.incidentsOf(id)).toEqual([
      expect.objectContaining({ elementId: 'call_child', type: 'CALLED_ELEMENT_ERROR' }),
    ]);
    expect(d.status(id)).toBe('ACTIVE');
  });
});

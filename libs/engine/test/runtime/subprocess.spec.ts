import { Driver } from '../support/driver';

describe('subprocesses', () => {
  it('nested embedded subprocesses complete inside out', async () => {
    const d = await Driver.load(['subprocess/nested-subprocess.bpmn']);
    const id = d.start('nested-subprocess');
    expect(d.completed(id)).toEqual([
      'start',
      'outer_start',
      'inner_start',
      'work',
      'inner_end',
      'inner',
      'outer_end',
      'outer',
      'end',
      'nested-subprocess',
    ]);
  });

  it('an interrupting event subprocess inside a subprocess ends that subprocess only', async () => {
    const d = await Driver.load(['subprocess/event-subprocess-in-subprocess.bpmn']);
    const id = d.start('event-subprocess-in-subprocess', { orderId: 'o-5' });
    expect(d.jobsOf(id, 'long_work')).toHaveLength(1);
    expect(d.publishMessage('cancel-work', 'o-5')).toBe(1);
    expect(d.jobs.size).toBe(0);
    expect(d.trail(id)).toContain('ELEMENT_TERMINATED long_work serviceTask');
    expect(d.completed(id)).toEqual(expect.arrayContaining(['cancel_start', 'cleanup', 'cancel_end', 'on_cancel', 'sub', 'end']));
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.signals.size).toBe(0);
  });

  it('a non-interrupting event subprocess runs beside the main flow', async () => {
    const d = await Driver.load(['subprocess/event-subprocess-in-subprocess.bpmn']);
    const id = d.start('event-subprocess-in-subprocess', { orderId: 'o-6' });
    expect(d.broadcastSignal('status-requested')).toBe(1);
    expect(d.completed(id)).toEqual(expect.arrayContaining(['status_start', 'report', 'on_status']));
    expect(d.tokenElements(id)).toEqual(['long_work:WAITING']);
    // still subscribed: it can fire again
    expect(d.broadcastSignal('status-requested')).toBe(1);
    d.completeJob(id, 'long_work');
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.messages.size + d.signals.size).toBe(0);
  });

  it('cancelling an instance terminates everything inside, deepest first', async () => {
    const d = await Driver.load(['subprocess/event-subprocess-in-subprocess.bpmn']);
    const id = d.start('event-subprocess-in-subprocess', { orderId: 'o-7' });
    d.cancel(id);
    expect(d.status(id)).toBe('CANCELED');
    expect(d.trail(id, ['ELEMENT_TERMINATED'])).toEqual([
      'ELEMENT_TERMINATED long_work serviceTask',
      'ELEMENT_TERMINATED sub subProcess',
      'ELEMENT_TERMINATED event-subprocess-in-subprocess process',
    ]);
    expect(d.jobs.size + d.messages.size + d.signals.size).toBe(0);
  });
});

describe('multi-instance', () => {
  it('parallel: one job per item, output collection in item order', async () => {
    const d = await Driver.load(['multi-instance/parallel.bpmn']);
    const id = d.start('multi-instance-parallel', { items: ['a', 'b', 'c'] });
    const jobs = d.jobsOf(id, 'process_item');
    expect(jobs.map((j) => j.variables.item)).toEqual(['a', 'b', 'c']);
    expect(d.trail(id)).toContain('ELEMENT_ACTIVATED process_item multiInstanceBody');
    // complete out of order
    for (const index of [2, 0, 1]) {
      d.step(id, [{ type: 'complete', elementInstanceId: jobs[index].elementInstanceId, variables: { result: `R${index}` } }]);
    }
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.variables(id).results).toEqual(['R0', 'R1', 'R2']);
    // inner input elements stay local
    expect(d.variables(id)).not.toHaveProperty('item');
  });

  it('an empty input collection completes the body at once', async () => {
    const d = await Driver.load(['multi-instance/parallel.bpmn']);
    const id = d.start('multi-instance-parallel', { items: [] });
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.variables(id).results).toEqual([]);
  });

  it('an input collection that is not a list is an EXPRESSION_ERROR incident', async () => {
    const d = await Driver.load(['multi-instance/parallel.bpmn']);
    const id = d.start('multi-instance-parallel', { items: 'nope' });
    expect(d.incidentsOf(id)).toEqual([expect.objectContaining({ elementId: 'process_item', type: 'EXPRESSION_ERROR' })]);
    d.setVariables(id, { items: [1] });
    d.resolveIncident(id, 'process_item');
    expect(d.jobsOf(id)).toHaveLength(1);
  });

  it('sequential with completion condition stops after two items', async () => {
    const d = await Driver.load(['multi-instance/sequential-completion-condition.bpmn']);
    const id = d.start('multi-instance-sequential', { items: [1, 2, 3, 4] });
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.variables(id).results).toEqual([10, 20, null, null]);
    expect(d.trail(id, ['ELEMENT_ACTIVATED']).filter((l) => l.includes('times_ten scriptTask'))).toHaveLength(2);
  });

  it('an interrupting timer boundary on the body terminates every inner instance', async () => {
    const d = await Driver.load(['multi-instance/boundary-on-body.bpmn']);
    const id = d.start('multi-instance-boundary', { items: [1, 2, 3] });
    expect(d.jobs.size).toBe(3);
    expect(d.timers.size).toBe(1);
    d.completeJob(id, 'process_item');
    d.advance(60_000);
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.jobs.size).toBe(0);
    expect(d.trail(id, ['ELEMENT_TERMINATED'])).toEqual([
      'ELEMENT_TERMINATED process_item serviceTask',
      'ELEMENT_TERMINATED process_item serviceTask',
      'ELEMENT_TERMINATED process_item multiInstanceBody',
    ]);
    expect(d.completed(id)).toContain('end_timeout');
  });
});

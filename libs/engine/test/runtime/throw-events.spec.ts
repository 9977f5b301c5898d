import { Driver } from '../support/driver';

describe('throw events', () => {
  it('message throw and end events with a task definition are jobs; without one they pass through', async () => {
    const d = await Driver.load(['events/message-throw.bpmn']);
    const id = d.start('message-throw', { publishByJob: true });
    expect(d.jobsOf(id)).toEqual([
      expect.objectContaining({ elementId: 'notify', jobType: 'notify', retries: 3 }),
    ]);
    expect(d.tokenElements(id)).toEqual(['notify:WAITING']);
    d.completeJob(id, 'notify', { notified: true });
    // `announce` has no job: it passed; the message end event waits for its job.
    expect(d.jobsOf(id)).toEqual([
      expect.objectContaining({ elementId: 'end_job', jobType: 'publish' }),
    ]);
    expect(d.tokenElements(id)).toEqual(['end_job:WAITING']);
    d.completeJob(id, 'end_job', { published: 1 });
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.variables(id)).toEqual({ publishByJob: true, notified: true, published: 1 });
    expect(d.completed(id)).toEqual([
      'start',
      'notify',
      'announce',
      'how',
      'end_job',
      'message-throw',
    ]);
  });

  it('a message end event without a task definition ends at once', async () => {
    const d = await Driver.load(['events/message-throw.bpmn']);
    const id = d.start('message-throw', { publishByJob: false });
    d.completeJob(id, 'notify');
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.completed(id)).toEqual([
      'start',
      'notify',
      'announce',
      'how',
      'end_plain',
      'message-throw',
    ]);
    expect(d.jobs.size).toBe(0);
  });

  it('cancelling while a message end event waits for its job cancels the job', async () => {
    const d = await Driver.load(['events/message-throw.bpmn']);
    const id = d.start('message-throw', { publishByJob: true });
    d.completeJob(id, 'notify');
    expect(d.jobsOf(id, 'end_job')).toHaveLength(1);
    d.cancel(id);
    expect(d.jobs.size).toBe(0);
    expect(d.trail(id, ['ELEMENT_TERMINATED'])).toEqual([
      'ELEMENT_TERMINATED end_job endEvent',
      'ELEMENT_TERMINATED message-throw process',
    ]);
  });

  it('a signal end event broadcasts the signal with the variables of its input mappings', async () => {
    const d = await Driver.load(['events/signal-end.bpmn']);
    const id = d.start('signal-end', { orderId: 'o-1', internal: 'x' });
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.thrownSignals).toEqual([
      { name: 'order-shipped', variables: { id: 'o-1', status: 'shipped' } },
    ]);
    // Input mappings are locals of the event: nothing leaks into the process scope.
    expect(d.variables(id)).toEqual({ orderId: 'o-1', internal: 'x' });
    expect(d.completed(id)).toEqual(['start', 'shipped', 'signal-end']);
  });

  it('an escalation end event is caught by an interrupting boundary on its subprocess', async () => {
    const d = await Driver.load(['events/escalation-end.bpmn']);
    const id = d.start('escalation-end', { late: true });
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.jobs.size).toBe(0);
    expect(d.incidentsOf(id)).toEqual([]);
    expect(d.trail(id, ['ELEMENT_TERMINATED'])).toEqual([
      'ELEMENT_TERMINATED pack serviceTask',
      'ELEMENT_TERMINATED raise_late endEvent',
      'ELEMENT_TERMINATED deliver subProcess',
    ]);
    expect(d.completed(id)).toEqual([
      'start',
      'deliver_start',
      'fork',
      'on_time',
      'on_late',
      'apologize',
      'end_late',
      'escalation-end',
    ]);
  });

  it('an escalation nobody catches is no incident: the thrower goes on', async () => {
    const d = await Driver.load(['events/escalation-end.bpmn']);
    const id = d.start('escalation-end', { late: false });
    expect(d.incidentsOf(id)).toEqual([]);
    expect(d.completed(id)).toEqual(expect.arrayContaining(['tell_fyi', 'track_end']));
    expect(d.tokenElements(id)).toEqual(['pack:WAITING']);
    d.completeJob(id, 'pack');
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.completed(id).slice(-4)).toEqual(['pack_end', 'deliver', 'end', 'escalation-end']);
    expect(d.completed(id)).not.toContain('on_late');
  });

  it('a specific escalation catch wins over a catch-all on the same subprocess, whatever their order', async () => {
    const d = await Driver.load(['events/escalation-catch-order.bpmn']);
    const id = d.start('escalation-catch-order', { late: true });
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.completed(id)).toEqual([
      'start',
      'work_start',
      'which',
      'on_late',
      'late_handled',
      'escalation-catch-order',
    ]);
    expect(d.trail(id, ['ELEMENT_TERMINATED'])).toEqual([
      'ELEMENT_TERMINATED raise_late intermediateThrowEvent',
      'ELEMENT_TERMINATED work subProcess',
    ]);
  });

  it('any other escalation code falls to the non-interrupting catch-all, and the thrower goes on', async () => {
    const d = await Driver.load(['events/escalation-catch-order.bpmn']);
    const id = d.start('escalation-catch-order', { late: false });
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.completed(id)).toEqual(
      expect.arrayContaining([
        'any_escalation',
        'note',
        'note_end',
        'raise_other',
        'other_end',
        'work',
        'end',
      ]),
    );
    expect(d.trail(id, ['ELEMENT_TERMINATED'])).toEqual([]);
  });
});

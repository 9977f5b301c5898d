import { Driver } from '../support/driver';

const HOUR = 60 * 60 * 1000;

describe('boundary events', () => {
  it('a non-interrupting message boundary fires on every message while the user task waits', async () => {
    const d = await Driver.load(['events/message-boundary-user-task.bpmn']);
    const id = d.start('message-boundary-user-task', { applicationId: 'a-1' });
    expect(
      [...d.messages.values()].map((m) => [m.elementId, m.name, m.correlationKey, m.interrupting]),
    ).toEqual([
      ['withdrawn', 'application-withdrawn', 'a-1', true],
      ['document', 'document-uploaded', 'a-1', false],
    ]);
    expect(d.publishMessage('document-uploaded', 'a-1', { doc: 'passport' })).toBe(1);
    expect(d.publishMessage('document-uploaded', 'a-1', { doc: 'payslip' })).toBe(1);
    expect(d.jobsOf(id, 'attach_document')).toHaveLength(2);
    expect(d.jobsOf(id, 'attach_document').map((j) => j.variables.doc)).toEqual([
      'passport',
      'payslip',
    ]);
    expect(d.tokenElements(id)).toEqual([
      'attach_document:WAITING',
      'attach_document:WAITING',
      'review:WAITING',
    ]);
    expect(d.userTasks.size).toBe(1);
    d.completeJob(id, 'attach_document');
    d.completeJob(id, 'attach_document');
    d.completeUserTask(id, 'review', { approved: true });
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.messages.size).toBe(0);
    expect(d.completed(id).filter((e) => e === 'document')).toHaveLength(2);
    expect(d.trail(id, ['ELEMENT_TERMINATED'])).toEqual([]);
  });

  it('an interrupting message boundary cancels the user task and closes the other boundary', async () => {
    const d = await Driver.load(['events/message-boundary-user-task.bpmn']);
    const id = d.start('message-boundary-user-task', { applicationId: 'a-2' });
    expect(d.publishMessage('application-withdrawn', 'a-1')).toBe(0);
    expect(d.publishMessage('application-withdrawn', 'a-2', { reason: 'moved' })).toBe(1);
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.userTasks.size).toBe(0);
    expect(d.messages.size).toBe(0);
    expect(d.trail(id)).toEqual([
      'ELEMENT_ACTIVATED message-boundary-user-task process',
      'ELEMENT_ACTIVATED start startEvent',
      'ELEMENT_COMPLETED start startEvent',
      'ELEMENT_ACTIVATED review userTask',
      'ELEMENT_TERMINATED review userTask',
      'ELEMENT_ACTIVATED withdrawn boundaryEvent',
      'ELEMENT_COMPLETED withdrawn boundaryEvent',
      'ELEMENT_ACTIVATED withdrawn_end endEvent',
      'ELEMENT_COMPLETED withdrawn_end endEvent',
      'ELEMENT_COMPLETED message-boundary-user-task process',
    ]);
    expect(d.variables(id)).toEqual({ applicationId: 'a-2', reason: 'moved' });
    expect(d.effectLog.filter((e) => e.type === 'cancelUserTask')).toHaveLength(1);
  });

  it('an interrupting timer boundary cancels the job of its service task', async () => {
    const d = await Driver.load(['events/timer-boundary-service-task.bpmn']);
    const id = d.start('timer-boundary-service-task');
    const [timer] = [...d.timers.values()];
    expect(timer).toMatchObject({ elementId: 'timeout', dueAt: d.now + 30_000 });
    d.advance(29_999);
    expect(d.jobsOf(id, 'call_api')).toHaveLength(1);
    d.advance(1);
    expect(d.jobs.size).toBe(0);
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.completed(id)).toEqual([
      'start',
      'timeout',
      'timeout_end',
      'timer-boundary-service-task',
    ]);
    expect(d.trail(id, ['ELEMENT_TERMINATED'])).toEqual([
      'ELEMENT_TERMINATED call_api serviceTask',
    ]);
  });

  it('completing the service task in time cancels its boundary timer', async () => {
    const d = await Driver.load(['events/timer-boundary-service-task.bpmn']);
    const id = d.start('timer-boundary-service-task');
    d.advance(10_000);
    d.completeJob(id, 'call_api');
    expect(d.timers.size).toBe(0);
    expect(d.completed(id)).toEqual(['start', 'call_api', 'end', 'timer-boundary-service-task']);
  });
});

describe('timer values', () => {
  it('timeDate without a zone is UTC; durations may be FEEL strings or FEEL durations', async () => {
    const d = await Driver.load(['events/timer-values.bpmn']);
    // The driver's clock starts at 2026-01-01T00:00:00Z.
    const id = d.start('timer-values', { n: 5, delay: 'PT2M', until: '2026-01-03T00:00:00+01:00' });
    expect([...d.timers.values()]).toEqual([
      expect.objectContaining({ elementId: 'at_date', dueAt: Date.UTC(2026, 0, 2, 8, 30, 0) }),
    ]);
    d.advance(Date.UTC(2026, 0, 2, 8, 30, 0) - d.now);
    expect([...d.timers.values()]).toEqual([
      expect.objectContaining({ elementId: 'wait_seconds', dueAt: d.now + 5_000 }),
    ]);
    d.advance(5_000);
    expect([...d.timers.values()]).toEqual([
      expect.objectContaining({ elementId: 'wait_delay', dueAt: d.now + 150_000 }),
    ]);
    d.advance(150_000);
    // A date with an offset: 2026-01-03T00:00+01:00 is 2026-01-02T23:00Z.
    expect([...d.timers.values()]).toEqual([
      expect.objectContaining({ elementId: 'until', dueAt: Date.UTC(2026, 0, 2, 23, 0, 0) }),
    ]);
    d.advance(Date.UTC(2026, 0, 2, 23, 0, 0) - d.now);
    expect(d.status(id)).toBe('COMPLETED');
  });

  it('a timer expression that does not yield a duration is an EXPRESSION_ERROR on the catch event', async () => {
    const d = await Driver.load(['events/timer-values.bpmn']);
    const id = d.start('timer-values', { n: 'x', delay: 'PT1S', until: '2026-01-03T00:00:00Z' });
    d.advance(2 * 24 * HOUR);
    expect(d.incidentsOf(id)).toEqual([
      expect.objectContaining({ elementId: 'wait_seconds', type: 'EXPRESSION_ERROR' }),
    ]);
    expect(d.timers.size).toBe(0);
    d.setVariables(id, { n: 1 });
    d.resolveIncident(id, 'wait_seconds');
    expect([...d.timers.values()]).toEqual([
      expect.objectContaining({ elementId: 'wait_seconds', dueAt: d.now + 1_000 }),
    ]);
  });
});

describe('timer event subprocesses', () => {
  it('a non-interrupting timer cycle fires once per cycle while its subprocess lives, and stops with it', async () => {
    const d = await Driver.load(['events/timer-cycle-event-subprocess.bpmn']);
    const id = d.start('timer-cycle-event-subprocess');
    expect([...d.timers.values()]).toEqual([
      expect.objectContaining({ elementId: 'tick', dueAt: d.now + 10_000 }),
    ]);
    d.advance(35_000);
    expect(d.completed(id).filter((e) => e === 'heartbeat')).toHaveLength(3);
    expect(
      d
        .trail(id, ['ELEMENT_ACTIVATED'])
        .filter((l) => l === 'ELEMENT_ACTIVATED heartbeat subProcess'),
    ).toHaveLength(3);
    expect(d.tokenElements(id)).toEqual(['do_work:WAITING']);
    // The next firing is scheduled from the last due time, not from "now".
    expect([...d.timers.values()]).toEqual([
      expect.objectContaining({ elementId: 'tick', dueAt: Date.UTC(2026, 0, 1, 0, 0, 40) }),
    ]);
    d.completeJob(id, 'do_work');
    expect(d.timers.size).toBe(0);
    expect(d.tokenElements(id)).toEqual(['confirm:WAITING']);
    d.advance(HOUR);
    expect(d.completed(id).filter((e) => e === 'heartbeat')).toHaveLength(3);
    d.completeUserTask(id, 'confirm');
    expect(d.status(id)).toBe('COMPLETED');
  });

  it('an interrupting timer event subprocess at process level ends every token and runs instead', async () => {
    const d = await Driver.load(['events/timer-event-subprocess-interrupting.bpmn']);
    const id = d.start('timer-event-subprocess-interrupting');
    d.completeJob(id, 'collect');
    // collect's token waits at the join; approve waits for a person.
    expect(d.tokenElements(id)).toEqual(['approve:WAITING', 'join:WAITING']);
    d.advance(HOUR);
    expect(d.userTasks.size).toBe(0);
    expect(d.trail(id, ['ELEMENT_TERMINATED'])).toEqual(['ELEMENT_TERMINATED approve userTask']);
    expect(d.tokenElements(id)).toEqual(['notify_late:WAITING']);
    d.completeJob(id, 'notify_late');
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.completed(id).slice(-5)).toEqual([
      'deadline_start',
      'notify_late',
      'deadline_end',
      'deadline',
      'timer-event-subprocess-interrupting',
    ]);
    expect(d.completed(id)).not.toContain('join');
  });

  it('the instance that ends first cancels the event subprocess timer', async () => {
    const d = await Driver.load(['events/timer-event-subprocess-interrupting.bpmn']);
    const id = d.start('timer-event-subprocess-interrupting');
    d.completeJob(id, 'collect');
    d.completeUserTask(id, 'approve');
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.timers.size).toBe(0);
  });
});

import { Driver } from '../support/driver';

describe('BPMN errors', () => {
  it('an error event subprocess at process level catches a job error and interrupts everything', async () => {
    const d = await Driver.load(['events/error-event-subprocess.bpmn']);
    const id = d.start('error-event-subprocess');
    expect(d.tokenElements(id)).toEqual(['inner_job:WAITING', 'outer_job:WAITING']);
    d.throwJobError(id, 'outer_job', 'FATAL', { reason: 'disk full' });
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.jobs.size).toBe(0);
    expect(d.incidentsOf(id)).toEqual([]);
    expect(d.trail(id, ['ELEMENT_TERMINATED'])).toEqual([
      'ELEMENT_TERMINATED outer_job serviceTask',
      'ELEMENT_TERMINATED inner_job serviceTask',
      'ELEMENT_TERMINATED sub subProcess',
    ]);
    expect(d.completed(id).slice(-5)).toEqual([
      'fatal_start',
      'log_fatal',
      'fatal_end',
      'on_fatal',
      'error-event-subprocess',
    ]);
    expect(d.completed(id)).not.toContain('recover');
    // The error's variables land in the process scope.
    expect(d.variables(id)).toEqual({ reason: 'disk full' });
  });

  it('the nearest scope wins: the error event subprocess inside the subprocess catches, the outer one does not', async () => {
    const d = await Driver.load(['events/error-event-subprocess.bpmn']);
    const id = d.start('error-event-subprocess');
    d.throwJobError(id, 'inner_job', 'FATAL');
    expect(d.trail(id, ['ELEMENT_TERMINATED'])).toEqual([
      'ELEMENT_TERMINATED inner_job serviceTask',
    ]);
    expect(d.completed(id)).toEqual(
      expect.arrayContaining([
        'sub_fatal_start',
        'recover',
        'recover_end',
        'sub_on_fatal',
        'sub',
        'sub_after_end',
      ]),
    );
    expect(d.completed(id)).not.toContain('on_fatal');
    // The outer branch is untouched.
    expect(d.tokenElements(id)).toEqual(['outer_job:WAITING']);
    d.completeJob(id, 'outer_job');
    expect(d.status(id)).toBe('COMPLETED');
  });

  it('an error that matches nothing is an UNHANDLED_ERROR incident on the job element', async () => {
    const d = await Driver.load(['events/error-event-subprocess.bpmn']);
    const id = d.start('error-event-subprocess');
    d.throwJobError(id, 'inner_job', 'OTHER');
    expect(d.incidentsOf(id)).toEqual([
      expect.objectContaining({ elementId: 'inner_job', type: 'UNHANDLED_ERROR' }),
    ]);
    expect(d.tokenElements(id)).toEqual(['inner_job:WAITING', 'outer_job:WAITING']);
    expect(d.jobsOf(id, 'inner_job')).toEqual([]);
    // Resolving it hands the job out again (same element instance, same key).
    d.resolveIncident(id, 'inner_job');
    expect(d.incidentsOf(id)).toEqual([]);
    expect(d.jobsOf(id, 'inner_job')).toEqual([
      expect.objectContaining({ jobType: 'inner', retries: 3 }),
    ]);
    d.completeJob(id, 'inner_job');
    d.completeJob(id, 'outer_job');
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.trail(id).filter((l) => l.startsWith('ELEMENT_ACTIVATED inner_job'))).toHaveLength(1);
  });

  it('on one activity, a boundary with the matching code wins over a catch-all placed before it', async () => {
    const d = await Driver.load(['events/error-catch-order.bpmn']);
    const id = d.start('error-catch-order', { shipping: false });
    d.throwJobError(id, 'charge', 'DECLINED');
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.completed(id)).toEqual([
      'start',
      'which',
      'charge_declined',
      'end_declined',
      'error-catch-order',
    ]);
  });

  it('the catch-all boundary takes every other code', async () => {
    const d = await Driver.load(['events/error-catch-order.bpmn']);
    const id = d.start('error-catch-order', { shipping: false });
    d.throwJobError(id, 'charge', 'NETWORK');
    expect(d.completed(id)).toEqual([
      'start',
      'which',
      'charge_any',
      'end_any',
      'error-catch-order',
    ]);
  });

  it('on a subprocess, a boundary with the matching code wins over a catch-all event subprocess inside it', async () => {
    const d = await Driver.load(['events/error-catch-order.bpmn']);
    const id = d.start('error-catch-order', { shipping: true });
    d.throwJobError(id, 'book_courier', 'TIMEOUT');
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.completed(id)).toEqual([
      'start',
      'which',
      'ship_start',
      'ship_timeout',
      'end_ship_timeout',
      'error-catch-order',
    ]);
    expect(d.trail(id, ['ELEMENT_TERMINATED'])).toEqual([
      'ELEMENT_TERMINATED book_courier serviceTask',
      'ELEMENT_TERMINATED ship subProcess',
    ]);
  });

  it('any other code falls to the catch-all event subprocess inside the subprocess', async () => {
    const d = await Driver.load(['events/error-catch-order.bpmn']);
    const id = d.start('error-catch-order', { shipping: true });
    d.throwJobError(id, 'book_courier', 'NO_COURIER');
    expect(d.completed(id)).toEqual([
      'start',
      'which',
      'ship_start',
      'ship_any_start',
      'ship_any_end',
      'ship_any',
      'ship',
      'end_shipped',
      'error-catch-order',
    ]);
  });
});

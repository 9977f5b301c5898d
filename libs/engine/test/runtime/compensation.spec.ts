import { Driver } from '../support/driver';

/** Job types of the jobs open in an instance, in the order they were created. */
function jobTypes(d: Driver, id: string): string[] {
  return d.jobsOf(id).map((j) => j.jobType);
}

describe('compensation', () => {
  it('a compensation throw starts the handlers of every completed activity at once, latest completion first, and waits for them', async () => {
    const d = await Driver.load(['compensation/car-rental.bpmn']);
    const id = d.start('car-rental');
    d.completeJob(id, 'bookHotel', { hotelBooking: 'H-1' });
    d.completeJob(id, 'bookCar', { carBooking: 'C-7' });
    d.throwJobError(id, 'pay', 'PAYMENT_FAILED');

    // Both handlers run at once (Camunda 8), handed out in reverse order of completion.
    expect(jobTypes(d, id)).toEqual(['cancel-car', 'cancel-hotel']);
    expect(d.tokenElements(id)).toEqual(['cancelCar:WAITING', 'cancelHotel:WAITING', 'undoBookings:WAITING']);

    d.completeJob(id, 'cancelCar');
    expect(d.tokenElements(id)).toEqual(['cancelHotel:WAITING', 'undoBookings:WAITING']);
    d.completeJob(id, 'cancelHotel');
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.completed(id)).toEqual([
      'start',
      'bookHotel',
      'bookCar',
      'payFailed',
      'compCar',
      'compHotel',
      'cancelCar',
      'cancelHotel',
      'undoBookings',
      'notRented',
      'car-rental',
    ]);
  });

  it('handlers are ordinary element instances in history, with their compensation boundary event', async () => {
    const d = await Driver.load(['compensation/car-rental.bpmn']);
    const id = d.start('car-rental');
    d.completeJob(id, 'bookHotel');
    d.completeJob(id, 'bookCar');
    d.throwJobError(id, 'pay', 'PAYMENT_FAILED');
    d.completeJob(id, 'cancelCar');
    d.completeJob(id, 'cancelHotel');
    const trail = d.trail(id);
    expect(trail).toEqual(
      expect.arrayContaining([
        'ELEMENT_ACTIVATED compCar boundaryEvent',
        'ELEMENT_COMPLETED compCar boundaryEvent',
        'ELEMENT_ACTIVATED cancelCar serviceTask',
        'ELEMENT_COMPLETED cancelCar serviceTask',
        'ELEMENT_ACTIVATED cancelHotel serviceTask',
        'ELEMENT_COMPLETED cancelHotel serviceTask',
      ]),
    );
    // The throw event is activated before the handlers and completes after the last one.
    expect(trail.indexOf('ELEMENT_ACTIVATED undoBookings intermediateThrowEvent')).toBeLessThan(
      trail.indexOf('ELEMENT_ACTIVATED compCar boundaryEvent'),
    );
    expect(trail.indexOf('ELEMENT_COMPLETED undoBookings intermediateThrowEvent')).toBeGreaterThan(
      trail.indexOf('ELEMENT_COMPLETED cancelHotel serviceTask'),
    );
  });

  it('a handler sees the variables of the scope and applies its input mappings', async () => {
    const d = await Driver.load(['compensation/car-rental.bpmn']);
    const id = d.start('car-rental', { customer: 'ada' });
    d.completeJob(id, 'bookHotel', { hotelBooking: 'H-1' });
    d.completeJob(id, 'bookCar', { carBooking: 'C-7' });
    d.throwJobError(id, 'pay', 'PAYMENT_FAILED');
    const [hotelJob] = d.jobsOf(id, 'cancelHotel');
    expect(hotelJob.variables).toEqual(
      expect.objectContaining({ customer: 'ada', hotelBooking: 'H-1', carBooking: 'C-7', booking: 'H-1' }),
    );
  });

  it('without a failure nothing is compensated and the handlers never run', async () => {
    const d = await Driver.load(['compensation/car-rental.bpmn']);
    const id = d.start('car-rental');
    d.completeJob(id, 'bookHotel');
    d.completeJob(id, 'bookCar');
    d.completeJob(id, 'pay');
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.completed(id)).not.toContain('cancelHotel');
    expect(d.effectLog.filter((e) => e.type === 'createJob').map((e) => e.type === 'createJob' && e.jobType)).toEqual([
      'book-hotel',
      'book-car',
      'pay',
    ]);
  });

  it('the state keeps a compact record only of completions a throw can undo', async () => {
    const d = await Driver.load(['compensation/subprocess.bpmn']);
    const id = d.start('sub-all');
    d.completeJob(id, 'a_inner');
    const { state } = d.instance(id);
    // Starts, ends and a_sub's own completion leave no record but the one holding a_inner's.
    expect(state.elements[state.rootId].compensable).toEqual([
      { elementId: 'a_sub', inner: [{ elementId: 'a_inner', handler: true }] },
    ]);
    d.completeJob(id, 'a_after');
    const after = d.instance(id).state;
    // The throw took the records: none is left to compensate again.
    expect(after.elements[after.rootId].compensable).toBeUndefined();

    const e = d.start('sub-ref');
    d.completeJob(e, 'b_inner');
    d.completeJob(e, 'b_after');
    const thrown = d.instance(e).state;
    // activityRef took b_sub's record only.
    expect(thrown.elements[thrown.rootId].compensable).toEqual([{ elementId: 'b_after', handler: true }]);
  });

  it('an activity that is still active is not compensated', async () => {
    const d = await Driver.load(['compensation/only-completed.bpmn']);
    const id = d.start('only-completed');
    d.completeJob(id, 'hotel');
    expect(jobTypes(d, id)).toEqual(['car', 'undo-hotel']);
    d.completeJob(id, 'undoHotel');
    expect(d.tokenElements(id)).toEqual(['car:WAITING']);
    d.completeJob(id, 'car');
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.completed(id)).not.toContain('undoCar');
  });

  it('a terminated activity, and what completed inside a terminated subprocess, are not compensated', async () => {
    const d = await Driver.load(['compensation/terminated.bpmn']);
    const id = d.start('terminated');
    d.completeJob(id, 'first');
    d.completeJob(id, 'inner');
    d.throwJobError(id, 'wait', 'STOP');
    // Only `first` completed in the scope of the throw; `sub` (with `inner` in it) and `wait` were terminated.
    expect(jobTypes(d, id)).toEqual(['undo-first']);
    d.completeJob(id, 'undoFirst');
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.completed(id)).not.toContain('undoInner');
    expect(d.completed(id)).not.toContain('undoWait');
  });

  it('an activity that completed twice in a loop is compensated twice, by a compensation end event', async () => {
    const d = await Driver.load(['compensation/loop.bpmn']);
    const id = d.start('loop');
    d.completeJob(id, 'charge', { charged: 1 });
    d.completeJob(id, 'charge', { charged: 2 });
    expect(jobTypes(d, id)).toEqual(['refund', 'refund']);
    expect(d.tokenElements(id)).toEqual(['compensateAll:WAITING', 'refund:WAITING', 'refund:WAITING']);
    d.completeJob(id, 'refund');
    expect(d.status(id)).toBe('ACTIVE');
    d.completeJob(id, 'refund');
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.completed(id).filter((e) => e === 'refund')).toHaveLength(2);
  });

  it("a throw also compensates what completed inside completed subprocesses, the subprocess's later siblings first", async () => {
    const d = await Driver.load(['compensation/subprocess.bpmn']);
    const id = d.start('sub-all');
    d.completeJob(id, 'a_inner');
    d.completeJob(id, 'a_after');
    // Started latest completion first: a_after's handler, then the one of a_inner inside a_sub.
    expect(d.trail(id, ['ELEMENT_ACTIVATED']).filter((l) => / a_(undo[A-Z]|comp)/.test(l))).toEqual([
      'ELEMENT_ACTIVATED a_compAfter boundaryEvent',
      'ELEMENT_ACTIVATED a_compInner boundaryEvent',
      'ELEMENT_ACTIVATED a_undoAfter subProcess',
      'ELEMENT_ACTIVATED a_undoInner serviceTask',
      'ELEMENT_ACTIVATED a_undoAfterJob serviceTask',
    ]);
    // a_undoAfter is an embedded subprocess: its job comes from inside it.
    expect(jobTypes(d, id).sort()).toEqual(['undo-after', 'undo-inner']);
    expect(d.tokenElements(id)).toEqual([
      'a_throw:WAITING',
      'a_undoAfterJob:WAITING',
      'a_undoInner:WAITING',
    ]);
    d.completeJob(id, 'a_undoInner');
    d.completeJob(id, 'a_undoAfterJob');
    expect(d.status(id)).toBe('COMPLETED');
  });

  it('activityRef on a subprocess compensates only what completed inside it', async () => {
    const d = await Driver.load(['compensation/subprocess.bpmn']);
    const id = d.start('sub-ref');
    d.completeJob(id, 'b_inner');
    d.completeJob(id, 'b_after');
    expect(jobTypes(d, id)).toEqual(['undo-inner']);
    d.completeJob(id, 'b_undoInner');
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.completed(id)).not.toContain('b_undoAfter');
  });

  it('a throw inside a subprocess compensates only that subprocess, whose variables its handlers see', async () => {
    const d = await Driver.load(['compensation/subprocess.bpmn']);
    const id = d.start('sub-inside');
    d.completeJob(id, 'c_outer');
    d.completeJob(id, 'c_inner');
    expect(jobTypes(d, id)).toEqual(['undo-inner']);
    expect(d.jobsOf(id, 'c_undoInner')[0].variables).toEqual(expect.objectContaining({ subLocal: 'sub-local' }));
    d.completeJob(id, 'c_undoInner');
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.completed(id)).not.toContain('c_undoOuter');
  });

  it("a multi-instance activity's handler runs once for all its instances (Camunda 8)", async () => {
    const d = await Driver.load(['compensation/multi-instance.bpmn']);
    const id = d.start('mi-task', { items: [1, 2, 3] });
    for (let i = 0; i < 3; i++) d.completeJob(id, 'a_ship');
    expect(jobTypes(d, id)).toEqual(['unship']);
    d.completeJob(id, 'a_unship');
    expect(d.status(id)).toBe('COMPLETED');
  });

  it('an activity inside a multi-instance subprocess is compensated once per inner instance', async () => {
    const d = await Driver.load(['compensation/multi-instance.bpmn']);
    const id = d.start('mi-sub', { items: ['a', 'b', 'c'] });
    for (let i = 0; i < 3; i++) d.completeJob(id, 'b_reserve');
    expect(jobTypes(d, id)).toEqual(['release', 'release', 'release']);
    for (let i = 0; i < 3; i++) d.completeJob(id, 'b_release');
    expect(d.status(id)).toBe('COMPLETED');
  });

  it('activityRef compensates one activity at a time, and what was compensated is not compensated again', async () => {
    const d = await Driver.load(['compensation/activity-ref.bpmn']);
    const id = d.start('activity-ref');
    d.completeJob(id, 'hotel');
    d.completeJob(id, 'car');
    expect(jobTypes(d, id)).toEqual(['undo-hotel']);
    expect(d.tokenElements(id)).toEqual(['undoHotel:WAITING', 'undoHotelFirst:WAITING']);
    d.completeJob(id, 'undoHotel');
    expect(jobTypes(d, id)).toEqual(['undo-car']);
    d.completeJob(id, 'undoCar');
    // `again` finds nothing left to compensate and passes.
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.completed(id).filter((e) => e.startsWith('undo'))).toEqual(['undoHotel', 'undoHotelFirst', 'undoCar']);
  });

  it('a compensation end event in an error event subprocess compensates the scope around it', async () => {
    const d = await Driver.load(['compensation/error-event-subprocess.bpmn']);
    const id = d.start('error-esp');
    d.completeJob(id, 'hotel');
    d.throwJobError(id, 'pay', 'FAIL');
    expect(jobTypes(d, id)).toEqual(['undo-hotel']);
    expect(d.tokenElements(id)).toEqual(['undoAll:WAITING', 'undoHotel:WAITING']);
    d.completeJob(id, 'undoHotel');
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.completed(id)).toEqual(['start', 'hotel', 'failed', 'compHotel', 'undoHotel', 'undoAll', 'onFail', 'error-esp']);
  });

  it('a throw naming a completed subprocess runs the handlers inside it; waitForCompletion="false" still waits (Camunda 8)', async () => {
    const d = await Driver.load(['parity/accepted/compensation.bpmn']);
    const id = d.start('compensation');
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.completed(id)).toEqual([
      'start',
      'booking_start',
      'book',
      'booking_end',
      'booking',
      'comp_book',
      'undo_book',
      'undo_booking',
      'end',
      'compensation',
    ]);
  });

  it('cancelling while handlers run terminates them and the throw', async () => {
    const d = await Driver.load(['compensation/car-rental.bpmn']);
    const id = d.start('car-rental');
    d.completeJob(id, 'bookHotel');
    d.completeJob(id, 'bookCar');
    d.throwJobError(id, 'pay', 'PAYMENT_FAILED');
    d.cancel(id);
    expect(d.status(id)).toBe('CANCELED');
    expect(d.jobs.size).toBe(0);
    expect(d.trail(id, ['ELEMENT_TERMINATED']).sort()).toEqual([
      'ELEMENT_TERMINATED cancelCar serviceTask',
      'ELEMENT_TERMINATED cancelHotel serviceTask',
      'ELEMENT_TERMINATED car-rental process',
      // The error boundary event interrupted the payment before the compensation.
      'ELEMENT_TERMINATED pay serviceTask',
      'ELEMENT_TERMINATED undoBookings intermediateThrowEvent',
    ]);
  });
});

import { Driver } from '../support/driver';

describe('events', () => {
  it('timer catch: waits for the duration on the injected clock', async () => {
    const d = await Driver.load(['events/timer-catch.bpmn']);
    const id = d.start('timer-catch');
    const [timer] = [...d.timers.values()];
    expect(timer.dueAt - d.now).toBe(5000);
    d.advance(4999);
    expect(d.status(id)).toBe('ACTIVE');
    d.advance(1);
    expect(d.status(id)).toBe('COMPLETED');
  });

  it('message catch: the subscription carries the evaluated correlation key', async () => {
    const d = await Driver.load(['events/message-catch.bpmn']);
    const id = d.start('message-catch', { orderId: 42 });
    expect([...d.messages.values()][0]).toMatchObject({ name: 'payment', correlationKey: '42' });
    expect(d.publishMessage('payment', '41')).toBe(0);
    expect(d.publishMessage('payment', '42', { amount: 9 })).toBe(1);
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.variables(id)).toEqual({ orderId: 42, amount: 9 });
  });

  it('message start event: the instance enters at the named start event', async () => {
    const d = await Driver.load(['events/message-start.bpmn']);
    const id = d.start('message-start', { from: 'message' }, 'start_order');
    expect(d.completed(id)).toEqual(['start_order', 'merge', 'handle', 'end', 'message-start']);
  });

  it('signal catch and throw', async () => {
    const d = await Driver.load(['events/signal.bpmn']);
    const a = d.start('signal');
    const b = d.start('signal');
    expect(d.broadcastSignal('go-ahead', { go: 1 })).toBe(2);
    expect(d.status(a)).toBe('COMPLETED');
    expect(d.status(b)).toBe('COMPLETED');
    expect(d.thrownSignals.map((s) => s.name)).toEqual(['proceeded', 'proceeded']);
  });

  it('link events jump to the catch with the same name', async () => {
    const d = await Driver.load(['events/link.bpmn']);
    const id = d.start('link');
    expect(d.completed(id)).toEqual(['start', 'task_a', 'to_b', 'from_a', 'task_b', 'end', 'link']);
  });

  it('terminate end event inside a subprocess ends that subprocess only', async () => {
    const d = await Driver.load(['events/terminate-in-subprocess.bpmn']);
    const id = d.start('terminate-in-subprocess');
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.trail(id)).toContain('ELEMENT_TERMINATED slow serviceTask');
    expect(d.completed(id)).toEqual(expect.arrayContaining(['terminate', 'sub', 'after', 'end']));
    expect(d.jobs.size).toBe(0);
  });

  it('error boundary on a service task catches the BPMN error thrown by its job', async () => {
    const d = await Driver.load(['events/error-boundary.bpmn']);
    const id = d.start('error-boundary', { valid: true });
    d.throwJobError(id, 'charge', 'PAYMENT_FAILED', { reason: 'declined' });
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.trail(id)).toContain('ELEMENT_TERMINATED charge serviceTask');
    expect(d.completed(id)).toEqual(expect.arrayContaining(['payment_failed', 'refund', 'end_failed']));
    expect(d.variables(id)).toMatchObject({ reason: 'declined' });
  });

  it('an error end event in a subprocess is caught by a catch-all boundary on the subprocess', async () => {
    const d = await Driver.load(['events/error-boundary.bpmn']);
    const id = d.start('error-boundary', { valid: false });
    d.completeJob(id, 'charge');
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.completed(id)).toEqual(expect.arrayContaining(['any_error', 'end_invalid']));
    expect(d.completed(id)).not.toContain('end');
  });

  it('an uncaught BPMN error becomes an UNHANDLED_ERROR incident', async () => {
    const d = await Driver.load(['events/error-boundary.bpmn']);
    const id = d.start('error-boundary');
    d.throwJobError(id, 'charge', 'SOMETHING_ELSE');
    expect(d.incidentsOf(id)).toEqual([expect.objectContaining({ elementId: 'charge', type: 'UNHANDLED_ERROR' })]);
    expect(d.incidentsOf(id)[0].message).toContain("'SOMETHING_ELSE'");
    expect(d.status(id)).toBe('ACTIVE');
  });

  it('a non-interrupting escalation boundary lets the subprocess go on', async () => {
    const d = await Driver.load(['events/escalation.bpmn']);
    const id = d.start('escalation');
    expect(d.status(id)).toBe('COMPLETED');
    const done = d.completed(id);
    expect(done).toEqual(expect.arrayContaining(['on_review', 'review', 'review_end', 'raise', 'sub_end', 'sub', 'end']));
    expect(d.trail(id).some((l) => l.startsWith('ELEMENT_TERMINATED'))).toBe(false);
  });

  it('non-interrupting timer cycle fires its repetitions while the task waits, and stops with it', async () => {
    const d = await Driver.load(['events/non-interrupting-timer-cycle.bpmn']);
    const id = d.start('non-interrupting-timer-cycle');
    d.advance(10_000);
    expect(d.jobsOf(id, 'remind')).toHaveLength(1);
    d.advance(20_000);
    // R3: three reminders in all, then no timer is left.
    expect(d.jobsOf(id, 'remind')).toHaveLength(3);
    expect(d.timers.size).toBe(0);
    d.advance(60_000);
    expect(d.jobsOf(id, 'remind')).toHaveLength(3);
    expect(d.tokenElements(id)).toEqual(expect.arrayContaining(['approve:WAITING']));
    d.completeUserTask(id, 'approve');
    for (let i = 0; i < 3; i++) d.completeJob(id, 'remind');
    expect(d.status(id)).toBe('COMPLETED');
  });

  it('completing the task cancels the pending cycle timer', async () => {
    const d = await Driver.load(['events/non-interrupting-timer-cycle.bpmn']);
    const id = d.start('non-interrupting-timer-cycle');
    d.advance(10_000);
    d.completeUserTask(id, 'approve');
    expect(d.timers.size).toBe(0);
    d.completeJob(id, 'remind');
    expect(d.status(id)).toBe('COMPLETED');
  });

  it('a message for a token that was cancelled reaches nothing', async () => {
    const d = await Driver.load(['events/message-catch.bpmn']);
    const id = d.start('message-catch', { orderId: 'x' });
    const [sub] = [...d.messages.values()];
    d.cancel(id);
    expect(d.status(id)).toBe('CANCELED');
    expect(d.messages.size).toBe(0);
    const before = JSON.stringify(d.instance(id).state);
    // A late trigger for the closed subscription is stale: nothing changes.
    d.step(id, [{ type: 'trigger', ownerInstanceId: sub.ownerInstanceId, elementId: sub.elementId, variables: { late: 1 } }]);
    expect(JSON.stringify(d.instance(id).state)).toBe(before);
    expect(d.trail(id).at(-1)).toBe('ELEMENT_TERMINATED message-catch process');
  });
});

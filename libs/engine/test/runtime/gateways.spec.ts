import { Driver } from '../support/driver';

describe('gateways', () => {
  it('exclusive: takes the first flow whose condition holds, else the default flow', async () => {
    const d = await Driver.load(['gateways/exclusive-default.bpmn']);
    const high = d.start('exclusive-default', { amount: 150 });
    const low = d.start('exclusive-default', { amount: 50 });
    const missing = d.start('exclusive-default', {});
    expect(d.completed(high)).toEqual(['start', 'split', 'high', 'end_high', 'exclusive-default']);
    expect(d.completed(low)).toEqual(['start', 'split', 'low', 'end_low', 'exclusive-default']);
    // FEEL: `amount > 100` on an undefined variable is null, and null is false.
    expect(d.completed(missing)).toContain('end_low');
  });

  it('parallel: forks every flow and joins exactly once', async () => {
    const d = await Driver.load(['gateways/parallel.bpmn']);
    const id = d.start('parallel');
    expect(d.status(id)).toBe('COMPLETED');
    const trail = d.completed(id);
    expect(trail.filter((e) => e === 'join')).toHaveLength(1);
    expect(trail.filter((e) => e === 'end')).toHaveLength(1);
    expect(trail.slice(0, 2)).toEqual(['start', 'fork']);
    expect(new Set(trail.slice(2, 5))).toEqual(new Set(['task_a', 'task_b', 'task_c']));
    expect(d.tokens(id)).toEqual([]);
  });

  it('inclusive: after a partial fork the join waits only for the tokens that were started', async () => {
    const d = await Driver.load(['gateways/inclusive-partial-fork.bpmn']);
    const id = d.start('inclusive-partial-fork', { a: true, b: true, c: false });
    // check_a finished and waits at the join; check_b (a job) still runs; check_c was never started.
    expect(d.tokenElements(id)).toEqual(['check_b:WAITING', 'join:WAITING']);
    expect(d.completed(id)).not.toContain('join');
    d.completeJob(id, 'check_b');
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.completed(id).filter((e) => e === 'join')).toHaveLength(1);
    expect(d.completed(id)).not.toContain('check_c');
  });

  it('inclusive: a single true branch passes the join at once', async () => {
    const d = await Driver.load(['gateways/inclusive-partial-fork.bpmn']);
    const id = d.start('inclusive-partial-fork', { a: true, b: false, c: false });
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.completed(id)).toEqual(['start', 'fork', 'check_a', 'join', 'end', 'inclusive-partial-fork']);
  });

  it('inclusive: no true condition and no default raises a CONDITION_ERROR incident that resolves after a fix', async () => {
    const d = await Driver.load(['gateways/inclusive-partial-fork.bpmn']);
    const id = d.start('inclusive-partial-fork', { a: false, b: false, c: false });
    expect(d.status(id)).toBe('ACTIVE');
    const [incident] = d.incidentsOf(id);
    expect(incident).toMatchObject({ elementId: 'fork', type: 'CONDITION_ERROR' });
    expect(incident.message).toContain("inclusive gateway 'fork'");
    expect(d.tokenElements(id)).toEqual(['fork:WAITING']);
    d.setVariables(id, { c: true });
    d.resolveIncident(id, 'fork');
    expect(d.incidentsOf(id)).toEqual([]);
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.completed(id)).toContain('check_c');
  });

  it('event-based: the first event wins and the other subscriptions close', async () => {
    const d = await Driver.load(['gateways/event-based.bpmn']);
    const paid = d.start('event-based', { orderId: 'o-1' });
    expect(d.tokenElements(paid)).toEqual(['wait:WAITING']);
    expect(d.timers.size).toBe(1);
    expect(d.messages.size).toBe(1);
    expect(d.signals.size).toBe(1);
    expect(d.publishMessage('payment-received', 'o-1', { paid: 10 })).toBe(1);
    expect(d.status(paid)).toBe('COMPLETED');
    expect(d.completed(paid)).toEqual(['start', 'wait', 'payment', 'ship', 'end_paid', 'event-based']);
    expect(d.variables(paid)).toMatchObject({ paid: 10 });
    expect(d.timers.size + d.messages.size + d.signals.size).toBe(0);

    const timedOut = d.start('event-based', { orderId: 'o-2' });
    d.advance(60 * 60 * 1000);
    expect(d.completed(timedOut)).toContain('end_timeout');
    expect(d.messages.size + d.signals.size).toBe(0);
  });
});

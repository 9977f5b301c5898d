import { Driver } from '../support/driver';

describe('event-based gateway targets', () => {
  it('a receive task after the gateway completes with the message that won', async () => {
    const d = await Driver.load(['gateways/event-based-receive-signal.bpmn']);
    const id = d.start('event-based-receive-signal', { requestId: 'r-1' });
    expect([...d.messages.values()]).toEqual([
      expect.objectContaining({ elementId: 'answer', name: 'answer', correlationKey: 'r-1' }),
    ]);
    expect([...d.signals.values()]).toEqual([
      expect.objectContaining({ elementId: 'aborted', name: 'abort-requests' }),
    ]);
    expect([...d.timers.values()]).toEqual([
      expect.objectContaining({ elementId: 'too_late', dueAt: d.now + 24 * 3600_000 }),
    ]);
    // The subscriptions belong to the gateway's token.
    const [gateway] = d.tokens(id);
    expect(gateway).toMatchObject({ elementId: 'wait', state: 'WAITING' });
    expect([...d.messages.values()][0].ownerInstanceId).toBe(gateway.id);

    expect(d.publishMessage('answer', 'r-1', { answer: 42 })).toBe(1);
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.trail(id)).toEqual([
      'ELEMENT_ACTIVATED event-based-receive-signal process',
      'ELEMENT_ACTIVATED start startEvent',
      'ELEMENT_COMPLETED start startEvent',
      'ELEMENT_ACTIVATED wait eventBasedGateway',
      'ELEMENT_COMPLETED wait eventBasedGateway',
      'ELEMENT_ACTIVATED answer receiveTask',
      'ELEMENT_COMPLETED answer receiveTask',
      'ELEMENT_ACTIVATED answered_end endEvent',
      'ELEMENT_COMPLETED answered_end endEvent',
      'ELEMENT_COMPLETED event-based-receive-signal process',
    ]);
    expect(d.variables(id)).toEqual({ requestId: 'r-1', answer: 42 });
    expect(d.timers.size + d.messages.size + d.signals.size).toBe(0);
  });

  it('a signal catch after the gateway wins when the signal is broadcast', async () => {
    const d = await Driver.load(['gateways/event-based-receive-signal.bpmn']);
    const a = d.start('event-based-receive-signal', { requestId: 'r-2' });
    const b = d.start('event-based-receive-signal', { requestId: 'r-3' });
    expect(d.broadcastSignal('abort-requests', { abortedBy: 'ops' })).toBe(2);
    for (const id of [a, b]) {
      expect(d.status(id)).toBe('COMPLETED');
      expect(d.completed(id)).toEqual([
        'start',
        'wait',
        'aborted',
        'aborted_end',
        'event-based-receive-signal',
      ]);
      expect(d.variables(id)).toMatchObject({ abortedBy: 'ops' });
    }
    expect(d.timers.size + d.messages.size + d.signals.size).toBe(0);
    // A late message for a closed subscription reaches nobody.
    expect(d.publishMessage('answer', 'r-2')).toBe(0);
  });
});

describe('inclusive gateway', () => {
  it('takes the default flow when no condition holds, and the join passes its single token', async () => {
    const d = await Driver.load(['gateways/inclusive-default.bpmn']);
    const id = d.start('inclusive-default', { amount: 10, country: 'NL' });
    expect(d.completed(id)).toEqual([
      'start',
      'fork',
      'no_checks',
      'join',
      'end',
      'inclusive-default',
    ]);
  });

  it('the default flow is not taken when some condition holds', async () => {
    const d = await Driver.load(['gateways/inclusive-default.bpmn']);
    const id = d.start('inclusive-default', { amount: 5000, country: 'DE' });
    const done = d.completed(id);
    expect(done.slice(0, 2)).toEqual(['start', 'fork']);
    expect(new Set(done.slice(2, 4))).toEqual(new Set(['check_credit', 'check_fraud']));
    expect(done.slice(4)).toEqual(['join', 'end', 'inclusive-default']);
    expect(done).not.toContain('no_checks');
  });

  it('a join inside a loop waits for the tokens of each round separately', async () => {
    const d = await Driver.load(['gateways/inclusive-loop.bpmn']);
    const id = d.start('inclusive-loop', { round: 0, doA: true, doB: true });
    expect(d.tokenElements(id)).toEqual(['task_a:WAITING', 'task_b:WAITING']);
    d.completeJob(id, 'task_a');
    expect(d.tokenElements(id)).toEqual(['join:WAITING', 'task_b:WAITING']);
    // Round 2 takes only A.
    d.completeJob(id, 'task_b', { doB: false });
    expect(d.variables(id).round).toBe(1);
    expect(d.tokenElements(id)).toEqual(['task_a:WAITING']);
    d.completeJob(id, 'task_a');
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.variables(id)).toEqual({ round: 2, doA: true, doB: false });
    expect(d.completed(id).filter((e) => e === 'join')).toHaveLength(2);
    expect(d.completed(id).filter((e) => e === 'fork')).toHaveLength(2);
    expect(d.completed(id).filter((e) => e === 'task_b')).toHaveLength(1);
  });

  it('a token inside a subprocess keeps the join waiting until the subprocess completes', async () => {
    const d = await Driver.load(['gateways/inclusive-join-subprocess.bpmn']);
    const id = d.start('inclusive-join-subprocess', { withSub: true });
    expect(d.tokenElements(id)).toEqual(['inner:WAITING', 'join:WAITING']);
    expect(d.completed(id)).not.toContain('join');
    d.completeJob(id, 'inner');
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.completed(id).slice(-6)).toEqual([
      'inner',
      'sub_end',
      'sub',
      'join',
      'end',
      'inclusive-join-subprocess',
    ]);
    expect(d.completed(id).filter((e) => e === 'join')).toHaveLength(1);
  });

  it('without the subprocess branch the join passes at once', async () => {
    const d = await Driver.load(['gateways/inclusive-join-subprocess.bpmn']);
    const id = d.start('inclusive-join-subprocess', { withSub: false });
    expect(d.completed(id)).toEqual([
      'start',
      'fork',
      'quick',
      'join',
      'end',
      'inclusive-join-subprocess',
    ]);
  });
});

describe('exclusive gateway', () => {
  it('a condition that fails to evaluate is an EXPRESSION_ERROR on the gateway; fixing variables and resolving continues', async () => {
    const d = await Driver.load(['gateways/exclusive-feel-error.bpmn']);
    const id = d.start('exclusive-feel-error', { strict: true, amount: 500, limit: '100' });
    const [incident] = d.incidentsOf(id);
    expect(incident).toMatchObject({ elementId: 'decide', type: 'EXPRESSION_ERROR' });
    expect(incident.message).toContain('strict limits are not supported');
    expect(d.tokenElements(id)).toEqual(['decide:WAITING']);
    // The default flow is not a fallback for a failing condition.
    expect(d.completed(id)).toEqual(['start']);
    expect(d.trail(id, ['INCIDENT_CREATED'])).toEqual(['INCIDENT_CREATED decide exclusiveGateway']);

    d.setVariables(id, { strict: false });
    d.resolveIncident(id, 'decide');
    expect(d.incidentsOf(id)).toEqual([]);
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.completed(id)).toEqual([
      'start',
      'decide',
      'large',
      'end_large',
      'exclusive-feel-error',
    ]);
    expect(
      d.trail(id).filter((l) => l === 'ELEMENT_ACTIVATED decide exclusiveGateway'),
    ).toHaveLength(1);
  });

  it('resolving without fixing anything raises the incident again', async () => {
    const d = await Driver.load(['gateways/exclusive-feel-error.bpmn']);
    const id = d.start('exclusive-feel-error', { strict: false, amount: 500, limit: 'lots' });
    expect(d.incidentsOf(id)).toEqual([
      expect.objectContaining({ elementId: 'decide', type: 'EXPRESSION_ERROR' }),
    ]);
    d.resolveIncident(id, 'decide');
    expect(d.incidentsOf(id)).toEqual([
      expect.objectContaining({ elementId: 'decide', type: 'EXPRESSION_ERROR' }),
    ]);
    expect(d.trail(id, ['INCIDENT_CREATED', 'INCIDENT_RESOLVED'])).toEqual([
      'INCIDENT_CREATED decide exclusiveGateway',
      'INCIDENT_RESOLVED decide exclusiveGateway',
      'INCIDENT_CREATED decide exclusiveGateway',
    ]);
    d.setVariables(id, { limit: '1000' });
    d.resolveIncident(id, 'decide');
    expect(d.completed(id)).toEqual([
      'start',
      'decide',
      'small',
      'end_small',
      'exclusive-feel-error',
    ]);
  });
});

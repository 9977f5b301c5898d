import { Driver } from '../support/driver';

/** Every wait state the host holds for its instances. */
function openWork(d: Driver): Record<string, number> {
  return {
    jobs: d.jobs.size,
    userTasks: d.userTasks.size,
    timers: d.timers.size,
    messages: d.messages.size,
    signals: d.signals.size,
    incidents: d.incidents.size,
  };
}

const nothingOpen = { jobs: 0, userTasks: 0, timers: 0, messages: 0, signals: 0, incidents: 0 };

describe('termination', () => {
  it('a terminate end event at process level completes the instance and terminates every other token', async () => {
    const d = await Driver.load(['events/terminate-process.bpmn']);
    const id = d.start('terminate-process');
    expect(d.tokenElements(id)).toEqual(['decide:WAITING', 'review:WAITING', 'slow:WAITING']);
    d.completeJob(id, 'decide');
    expect(d.status(id)).toBe('COMPLETED');
    expect(openWork(d)).toEqual(nothingOpen);
    expect(d.tokens(id)).toEqual([]);
    expect(d.trail(id).slice(-6)).toEqual([
      'ELEMENT_COMPLETED decide serviceTask',
      'ELEMENT_ACTIVATED kill endEvent',
      'ELEMENT_TERMINATED slow serviceTask',
      'ELEMENT_TERMINATED review userTask',
      'ELEMENT_COMPLETED kill endEvent',
      'ELEMENT_COMPLETED terminate-process process',
    ]);
    expect(d.effectLog.filter((e) => e.type === 'instanceEnded')).toEqual([
      expect.objectContaining({ status: 'COMPLETED' }),
    ]);
  });

  it('cancelling an instance closes every job, task, timer and subscription, including a multi-instance body, an event-based gateway and a waiting join arrival', async () => {
    const d = await Driver.load(['misc/cancel-everything.bpmn']);
    const id = d.start('cancel-everything', { items: [1, 2], key: 'k' });
    expect(d.tokenElements(id)).toEqual([
      'approve:WAITING',
      'batch:WAITING',
      'batch:WAITING',
      'choose:WAITING',
      'join:WAITING',
    ]);
    expect(openWork(d)).toEqual({
      jobs: 2,
      userTasks: 1,
      timers: 2,
      messages: 1,
      signals: 1,
      incidents: 0,
    });
    d.cancel(id);
    expect(d.status(id)).toBe('CANCELED');
    expect(openWork(d)).toEqual(nothingOpen);
    expect(d.tokens(id)).toEqual([]);
    expect(d.readyWork(id)).toBe(false);
    // The join arrival is not an element instance clients saw activated: it leaves no history.
    expect(d.trail(id, ['ELEMENT_TERMINATED'])).toEqual([
      'ELEMENT_TERMINATED batch serviceTask',
      'ELEMENT_TERMINATED batch serviceTask',
      'ELEMENT_TERMINATED batch multiInstanceBody',
      'ELEMENT_TERMINATED choose eventBasedGateway',
      'ELEMENT_TERMINATED approve userTask',
      'ELEMENT_TERMINATED cancel-everything process',
    ]);
    expect(d.effectLog.at(-1)).toEqual({
      type: 'instanceEnded',
      status: 'CANCELED',
      variables: { items: [1, 2], key: 'k' },
    });
    // Nothing reaches a canceled instance any more.
    expect(d.publishMessage('go', 'k')).toBe(0);
    expect(d.broadcastSignal('status')).toBe(0);
  });

  it('cancelling an instance with an open incident resolves the incident', async () => {
    const d = await Driver.load(['misc/cancel-everything.bpmn']);
    const id = d.start('cancel-everything', { items: 'not a list', key: 'k' });
    expect(d.incidentsOf(id)).toEqual([
      expect.objectContaining({ elementId: 'batch', type: 'EXPRESSION_ERROR' }),
    ]);
    d.cancel(id);
    expect(openWork(d)).toEqual(nothingOpen);
    expect(d.trail(id, ['INCIDENT_CREATED', 'INCIDENT_RESOLVED'])).toEqual([
      'INCIDENT_CREATED batch multiInstanceBody',
      'INCIDENT_RESOLVED batch multiInstanceBody',
    ]);
  });

  it('a cancel of an ended instance changes nothing', async () => {
    const d = await Driver.load(['events/terminate-process.bpmn']);
    const id = d.start('terminate-process');
    d.completeJob(id, 'decide');
    const before = JSON.stringify(d.instance(id).state);
    const effects = d.effectLog.length;
    d.cancel(id);
    expect(JSON.stringify(d.instance(id).state)).toBe(before);
    expect(d.effectLog.length).toBe(effects);
    expect(d.status(id)).toBe('COMPLETED');
  });
});

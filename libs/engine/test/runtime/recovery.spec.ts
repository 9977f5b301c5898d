import { Driver } from '../support/driver';

const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/**
 * A new host over the same (freshly compiled) processes that continues from a
 * JSON copy of everything the old one stored: instance states, jobs, tasks,
 * timers, subscriptions, incidents, history and the clock. Both hosts then
 * hand out the same ids, so their results can be compared exactly.
 */
async function recover(from: Driver, paths: string[]): Promise<Driver> {
  const to = await Driver.load(paths);
  to.now = from.now;
  const last = Number(from.env.newId().slice(1));
  while (Number(to.env.newId().slice(1)) < last) {
    // advance the new host's id sequence to the old one's
  }
  for (const [id, inst] of from.instances) {
    to.instances.set(id, {
      id,
      process: to.process(inst.process.id),
      state: copy(inst.state),
      parent: inst.parent && { ...inst.parent },
    });
  }
  for (const [key, job] of from.jobs) to.jobs.set(key, copy(job));
  for (const [key, task] of from.userTasks) to.userTasks.set(key, copy(task));
  for (const [key, timer] of from.timers) to.timers.set(key, copy(timer));
  for (const [key, sub] of from.messages) to.messages.set(key, copy(sub));
  for (const [key, sub] of from.signals) to.signals.set(key, copy(sub));
  for (const [key, incident] of from.incidents) to.incidents.set(key, copy(incident));
  for (const [id, lines] of from.history) to.history.set(id, [...lines]);
  to.thrownSignals.push(...copy(from.thrownSignals));
  return to;
}

/** Everything observable about a host, as JSON. */
function snapshot(d: Driver): string {
  return JSON.stringify({
    now: d.now,
    instances: [...d.instances.values()].map((i) => ({
      id: i.id,
      state: i.state,
      parent: i.parent,
    })),
    jobs: [...d.jobs.entries()],
    userTasks: [...d.userTasks.entries()],
    timers: [...d.timers.entries()],
    messages: [...d.messages.entries()],
    signals: [...d.signals.entries()],
    incidents: [...d.incidents.entries()],
    history: [...d.history.entries()],
    thrownSignals: d.thrownSignals,
  });
}

/** Runs `first` on one host, recovers a second host from it, runs `rest` on both: they must end alike. */
async function roundTrip(
  paths: string[],
  first: (d: Driver) => string,
  rest: (d: Driver, id: string) => void,
): Promise<Driver> {
  const original = await Driver.load(paths);
  const id = first(original);
  const recovered = await recover(original, paths);
  expect(snapshot(recovered)).toBe(snapshot(original));
  rest(original, id);
  rest(recovered, id);
  expect(snapshot(recovered)).toBe(snapshot(original));
  return recovered;
}

describe('recovery round-trip', () => {
  it('a multi-instance subprocess continues from a copy mid-way', async () => {
    const d = await roundTrip(
      ['multi-instance/subprocess.bpmn'],
      (d) => {
        const id = d.start('multi-instance-subprocess', { orders: ['a', 'b', 'c'] });
        d.completeJob(id, 'price', { total: 1 });
        return id;
      },
      (d, id) => {
        d.completeJob(id, 'price', { total: 2 });
        d.completeJob(id, 'price', { total: 3 });
        for (let i = 0; i < 3; i++) d.completeUserTask(id, 'approve');
      },
    );
    expect(d.status('i1')).toBe('COMPLETED');
    expect(d.variables('i1')).toEqual({ orders: ['a', 'b', 'c'], totals: [1, 2, 3] });
  });

  it('a timer cycle keeps its schedule across the copy', async () => {
    const d = await roundTrip(
      ['events/timer-cycle-event-subprocess.bpmn'],
      (d) => {
        const id = d.start('timer-cycle-event-subprocess');
        d.advance(15_000);
        return id;
      },
      (d, id) => {
        d.advance(30_000);
        d.completeJob(id, 'do_work');
        d.advance(60_000);
        d.completeUserTask(id, 'confirm');
      },
    );
    expect(d.status('i1')).toBe('COMPLETED');
    expect(d.completed('i1').filter((e) => e === 'heartbeat')).toHaveLength(4);
  });

  it('every kind of wait state survives the copy: body, event-based gateway, join arrival, event subprocess', async () => {
    const d = await roundTrip(
      ['misc/cancel-everything.bpmn'],
      (d) => d.start('cancel-everything', { items: [1, 2], key: 'k' }),
      (d, id) => {
        d.broadcastSignal('status');
        d.completeJob(id, 'batch');
        d.completeJob(id, 'batch');
        d.publishMessage('go', 'k');
        d.completeUserTask(id, 'approve');
      },
    );
    expect(d.status('i1')).toBe('COMPLETED');
    expect(d.completed('i1')).toEqual(
      expect.arrayContaining(['join', 'join_end', 'got_go', 'go_end', 'on_status']),
    );
  });

  it('a parent waiting on its call-activity child continues after the copy', async () => {
    const paths = [
      'subprocess/call-activity-propagation.bpmn',
      'subprocess/propagation-child.bpmn',
    ];
    const d = await roundTrip(
      paths,
      (d) => {
        const id = d.start('call-activity-propagation', { value: 1 });
        d.completeJob('i2', 'child_work', { fromChild: true });
        return id;
      },
      (d) => {
        d.completeJob('i3', 'child_work', { result: 2 });
        d.completeJob('i4', 'child_work');
      },
    );
    expect(d.status('i1')).toBe('COMPLETED');
    expect(d.variables('i1')).toEqual({ value: 1, fromChild: true, mappedResult: 20 });
  });

  it('an open incident survives the copy and resolves afterwards', async () => {
    const d = await roundTrip(
      ['gateways/exclusive-feel-error.bpmn'],
      (d) => d.start('exclusive-feel-error', { strict: true, amount: 1, limit: '10' }),
      (d, id) => {
        d.setVariables(id, { strict: false });
        d.resolveIncident(id, 'decide');
      },
    );
    expect(d.completed('i1')).toEqual([
      'start',
      'decide',
      'small',
      'end_small',
      'exclusive-feel-error',
    ]);
  });
});

import {
  checkModification,
  execute,
  type EngineEvent,
  type InstanceState,
  type Modification,
} from '../../src';
import { Driver } from '../support/driver';

/**
 * Process instance modification (Camunda 8's ModifyProcessInstance): the
 * fixture is start -> charge -> fulfil(pack -> ship[timer 'late']) -> end,
 * plus a multi-instance subprocess 'batch' nothing flows into.
 */
describe('process instance modification', () => {
  const modify = (m: Partial<Modification>): EngineEvent => ({
    type: 'modify',
    activate: m.activate ?? [],
    terminate: m.terminate ?? [],
  });
  const elementOf = (state: InstanceState, elementId: string) =>
    Object.values(state.elements).filter((e) => e.elementId === elementId);

  async function atCharge(): Promise<{ d: Driver; id: string; charge: string }> {
    const d = await Driver.load(['misc/modification.bpmn']);
    const id = d.start('repair', { order: 7 });
    const [job] = d.jobsOf(id, 'charge');
    return { d, id, charge: job.elementInstanceId };
  }

  it('activates a task inside a subprocess that does not run yet: the subprocess is created, the task runs the normal path', async () => {
    const { d, id, charge } = await atCharge();
    d.step(id, [
      modify({
        activate: [
          {
            elementId: 'ship',
            variables: [
              { variables: { repaired: true } },
              { scopeId: 'fulfil', variables: { carrier: 'dhl' } },
              { scopeId: 'ship', variables: { attempt: 2 } },
            ],
          },
        ],
        terminate: [{ elementInstanceId: charge }],
      }),
    ]);
    expect(d.status(id)).toBe('ACTIVE');
    expect(d.tokenElements(id)).toEqual(['ship:WAITING']);
    // Activations first, then terminations (Zeebe's order); the subprocess was entered without its start event.
    expect(d.trail(id).slice(-3)).toEqual([
      'ELEMENT_ACTIVATED fulfil subProcess',
      'ELEMENT_TERMINATED charge serviceTask',
      'ELEMENT_ACTIVATED ship serviceTask',
    ]);
    expect(d.jobsOf(id, 'charge')).toEqual([]);
    expect(d.jobsOf(id, 'pack')).toEqual([]);
    // Variables landed on the chosen scopes.
    const state = d.instance(id).state;
    expect(state.elements[state.rootId].variables).toEqual({ order: 7, repaired: true });
    expect(elementOf(state, 'fulfil')[0].variables).toEqual({ carrier: 'dhl' });
    expect(elementOf(state, 'ship')[0].variables).toEqual({ attempt: 2 });
    const [job] = d.jobsOf(id, 'ship');
    expect(job.variables).toEqual({ order: 7, repaired: true, carrier: 'dhl', attempt: 2 });
    // The boundary timer was opened as on a normal activation.
    expect([...d.timers.values()].map((t) => t.elementId)).toEqual(['late']);

    d.completeJob(id, 'ship');
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.completed(id).slice(-5)).toEqual(['ship', 'fulfilEnd', 'fulfil', 'end', 'repair']);
    expect(d.timers.size).toBe(0);
    expect(d.variables(id)).toEqual({ order: 7, repaired: true });
  });

  it('terminating the last waiting task terminates the empty scopes up to the process (it ends CANCELED, as in Zeebe)', async () => {
    const { d, id } = await atCharge();
    d.step(id, [modify({ activate: [{ elementId: 'ship' }] })]);
    const ship = d.jobsOf(id, 'ship')[0];
    d.step(id, [modify({ terminate: [{ elementInstanceId: ship.elementInstanceId }] })]);
    // The subprocess had nothing left and was terminated; the charge task still runs.
    expect(d.status(id)).toBe('ACTIVE');
    expect(d.trail(id).slice(-2)).toEqual([
      'ELEMENT_TERMINATED ship serviceTask',
      'ELEMENT_TERMINATED fulfil subProcess',
    ]);
    expect(d.timers.size).toBe(0);
    expect(d.tokenElements(id)).toEqual(['charge:WAITING']);

    d.step(id, [modify({ terminate: [{ elementId: 'charge' }] })]);
    expect(d.status(id)).toBe('CANCELED');
    expect(d.trail(id).slice(-2)).toEqual([
      'ELEMENT_TERMINATED charge serviceTask',
      'ELEMENT_TERMINATED repair process',
    ]);
    expect(d.jobsOf(id)).toEqual([]);
  });

  it('terminating a task with an incident resolves the incident; the activated task carries on', async () => {
    const { d, id, charge } = await atCharge();
    d.failJob(id, 'charge', 'declined');
    expect(d.incidentsOf(id)).toHaveLength(1);
    d.step(id, [
      modify({ activate: [{ elementId: 'fulfil' }], terminate: [{ elementInstanceId: charge }] }),
    ]);
    expect(d.incidentsOf(id)).toEqual([]);
    expect(d.jobsOf(id, 'charge')).toEqual([]);
    // An activated subprocess runs from its start event.
    expect(d.tokenElements(id)).toEqual(['pack:WAITING']);
    d.completeJob(id, 'pack');
    d.completeJob(id, 'ship');
    expect(d.status(id)).toBe('COMPLETED');
  });

  it('an activation goes into the existing flow scope instance, or into the ancestor named', async () => {
    const { d, id, charge } = await atCharge();
    d.step(id, [
      modify({ activate: [{ elementId: 'pack' }], terminate: [{ elementInstanceId: charge }] }),
    ]);
    const fulfil = elementOf(d.instance(id).state, 'fulfil')[0];
    d.step(id, [
      modify({
        activate: [{ elementId: 'ship', variables: [{ scopeId: 'fulfil', variables: { x: 1 } }] }],
      }),
    ]);
    // Same subprocess instance, variables merged into it.
    expect(elementOf(d.instance(id).state, 'fulfil').map((e) => e.id)).toEqual([fulfil.id]);
    expect(elementOf(d.instance(id).state, 'fulfil')[0].variables).toEqual({ x: 1 });
    expect(d.tokenElements(id)).toEqual(['pack:WAITING', 'ship:WAITING']);

    // With the process instance as ancestor, a new instance of the subprocess is created.
    d.step(id, [modify({ activate: [{ elementId: 'ship', ancestorElementInstanceId: 'i1' }] })]);
    expect(elementOf(d.instance(id).state, 'fulfil')).toHaveLength(2);
    // Now 'ship' alone cannot tell which subprocess instance to go into.
    expect(
      checkModification(d.process('repair'), d.instance(id).state, {
        activate: [{ elementId: 'pack' }],
        terminate: [],
      }),
    ).toEqual([
      expect.objectContaining({
        elementId: 'pack',
        message: expect.stringContaining("'fulfil' has 2 active instances"),
      }),
    ]);
  });

  it('activating a multi-instance element creates its body; an element inside one that does not run is refused', async () => {
    const { d, id } = await atCharge();
    expect(
      checkModification(d.process('repair'), d.instance(id).state, {
        activate: [{ elementId: 'itemTask' }],
        terminate: [],
      }),
    ).toEqual([
      expect.objectContaining({
        elementId: 'itemTask',
        message: expect.stringContaining("multi-instance element 'batch'"),
      }),
    ]);
    d.step(id, [modify({ activate: [{ elementId: 'batch' }] })]);
    expect(d.jobsOf(id, 'itemTask')).toHaveLength(2);
    // Inside a running inner instance, named as ancestor, it is allowed.
    const inner = elementOf(d.instance(id).state, 'batch').find((e) => e.loopIndex === 0);
    d.step(id, [
      modify({ activate: [{ elementId: 'itemTask', ancestorElementInstanceId: inner?.id }] }),
    ]);
    expect(d.jobsOf(id, 'itemTask')).toHaveLength(3);
  });

  it('invalid instructions change nothing and each problem names its culprit', async () => {
    const { d, id, charge } = await atCharge();
    const process = d.process('repair');
    const before = d.instance(id).state;
    const bad: Modification = {
      activate: [
        { elementId: 'nope' },
        { elementId: 'start' },
        { elementId: 'late' },
        { elementId: 'f2' },
        { elementId: 'ship', ancestorElementInstanceId: charge },
        { elementId: 'ship', ancestorElementInstanceId: '999' },
        { elementId: 'charge', variables: [{ scopeId: 'fulfil', variables: { a: 1 } }] },
        { elementId: 'pack' },
      ],
      terminate: [{ elementInstanceId: '12345' }, { elementId: 'ghost' }],
    };
    const problems = checkModification(process, before, bad);
    expect(problems.map((p) => p.elementId ?? p.elementInstanceId)).toEqual([
      'nope',
      'start',
      'late',
      'f2',
      'ship',
      'ship',
      'fulfil',
      '12345',
      'ghost',
    ]);
    expect(problems[3].message).toContain('sequence flow');
    expect(problems[4]).toEqual(
      expect.objectContaining({
        elementInstanceId: charge,
        message: expect.stringContaining('not an instance of a flow scope'),
      }),
    );

    // One bad instruction among good ones: the step applies nothing.
    const result = execute(
      process,
      before,
      [
        modify({
          activate: [{ elementId: 'pack' }, { elementId: 'start' }],
          terminate: [{ elementInstanceId: charge }],
        }),
      ],
      d.env,
    );
    expect(result.effects).toEqual([]);
    expect(result.state).toEqual(before);

    // An activation inside a scope instance the same modification terminates is refused (Zeebe).
    d.step(id, [
      modify({ activate: [{ elementId: 'pack' }], terminate: [{ elementInstanceId: charge }] }),
    ]);
    const fulfil = elementOf(d.instance(id).state, 'fulfil')[0];
    expect(
      checkModification(process, d.instance(id).state, {
        activate: [{ elementId: 'ship' }],
        terminate: [{ elementInstanceId: fulfil.id }],
      }),
    ).toEqual([expect.objectContaining({ elementId: 'ship', elementInstanceId: fulfil.id })]);
  });

  it('a suspended or ended instance is not modified', async () => {
    const { d, id, charge } = await atCharge();
    d.suspend(id);
    const problems = checkModification(d.process('repair'), d.instance(id).state, {
      activate: [],
      terminate: [{ elementInstanceId: charge }],
    });
    expect(problems).toEqual([
      expect.objectContaining({ message: expect.stringContaining('is SUSPENDED') }),
    ]);
    d.resume(id);
    d.completeJob(id, 'charge');
    d.completeJob(id, 'pack');
    d.completeJob(id, 'ship');
    expect(
      checkModification(d.process('repair'), d.instance(id).state, {
        activate: [{ elementId: 'pack' }],
        terminate: [],
      })[0].message,
    ).toContain('is COMPLETED');
  });

  it('with run: false the activated element waits READY for a worker, and the terminations apply at once', async () => {
    const { d, id, charge } = await atCharge();
    const process = d.process('repair');
    const result = execute(
      process,
      d.instance(id).state,
      [modify({ activate: [{ elementId: 'pack' }], terminate: [{ elementInstanceId: charge }] })],
      d.env,
      { run: false },
    );
    expect(result.effects.filter((e) => e.type === 'cancelJob')).toEqual([
      { type: 'cancelJob', key: charge, elementInstanceId: charge },
    ]);
    const pack = elementOf(result.state, 'pack')[0];
    expect(pack).toEqual(expect.objectContaining({ state: 'READY', pending: 'activate' }));
    const ran = execute(process, result.state, [], d.env);
    expect(ran.effects).toEqual(
      expect.arrayContaining([expect.objectContaining({ type: 'createJob', elementId: 'pack' })]),
    );
  });
  it('a created subprocess opens its event subprocess subscriptions, and terminating it closes them', async () => {
    const d = await Driver.load(['subprocess/event-subprocess-in-subprocess.bpmn']);
    const id = d.start('event-subprocess-in-subprocess', { orderId: 'o-1' });
    const [job] = d.jobsOf(id, 'long_work');
    const opened = () =>
      [...d.messages.values()].filter((m) => m.instanceId === id).map((m) => m.elementId);
    expect(opened()).toEqual(['cancel_start']);
    // A second 'sub' next to the first, through the process as ancestor: its own subscription opens.
    d.step(id, [modify({ activate: [{ elementId: 'cleanup', ancestorElementInstanceId: 'i1' }] })]);
    // The new scopes were entered, the task ran through, and the new 'sub' completed on its own path (to 'end').
    expect(d.trail(id).slice(-10)).toEqual([
      'ELEMENT_ACTIVATED sub subProcess',
      'ELEMENT_ACTIVATED on_cancel subProcess',
      'ELEMENT_ACTIVATED cleanup task',
      'ELEMENT_COMPLETED cleanup task',
      'ELEMENT_ACTIVATED cancel_end endEvent',
      'ELEMENT_COMPLETED cancel_end endEvent',
      'ELEMENT_COMPLETED on_cancel subProcess',
      'ELEMENT_COMPLETED sub subProcess',
      'ELEMENT_ACTIVATED end endEvent',
      'ELEMENT_COMPLETED end endEvent',
    ]);
    expect(d.status(id)).toBe('ACTIVE');
    // The second 'sub' had its own subscription while it ran; it closed when that 'sub' completed.
    expect(d.effectLog.filter((e) => e.type === 'openMessageSubscription')).toHaveLength(2);
    expect(opened()).toEqual(['cancel_start']);
    d.step(id, [
      modify({
        terminate: [{ elementInstanceId: job.elementInstanceId }],
        activate: [{ elementId: 'end' }],
      }),
    ]);
    expect(opened()).toEqual([]);
    expect(d.status(id)).toBe('COMPLETED');
  });

  it('the events after an event-based gateway cannot be activated; the gateway can', async () => {
    const d = await Driver.load(['gateways/event-based.bpmn']);
    const id = d.start('event-based', { orderId: 'o-1' });
    const process = d.process('event-based');
    expect(
      checkModification(process, d.instance(id).state, {
        activate: [{ elementId: 'payment' }],
        terminate: [],
      }),
    ).toEqual([
      expect.objectContaining({
        elementId: 'payment',
        message: expect.stringContaining('event-based gateway'),
      }),
    ]);
    d.step(id, [modify({ activate: [{ elementId: 'ship' }], terminate: [{ elementId: 'wait' }] })]);
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.timers.size).toBe(0);
    expect([...d.messages.values()].filter((m) => m.instanceId === id)).toEqual([]);
  });
});

import { Driver } from '../support/driver';

describe('variable scoping', () => {
  it('a variable that exists in a subprocess scope (input mapping) is updated there, not in the process', async () => {
    const d = await Driver.load(['variables/subprocess-local.bpmn']);
    const id = d.start('subprocess-local', { orderId: 'o-1' });
    const [job] = d.jobsOf(id, 'try');
    expect(job.variables).toEqual({ orderId: 'o-1', attempts: 0 });
    d.completeJob(id, 'try', { attempts: 3, note: 'ok' });
    expect(d.status(id)).toBe('COMPLETED');
    // attempts stayed local to the subprocess and left it only through the output mapping;
    // note existed nowhere, so it landed in the process scope.
    expect(d.variables(id)).toEqual({ orderId: 'o-1', note: 'ok', lastAttempts: 3 });
  });

  it('job completion variables without output mappings land in the process scope, overwriting existing ones', async () => {
    const d = await Driver.load(['variables/subprocess-local.bpmn']);
    const id = d.start('subprocess-local', { orderId: 'o-1', note: 'old' });
    d.completeJob(id, 'try', { orderId: 'o-2', note: 'new', extra: { a: 1 } });
    expect(d.variables(id)).toEqual({
      orderId: 'o-2',
      note: 'new',
      extra: { a: 1 },
      lastAttempts: 0,
    });
  });

  it('setVariables merges into the process scope by default (PATCH) and into a given scope when named', async () => {
    const d = await Driver.load(['variables/subprocess-local.bpmn']);
    const id = d.start('subprocess-local', { orderId: 'o-1', keep: true });
    d.setVariables(id, { orderId: 'o-9', added: [1, 2] });
    expect(d.variables(id)).toEqual({ orderId: 'o-9', keep: true, added: [1, 2] });
    // Write into the subprocess's own scope: the local wins there and does not leak.
    const state = d.instance(id).state;
    const sub = Object.values(state.elements).find((e) => e.elementId === 'attempt');
    expect(sub?.variables).toEqual({ attempts: 0 });
    d.step(id, [
      { type: 'setVariables', elementInstanceId: sub?.id as string, variables: { attempts: 5 } },
    ]);
    expect(d.variables(id)).toEqual({ orderId: 'o-9', keep: true, added: [1, 2] });
    d.completeJob(id, 'try');
    expect(d.variables(id)).toEqual({ orderId: 'o-9', keep: true, added: [1, 2], lastAttempts: 5 });
  });
});

describe('setVariables with propagate (Camunda\'s non-local set variables)', () => {
  it('each variable updates the nearest scope that has it, from the element instance up; the rest land in the process scope', async () => {
    const d = await Driver.load(['variables/subprocess-local.bpmn']);
    const id = d.start('subprocess-local', { orderId: 'o-1' });
    const elements = Object.values(d.instance(id).state.elements);
    const task = elements.find((e) => e.elementId === 'try');
    const sub = elements.find((e) => e.elementId === 'attempt');
    d.step(id, [{ type: 'setVariables', elementInstanceId: task?.id as string, propagate: true, variables: { attempts: 7, fresh: 'x', 'a.b': 1 } }]);

    const after = d.instance(id).state.elements;
    expect(after[sub?.id as string].variables).toEqual({ attempts: 7 });
    expect(after[task?.id as string].variables ?? {}).toEqual({});
    // A dotted name is a name here, not a path.
    expect(d.variables(id)).toEqual({ orderId: 'o-1', fresh: 'x', 'a.b': 1 });
    d.completeJob(id, 'try');
    expect(d.variables(id)).toEqual({ orderId: 'o-1', fresh: 'x', 'a.b': 1, lastAttempts: 7 });
  });
});

describe('call activity variables', () => {
  const files = ['subprocess/call-activity-propagation.bpmn', 'subprocess/propagation-child.bpmn'];
  const childOf = (d: Driver, parentId: string, n: number): string => {
    const children = [...d.instances.values()].filter((i) => i.parent?.instanceId === parentId);
    return children[n].id;
  };

  it('propagateAllChildVariables: every child variable comes back; false + output mappings: only the mapped ones; propagateAllParentVariables=false: only the inputs go in', async () => {
    const d = await Driver.load(files);
    const id = d.start('call-activity-propagation', { value: 1, secret: 's' });

    // 1. call_all: the child sees all parent variables and hands all of its own back.
    const first = childOf(d, id, 0);
    expect(d.variables(first)).toEqual({ value: 1, secret: 's' });
    expect(d.instance(first).parent?.instanceId).toBe(id);
    d.completeJob(first, 'child_work', { value: 2, fromChild: 'a' });
    expect(d.status(first)).toBe('COMPLETED');
    expect(d.variables(id)).toEqual({ value: 2, secret: 's', fromChild: 'a' });

    // 2. call_mapped: propagateAllChildVariables=false, only the output mapping comes back.
    const second = childOf(d, id, 1);
    expect(d.variables(second)).toEqual({ value: 2, secret: 's', fromChild: 'a' });
    d.completeJob(second, 'child_work', { result: 4, childOnly: 'x' });
    expect(d.variables(id)).toEqual({ value: 2, secret: 's', fromChild: 'a', mappedResult: 40 });

    // 3. call_isolated: propagateAllParentVariables=false, the child sees only its input mapping.
    const third = childOf(d, id, 2);
    expect(d.variables(third)).toEqual({ value: 2 });
    d.completeJob(third, 'child_work', { value: 99, isolatedOut: true });
    expect(d.status(id)).toBe('COMPLETED');
    // value is a local of the call activity (its input mapping), so the child's value stays there.
    expect(d.variables(id)).toEqual({
      value: 2,
      secret: 's',
      fromChild: 'a',
      mappedResult: 40,
      isolatedOut: true,
    });
    expect(d.completed(id)).toEqual([
      'start',
      'call_all',
      'call_mapped',
      'call_isolated',
      'end',
      'call-activity-propagation',
    ]);
  });

  it('cancelling the parent cancels the waiting child and its job', async () => {
    const d = await Driver.load(files);
    const id = d.start('call-activity-propagation', { value: 1 });
    const child = childOf(d, id, 0);
    expect(d.jobsOf(child)).toHaveLength(1);
    d.cancel(id);
    expect(d.status(id)).toBe('CANCELED');
    expect(d.status(child)).toBe('CANCELED');
    expect(d.jobs.size).toBe(0);
    expect(d.trail(id, ['ELEMENT_TERMINATED'])).toEqual([
      'ELEMENT_TERMINATED call_all callActivity',
      'ELEMENT_TERMINATED call-activity-propagation process',
    ]);
    expect(d.trail(child, ['ELEMENT_TERMINATED'])).toEqual([
      'ELEMENT_TERMINATED child_work serviceTask',
      'ELEMENT_TERMINATED propagation-child process',
    ]);
  });
});

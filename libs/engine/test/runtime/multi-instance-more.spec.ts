import type { Variables } from '../../src';
import { Driver } from '../support/driver';

/** Completes one particular job (the driver's helper takes the first of an element). */
function completeJob(
  d: Driver,
  instanceId: string,
  job: { key: string; elementInstanceId: string },
  variables?: Variables,
): void {
  d.jobs.delete(job.key);
  d.step(instanceId, [{ type: 'complete', elementInstanceId: job.elementInstanceId, variables }]);
}

describe('multi-instance', () => {
  it('loop cardinality without a collection: one inner instance per count, each with its loopCounter', async () => {
    const d = await Driver.load(['multi-instance/loop-cardinality.bpmn']);
    const id = d.start('multi-instance-cardinality', { times: 3 });
    const jobs = d.jobsOf(id, 'ping');
    expect(jobs.map((j) => j.variables)).toEqual([
      { times: 3, loopCounter: 1 },
      { times: 3, loopCounter: 2 },
      { times: 3, loopCounter: 3 },
    ]);
    for (const _ of jobs) d.completeJob(id, 'ping');
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.variables(id)).toEqual({ times: 3 });
    expect(d.trail(id)).toEqual([
      'ELEMENT_ACTIVATED multi-instance-cardinality process',
      'ELEMENT_ACTIVATED start startEvent',
      'ELEMENT_COMPLETED start startEvent',
      'ELEMENT_ACTIVATED ping multiInstanceBody',
      'ELEMENT_ACTIVATED ping serviceTask',
      'ELEMENT_ACTIVATED ping serviceTask',
      'ELEMENT_ACTIVATED ping serviceTask',
      'ELEMENT_COMPLETED ping serviceTask',
      'ELEMENT_COMPLETED ping serviceTask',
      'ELEMENT_COMPLETED ping serviceTask',
      'ELEMENT_COMPLETED ping multiInstanceBody',
      'ELEMENT_ACTIVATED end endEvent',
      'ELEMENT_COMPLETED end endEvent',
      'ELEMENT_COMPLETED multi-instance-cardinality process',
    ]);
  });

  it('a loop cardinality of 0 completes the body at once; a negative one is an EXPRESSION_ERROR', async () => {
    const d = await Driver.load(['multi-instance/loop-cardinality.bpmn']);
    const none = d.start('multi-instance-cardinality', { times: 0 });
    expect(d.status(none)).toBe('COMPLETED');
    expect(d.jobs.size).toBe(0);
    const bad = d.start('multi-instance-cardinality', { times: -1 });
    expect(d.incidentsOf(bad)).toEqual([
      expect.objectContaining({ elementId: 'ping', type: 'EXPRESSION_ERROR' }),
    ]);
  });

  it('sequential without a completion condition: items one at a time, in order; output in item order', async () => {
    const d = await Driver.load(['multi-instance/sequential.bpmn']);
    const id = d.start('multi-instance-sequential-jobs', { items: ['a', 'b', 'c'] });
    const seen: unknown[] = [];
    for (let i = 0; i < 3; i++) {
      const jobs = d.jobsOf(id, 'handle');
      expect(jobs).toHaveLength(1);
      seen.push([jobs[0].variables.item, jobs[0].variables.loopCounter]);
      d.completeJob(id, 'handle');
    }
    expect(seen).toEqual([
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ]);
    expect(d.status(id)).toBe('COMPLETED');
    // The input element and loopCounter stay local to the inner instances; the output collection lands in the process scope.
    expect(d.variables(id)).toEqual({ items: ['a', 'b', 'c'], results: ['A', 'B', 'C'] });
  });

  it('parallel with a completion condition: the remaining inner jobs are canceled', async () => {
    const d = await Driver.load(['multi-instance/parallel-completion-condition.bpmn']);
    const id = d.start('multi-instance-parallel-completion', {
      suppliers: ['s1', 's2', 's3', 's4'],
    });
    const jobs = d.jobsOf(id, 'ask_quote');
    expect(jobs.map((j) => j.variables.supplier)).toEqual(['s1', 's2', 's3', 's4']);
    // The output element `quote` is a null local of every inner instance from the start.
    expect(jobs.map((j) => j.variables.quote)).toEqual([null, null, null, null]);
    completeJob(d, id, jobs[2], { quote: 30 });
    expect(d.jobs.size).toBe(3);
    completeJob(d, id, jobs[0], { quote: 10 });
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.jobs.size).toBe(0);
    expect(
      d.effectLog
        .filter((e) => e.type === 'cancelJob')
        .map((e) => (e as { elementInstanceId: string }).elementInstanceId),
    ).toEqual([jobs[1].elementInstanceId, jobs[3].elementInstanceId]);
    expect(d.trail(id, ['ELEMENT_TERMINATED'])).toEqual([
      'ELEMENT_TERMINATED ask_quote serviceTask',
      'ELEMENT_TERMINATED ask_quote serviceTask',
    ]);
    // The output mapping onto the output element stays in the inner instance; only the collection propagates.
    expect(d.variables(id)).toEqual({
      suppliers: ['s1', 's2', 's3', 's4'],
      quotes: [10, null, 30, null],
    });
    // A late completion of a canceled job changes nothing.
    const before = JSON.stringify(d.instance(id).state);
    d.step(id, [
      { type: 'complete', elementInstanceId: jobs[1].elementInstanceId, variables: { quote: 20 } },
    ]);
    expect(JSON.stringify(d.instance(id).state)).toBe(before);
  });

  it('multi-instance subprocess: the output element is local to each inner subprocess, so interleaved results do not mix', async () => {
    const d = await Driver.load(['multi-instance/subprocess.bpmn']);
    const orders = [{ id: 'o1' }, { id: 'o2' }];
    const id = d.start('multi-instance-subprocess', { orders });
    const jobs = d.jobsOf(id, 'price');
    expect(jobs.map((j) => j.variables)).toEqual([
      { orders, totals: [null, null], order: { id: 'o1' }, loopCounter: 1, total: null },
      { orders, totals: [null, null], order: { id: 'o2' }, loopCounter: 2, total: null },
    ]);
    // Both prices arrive before either inner subprocess completes.
    completeJob(d, id, jobs[1], { total: 20, pricedBy: 'w2' });
    completeJob(d, id, jobs[0], { total: 10 });
    // `total` went into the inner subprocesses; `pricedBy` exists nowhere, so it went to the process.
    expect(d.variables(id)).toEqual({ orders, pricedBy: 'w2' });
    expect(d.tokenElements(id)).toEqual(['approve:WAITING', 'approve:WAITING']);
    const tasks = [...d.userTasks.values()];
    for (const task of tasks) {
      d.userTasks.delete(task.key);
      d.step(id, [{ type: 'complete', elementInstanceId: task.elementInstanceId }]);
    }
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.variables(id)).toEqual({ orders, pricedBy: 'w2', totals: [10, 20] });
    expect(d.trail(id, ['ELEMENT_ACTIVATED']).filter((l) => l.includes(' price_order '))).toEqual([
      'ELEMENT_ACTIVATED price_order multiInstanceBody',
      'ELEMENT_ACTIVATED price_order subProcess',
      'ELEMENT_ACTIVATED price_order subProcess',
    ]);
  });

  it('multi-instance call activity: one child per item, each result collected', async () => {
    const d = await Driver.load([
      'multi-instance/call-activity.bpmn',
      'multi-instance/call-activity-child.bpmn',
    ]);
    const id = d.start('multi-instance-call-activity', { numbers: [3, 5] });
    const children = [...d.instances.values()].filter((i) => i.parent?.instanceId === id);
    expect(children).toHaveLength(2);
    // Each child gets every variable visible to its inner instance.
    expect(children.map((c) => d.variables(c.id))).toEqual([
      { numbers: [3, 5], doubledAll: [null, null], n: 3, loopCounter: 1, doubled: null },
      { numbers: [3, 5], doubledAll: [null, null], n: 5, loopCounter: 2, doubled: null },
    ]);
    d.completeJob(children[1].id, 'double', { doubled: 10 });
    expect(d.status(children[1].id)).toBe('COMPLETED');
    expect(d.status(id)).toBe('ACTIVE');
    d.completeJob(children[0].id, 'double', { doubled: 6 });
    expect(d.status(id)).toBe('COMPLETED');
    // doubled, n and loopCounter came back into the inner instances' locals; only the collection reaches the process.
    expect(d.variables(id)).toEqual({ numbers: [3, 5], doubledAll: [6, 10] });
  });

  it('cancelling the instance while a multi-instance call activity runs cancels every child', async () => {
    const d = await Driver.load([
      'multi-instance/call-activity.bpmn',
      'multi-instance/call-activity-child.bpmn',
    ]);
    const id = d.start('multi-instance-call-activity', { numbers: [1, 2, 3] });
    d.cancel(id);
    const children = [...d.instances.values()].filter((i) => i.parent?.instanceId === id);
    expect(children.map((c) => c.state.status)).toEqual(['CANCELED', 'CANCELED', 'CANCELED']);
    expect(d.jobs.size).toBe(0);
  });
});

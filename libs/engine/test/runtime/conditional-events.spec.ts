import { compileBpmn, type Variables } from '../../src';
import { around, processXml } from '../model/model-test-helpers';
import { Driver } from '../support/driver';

const FIXTURE = 'events/conditional-events.bpmn';

/** Sets variables as locals of the live instance of `elementId`. */
function setLocal(d: Driver, id: string, elementId: string, variables: Variables): void {
  const inst = Object.values(d.instance(id).state.elements).find((e) => e.elementId === elementId);
  if (inst === undefined) throw new Error(`no live ${elementId}`);
  d.step(id, [{ type: 'setVariables', elementInstanceId: inst.id, variables }]);
}

describe('conditional boundary events', () => {
  it('an interrupting boundary whose condition is already true when the activity is entered fires at once', async () => {
    const d = await Driver.load([FIXTURE]);
    const id = d.start('cond-boundary', { x: 11 });
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.trail(id)).toEqual([
      'ELEMENT_ACTIVATED cond-boundary process',
      'ELEMENT_ACTIVATED start startEvent',
      'ELEMENT_COMPLETED start startEvent',
      'ELEMENT_ACTIVATED work serviceTask',
      'ELEMENT_TERMINATED work serviceTask',
      'ELEMENT_ACTIVATED too_big boundaryEvent',
      'ELEMENT_COMPLETED too_big boundaryEvent',
      'ELEMENT_ACTIVATED escalated endEvent',
      'ELEMENT_COMPLETED escalated endEvent',
      'ELEMENT_COMPLETED cond-boundary process',
    ]);
    expect(d.jobs.size).toBe(0);
    expect(d.effectLog.filter((e) => e.type === 'cancelJob')).toHaveLength(1);
  });

  it('fires when a variable change makes the condition true, not before', async () => {
    const d = await Driver.load([FIXTURE]);
    const id = d.start('cond-boundary', { x: 1 });
    expect(d.tokenElements(id)).toEqual(['work:WAITING']);
    d.setVariables(id, { x: 5 });
    d.setVariables(id, { y: 50 });
    expect(d.tokenElements(id)).toEqual(['work:WAITING']);
    d.setVariables(id, { x: 11 });
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.completed(id)).toContain('escalated');
    expect(d.completed(id)).not.toContain('done');
    expect(d.jobs.size).toBe(0);
  });

  it('variables changed while the instance was suspended are evaluated when it resumes', async () => {
    const d = await Driver.load([FIXTURE]);
    const id = d.start('cond-boundary', { x: 1 });
    d.suspend(id);
    d.setVariables(id, { x: 11 });
    expect(d.tokenElements(id)).toEqual(['work:WAITING']);
    d.resume(id);
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.completed(id)).toContain('escalated');
  });

  it("the activity's own job variables do not fire its boundary (the subscription closes as it completes)", async () => {
    const d = await Driver.load([FIXTURE]);
    const id = d.start('cond-boundary', { x: 1 });
    d.completeJob(id, 'work', { x: 50 });
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.completed(id)).toContain('done');
    expect(d.trail(id).some((l) => l.includes('too_big'))).toBe(false);
    expect(d.variables(id)).toEqual({ x: 50 });
  });

  it('a non-interrupting boundary fires once per change that leaves the condition true; the task goes on', async () => {
    const d = await Driver.load([FIXTURE]);
    const id = d.start('cond-boundary-nonint', { score: 0 });
    const notified = (): number => d.completed(id).filter((e) => e === 'notified').length;
    expect(notified()).toBe(0);
    // A job of the parallel branch sets the variable.
    d.completeJob(id, 'compute', { score: 20 });
    expect(notified()).toBe(1);
    expect(d.tokenElements(id)).toEqual(['review:WAITING']);
    // The same value again is no change; other variables are not watched.
    d.setVariables(id, { score: 20 });
    d.setVariables(id, { other: 1 });
    expect(notified()).toBe(1);
    // A new value that keeps it true fires again; one that makes it false does not.
    d.setVariables(id, { score: 30 });
    expect(notified()).toBe(2);
    d.setVariables(id, { score: 5 });
    expect(notified()).toBe(2);
    // One command changing the variable and others fires once.
    d.setVariables(id, { score: 40, other: 2 });
    expect(notified()).toBe(3);
    d.completeUserTask(id, 'review');
    expect(d.status(id)).toBe('COMPLETED');
    expect(notified()).toBe(3);
  });

  it('the outer scope is evaluated first: its interrupting boundary wins over the one inside', async () => {
    const d = await Driver.load([FIXTURE]);
    const id = d.start('cond-nested', { stop: false });
    expect(d.tokenElements(id)).toEqual(['inner:WAITING']);
    d.setVariables(id, { stop: true });
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.completed(id)).toContain('outer_end');
    expect(d.trail(id).some((l) => l.includes('inner_stop'))).toBe(false);
  });

  it('a local variable of the activity fires only the boundaries that see it', async () => {
    const d = await Driver.load([FIXTURE]);
    const id = d.start('cond-nested', { stop: false });
    setLocal(d, id, 'inner', { stop: true });
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.completed(id)).toEqual(expect.arrayContaining(['inner_stop', 'sub', 's_end']));
    expect(d.trail(id).some((l) => l.includes('outer_stop'))).toBe(false);
  });
});

describe('conditional intermediate catch events', () => {
  it('waits until the condition is true; a true condition at entry passes at once', async () => {
    const d = await Driver.load([FIXTURE]);
    const waiting = d.start('cond-catch', {});
    expect(d.tokenElements(waiting)).toEqual(['wait_ready:WAITING']);
    d.setVariables(waiting, { ready: false });
    expect(d.tokenElements(waiting)).toEqual(['wait_ready:WAITING']);
    d.setVariables(waiting, { ready: true });
    expect(d.tokenElements(waiting)).toEqual(['wait_update:WAITING']);

    const passing = d.start('cond-catch', { ready: true });
    expect(d.tokenElements(passing)).toEqual(['wait_update:WAITING']);
  });

  it('variableEvents="update" ignores the creation of the variable', async () => {
    const d = await Driver.load([FIXTURE]);
    const id = d.start('cond-catch', { ready: true });
    d.setVariables(id, { count: 5 });
    expect(d.tokenElements(id)).toEqual(['wait_update:WAITING']);
    d.setVariables(id, { count: 6 });
    expect(d.status(id)).toBe('COMPLETED');
  });

  it('variableNames replaces the names the condition reads', async () => {
    const d = await Driver.load([FIXTURE]);
    const id = d.start('cond-names', {});
    d.setVariables(id, { a: 5 });
    expect(d.tokenElements(id)).toEqual(['v_wait:WAITING']);
    d.setVariables(id, { go: 1 });
    expect(d.status(id)).toBe('COMPLETED');
  });

  it('a condition that is not a boolean or fails to evaluate counts as false, without an incident (Camunda 8)', async () => {
    const d = await Driver.load([FIXTURE]);
    const id = d.start('cond-fail', {});
    expect(d.tokenElements(id)).toEqual(['f_wait:WAITING']);
    // A number, then a failed assert(): neither fires.
    d.setVariables(id, { x: 'big' });
    expect(d.tokenElements(id)).toEqual(['f_wait:WAITING']);
    d.setVariables(id, { x: 'boom' });
    expect(d.tokenElements(id)).toEqual(['f_wait:WAITING']);
    expect(d.incidentsOf(id)).toEqual([]);
    d.setVariables(id, { x: 'go' });
    expect(d.status(id)).toBe('COMPLETED');
  });
});

describe('conditional event subprocesses', () => {
  it('a non-interrupting one runs beside the work, an interrupting one ends it', async () => {
    const d = await Driver.load([FIXTURE]);
    const id = d.start('cond-esp', { amount: 5 });
    expect(d.tokenElements(id)).toEqual(['e_work:WAITING']);
    d.setVariables(id, { amount: 500 });
    expect(d.completed(id)).toContain('big_end');
    expect(d.tokenElements(id)).toEqual(['e_work:WAITING']);
    d.setVariables(id, { cancelled: true });
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.completed(id)).toContain('cancel_end');
    expect(d.trail(id)).toContain('ELEMENT_TERMINATED e_work serviceTask');
    expect(d.jobs.size).toBe(0);
  });

  it('a start condition that is not a boolean does not fire, and blocks nothing', async () => {
    const d = await Driver.load([FIXTURE]);
    const id = d.start('cond-esp-fail', {});
    d.setVariables(id, { flag: 'yes' });
    expect(d.incidentsOf(id)).toEqual([]);
    expect(d.completed(id)).not.toContain('flag_end');
    d.setVariables(id, { flag: true });
    expect(d.completed(id)).toContain('flag_end');
    expect(d.tokenElements(id)).toEqual(['g_work:WAITING']);
    d.completeJob(id, 'g_work');
    expect(d.status(id)).toBe('COMPLETED');
  });

  it('an interrupting one whose condition holds when the process starts takes over at once', async () => {
    const d = await Driver.load([FIXTURE]);
    const id = d.start('cond-esp', { cancelled: true, amount: 1 });
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.completed(id)).toContain('cancel_end');
    expect(d.trail(id).some((l) => l.includes('e_work'))).toBe(false);
  });
});

describe('conditional events at deploy', () => {
  const conditional = (body: string, extra = ''): string =>
    `<bpmn:conditionalEventDefinition id="d">${extra}<bpmn:condition xsi:type="bpmn:tFormalExpression">${body}</bpmn:condition></bpmn:conditionalEventDefinition>`;

  it('reads the condition and the zeebe:conditionalFilter', async () => {
    const result = await compileBpmn(
      around(
        `<bpmn:intermediateCatchEvent id="m">${conditional(
          '= a &gt; b',
          '<bpmn:extensionElements><zeebe:conditionalFilter variableNames="a, c" variableEvents="create" /></bpmn:extensionElements>',
        )}</bpmn:intermediateCatchEvent>`,
      ),
    );
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    const event = result.definitions.processes[0].nodes.get('m')?.event;
    expect(event?.kind).toBe('conditional');
    expect(event?.conditional?.condition.source).toBe('a > b');
    expect(event?.conditional?.variableNames).toEqual(['a', 'c']);
    expect(event?.conditional?.variableEvents).toEqual(['create']);
  });

  it.each([
    ['a static condition', conditional('x &gt; 1'), /condition must be a FEEL expression starting with '='/],
    ['an empty condition', conditional(''), /has no condition/],
    [
      'an unknown variable event',
      conditional('= x', '<bpmn:extensionElements><zeebe:conditionalFilter variableEvents="delete" /></bpmn:extensionElements>'),
      /variableEvents 'delete' is not supported/,
    ],
  ])('refuses %s', async (_what, definition, message) => {
    const result = await compileBpmn(around(`<bpmn:intermediateCatchEvent id="m">${definition}</bpmn:intermediateCatchEvent>`));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual([expect.objectContaining({ elementId: 'm', message: expect.stringMatching(message) })]);
  });

  it('deploys a conditional start event of the process itself (started by evaluateConditionalStarts)', async () => {
    const result = await compileBpmn(
      processXml(
        `<bpmn:startEvent id="s">${conditional('= go')}</bpmn:startEvent><bpmn:endEvent id="e" /><bpmn:sequenceFlow id="f" sourceRef="s" targetRef="e" />`,
      ),
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const process = result.definitions.processes[0];
    expect(process.startEvents.conditional).toEqual(['s']);
    expect(process.nodes.get('s')?.event?.conditional?.condition.source).toBe('go');
  });
});

import { compileBpmn, createInstance, evaluateConditionalStarts, execute, type CompiledProcess } from '../../src';
import { processXml } from '../model/model-test-helpers';

const start = (id: string, condition: string, extra = ''): string =>
  `<bpmn:startEvent id="${id}"><bpmn:conditionalEventDefinition id="${id}_d">${extra}<bpmn:condition xsi:type="bpmn:tFormalExpression">${condition}</bpmn:condition></bpmn:conditionalEventDefinition></bpmn:startEvent>
   <bpmn:sequenceFlow id="${id}_f" sourceRef="${id}" targetRef="end" />`;

async function compile(body: string): Promise<CompiledProcess> {
  const result = await compileBpmn(processXml(`${body}<bpmn:endEvent id="end" />`));
  if (!result.ok) throw new Error(result.errors.map((e) => `${e.elementId}: ${e.message}`).join('; '));
  return result.definitions.processes[0];
}

describe('process-level conditional start events', () => {
  it('deploy: they are the conditional start events of the process, next to a none start event', async () => {
    const process = await compile(`<bpmn:startEvent id="plain" /><bpmn:sequenceFlow id="pf" sourceRef="plain" targetRef="end" />
      ${start('big', '= amount &gt; 100')}${start('vip', '= customer = "vip"')}`);
    expect(process.startEvents).toEqual({ none: ['plain'], message: [], timer: [], signal: [], conditional: ['big', 'vip'] });
    expect(process.nodes.get('big')?.event?.conditional?.condition.variables).toEqual(['amount']);
  });

  it('deploy: two conditional start events with the same condition are refused, naming the second', async () => {
    const result = await compileBpmn(processXml(`${start('a', '= go')}${start('b', ' = go ')}<bpmn:endEvent id="end" />`));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual([expect.objectContaining({ elementId: 'b', elementType: 'startEvent', message: expect.stringMatching(/'go' is already the condition of .*'a'/) })]);
  });

  it('picks every start event whose condition is true, in model order', async () => {
    const process = await compile(`${start('big', '= amount &gt; 100')}${start('vip', '= customer = "vip"')}${start('any', '= amount != null')}`);
    expect(evaluateConditionalStarts(process, { amount: 500, customer: 'vip' })).toEqual(['big', 'vip', 'any']);
    expect(evaluateConditionalStarts(process, { amount: 5, customer: 'vip' })).toEqual(['vip', 'any']);
    expect(evaluateConditionalStarts(process, { amount: 5 })).toEqual(['any']);
    expect(evaluateConditionalStarts(process, {})).toEqual([]);
  });

  it('only true holds: false, a non-boolean and a failing condition start nothing', async () => {
    const process = await compile(
      `${start('no', '= amount &gt; 100')}${start('text', '= customer')}${start('fails', '= now() != null')}${start('yes', '= amount &lt; 100')}`,
    );
    // now() has no clock in the engine core: that condition fails to evaluate and counts as false.
    expect(evaluateConditionalStarts(process, { amount: 5, customer: 'vip' })).toEqual(['yes']);
    // With a clock the same condition evaluates (and holds).
    expect(evaluateConditionalStarts(process, { amount: 5, customer: 'vip' }, { env: { now: () => Date.parse('2026-01-01T00:00:00Z') } })).toEqual(['fails', 'yes']);
  });

  it('candidates narrow the start events looked at', async () => {
    const process = await compile(`${start('a', '= x = 1')}${start('b', '= x &gt;= 1')}`);
    expect(evaluateConditionalStarts(process, { x: 1 }, { candidates: ['b'] })).toEqual(['b']);
    expect(evaluateConditionalStarts(process, { x: 1 }, { candidates: [] })).toEqual([]);
  });

  it('an instance started at a conditional start event runs from it with the variables', async () => {
    const process = await compile(start('big', '= amount &gt; 100'));
    let n = 0;
    const env = { now: () => 0, newId: () => `id${++n}` };
    const created = createInstance(process, { instanceId: 'i1', variables: { amount: 500 }, startEventId: 'big' }, env);
    expect(created.state.elements[created.state.rootId]).toMatchObject({ variables: { amount: 500 }, startEventId: 'big' });
    const { state, effects } = execute(process, created.state, [], env);
    expect(state.status).toBe('COMPLETED');
    expect(JSON.stringify(effects)).toContain('"big"');
  });
});

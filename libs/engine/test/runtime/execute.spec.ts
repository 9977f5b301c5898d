import { createInstance, execute, EngineError, EngineErrorCode, type InstanceState } from '../../src';
import { Driver } from '../support/driver';

const loop = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="t">
  <bpmn:process id="loop" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:exclusiveGateway id="again" />
    <bpmn:task id="spin" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="again" />
    <bpmn:sequenceFlow id="f2" sourceRef="again" targetRef="spin" />
    <bpmn:sequenceFlow id="f3" sourceRef="spin" targetRef="again" />
  </bpmn:process>
</bpmn:definitions>`;

describe('execute', () => {
  it('does not modify the state it is given', async () => {
    const d = await Driver.load(['tasks/service-task.bpmn']);
    const process = d.process('service-task');
    const { state } = createInstance(process, { instanceId: 'x', variables: { a: 1 } }, d.env);
    const frozen = JSON.stringify(state);
    const next = execute(process, state, [], d.env);
    expect(JSON.stringify(state)).toBe(frozen);
    expect(next.state).not.toBe(state);
    const [job] = next.effects.filter((e) => e.type === 'createJob');
    const afterJob = JSON.stringify(next.state);
    execute(process, next.state, [{ type: 'complete', elementInstanceId: (job as { elementInstanceId: string }).elementInstanceId, variables: { b: 2 } }], d.env);
    expect(JSON.stringify(next.state)).toBe(afterJob);
  });

  it('is deterministic: the same state, events and env give the same result', async () => {
    const d = await Driver.load(['gateways/parallel.bpmn']);
    const process = d.process('parallel');
    const run = () => {
      let n = 0;
      const env = { now: () => 1000, newId: () => `id${++n}` };
      const { state } = createInstance(process, { instanceId: 'x' }, env);
      return JSON.stringify(execute(process, state, [], env));
    };
    expect(run()).toBe(run());
  });

  it('a new instance is READY and runs nothing until executed', async () => {
    const d = await Driver.load(['tasks/script-task.bpmn']);
    const process = d.process('script-task');
    const created = createInstance(process, { instanceId: 'x', variables: { a: 1, b: 2 } }, d.env);
    expect(created.effects).toEqual([]);
    expect(Object.values(created.state.elements)).toEqual([
      expect.objectContaining({ elementType: 'process', state: 'READY', variables: { a: 1, b: 2 } }),
    ]);
  });

  it('refuses to start a process without a none start event, naming it', async () => {
    const d = await Driver.load(['events/timer-start.bpmn']);
    expect(() => createInstance(d.process('timer-start'), { instanceId: 'x' }, d.env)).toThrow(
      expect.objectContaining({ code: EngineErrorCode.NoNoneStartEvent }),
    );
    expect(() => createInstance(d.process('timer-start'), { instanceId: 'x', startEventId: 'nope' }, d.env)).toThrow(EngineError);
  });

  it('refuses a state of another process', async () => {
    const d = await Driver.load(['tasks/script-task.bpmn', 'gateways/parallel.bpmn']);
    const { state } = createInstance(d.process('parallel'), { instanceId: 'x' }, d.env);
    expect(() => execute(d.process('script-task'), state as InstanceState, [], d.env)).toThrow(
      expect.objectContaining({ code: EngineErrorCode.StateMismatch }),
    );
  });

  it('runs a long model without loops to its end whatever the step budget', async () => {
    const d = await Driver.load([], { stepBudget: 50 });
    const { compileBpmn } = await import('../../src');
    const tasks = Array.from({ length: 300 }, (_, i) => `<bpmn:task id="t${i}" />`).join('');
    const flows = Array.from({ length: 299 }, (_, i) => `<bpmn:sequenceFlow id="f${i}" sourceRef="t${i}" targetRef="t${i + 1}" />`).join('');
    const chain = loop
      .replace(/<bpmn:exclusiveGateway[\s\S]*<\/bpmn:process>/, `${tasks}${flows}<bpmn:endEvent id="end" />
        <bpmn:sequenceFlow id="fs" sourceRef="start" targetRef="t0" /><bpmn:sequenceFlow id="fe" sourceRef="t299" targetRef="end" /></bpmn:process>`);
    const compiled = await compileBpmn(chain);
    if (!compiled.ok) throw new Error(JSON.stringify(compiled.errors));
    const process = compiled.definitions.processes[0];
    const { state } = createInstance(process, { instanceId: 'x' }, d.env);
    const result = execute(process, state, [], d.env);
    expect(result.effects.filter((e) => e.type === 'raiseIncident')).toEqual([]);
    expect(result.state.status).toBe('COMPLETED');
  });

  it('stops a loop without a wait state at the step budget with an incident', async () => {
    const d = await Driver.load([], { stepBudget: 50 });
    const { compileBpmn } = await import('../../src');
    const compiled = await compileBpmn(loop);
    if (!compiled.ok) throw new Error(JSON.stringify(compiled.errors));
    const process = compiled.definitions.processes[0];
    const { state } = createInstance(process, { instanceId: 'x' }, d.env);
    const result = execute(process, state, [], d.env);
    const incidents = result.effects.filter((e) => e.type === 'raiseIncident');
    expect(incidents).toEqual([expect.objectContaining({ incidentType: 'STEP_BUDGET_EXCEEDED' })]);
    expect(result.state.status).toBe('ACTIVE');
    // The budget counts repeated activations: the process, start, again and spin once each, then
    // 50 repeats of again/spin; the 51st repeat is stopped before it is activated.
    expect(result.effects.filter((e) => e.type === 'history' && e.historyType === 'ELEMENT_ACTIVATED').length).toBe(54);
    expect(incidents[0]).toEqual(expect.objectContaining({ message: expect.stringContaining('50 times (STEP_BUDGET)') }));
    // The blocked token does not run again until the incident is resolved.
    const again = execute(process, result.state, [], d.env);
    expect(again.effects).toEqual([]);
  });
});

import { ConditionalStartService, RuntimeErrorCode } from '../src';
import { RuntimeKit } from './fakes';

const NS = 'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"';

/** A process whose start events (id -> condition; `null`: a none start event) lead to its end event. */
function processWith(id: string, starts: Record<string, string | null>): string {
  const events = Object.entries(starts)
    .map(([startId, condition]) =>
      condition === null
        ? `<bpmn:startEvent id="${startId}" />`
        : `<bpmn:startEvent id="${startId}"><bpmn:conditionalEventDefinition id="${startId}_d"><bpmn:condition xsi:type="bpmn:tFormalExpression">${condition}</bpmn:condition></bpmn:conditionalEventDefinition></bpmn:startEvent>`,
    )
    .join('');
  const flows = Object.keys(starts)
    .map((startId) => `<bpmn:sequenceFlow id="${startId}_f" sourceRef="${startId}" targetRef="end" />`)
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions ${NS} id="d_${id}" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="${id}" isExecutable="true">${events}<bpmn:endEvent id="end" />${flows}</bpmn:process>
</bpmn:definitions>`;
}

function setup() {
  const kit = new RuntimeKit();
  const service = new ConditionalStartService(kit.store, kit.registry, kit.starter, kit.limits, kit.newKey, { clock: kit.clock.now });
  const started = () =>
    kit.store
      .rows('instances')
      .map((i) => `${i.bpmnProcessId}@${i.processVersion}:${i.state.elements[i.state.rootId]?.startEventId ?? '?'}`)
      .sort();
  return { kit, service, started };
}

describe('ConditionalStartService', () => {
  it('deploy writes one CONDITIONAL start row per conditional start event of the latest version, with its condition', async () => {
    const { kit } = setup();
    const [v1] = await kit.deploy(processWith('p', { a: '= x &gt; 1', b: '= y', plain: null }));
    expect(kit.store.rows('startEvents').map((s) => [s.definitionId, s.kind, s.name, s.elementId])).toEqual([
      [v1.id, 'CONDITIONAL', '=x > 1', 'a'],
      [v1.id, 'CONDITIONAL', '=y', 'b'],
    ]);
    const [v2] = await kit.deploy(processWith('p', { plain: null }));
    expect(v2.version).toBe(2);
    expect(kit.store.rows('startEvents')).toEqual([]);
  });

  it('starts one instance per true condition, with the variables, and nothing for false or non-boolean ones', async () => {
    const { kit, service, started } = setup();
    await kit.deploy(processWith('big', { over100: '= amount &gt; 100', over1000: '= amount &gt; 1000' }));
    await kit.deploy(processWith('vip', { isVip: '= customer = "vip"' }));
    // Not a boolean: counts as false (a failing condition too: the engine's evaluateConditionalStarts tests show it).
    await kit.deploy(processWith('text', { name: '= customer' }));

    const result = await service.evaluate({ variables: { amount: 500, customer: 'vip' } });
    expect(result.tenantId).toBe('<default>');
    expect(result.processInstances.map((p) => `${p.bpmnProcessId}:${p.startEventId}`)).toEqual(['big:over100', 'vip:isVip']);
    expect(started()).toEqual(['big@1:over100', 'vip@1:isVip']);
    for (const row of kit.store.rows('instances')) expect(row.variables).toEqual({ amount: 500, customer: 'vip' });

    const none = await service.evaluate({ variables: { amount: 1 } });
    expect(none.processInstances).toEqual([]);
    expect(kit.store.rows('instances')).toHaveLength(2);
  });

  it('processDefinitionKey narrows to that version; an unknown key or one of another tenant is not found', async () => {
    const { kit, service, started } = setup();
    await kit.deploy(processWith('a', { s: '= go' }));
    const [b] = await kit.deploy(processWith('b', { s: '= go' }));
    const [other] = await kit.deploy(processWith('c', { s: '= go' }), 'acme');

    const result = await service.evaluate({ variables: { go: true }, processDefinitionKey: b.id });
    expect(result.processInstances.map((p) => p.processDefinitionKey)).toEqual([b.id]);
    expect(started()).toEqual(['b@1:s']);
    await expect(service.evaluate({ variables: {}, processDefinitionKey: '4242' })).rejects.toMatchObject({ code: RuntimeErrorCode.NotFound });
    await expect(service.evaluate({ variables: {}, processDefinitionKey: other.id })).rejects.toMatchObject({ code: RuntimeErrorCode.NotFound });
    expect((await service.evaluate({ variables: { go: true }, tenantId: 'acme' })).processInstances.map((p) => p.bpmnProcessId)).toEqual(['c']);
  });

  it('authorize sees every matched process before anything starts; a refusal starts nothing', async () => {
    const { kit, service } = setup();
    await kit.deploy(processWith('a', { s: '= go' }));
    await kit.deploy(processWith('b', { s: '= go', t: '= go = true' }));
    await kit.deploy(processWith('c', { s: '= not(go)' }));
    const seen: string[][] = [];
    const refusal = service.evaluate({
      variables: { go: true },
      authorize: (ids) => {
        seen.push([...ids]);
        throw new Error('no');
      },
    });
    await expect(refusal).rejects.toThrow('no');
    expect(seen).toEqual([['a', 'b']]);
    expect(kit.store.rows('instances')).toEqual([]);
  });

  it('variables over the limit are refused before anything is evaluated', async () => {
    const { kit, service } = setup();
    await kit.deploy(processWith('a', { s: '= go' }));
    await expect(service.evaluate({ variables: { go: true, big: 'x'.repeat(70 * 1024) } })).rejects.toMatchObject({ errors: [expect.objectContaining({ variable: 'big' })] });
    expect(kit.store.rows('instances')).toEqual([]);
  });
});

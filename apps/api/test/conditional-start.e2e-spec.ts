import { ApiKeyService } from '@baton/api';
import { startApi, type ApiHarness } from './api-harness';
import { bearer, caller, type Json } from './auth-support';

/**
 * Process-level conditional start events (Camunda 8.9's root-level
 * conditional start events): `POST /v2/conditionals/evaluation` and
 * `POST /api/v1/conditionals/evaluation` start one instance per conditional
 * start event, of the latest version of each process, whose condition holds
 * for the variables given, with those variables.
 */

const NS =
  'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"';

/** A process whose start events (id -> condition; `null`: a none start event) lead to one service task. */
function processWith(id: string, starts: Record<string, string | null>): string {
  const events = Object.entries(starts)
    .map(([startId, condition]) =>
      condition === null
        ? `<bpmn:startEvent id="${startId}" />`
        : `<bpmn:startEvent id="${startId}"><bpmn:conditionalEventDefinition id="${startId}_def"><bpmn:condition xsi:type="bpmn:tFormalExpression">${condition}</bpmn:condition></bpmn:conditionalEventDefinition></bpmn:startEvent>`,
    )
    .join('');
  const flows = Object.keys(starts)
    .map((startId) => `<bpmn:sequenceFlow id="${startId}_flow" sourceRef="${startId}" targetRef="work" />`)
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions ${NS} id="d_${id}" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="${id}" isExecutable="true">
    ${events}
    <bpmn:serviceTask id="work"><bpmn:extensionElements><zeebe:taskDefinition type="${id}-work" /></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:endEvent id="end" />
    ${flows}
    <bpmn:sequenceFlow id="to_end" sourceRef="work" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>`;
}

interface Evaluation {
  conditionalEvaluationKey: string;
  tenantId: string;
  processInstances: { processDefinitionKey: string; processInstanceKey: string }[];
}

describe('conditional start events over REST', () => {
  let h: ApiHarness;
  let admin: string;
  const call = caller(() => h.origin);
  const definitions = new Map<string, string>();

  beforeAll(async () => {
    h = await startApi('api_condstart', { AUTH: 'api-key', RATE_LIMIT_PER_MINUTE: '0' });
    admin = (await h.app.get(ApiKeyService).create({ name: 'admin', permissions: ['admin'], tenants: ['*'] })).key;
    definitions.set('cond-big', await deploy(processWith('cond-big', { big: '= amount &gt; 100', huge: '= amount &gt; 1000' })));
    definitions.set('cond-vip', await deploy(processWith('cond-vip', { vip: '= customer = "vip"', plain: null })));
  }, 60_000);
  afterAll(async () => {
    await h?.close();
  });

  async function deploy(xml: string, tenantId?: string): Promise<string> {
    const form = new FormData();
    form.append('resources', new File([xml], 'process.bpmn', { type: 'application/octet-stream' }));
    if (tenantId !== undefined) form.append('tenantId', tenantId);
    const response = await fetch(`${h.origin}/v2/deployments`, { method: 'POST', headers: bearer(admin), body: form });
    const body = (await response.json()) as { deployments: { processDefinition: { processDefinitionKey: string } }[] };
    expect(response.status).toBe(200);
    return body.deployments[0].processDefinition.processDefinitionKey;
  }

  async function evaluate(body: Json, key = admin): Promise<Evaluation> {
    const answer = await call('POST', '/v2/conditionals/evaluation', bearer(key), body);
    expect({ status: answer.status, body: answer.body }).toEqual({ status: 200, body: expect.anything() });
    return answer.body as unknown as Evaluation;
  }

  async function instance(id: string): Promise<Json> {
    const answer = await call('GET', `/api/v1/instances/${id}`, bearer(admin));
    expect(answer.status).toBe(200);
    return answer.body as Json;
  }

  /** Instances of a process in the default tenant (fewer than 100 here). */
  async function countOf(process: string): Promise<number> {
    const answer = await call('GET', `/api/v1/instances?processKey=${process}&limit=100`, bearer(admin));
    expect(answer.status).toBe(200);
    return (answer.body?.items as unknown[]).length;
  }

  /** The started instances as `process:startEvent`, with the variables each got. */
  async function started(result: Evaluation): Promise<{ process: string; start: string; variables: unknown; definitionKey: string }[]> {
    const list = [];
    for (const p of result.processInstances) {
      const view = await instance(p.processInstanceKey);
      const tokens = view.tokens as { elementId: string }[];
      list.push({ process: String(view.processKey), start: tokens[0]?.elementId ?? '?', variables: view.variables, definitionKey: p.processDefinitionKey });
    }
    return list.sort((a, b) => `${a.process}:${a.start}`.localeCompare(`${b.process}:${b.start}`));
  }

  it('starts only the processes whose condition is true, at that start event, with the variables', async () => {
    const result = await evaluate({ variables: { amount: 500, customer: 'regular' } });
    expect(result).toMatchObject({ tenantId: '<default>', conditionalEvaluationKey: expect.stringMatching(/^[0-9]+$/) });
    expect(await started(result)).toEqual([
      { process: 'cond-big', start: 'big', variables: { amount: 500, customer: 'regular' }, definitionKey: definitions.get('cond-big') },
    ]);
  });

  it('every true conditional start event of a process starts its own instance', async () => {
    const result = await evaluate({ variables: { amount: 5000, customer: 'vip' } });
    expect((await started(result)).map((s) => `${s.process}:${s.start}`)).toEqual(['cond-big:big', 'cond-big:huge', 'cond-vip:vip']);
  });

  it('no condition true: 200 with no instances', async () => {
    const result = await evaluate({ variables: { amount: 1 } });
    expect(result.processInstances).toEqual([]);
  });

  it('processDefinitionKey narrows the evaluation to that process', async () => {
    const result = await evaluate({ variables: { amount: 5000, customer: 'vip' }, processDefinitionKey: definitions.get('cond-vip') });
    expect((await started(result)).map((s) => `${s.process}:${s.start}`)).toEqual(['cond-vip:vip']);
  });

  it('a newer version without the conditional start event stops the old one from starting; deleting it re-arms the old one', async () => {
    const v1 = await deploy(processWith('cond-versioned', { go: '= go = true' }));
    expect((await started(await evaluate({ variables: { go: true } }))).map((s) => s.process)).toEqual(['cond-versioned']);

    const v2 = await deploy(processWith('cond-versioned', { plain: null }));
    expect(v2).not.toBe(v1);
    expect((await evaluate({ variables: { go: true } })).processInstances).toEqual([]);
    // The old version by key: it has no start subscription any more.
    expect((await evaluate({ variables: { go: true }, processDefinitionKey: v1 })).processInstances).toEqual([]);

    const deleted = await call('POST', `/v2/resources/${v2}/deletion`, bearer(admin), {});
    expect(deleted.status).toBeLessThan(300);
    const again = await started(await evaluate({ variables: { go: true } }));
    expect(again.map((s) => `${s.process}:${s.definitionKey}`)).toEqual([`cond-versioned:${v1}`]);
  });

  it('evaluates only the processes of the tenant asked for', async () => {
    const acme = await deploy(processWith('cond-tenant', { t: '= amount &gt; 100' }), 'acme');
    const inDefault = await started(await evaluate({ variables: { amount: 500 } }));
    expect(inDefault.map((s) => s.process)).not.toContain('cond-tenant');

    const result = await evaluate({ variables: { amount: 500 }, tenantId: 'acme' });
    expect(result.tenantId).toBe('acme');
    expect(await started(result)).toEqual([{ process: 'cond-tenant', start: 't', variables: { amount: 500 }, definitionKey: acme }]);
    // Another tenant's definition by key is not found.
    const other = await call('POST', '/v2/conditionals/evaluation', bearer(admin), { variables: {}, processDefinitionKey: acme });
    expect(other.status).toBe(404);
  });

  it('POST /api/v1/conditionals/evaluation: the same in Baton naming, processKey narrows to the latest version', async () => {
    const answer = await call('POST', '/api/v1/conditionals/evaluation', bearer(admin), { variables: { amount: 5000, customer: 'vip' }, processKey: 'cond-vip' });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      tenantId: '<default>',
      evaluationKey: expect.stringMatching(/^[0-9]+$/),
      instances: [{ id: expect.any(String), processKey: 'cond-vip', version: 1, definitionId: definitions.get('cond-vip'), startEventId: 'vip', status: 'ACTIVE' }],
    });
    const [first] = (answer.body as { instances: { id: string }[] }).instances;
    expect((await instance(first.id)).variables).toEqual({ amount: 5000, customer: 'vip' });
    expect((await call('POST', '/api/v1/conditionals/evaluation', bearer(admin), { variables: {}, processKey: 'nope' })).status).toBe(404);
  });

  it('bad requests are 400 naming the field and start nothing', async () => {
    const before = await countOf('cond-big');
    const missing = await call('POST', '/v2/conditionals/evaluation', bearer(admin), { processDefinitionKey: definitions.get('cond-big') });
    expect(missing.status).toBe(400);
    expect(missing.text).toContain('variables');
    const unknown = await call('POST', '/v2/conditionals/evaluation', bearer(admin), { variables: { amount: 500 }, businessKey: 'x' });
    expect(unknown.status).toBe(400);
    expect(unknown.text).toContain('businessKey');
    const badKey = await call('POST', '/v2/conditionals/evaluation', bearer(admin), { variables: { amount: 500 }, processDefinitionKey: 'abc' });
    expect(badKey.status).toBe(400);
    expect(badKey.text).toContain('processDefinitionKey');
    const unknownKey = await call('POST', '/v2/conditionals/evaluation', bearer(admin), { variables: { amount: 500 }, processDefinitionKey: '4242' });
    expect(unknownKey.status).toBe(404);
    const v1 = await call('POST', '/api/v1/conditionals/evaluation', bearer(admin), { variables: 'amount=500' });
    expect(v1.status).toBe(400);
    expect(v1.text).toContain('variables');
    // Each of them held amount 500 (cond-big's condition): none started an instance.
    expect(await countOf('cond-big')).toBe(before);
  });

  it('a caller without start permission on a matched process gets 403 and nothing starts (Camunda); with it, the evaluation runs', async () => {
    const keys = h.app.get(ApiKeyService);
    const scoped = (await keys.create({ name: 'big-starter', permissions: ['start:cond-big'], tenants: ['*'] })).key;
    const bigBefore = await countOf('cond-big');
    const vipBefore = await countOf('cond-vip');

    // cond-vip matches too, and the caller may not start it.
    const denied = await call('POST', '/v2/conditionals/evaluation', bearer(scoped), { variables: { amount: 500, customer: 'vip' } });
    expect(denied.status).toBe(403);
    expect(denied.body).toMatchObject({ title: 'FORBIDDEN', status: 403 });
    expect(denied.body?.detail).toContain("'start:cond-vip'");
    const deniedV1 = await call('POST', '/api/v1/conditionals/evaluation', bearer(scoped), { variables: { amount: 500, customer: 'vip' } });
    expect(deniedV1.status).toBe(403);
    expect(await countOf('cond-big')).toBe(bigBefore);
    expect(await countOf('cond-vip')).toBe(vipBefore);

    // Only cond-big matches: allowed.
    const allowed = await evaluate({ variables: { amount: 500, customer: 'regular' } }, scoped);
    expect((await started(allowed)).map((s) => s.process)).toEqual(['cond-big']);
    // Naming another process's definition: 403 by the route's rule, as a start would be.
    const byKey = await call('POST', '/v2/conditionals/evaluation', bearer(scoped), { variables: {}, processDefinitionKey: definitions.get('cond-vip') });
    expect(byKey.status).toBe(403);
    // No start permission at all: 403 before anything is evaluated.
    const reader = (await keys.create({ name: 'reader', permissions: ['read'], tenants: ['*'] })).key;
    expect((await call('POST', '/v2/conditionals/evaluation', bearer(reader), { variables: { amount: 500 } })).status).toBe(403);
  });
});

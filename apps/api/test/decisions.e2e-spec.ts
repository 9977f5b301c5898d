import { repoFile, startApi, xmlPost, type ApiHarness } from './api-harness';
import { camundaClient, file } from './camunda-support';

const DINNER_BPMN = repoFile('test/fixtures/decisions/dinner.bpmn');
const DINNER_DMN = repoFile('test/fixtures/decisions/dinner.dmn');
const PROBLEM = /^application\/problem\+json/;

/** The dinner model under its own process id, so each test has its own instances. */
const dinner = (processId: string): string => DINNER_BPMN.replaceAll('"dinner"', `"${processId}"`);

describe('DMN decisions over HTTP', () => {
  let h: ApiHarness;

  beforeAll(async () => {
    h = await startApi('api_decisions');
  }, 60_000);
  afterAll(() => h?.close());

  const incidentsOf = async (instanceId: string) => (await h.json('GET', `/incidents?instanceId=${instanceId}`)).body.items;

  it('a missing decision is a CALLED_DECISION_ERROR incident; deploying the decision and resolving completes the instance', async () => {
    expect((await h.api('/processes', xmlPost(dinner('dinner-missing')))).status).toBe(201);
    const started = await h.json('POST', '/processes/dinner-missing/instances', { variables: { month: 1, guestCount: 4 } });
    expect(started.status).toBe(201);
    await h.drain();
    const [incident] = await incidentsOf(started.body.id);
    expect(incident).toMatchObject({
      elementId: 'decide_dish',
      type: 'CALLED_DECISION_ERROR',
      message: "Expected to evaluate decision 'dish', but no decision found for id 'dish'",
      jobId: null,
    });

    // A DMN document deploys on /processes too: recognised by its root element's namespace.
    const deployed = await h.api('/processes', xmlPost(DINNER_DMN));
    expect(deployed.status).toBe(201);
    const body = (await deployed.json()) as { processes: unknown[]; decisionRequirements: unknown[]; decisions: { key: string; version: number }[] };
    expect(body.processes).toEqual([]);
    expect(body.decisionRequirements).toEqual([expect.objectContaining({ key: 'dinner-decisions', version: 1 })]);
    expect(body.decisions.map((d) => [d.key, d.version])).toEqual([
      ['season', 1],
      ['dish', 1],
    ]);

    expect((await h.json('POST', `/incidents/${incident.id}/resolve`, {})).status).toBe(200);
    await h.drain();
    const instance = (await h.json('GET', `/instances/${started.body.id}`)).body;
    expect(instance.status).toBe('COMPLETED');
    expect(instance.variables).toEqual({ month: 1, guestCount: 4, dish: 'stew', served: 'stew for 4' });
    const history = (await h.json('GET', `/instances/${started.body.id}/history`)).body.items.map((e: { type: string; elementId: string }) => `${e.type} ${e.elementId}`);
    expect(history).toEqual(expect.arrayContaining(['INCIDENT_CREATED decide_dish', 'INCIDENT_RESOLVED decide_dish', 'ELEMENT_COMPLETED stew_served']));
  });

  it("the decision's result drives the gateway; the instance's decisions list inputs, matched rules and outputs", async () => {
    expect((await h.api('/processes', xmlPost(dinner('dinner-run')))).status).toBe(201);
    // Identical DMN again: nothing new, the same versions.
    const again = await h.api('/decisions', xmlPost(DINNER_DMN));
    expect(again.status).toBe(200);
    const started = await h.json('POST', '/processes/dinner-run/instances', { variables: { month: 10, guestCount: 12 } });
    await h.drain();
    const instance = (await h.json('GET', `/instances/${started.body.id}`)).body;
    expect(instance).toMatchObject({ status: 'COMPLETED', variables: { dish: 'roast', served: 'roast for 12' } });

    const decisions = await h.json('GET', `/instances/${started.body.id}/decisions`);
    expect(decisions.status).toBe(200);
    expect(decisions.body.items).toEqual([
      expect.objectContaining({
        processInstanceId: started.body.id,
        elementId: 'decide_dish',
        decisionId: 'dish',
        decisionVersion: 1,
        state: 'EVALUATED',
        output: 'roast',
        failureMessage: null,
        evaluatedDecisions: [
          expect.objectContaining({ decisionId: 'season', output: 'autumn' }),
          expect.objectContaining({
            decisionId: 'dish',
            decisionType: 'DECISION_TABLE',
            evaluatedInputs: [
              { inputId: 'dish_season', inputName: 'Season', inputValue: 'autumn' },
              { inputId: 'dish_guests', inputName: 'How many guests', inputValue: 12 },
            ],
            matchedRules: [{ ruleId: 'roast', ruleIndex: 2, evaluatedOutputs: [{ outputId: 'dish_output', outputName: 'Dish', outputValue: 'roast' }] }],
          }),
        ],
      }),
    ]);
    expect((await h.json('GET', '/instances/99999/decisions')).status).toBe(404);
  });

  it('an evaluation error is a DECISION_EVALUATION_ERROR incident naming the decision; fixed variables and a resolve complete it', async () => {
    expect((await h.api('/processes', xmlPost(dinner('dinner-unique')))).status).toBe(201);
    const started = await h.json('POST', '/processes/dinner-unique/instances', { variables: { month: 7, guestCount: 8 } });
    await h.drain();
    const [incident] = await incidentsOf(started.body.id);
    expect(incident.type).toBe('DECISION_EVALUATION_ERROR');
    expect(incident.elementId).toBe('decide_dish');
    expect(incident.message).toMatch(/^Expected to evaluate decision 'dish', but .*UNIQUE.*'salad'.*'barbecue'/);

    expect((await h.json('PATCH', `/instances/${started.body.id}/variables`, { variables: { guestCount: 10 } })).status).toBe(200);
    await h.json('POST', `/incidents/${incident.id}/resolve`, {});
    await h.drain();
    expect((await h.json('GET', `/instances/${started.body.id}`)).body.variables).toMatchObject({ dish: 'barbecue', served: 'barbecue for 10' });
  });

  it('lists, reads and evaluates decisions on /api/v1', async () => {
    const list = await h.json('GET', '/decisions');
    expect(list.status).toBe(200);
    expect(list.body.items.map((d: { key: string }) => d.key)).toEqual(['dish', 'season']);
    const dish = await h.json('GET', '/decisions/dish');
    expect(dish.body).toMatchObject({ key: 'dish', version: 1, name: 'Dish', versionTag: 'v1', decisionRequirementsId: 'dinner-decisions' });
    const xml = await h.api('/decisions/dish/xml');
    expect(xml.headers.get('content-type')).toMatch(/^application\/xml/);
    expect(await xml.text()).toBe(DINNER_DMN);
    expect((await h.json('GET', '/decisions/nope')).status).toBe(404);
    expect((await h.json('GET', '/decisions/dish?version=7')).status).toBe(404);

    // A multipart upload named *.dmn deploys on /processes too; identical XML keeps the versions.
    const form = new FormData();
    form.append('file', new Blob([DINNER_DMN], { type: 'application/octet-stream' }), 'dinner.dmn');
    const uploaded = await h.api('/processes', { method: 'POST', body: form });
    expect(uploaded.status).toBe(200);
    expect(((await uploaded.json()) as { decisions: { id: string }[] }).decisions.map((d) => d.id)).toContain(dish.body.id);

    const evaluated = await h.json('POST', '/decisions/dish/evaluation', { variables: { month: 4, guestCount: 20 } });
    expect(evaluated.status).toBe(200);
    expect(evaluated.body).toMatchObject({ decisionId: 'dish', decisionVersion: 1, output: 'buffet', failedDecisionId: null, failureMessage: null });
    const failed = await h.json('POST', '/decisions/dish/evaluation', { variables: { month: 7, guestCount: 8 } });
    expect(failed.status).toBe(200);
    expect(failed.body).toMatchObject({ output: null, failedDecisionId: 'dish', failureMessage: expect.stringMatching(/'salad'.*'barbecue'/) });
    expect((await h.json('POST', '/decisions/dish/evaluation', { variables: 'x' })).status).toBe(400);
  });

  it('refuses a DMN document with problems: 400 naming the rule entry, never a 5xx', async () => {
    const broken = DINNER_DMN.replace('<text>&lt;= 8</text></inputEntry>\n        <outputEntry id="stew_out">', '<text>&lt;= = 8</text></inputEntry>\n        <outputEntry id="stew_out">');
    expect(broken).not.toBe(DINNER_DMN);
    for (const path of ['/decisions', '/processes']) {
      const response = await h.api(path, xmlPost(broken));
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toMatch(PROBLEM);
      const problem = (await response.json()) as { errors: unknown[] };
      expect(problem.errors).toEqual([expect.objectContaining({ elementId: 'stew_guests', elementType: 'inputEntry' })]);
    }
    const hostile = await h.api('/decisions', xmlPost('<!DOCTYPE x [<!ENTITY a "b">]><definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="x"/>'));
    expect(hostile.status).toBe(400);
    const bpmn = await h.api('/decisions', xmlPost(DINNER_BPMN));
    expect(bpmn.status).toBe(400);
  });

  it('/v2: deploys BPMN and DMN together (Camunda 8.8 shape) and evaluates a decision with the official client', async () => {
    const camunda = camundaClient(h.origin);
    const changed = DINNER_DMN.replace('"buffet"</text>', '"picnic"</text>');
    const result = await camunda.createDeployment({ resources: [file('dinner-v2.bpmn', dinner('dinner-v2')), file('dinner.dmn', changed)] });
    const entries = result.deployments;
    expect(entries[0].processDefinition).toMatchObject({ processDefinitionId: 'dinner-v2', processDefinitionVersion: 1, resourceName: 'dinner-v2.bpmn' });
    expect(entries.slice(1, 3).map((e) => e.decisionDefinition)).toEqual([
      expect.objectContaining({ decisionDefinitionId: 'season', version: 2, name: 'Season', decisionRequirementsId: 'dinner-decisions' }),
      expect.objectContaining({ decisionDefinitionId: 'dish', version: 2, name: 'Dish', decisionRequirementsId: 'dinner-decisions' }),
    ]);
    expect(entries[3].decisionRequirements).toMatchObject({
      decisionRequirementsId: 'dinner-decisions',
      decisionRequirementsName: 'Dinner decisions',
      version: 2,
      resourceName: 'dinner.dmn',
    });
    expect(entries[1].decisionDefinition?.decisionRequirementsKey).toBe(entries[3].decisionRequirements?.decisionRequirementsKey);

    // A successful evaluation carries `failedDecisionDefinitionId: ""` as Camunda 8.8 answers it, which the
    // client's own 8.8 schema (a non-empty id) refuses in strict mode: answers unchecked here, as by default.
    const lenient = camundaClient(h.origin, 'req:strict,res:none');
    const evaluation = await lenient.evaluateDecision({ decisionDefinitionId: 'dish' as never, variables: { month: 5, guestCount: 30 } });
    expect(evaluation).toMatchObject({
      decisionDefinitionId: 'dish',
      decisionDefinitionName: 'Dish',
      decisionDefinitionVersion: 2,
      decisionRequirementsId: 'dinner-decisions',
      output: '"picnic"',
      failedDecisionDefinitionId: '',
      failureMessage: '',
      tenantId: '<default>',
      decisionDefinitionKey: entries[2].decisionDefinition?.decisionDefinitionKey,
    });
    expect(evaluation.evaluatedDecisions.map((d) => [d.decisionDefinitionId, d.output, d.decisionDefinitionVersion])).toEqual([
      ['season', '"spring"', 2],
      ['dish', '"picnic"', 2],
    ]);
    expect(evaluation.evaluatedDecisions[1].evaluatedInputs).toEqual([
      { inputId: 'dish_season', inputName: 'Season', inputValue: '"spring"' },
      { inputId: 'dish_guests', inputName: 'How many guests', inputValue: '30' },
    ]);

    // A failed evaluation is an answer too, and passes the client's strict checks.
    const failed = await camunda.evaluateDecision({ decisionDefinitionId: 'dish' as never, variables: { month: 7, guestCount: 8 } });
    expect(failed).toMatchObject({ output: 'null', failedDecisionDefinitionId: 'dish', failureMessage: expect.stringMatching(/^Expected to evaluate decision 'dish'/) });

    // By key: the first version still evaluates as it was.
    const v1 = (await h.json('GET', '/decisions/dish?version=1')).body;
    const byKey = await fetch(`${h.origin}/v2/decision-definitions/evaluation`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ decisionDefinitionKey: v1.id, variables: { month: 5, guestCount: 30 } }),
    });
    expect(byKey.status).toBe(200);
    expect(await byKey.json()).toMatchObject({ decisionDefinitionVersion: 1, output: '"buffet"' });

    const unknown = await fetch(`${h.origin}/v2/decision-definitions/evaluation`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ decisionDefinitionId: 'nope' }),
    });
    expect(unknown.status).toBe(404);
    const neither = await fetch(`${h.origin}/v2/decision-definitions/evaluation`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(neither.status).toBe(400);
  });
});

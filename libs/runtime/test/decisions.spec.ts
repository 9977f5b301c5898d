import { RuntimeError } from '../src';
import { fixture, RuntimeKit } from './fakes';

const DINNER_BPMN = fixture('test/fixtures/decisions/dinner.bpmn');
const DINNER_DMN = fixture('test/fixtures/decisions/dinner.dmn');

describe('DMN decisions', () => {
  it('deploys a DMN document: a version per decision requirements id and per decision; identical XML keeps them', async () => {
    const kit = new RuntimeKit();
    const first = await kit.registry.decisions.deploy(DINNER_DMN, { name: 'dinner.dmn' });
    expect(first.created).toBe(true);
    const [resource] = first.resources;
    expect(resource.requirements).toMatchObject({ decisionRequirementsId: 'dinner-decisions', version: 1, name: 'Dinner decisions', resourceName: 'dinner.dmn' });
    expect(resource.decisions.map((d) => [d.decisionId, d.version, d.versionTag, d.name])).toEqual([
      ['season', 1, null, 'Season'],
      ['dish', 1, 'v1', 'Dish'],
    ]);

    const again = await kit.registry.decisions.deploy(DINNER_DMN, { name: 'dinner.dmn' });
    expect(again.created).toBe(false);
    expect(again.resources[0].decisions.map((d) => d.id)).toEqual(resource.decisions.map((d) => d.id));
    expect(again.deploymentId).toBe(first.deploymentId);

    const changed = await kit.registry.decisions.deploy(DINNER_DMN.replace('"stew"</text>', '"hotpot"</text>'), { name: 'dinner.dmn' });
    expect(changed.created).toBe(true);
    expect(changed.resources[0].requirements.version).toBe(2);
    expect(changed.resources[0].decisions.map((d) => [d.decisionId, d.version])).toEqual([
      ['season', 2],
      ['dish', 2],
    ]);
    expect(kit.store.rows('decisionDefinitions')).toHaveLength(4);
  });

  it('refuses an invalid DMN document naming the element at fault, and writes nothing', async () => {
    const kit = new RuntimeKit();
    const broken = DINNER_DMN.replace('<text>&lt;= 8</text></inputEntry>\n        <outputEntry id="stew_out">', '<text>&lt;= = 8</text></inputEntry>\n        <outputEntry id="stew_out">');
    expect(broken).not.toBe(DINNER_DMN);
    const refused = await kit.registry.decisions.deploy(broken).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RuntimeError);
    expect((refused as RuntimeError).errors).toEqual([expect.objectContaining({ elementId: 'stew_guests', elementType: 'inputEntry' })]);
    expect(kit.store.rows('decisionDefinitions')).toEqual([]);
    expect(kit.store.rows('deployments')).toEqual([]);
  });

  it('a business rule task evaluates its decision in the same step; the result drives the gateway; history is kept', async () => {
    const kit = new RuntimeKit();
    await kit.deploy(DINNER_BPMN);
    await kit.registry.decisions.deploy(DINNER_DMN);
    const id = await kit.startAndRun('dinner', { month: 1, guestCount: 4 });
    const instance = await kit.instances.get(id);
    expect(instance.status).toBe('COMPLETED');
    expect(instance.variables).toEqual({ month: 1, guestCount: 4, dish: 'stew', served: 'stew for 4' });
    expect(await kit.trail(id)).toContain('stew_served:ELEMENT_COMPLETED');

    const [evaluation] = await kit.store.repos.decisions.instancesOf(id);
    expect(evaluation).toMatchObject({ decisionId: 'dish', decisionVersion: 1, state: 'EVALUATED', output: 'stew', elementId: 'decide_dish' });
    expect(evaluation.evaluatedDecisions).toEqual([
      expect.objectContaining({ decisionId: 'season', output: 'winter', matchedRules: [expect.objectContaining({ ruleId: 'winter', ruleIndex: 1 })] }),
      expect.objectContaining({
        decisionId: 'dish',
        output: 'stew',
        evaluatedInputs: [
          { inputId: 'dish_season', inputName: 'Season', inputValue: 'winter' },
          { inputId: 'dish_guests', inputName: 'How many guests', inputValue: 4 },
        ],
        matchedRules: [{ ruleId: 'stew', ruleIndex: 1, evaluatedOutputs: [{ outputId: 'dish_output', outputName: 'Dish', outputValue: 'stew' }] }],
      }),
    ]);
    // One step ran the whole instance: one write of its changes.
    expect(kit.store.statements('changes.apply')).toBe(1);
  });

  it('a missing decision is a CALLED_DECISION_ERROR incident; deploying it and resolving completes the instance', async () => {
    const kit = new RuntimeKit();
    await kit.deploy(DINNER_BPMN);
    const id = await kit.startAndRun('dinner', { month: 10, guestCount: 12 });
    const [incident] = (await kit.incidents.list({ limit: 10, instanceId: id })).items;
    expect(incident).toMatchObject({
      elementId: 'decide_dish',
      type: 'CALLED_DECISION_ERROR',
      message: "Expected to evaluate decision 'dish', but no decision found for id 'dish'",
    });
    expect((await kit.instances.get(id)).status).toBe('ACTIVE');

    await kit.registry.decisions.deploy(DINNER_DMN);
    await kit.incidents.resolve(incident.id);
    await kit.drain();
    const instance = await kit.instances.get(id);
    expect(instance.status).toBe('COMPLETED');
    expect(instance.variables).toMatchObject({ dish: 'roast', served: 'roast for 12' });
  });

  it('a failing evaluation is a DECISION_EVALUATION_ERROR incident naming the decision and the rules; history records the failure', async () => {
    const kit = new RuntimeKit();
    await kit.deploy(DINNER_BPMN);
    await kit.registry.decisions.deploy(DINNER_DMN);
    const id = await kit.startAndRun('dinner', { month: 7, guestCount: 8 });
    const [incident] = (await kit.incidents.list({ limit: 10, instanceId: id })).items;
    expect(incident.type).toBe('DECISION_EVALUATION_ERROR');
    expect(incident.elementId).toBe('decide_dish');
    expect(incident.message).toMatch(/decision 'dish'/);
    expect(incident.message).toMatch(/'salad'.*'barbecue'/);
    const [evaluation] = await kit.store.repos.decisions.instancesOf(id);
    expect(evaluation).toMatchObject({ decisionId: 'dish', state: 'FAILED', output: null, failureMessage: incident.message });

    // Fix the variables, resolve: the decision is evaluated again.
    await kit.instances.patchVariables(id, { guestCount: 6 });
    await kit.incidents.resolve(incident.id);
    await kit.drain();
    expect((await kit.instances.get(id)).variables).toMatchObject({ dish: 'salad', served: 'salad for 6' });
  });

  it('an answer for an instance suspended in the same step waits in its inbox and applies after the resume', async () => {
    const kit = new RuntimeKit();
    await kit.deploy(DINNER_BPMN);
    await kit.registry.decisions.deploy(DINNER_DMN);
    const { id } = await kit.instances.start('dinner', { variables: { month: 3, guestCount: 2 } });
    // The suspend arrives with the first step: the task asks for its decision, then the instance is suspended.
    await kit.store.repos.inbox.append([{ instanceId: id, event: { type: 'suspend' } }]);
    await kit.drain();
    const suspended = await kit.instances.get(id);
    expect(suspended.status).toBe('SUSPENDED');
    expect(suspended.tokens).toEqual([expect.objectContaining({ elementId: 'decide_dish', state: 'WAITING' })]);
    expect(kit.store.rows('inbox').map((r) => r.event.type)).toEqual(['decisionEvaluated']);

    await kit.instances.resume(id);
    await kit.drain();
    const resumed = await kit.instances.get(id);
    expect(resumed.status).toBe('COMPLETED');
    expect(resumed.variables).toMatchObject({ dish: 'salad', served: 'salad for 2' });
  });

  it('binds by version tag and by deployment, as zeebe:calledDecision bindingType says', async () => {
    const kit = new RuntimeKit();
    const byTag = DINNER_BPMN.replaceAll('"dinner"', '"by-tag"').replace(
      '<zeebe:calledDecision decisionId="dish" resultVariable="dish" />',
      '<zeebe:calledDecision decisionId="dish" resultVariable="dish" bindingType="versionTag" versionTag="v1" />',
    );
    const byDeployment = DINNER_BPMN.replaceAll('"dinner"', '"by-deployment"').replace(
      '<zeebe:calledDecision decisionId="dish" resultVariable="dish" />',
      '<zeebe:calledDecision decisionId="dish" resultVariable="dish" bindingType="deployment" />',
    );
    expect(byTag).toContain('bindingType="versionTag"');
    expect(byDeployment).toContain('bindingType="deployment"');
    await kit.registry.deployResources([
      { name: 'by-deployment.bpmn', xml: byDeployment },
      { name: 'dinner.dmn', xml: DINNER_DMN },
    ]);
    await kit.deploy(byTag);
    // A later version of the decision, tagged v2 and cooking something else.
    await kit.registry.decisions.deploy(DINNER_DMN.replace('<zeebe:versionTag value="v1" />', '<zeebe:versionTag value="v2" />').replace('"salad"</text>', '"greens"</text>'));

    const latest = await kit.registry.decisions.find('<default>', 'dish', { bindingType: 'latest' });
    expect(latest).toMatchObject({ version: 2, versionTag: 'v2' });
    const tagged = await kit.startAndRun('by-tag', { month: 4, guestCount: 2 });
    expect((await kit.instances.get(tagged)).variables).toMatchObject({ dish: 'salad' });
    const deployed = await kit.startAndRun('by-deployment', { month: 4, guestCount: 2 });
    expect((await kit.instances.get(deployed)).variables).toMatchObject({ dish: 'salad' });

    // No version with that tag: CALLED_DECISION_ERROR naming the tag.
    await kit.deploy(byTag.replaceAll('"by-tag"', '"by-missing-tag"').replace('versionTag="v1"', 'versionTag="v9"'));
    const missing = await kit.startAndRun('by-missing-tag', { month: 4, guestCount: 2 });
    const [incident] = (await kit.incidents.list({ limit: 10, instanceId: missing })).items;
    expect(incident).toMatchObject({ type: 'CALLED_DECISION_ERROR', message: expect.stringContaining("with version tag 'v9'") });
  });

  it('compiles each decision requirements version once per process, not per evaluation', async () => {
    const kit = new RuntimeKit();
    await kit.deploy(DINNER_BPMN);
    await kit.registry.decisions.deploy(DINNER_DMN);
    for (let i = 0; i < 5; i++) await kit.instances.start('dinner', { variables: { month: 4, guestCount: 2 } });
    await kit.drain();
    expect(kit.store.statements('decisions.requirementsById')).toBe(1);
    expect(kit.store.rows('decisionInstances')).toHaveLength(5);
  });
});

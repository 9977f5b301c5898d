import {
  CamundaSearchService,
  DECISION_DEFINITION_SEARCH,
  DECISION_INSTANCE_SEARCH,
  DECISION_REQUIREMENTS_SEARCH,
  DecisionService,
  RuntimeError,
  RuntimeErrorCode,
  translateFilter,
  translateSort,
} from '../src';
import { fixture, RuntimeKit } from './fakes';

const DINNER_BPMN = fixture('test/fixtures/decisions/dinner.bpmn');
const DINNER_DMN = fixture('test/fixtures/decisions/dinner.dmn');

function badRequest(fn: () => unknown): RuntimeError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(RuntimeError);
    expect((e as RuntimeError).code).toBe(RuntimeErrorCode.BadRequest);
    return e as RuntimeError;
  }
  throw new Error('expected a 400');
}

describe("the search language: Camunda 8.8's decision searches", () => {
  it("maps decision definition fields to the store's", () => {
    expect(
      translateFilter(DECISION_DEFINITION_SEARCH, {
        decisionDefinitionKey: { $in: ['1', '2'] },
        decisionDefinitionId: 'dish',
        name: { $like: 'Di*' },
        version: { $gte: 2 },
        decisionRequirementsId: 'dinner-decisions',
        decisionRequirementsKey: '7',
        tenantId: '<default>',
      }).conditions,
    ).toEqual([
      { field: 'id', op: 'in', value: ['1', '2'] },
      { field: 'decisionId', op: 'eq', value: 'dish' },
      { field: 'name', op: 'like', value: 'Di%' },
      { field: 'version', op: 'gte', value: 2 },
      { field: 'decisionRequirementsId', op: 'eq', value: 'dinner-decisions' },
      { field: 'decisionRequirementsKey', op: 'eq', value: '7' },
      { field: 'tenantId', op: 'eq', value: '<default>' },
    ]);
    expect(
      translateSort(DECISION_DEFINITION_SEARCH, [
        { field: 'version', order: 'desc' },
        { field: 'decisionRequirementsKey' },
      ]),
    ).toEqual([
      { field: 'version', descending: true },
      { field: 'decisionRequirementsKey', descending: false },
      { field: 'id', descending: false },
    ]);
    expect(
      badRequest(() => translateFilter(DECISION_DEFINITION_SEARCH, { versionTag: 'v1' })).message,
    ).toContain('versionTag');
    expect(
      badRequest(() =>
        translateFilter(DECISION_DEFINITION_SEARCH, { decisionDefinitionKey: 'dish' }),
      ).errors,
    ).toEqual([expect.objectContaining({ field: 'filter.decisionDefinitionKey' })]);
  });

  it('maps decision requirements fields; resourceName filters but does not sort', () => {
    expect(
      translateFilter(DECISION_REQUIREMENTS_SEARCH, {
        decisionRequirementsName: 'Dinner decisions',
        resourceName: 'dinner.dmn',
        decisionRequirementsKey: '9',
      }).conditions,
    ).toEqual([
      { field: 'name', op: 'eq', value: 'Dinner decisions' },
      { field: 'resourceName', op: 'eq', value: 'dinner.dmn' },
      { field: 'id', op: 'eq', value: '9' },
    ]);
    expect(
      translateSort(DECISION_REQUIREMENTS_SEARCH, [{ field: 'decisionRequirementsName' }])[0],
    ).toEqual({ field: 'name', descending: false });
    expect(
      badRequest(() => translateSort(DECISION_REQUIREMENTS_SEARCH, [{ field: 'resourceName' }]))
        .message,
    ).toContain('resourceName');
  });

  it('maps decision instance fields: both evaluation keys are the row key, states are stored as named, the type is not offered', () => {
    expect(
      translateFilter(DECISION_INSTANCE_SEARCH, {
        decisionEvaluationInstanceKey: '5',
        decisionEvaluationKey: { $neq: '6' },
        state: { $in: ['FAILED'] },
        evaluationFailure: { $exists: true },
        evaluationDate: { $lt: '2026-01-01T01:00:00+01:00' },
        decisionDefinitionName: 'Dish',
        decisionDefinitionVersion: 2,
        processDefinitionKey: '10',
        processInstanceKey: { $exists: false },
        elementInstanceKey: '11',
        decisionDefinitionKey: '12',
      }).conditions,
    ).toEqual([
      { field: 'id', op: 'eq', value: '5' },
      { field: 'id', op: 'neq', value: '6' },
      { field: 'state', op: 'in', value: ['FAILED'] },
      { field: 'failureMessage', op: 'exists', value: true },
      { field: 'evaluatedAt', op: 'lt', value: '2026-01-01T00:00:00.000Z' },
      { field: 'decisionName', op: 'eq', value: 'Dish' },
      { field: 'decisionVersion', op: 'eq', value: 2 },
      { field: 'processDefinitionId', op: 'eq', value: '10' },
      { field: 'processInstanceId', op: 'exists', value: false },
      { field: 'elementInstanceId', op: 'eq', value: '11' },
      { field: 'decisionKey', op: 'eq', value: '12' },
    ]);
    // Camunda's UNSPECIFIED and UNKNOWN are valid names no stored evaluation has.
    expect(translateFilter(DECISION_INSTANCE_SEARCH, { state: 'UNKNOWN' }).conditions).toEqual([
      { field: 'state', op: 'in', value: [] },
    ]);
    expect(
      badRequest(() => translateFilter(DECISION_INSTANCE_SEARCH, { state: 'DONE' })).errors,
    ).toEqual([expect.objectContaining({ field: 'filter.state' })]);
    expect(
      badRequest(() =>
        translateFilter(DECISION_INSTANCE_SEARCH, { decisionDefinitionType: 'DECISION_TABLE' }),
      ).message,
    ).toContain('decisionDefinitionType');
    expect(
      translateSort(DECISION_INSTANCE_SEARCH, [{ field: 'evaluationDate', order: 'DESC' }]),
    ).toEqual([
      { field: 'evaluatedAt', descending: true },
      { field: 'id', descending: false },
    ]);
  });
});

describe('CamundaSearchService: decisions on the memory store', () => {
  it('searches definitions, requirements and evaluations, confined to tenants; XML and gets by key', async () => {
    const kit = new RuntimeKit();
    await kit.deploy(DINNER_BPMN);
    const first = await kit.registry.decisions.deploy(DINNER_DMN, { name: 'dinner.dmn' });
    const changed = DINNER_DMN.replace('"stew"</text>', '"hotpot"</text>');
    const second = await kit.registry.decisions.deploy(changed, { name: 'dinner.dmn' });
    const instanceId = await kit.startAndRun('dinner', { month: 1, guestCount: 4 });
    const decisions = new DecisionService(kit.store, kit.registry.decisions);
    const failed = await decisions.evaluate(second.resources[0].decisions[1], {
      month: 7,
      guestCount: 8,
    });
    const search = new CamundaSearchService(kit.store);

    const dishes = await search.decisionDefinitions({
      filter: { decisionDefinitionId: 'dish' },
      sort: [{ field: 'version', order: 'DESC' }],
    });
    expect(dishes.items.map((d) => d.version)).toEqual([2, 1]);
    expect(dishes.page.totalItems).toBe(2);
    const v1 = first.resources[0];
    expect(await search.decisionDefinitionXml(v1.decisions[1].id)).toBe(DINNER_DMN);
    expect(
      (await search.decisionRequirements({ filter: { version: 2 } })).items.map((r) => r.id),
    ).toEqual([second.resources[0].requirements.id]);
    expect(await search.decisionRequirementsXml(second.resources[0].requirements.id)).toBe(changed);

    const ofInstance = await search.decisionInstances({
      filter: { processInstanceKey: instanceId },
    });
    expect(ofInstance.items).toEqual([
      expect.objectContaining({
        decisionId: 'dish',
        decisionName: 'Dish',
        decisionVersion: 2,
        state: 'EVALUATED',
        output: 'hotpot',
        processInstanceId: instanceId,
      }),
    ]);
    expect(ofInstance.items[0].processDefinitionId).toBe(
      (await kit.instances.get(instanceId)).definitionId,
    );
    const failures = await search.decisionInstances({ filter: { state: 'FAILED' } });
    expect(failures.items.map((d) => [d.id, d.processInstanceId, d.processDefinitionId])).toEqual([
      [failed.decisionInstanceKey, null, null],
    ]);
    expect((await search.decisionInstance(failed.decisionInstanceKey)).failureMessage).toMatch(
      /^Expected to evaluate decision 'dish'/,
    );

    // Another tenant's caller sees none of it, and a key of it is not found.
    const other = ['acme'];
    expect((await search.decisionDefinitions({}, other)).items).toEqual([]);
    expect((await search.decisionRequirements({}, other)).items).toEqual([]);
    expect((await search.decisionInstances({}, other)).items).toEqual([]);
    await expect(search.decisionDefinition(v1.decisions[1].id, other)).rejects.toMatchObject({
      code: RuntimeErrorCode.NotFound,
    });
    await expect(search.decisionDefinitionXml(v1.decisions[1].id, other)).rejects.toMatchObject({
      code: RuntimeErrorCode.NotFound,
    });
    await expect(search.decisionRequirement(v1.requirements.id, other)).rejects.toMatchObject({
      code: RuntimeErrorCode.NotFound,
    });
    await expect(search.decisionRequirementsXml(v1.requirements.id, other)).rejects.toMatchObject({
      code: RuntimeErrorCode.NotFound,
    });
    await expect(search.decisionInstance(failed.decisionInstanceKey, other)).rejects.toMatchObject({
      code: RuntimeErrorCode.NotFound,
    });
    expect((await search.decisionInstance(failed.decisionInstanceKey, ['<default>'])).id).toBe(
      failed.decisionInstanceKey,
    );
    await expect(search.decisionInstance('not-a-key')).rejects.toMatchObject({
      code: RuntimeErrorCode.NotFound,
    });
  });
});

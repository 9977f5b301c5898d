import { ApiKeyService } from '@baton/api';
import { createCamundaClient, type CamundaClient } from '@camunda8/orchestration-cluster-api';
import { repoFile, startApi, type ApiHarness } from './api-harness';
import { failure, file, until } from './camunda-support';

/**
 * Camunda 8.8's decision searches and gets (`/v2/decision-definitions`,
 * `/v2/decision-requirements`, `/v2/decision-instances`), driven by
 * `@camunda8/orchestration-cluster-api` with every request and answer checked
 * against the spec's schemas, and confined to the caller's tenants.
 */

const DINNER_BPMN = repoFile('test/fixtures/decisions/dinner.bpmn');
const DINNER_DMN = repoFile('test/fixtures/decisions/dinner.dmn');
/** The second version of the document: a spring party of more than 8 has a picnic. */
const DINNER_DMN_V2 = DINNER_DMN.replace('"buffet"</text>', '"picnic"</text>');

/** Searches read what is committed: no eventual consistency to wait for. */
const NOW = { consistency: { waitUpToMs: 0 } };

/** A search answer's items (optional in the client's types). */
const itemsOf = <T>(page: { items?: T[] }): T[] => page.items ?? [];

type Problem = { title?: string; detail?: string; status?: number };

describe('Camunda 8 REST API (/v2): decision definitions, requirements and instances', () => {
  let h: ApiHarness;
  let stopWorker: () => Promise<void>;
  let admin: string;
  let acmeReader: string;
  /** Every tenant, requests and answers checked strictly. */
  let camunda: CamundaClient;
  /** Answers checked strictly, requests not (the strict client drops `page.after`/`page.before`). */
  let cursorClient: CamundaClient;

  const ids = {
    defaultDrg: ['', ''] as [string, string],
    acmeDrg: '',
    dish: ['', ''] as [string, string],
    season: ['', ''] as [string, string],
    acmeDish: '',
    processDefinitionKey: '',
    processInstanceKey: '',
  };
  let evaluations: { picnic: string; failed: string; acme: string };

  const client = (user: string, key: string, validation: string): CamundaClient =>
    createCamundaClient({
      env: {},
      config: {
        CAMUNDA_REST_ADDRESS: h.origin,
        CAMUNDA_AUTH_STRATEGY: 'BASIC',
        CAMUNDA_BASIC_AUTH_USERNAME: user,
        CAMUNDA_BASIC_AUTH_PASSWORD: key,
        CAMUNDA_SDK_VALIDATION: validation,
        CAMUNDA_SDK_LOG_LEVEL: 'error',
      },
    });

  /** A raw `/v2` call with a bearer API key (what the strict client would refuse to send, or another caller). */
  async function call(
    method: string,
    path: string,
    key: string,
    body?: unknown,
  ): Promise<{
    status: number;
    type: string;
    text: string;
    body: Problem & Record<string, unknown>;
  }> {
    const r = await fetch(`${h.origin}/v2${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    const type = r.headers.get('content-type') ?? '';
    return {
      status: r.status,
      type,
      text,
      body: type.includes('json') ? (JSON.parse(text) as Problem & Record<string, unknown>) : {},
    };
  }

  async function evaluate(body: Record<string, unknown>): Promise<string> {
    const r = await call('POST', '/decision-definitions/evaluation', admin, body);
    expect(r.status).toBe(200);
    // The decision called is the decision instance the evaluation recorded.
    const evaluated = r.body.evaluatedDecisions as {
      decisionDefinitionId: string;
      decisionEvaluationInstanceKey: string;
    }[];
    const recorded = evaluated
      .filter((d) => d.decisionEvaluationInstanceKey === r.body.decisionInstanceKey)
      .map((d) => d.decisionDefinitionId);
    expect(recorded).toEqual(
      r.body.failedDecisionDefinitionId === '' ? [body.decisionDefinitionId] : expect.any(Array),
    );
    expect(recorded.length).toBeLessThanOrEqual(1);
    return r.body.decisionInstanceKey as string;
  }

  beforeAll(async () => {
    h = await startApi('api_v2_decisions', { AUTH: 'api-key', RATE_LIMIT_PER_MINUTE: '0' });
    stopWorker = await h.worker();
    const keys = h.app.get(ApiKeyService);
    admin = (await keys.create({ name: 'admin', permissions: ['admin'], tenants: ['*'] })).key;
    acmeReader = (
      await keys.create({ name: 'acme-reader', permissions: ['read'], tenants: ['acme'] })
    ).key;
    camunda = client('admin', admin, 'req:strict,res:strict');
    expect(camunda.getConfig().validation).toMatchObject({ req: 'strict', res: 'strict' });
    cursorClient = client('admin', admin, 'req:none,res:strict');

    // The default tenant: the document and a process calling it, then a second version of the document.
    const first = await camunda.createDeployment({
      resources: [
        file('v2d-dinner.bpmn', DINNER_BPMN.replaceAll('"dinner"', '"v2d-dinner"')),
        file('dinner.dmn', DINNER_DMN),
      ],
    });
    ids.processDefinitionKey = first.deployments[0].processDefinition?.processDefinitionKey ?? '';
    ids.season[0] = first.deployments[1].decisionDefinition?.decisionDefinitionKey ?? '';
    ids.dish[0] = first.deployments[2].decisionDefinition?.decisionDefinitionKey ?? '';
    ids.defaultDrg[0] = first.deployments[3].decisionRequirements?.decisionRequirementsKey ?? '';
    const second = await camunda.createDeployment({
      resources: [file('dinner.dmn', DINNER_DMN_V2)],
    });
    ids.season[1] = second.deployments[0].decisionDefinition?.decisionDefinitionKey ?? '';
    ids.dish[1] = second.deployments[1].decisionDefinition?.decisionDefinitionKey ?? '';
    ids.defaultDrg[1] = second.deployments[2].decisionRequirements?.decisionRequirementsKey ?? '';

    // Tenant acme: the first version of the document.
    const form = new FormData();
    form.append(
      'resources',
      new File([DINNER_DMN], 'acme-dinner.dmn', { type: 'application/octet-stream' }),
    );
    form.append('tenantId', 'acme');
    const acme = await fetch(`${h.origin}/v2/deployments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}` },
      body: form,
    });
    expect(acme.status).toBe(200);
    const acmeEntries = (
      (await acme.json()) as {
        deployments: {
          decisionDefinition?: { decisionDefinitionId: string; decisionDefinitionKey: string };
          decisionRequirements?: { decisionRequirementsKey: string };
        }[];
      }
    ).deployments;
    ids.acmeDish =
      acmeEntries.find((e) => e.decisionDefinition?.decisionDefinitionId === 'dish')
        ?.decisionDefinition?.decisionDefinitionKey ?? '';
    ids.acmeDrg =
      acmeEntries.find((e) => e.decisionRequirements !== undefined)?.decisionRequirements
        ?.decisionRequirementsKey ?? '';

    // A business rule task evaluates the latest dish (winter, 4 guests: stew), then evaluations over REST.
    ids.processInstanceKey = (
      await camunda.createProcessInstance({
        processDefinitionId: 'v2d-dinner' as never,
        variables: { month: 1, guestCount: 4 },
      })
    ).processInstanceKey;
    await until(
      async () =>
        (
          await camunda.getProcessInstance(
            { processInstanceKey: ids.processInstanceKey as never },
            NOW,
          )
        ).state,
      (s) => s === 'COMPLETED',
      'the dinner instance to complete',
    );
    expect(
      Object.values(ids)
        .flat()
        .filter((k) => !/^\d+$/.test(k)),
    ).toEqual([]);
    evaluations = {
      picnic: await evaluate({
        decisionDefinitionId: 'dish',
        variables: { month: 5, guestCount: 30 },
      }),
      // Summer, 8 guests: salad and barbecue both match a UNIQUE table.
      failed: await evaluate({
        decisionDefinitionId: 'dish',
        variables: { month: 7, guestCount: 8 },
      }),
      acme: await evaluate({
        decisionDefinitionId: 'dish',
        tenantId: 'acme',
        variables: { month: 10, guestCount: 4 },
      }),
    };
  }, 60_000);

  afterAll(async () => {
    await stopWorker?.();
    await h?.close();
  });

  describe('decision definitions', () => {
    it('searches by decision id with sort and paging, and gets one by key', async () => {
      const dishes = await camunda.searchDecisionDefinitions(
        {
          filter: { decisionDefinitionId: 'dish' as never },
          sort: [{ field: 'version', order: 'DESC' }],
        },
        NOW,
      );
      expect(Number(dishes.page.totalItems)).toBe(3);
      // Version 2 first; the two version 1 rows (default, acme) by key.
      expect(itemsOf(dishes).map((d) => [d.version, d.tenantId, d.decisionDefinitionKey])).toEqual([
        [2, '<default>', ids.dish[1]],
        ...[
          [1, '<default>', ids.dish[0]],
          [1, 'acme', ids.acmeDish],
        ].sort((a, b) => (BigInt(a[2] as string) < BigInt(b[2] as string) ? -1 : 1)),
      ]);
      expect(itemsOf(dishes)[0]).toEqual({
        decisionDefinitionId: 'dish',
        name: 'Dish',
        version: 2,
        decisionRequirementsId: 'dinner-decisions',
        tenantId: '<default>',
        decisionDefinitionKey: ids.dish[1],
        decisionRequirementsKey: ids.defaultDrg[1],
      });

      const ofDrg = await camunda.searchDecisionDefinitions(
        {
          filter: { decisionRequirementsKey: ids.defaultDrg[0] as never },
          sort: [{ field: 'name' }],
        },
        NOW,
      );
      expect(itemsOf(ofDrg).map((d) => [d.decisionDefinitionId, d.decisionDefinitionKey])).toEqual([
        ['dish', ids.dish[0]],
        ['season', ids.season[0]],
      ]);

      const firstPage = await camunda.searchDecisionDefinitions(
        { filter: { tenantId: '<default>' as never }, page: { from: 0, limit: 3 } },
        NOW,
      );
      const secondPage = await camunda.searchDecisionDefinitions(
        { filter: { tenantId: '<default>' as never }, page: { from: 3, limit: 3 } },
        NOW,
      );
      expect(Number(firstPage.page.totalItems)).toBe(4);
      expect(itemsOf(firstPage).map((d) => d.decisionDefinitionKey)).toEqual([
        ids.season[0],
        ids.dish[0],
        ids.season[1],
      ]);
      expect(itemsOf(secondPage).map((d) => d.decisionDefinitionKey)).toEqual([ids.dish[1]]);
      const after = await cursorClient.searchDecisionDefinitions(
        {
          filter: { tenantId: '<default>' as never },
          page: { after: firstPage.page.endCursor, limit: 3 },
        } as never,
        NOW,
      );
      expect(itemsOf(after).map((d) => d.decisionDefinitionKey)).toEqual([ids.dish[1]]);

      expect(
        await camunda.getDecisionDefinition({ decisionDefinitionKey: ids.season[1] as never }, NOW),
      ).toEqual({
        decisionDefinitionId: 'season',
        name: 'Season',
        version: 2,
        decisionRequirementsId: 'dinner-decisions',
        tenantId: '<default>',
        decisionDefinitionKey: ids.season[1],
        decisionRequirementsKey: ids.defaultDrg[1],
      });
    });

    it("serves the XML of the decision's document verbatim", async () => {
      const v1 = await call('GET', `/decision-definitions/${ids.dish[0]}/xml`, admin);
      expect(v1.status).toBe(200);
      expect(v1.type).toMatch(/^text\/xml/);
      expect(v1.text).toBe(DINNER_DMN);
      expect((await call('GET', `/decision-definitions/${ids.dish[1]}/xml`, admin)).text).toBe(
        DINNER_DMN_V2,
      );
    });

    it('answers 404 for an unknown key, 400 naming a malformed one, and 400 for fields Baton does not offer', async () => {
      const unknown = await failure(
        camunda.getDecisionDefinition({ decisionDefinitionKey: '1' as never }, NOW),
      );
      expect(unknown.status).toBe(404);
      expect((await call('GET', '/decision-definitions/1/xml', admin)).status).toBe(404);
      const malformed = await call('GET', '/decision-definitions/dish', admin);
      expect(malformed.status).toBe(400);
      expect(malformed.body.detail).toMatch(/decisionDefinitionKey/);
      const xmlMalformed = await call('GET', '/decision-definitions/dish/xml', admin);
      expect(xmlMalformed.status).toBe(400);
      expect(xmlMalformed.body.detail).toMatch(/decisionDefinitionKey/);
      const versionTag = await call('POST', '/decision-definitions/search', admin, {
        filter: { versionTag: 'v1' },
      });
      expect(versionTag.status).toBe(400);
      expect(versionTag.body.detail).toMatch(/versionTag/);
    });
  });

  describe('decision requirements', () => {
    it('searches with filters and sort, gets one by key, and serves its XML', async () => {
      const all = await camunda.searchDecisionRequirements(
        {
          filter: { decisionRequirementsId: 'dinner-decisions' },
          sort: [
            { field: 'tenantId', order: 'DESC' },
            { field: 'version', order: 'DESC' },
          ],
        },
        NOW,
      );
      expect(Number(all.page.totalItems)).toBe(3);
      expect(itemsOf(all).map((r) => [r.tenantId, r.version, r.decisionRequirementsKey])).toEqual([
        ['acme', 1, ids.acmeDrg],
        ['<default>', 2, ids.defaultDrg[1]],
        ['<default>', 1, ids.defaultDrg[0]],
      ]);
      const byName = await camunda.searchDecisionRequirements(
        { filter: { decisionRequirementsName: 'Dinner decisions', version: 2 } },
        NOW,
      );
      expect(itemsOf(byName)).toEqual([
        {
          decisionRequirementsName: 'Dinner decisions',
          version: 2,
          decisionRequirementsId: 'dinner-decisions',
          resourceName: 'dinner.dmn',
          tenantId: '<default>',
          decisionRequirementsKey: ids.defaultDrg[1],
        },
      ]);
      const byResource = await camunda.searchDecisionRequirements(
        { filter: { resourceName: 'acme-dinner.dmn' } },
        NOW,
      );
      expect(itemsOf(byResource).map((r) => r.decisionRequirementsKey)).toEqual([ids.acmeDrg]);

      expect(
        await camunda.getDecisionRequirements(
          { decisionRequirementsKey: ids.defaultDrg[0] as never },
          NOW,
        ),
      ).toMatchObject({
        version: 1,
        decisionRequirementsKey: ids.defaultDrg[0],
        resourceName: 'dinner.dmn',
      });
      const xml = await call('GET', `/decision-requirements/${ids.defaultDrg[1]}/xml`, admin);
      expect(xml.status).toBe(200);
      expect(xml.type).toMatch(/^text\/xml/);
      expect(xml.text).toBe(DINNER_DMN_V2);
    });

    it('answers 404 for an unknown key and 400 naming a malformed one', async () => {
      expect(
        (
          await failure(
            camunda.getDecisionRequirements({ decisionRequirementsKey: '2' as never }, NOW),
          )
        ).status,
      ).toBe(404);
      expect((await call('GET', '/decision-requirements/2/xml', admin)).status).toBe(404);
      for (const path of ['/decision-requirements/x1', '/decision-requirements/x1/xml']) {
        const r = await call('GET', path, admin);
        expect(r.status).toBe(400);
        expect(r.body.detail).toMatch(/decisionRequirementsKey/);
      }
    });
  });

  describe('decision instances', () => {
    it("finds a business rule task's evaluation by its process instance, with inputs and matched rules by key", async () => {
      const found = await camunda.searchDecisionInstances(
        { filter: { processInstanceKey: ids.processInstanceKey as never } },
        NOW,
      );
      expect(Number(found.page.totalItems)).toBe(1);
      const [item] = itemsOf(found);
      expect(item).toEqual({
        decisionEvaluationInstanceKey: expect.stringMatching(/^\d+$/),
        state: 'EVALUATED',
        evaluationDate: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        decisionDefinitionId: 'dish',
        decisionDefinitionName: 'Dish',
        decisionDefinitionVersion: 2,
        decisionDefinitionType: 'DECISION_TABLE',
        result: '"stew"',
        tenantId: '<default>',
        decisionEvaluationKey: item.decisionEvaluationInstanceKey,
        processDefinitionKey: ids.processDefinitionKey,
        processInstanceKey: ids.processInstanceKey,
        decisionDefinitionKey: ids.dish[1],
        elementInstanceKey: expect.stringMatching(/^\d+$/),
      });
      const task = await camunda.searchElementInstances(
        {
          filter: {
            processInstanceKey: ids.processInstanceKey as never,
            elementId: 'decide_dish' as never,
          },
        },
        NOW,
      );
      expect(item.elementInstanceKey).toBe(itemsOf(task)[0].elementInstanceKey);

      const one = await camunda.getDecisionInstance(
        { decisionEvaluationInstanceKey: item.decisionEvaluationInstanceKey as never },
        NOW,
      );
      expect(one).toEqual({
        ...item,
        evaluatedInputs: [
          { inputId: 'dish_season', inputName: 'Season', inputValue: '"winter"' },
          { inputId: 'dish_guests', inputName: 'How many guests', inputValue: '4' },
        ],
        matchedRules: [
          {
            ruleId: 'stew',
            ruleIndex: 1,
            evaluatedOutputs: [
              { outputId: 'dish_output', outputName: 'Dish', outputValue: '"stew"' },
            ],
          },
        ],
      });
    });

    it('filters by state, decision key and date, sorts, and pages with cursors', async () => {
      const failed = await camunda.searchDecisionInstances({ filter: { state: 'FAILED' } }, NOW);
      expect(itemsOf(failed).map((d) => d.decisionEvaluationInstanceKey)).toEqual([
        evaluations.failed,
      ]);
      expect(itemsOf(failed)[0]).toMatchObject({
        state: 'FAILED',
        result: 'null',
        evaluationFailure: expect.stringMatching(/^Expected to evaluate decision 'dish'/),
      });
      expect(itemsOf(failed)[0].processInstanceKey).toBeUndefined();
      const failedOne = await camunda.getDecisionInstance(
        { decisionEvaluationInstanceKey: evaluations.failed as never },
        NOW,
      );
      expect(failedOne.state).toBe('FAILED');

      const ofV2 = await camunda.searchDecisionInstances(
        {
          filter: { decisionDefinitionKey: ids.dish[1] as never },
          sort: [{ field: 'evaluationDate', order: 'DESC' }],
        },
        NOW,
      );
      expect(Number(ofV2.page.totalItems)).toBe(3);
      expect(new Set(itemsOf(ofV2).map((d) => d.decisionEvaluationInstanceKey))).toEqual(
        new Set([
          evaluations.failed,
          evaluations.picnic,
          itemsOf(ofV2)[2].decisionEvaluationInstanceKey,
        ]),
      );
      const dates = itemsOf(ofV2).map((d) => Date.parse(d.evaluationDate ?? ''));
      expect([...dates].sort((a, b) => b - a)).toEqual(dates);

      const since = await camunda.searchDecisionInstances(
        {
          filter: {
            evaluationDate: { $gt: '2000-01-01T00:00:00Z' } as never,
            tenantId: '<default>' as never,
          },
        },
        NOW,
      );
      expect(Number(since.page.totalItems)).toBe(3);
      const future = await camunda.searchDecisionInstances(
        { filter: { evaluationDate: { $gt: '2999-01-01T00:00:00Z' } as never } },
        NOW,
      );
      expect(Number(future.page.totalItems)).toBe(0);

      const all = await camunda.searchDecisionInstances(
        { sort: [{ field: 'decisionEvaluationInstanceKey' }] },
        NOW,
      );
      expect(Number(all.page.totalItems)).toBe(4);
      const first = await cursorClient.searchDecisionInstances(
        { sort: [{ field: 'decisionEvaluationInstanceKey' }], page: { limit: 2 } },
        NOW,
      );
      const next = await cursorClient.searchDecisionInstances(
        {
          sort: [{ field: 'decisionEvaluationInstanceKey' }],
          page: { after: first.page.endCursor, limit: 2 },
        } as never,
        NOW,
      );
      const back = await cursorClient.searchDecisionInstances(
        {
          sort: [{ field: 'decisionEvaluationInstanceKey' }],
          page: { before: next.page.startCursor, limit: 2 },
        } as never,
        NOW,
      );
      expect(
        [...itemsOf(first), ...itemsOf(next)].map((d) => d.decisionEvaluationInstanceKey),
      ).toEqual(itemsOf(all).map((d) => d.decisionEvaluationInstanceKey));
      expect(itemsOf(back)).toEqual(itemsOf(first));

      const byName = await camunda.searchDecisionInstances(
        { filter: { decisionDefinitionName: 'Dish', decisionDefinitionVersion: 1 } },
        NOW,
      );
      expect(
        itemsOf(byName).map((d) => [d.decisionEvaluationInstanceKey, d.tenantId, d.result]),
      ).toEqual([[evaluations.acme, 'acme', '"soup"']]);
    });

    it('answers 404 for an unknown key, 400 naming a malformed one, and 400 for decisionDefinitionType', async () => {
      expect(
        (
          await failure(
            camunda.getDecisionInstance({ decisionEvaluationInstanceKey: '3' as never }, NOW),
          )
        ).status,
      ).toBe(404);
      const malformed = await call('GET', '/decision-instances/1-1', admin);
      expect(malformed.status).toBe(400);
      expect(malformed.body.detail).toMatch(/decisionEvaluationInstanceKey/);
      const byType = await call('POST', '/decision-instances/search', admin, {
        filter: { decisionDefinitionType: 'DECISION_TABLE' },
      });
      expect(byType.status).toBe(400);
      expect(byType.body.detail).toMatch(/decisionDefinitionType/);
      const badState = await call('POST', '/decision-instances/search', admin, {
        filter: { state: 'DONE' },
      });
      expect(badState.status).toBe(400);
      expect(JSON.stringify(badState.body)).toMatch(/filter\.state/);
    });
  });

  describe("a caller's tenants", () => {
    it('confine the searches to them', async () => {
      const definitions = await call('POST', '/decision-definitions/search', acmeReader, {});
      expect(definitions.status).toBe(200);
      expect((definitions.body.items as { tenantId: string }[]).map((d) => d.tenantId)).toEqual([
        'acme',
        'acme',
      ]);
      const requirements = await call('POST', '/decision-requirements/search', acmeReader, {
        filter: { tenantId: '<default>' },
      });
      expect(requirements.body.items).toEqual([]);
      const instances = await call('POST', '/decision-instances/search', acmeReader, {});
      expect(
        (instances.body.items as { decisionEvaluationInstanceKey: string }[]).map(
          (d) => d.decisionEvaluationInstanceKey,
        ),
      ).toEqual([evaluations.acme]);
    });

    it("hide another tenant's entities behind their keys (404), and show their own", async () => {
      const hidden = [
        `/decision-definitions/${ids.dish[0]}`,
        `/decision-definitions/${ids.dish[0]}/xml`,
        `/decision-requirements/${ids.defaultDrg[0]}`,
        `/decision-requirements/${ids.defaultDrg[0]}/xml`,
        `/decision-instances/${evaluations.picnic}`,
      ];
      for (const path of hidden) {
        const r = await call('GET', path, acmeReader);
        expect([path, r.status, r.body.title]).toEqual([path, 404, 'NOT_FOUND']);
        expect((await call('GET', path, admin)).status).toBe(200);
      }
      for (const path of [
        `/decision-definitions/${ids.acmeDish}`,
        `/decision-requirements/${ids.acmeDrg}/xml`,
        `/decision-instances/${evaluations.acme}`,
      ]) {
        expect([path, (await call('GET', path, acmeReader)).status]).toEqual([path, 200]);
      }
    });
  });
});

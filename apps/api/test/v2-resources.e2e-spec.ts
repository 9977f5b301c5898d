import type { CamundaClient } from '@camunda8/orchestration-cluster-api';
import { fixture, repoFile, startApi, type ApiHarness } from './api-harness';
import {
  camundaClient,
  deploy as deployTo,
  failure,
  file,
  serviceTask,
  until,
} from './camunda-support';

/**
 * Camunda 8.8's resource deletion (`POST /v2/resources/{resourceKey}/deletion`)
 * through `@camunda8/orchestration-cluster-api` with strict request and
 * response validation, and its `/api/v1` twin (`DELETE /api/v1/processes/{key}`).
 */

/** Searches read what is committed: no eventual consistency to wait for. */
const NOW = { consistency: { waitUpToMs: 0 } };

const DINNER_DMN = repoFile('test/fixtures/decisions/dinner.dmn');
/** The second version of the document: autumn is "fall". */
const DINNER_DMN_V2 = DINNER_DMN.replace('"autumn"</text>', '"fall"</text>');

/** The message start fixture under its own process id, started by the message `name`. */
const messageStart = (processId: string, name: string): string =>
  fixture('events/message-start.bpmn')
    .replaceAll('"message-start"', `"${processId}"`)
    .replace('name="order-placed"', `name="${name}"`);

describe('Camunda 8 REST API (/v2): resource deletion', () => {
  let h: ApiHarness;
  let camunda: CamundaClient;
  /** Evaluation answers carry empty failure fields, as 8.8 answers; the strict response check refuses those (docs/camunda-clients.md). */
  let evaluator: CamundaClient;
  let stopWorker: () => Promise<void>;

  beforeAll(async () => {
    h = await startApi('api_v2_resources');
    stopWorker = await h.worker();
    camunda = camundaClient(h.origin);
    evaluator = camundaClient(h.origin, 'req:strict,res:none');
  }, 60_000);
  afterAll(async () => {
    await stopWorker?.();
    await h?.close();
  });

  const deploy = (name: string, xml: string) => deployTo(camunda, name, xml);
  const version = async (processInstanceKey: string) =>
    (await camunda.getProcessInstance({ processInstanceKey: processInstanceKey as never }, NOW))
      .processDefinitionVersion;

  it('refuses a version with running instances (409); once they ended, deletes it: starts by id take the version before, versions are not reused', async () => {
    const v1 = await deploy('res-order', serviceTask('res-order'));
    const v2 = await deploy(
      'res-order',
      serviceTask('res-order').replace('name="Charge card"', 'name="Charge the card"'),
    );
    const running = await camunda.createProcessInstance({
      processDefinitionId: 'res-order' as never,
    });
    expect(running.processDefinitionKey).toBe(v2.processDefinitionKey);

    // As Zeebe 8.8: INVALID_STATE while an instance of the version runs, and nothing changes.
    expect(
      await failure(camunda.deleteResource({ resourceKey: v2.processDefinitionKey as never })),
    ).toMatchObject({
      status: 409,
      title: 'INVALID_STATE',
    });
    expect(
      (await camunda.createProcessInstance({ processDefinitionId: 'res-order' as never }))
        .processDefinitionVersion,
    ).toBe(2);

    // Work both instances' jobs until no instance of version 2 is left running.
    await until(
      async () => {
        const { jobs } = await camunda.activateJobs({
          type: 'res-order',
          worker: 'w',
          maxJobsToActivate: 10,
          timeout: 30_000,
          requestTimeout: -1,
        });
        for (const job of jobs) await camunda.completeJob({ jobKey: job.jobKey });
        return camunda.searchProcessInstances(
          { filter: { processDefinitionKey: v2.processDefinitionKey as never, state: 'ACTIVE' } },
          NOW,
        );
      },
      (r) => (r.items ?? []).length === 0,
      'the instances of version 2 to complete',
    );

    await camunda.deleteResource({ resourceKey: v2.processDefinitionKey as never });

    // Starts by id take version 1; by the deleted key or version, NOT_FOUND.
    const started = await camunda.createProcessInstance({
      processDefinitionId: 'res-order' as never,
    });
    expect(started).toMatchObject({
      processDefinitionKey: v1.processDefinitionKey,
      processDefinitionVersion: 1,
    });
    expect(
      await failure(
        camunda.createProcessInstance({ processDefinitionKey: v2.processDefinitionKey as never }),
      ),
    ).toMatchObject({
      status: 404,
    });
    expect(
      await failure(
        camunda.createProcessInstance({
          processDefinitionId: 'res-order' as never,
          processDefinitionVersion: 2,
        }),
      ),
    ).toMatchObject({ status: 404 });
    // Gone for gets and searches; version 1 is the latest again.
    expect(
      await failure(
        camunda.getProcessDefinition(
          { processDefinitionKey: v2.processDefinitionKey as never },
          NOW,
        ),
      ),
    ).toMatchObject({ status: 404 });
    const definitions = await camunda.searchProcessDefinitions(
      { filter: { processDefinitionId: 'res-order' } },
      NOW,
    );
    expect((definitions.items ?? []).map((d) => d.version)).toEqual([1]);

    // The ended instance of the deleted version stays readable.
    const ended = await camunda.getProcessInstance(
      { processInstanceKey: running.processInstanceKey },
      NOW,
    );
    expect(ended).toMatchObject({
      state: 'COMPLETED',
      processDefinitionKey: v2.processDefinitionKey,
      processDefinitionVersion: 2,
    });

    // A new deployment, even of the deleted XML, is version 3: Camunda never reuses a version.
    const v3 = await deploy(
      'res-order',
      serviceTask('res-order').replace('name="Charge card"', 'name="Charge the card"'),
    );
    const v3Definition = await camunda.getProcessDefinition(
      { processDefinitionKey: v3.processDefinitionKey as never },
      NOW,
    );
    expect(v3Definition.version).toBe(3);

    // Deleted twice, or never deployed: NOT_FOUND.
    expect(
      await failure(camunda.deleteResource({ resourceKey: v2.processDefinitionKey as never })),
    ).toMatchObject({ status: 404 });
    expect(
      await failure(camunda.deleteResource({ resourceKey: '2251799813685249' as never })),
    ).toMatchObject({ status: 404 });
  });

  it('deletes an older version without touching the latest', async () => {
    const v1 = await deploy('res-older', serviceTask('res-older'));
    const v2 = await deploy(
      'res-older',
      serviceTask('res-older').replace('name="Charge card"', 'name="Charge the card"'),
    );
    await camunda.deleteResource({ resourceKey: v1.processDefinitionKey as never });
    const started = await camunda.createProcessInstance({
      processDefinitionId: 'res-older' as never,
    });
    expect(started.processDefinitionKey).toBe(v2.processDefinitionKey);
    expect(
      await failure(
        camunda.createProcessInstance({
          processDefinitionId: 'res-older' as never,
          processDefinitionVersion: 1,
        }),
      ),
    ).toMatchObject({
      status: 404,
    });
    const definitions = await camunda.searchProcessDefinitions(
      { filter: { processDefinitionId: 'res-older' } },
      NOW,
    );
    expect((definitions.items ?? []).map((d) => d.version)).toEqual([2]);
  });

  it('gives the message start events back to the version before, and deleting the only version leaves nothing to start', async () => {
    await deploy('res-msg', messageStart('res-msg', 'res-msg-one'));
    const v2 = await deploy('res-msg', messageStart('res-msg', 'res-msg-two'));
    // While version 2 is the latest, only its message starts an instance.
    expect(
      await failure(camunda.correlateMessage({ name: 'res-msg-one', correlationKey: 'a' })),
    ).toMatchObject({ status: 404 });

    await camunda.deleteResource({ resourceKey: v2.processDefinitionKey as never });

    const started = await camunda.correlateMessage({ name: 'res-msg-one', correlationKey: 'b' });
    expect(await version(started.processInstanceKey as string)).toBe(1);
    expect(
      await failure(camunda.correlateMessage({ name: 'res-msg-two', correlationKey: 'c' })),
    ).toMatchObject({ status: 404 });

    const only = await deploy('res-msg-only', messageStart('res-msg-only', 'res-msg-only'));
    await camunda.deleteResource({ resourceKey: only.processDefinitionKey as never });
    expect(
      await failure(camunda.correlateMessage({ name: 'res-msg-only', correlationKey: 'd' })),
    ).toMatchObject({ status: 404 });
    expect(
      await failure(
        camunda.createProcessInstance({ processDefinitionId: 'res-msg-only' as never }),
      ),
    ).toMatchObject({ status: 404 });
  });

  it('deletes a decision requirements version with its decisions: the version before decides again', async () => {
    const first = await camunda.createDeployment({
      resources: [file('res-dinner.dmn', DINNER_DMN)],
    });
    const second = await camunda.createDeployment({
      resources: [file('res-dinner.dmn', DINNER_DMN_V2)],
    });
    const drg = (d: typeof first) =>
      d.deployments.find((r) => r.decisionRequirements !== undefined)?.decisionRequirements
        ?.decisionRequirementsKey;
    const season = (d: typeof first) =>
      d.deployments.find((r) => r.decisionDefinition?.decisionDefinitionId === 'season')
        ?.decisionDefinition?.decisionDefinitionKey;
    const evaluate = () =>
      evaluator.evaluateDecision({
        decisionDefinitionId: 'season' as never,
        variables: { month: 10 },
      });
    expect((await evaluate()).output).toBe('"fall"');

    await camunda.deleteResource({ resourceKey: drg(second) as never });

    expect((await evaluate()).output).toBe('"autumn"');
    expect(
      await failure(
        evaluator.evaluateDecision({
          decisionDefinitionKey: season(second) as never,
          variables: { month: 10 },
        }),
      ),
    ).toMatchObject({
      status: 404,
    });
    expect(
      await failure(
        camunda.getDecisionRequirements({ decisionRequirementsKey: drg(second) as never }, NOW),
      ),
    ).toMatchObject({ status: 404 });
    const decisions = await camunda.searchDecisionDefinitions(
      { filter: { decisionDefinitionId: 'season' as never } },
      NOW,
    );
    expect((decisions.items ?? []).map((d) => d.decisionDefinitionKey)).toEqual([season(first)]);

    // A redeploy of the deleted document is version 3.
    const third = await camunda.createDeployment({
      resources: [file('res-dinner.dmn', DINNER_DMN_V2)],
    });
    const requirements = await camunda.getDecisionRequirements(
      { decisionRequirementsKey: drg(third) as never },
      NOW,
    );
    expect(requirements.version).toBe(3);
  });

  it('refuses a key that is not a key and an unknown body field', async () => {
    const notKey = await fetch(`${h.origin}/v2/resources/abc/deletion`, { method: 'POST' });
    expect(notKey.status).toBe(400);
    const unknownField = await fetch(`${h.origin}/v2/resources/1/deletion`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ deleteHistory: true }),
    });
    expect(unknownField.status).toBe(400);
  });

  it('deletes a version over /api/v1 too (DELETE /api/v1/processes/{key}?version=)', async () => {
    await h.json('POST', '/processes', { xml: serviceTask('res-v1') });
    await h.json('POST', '/processes', {
      xml: serviceTask('res-v1').replace('name="Charge card"', 'name="Charge the card"'),
    });
    const withoutVersion = await h.json('DELETE', '/processes/res-v1');
    expect(withoutVersion.status).toBe(400);
    expect(JSON.stringify(withoutVersion.body)).toContain('version');
    expect((await h.json('DELETE', '/processes/res-v1?version=2')).status).toBe(204);
    expect((await h.json('GET', '/processes/res-v1')).body).toMatchObject({
      key: 'res-v1',
      version: 1,
    });
    expect((await h.json('GET', '/processes/res-v1?version=2')).status).toBe(404);
    // The diagram of what ran on the deleted version stays readable by its number (the cockpit shows it).
    const xml = await h.api('/processes/res-v1/xml?version=2');
    expect(xml.status).toBe(200);
    expect(await xml.text()).toContain('name="Charge the card"');
    expect((await h.api('/processes/res-v1/xml')).status).toBe(200);
    expect((await h.json('DELETE', '/processes/res-v1?version=2')).status).toBe(404);
  });

  it('deletes the DMN document version of a decision over /api/v1 (DELETE /api/v1/decisions/{key}?version=)', async () => {
    const dmn = DINNER_DMN.replace('id="dinner-decisions"', 'id="v1-dinner"')
      .replace('id="season"', 'id="v1-season"')
      .replace('id="dish"', 'id="v1-dish"')
      .replace('href="#season"', 'href="#v1-season"');
    expect((await h.json('POST', '/decisions', { xml: dmn })).status).toBe(201);
    expect(
      (await h.json('POST', '/decisions', { xml: dmn.replace('"autumn"</text>', '"fall"</text>') }))
        .status,
    ).toBe(201);
    expect((await h.json('DELETE', '/decisions/v1-season')).status).toBe(400);

    expect((await h.json('DELETE', '/decisions/v1-season?version=2')).status).toBe(204);

    // Its sibling decision went with the document version; version 1 decides again.
    expect((await h.json('GET', '/decisions/v1-dish')).body).toMatchObject({ version: 1 });
    expect((await h.json('GET', '/decisions/v1-dish?version=2')).status).toBe(404);
    const evaluated = await h.json('POST', '/decisions/v1-season/evaluation', {
      variables: { month: 10 },
    });
    expect(evaluated.body).toMatchObject({
      decisionId: 'v1-season',
      decisionVersion: 1,
      output: 'autumn',
    });
    expect((await h.json('DELETE', '/decisions/v1-season?version=2')).status).toBe(404);
  });
});

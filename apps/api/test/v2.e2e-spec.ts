import type { CamundaClient } from '@camunda8/orchestration-cluster-api';
import { Camunda8 } from '@camunda8/sdk';
import { fixture, startApi, type ApiHarness } from './api-harness';
import { activateOne as activateOneJob, camundaClient, deploy as deployTo, failure, file, serviceTask, until } from './camunda-support';

/**
 * Camunda 8.8's Orchestration Cluster REST API (`/v2`), driven by the official
 * clients as a Camunda 8 user would: `@camunda8/orchestration-cluster-api`
 * checking every request and answer against the spec's schemas, and
 * `@camunda8/sdk`'s REST client.
 */

const PROBLEM = /^application\/problem\+json/;





describe('Camunda 8 REST API (/v2) through the official clients', () => {
  let h: ApiHarness;
  let camunda: CamundaClient;
  let stopWorker: () => Promise<void>;

  beforeAll(async () => {
    h = await startApi('api_v2');
    stopWorker = await h.worker();
    camunda = camundaClient(h.origin);
    // Every request and every answer is checked against the 8.8 spec's schemas; a mismatch throws.
    expect(camunda.getConfig().validation).toMatchObject({ req: 'strict', res: 'strict' });
  }, 60_000);
  afterAll(async () => {
    camunda?.stopAllWorkers();
    await stopWorker?.();
    await h?.close();
  });

  const deploy = (name: string, xml: string) => deployTo(camunda, name, xml);

  /** The instance as Baton's own API shows it. */
  async function instance(key: string): Promise<{ status: string; variables: Record<string, unknown> }> {
    const r = await h.json('GET', `/instances/${key}`);
    expect(r.status).toBe(200);
    return r.body;
  }


  const statusOf = (key: string, status: string) =>
    until(() => instance(key), (i) => i.status === status, `instance ${key} to be ${status}`);

  const activateOne = (type: string) => activateOneJob(camunda, type);

  it('answers the topology and the status (what Modeler and c8ctl ask first)', async () => {
    const topology = await camunda.getTopology();
    expect(topology).toMatchObject({ gatewayVersion: '8.8.0', clusterSize: 1, partitionsCount: 1, replicationFactor: 1 });
    expect(topology.brokers[0].partitions).toEqual([{ partitionId: 1, role: 'leader', health: 'healthy' }]);
    await expect(camunda.getStatus()).resolves.toBeUndefined();
  });

  it('deploys several BPMN files as one deployment; unchanged files keep their version; DMN is refused naming the file', async () => {
    const first = await camunda.createDeployment({
      resources: [file('v2-deploy-a.bpmn', serviceTask('v2-deploy-a')), file('v2-deploy-b.bpmn', serviceTask('v2-deploy-b'))],
    });
    expect(first.tenantId).toBe('<default>');
    expect(first.deployments.map((d) => d.processDefinition)).toEqual([
      expect.objectContaining({ processDefinitionId: 'v2-deploy-a', processDefinitionVersion: 1, resourceName: 'v2-deploy-a.bpmn', tenantId: '<default>' }),
      expect.objectContaining({ processDefinitionId: 'v2-deploy-b', processDefinitionVersion: 1, resourceName: 'v2-deploy-b.bpmn', tenantId: '<default>' }),
    ]);

    const again = await camunda.createDeployment({ resources: [file('v2-deploy-a.bpmn', serviceTask('v2-deploy-a'))], tenantId: '<default>' });
    expect(again.deploymentKey).not.toBe(first.deploymentKey);
    expect(again.deployments[0].processDefinition).toMatchObject({
      processDefinitionVersion: 1,
      processDefinitionKey: first.deployments[0].processDefinition?.processDefinitionKey,
    });

    const dmn = await failure(camunda.createDeployment({ resources: [file('rules.dmn', '<definitions/>')] }));
    expect(dmn).toMatchObject({ status: 400, title: 'INVALID_ARGUMENT' });
    expect(dmn.detail).toContain('rules.dmn');

    const invalid = await failure(camunda.createDeployment({ resources: [file('broken.bpmn', fixture('invalid/dangling-flow.bpmn'))] }));
    expect(invalid).toMatchObject({ status: 400 });
    expect(invalid.detail).toContain('broken.bpmn');
  });

  it('creates instances by id, version and key; a job worker completes their jobs', async () => {
    const definition = await deploy('v2-worker', serviceTask('v2-worker'));
    const byId = await camunda.createProcessInstance({
      processDefinitionId: definition.processDefinitionId as never,
      variables: { amount: 10 },
    });
    expect(byId).toMatchObject({
      processDefinitionId: 'v2-worker',
      processDefinitionVersion: 1,
      processDefinitionKey: definition.processDefinitionKey,
      tenantId: '<default>',
      variables: {},
    });
    const byKey = await camunda.createProcessInstance({ processDefinitionKey: definition.processDefinitionKey as never, tenantId: '<default>' as never });
    const byVersion = await camunda.createProcessInstance({ processDefinitionId: 'v2-worker' as never, processDefinitionVersion: 1 });

    const seen: Record<string, unknown>[] = [];
    camunda.createJobWorker({
      jobType: 'v2-worker',
      jobTimeoutMs: 30_000,
      maxParallelJobs: 5,
      pollTimeoutMs: 1_000,
      jobHandler: (job) => {
        seen.push({ ...job.variables, headers: job.customHeaders, kind: job.kind, type: job.type, definition: job.processDefinitionKey });
        return job.complete({ done: true });
      },
    });
    for (const created of [byId, byKey, byVersion]) {
      await statusOf(created.processInstanceKey, 'COMPLETED');
      expect((await instance(created.processInstanceKey)).variables).toMatchObject({ done: true });
    }
    expect(seen).toContainEqual({
      amount: 10,
      headers: { method: 'visa', region: 'eu' },
      kind: 'BPMN_ELEMENT',
      type: 'v2-worker',
      definition: definition.processDefinitionKey,
    });

    const missing = await failure(camunda.createProcessInstance({ processDefinitionId: 'v2-nothing-here' as never }));
    expect(missing).toMatchObject({ status: 404, title: 'NOT_FOUND' });
  });

  it('fails a job with retries left, then with none (an incident), and resolves the incident', async () => {
    await deploy('v2-fail', serviceTask('v2-fail'));
    const { processInstanceKey } = await camunda.createProcessInstance({ processDefinitionId: 'v2-fail' as never });

    const job = await activateOne('v2-fail');
    expect(job).toMatchObject({ processInstanceKey, retries: 5, worker: 'w1', elementId: 'charge', listenerEventType: 'UNSPECIFIED' });
    await camunda.failJob({ jobKey: job.jobKey, retries: 1, errorMessage: 'card declined', retryBackOff: 0 });

    const retried = await activateOne('v2-fail');
    expect(retried).toMatchObject({ jobKey: job.jobKey, retries: 1 });
    await camunda.failJob({ jobKey: retried.jobKey, retries: 0, errorMessage: 'card declined again' });

    const incidents = await until(
      () => h.json('GET', `/incidents?instanceId=${processInstanceKey}`),
      (r) => r.body.items.length === 1,
      'the incident',
    );
    expect(incidents.body.items[0]).toMatchObject({ type: 'JOB_NO_RETRIES', message: 'card declined again' });

    await camunda.resolveIncident({ incidentKey: incidents.body.items[0].id });
    const again = await activateOne('v2-fail');
    expect(again.jobKey).toBe(job.jobKey);
    // Resolved without new retries: Baton hands the job out with one.
    expect(again.retries).toBe(1);
    // A longer lease from now.
    await camunda.updateJob({ jobKey: again.jobKey, changeset: { timeout: 120_000 } });
    await camunda.completeJob({ jobKey: again.jobKey, variables: { paid: true } });
    await statusOf(processInstanceKey, 'COMPLETED');

    const gone = await failure(camunda.completeJob({ jobKey: '2251799813685249' as never }));
    expect(gone).toMatchObject({ status: 404, title: 'NOT_FOUND' });
  });

  it('throws a BPMN error that an error boundary event catches', async () => {
    await deploy('error-boundary', fixture('events/error-boundary.bpmn'));
    const { processInstanceKey } = await camunda.createProcessInstance({ processDefinitionId: 'error-boundary' as never });
    const job = await activateOne('charge');
    await camunda.throwJobError({ jobKey: job.jobKey, errorCode: 'PAYMENT_FAILED', errorMessage: 'no funds', variables: { reason: 'funds' } });
    await statusOf(processInstanceKey, 'COMPLETED');
    const history = await h.json('GET', `/instances/${processInstanceKey}/history?limit=1000`);
    expect(history.body.items.map((i: { elementId: string }) => i.elementId)).toEqual(expect.arrayContaining(['payment_failed', 'end_failed']));
  });

  it('publishes and correlates messages; a correlation that reaches nothing is a 404', async () => {
    await deploy('message-catch', fixture('events/message-catch.bpmn'));
    const a = await camunda.createProcessInstance({ processDefinitionId: 'message-catch' as never, variables: { orderId: 'v2-a' } });
    const b = await camunda.createProcessInstance({ processDefinitionId: 'message-catch' as never, variables: { orderId: 'v2-b' } });
    // Wait until both instances have opened their subscriptions.
    await until(() => instance(b.processInstanceKey), (i) => JSON.stringify(i).includes('wait_payment'), 'the subscription');
    await until(() => instance(a.processInstanceKey), (i) => JSON.stringify(i).includes('wait_payment'), 'the subscription');

    const nothing = await failure(camunda.correlateMessage({ name: 'payment', correlationKey: 'v2-none' }));
    expect(nothing).toMatchObject({ status: 404, title: 'NOT_FOUND' });

    const correlated = await camunda.correlateMessage({ name: 'payment', correlationKey: 'v2-a', variables: { paid: 1 } });
    expect(correlated).toMatchObject({ processInstanceKey: a.processInstanceKey, tenantId: '<default>' });
    await statusOf(a.processInstanceKey, 'COMPLETED');

    const published = await camunda.publishMessage({ name: 'payment', correlationKey: 'v2-b', timeToLive: 0, variables: { paid: 2 } });
    expect(published).toMatchObject({ tenantId: '<default>' });
    expect(published.messageKey).toMatch(/^[0-9]+$/);
    await statusOf(b.processInstanceKey, 'COMPLETED');
    expect((await instance(b.processInstanceKey)).variables).toMatchObject({ paid: 2 });

    // Buffered with a TTL: an instance that subscribes later takes it.
    await camunda.publishMessage({ name: 'payment', correlationKey: 'v2-c', timeToLive: 60_000, messageId: 'v2-c-1' });
    const c = await camunda.createProcessInstance({ processDefinitionId: 'message-catch' as never, variables: { orderId: 'v2-c' } });
    await statusOf(c.processInstanceKey, 'COMPLETED');
  });

  it('broadcasts a signal', async () => {
    await deploy('signal', fixture('events/signal.bpmn'));
    const { processInstanceKey } = await camunda.createProcessInstance({ processDefinitionId: 'signal' as never });
    await until(() => instance(processInstanceKey), (i) => JSON.stringify(i).includes('wait_go'), 'the signal subscription');
    const signal = await camunda.broadcastSignal({ signalName: 'go-ahead', variables: { went: true } });
    expect(signal).toMatchObject({ tenantId: '<default>' });
    expect(signal.signalKey).toMatch(/^[0-9]+$/);
    await statusOf(processInstanceKey, 'COMPLETED');
  });

  it('cancels an instance; canceling it again is a 404', async () => {
    await deploy('v2-cancel', serviceTask('v2-cancel'));
    const { processInstanceKey } = await camunda.createProcessInstance({ processDefinitionId: 'v2-cancel' as never });
    await camunda.cancelProcessInstance({ processInstanceKey });
    await statusOf(processInstanceKey, 'CANCELED');
    const again = await failure(camunda.cancelProcessInstance({ processInstanceKey }));
    expect(again).toMatchObject({ status: 404, title: 'NOT_FOUND' });
  });

  it('awaits completion with fetchVariables, and answers 504 when requestTimeout runs out', async () => {
    await deploy('v2-await', serviceTask('v2-await'));
    camunda.createJobWorker({
      jobType: 'v2-await',
      jobTimeoutMs: 30_000,
      maxParallelJobs: 5,
      pollTimeoutMs: 1_000,
      jobHandler: (job) => job.complete({ result: 'charged', noise: 'x' }),
    });
    const done = await camunda.createProcessInstance({
      processDefinitionId: 'v2-await' as never,
      variables: { amount: 3 },
      awaitCompletion: true,
      fetchVariables: ['result', 'amount'],
      requestTimeout: 20_000,
    });
    expect(done.variables).toEqual({ result: 'charged', amount: 3 });

    await deploy('message-catch', fixture('events/message-catch.bpmn'));
    const started = Date.now();
    const timeout = await failure(
      camunda.createProcessInstance({
        processDefinitionId: 'message-catch' as never,
        variables: { orderId: 'v2-never' },
        awaitCompletion: true,
        requestTimeout: 300,
      }),
    );
    expect(timeout).toMatchObject({ status: 504, title: 'DEADLINE_EXCEEDED' });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('takes what clients send: an empty Authorization header, no body on actions; refuses unknown fields and JSON deployments', async () => {
    const v2 = (path: string, init: RequestInit = {}) => fetch(`${h.origin}/v2${path}`, init);
    expect((await v2('/topology', { headers: { authorization: '' } })).status).toBe(200);
    expect((await v2('/status', { headers: { authorization: '' } })).status).toBe(204);

    const unknown = await v2('/signals/broadcast', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: '' },
      body: JSON.stringify({ signalName: 'x', surprise: 1 }),
    });
    expect(unknown.status).toBe(400);
    expect(unknown.headers.get('content-type')).toMatch(PROBLEM);
    expect(await unknown.json()).toMatchObject({ status: 400, title: 'INVALID_ARGUMENT', detail: expect.stringContaining('surprise') });

    // A file part without a Content-Type header, and the tenant as a plain field.
    const boundary = 'baton-v2-boundary';
    const multipart = [
      `--${boundary}`,
      'Content-Disposition: form-data; name="resources"; filename="v2-raw.bpmn"',
      '',
      serviceTask('v2-raw'),
      `--${boundary}`,
      'Content-Disposition: form-data; name="tenantId"',
      '',
      '<default>',
      `--${boundary}--`,
      '',
    ].join('\r\n');
    const raw = await v2('/deployments', {
      method: 'POST',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, authorization: '' },
      body: multipart,
    });
    expect(raw.status).toBe(200);
    expect(await raw.json()).toMatchObject({
      tenantId: '<default>',
      deployments: [{ processDefinition: { processDefinitionId: 'v2-raw', resourceName: 'v2-raw.bpmn', processDefinitionVersion: 1 } }],
    });

    const json = await v2('/deployments', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(json.status).toBe(415);

    const badKey = await v2('/jobs/not-a-key/completion', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(badKey.status).toBe(400);

    // Baton's own API is still under /api/v1, and /v2 is not.
    expect((await h.api('/processes')).status).toBe(200);
    expect((await fetch(`${h.origin}/api/v1/v2/topology`)).status).toBe(404);
  });

  it("works with @camunda8/sdk's REST client (multipart parts without a content type, empty bodies)", async () => {
    const c8 = new Camunda8({
      ZEEBE_REST_ADDRESS: h.origin,
      CAMUNDA_AUTH_STRATEGY: 'NONE',
      CAMUNDA_LOG_LEVEL: 'none',
    } as never);
    const rest = c8.getCamundaRestClient();
    const topology = await rest.getTopology();
    expect(topology.gatewayVersion).toBe('8.8.0');

    const deployed = await rest.deployResources([{ name: 'v2-sdk.bpmn', content: serviceTask('v2-sdk') }]);
    expect(deployed.processes[0]).toMatchObject({ processDefinitionId: 'v2-sdk', processDefinitionVersion: 1 });

    const created = await rest.createProcessInstance({ processDefinitionId: 'v2-sdk', variables: { n: 1 } });
    const jobs = await rest.activateJobs({ type: 'v2-sdk', worker: 'sdk', maxJobsToActivate: 1, timeout: 30_000, requestTimeout: 5_000 });
    expect(jobs).toHaveLength(1);
    expect(jobs[0].variables).toMatchObject({ n: 1 });
    await rest.completeJob({ jobKey: jobs[0].jobKey, variables: { sdk: true } });
    await statusOf(created.processInstanceKey, 'COMPLETED');

    // Cancel and resolve go out with a JSON content type and no (or an empty) body.
    const other = await rest.createProcessInstance({ processDefinitionId: 'v2-sdk', variables: {} });
    await rest.cancelProcessInstance({ processInstanceKey: other.processInstanceKey });
    await statusOf(other.processInstanceKey, 'CANCELED');
  });
});

import type { CamundaClient } from '@camunda8/orchestration-cluster-api';
import { fixture, startApi, type ApiHarness } from './api-harness';
import { activateOne as activateOneJob, camundaClient, deploy as deployTo, failure, serviceTask, until } from './camunda-support';

/**
 * Camunda 8.8's operations on running instances (`/v2`): job retries,
 * element instances, variables. Driven by `@camunda8/orchestration-cluster-api`
 * with every request and answer checked against the spec's schemas, and by
 * plain HTTP for what the strict client refuses to send.
 */


/** Searches read what is committed: no eventual consistency to wait for. */
const NOW = { consistency: { waitUpToMs: 0 } };

type Problem = { title?: string; detail?: string };

describe('Camunda 8 REST API (/v2): job retries, element instances, variables', () => {
  let h: ApiHarness;
  let camunda: CamundaClient;
  let stopWorker: () => Promise<void>;

  beforeAll(async () => {
    h = await startApi('api_v2_operate');
    stopWorker = await h.worker();
    camunda = camundaClient(h.origin);
    expect(camunda.getConfig().validation).toMatchObject({ req: 'strict', res: 'strict' });
  }, 60_000);
  afterAll(async () => {
    camunda?.stopAllWorkers();
    await stopWorker?.();
    await h?.close();
  });

  const deploy = (name: string, xml: string) => deployTo(camunda, name, xml);


  /** A raw `/v2` request (what the strict client would refuse to send). */
  async function raw(method: string, path: string, body?: unknown): Promise<{ status: number; body: Problem }> {
    const r = await fetch(`${h.origin}/v2${path}`, {
      method,
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    const text = await r.text();
    return { status: r.status, body: text === '' ? {} : (JSON.parse(text) as Problem) };
  }

  const activateOne = (type: string) => activateOneJob(camunda, type);

  /** Starts an instance of the process and fails its job with no retries left: the JOB_NO_RETRIES incident. */
  async function failedJob(processId: string) {
    const { processInstanceKey } = await camunda.createProcessInstance({ processDefinitionId: processId as never });
    const job = await activateOne(processId);
    await camunda.failJob({ jobKey: job.jobKey, retries: 0, errorMessage: 'card declined' });
    const incidents = await until(
      () => camunda.searchIncidents({ filter: { processInstanceKey } }, NOW),
      (r) => r.items?.length === 1,
      'the incident',
    );
    const incident = incidents.items?.[0];
    if (incident?.incidentKey === undefined) throw new Error('no incident');
    return { processInstanceKey, job, incident: { ...incident, incidentKey: incident.incidentKey } };
  }

  type Element = Record<string, unknown> & { elementId: string; elementInstanceKey: string; startDate: string; endDate?: string };
  /** An element instance search; its items loosely typed (the client brands every id). */
  async function elements(request: Parameters<CamundaClient['searchElementInstances']>[0]) {
    const r = await camunda.searchElementInstances(request, NOW);
    return { items: (r.items ?? []) as unknown as Element[], page: r.page };
  }

  const jobOf = async (jobKey: string) => (await camunda.searchJobs({ filter: { jobKey: jobKey as never } }, NOW)).items[0];
  const statusOf = async (key: string) => (await camunda.getProcessInstance({ processInstanceKey: key as never }, NOW)).state;

  describe('PATCH /v2/jobs/{jobKey} with retries', () => {
    beforeAll(async () => {
      await deploy('v2o-retries', serviceTask('v2o-retries'));
    });

    it('updating retries keeps the job FAILED and its incident open; resolving hands it out with them', async () => {
      const { processInstanceKey, job, incident } = await failedJob('v2o-retries');
      expect(incident).toMatchObject({ errorType: 'JOB_NO_RETRIES', state: 'ACTIVE', jobKey: job.jobKey });

      await camunda.updateJob({ jobKey: job.jobKey, changeset: { retries: 3 } });

      expect(await jobOf(job.jobKey)).toMatchObject({ state: 'FAILED', retries: 3 });
      expect(await camunda.getIncident({ incidentKey: incident.incidentKey }, NOW)).toMatchObject({ state: 'ACTIVE' });
      const none = await camunda.activateJobs({ type: 'v2o-retries', worker: 'w1', maxJobsToActivate: 1, timeout: 30_000, requestTimeout: -1 });
      expect(none.jobs).toEqual([]);

      await camunda.resolveIncident({ incidentKey: incident.incidentKey });
      const again = await activateOne('v2o-retries');
      expect(again).toMatchObject({ jobKey: job.jobKey, retries: 3 });
      expect(await camunda.getIncident({ incidentKey: incident.incidentKey }, NOW)).toMatchObject({ state: 'RESOLVED' });

      // Retries and timeout together, on a leased job: it stays leased.
      await camunda.updateJob({ jobKey: again.jobKey, changeset: { retries: 5, timeout: 60_000 } });
      expect(await jobOf(job.jobKey)).toMatchObject({ state: 'CREATED', retries: 5, worker: 'w1' });
      await camunda.failJob({ jobKey: again.jobKey, errorMessage: 'once more', retries: 4, retryBackOff: 0 });
      const third = await activateOne('v2o-retries');
      expect(third).toMatchObject({ jobKey: job.jobKey, retries: 4 });
      await camunda.completeJob({ jobKey: third.jobKey });
      await until(() => statusOf(processInstanceKey), (s) => s === 'COMPLETED', 'the instance to complete');

      const ended = await failure(camunda.updateJob({ jobKey: job.jobKey, changeset: { retries: 2 } }));
      expect(ended).toMatchObject({ status: 409, title: 'INVALID_STATE' });
      expect(await jobOf(job.jobKey)).toMatchObject({ state: 'COMPLETED', retries: 4 });
    });

    it('refuses retries below 1 or beyond int32, an empty changeset, malformed and unknown keys', async () => {
      const { job } = await failedJob('v2o-retries');
      for (const retries of [0, -2]) {
        const r = await raw('PATCH', `/jobs/${job.jobKey}`, { changeset: { retries } });
        expect(r).toMatchObject({ status: 400, body: { title: 'INVALID_ARGUMENT' } });
        expect(r.body.detail).toContain('changeset.retries');
      }
      const huge = await raw('PATCH', `/jobs/${job.jobKey}`, { changeset: { retries: 2 ** 31 } });
      expect(huge).toMatchObject({ status: 400, body: { title: 'INVALID_ARGUMENT' } });
      const empty = await raw('PATCH', `/jobs/${job.jobKey}`, { changeset: {} });
      expect(empty).toMatchObject({ status: 400, body: { title: 'INVALID_ARGUMENT' } });
      expect(empty.body.detail).toContain('changeset');
      expect(await jobOf(job.jobKey)).toMatchObject({ state: 'FAILED', retries: 0 });
      // A timeout needs a lease: refused as a whole, the retries untouched.
      const notLeased = await failure(camunda.updateJob({ jobKey: job.jobKey, changeset: { retries: 2, timeout: 10_000 } }));
      expect(notLeased).toMatchObject({ status: 409, title: 'INVALID_STATE' });
      expect(await jobOf(job.jobKey)).toMatchObject({ state: 'FAILED', retries: 0 });

      const malformed = await raw('PATCH', '/jobs/12x', { changeset: { retries: 1 } });
      expect(malformed).toMatchObject({ status: 400, body: { title: 'INVALID_ARGUMENT' } });
      expect(malformed.body.detail).toContain('jobKey');
      const unknown = await failure(camunda.updateJob({ jobKey: '2251799813685249' as never, changeset: { retries: 1 } }));
      expect(unknown).toMatchObject({ status: 404, title: 'NOT_FOUND' });
    });

    it('has a /api/v1 equivalent: POST /api/v1/jobs/{id}/retries', async () => {
      const { job, incident } = await failedJob('v2o-retries');
      expect((await h.json('POST', `/jobs/${job.jobKey}/retries`, { retries: 0 })).status).toBe(400);
      expect((await h.json('POST', `/jobs/${job.jobKey}/retries`, {})).status).toBe(400);
      expect((await h.json('POST', '/jobs/2251799813685249/retries', { retries: 2 })).status).toBe(404);

      expect((await h.json('POST', `/jobs/${job.jobKey}/retries`, { retries: 2 })).status).toBe(204);
      expect(await jobOf(job.jobKey)).toMatchObject({ state: 'FAILED', retries: 2 });
      expect((await h.json('POST', `/incidents/${incident.incidentKey}/resolve`)).status).toBe(200);
      expect(await activateOne('v2o-retries')).toMatchObject({ jobKey: job.jobKey, retries: 2 });
    });
  });

  describe('element instances', () => {
    beforeAll(async () => {
      await deploy('v2o-elements', serviceTask('v2o-elements'));
    });

    it('searches an instance\'s elements with Camunda\'s types, states, names and incidents; gets one by key', async () => {
      const { processInstanceKey, job, incident } = await failedJob('v2o-elements');
      const all = await elements({ filter: { processInstanceKey }, sort: [{ field: 'startDate' }, { field: 'elementInstanceKey' }] });
      expect(all.page.totalItems).toBe(3n);
      const byElement = new Map(all.items.map((e) => [e.elementId, e]));
      expect(byElement.get('v2o-elements')).toMatchObject({
        elementInstanceKey: processInstanceKey,
        type: 'PROCESS',
        state: 'ACTIVE',
        elementName: 'Service task',
        processDefinitionId: 'v2o-elements',
        hasIncident: false,
        tenantId: '<default>',
      });
      expect(byElement.get('start')).toMatchObject({ type: 'START_EVENT', state: 'COMPLETED', elementName: 'start', endDate: expect.any(String) });
      const task = byElement.get('charge');
      expect(task).toMatchObject({
        elementInstanceKey: job.elementInstanceKey,
        processInstanceKey,
        processDefinitionKey: job.processDefinitionKey,
        type: 'SERVICE_TASK',
        state: 'ACTIVE',
        elementName: 'Charge card',
        hasIncident: true,
        incidentKey: incident.incidentKey,
      });
      expect(task).not.toHaveProperty('endDate');

      expect(await camunda.getElementInstance({ elementInstanceKey: job.elementInstanceKey }, NOW)).toEqual(task);
      // The process itself is the element instance keyed by the process instance key.
      expect(await camunda.getElementInstance({ elementInstanceKey: processInstanceKey as never }, NOW)).toEqual(byElement.get('v2o-elements'));

      const withIncident = await elements({ filter: { processInstanceKey, hasIncident: true } });
      expect(withIncident.items.map((e) => e.elementId)).toEqual(['charge']);
      const byIncident = await elements({ filter: { incidentKey: incident.incidentKey } });
      expect(byIncident.items.map((e) => e.elementId)).toEqual(['charge']);
      const serviceTasks = await elements({ filter: { processInstanceKey, type: 'SERVICE_TASK', state: 'ACTIVE' } });
      expect(serviceTasks.items.map((e) => e.elementId)).toEqual(['charge']);
      const subProcesses = await elements({ filter: { processInstanceKey, type: 'SUB_PROCESS' } });
      expect(subProcesses.items).toEqual([]);

      await camunda.updateJob({ jobKey: job.jobKey, changeset: { retries: 1 } });
      await camunda.resolveIncident({ incidentKey: incident.incidentKey });
      await camunda.completeJob({ jobKey: (await activateOne('v2o-elements')).jobKey });
      await until(() => statusOf(processInstanceKey), (s) => s === 'COMPLETED', 'the instance to complete');

      const done = await elements({ filter: { processInstanceKey }, sort: [{ field: 'elementId', order: 'DESC' }] });
      expect(done.items.map((e) => [e.elementId, e.type, e.state, e.hasIncident])).toEqual([
        ['v2o-elements', 'PROCESS', 'COMPLETED', false],
        ['start', 'START_EVENT', 'COMPLETED', false],
        ['end', 'END_EVENT', 'COMPLETED', false],
        ['charge', 'SERVICE_TASK', 'COMPLETED', false],
      ]);
      for (const e of done.items) {
        expect(e).not.toHaveProperty('incidentKey');
        expect(Date.parse(e.endDate ?? '')).toBeGreaterThanOrEqual(Date.parse(e.startDate));
      }
    });

    it('shows a canceled instance\'s elements as TERMINATED and pages through them', async () => {
      const { processInstanceKey } = await camunda.createProcessInstance({ processDefinitionId: 'v2o-elements' as never });
      await activateOne('v2o-elements');
      await camunda.cancelProcessInstance({ processInstanceKey });
      await until(() => statusOf(processInstanceKey), (s) => s === 'TERMINATED', 'the instance to be terminated');

      const terminated = await elements({ filter: { processInstanceKey, state: 'TERMINATED' } });
      expect(terminated.items.map((e) => e.elementId).sort()).toEqual(['charge', 'v2o-elements']);

      const first = await elements({ filter: { processInstanceKey }, page: { limit: 2 } });
      const second = await elements({ filter: { processInstanceKey }, page: { from: 2, limit: 2 } });
      expect(first.page.totalItems).toBe(3n);
      expect(first.items).toHaveLength(2);
      expect(second.items).toHaveLength(1);
      const keys = [...first.items, ...second.items].map((e) => BigInt(e.elementInstanceKey));
      expect(keys).toEqual([...keys].sort((a, b) => (a < b ? -1 : 1)));
      expect(new Set(keys).size).toBe(3);
    });

    it('answers 404 for an unknown key, 400 naming a malformed key, an unknown filter or one Baton does not offer', async () => {
      const unknown = await failure(camunda.getElementInstance({ elementInstanceKey: '2251799813685249' as never }, NOW));
      expect(unknown).toMatchObject({ status: 404, title: 'NOT_FOUND' });
      const malformed = await raw('GET', '/element-instances/abc');
      expect(malformed).toMatchObject({ status: 400, body: { title: 'INVALID_ARGUMENT' } });
      expect(malformed.body.detail).toContain('elementInstanceKey');
      const color = await raw('POST', '/element-instances/search', { filter: { color: 'red' } });
      expect(color).toMatchObject({ status: 400, body: { title: 'INVALID_ARGUMENT' } });
      expect(color.body.detail).toContain('color');
      const byName = await failure(camunda.searchElementInstances({ filter: { elementName: 'Charge card' } }, NOW));
      expect(byName).toMatchObject({ status: 400, title: 'INVALID_ARGUMENT' });
      const badType = await raw('POST', '/element-instances/search', { filter: { type: 'SPACESHIP' } });
      expect(badType).toMatchObject({ status: 400, body: { title: 'INVALID_ARGUMENT' } });
    });
  });

  describe('PUT /v2/element-instances/{elementInstanceKey}/variables', () => {
    beforeAll(async () => {
      // A subprocess whose input mapping makes `attempts` local to it; its service task has job type `try`.
      await deploy('subprocess-local', fixture('variables/subprocess-local.bpmn'));
    });

    const variablesOf = async (key: string) => (await h.json('GET', `/instances/${key}`)).body.variables as Record<string, unknown>;

    it('propagates to the nearest scope that has a variable, else the process; local stays local; the process instance key names the process scope', async () => {
      const { processInstanceKey } = await camunda.createProcessInstance({ processDefinitionId: 'subprocess-local' as never, variables: { orderId: 'o-1' } });
      const job = await activateOne('try');
      expect(job.variables).toEqual({ orderId: 'o-1', attempts: 0 });

      await camunda.createElementInstanceVariables({ elementInstanceKey: job.elementInstanceKey, variables: { attempts: 7, fresh: 'x' } });
      // attempts lives in the subprocess scope and was updated there; fresh existed nowhere: the process scope.
      expect(await variablesOf(processInstanceKey)).toEqual({ orderId: 'o-1', fresh: 'x' });

      await camunda.createElementInstanceVariables({ elementInstanceKey: job.elementInstanceKey, variables: { scratch: 1 }, local: true });
      expect(await variablesOf(processInstanceKey)).toEqual({ orderId: 'o-1', fresh: 'x' });

      await camunda.createElementInstanceVariables({ elementInstanceKey: processInstanceKey as never, variables: { orderId: 'o-2' } });
      expect(await variablesOf(processInstanceKey)).toEqual({ orderId: 'o-2', fresh: 'x' });

      // The job sees every scope: its own local, the subprocess's, the process's.
      await camunda.failJob({ jobKey: job.jobKey, retries: 1, errorMessage: 'again', retryBackOff: 0 });
      const again = await activateOne('try');
      expect(again.variables).toEqual({ orderId: 'o-2', fresh: 'x', attempts: 7, scratch: 1 });
      await camunda.completeJob({ jobKey: again.jobKey });
      await until(() => statusOf(processInstanceKey), (s) => s === 'COMPLETED', 'the instance to complete');
      // The subprocess's output mapping read the updated local; the task's local went with it.
      expect(await variablesOf(processInstanceKey)).toEqual({ orderId: 'o-2', fresh: 'x', lastAttempts: 7 });

      const ended = await failure(camunda.createElementInstanceVariables({ elementInstanceKey: job.elementInstanceKey, variables: { late: 1 } }));
      expect(ended).toMatchObject({ status: 404, title: 'NOT_FOUND' });
      const endedProcess = await failure(camunda.createElementInstanceVariables({ elementInstanceKey: processInstanceKey as never, variables: { late: 1 } }));
      expect(endedProcess).toMatchObject({ status: 404, title: 'NOT_FOUND' });
      expect(await variablesOf(processInstanceKey)).toEqual({ orderId: 'o-2', fresh: 'x', lastAttempts: 7 });
    });

    it('refuses malformed and unknown keys, bodies outside the spec, and variables over the size limit, writing nothing', async () => {
      const { processInstanceKey } = await camunda.createProcessInstance({ processDefinitionId: 'subprocess-local' as never, variables: { orderId: 'o-3' } });
      const path = `/element-instances/${processInstanceKey}/variables`;

      const malformed = await raw('PUT', '/element-instances/1e5/variables', { variables: { a: 1 } });
      expect(malformed).toMatchObject({ status: 400, body: { title: 'INVALID_ARGUMENT' } });
      expect(malformed.body.detail).toContain('elementInstanceKey');
      expect(await raw('PUT', '/element-instances/2251799813685249/variables', { variables: { a: 1 } })).toMatchObject({ status: 404, body: { title: 'NOT_FOUND' } });
      expect(await raw('PUT', path, {})).toMatchObject({ status: 400, body: { title: 'INVALID_ARGUMENT' } });
      expect(await raw('PUT', path, { variables: [1, 2] })).toMatchObject({ status: 400, body: { title: 'INVALID_ARGUMENT' } });
      const extra = await raw('PUT', path, { variables: { a: 1 }, scope: 'x' });
      expect(extra).toMatchObject({ status: 400, body: { title: 'INVALID_ARGUMENT' } });
      expect(extra.body.detail).toContain('scope');
      expect(await raw('PUT', path, { variables: { a: 1 }, local: 'yes' })).toMatchObject({ status: 400, body: { title: 'INVALID_ARGUMENT' } });
      // Over MAX_VARIABLE_SIZE: /api/v1's 422 is Camunda's INVALID_ARGUMENT on /v2.
      const big = await raw('PUT', path, { variables: { big: 'x'.repeat(1_100_000) } });
      expect(big).toMatchObject({ status: 400, body: { title: 'INVALID_ARGUMENT' } });
      expect(big.body.detail).toContain('big');
      expect(await variablesOf(processInstanceKey)).toEqual({ orderId: 'o-3' });
    });
  });

  describe('variables', () => {
    type Variable = { name: string; value: string; isTruncated?: boolean; variableKey: string; scopeKey: string; processInstanceKey: string; tenantId: string };
    async function variables(request: Parameters<CamundaClient['searchVariables']>[0]) {
      const r = await camunda.searchVariables(request, NOW);
      return { items: (r.items ?? []) as unknown as Variable[], page: r.page };
    }
    let first: string;
    let second: string;

    beforeAll(async () => {
      await deploy('v2o-variables', serviceTask('v2o-variables'));
      first = (
        await camunda.createProcessInstance({
          processDefinitionId: 'v2o-variables' as never,
          variables: { v2oOrder: 'v2o-1', amount: 42, customer: { name: 'Ann', tags: ['a'] }, note: null, big: 'y'.repeat(9000) },
        })
      ).processInstanceKey;
      second = (await camunda.createProcessInstance({ processDefinitionId: 'v2o-variables' as never, variables: { v2oOrder: 'v2o-2' } })).processInstanceKey;
    });

    it('searches an instance\'s process-scope variables as JSON text, cutting long values; keys stay the same', async () => {
      const found = await variables({ filter: { processInstanceKey: first as never }, sort: [{ field: 'name' }] });
      expect(Number(found.page.totalItems)).toBe(5);
      expect(found.items.map((v) => [v.name, v.value, v.isTruncated])).toEqual([
        ['amount', '42', false],
        ['big', `"${'y'.repeat(8190)}`, true],
        ['customer', '{"name":"Ann","tags":["a"]}', false],
        ['note', 'null', false],
        ['v2oOrder', '"v2o-1"', false],
      ]);
      for (const v of found.items) {
        expect(v).toMatchObject({ processInstanceKey: first, scopeKey: first, tenantId: '<default>', variableKey: expect.stringMatching(/^[0-9]+$/) });
      }
      expect(new Set(found.items.map((v) => v.variableKey)).size).toBe(5);
      const again = await variables({ filter: { processInstanceKey: first as never }, sort: [{ field: 'name' }] });
      expect(again.items.map((v) => v.variableKey)).toEqual(found.items.map((v) => v.variableKey));

      const big = found.items[1];
      const whole = await camunda.getVariable({ variableKey: big.variableKey as never }, NOW);
      expect(whole).toMatchObject({ name: 'big', processInstanceKey: first, scopeKey: first, variableKey: big.variableKey });
      expect(whole.value).toBe(JSON.stringify('y'.repeat(9000)));
      expect(whole).not.toHaveProperty('isTruncated');
    });

    it('filters by name, value and key across instances; a variable keeps its key when it changes', async () => {
      const v2oOrders = await variables({ filter: { name: 'v2oOrder' }, sort: [{ field: 'value', order: 'DESC' }] });
      expect(v2oOrders.items.map((v) => [v.processInstanceKey, v.value])).toEqual([
        [second, '"v2o-2"'],
        [first, '"v2o-1"'],
      ]);
      const byValue = await variables({ filter: { value: '"v2o-2"' } });
      expect(byValue.items.map((v) => v.processInstanceKey)).toEqual([second]);
      const like = await variables({ filter: { processInstanceKey: first as never, name: { $like: '*o*' } } });
      expect(like.items.map((v) => v.name).sort()).toEqual(['amount', 'customer', 'note', 'v2oOrder']);
      const key = v2oOrders.items[0].variableKey;
      const byKey = await variables({ filter: { variableKey: key as never } });
      expect(byKey.items.map((v) => [v.processInstanceKey, v.name])).toEqual([[second, 'v2oOrder']]);

      await camunda.createElementInstanceVariables({ elementInstanceKey: second as never, variables: { v2oOrder: 'v2o-2b' } });
      expect(await camunda.getVariable({ variableKey: key as never }, NOW)).toMatchObject({ name: 'v2oOrder', value: '"v2o-2b"', variableKey: key });
    });

    it('lists the local variables of live subprocesses and tasks under their element instance key as scopeKey', async () => {
      await deploy(
        'v2o-local',
        fixture('variables/subprocess-local.bpmn').replaceAll('"subprocess-local"', '"v2o-local"').replace('type="try"', 'type="v2o-local"'),
      );
      const { processInstanceKey } = await camunda.createProcessInstance({ processDefinitionId: 'v2o-local' as never, variables: { orderId: 'o-9' } });
      const job = await activateOne('v2o-local');
      await camunda.createElementInstanceVariables({ elementInstanceKey: job.elementInstanceKey, variables: { scratch: { n: 1 } }, local: true });
      const [subprocess] = (await camunda.searchElementInstances({ filter: { processInstanceKey, elementId: 'attempt' as never } }, NOW)).items ?? [];

      const all = await variables({ filter: { processInstanceKey: processInstanceKey as never }, sort: [{ field: 'name' }] });
      expect(all.items.map((v) => [v.name, v.value, v.scopeKey])).toEqual([
        ['attempts', '0', subprocess.elementInstanceKey],
        ['orderId', '"o-9"', processInstanceKey],
        ['scratch', '{"n":1}', job.elementInstanceKey],
      ]);
      for (const v of all.items) expect(v.processInstanceKey).toBe(processInstanceKey);
      const scoped = await variables({ filter: { scopeKey: job.elementInstanceKey as never } });
      expect(scoped.items.map((v) => v.name)).toEqual(['scratch']);
      const scratch = all.items[2];
      expect(await camunda.getVariable({ variableKey: scratch.variableKey as never }, NOW)).toMatchObject({
        name: 'scratch',
        value: '{"n":1}',
        scopeKey: job.elementInstanceKey,
        processInstanceKey,
      });

      // A local variable lives as long as its scope: once the task and subprocess ended, only the process scope is left.
      await camunda.completeJob({ jobKey: job.jobKey });
      await until(() => statusOf(processInstanceKey), (s) => s === 'COMPLETED', 'the instance to complete');
      const after = await variables({ filter: { processInstanceKey: processInstanceKey as never }, sort: [{ field: 'name' }] });
      expect(after.items.map((v) => [v.name, v.scopeKey])).toEqual([
        ['lastAttempts', processInstanceKey],
        ['orderId', processInstanceKey],
      ]);
      expect(after.items[1].variableKey).toBe(all.items[1].variableKey);
      expect(await failure(camunda.getVariable({ variableKey: scratch.variableKey as never }, NOW))).toMatchObject({ status: 404 });
    });

    it('answers 404 for an unknown key, 400 naming a malformed key, filters and sorts Baton does not offer', async () => {
      expect(await failure(camunda.getVariable({ variableKey: '987654321987' as never }, NOW))).toMatchObject({ status: 404, title: 'NOT_FOUND' });
      const malformed = await raw('GET', '/variables/x1');
      expect(malformed).toMatchObject({ status: 400, body: { title: 'INVALID_ARGUMENT' } });
      expect(malformed.body.detail).toContain('variableKey');
      expect(await failure(camunda.searchVariables({ filter: { isTruncated: true } }, NOW))).toMatchObject({ status: 400, title: 'INVALID_ARGUMENT' });
      expect(await failure(camunda.searchVariables({ sort: [{ field: 'variableKey' }] }, NOW))).toMatchObject({ status: 400, title: 'INVALID_ARGUMENT' });
      const unknown = await raw('POST', '/variables/search', { filter: { colour: 'red' } });
      expect(unknown).toMatchObject({ status: 400, body: { title: 'INVALID_ARGUMENT' } });
      expect(unknown.body.detail).toContain('colour');
    });
  });
});

import type { CamundaClient } from '@camunda8/orchestration-cluster-api';
import { BATCH_QUEUE } from '@baton/host';
import { BatchProcessor, type BatchQueue } from '@baton/runtime';
import { startApi, type ApiHarness } from './api-harness';
import { camundaClient, deploy, failure, serviceTask, until } from './camunda-support';

/** Reads are of committed rows: no eventual consistency to wait for. */
const NOW = { consistency: { waitUpToMs: 0 } };

/**
 * SET_VARIABLES and DELETE_PROCESS_INSTANCE batches: `/api/v1/batches` and
 * Camunda 8.9's `POST /v2/process-instances/deletion` (plain HTTP: the 8.8
 * client has no method for it; the batch reads go through the client, every
 * answer checked against the 8.8 spec).
 */
describe('batch operations: set variables, delete ended instances', () => {
  let h: ApiHarness;
  let camunda: CamundaClient;
  let stopWorker: () => Promise<void>;

  beforeAll(async () => {
    h = await startApi('api_batch_more', { MAX_VARIABLE_SIZE: '1024', MAX_TOTAL_VARIABLES: '4096' });
    stopWorker = await h.worker();
    const processor = h.app.get(BatchProcessor);
    h.app.get<BatchQueue>(BATCH_QUEUE).consume(async (chunk) => {
      await processor.process(chunk);
    });
    camunda = camundaClient(h.origin);
  }, 60_000);
  afterAll(async () => {
    await stopWorker?.();
    await h?.close();
  });

  async function startMany(processId: string, n: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const r = await h.json('POST', `/processes/${processId}/instances`, {});
      expect(r.status).toBe(201);
      ids.push(r.body.id);
    }
    return ids;
  }

  const ended = async (key: string) =>
    until(
      async () => (await h.json('GET', `/batches/${key}`)).body,
      (b) => b.state !== 'ACTIVE',
      `batch ${key} to end`,
      20_000,
    );

  /** Rows naming these instances, by table (what a deletion must leave none of). */
  async function rowsOf(ids: readonly string[]): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const [table, column] of [
      ['ProcessInstance', 'id'],
      ['HistoryEvent', 'instanceId'],
      ['Job', 'instanceId'],
      ['VariableKey', 'instanceId'],
    ] as const) {
      const [row] = await h.db.prisma.$queryRawUnsafe<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM "${table}" WHERE "${column}" = ANY($1::bigint[])`,
        [...ids],
      );
      out[table] = row.n;
    }
    return out;
  }

  /** Completes the job of one instance (its service task), so the instance ends COMPLETED. */
  async function complete(processId: string, instanceId: string): Promise<void> {
    const { jobs } = await camunda.activateJobs({ type: processId, worker: 'w', maxJobsToActivate: 10, timeout: 30_000, requestTimeout: 5_000 });
    const job = jobs.find((j) => j.processInstanceKey === instanceId);
    if (job === undefined) throw new Error(`no job of instance ${instanceId}`);
    await camunda.completeJob({ jobKey: job.jobKey });
    await until(
      async () => (await h.json('GET', `/instances/${instanceId}`)).body.status,
      (s) => s === 'COMPLETED',
      `instance ${instanceId} to complete`,
    );
  }

  it('v1 SET_VARIABLES: sets the variables on every active matching instance; an ended one is a failed item', async () => {
    await deploy(camunda, 'batch-vars', serviceTask('batch-vars'));
    const ids = await startMany('batch-vars', 3);
    await h.json('POST', `/instances/${ids[2]}/cancel`);

    const created = await h.json('POST', '/batches', {
      type: 'SET_VARIABLES',
      filter: { processKey: 'batch-vars' },
      variables: { priority: 'high', limit: 2 },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ type: 'SET_VARIABLES', total: 3, variables: { priority: 'high', limit: 2 } });

    const batch = await ended(created.body.key);
    expect(batch).toMatchObject({ state: 'PARTIALLY_COMPLETED', total: 3, completed: 2, failed: 1, pending: 0 });
    const failed = await h.json('GET', `/batches/${batch.key}/items?state=FAILED`);
    expect(failed.body.items).toEqual([
      expect.objectContaining({ instanceId: ids[2], state: 'FAILED', error: expect.stringContaining('CANCELED') }),
    ]);
    for (const id of ids.slice(0, 2)) {
      const instance = await h.json('GET', `/instances/${id}`);
      expect(instance.body).toMatchObject({ status: 'ACTIVE', variables: { priority: 'high', limit: 2 } });
    }
    expect((await h.json('GET', `/instances/${ids[2]}`)).body.variables).not.toHaveProperty('priority');

    // Baton's own type: not among Camunda's batch operations.
    const search = await camunda.searchBatchOperations({}, NOW);
    expect((search.items ?? []).map((b) => b.batchOperationKey)).not.toContain(batch.key);
  });

  it('v1 SET_VARIABLES: refuses missing, empty, misplaced and oversized variables, naming them, and creates nothing', async () => {
    const before = (await h.json('GET', '/batches?limit=100')).body.items.length;
    const missing = await h.json('POST', '/batches', { type: 'SET_VARIABLES', filter: {} });
    expect(missing.status).toBe(400);
    expect(JSON.stringify(missing.body)).toContain('variables');
    const empty = await h.json('POST', '/batches', { type: 'SET_VARIABLES', filter: {}, variables: {} });
    expect(empty.status).toBe(400);
    expect(JSON.stringify(empty.body)).toContain('variables');
    const misplaced = await h.json('POST', '/batches', { type: 'CANCEL_PROCESS_INSTANCE', filter: {}, variables: { a: 1 } });
    expect(misplaced.status).toBe(400);
    expect(JSON.stringify(misplaced.body)).toContain('variables');
    const notObject = await h.json('POST', '/batches', { type: 'SET_VARIABLES', filter: {}, variables: [1] });
    expect(notObject.status).toBe(400);
    const oversized = await h.json('POST', '/batches', { type: 'SET_VARIABLES', filter: {}, variables: { small: 1, blob: 'x'.repeat(2_000) } });
    expect(oversized.status).toBe(422);
    expect(JSON.stringify(oversized.body)).toContain('blob');
    expect(JSON.stringify(oversized.body)).toContain('MAX_VARIABLE_SIZE');
    expect((await h.json('GET', '/batches?limit=100')).body.items.length).toBe(before);
  });

  it('v1 DELETE_PROCESS_INSTANCE: deletes ended instances with their history; running ones are failed items', async () => {
    const processId = 'batch-delete-v1';
    await deploy(camunda, processId, serviceTask(processId));
    const ids = await startMany(processId, 4);
    expect((await h.json('POST', `/instances/${ids[0]}/cancel`)).status).toBe(200);
    await complete(processId, ids[1]);
    const endedIds = ids.slice(0, 2);
    const running = ids.slice(2);
    expect((await rowsOf(endedIds)).HistoryEvent).toBeGreaterThan(0);
    const runningRows = await rowsOf(running);
    expect(runningRows.Job).toBe(2);

    const created = await h.json('POST', '/batches', { type: 'DELETE_PROCESS_INSTANCE', filter: { processKey: processId } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ type: 'DELETE_PROCESS_INSTANCE', total: 4 });
    const batch = await ended(created.body.key);
    expect(batch).toMatchObject({ state: 'PARTIALLY_COMPLETED', total: 4, completed: 2, failed: 2, pending: 0 });

    const failed = (await h.json('GET', `/batches/${batch.key}/items?state=FAILED`)).body.items as { instanceId: string; error: string }[];
    expect(failed.map((i) => i.instanceId).sort()).toEqual([...running].sort());
    for (const item of failed) expect(item.error).toContain('still running');
    const completed = (await h.json('GET', `/batches/${batch.key}/items?state=COMPLETED`)).body.items as { instanceId: string }[];
    expect(completed.map((i) => i.instanceId).sort()).toEqual([...endedIds].sort());

    expect(await rowsOf(endedIds)).toEqual({ ProcessInstance: 0, HistoryEvent: 0, Job: 0, VariableKey: 0 });
    for (const id of endedIds) expect((await h.json('GET', `/instances/${id}`)).status).toBe(404);
    // The running ones are untouched.
    expect(await rowsOf(running)).toEqual(runningRows);
    for (const id of running) expect((await h.json('GET', `/instances/${id}`)).body.status).toBe('ACTIVE');

    // A second deletion over the same filter: the running ones fail again, nothing else is there.
    const again = await ended((await h.json('POST', '/batches', { type: 'DELETE_PROCESS_INSTANCE', filter: { processKey: processId } })).body.key);
    expect(again).toMatchObject({ total: 2, completed: 0, failed: 2 });
  });

  it('/v2 process-instances/deletion: deletes the ended instances the search filter matches; a running one is a failed item', async () => {
    const processId = 'batch-delete-v2';
    await deploy(camunda, processId, serviceTask(processId));
    const keys: string[] = [];
    for (let i = 0; i < 3; i++)
      keys.push((await camunda.createProcessInstance({ processDefinitionId: processId as never })).processInstanceKey);
    await camunda.cancelProcessInstance({ processInstanceKey: keys[0] as never });
    await complete(processId, keys[1]);

    const post = (body: unknown) =>
      fetch(`${h.origin}/v2/process-instances/deletion`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const response = await post({ filter: { processDefinitionId: processId }, operationReference: 7 });
    expect(response.status).toBe(200);
    const created = (await response.json()) as { batchOperationKey: string; batchOperationType: string };
    expect(created.batchOperationType).toBe('DELETE_PROCESS_INSTANCE');

    const batch = await until(
      () => camunda.getBatchOperation({ batchOperationKey: created.batchOperationKey as never }, NOW),
      (b) => b.state !== 'ACTIVE',
      'the deletion batch',
    );
    expect(batch).toMatchObject({
      state: 'PARTIALLY_COMPLETED',
      batchOperationType: 'DELETE_PROCESS_INSTANCE',
      operationsTotalCount: 3,
      operationsCompletedCount: 2,
      operationsFailedCount: 1,
    });
    const items = await camunda.searchBatchOperationItems({ filter: { batchOperationKey: created.batchOperationKey } }, NOW);
    const byKey = new Map((items.items ?? []).map((i) => [i.processInstanceKey, i]));
    expect(byKey.get(keys[2] as never)).toMatchObject({ state: 'FAILED', operationType: 'DELETE_PROCESS_INSTANCE', errorMessage: expect.stringContaining('still running') });
    expect(byKey.get(keys[0] as never)).toMatchObject({ state: 'COMPLETED' });
    expect(byKey.get(keys[1] as never)).toMatchObject({ state: 'COMPLETED' });
    for (const key of keys.slice(0, 2))
      expect(await failure(camunda.getProcessInstance({ processInstanceKey: key as never }, NOW))).toMatchObject({ status: 404 });
    expect((await camunda.getProcessInstance({ processInstanceKey: keys[2] as never }, NOW)).state).toBe('ACTIVE');
    expect(await rowsOf(keys.slice(0, 2))).toEqual({ ProcessInstance: 0, HistoryEvent: 0, Job: 0, VariableKey: 0 });

    const search = await camunda.searchBatchOperations({ filter: { operationType: 'DELETE_PROCESS_INSTANCE' } }, NOW);
    expect((search.items ?? []).map((b) => b.batchOperationKey)).toContain(created.batchOperationKey);

    // Bad bodies: 400 naming the field, and no batch.
    const unknownField = await post({ filter: { colour: 'red' } });
    expect(unknownField.status).toBe(400);
    expect(await unknownField.text()).toContain('colour');
    expect((await post({})).status).toBe(400);
    const extra = await post({ filter: {}, deleteHistory: true });
    expect(extra.status).toBe(400);
    expect(await extra.text()).toContain('deleteHistory');
  });
});

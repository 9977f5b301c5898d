import type { CamundaClient } from '@camunda8/orchestration-cluster-api';
import { BATCH_QUEUE } from '@baton/host';
import { BatchProcessor, type BatchQueue } from '@baton/runtime';
import { startApi, type ApiHarness } from './api-harness';
import { camundaClient, deploy, failure, serviceTask, until } from './camunda-support';

/** Reads are of committed rows: no eventual consistency to wait for. */
const NOW = { consistency: { waitUpToMs: 0 } };

/**
 * Batch operations over REST: Baton's `/api/v1/batches` and Camunda 8.8's
 * `/v2` batch endpoints (through the official client, every request and
 * answer checked against the 8.8 spec).
 */
describe('batch operations (REST: /api/v1/batches, /v2 batch operations)', () => {
  let h: ApiHarness;
  let camunda: CamundaClient;
  let stopWorker: () => Promise<void>;

  beforeAll(async () => {
    h = await startApi('api_batches');
    stopWorker = await h.worker();
    // Plays the worker's batch loop (in the embedded composition it runs already: same processor).
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

  it('v1: cancels the instances a list filter matches, with progress, items and failures', async () => {
    await deploy(camunda, 'batch-v1', serviceTask('batch-v1'));
    const ids = await startMany('batch-v1', 4);
    await h.json('POST', `/instances/${ids[3]}/cancel`);

    const created = await h.json('POST', '/batches', {
      type: 'SUSPEND_PROCESS_INSTANCE',
      filter: { processKey: 'batch-v1' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      type: 'SUSPEND_PROCESS_INSTANCE',
      filter: { processKey: 'batch-v1' },
      total: 4,
    });

    const batch = await ended(created.body.key);
    expect(batch).toMatchObject({
      state: 'PARTIALLY_COMPLETED',
      total: 4,
      completed: 3,
      failed: 1,
      pending: 0,
      skipped: 0,
    });
    expect(batch.endedAt).not.toBeNull();
    const failed = await h.json('GET', `/batches/${batch.key}/items?state=FAILED`);
    expect(failed.body).toEqual({
      items: [
        {
          itemKey: ids[3],
          instanceId: ids[3],
          state: 'FAILED',
          error: expect.stringContaining('CANCELED'),
          processedAt: expect.any(String),
        },
      ],
      nextCursor: null,
    });
    const page = await h.json('GET', `/batches/${batch.key}/items?limit=2`);
    expect(page.body.items).toHaveLength(2);
    const rest = await h.json(
      'GET',
      `/batches/${batch.key}/items?limit=2&cursor=${page.body.nextCursor}`,
    );
    expect(
      [...page.body.items, ...rest.body.items].map((i: { itemKey: string }) => i.itemKey).sort(),
    ).toEqual([...ids].sort());
    for (const id of ids.slice(0, 3))
      expect((await h.json('GET', `/instances/${id}`)).body.status).toBe('SUSPENDED');

    const list = await h.json('GET', '/batches?limit=10');
    expect(list.body.items.map((b: { key: string }) => b.key)).toContain(batch.key);

    const cancelEnded = await h.json('POST', `/batches/${batch.key}/cancel`);
    expect(cancelEnded.status).toBe(409);
    expect((await h.json('POST', `/batches/${batch.key}/suspend`)).status).toBe(409);
    expect((await h.json('POST', `/batches/${batch.key}/resume`)).status).toBe(409);
    expect((await h.json('POST', '/batches/123456/suspend')).status).toBe(404);
  });

  it('v1: refuses bad input naming the field, and unknown batches', async () => {
    const badType = await h.json('POST', '/batches', {
      type: 'MIGRATE_PROCESS_INSTANCE',
      filter: {},
    });
    expect(badType.status).toBe(400);
    expect(JSON.stringify(badType.body)).toContain('type');
    const badFilter = await h.json('POST', '/batches', {
      type: 'CANCEL_PROCESS_INSTANCE',
      filter: { color: 'red' },
    });
    expect(badFilter.status).toBe(400);
    expect(JSON.stringify(badFilter.body)).toContain('color');
    const badRetries = await h.json('POST', '/batches', {
      type: 'CANCEL_PROCESS_INSTANCE',
      filter: {},
      retries: 3,
    });
    expect(badRetries.status).toBe(400);
    expect(JSON.stringify(badRetries.body)).toContain('retries');
    expect((await h.json('GET', '/batches/123456')).status).toBe(404);
    expect((await h.json('GET', '/batches/nope')).status).toBe(404);
    expect((await h.json('POST', '/batches/123456/cancel')).status).toBe(404);
    expect((await h.json('GET', '/batches/123456/items?state=LOST')).status).toBe(400);
  });

  it('/v2: cancellation and incident resolution batches, their progress and items, through the official client', async () => {
    const processId = 'batch-v2';
    await deploy(camunda, processId, serviceTask(processId));
    const keys: string[] = [];
    for (let i = 0; i < 3; i++)
      keys.push(
        (await camunda.createProcessInstance({ processDefinitionId: processId as never }))
          .processInstanceKey,
      );

    // One job out of retries: an incident to resolve.
    const { jobs } = await camunda.activateJobs({
      type: processId,
      worker: 'w',
      maxJobsToActivate: 3,
      timeout: 30_000,
      requestTimeout: 5_000,
    });
    const failing = jobs.find((j) => j.processInstanceKey === keys[0]) ?? jobs[0];
    await camunda.failJob({ jobKey: failing.jobKey, retries: 0, errorMessage: 'down' });
    await until(
      () =>
        camunda.searchIncidents(
          { filter: { processInstanceKey: failing.processInstanceKey } },
          NOW,
        ),
      (r) => (r.items ?? []).length === 1,
      'the incident',
    );

    const resolution = await camunda.resolveIncidentsBatchOperation(
      { filter: { processDefinitionId: processId as never } },
      NOW,
    );
    expect(resolution.batchOperationType).toBe('RESOLVE_INCIDENT');
    const resolved = await until(
      () =>
        camunda.getBatchOperation(
          { batchOperationKey: resolution.batchOperationKey as never },
          NOW,
        ),
      (b) => b.state !== 'ACTIVE',
      'the resolution batch',
    );
    expect(resolved).toMatchObject({
      state: 'COMPLETED',
      batchOperationType: 'RESOLVE_INCIDENT',
      operationsTotalCount: 1,
      operationsCompletedCount: 1,
      operationsFailedCount: 0,
    });
    expect(
      (
        await camunda.searchIncidents(
          { filter: { processInstanceKey: failing.processInstanceKey, state: 'ACTIVE' } },
          NOW,
        )
      ).items ?? [],
    ).toEqual([]);

    const cancellation = await camunda.cancelProcessInstancesBatchOperation(
      { filter: { processDefinitionId: processId as never, state: 'ACTIVE' } },
      NOW,
    );
    expect(cancellation.batchOperationType).toBe('CANCEL_PROCESS_INSTANCE');
    const done = await until(
      () =>
        camunda.getBatchOperation(
          { batchOperationKey: cancellation.batchOperationKey as never },
          NOW,
        ),
      (b) => b.state !== 'ACTIVE',
      'the cancellation batch',
    );
    expect(done).toMatchObject({
      state: 'COMPLETED',
      operationsTotalCount: 3,
      operationsCompletedCount: 3,
      operationsFailedCount: 0,
      endDate: expect.any(String),
    });
    for (const key of keys)
      expect(
        (await camunda.getProcessInstance({ processInstanceKey: key as never }, NOW)).state,
      ).toBe('TERMINATED');

    const items = await camunda.searchBatchOperationItems(
      { filter: { batchOperationKey: cancellation.batchOperationKey } },
      NOW,
    );
    expect(Number(items.page.totalItems)).toBe(3);
    expect(new Set((items.items ?? []).map((i) => i.itemKey))).toEqual(new Set(keys));
    expect(
      (items.items ?? []).every(
        (i) => i.state === 'COMPLETED' && i.operationType === 'CANCEL_PROCESS_INSTANCE',
      ),
    ).toBe(true);

    const search = await camunda.searchBatchOperations(
      { filter: { operationType: 'CANCEL_PROCESS_INSTANCE' } },
      NOW,
    );
    expect((search.items ?? []).map((b) => b.batchOperationKey)).toContain(
      cancellation.batchOperationKey,
    );
    const paged = await camunda.searchBatchOperations({ page: { limit: 1 } }, NOW);
    expect(paged.items).toHaveLength(1);
    expect(Number(paged.page.totalItems)).toBeGreaterThanOrEqual(2);
    // Strict request validation drops `page.after` (the client's page union): answers checked strictly, requests not.
    const cursorClient = camundaClient(h.origin, 'req:none,res:strict');
    const next = await cursorClient.searchBatchOperations(
      { page: { limit: 1, after: paged.page.endCursor } },
      NOW,
    );
    expect(next.items?.[0]?.batchOperationKey).not.toBe(paged.items?.[0]?.batchOperationKey);

    // Suspension and resumption of an ended batch are refused; unknown batches are not found.
    expect(
      await failure(
        camunda.suspendBatchOperation(
          { batchOperationKey: cancellation.batchOperationKey as never },
          NOW,
        ),
      ),
    ).toMatchObject({ status: 409 });
    expect(
      await failure(camunda.resumeBatchOperation({ batchOperationKey: '123456' as never }, NOW)),
    ).toMatchObject({ status: 404 });
    expect(
      await failure(camunda.getBatchOperation({ batchOperationKey: '123456' as never }, NOW)),
    ).toMatchObject({ status: 404 });
    expect(
      await failure(camunda.cancelBatchOperation({ batchOperationKey: '123456' as never }, NOW)),
    ).toMatchObject({ status: 404 });
  });

  it('/v2: refuses filters, sorts and bodies it does not know, naming the field', async () => {
    const post = (path: string, body: string) =>
      fetch(`${h.origin}/v2${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
    const unknownField = await post('/batch-operations/search', '{"filter":{"colour":"red"}}');
    expect(unknownField.status).toBe(400);
    expect(await unknownField.text()).toContain('colour');
    const unknownSort = await post('/batch-operations/search', '{"sort":[{"field":"state"}]}');
    expect(unknownSort.status).toBe(400);
    const badFilter = await post('/process-instances/cancellation', '{"filter":{"colour":"red"}}');
    expect(badFilter.status).toBe(400);
    expect(await badFilter.text()).toContain('colour');
    expect((await post('/process-instances/cancellation', '{}')).status).toBe(400);
    expect(
      (await post('/batch-operation-items/search', '{"filter":{"itemKey":{"$like":"1*"}}}')).status,
    ).toBe(400);
  });
});

import {
  BatchProcessor,
  BatchService,
  InProcessBatchQueue,
  RuntimeErrorCode,
  StoreUnavailableError,
  type BatchChunk,
  type BatchQueue,
  type Key,
} from '../src';
import { engineFixture, RuntimeKit } from './fakes';

const SERVICE_TASK = engineFixture('tasks/service-task.bpmn');
const SCRIPT_ERRORS = engineFixture('tasks/script-errors.bpmn');

/** A queue that only records what was queued: the test runs the chunks itself, in the order it wants. */
class RecordingQueue implements BatchQueue {
  readonly queued: BatchChunk[] = [];
  async enqueue(chunks: readonly BatchChunk[]): Promise<void> {
    this.queued.push(...chunks);
  }
  consume(): void {}
  async depth(): Promise<number> {
    return this.queued.length;
  }
  async close(): Promise<void> {}
}

function batchKit(chunkSize = 3): {
  kit: RuntimeKit;
  queue: RecordingQueue;
  batches: BatchService;
  processor: BatchProcessor;
} {
  const kit = new RuntimeKit();
  const queue = new RecordingQueue();
  const batches = new BatchService(kit.store, queue, kit.newKey, { chunkSize });
  const processor = new BatchProcessor(kit.store, kit.instances, kit.incidents, kit.observer);
  return { kit, queue, batches, processor };
}

async function startMany(kit: RuntimeKit, n: number, processId = 'service-task'): Promise<Key[]> {
  const ids: Key[] = [];
  for (let i = 0; i < n; i++) ids.push((await kit.instances.start(processId, {})).id);
  await kit.drain();
  return ids;
}

/** History entries that say the process was terminated (canceled): exactly one per canceled instance. */
async function cancelEvents(kit: RuntimeKit, id: Key): Promise<number> {
  return (await kit.trail(id)).filter((t) => t === 'service-task:ELEMENT_TERMINATED').length;
}

describe('batch operations (BatchService, BatchProcessor)', () => {
  it('resolves the filter into items once, in chunks, and cancels each instance through the unit of work', async () => {
    const { kit, queue, batches, processor } = batchKit(3);
    await kit.deploy(SERVICE_TASK);
    const ids = await startMany(kit, 7);

    const batch = await batches.create({
      type: 'CANCEL_PROCESS_INSTANCE',
      filter: { kind: 'v1', processKey: 'service-task', status: 'ACTIVE' },
    });
    expect(batch).toMatchObject({
      state: 'ACTIVE',
      counts: { total: 7, pending: 7, completed: 0 },
    });
    expect(queue.queued).toEqual([0, 1, 2].map((chunk) => ({ batchKey: batch.key, chunk })));
    // A snapshot: an instance started now is not part of the batch.
    const late = (await kit.instances.start('service-task', {})).id;

    for (const chunk of queue.queued) await processor.process(chunk);

    expect(await batches.get(batch.key)).toMatchObject({
      state: 'COMPLETED',
      counts: { total: 7, pending: 0, completed: 7, failed: 0 },
    });
    for (const id of ids) expect((await kit.instances.get(id)).status).toBe('CANCELED');
    expect((await kit.instances.get(late)).status).toBe('ACTIVE');
    expect(
      new Set((await batches.items({ limit: 100, batchKeys: [batch.key] })).map((i) => i.itemKey)),
    ).toEqual(new Set(ids));
  });

  it('applies no item twice when a chunk dies mid-way and runs again, and when two runs of a chunk race', async () => {
    const { kit, queue, batches, processor } = batchKit(10);
    await kit.deploy(SERVICE_TASK);
    const ids = await startMany(kit, 10);
    const batch = await batches.create({
      type: 'CANCEL_PROCESS_INSTANCE',
      filter: { kind: 'v1', processKey: 'service-task' },
    });
    const [chunk] = queue.queued;

    // The fourth item's transaction fails at commit (the database went away): the chunk fails.
    let calls = 0;
    const original = kit.store.transaction.bind(kit.store);
    kit.store.transaction = (async (
      work: Parameters<typeof original>[0],
      options?: Parameters<typeof original>[1],
    ) => {
      if (++calls === 4)
        kit.store.failCommit(new StoreUnavailableError('the database is not available (injected)'));
      return original(work, options);
    }) as typeof original;
    await expect(processor.process(chunk)).rejects.toBeInstanceOf(StoreUnavailableError);
    kit.store.transaction = original;
    expect((await batches.get(batch.key)).counts).toMatchObject({ completed: 3, pending: 7 });

    // Run again, twice at once (a stalled job handed to a second worker while the first still runs).
    const [a, b] = await Promise.all([processor.process(chunk), processor.process(chunk)]);
    expect(a.completed + b.completed).toBe(7);

    expect(await batches.get(batch.key)).toMatchObject({
      state: 'COMPLETED',
      counts: { completed: 10, pending: 0, failed: 0 },
    });
    for (const id of ids) {
      expect((await kit.instances.get(id)).status).toBe('CANCELED');
      expect(await cancelEvents(kit, id)).toBe(1);
    }
  });

  it('fails an item the use case refuses, with the reason, and ends PARTIALLY_COMPLETED', async () => {
    const { kit, queue, batches, processor } = batchKit(100);
    await kit.deploy(SERVICE_TASK);
    const [first, second] = await startMany(kit, 2);
    const batch = await batches.create({
      type: 'SUSPEND_PROCESS_INSTANCE',
      filter: { kind: 'v1', processKey: 'service-task' },
    });
    await kit.instances.cancel(second);

    await processor.process(queue.queued[0]);

    expect(await batches.get(batch.key)).toMatchObject({
      state: 'PARTIALLY_COMPLETED',
      counts: { completed: 1, failed: 1 },
    });
    expect((await kit.instances.get(first)).status).toBe('SUSPENDED');
    const [failed] = await batches.items({ limit: 10, batchKeys: [batch.key], states: ['FAILED'] });
    expect(failed).toMatchObject({
      itemKey: second,
      state: 'FAILED',
      error: expect.stringContaining('CANCELED'),
    });

    const resume = await batches.create({
      type: 'RESUME_PROCESS_INSTANCE',
      filter: { kind: 'v1', status: 'SUSPENDED' },
    });
    await processor.process(queue.queued[1]);
    expect(await batches.get(resume.key)).toMatchObject({
      state: 'COMPLETED',
      counts: { total: 1, completed: 1 },
    });
    expect((await kit.instances.get(first)).status).toBe('ACTIVE');
  });

  it('resolves the open incidents of the matching instances (the /v2 filter), with the retries given', async () => {
    const { kit, queue, batches, processor } = batchKit(100);
    await kit.deploy(SERVICE_TASK);
    await kit.deploy(SCRIPT_ERRORS);
    const [id] = await startMany(kit, 1);
    const [job] = await kit.jobs.activate({
      type: 'charge-card',
      workerId: 'w',
      maxJobs: 1,
      lockDurationMs: 60_000,
    });
    await kit.jobs.fail(job.id, { workerId: 'w', errorMessage: 'down', retries: 0 });
    await kit.drain();
    const other = await kit.startAndRun('script-errors', { text: '21', legacy: true });

    const batch = await batches.create({
      type: 'RESOLVE_INCIDENT',
      filter: { kind: 'v2', filter: { processDefinitionId: 'service-task', hasIncident: true } },
      retries: 2,
    });
    expect(batch.counts.total).toBe(1);
    await processor.process(queue.queued[0]);

    expect(await batches.get(batch.key)).toMatchObject({
      state: 'COMPLETED',
      counts: { completed: 1 },
    });
    expect((await kit.instances.get(id)).incidents).toEqual([]);
    expect(kit.store.rows('jobs')[0]).toMatchObject({
      id: job.id,
      state: 'ACTIVATABLE',
      retries: 2,
    });
    expect((await kit.instances.get(other)).incidents).toHaveLength(1);
  });

  it("is seen only by callers who may act in every one of its creator's tenants", async () => {
    const { kit, batches } = batchKit(2);
    await kit.deploy(SERVICE_TASK);
    await startMany(kit, 2);
    const ofA = await batches.create({ type: 'CANCEL_PROCESS_INSTANCE', filter: { kind: 'v1' }, tenants: ['<default>', 'a'] });
    const ofAll = await batches.create({ type: 'SUSPEND_PROCESS_INSTANCE', filter: { kind: 'v1' } });
    expect(ofA.tenantIds).toEqual(['<default>', 'a']);
    expect(ofAll.tenantIds).toBeNull();

    expect((await batches.get(ofA.key, ['<default>', 'a', 'b'])).key).toBe(ofA.key);
    for (const tenants of [['<default>'], ['b']]) {
      await expect(batches.get(ofA.key, tenants)).rejects.toMatchObject({ code: RuntimeErrorCode.NotFound });
      await expect(batches.cancel(ofA.key, tenants)).rejects.toMatchObject({ code: RuntimeErrorCode.NotFound });
    }
    // A batch made by a caller confined to no tenant reaches every tenant: only such callers see it.
    await expect(batches.get(ofAll.key, ['<default>', 'a'])).rejects.toMatchObject({ code: RuntimeErrorCode.NotFound });
    expect((await batches.list({ limit: 10, tenants: ['<default>', 'a'] })).map((b) => b.key)).toEqual([ofA.key]);
    expect((await batches.list({ limit: 10 })).map((b) => b.key)).toEqual([ofAll.key, ofA.key]);
    expect(await batches.items({ limit: 10, tenants: ['b'] })).toEqual([]);
    expect((await batches.items({ limit: 10, tenants: ['<default>', 'a'] })).map((i) => i.batchKey)).toEqual([ofA.key, ofA.key]);
  });

  it('cancels a batch: pending items are skipped and nothing more is applied; an ended batch cannot be canceled', async () => {
    const { kit, queue, batches, processor } = batchKit(2);
    await kit.deploy(SERVICE_TASK);
    const ids = await startMany(kit, 4);
    const batch = await batches.create({ type: 'CANCEL_PROCESS_INSTANCE', filter: { kind: 'v1' } });
    await processor.process(queue.queued[0]);

    expect(await batches.cancel(batch.key)).toMatchObject({
      state: 'CANCELED',
      counts: { completed: 2, skipped: 2, pending: 0 },
    });
    expect(await processor.process(queue.queued[1])).toMatchObject({ completed: 0 });
    expect(
      (await Promise.all(ids.map((id) => kit.instances.get(id)))).map((i) => i.status),
    ).toEqual(['CANCELED', 'CANCELED', 'ACTIVE', 'ACTIVE']);
    await expect(batches.cancel(batch.key)).rejects.toMatchObject({
      code: RuntimeErrorCode.Conflict,
    });
    await expect(batches.get('123')).rejects.toMatchObject({ code: RuntimeErrorCode.NotFound });
  });

  it('suspends a batch (its chunks apply nothing) and resumes it (its pending chunks are queued again)', async () => {
    const { kit, queue, batches, processor } = batchKit(2);
    await kit.deploy(SERVICE_TASK);
    const ids = await startMany(kit, 4);
    const batch = await batches.create({ type: 'CANCEL_PROCESS_INSTANCE', filter: { kind: 'v1' } });
    await processor.process(queue.queued[0]);

    expect(await batches.suspend(batch.key)).toMatchObject({
      state: 'SUSPENDED',
      counts: { completed: 2, pending: 2 },
    });
    expect(await processor.process(queue.queued[1])).toMatchObject({ completed: 0 });
    expect(await batches.requeuePending()).toBe(0);
    await expect(batches.suspend(batch.key)).rejects.toMatchObject({
      code: RuntimeErrorCode.Conflict,
    });

    queue.queued.length = 0;
    expect(await batches.resume(batch.key)).toMatchObject({ state: 'ACTIVE' });
    expect(queue.queued).toEqual([{ batchKey: batch.key, chunk: 1 }]);
    await processor.process(queue.queued[0]);
    expect(await batches.get(batch.key)).toMatchObject({
      state: 'COMPLETED',
      counts: { completed: 4 },
    });
    for (const id of ids) expect((await kit.instances.get(id)).status).toBe('CANCELED');
    await expect(batches.resume(batch.key)).rejects.toMatchObject({
      code: RuntimeErrorCode.Conflict,
    });
  });

  it('queues again the chunks the store says are pending, and refuses what it cannot do', async () => {
    const { kit, queue, batches } = batchKit(2);
    await kit.deploy(SERVICE_TASK);
    const ids = await startMany(kit, 3);
    const batch = await batches.create({ type: 'CANCEL_PROCESS_INSTANCE', filter: { kind: 'v1' } });
    queue.queued.length = 0;
    expect(await batches.requeuePending()).toBe(2);
    expect(queue.queued).toEqual([
      { batchKey: batch.key, chunk: 0 },
      { batchKey: batch.key, chunk: 1 },
    ]);

    // A chunk that settled its last item and died before ending the batch: the sweep ends it.
    const ended = await batches.create({
      type: 'SUSPEND_PROCESS_INSTANCE',
      filter: { kind: 'v2', filter: { processInstanceKey: ids[0] } },
    });
    const [item] = await batches.items({ limit: 1, batchKeys: [ended.key] });
    await kit.store.transaction((tx) =>
      tx.batches.settleItem(ended.key, item.itemKey, 'COMPLETED', null),
    );
    expect((await batches.get(ended.key)).state).toBe('ACTIVE');
    await batches.requeuePending();
    expect(await batches.get(ended.key)).toMatchObject({
      state: 'COMPLETED',
      counts: { completed: 1 },
    });

    const empty = await batches.create({
      type: 'CANCEL_PROCESS_INSTANCE',
      filter: { kind: 'v2', filter: { processDefinitionId: 'nothing' } },
    });
    expect(empty).toMatchObject({ state: 'COMPLETED', counts: { total: 0 } });
    await expect(
      batches.create({
        type: 'CANCEL_PROCESS_INSTANCE',
        filter: { kind: 'v2', filter: { nope: 1 } },
      }),
    ).rejects.toMatchObject({ code: RuntimeErrorCode.BadRequest });
    await expect(
      batches.create({ type: 'CANCEL_PROCESS_INSTANCE', filter: { kind: 'v1' }, retries: 2 }),
    ).rejects.toMatchObject({ code: RuntimeErrorCode.BadRequest });
    await expect(
      batches.create({ type: 'RESOLVE_INCIDENT', filter: { kind: 'v1' }, retries: 0 }),
    ).rejects.toMatchObject({ code: RuntimeErrorCode.BadRequest });
  });

  it('runs chunks in process, a few at once, without running one chunk twice at a time', async () => {
    const { kit, batches, processor } = batchKit(1);
    const queue = new InProcessBatchQueue(2);
    const inProcess = new BatchService(kit.store, queue, kit.newKey, { chunkSize: 1 });
    let running = 0;
    let most = 0;
    queue.consume(async (chunk) => {
      most = Math.max(most, ++running);
      await processor.process(chunk);
      running--;
    });
    await kit.deploy(SERVICE_TASK);
    await startMany(kit, 5);
    const batch = await inProcess.create({
      type: 'CANCEL_PROCESS_INSTANCE',
      filter: { kind: 'v1' },
    });
    await inProcess.requeuePending();
    await queue.drained();
    expect(most).toBe(2);
    expect(await batches.get(batch.key)).toMatchObject({
      state: 'COMPLETED',
      counts: { completed: 5 },
    });
    await queue.close();
  });
});

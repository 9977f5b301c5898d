import { BatchProcessor, BatchService, RuntimeErrorCode, type BatchChunk, type BatchQueue, type Key } from '../src';
import { engineFixture, RuntimeKit } from './fakes';

const SERVICE_TASK = engineFixture('tasks/service-task.bpmn');

/** A queue that only records what was queued: the test runs the chunks itself. */
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

function batchKit() {
  // Small limits: a total over MAX_TOTAL_VARIABLES shows as an item fails.
  const kit = new RuntimeKit({ limits: { maxVariableSize: 200, maxTotalVariables: 300 } });
  const queue = new RecordingQueue();
  const batches = new BatchService(kit.store, queue, kit.newKey, { chunkSize: 2, variableLimits: kit.limits });
  const processor = new BatchProcessor(kit.store, kit.instances, kit.incidents, kit.observer);
  return { kit, queue, batches, processor };
}

async function startMany(kit: RuntimeKit, n: number, variables: Record<string, unknown> = {}): Promise<Key[]> {
  const ids: Key[] = [];
  for (let i = 0; i < n; i++) ids.push((await kit.instances.start('service-task', { variables })).id);
  await kit.drain();
  return ids;
}

describe('SET_VARIABLES batches', () => {
  it('merges the variables into every instance through the unit of work; an ended instance, or one over the total limit, is a failed item', async () => {
    const { kit, queue, batches, processor } = batchKit();
    await kit.deploy(SERVICE_TASK);
    const ids = await startMany(kit, 3, { keep: 1 });
    const [big] = await startMany(kit, 1, { blob: 'y'.repeat(180) });
    await kit.instances.cancel(ids[2]);

    const batch = await batches.create({
      type: 'SET_VARIABLES',
      filter: { kind: 'v1', processKey: 'service-task' },
      variables: { note: 'x'.repeat(150) },
    });
    expect(batch).toMatchObject({ state: 'ACTIVE', variables: { note: 'x'.repeat(150) }, counts: { total: 4, pending: 4 } });
    for (const chunk of queue.queued) await processor.process(chunk);

    expect(await batches.get(batch.key)).toMatchObject({ state: 'PARTIALLY_COMPLETED', counts: { completed: 2, failed: 2, pending: 0 } });
    for (const id of ids.slice(0, 2)) expect((await kit.instances.get(id)).variables).toEqual({ keep: 1, note: 'x'.repeat(150) });
    expect((await kit.instances.get(ids[2])).variables).toEqual({ keep: 1 });
    expect((await kit.instances.get(big)).variables).toEqual({ blob: 'y'.repeat(180) });
    const failed = await batches.items({ limit: 10, batchKeys: [batch.key], states: ['FAILED'] });
    const reasons = new Map(failed.map((i) => [i.instanceId, i.error ?? '']));
    expect(reasons.get(ids[2])).toContain('CANCELED');
    expect(reasons.get(big)).toContain('MAX_TOTAL_VARIABLES');

    // A chunk run again (a job handed to a second worker) applies nothing twice.
    const again = await processor.process(queue.queued[0]);
    expect(again).toMatchObject({ completed: 0, failed: 0 });
  });

  it('refuses missing, empty, misplaced and oversized variables at creation, creating nothing', async () => {
    const { kit, batches, queue } = batchKit();
    await kit.deploy(SERVICE_TASK);
    await startMany(kit, 1);
    const filter = { kind: 'v1', processKey: 'service-task' } as const;
    const refused = async (command: Parameters<BatchService['create']>[0]) => {
      try {
        await batches.create(command);
      } catch (e) {
        return e as { code: RuntimeErrorCode; message: string };
      }
      throw new Error('expected a refusal');
    };
    expect(await refused({ type: 'SET_VARIABLES', filter })).toMatchObject({ code: RuntimeErrorCode.BadRequest, message: expect.stringContaining('variables') });
    expect(await refused({ type: 'SET_VARIABLES', filter, variables: {} })).toMatchObject({ code: RuntimeErrorCode.BadRequest });
    expect(await refused({ type: 'CANCEL_PROCESS_INSTANCE', filter, variables: { a: 1 } })).toMatchObject({ code: RuntimeErrorCode.BadRequest, message: expect.stringContaining('SET_VARIABLES') });
    expect(await refused({ type: 'SET_VARIABLES', filter, variables: { huge: 'z'.repeat(500) } })).toMatchObject({ code: RuntimeErrorCode.Unprocessable, message: expect.stringContaining("'huge'") });
    expect(queue.queued).toEqual([]);
    expect(await batches.list({ limit: 10 })).toEqual([]);
  });
});

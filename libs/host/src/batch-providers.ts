import type { Provider } from '@nestjs/common';
import type { Settings } from '@baton/config';
import {
  BatchProcessor,
  BatchService,
  IncidentService,
  InstanceService,
  LeasedKeys,
  VariableLimits,
  type BatchQueue,
  type RuntimeObserver,
  type RuntimeStore,
} from '@baton/runtime';
import { createBatchQueue } from './batch-queue';
import { nestLogger } from './host-loggers';
import { BATCH_QUEUE, RUNTIME_OBSERVER, RUNTIME_STORE } from './host.tokens';

/**
 * Batch operations (README "Operate"): the queue, the service the API
 * creates batches with, and the processor the workers (and `npm start`) run
 * chunks with. In the host, so one application composed of the API's and the
 * worker's modules shares one in-process queue.
 */
export function batchProviders(settings: Settings, appName: string): Provider[] {
  const logger = nestLogger('Batches');
  return [
    { provide: BATCH_QUEUE, useFactory: () => createBatchQueue(settings, appName) },
    {
      provide: BatchService,
      useFactory: (runtime: RuntimeStore, queue: BatchQueue, k: LeasedKeys, limits: VariableLimits) =>
        new BatchService(runtime, queue, k.next, {
          chunkSize: settings.BATCH_CHUNK_SIZE,
          variableLimits: limits,
          onQueueError: (e) =>
            logger.warn(
              `queueing a batch's chunks failed (the workers' sweep queues them again): ${e.message}`,
            ),
        }),
      inject: [RUNTIME_STORE, BATCH_QUEUE, LeasedKeys, VariableLimits],
    },
    {
      provide: BatchProcessor,
      useFactory: (
        runtime: RuntimeStore,
        instances: InstanceService,
        incidents: IncidentService,
        observer: RuntimeObserver,
      ) => new BatchProcessor(runtime, instances, incidents, observer),
      inject: [RUNTIME_STORE, InstanceService, IncidentService, RUNTIME_OBSERVER],
    },
  ];
}

export const BATCH_EXPORTS = [BATCH_QUEUE, BatchService, BatchProcessor];

const ITEM_STATES = ['pending', 'completed', 'failed', 'skipped'] as const;

/** The items of ACTIVE batches by type and item state, for `baton_batch_active_items` (read on scrape). */
export function activeBatchItems(batches: BatchService): () => Promise<{ type: string; state: string; count: number }[]> {
  return async () => {
    const sums = new Map<string, { type: string; state: string; count: number }>();
    for (const batch of await batches.list({ limit: 1_000, states: ['ACTIVE'] })) {
      for (const state of ITEM_STATES) {
        const key = `${batch.type}:${state}`;
        const row = sums.get(key) ?? { type: batch.type, state, count: 0 };
        sums.set(key, { ...row, count: row.count + batch.counts[state] });
      }
    }
    return [...sums.values()];
  };
}

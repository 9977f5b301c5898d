import type { Provider } from '@nestjs/common';
import type { Settings } from '@baton/config';
import {
  BatchProcessor,
  BatchService,
  IncidentService,
  InstanceService,
  LeasedKeys,
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
      useFactory: (runtime: RuntimeStore, queue: BatchQueue, k: LeasedKeys) =>
        new BatchService(runtime, queue, k.next, {
          chunkSize: settings.BATCH_CHUNK_SIZE,
          onQueueError: (e) =>
            logger.warn(
              `queueing a batch's chunks failed (the workers' sweep queues them again): ${e.message}`,
            ),
        }),
      inject: [RUNTIME_STORE, BATCH_QUEUE, LeasedKeys],
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

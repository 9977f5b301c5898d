import type { INestApplicationContext } from '@nestjs/common';
import { ExportRunner, RetentionRunner } from '@baton/host';
import { BatchWorker } from './batches/batch-worker';
import { TokenWorker } from './execution/token-worker';
import { JobHandlers } from './jobs/job-handlers';
import { TimerPoller } from './timers/timer-poller';

export interface WorkerLoops {
  /** Job types the in-process handlers serve (none when JOB_HANDLERS is off). */
  readonly handlerTypes: string[];
}

/**
 * Starts what a worker runs besides its health listener: the consumer loop
 * (with the sweeper), the timer poller and the in-process job handlers. The
 * worker's main and the all-in-one `npm start` (apps/baton) both call this,
 * so the two always run the same set. Each loop stops itself at application
 * shutdown (BeforeApplicationShutdown), before the host closes the bus and
 * the store. Resolves undefined when `cancelled()` turned true while the
 * consumer was subscribing (a signal arrived during start-up).
 */
export async function startWorkerLoops(
  app: INestApplicationContext,
  cancelled: () => boolean = () => false,
): Promise<WorkerLoops | undefined> {
  await app.get(TokenWorker).start();
  if (cancelled()) return undefined;
  app.get(TimerPoller).start();
  app.get(BatchWorker).start();
  app.get(RetentionRunner).start();
  app.get(ExportRunner).start();
  return { handlerTypes: app.get(JobHandlers).start() };
}

// Public surface of @baton/worker: what a worker runs (the token consumer, the
// sweeper, the timer poller, in-process job handlers, the health and metrics
// listener), composed by the worker app and by `npm start`.
export { WorkerModule } from './worker.module';
export { startWorkerLoops, type WorkerLoops } from './worker-loops';
export { failureBackoffMs, LINGER_MS, TokenWorker, type TokenWorkerState } from './execution/token-worker';
export { WorkerHttpServer } from './health/worker-http-server';
export { JobHandler } from './jobs/job-handler.decorator';
export { JobHandlers } from './jobs/job-handlers';
export { HttpJobHandler } from './jobs/http-job.handler';
export { TimerPoller } from './timers/timer-poller';
export { BatchWorker } from './batches/batch-worker';

// Public surface of @baton/host: the Nest wiring shared by apps/api and apps/worker.
//
//   const settings = loadSettings(process.env);
//   const store = await openStore(settings, nestLogger('Store'));   // migrates first when MIGRATE_ON_START
//   HostModule.forRoot({ settings, store, appName: 'worker' })      // in the app's root module
export { HostModule, STORE, type HostOptions } from './host.module';
export { BATCH_QUEUE, DEFINITION_CACHE, READINESS_CHECKS, RUNTIME_OBSERVER, RUNTIME_STORE, SETTINGS, TOKEN_BUS } from './host.tokens';
export { batchQueuePrefix, BullMqBatchQueue, createBatchQueue } from './batch-queue';
export { activeBatchItems } from './batch-providers';
export { BullMqRetentionSchedule, createRetentionSchedule, RetentionRunner, RETENTION_SCHEDULER_ID } from './retention-schedule';
export { exportProviders, ExportRunner, exportSinkNames, exportSinks, RabbitExportSink, stepExporter } from './export';
export { cacheKeyPrefix, createBus, createCache, type HostCache } from './adapters';
export { openStore, withTimeout, type Store } from './store';
export { HostConfigError } from './host-error';
export { BatonConsoleLogger, logColours, nestConsoleLogger, nestLogger, nestLogLevels, START_UP_DETAIL_CONTEXTS } from './host-loggers';
export { runReadinessChecks, type ReadinessCheck, type ReadinessReport } from './readiness';
export { HostReadiness, runtimeObserver, storeCounts } from './observability';
export { exitOnSignals, type ShutdownHandle, type ShutdownOptions } from './shutdown';

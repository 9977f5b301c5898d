/**
 * Injection tokens for the ports that are interfaces (the rest are provided
 * under their class: the runtime's use cases, LeasedKeys, Announcer,
 * VariableLimits, BatonMetrics).
 */
export const SETTINGS = Symbol('baton:settings');
export const TOKEN_BUS = Symbol('baton:token-bus');
export const DEFINITION_CACHE = Symbol('baton:definition-cache');
/** `ReadinessCheck[]`: what `/health/ready` asks. */
export const READINESS_CHECKS = Symbol('baton:readiness-checks');
/** `RuntimeStore`: the repositories the runtime's use cases run on. */
export const RUNTIME_STORE = Symbol('baton:runtime-store');
/** `RuntimeObserver`: the runtime's typed events, as metrics and logs. */
export const RUNTIME_OBSERVER = Symbol('baton:runtime-observer');
/** `BatchQueue`: chunk jobs of batch operations (BullMQ with REDIS_URL, else in process). */
export const BATCH_QUEUE = Symbol('baton:batch-queue');

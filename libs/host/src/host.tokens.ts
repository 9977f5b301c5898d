/**
 * Injection tokens for the ports that are interfaces (the rest are provided
 * under their class: PrismaClient, DefinitionRegistry, InstanceStarter,
 * BatchProcessor, VariableLimits, JobService, CorrelationService,
 * IncidentService, TimerService).
 */
export const SETTINGS = Symbol('baton:settings');
export const TOKEN_BUS = Symbol('baton:token-bus');
export const DEFINITION_CACHE = Symbol('baton:definition-cache');
/** `ReadinessCheck[]`: what `/health/ready` asks. */
export const READINESS_CHECKS = Symbol('baton:readiness-checks');

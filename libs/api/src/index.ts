// Public surface of @baton/api: the REST application (Nest on Fastify) the
// api app serves and `npm start` composes with the worker.
export { API_PREFIX, createApiApp, type ApiAppOptions } from './api-app';
export { ApiModule } from './api.module';
export {
  ALL_TENANTS,
  API_KEY_PREFIX,
  ApiKeyService,
  callerOf,
  hashPassword,
  Permission,
  PERMISSIONS,
  registeredRoutes,
  ROUTE_PERMISSIONS,
  tenantList,
  tenantScope,
  unknownPermissions,
  type ApiKeyRecord,
  type Caller,
  type RouteRule,
} from './auth';

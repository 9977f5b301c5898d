export { API_KEY_PREFIX, ApiKeyService, hashKey, type ApiKeyRecord, type ApiKeyRepository } from './api-keys';
export { hashPassword, verifyPassword } from './basic-users';
export { ALL_TENANTS, callerOf, inTenant, tenantScope, tenantList, type Caller } from './caller';
export { Permission, PERMISSIONS, holds, unknownPermissions } from './permissions';
export { ROUTE_PERMISSIONS, ruleOf, type RouteRule } from './route-permissions';
export { registeredRoutes } from './auth-hook';

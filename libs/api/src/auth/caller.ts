import { DEFAULT_TENANT, type TenantScope } from '@baton/runtime';
import type { FastifyRequest } from 'fastify';

/** How a caller proved who it is. `none`: AUTH=none, everyone is the anonymous admin. */
export type AuthMethod = 'none' | 'basic' | 'api-key' | 'oidc';

/** The authenticated caller of a request, attached by the auth hook (auth-hook.ts). */
export interface Caller {
  readonly principal: string;
  readonly via: AuthMethod;
  /** `deploy`, `start`, `start:<bpmnProcessId>`, `jobs:<type>`, `admin`, ...; unknown names are kept and ignored. */
  readonly permissions: ReadonlySet<string>;
  /** Tenant ids the caller may see and act in; `*` among them means every tenant. */
  readonly tenants: readonly string[];
  /** Groups the caller belongs to: it may work user tasks offered to one of them (candidate groups). */
  readonly groups: readonly string[];
}

/** A tenant list entry meaning "every tenant". */
export const ALL_TENANTS = '*';

/** Everyone, when AUTH=none: every permission, every tenant. */
export const ANONYMOUS: Caller = { principal: 'anonymous', via: 'none', permissions: new Set(['admin']), tenants: [ALL_TENANTS], groups: [] };

/** The tenants a caller's lists, starts and activations are confined to: `undefined` is every tenant. */
export function tenantScope(caller: Caller): TenantScope {
  return caller.tenants.includes(ALL_TENANTS) ? undefined : caller.tenants;
}

/** Whether the caller may act in `tenantId`. */
export function inTenant(caller: Caller, tenantId: string): boolean {
  return caller.tenants.includes(ALL_TENANTS) || caller.tenants.includes(tenantId);
}

/** A list of tenant ids as configured (`*`, `<default>`, `a,b`); empty means the default tenant. */
export function tenantList(values: readonly string[] | undefined): readonly string[] {
  const cleaned = (values ?? []).map((t) => t.trim()).filter((t) => t !== '');
  return cleaned.length === 0 ? [DEFAULT_TENANT] : [...new Set(cleaned)];
}

const CALLER = Symbol('baton.caller');

export function attachCaller(request: FastifyRequest, caller: Caller): void {
  (request as unknown as Record<symbol, Caller>)[CALLER] = caller;
}

/** The caller the auth hook attached, if it attached one (not for public routes and 401s). */
export function attachedCaller(request: FastifyRequest): Caller | undefined {
  return (request as unknown as Record<symbol, Caller | undefined>)[CALLER];
}

/** The request's caller; the anonymous admin when no hook attached one (AUTH=none). */
export function callerOf(request: FastifyRequest): Caller {
  return (request as unknown as Record<symbol, Caller | undefined>)[CALLER] ?? ANONYMOUS;
}

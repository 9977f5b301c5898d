import { DEFAULT_TENANT } from '@baton/runtime';

/**
 * Camunda's tenant id `<default>` is Baton's default tenant ({@link DEFAULT_TENANT},
 * the same string today); an absent tenant is the default one.
 */
export function tenantOf(tenantId: string | undefined): string {
  return tenantId === undefined || tenantId === '<default>' ? DEFAULT_TENANT : tenantId;
}

/** Tenants of a job activation: absent or empty is the default tenant, as in Camunda without multi-tenancy. */
export function tenantsOf(tenantIds: readonly string[] | undefined): readonly string[] {
  return tenantIds === undefined || tenantIds.length === 0 ? [DEFAULT_TENANT] : tenantIds.map((t) => tenantOf(t));
}

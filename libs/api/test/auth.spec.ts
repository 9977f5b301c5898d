import { ApiKeyNameTaken, ApiKeyService, LAST_USED_INTERVAL_MS } from '../src/auth/api-keys';
import { BasicUsers, hashPassword, verifyPassword } from '../src/auth/basic-users';
import { tenantScope, type Caller } from '../src/auth/caller';
import { claimAt, OidcVerifier } from '../src/auth/oidc';
import { holds, holdsSome, permissionList, unknownPermissions } from '../src/auth/permissions';
import { ruleOf } from '../src/auth/route-permissions';
import { MemoryApiKeys } from './fakes/memory-api-keys';

describe('permissions', () => {
  const p = (...names: string[]) => permissionList(names);

  it('are held whole, for one resource, or through admin', () => {
    expect(holds(p('start'), 'start', 'order')).toBe(true);
    expect(holds(p('start:order'), 'start', 'order')).toBe(true);
    expect(holds(p('start:order'), 'start', 'invoice')).toBe(false);
    expect(holds(p('start:order'), 'start')).toBe(false);
    expect(holds(p('admin'), 'deploy')).toBe(true);
    // Only start and jobs narrow to a resource.
    expect(holds(p('deploy:order'), 'deploy', 'order')).toBe(false);
    expect(holdsSome(p('jobs:mail'), 'jobs')).toBe(true);
    expect(holdsSome(p('jobs:'), 'jobs')).toBe(false);
  });

  it('name typos', () => {
    expect(unknownPermissions(['deploy', 'start:order', 'jobs:a:b', 'deploi', 'read:x', 'start:'])).toEqual(['deploi', 'read:x', 'start:']);
    expect([...permissionList('openid  read,deploy')]).toEqual(['openid', 'read', 'deploy']);
  });

  it('are what every route requires, HEAD as GET, unknown routes for admins only', () => {
    expect(ruleOf('HEAD', '/api/v1/instances')).toEqual({ access: 'permission', permission: 'read' });
    expect(ruleOf('GET', '/health')).toEqual({ access: 'public' });
    expect(ruleOf('POST', '/api/v1/something-new')).toEqual({ access: 'permission', permission: 'admin' });
  });

  it('give a caller with * every tenant', () => {
    const caller = (tenants: string[]): Caller => ({ principal: 'p', via: 'api-key', permissions: p(), tenants, groups: [] });
    expect(tenantScope(caller(['*']))).toBeUndefined();
    expect(tenantScope(caller(['a', 'b']))).toEqual(['a', 'b']);
  });
});

describe('ApiKeyService', () => {
  let clock = new Date('2026-12-07T10:00:00Z');
  const repo = new MemoryApiKeys();
  const service = new ApiKeyService(repo, () => clock);

  it('stores only a hash, verifies the key, refuses tampered and revoked ones', async () => {
    const { record, key } = await service.create({ name: 'ci', permissions: ['deploy', 'deploy'], tenants: ['*'] });
    expect(record.permissions).toEqual(['deploy']);
    // The secret is everything after `baton_<id>_` (base64url: it may hold `_` itself).
    const secret = key.slice('baton_'.length + 13);
    expect(secret).toHaveLength(43);
    expect(JSON.stringify([...repo.rows.values()])).not.toContain(secret);
    expect((await service.verify(key))?.name).toBe('ci');
    expect(await service.verify(`${key.slice(0, -1)}${key.endsWith('x') ? 'y' : 'x'}`)).toBeNull();
    expect(await service.verify('baton_short')).toBeNull();
    await expect(service.create({ name: 'ci', permissions: [], tenants: [] })).rejects.toBeInstanceOf(ApiKeyNameTaken);
    await service.revoke(record.id);
    expect(await service.verify(key)).toBeNull();
  });

  it('writes the last use at most once a minute', async () => {
    const { key } = await service.create({ name: 'worker', permissions: ['jobs'], tenants: ['*'] });
    const before = repo.touches;
    await service.verify(key);
    await service.verify(key);
    expect(repo.touches).toBe(before + 1);
    clock = new Date(clock.getTime() + LAST_USED_INTERVAL_MS);
    await service.verify(key);
    expect(repo.touches).toBe(before + 2);
  });
});

describe('Basic users', () => {
  it('verify scrypt hashes, and remember a verified pair', async () => {
    const hash = await hashPassword('pw');
    expect(hash).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(await verifyPassword('pw', hash)).toBe(true);
    expect(await verifyPassword('pW', hash)).toBe(false);
    const users = new BasicUsers(new Map([['demo', { name: 'demo', passwordHash: hash, permissions: permissionList(['read']), tenants: ['*'], groups: [] }]]));
    expect((await users.verify('demo', 'pw'))?.name).toBe('demo');
    expect(await users.verify('demo', 'nope')).toBeNull();
    expect(await users.verify('nobody', 'pw')).toBeNull();
  });
});

describe('OIDC claims', () => {
  const verifier = (claims: Partial<ConstructorParameters<typeof OidcVerifier>[0]>) =>
    new OidcVerifier({ OIDC_PRINCIPAL_CLAIM: ['sub'], OIDC_PERMISSIONS_CLAIM: 'scope', ...claims } as ConstructorParameters<typeof OidcVerifier>[0]);

  it('read dotted paths, whole keys with dots, arrays and space-separated strings', () => {
    const payload = { realm_access: { roles: ['read', 'deploy'] }, 'https://x.example.com/tenants': ['a'], scope: 'openid read' };
    expect(claimAt(payload, 'realm_access.roles')).toEqual(['read', 'deploy']);
    expect(claimAt(payload, 'https://x.example.com/tenants')).toEqual(['a']);
    const keycloak = verifier({ OIDC_PRINCIPAL_CLAIM: ['preferred_username', 'azp', 'sub'], OIDC_PERMISSIONS_CLAIM: 'realm_access.roles' }).callerOf({
      ...payload,
      azp: 'orders-service',
      sub: 'uuid',
    });
    expect(keycloak).toMatchObject({ principal: 'orders-service', tenants: ['<default>'] });
    expect([...keycloak.permissions]).toEqual(['read', 'deploy']);
    const scoped = verifier({ OIDC_TENANTS_CLAIM: 'https://x.example.com/tenants' }).callerOf({ ...payload, sub: 'u' });
    expect([...scoped.permissions]).toEqual(['openid', 'read']);
    expect(scoped.tenants).toEqual(['a']);
    expect(scoped.groups).toEqual([]);
    const grouped = verifier({ OIDC_GROUPS_CLAIM: 'realm_access.groups' }).callerOf({ sub: 'u', realm_access: { groups: ['clerks', 'clerks', 7, 'audit'] } });
    expect(grouped.groups).toEqual(['clerks', 'audit']);
    expect(verifier({ OIDC_GROUPS_CLAIM: 'groups' }).callerOf({ sub: 'u', groups: 'a b' }).groups).toEqual(['a', 'b']);
    expect(() => verifier({ OIDC_PRINCIPAL_CLAIM: ['email'] }).callerOf({ sub: 'u' })).toThrow(/OIDC_PRINCIPAL_CLAIM/);
  });
});

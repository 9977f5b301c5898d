/**
 * What a caller may do (docs/security.md). A permission is held outright
 * (`start`), or for one resource (`start:<bpmnProcessId>`, `jobs:<type>`);
 * `admin` holds every permission.
 */
export const Permission = {
  Deploy: 'deploy',
  Start: 'start',
  Read: 'read',
  Operate: 'operate',
  Jobs: 'jobs',
  Tasks: 'tasks',
  Admin: 'admin',
} as const;
export type Permission = (typeof Permission)[keyof typeof Permission];

export const PERMISSIONS: readonly Permission[] = Object.values(Permission);

/** The permissions that may be narrowed to one resource. */
export const SCOPED_PERMISSIONS: ReadonlySet<Permission> = new Set([Permission.Start, Permission.Jobs]);

/** Whether `permissions` hold `permission` (for `resource`, when given). */
export function holds(permissions: ReadonlySet<string>, permission: Permission, resource?: string): boolean {
  if (permissions.has(Permission.Admin) || permissions.has(permission)) return true;
  return resource !== undefined && SCOPED_PERMISSIONS.has(permission) && permissions.has(`${permission}:${resource}`);
}

/** Whether `permissions` hold `permission` for at least one resource (`jobs:invoice` counts for jobs). */
export function holdsSome(permissions: ReadonlySet<string>, permission: Permission): boolean {
  if (holds(permissions, permission)) return true;
  const prefix = `${permission}:`;
  for (const p of permissions) if (p.startsWith(prefix) && p.length > prefix.length) return true;
  return false;
}

/** The resources `permission` is held for, or `'all'` (jobs:a, jobs:b -> ['a', 'b']). */
export function resourcesOf(permissions: ReadonlySet<string>, permission: Permission): 'all' | readonly string[] {
  if (holds(permissions, permission)) return 'all';
  const prefix = `${permission}:`;
  return [...permissions].filter((p) => p.startsWith(prefix) && p.length > prefix.length).map((p) => p.slice(prefix.length));
}

/** Permission names as configured: a comma or space list, trimmed, duplicates dropped. */
export function permissionList(values: readonly string[] | string | undefined): ReadonlySet<string> {
  const list = typeof values === 'string' ? values.split(/[\s,]+/) : (values ?? []);
  return new Set(list.map((p) => p.trim()).filter((p) => p !== ''));
}

/** The names in `list` that are no permission (`deploy`, `start:order`, ...): typos caught where they are written. */
export function unknownPermissions(list: Iterable<string>): string[] {
  return [...list].filter((p) => {
    if ((PERMISSIONS as readonly string[]).includes(p)) return false;
    const colon = p.indexOf(':');
    return !(colon > 0 && colon < p.length - 1 && SCOPED_PERMISSIONS.has(p.slice(0, colon) as Permission));
  });
}

import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DEFAULT_TENANT } from '@baton/runtime';
import { PROBLEM_CONTENT_TYPE } from '../http/problem';
import type { PrincipalRateLimit } from '../http/security';
import { ANONYMOUS, attachCaller, callerOf, inTenant, tenantScope, type Caller } from './caller';
import { isRejection, type Authenticator } from './authenticator';
import { holds, holdsSome, Permission } from './permissions';
import { resourceOf, ruleOf, type Owner, type RouteRule } from './route-permissions';

/** What the hook looks up to check a permission scoped to a job's type, or a user task's assignee, and their tenants. */
export interface AuthLookups {
  job(id: string): Promise<{ readonly type: string; readonly tenantId: string } | null>;
  task(id: string): Promise<TaskFacts | null>;
  /** The process and tenant of a process definition by its key; `null` when there is none. */
  definition(key: string): Promise<{ readonly bpmnProcessId: string; readonly tenantId: string } | null>;
  /** The tenant of an instance or incident; `null` when there is none with that id. */
  tenantOf(kind: 'instance' | 'incident', id: string): Promise<string | null>;
}

export interface TaskFacts {
  readonly assignee: string | null;
  readonly candidateUsers: readonly string[];
  readonly candidateGroups: readonly string[];
  readonly tenantId: string;
}

export interface AuthHookOptions {
  readonly lookups: AuthLookups;
  /** `null`: AUTH=none, every caller is the anonymous admin. */
  readonly authenticator: Authenticator | null;
  /** METRICS_TOKEN: the bearer `/metrics` needs; unset: open. */
  readonly metricsToken?: string;
  /** RATE_LIMIT_PER_PRINCIPAL_PER_MINUTE, when on: counted once the caller is known, before its permission is checked. */
  readonly principalLimit?: PrincipalRateLimit;
}

type PermissionRule = Extract<RouteRule, { access: 'permission' }>;
const ROUTES = new WeakMap<FastifyInstance, readonly string[]>();
const PENDING = Symbol('baton.auth.pendingResource');

/** Every route registered after the hook, as `METHOD /route` (HEAD routes included): what the permission table must cover. */
export function registeredRoutes(fastify: FastifyInstance): readonly string[] {
  return ROUTES.get(fastify) ?? [];
}

/**
 * The one place where requests are let in (docs/security.md): on every
 * route of /api/v1 and /v2 alike, after the rate limit, before the body is
 * read, the route's rule (route-permissions.ts) decides. 401 with
 * `WWW-Authenticate` when the caller did not prove who it is, 403 naming the
 * missing permission when it may not; both problem+json in the shape of the
 * API asked (Camunda's for /v2). A permission scoped to a resource named in
 * the body (`jobs:<type>` of an activation) is checked once the body is
 * parsed, before the handler runs.
 */
export function registerAuthHook(fastify: FastifyInstance, options: AuthHookOptions): void {
  const seen: string[] = [];
  ROUTES.set(fastify, seen);
  fastify.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) seen.push(`${method} ${route.url}`);
  });
  fastify.addHook('onRequest', async (request, reply) => {
    const url = request.routeOptions.url;
    // No route: the 404 says nothing about what exists behind authentication either way.
    if (url === undefined) return;
    const rule = ruleOf(request.method, url);
    if (rule.access === 'public') return;
    if (rule.access === 'metrics') {
      if (options.metricsToken !== undefined && !bearerIs(request.headers.authorization, options.metricsToken)) {
        return deny(reply, request, 401, 'this route needs the bearer token METRICS_TOKEN sets', ['Bearer realm="metrics"']);
      }
      return;
    }
    let caller: Caller = ANONYMOUS;
    if (options.authenticator !== null) {
      const result = await options.authenticator.authenticate(request.headers.authorization);
      if (isRejection(result)) {
        return deny(reply, request, 401, result.rejected, options.authenticator.challenges(result.invalidToken === true));
      }
      caller = result;
      const limited = await options.principalLimit?.(request, `${caller.via}:${caller.principal}`);
      if (limited !== undefined && limited !== null) {
        void reply.header('retry-after', String(limited.retryAfterSeconds));
        return deny(
          reply,
          request,
          429,
          `more than ${limited.max} requests in a minute from '${caller.principal}' (RATE_LIMIT_PER_PRINCIPAL_PER_MINUTE); retry in ${limited.retryAfterSeconds} s`,
          [],
        );
      }
    }
    attachCaller(request, caller);
    if (rule.access === 'authenticated') return;
    const whole = holds(caller.permissions, rule.permission);
    if (!whole && !(rule.resource !== undefined && holdsSome(caller.permissions, rule.permission))) {
      return forbid(reply, request, caller, rule.permission);
    }
    const byId = rule.resource?.from === 'job' || rule.asAssignee !== undefined || rule.owner !== undefined;
    const pending =
      (!whole && rule.resource !== undefined) ||
      (rule.asAssignee !== undefined && !holds(caller.permissions, Permission.Operate)) ||
      ((byId || rule.tenantField !== undefined) && tenantScope(caller) !== undefined);
    // Checked once the body is parsed: the resource may be in it, and the lookups should not run for a 401.
    if (pending) (request as unknown as Record<symbol, PermissionRule>)[PENDING] = rule;
  });
  fastify.addHook('preHandler', async (request, reply) => {
    const rule = (request as unknown as Record<symbol, PermissionRule | undefined>)[PENDING];
    if (rule === undefined) return;
    const caller = callerOf(request);
    const { resource, asAssignee, tenantField, owner } = rule;
    if (owner !== undefined && tenantScope(caller) !== undefined) {
      const id = resourceOf(request, { from: 'params', field: owner.param }) ?? '';
      const tenantId = await ownerTenant(options.lookups, owner.kind, id);
      if (tenantId !== null && !inTenant(caller, tenantId)) return notFound(reply, request, `${OWNER_NAMES[owner.kind]} ${id}`);
    }
    if (tenantField !== undefined) {
      const outside = tenantsNamed(request.body, tenantField).find((t) => !inTenant(caller, t));
      if (outside !== undefined) {
        return deny(reply, request, 403, `'${caller.principal}' may not act in tenant '${outside}'`, [], `tenant:${outside}`);
      }
    }
    if (resource !== undefined) {
      let value = resourceOf(request, resource);
      if (resource.from === 'job' && value !== undefined) {
        const job = await options.lookups.job(value);
        // Unknown: the handler answers 404 as it would for anyone.
        if (job === null) return;
        if (!inTenant(caller, job.tenantId)) return notFound(reply, request, `job ${value}`);
        value = job.type;
      }
      const definitionKey = resource.orDefinitionKey === undefined ? undefined : resourceOf(request, { from: 'body', field: resource.orDefinitionKey });
      if (value === undefined && definitionKey !== undefined) {
        const definition = await options.lookups.definition(definitionKey);
        // Unknown: the handler answers 404 as it would for anyone.
        if (definition === null) return;
        if (!inTenant(caller, definition.tenantId)) return notFound(reply, request, `process definition ${definitionKey}`);
        value = definition.bpmnProcessId;
      }
      // No resource named and the handler checks each one it acts on: nothing to check here.
      const handlerChecks = value === undefined && resource.orEachInHandler === true;
      if (!handlerChecks && (value === undefined || !holds(caller.permissions, rule.permission, value))) {
        return forbid(reply, request, caller, value === undefined ? rule.permission : `${rule.permission}:${value}`);
      }
    }
    if (asAssignee !== undefined) {
      const id = resourceOf(request, { from: 'params', field: asAssignee }) ?? '';
      const task = await options.lookups.task(id);
      if (task === null) return;
      if (!inTenant(caller, task.tenantId)) return notFound(reply, request, `user task ${id}`);
      if (!holds(caller.permissions, Permission.Operate) && !mayWork(caller, task)) {
        return deny(
          reply,
          request,
          403,
          `'${caller.principal}' is neither the assignee nor a candidate user or in a candidate group of user task ${id}, and lacks the permission 'operate'`,
          [],
          Permission.Operate,
        );
      }
    }
  });
}

const OWNER_NAMES = { instance: 'process instance', incident: 'incident', task: 'user task', job: 'job' } as const;

async function ownerTenant(lookups: AuthLookups, kind: Owner['kind'], id: string): Promise<string | null> {
  if (kind === 'job') return (await lookups.job(id))?.tenantId ?? null;
  if (kind === 'task') return (await lookups.task(id))?.tenantId ?? null;
  return lookups.tenantOf(kind, id);
}

/** The tenants a body names in `field` (an id or a list); none: the default tenant, as everywhere. */
function tenantsNamed(body: unknown, field: string): string[] {
  const value = body !== null && typeof body === 'object' ? (body as Record<string, unknown>)[field] : undefined;
  const list = (Array.isArray(value) ? value : [value]).filter((t): t is string => typeof t === 'string' && t !== '');
  return list.length === 0 ? [DEFAULT_TENANT] : list;
}

/** The caller's task: assigned to it, offered to it or to one of its groups, or offered to nobody in particular. */
function mayWork(caller: Caller, task: TaskFacts): boolean {
  if (task.assignee !== null) return task.assignee === caller.principal;
  if (task.candidateUsers.length === 0 && task.candidateGroups.length === 0) return true;
  return task.candidateUsers.includes(caller.principal) || task.candidateGroups.some((g) => caller.groups.includes(g));
}

function notFound(reply: FastifyReply, request: FastifyRequest, what: string): FastifyReply {
  return deny(reply, request, 404, `${what} was not found`, []);
}

/** 403 naming what the caller lacks (`start:order`, `deploy`). */
export function forbid(reply: FastifyReply, request: FastifyRequest, caller: Caller, permission: Permission | string): FastifyReply {
  return deny(reply, request, 403, `'${caller.principal}' lacks the permission '${permission}'`, [], permission);
}

const DENIALS = {
  401: { title: 'Unauthorized', code: 'UNAUTHORIZED', v2: 'UNAUTHORIZED' },
  403: { title: 'Forbidden', code: 'FORBIDDEN', v2: 'FORBIDDEN' },
  404: { title: 'Not Found', code: 'NOT_FOUND', v2: 'NOT_FOUND' },
  429: { title: 'Too Many Requests', code: 'TOO_MANY_REQUESTS', v2: 'TOO_MANY_REQUESTS' },
} as const;

function deny(
  reply: FastifyReply,
  request: FastifyRequest,
  status: 401 | 403 | 404 | 429,
  detail: string,
  challenges: readonly string[],
  permission?: string,
): FastifyReply {
  const instance = request.url.split('?')[0];
  const body = instance.startsWith('/v2/')
    ? { type: 'about:blank', title: DENIALS[status].v2, status, detail, instance }
    : {
        type: `urn:baton:problem:${DENIALS[status].code.toLowerCase().replace(/_/g, '-')}`,
        title: DENIALS[status].title,
        status,
        detail,
        instance,
        code: DENIALS[status].code,
        ...(permission === undefined ? {} : { permission }),
      };
  if (challenges.length > 0) void reply.header('www-authenticate', challenges.join(', '));
  return reply.code(status).header('content-type', PROBLEM_CONTENT_TYPE).send(JSON.stringify(body));
}

function bearerIs(header: string | undefined, token: string): boolean {
  if (header === undefined || !/^bearer /i.test(header)) return false;
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(header.slice(7).trim()), digest(token));
}

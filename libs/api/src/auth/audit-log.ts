import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { PgAuditRepository } from '@baton/store';
import type { RuntimeLogger } from '@baton/runtime';
import { attachedCaller } from './caller';
import { Permission } from './permissions';
import { ruleOf } from './route-permissions';

const STATE_CHANGING: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/**
 * Who did what (docs/security.md): after each answer of a state-changing
 * route to an authenticated caller, its principal, tenants, method, route,
 * the id or key the route names and the answer's status. Written with
 * authentication on only (under AUTH=none everyone is `anonymous`), and not
 * for job workers' traffic (activate, complete, fail, ...: the instance's
 * history records it, and it is the hot path). A failed write is logged,
 * never the request's failure. Entries older than AUDIT_RETENTION_DAYS are
 * deleted hourly.
 */
export function registerAuditLog(
  fastify: FastifyInstance,
  repository: PgAuditRepository,
  retentionDays: number,
  logger: RuntimeLogger,
  now: () => Date = () => new Date(),
): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    done();
    const entry = auditEntry(request, reply.statusCode, now());
    if (entry !== null) {
      repository.insert(entry).catch((e: unknown) => logger.warn(`audit log entry of ${entry.method} ${entry.route} not written: ${(e as Error).message}`));
    }
  });
  const purge = () =>
    void repository
      .purgeBefore(new Date(now().getTime() - retentionDays * DAY_MS))
      .catch((e: unknown) => logger.warn(`audit log purge failed: ${(e as Error).message}`));
  const timer = setInterval(purge, HOUR_MS);
  timer.unref();
  fastify.addHook('onReady', (done) => {
    purge();
    done();
  });
  fastify.addHook('onClose', (_instance, done) => {
    clearInterval(timer);
    done();
  });
}

function auditEntry(request: FastifyRequest, status: number, at: Date) {
  const route = request.routeOptions.url;
  if (route === undefined || !STATE_CHANGING.has(request.method)) return null;
  const rule = ruleOf(request.method, route);
  if (rule.access !== 'permission' || rule.permission === Permission.Jobs) return null;
  const caller = attachedCaller(request);
  if (caller === undefined || caller.via === 'none') return null;
  const params = (request.params ?? {}) as Record<string, unknown>;
  const target = Object.values(params).find((v): v is string => typeof v === 'string' && v !== '');
  return {
    at,
    principal: caller.principal,
    via: caller.via,
    tenants: namedTenants(request.body, rule.tenantField) ?? [...caller.tenants],
    method: request.method,
    route,
    targetId: target ?? null,
    status,
  };
}

function namedTenants(body: unknown, field: string | undefined): string[] | undefined {
  if (field === undefined || body === null || typeof body !== 'object') return undefined;
  const value = (body as Record<string, unknown>)[field];
  const list = (Array.isArray(value) ? value : [value]).filter((t): t is string => typeof t === 'string' && t !== '');
  return list.length > 0 ? list : undefined;
}

import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Settings } from '@baton/config';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import helmet from 'helmet';

/** Paths probes and scrapers call: never rate limited (a busy client must not turn its replica "unready"). */
export const RATE_LIMIT_EXEMPT: ReadonlySet<string> = new Set([
  '/health',
  '/health/ready',
  '/metrics',
]);

/**
 * Content-Security-Policy of every answer. Swagger UI at /api/docs is three
 * same-origin scripts and a stylesheet (http/swagger-ui.ts) and sets inline
 * `style` attributes, and its icons are `data:` images; nothing else is
 * loaded, framed or posted anywhere. No `upgrade-insecure-requests`: plain
 * HTTP on a private network stays usable.
 */
const CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  baseUri: ["'self'"],
  connectSrc: ["'self'"],
  fontSrc: ["'self'", 'data:'],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  imgSrc: ["'self'", 'data:'],
  objectSrc: ["'none'"],
  scriptSrc: ["'self'"],
  scriptSrcAttr: ["'none'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  upgradeInsecureRequests: null,
};

/**
 * The CSP for these settings: the cockpit's OIDC sign-in (OIDC_CLIENT_ID)
 * posts the authorization code to the issuer's token endpoint from the page,
 * so the issuer's origin joins `connect-src` (the token endpoint of Keycloak,
 * Auth0, Okta and Entra ID is on the issuer's origin).
 */
export function cspDirectives(settings: Pick<Settings, 'OIDC_ISSUER' | 'OIDC_CLIENT_ID'>): typeof CSP_DIRECTIVES {
  if (settings.OIDC_CLIENT_ID === undefined || settings.OIDC_ISSUER === undefined) return CSP_DIRECTIVES;
  return { ...CSP_DIRECTIVES, connectSrc: ["'self'", new URL(settings.OIDC_ISSUER).origin] };
}

/**
 * The hardening of the API's HTTP edge (docs/security.md), registered before
 * any route so that every route gets it: security headers (helmet), CORS only
 * for CORS_ORIGINS, and a per-client-address rate limit of
 * RATE_LIMIT_PER_MINUTE whose 429 is problem+json with Retry-After (the
 * error reaches the ProblemFilter like any other 4xx of a plugin).
 *
 * The address limit is an app-wide `onRequest` hook added here, before the
 * auth hook (api-app.ts): hooks of the app run in the order they were added,
 * and before any route's own hooks, so a request refused for its credentials
 * (a guessed password) has been counted. Registered with `global: true` the
 * plugin would hook each route instead, after the auth hook, and a 401 would
 * never be counted. The per-principal limit needs the caller, so the auth hook
 * applies it ({@link principalRateLimit}).
 */
export async function registerHttpSecurity(
  app: NestFastifyApplication,
  settings: Settings,
): Promise<void> {
  const fastify = app.getHttpAdapter().getInstance();
  // The headers are worked out once, here: @fastify/helmet builds helmet's middleware again for
  // every request (the CSP directives parsed each time), which was 4% of the API's CPU.
  const securityHeaders = helmet({
    contentSecurityPolicy: { useDefaults: true, directives: cspDirectives(settings) },
    // An API and its docs are never framed.
    frameguard: { action: 'deny' },
  });
  fastify.addHook('onRequest', (request, reply, done) => {
    securityHeaders(request.raw, reply.raw, (error) => done(error as Error | undefined));
  });
  const perMinute = settings.RATE_LIMIT_PER_MINUTE;
  if (perMinute > 0 || settings.RATE_LIMIT_PER_PRINCIPAL_PER_MINUTE > 0) {
    await app.register(rateLimit, {
      global: false,
      max: Math.max(perMinute, 1),
      timeWindow: 60_000,
      // request.ip: the peer, or X-Forwarded-For's client when TRUST_PROXY trusts the peer.
      allowList: (request: FastifyRequest) => RATE_LIMIT_EXEMPT.has(request.url.split('?')[0]),
      errorResponseBuilder: (_request, context) =>
        Object.assign(
          new Error(
            `more than ${context.max} requests in a minute from this address (RATE_LIMIT_PER_MINUTE); retry in ${Math.max(1, Math.ceil(context.ttl / 1000))} s`,
          ),
          { statusCode: context.statusCode },
        ),
    });
  }
  if (settings.CORS_ORIGINS !== undefined) {
    await app.register(cors, {
      origin: [...settings.CORS_ORIGINS],
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      // An allowed origin's page sends its own Authorization header (requested headers are
      // reflected in the preflight); no cookies, and nothing the browser adds by itself.
      credentials: false,
      exposedHeaders: [
        'Location',
        'Retry-After',
        'X-RateLimit-Limit',
        'X-RateLimit-Remaining',
        'X-RateLimit-Reset',
        'WWW-Authenticate',
      ],
      maxAge: 600,
    });
  }
  // After CORS, whose preflights are answered before anything counts.
  if (perMinute > 0) fastify.addHook('onRequest', fastify.rateLimit());
}

/** What the per-principal limit answers: `null` within it, else the seconds until its window ends. */
export type PrincipalRateLimit = (
  request: FastifyRequest,
  principal: string,
) => Promise<{ readonly max: number; readonly retryAfterSeconds: number } | null>;

/**
 * RATE_LIMIT_PER_PRINCIPAL_PER_MINUTE: requests one authenticated caller
 * (by how it authenticated and its name) may make per minute, whatever its
 * address; `undefined` when off. Counted by the auth hook once it knows the
 * caller, in a per-process store like the address limit's.
 */
export function principalRateLimit(
  fastify: FastifyInstance,
  settings: Settings,
): PrincipalRateLimit | undefined {
  const max = settings.RATE_LIMIT_PER_PRINCIPAL_PER_MINUTE;
  if (max === 0) return undefined;
  const principals = new WeakMap<FastifyRequest, string>();
  const limit = fastify.createRateLimit({
    max,
    timeWindow: 60_000,
    keyGenerator: (request) => principals.get(request) ?? '',
  });
  return async (request, principal) => {
    principals.set(request, `principal:${principal}`);
    const result = await limit(request);
    return result.isAllowed || !result.isExceeded
      ? null
      : { max, retryAfterSeconds: Math.max(1, result.ttlInSeconds) };
  };
}

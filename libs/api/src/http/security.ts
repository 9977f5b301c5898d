import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Settings } from '@baton/config';
import type { FastifyRequest } from 'fastify';

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
 * The hardening of the API's HTTP edge (docs/security.md), registered before
 * any route so that every route gets it: security headers (helmet), CORS only
 * for CORS_ORIGINS, and a per-client-address rate limit of
 * RATE_LIMIT_PER_MINUTE whose 429 is problem+json with Retry-After (the
 * error reaches the ProblemFilter like any other 4xx of a plugin).
 */
export async function registerHttpSecurity(
  app: NestFastifyApplication,
  settings: Settings,
): Promise<void> {
  await app.register(helmet, {
    contentSecurityPolicy: { useDefaults: true, directives: CSP_DIRECTIVES },
    // An API and its docs are never framed.
    frameguard: { action: 'deny' },
  });
  // CORS preflights are answered before any route's hook runs (cheap, no store access): not counted.
  const perMinute = settings.RATE_LIMIT_PER_MINUTE;
  if (perMinute > 0) {
    await app.register(rateLimit, {
      global: true,
      max: perMinute,
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
}

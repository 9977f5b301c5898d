import type { BatonMetrics } from '@baton/metrics';
import type { FastifyInstance } from 'fastify';

/**
 * `baton_http_request_duration_seconds{method,route,status}` from Fastify's
 * onResponse hook. The route is the pattern Fastify matched
 * (`/api/v1/instances/:id`), never the URL, so label values stay bounded;
 * requests no route matched are counted as `unmatched`.
 */
export function observeHttp(fastify: FastifyInstance, metrics: BatonMetrics): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    metrics.observeHttp(
      request.method,
      request.routeOptions.url,
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
    done();
  });
}

import { UnsupportedMediaTypeException } from '@nestjs/common';
import type { FastifyInstance, FastifyRequest } from 'fastify';

const JSON_ONLY = ['application/json'] as const;

/**
 * The body types a route takes beyond JSON, by `METHOD /route`. Only a
 * deploy takes XML or a multipart upload: `text/plain`, form and multipart
 * bodies elsewhere are what a web page can send without a CORS preflight,
 * so they are refused rather than guessed at.
 */
const BODY_TYPES: ReadonlyMap<string, readonly string[]> = new Map([
  ['POST /api/v1/processes', ['application/xml', 'text/xml', 'multipart/form-data', 'application/json']],
  ['POST /api/v1/decisions', ['application/xml', 'text/xml', 'multipart/form-data', 'application/json']],
  // A Camunda Form: its JSON, or the `.form` file as a multipart upload.
  ['POST /api/v1/forms', ['application/json', 'multipart/form-data']],
  // Camunda 8's deployment (`/v2`): resources as multipart file parts only.
  ['POST /v2/deployments', ['multipart/form-data']],
]);

/**
 * 415 naming the accepted types for a body of any other media type, and for
 * any charset but UTF-8 (a body is never read in an encoding it was not
 * sent in).
 */
export function refuseUnacceptedContent(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, _reply, done) => {
    const header = request.headers['content-type'];
    if (header === undefined || !carriesBody(request)) {
      done();
      return;
    }
    const [type, ...params] = header.split(';').map((part) => part.trim());
    const mediaType = type.toLowerCase();
    const accepted = BODY_TYPES.get(`${request.method} ${request.routeOptions.url ?? ''}`) ?? JSON_ONLY;
    if (!accepted.includes(mediaType)) {
      done(new UnsupportedMediaTypeException(`this route takes ${accepted.join(', ')}; '${mediaType}' is not accepted`));
      return;
    }
    const charset = params.find((p) => p.toLowerCase().startsWith('charset='))?.slice('charset='.length).replace(/"/g, '');
    if (charset !== undefined && !/^utf-?8$/i.test(charset)) {
      done(new UnsupportedMediaTypeException(`the body must be UTF-8; charset '${charset}' is not accepted`));
      return;
    }
    done();
  });
}

/** Whether the request has a body to read (an empty body with a content type is no body). */
function carriesBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  if (length !== undefined) return length !== '0';
  return request.headers['transfer-encoding'] !== undefined;
}

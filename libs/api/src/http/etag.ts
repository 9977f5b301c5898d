import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** The reads that get an ETag: JSON answers of `/api/v1` (what the cockpit polls). */
const PREFIX = '/api/v1/';

/**
 * Conditional GETs for `/api/v1` (docs/cockpit.md, "Live updates"): every
 * successful JSON answer to a GET or HEAD carries a weak ETag, a hash of its
 * body, and a GET whose `If-None-Match` names it gets `304 Not Modified`
 * without the body. The body is still computed (the hash is of the answer),
 * so this saves bytes on the wire and parsing and rendering in the client,
 * not work on the server. Weak (`W/`): the tag is of the JSON as sent, which
 * says nothing about byte ranges. Errors, redirects, non-JSON answers (the
 * BPMN XML) and answers that already carry an ETag are left alone.
 */
export function registerETags(fastify: FastifyInstance): void {
  fastify.addHook('onSend', async (request, reply, payload) => {
    if (!applies(request, reply, payload)) return payload;
    const tag = etagOf(payload as string | Buffer);
    void reply.header('etag', tag);
    // HEAD is answered in full (it has no body to save, and Fastify's HEAD handler measures the payload).
    if (request.method !== 'GET' || !matches(request.headers['if-none-match'], tag)) return payload;
    // RFC 9110 §15.4.5: a 304 has no body and need not repeat the representation's headers.
    void reply.code(304);
    reply.removeHeader('content-type');
    reply.removeHeader('content-length');
    return null;
  });
}

function applies(request: FastifyRequest, reply: FastifyReply, payload: unknown): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  if (!request.url.startsWith(PREFIX)) return false;
  if (reply.statusCode !== 200 || reply.hasHeader('etag')) return false;
  if (typeof payload !== 'string' && !Buffer.isBuffer(payload)) return false;
  const type = reply.getHeader('content-type');
  return typeof type === 'string' && /^application\/json\b/i.test(type);
}

/** `W/"<base64url of the body's SHA-1>"`: a change detector, not a secret. */
export function etagOf(body: string | Buffer): string {
  return `W/"${createHash('sha1').update(body).digest('base64url')}"`;
}

/** Whether `If-None-Match` (a list of tags, or `*`) names `tag`, compared weakly as RFC 9110 §13.1.2 says. */
export function matches(header: string | string[] | undefined, tag: string): boolean {
  if (header === undefined) return false;
  const opaque = (t: string) => t.trim().replace(/^W\//, '');
  const wanted = opaque(tag);
  return [header]
    .flat()
    .flatMap((h) => h.split(','))
    .some((t) => t.trim() === '*' || opaque(t) === wanted);
}

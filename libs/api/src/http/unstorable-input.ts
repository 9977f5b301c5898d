import { describeUnstorable, findUnstorable, RuntimeError, RuntimeErrorCode } from '@baton/runtime';
import type { FastifyInstance } from 'fastify';

/** Nesting of a JSON body beyond which it is refused (a variable may nest 100 levels; the envelope adds a few). */
export const MAX_BODY_DEPTH = 128;

/**
 * Refuses, before any route runs, what no store can hold and no reader
 * should walk: U+0000 anywhere in the path, the query or a JSON body
 * (Postgres refuses it in text and JSON), lone UTF-16 surrogates, and JSON
 * bodies nested deeper than {@link MAX_BODY_DEPTH} (400 naming the
 * parameter or the field); numbers JSON cannot carry exactly (`1e400`,
 * `2^70`) are a 422 naming the field. Nothing is written.
 */
export function refuseUnstorableInput(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, _reply, done) => {
    const url = request.raw.url ?? '';
    const at = url.search(/%00|\0/i);
    if (at === -1) {
      done();
      return;
    }
    const field = urlPart(url, at);
    done(badRequest(field, `${field === 'path' ? 'the path' : `query parameter '${field}'`} holds the character U+0000`));
  });
  fastify.addHook('preValidation', (request, _reply, done) => {
    const found = unstorable(request.body);
    if (found === null) done();
    else if (found.unprocessable === true) done(new RuntimeError(RuntimeErrorCode.Unprocessable, found.message, [{ field: found.field, message: found.message }]));
    else done(badRequest(found.field, found.message));
  });
}

/** `path`, or the name of the query parameter whose text holds position `at`. */
function urlPart(url: string, at: number): string {
  const query = url.indexOf('?');
  if (query === -1 || at < query) return 'path';
  const start = Math.max(url.lastIndexOf('&', at), query) + 1;
  const pair = url.slice(start, url.indexOf('&', at) === -1 ? undefined : url.indexOf('&', at));
  const name = pair.split('=')[0];
  try {
    return decodeURIComponent(name).replace(/\0/g, '\\u0000') || 'query';
  } catch {
    return name || 'query';
  }
}

/** What a body must not hold, with its message and whether it is a 422 (the value is refused, not the request's form). */
export function unstorable(body: unknown): { field: string; message: string; unprocessable?: boolean } | null {
  if (typeof body === 'string') return body.includes('\0') ? { field: 'body', message: 'the body holds the character U+0000' } : null;
  const found = findUnstorable(body, MAX_BODY_DEPTH);
  if (found === null) return null;
  return { field: found.path, message: describeUnstorable(found, MAX_BODY_DEPTH), unprocessable: found.reason === 'number' };
}

function badRequest(field: string, message: string): RuntimeError {
  return new RuntimeError(RuntimeErrorCode.BadRequest, message, [{ field, message }]);
}

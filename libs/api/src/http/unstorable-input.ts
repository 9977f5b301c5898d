import { RuntimeError, RuntimeErrorCode } from '@baton/runtime';
import type { FastifyInstance } from 'fastify';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

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

/** The first string or key holding U+0000, or the first value nested too deep; iterative. */
export function unstorable(body: unknown): { field: string; message: string; unprocessable?: boolean } | null {
  if (typeof body === 'string') return body.includes('\0') ? { field: 'body', message: 'the body holds the character U+0000' } : null;
  if (typeof body !== 'object' || body === null) return null;
  const pending: [unknown, string, number][] = [[body, '', 0]];
  while (pending.length > 0) {
    const [value, path, depth] = pending.pop() as [unknown, string, number];
    if (typeof value === 'string') {
      if (value.includes('\0')) return { field: path, message: `'${path}' holds the character U+0000` };
      if (LONE_SURROGATE.test(value)) return { field: path, message: `'${path}' holds a lone UTF-16 surrogate (not a character)` };
      continue;
    }
    if (typeof value === 'number') {
      if (!Number.isFinite(value) || (Number.isInteger(value) && !Number.isSafeInteger(value))) {
        return {
          field: path,
          message: `'${path}' is a number JSON cannot carry exactly (beyond ±2^53 or not finite); send it as a string`,
          unprocessable: true,
        };
      }
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= MAX_BODY_DEPTH) return { field: path, message: `'${path}' is nested more than ${MAX_BODY_DEPTH} levels deep` };
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) pending.push([value[i], `${path}[${i}]`, depth + 1]);
      continue;
    }
    const entries = Object.entries(value);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, inner] = entries[i];
      const at = path === '' ? key : `${path}.${key}`;
      if (key.includes('\0')) {
        const shown = at.replace(/\0/g, '\\u0000');
        return { field: shown, message: `the key '${shown}' holds the character U+0000` };
      }
      pending.push([inner, at, depth + 1]);
    }
  }
  return null;
}

function badRequest(field: string, message: string): RuntimeError {
  return new RuntimeError(RuntimeErrorCode.BadRequest, message, [{ field, message }]);
}

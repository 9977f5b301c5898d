import Fastify, { type FastifyInstance } from 'fastify';
import { etagOf, matches, registerETags } from '../src/http/etag';

// The conditional-GET hook on a bare Fastify: which answers get an ETag, and the 304.
describe('ETags on /api/v1 reads (http/etag.ts)', () => {
  let app: FastifyInstance;
  let count = 0;
  let origin: string;

  /** fetch, answered as `{ statusCode, body, headers }` (jest cannot load light-my-request's ESM dependency for inject). */
  async function request(method: string, url: string, headers: Record<string, string> = {}) {
    const response = await fetch(`${origin}${url}`, { method, headers });
    const body = await response.text();
    return {
      statusCode: response.status,
      body,
      headers: Object.fromEntries(response.headers),
      json: () => JSON.parse(body) as unknown,
    };
  }

  beforeAll(async () => {
    app = Fastify();
    registerETags(app);
    app.get('/api/v1/things', async () => ({ count }));
    app.get('/api/v1/things/xml', async (_req, reply) =>
      reply.type('application/xml').send('<x/>'),
    );
    app.get('/api/v1/broken', async (_req, reply) =>
      reply
        .code(404)
        .type('application/problem+json')
        .send(JSON.stringify({ status: 404 })),
    );
    app.get('/api/v1/tagged', async (_req, reply) => reply.header('etag', '"mine"').send({ a: 1 }));
    app.post('/api/v1/things', async () => ({ count: ++count }));
    app.get('/health', async () => ({ status: 'ok' }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    origin = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  });

  afterAll(() => app.close());

  it('tags a JSON answer, answers 304 without a body to its tag, and 200 with a new tag once it changed', async () => {
    const first = await request('GET', '/api/v1/things');
    expect(first.statusCode).toBe(200);
    const tag = first.headers.etag as string;
    expect(tag).toBe(etagOf(first.body));
    expect(tag).toMatch(/^W\/"[A-Za-z0-9_-]{27}"$/);

    const again = await request('GET', '/api/v1/things', { 'if-none-match': tag });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    expect(again.headers.etag).toBe(tag);
    expect(again.headers['content-type']).toBeUndefined();

    await request('POST', '/api/v1/things');
    const changed = await request('GET', '/api/v1/things', { 'if-none-match': tag });
    expect(changed.statusCode).toBe(200);
    expect(changed.json()).toEqual({ count: 1 });
    expect(changed.headers.etag).not.toBe(tag);
  });

  it('answers HEAD with the same tag, in full (nothing to save)', async () => {
    const get = await request('GET', '/api/v1/things');
    const head = await request('HEAD', '/api/v1/things');
    expect(head.statusCode).toBe(200);
    expect(head.headers.etag).toBe(get.headers.etag);
    const cached = await request('HEAD', '/api/v1/things', {
      'if-none-match': get.headers.etag as string,
    });
    expect([cached.statusCode, cached.headers['content-length']]).toEqual([
      200,
      String(Buffer.byteLength(get.body)),
    ]);
  });

  it('leaves errors, non-JSON bodies, POSTs, routes outside /api/v1 and answers with their own ETag alone', async () => {
    const xml = await request('GET', '/api/v1/things/xml', { 'if-none-match': '*' });
    expect([xml.statusCode, xml.body, xml.headers.etag]).toEqual([200, '<x/>', undefined]);
    const broken = await request('GET', '/api/v1/broken', { 'if-none-match': '*' });
    expect([broken.statusCode, broken.headers.etag]).toEqual([404, undefined]);
    const post = await request('POST', '/api/v1/things', { 'if-none-match': '*' });
    expect([post.statusCode, post.headers.etag]).toEqual([200, undefined]);
    const health = await request('GET', '/health');
    expect(health.headers.etag).toBeUndefined();
    const tagged = await request('GET', '/api/v1/tagged', { 'if-none-match': '"mine"' });
    expect([tagged.statusCode, tagged.headers.etag]).toEqual([200, '"mine"']);
  });

  it('compares If-None-Match weakly, in a list, and with *', () => {
    expect(matches('W/"abc"', 'W/"abc"')).toBe(true);
    expect(matches('"abc"', 'W/"abc"')).toBe(true);
    expect(matches('W/"x", W/"abc"', 'W/"abc"')).toBe(true);
    expect(matches('*', 'W/"abc"')).toBe(true);
    expect(matches('W/"abd"', 'W/"abc"')).toBe(false);
    expect(matches(undefined, 'W/"abc"')).toBe(false);
  });
});

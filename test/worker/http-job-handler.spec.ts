import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadSettings } from '@baton/config';
import { JobFailure, type ActivatedJob, type JobContext } from '@baton/runtime';
import { HttpJobHandler } from '@baton/worker';

interface Seen {
  method: string;
  url: string;
  contentType: string | undefined;
  body: string;
}

/** A local server on 127.0.0.1 only; each path answers its own way. */
async function localServer(): Promise<{ origin: string; seen: Seen[]; server: Server }> {
  const seen: Seen[] = [];
  const server = createServer(async (req: IncomingMessage, res) => {
    let body = '';
    for await (const chunk of req) body += String(chunk);
    seen.push({ method: req.method ?? '', url: req.url ?? '', contentType: req.headers['content-type'], body });
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/slow') {
      setTimeout(() => res.end('late'), 2_000).unref();
      return;
    }
    if (path === '/fail') {
      res.writeHead(503, { 'content-type': 'text/plain' });
      res.end('maintenance');
      return;
    }
    if (path === '/text') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('42');
      return;
    }
    if (path === '/empty') {
      res.writeHead(204);
      res.end();
      return;
    }
    res.writeHead(201, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ echoed: body === '' ? null : JSON.parse(body), method: req.method, path }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server };
}

const context: JobContext = { workerId: 'test', signal: new AbortController().signal };

function job(customHeaders: Record<string, string>, variables: Record<string, unknown> = {}): ActivatedJob {
  return {
    id: '916031881202368512',
    type: 'http',
    instanceId: '916031881202368513',
    elementId: 'call',
    elementInstanceId: '916031881202368514',
    definitionId: '916031881202368500',
    bpmnProcessId: 'http-task',
    tenantId: '<default>',
    workerId: 'test',
    retries: 3,
    variables,
    customHeaders,
    lockExpiresAt: new Date().toISOString(),
    kind: 'BPMN_ELEMENT',
    listenerEventType: 'UNSPECIFIED',
  };
}

describe('the built-in http job handler', () => {
  let origin: string;
  let seen: Seen[];
  let server: Server;
  // The local server is on loopback, which the handler refuses unless allow-listed (test/worker/http-job-outbound.spec.ts).
  const handler = new HttpJobHandler(loadSettings({ HTTP_JOB_ALLOW: '127.0.0.1' }));

  beforeAll(async () => ({ origin, seen, server } = await localServer()));
  afterAll(async () => {
    await handler.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  beforeEach(() => (seen.length = 0));

  it('GETs a literal URL and maps the JSON answer into `response`', async () => {
    const result = await handler.handle(job({ url: `${origin}/orders/7` }), context);
    expect(result).toEqual({ response: { status: 201, body: { echoed: null, method: 'GET', path: '/orders/7' } } });
    expect(seen).toEqual([{ method: 'GET', url: '/orders/7', contentType: undefined, body: '' }]);
  });

  it('evaluates method, URL and body as FEEL against the job variables; resultVariable names the variable', async () => {
    const headers = {
      method: '= if amount > 100 then "put" else "post"',
      url: `= "${origin}/orders/" + orderId`,
      body: '= { amount: amount, items: count(items) }',
      resultVariable: 'charge',
    };
    const result = await handler.handle(job(headers, { amount: 150, orderId: 'A-1', items: [1, 2], other: 'not sent' }), context);
    expect(result).toEqual({ charge: { status: 201, body: { echoed: { amount: 150, items: 2 }, method: 'PUT', path: '/orders/A-1' } } });
    expect(seen[0]).toMatchObject({ method: 'PUT', contentType: 'application/json' });
  });

  it('sends a literal JSON body as JSON; keeps a non-JSON answer as text and an empty one as null', async () => {
    await handler.handle(job({ method: 'POST', url: `${origin}/x`, body: '{"a":1}' }), context);
    expect(seen[0]).toMatchObject({ method: 'POST', contentType: 'application/json', body: '{"a":1}' });
    expect(await handler.handle(job({ url: `${origin}/text` }), context)).toEqual({ response: { status: 200, body: '42' } });
    expect(await handler.handle(job({ method: 'DELETE', url: `${origin}/empty` }), context)).toEqual({
      response: { status: 204, body: null },
    });
  });

  it('a non-2xx answer fails the attempt (retried), naming the status', async () => {
    const error = await handler.handle(job({ url: `${origin}/fail` }), context).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(JobFailure);
    expect((error as Error).message).toBe(`http: GET ${origin}/fail answered 503: maintenance`);
  });

  it('a request over timeoutMs fails the attempt, in about that time', async () => {
    const t0 = Date.now();
    const error = await handler.handle(job({ url: `${origin}/slow`, timeoutMs: '150' }), context).catch((e: unknown) => e);
    const took = Date.now() - t0;
    expect((error as Error).message).toBe(`http: GET ${origin}/slow did not answer within 150 ms`);
    expect(took).toBeGreaterThanOrEqual(140);
    expect(took).toBeLessThan(1_500);
  });

  it('a refused connection fails the attempt', async () => {
    const closed = await localServer();
    await new Promise<void>((resolve) => closed.server.close(() => resolve()));
    const error = await handler.handle(job({ url: `${closed.origin}/x` }), context).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/^http: GET http:\/\/127\.0\.0\.1:\d+\/x failed: fetch failed/);
  });

  it('headers that cannot work open the incident at once (JobFailure with no retries)', async () => {
    for (const [headers, message] of [
      [{}, "the 'url' header is missing"],
      [{ url: 'not a url' }, "'not a url' is not a URL"],
      [{ url: 'ftp://127.0.0.1/x' }, 'is not an http(s) URL'],
      [{ url: `${origin}/x`, method: 'BREW' }, "method 'BREW' is not one of"],
      [{ url: `${origin}/x`, timeoutMs: 'soon' }, 'timeoutMs must be a whole number'],
      [{ url: '= no such function(1)' }, "the 'url' header (= no such function(1)) cannot be evaluated"],
      [{ url: '= 1 +' }, "the 'url' header (= 1 +) cannot be evaluated"],
      [{ url: '= missing' }, "the 'url' header is missing or not a string (null)"],
    ] as const) {
      const error = await handler.handle(job(headers), context).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(JobFailure);
      expect((error as JobFailure).options).toEqual({ retries: 0 });
      expect((error as Error).message).toContain(message);
    }
    expect(seen).toEqual([]);
  });
});

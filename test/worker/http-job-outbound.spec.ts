import { createServer, type Server } from 'node:http';
import type { LookupAddress } from 'node:dns';
import type { AddressInfo } from 'node:net';
import { loadSettings } from '@baton/config';
import { JobFailure, type ActivatedJob, type JobContext } from '@baton/runtime';
import { HttpJobHandler } from '@baton/worker';
import {
  nonPublic,
  OutboundPolicy,
  RefusedTarget,
} from '../../libs/worker/src/jobs/outbound-address';

// The http job's outbound safety against real servers on 127.0.0.1: the
// worker's own loopback (its metrics) is refused unless HTTP_JOB_ALLOW says
// otherwise, whichever way the URL spells it; redirects are not followed;
// answers are capped. Refusals open the incident at once (retries 0).

interface Local {
  server: Server;
  port: number;
  origin: string;
  hits: string[];
}

/** A server on 127.0.0.1 only that records every request; `route` answers. */
async function local(
  route: (path: string, res: import('node:http').ServerResponse) => void = (_p, res) =>
    res.end('# HELP secret_metric\n'),
): Promise<Local> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(req.url ?? '');
    route((req.url ?? '/').split('?')[0], res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return { server, port, origin: `http://127.0.0.1:${port}`, hits };
}

const close = (l: Local) => new Promise<void>((resolve) => l.server.close(() => resolve()));

const context: JobContext = { workerId: 'test', signal: new AbortController().signal };

function job(url: string, extra: Record<string, string> = {}): ActivatedJob {
  return {
    id: '1',
    type: 'http',
    instanceId: '2',
    elementId: 'call',
    elementInstanceId: '3',
    definitionId: '4',
    bpmnProcessId: 'http-task',
    tenantId: '<default>',
    workerId: 'test',
    retries: 3,
    variables: { target: url },
    customHeaders: { url: '= target', ...extra },
    lockExpiresAt: new Date().toISOString(),
    kind: 'BPMN_ELEMENT',
    listenerEventType: 'UNSPECIFIED',
  };
}

const failure = (promise: Promise<unknown>) =>
  promise.then(
    (value) => {
      throw new Error(`expected a failure, got ${JSON.stringify(value)}`);
    },
    (e: unknown) => e as Error,
  );

describe('the http job refuses targets that are not public', () => {
  let metrics: Local;
  const handlers: HttpJobHandler[] = [];
  const handler = (env: Record<string, string> = {}) => {
    const h = new HttpJobHandler(loadSettings(env));
    handlers.push(h);
    return h;
  };

  beforeAll(async () => {
    metrics = await local();
  });
  afterAll(async () => {
    await Promise.all(handlers.map((h) => h.close()));
    await close(metrics);
  });
  beforeEach(() => (metrics.hits.length = 0));

  it("refuses the worker's own loopback by default: an incident at once naming the URL and why, nothing sent", async () => {
    const url = `${metrics.origin}/metrics`;
    const error = await failure(handler().handle(job(url), context));
    expect(error).toBeInstanceOf(JobFailure);
    expect((error as JobFailure).options).toEqual({ retries: 0 });
    expect(error.message).toBe(
      `http: GET ${url} refused: 127.0.0.1 is a loopback address; ` +
        'the http job only calls public addresses unless HTTP_JOB_ALLOW names the host or a CIDR around the address',
    );
    expect(metrics.hits).toEqual([]);
  });

  it('reaches it when HTTP_JOB_ALLOW lists the address, a CIDR around it, or the host name', async () => {
    for (const allow of ['127.0.0.1', '127.0.0.0/8', '10.0.0.0/8, 127.0.0.1/32']) {
      expect(
        await handler({ HTTP_JOB_ALLOW: allow }).handle(job(`${metrics.origin}/metrics`), context),
      ).toEqual({
        response: { status: 200, body: '# HELP secret_metric\n' },
      });
    }
    expect(
      await handler({ HTTP_JOB_ALLOW: 'localhost' }).handle(
        job(`http://localhost:${metrics.port}/metrics`),
        context,
      ),
    ).toMatchObject({
      response: { status: 200 },
    });
    expect(metrics.hits).toEqual(['/metrics', '/metrics', '/metrics', '/metrics']);
  });

  it('a host name that resolves to loopback (localhost) is refused, and naming another host does not allow it', async () => {
    for (const h of [handler(), handler({ HTTP_JOB_ALLOW: 'example.com, *.internal' })]) {
      const error = await failure(
        h.handle(job(`http://localhost:${metrics.port}/metrics`), context),
      );
      expect(error).toBeInstanceOf(JobFailure);
      expect((error as JobFailure).options).toEqual({ retries: 0 });
      expect(error.message).toMatch(
        new RegExp(
          `^http: GET http://localhost:${metrics.port}/metrics refused: localhost resolves to (127\\.0\\.0\\.1|::1), which is a loopback address;`,
        ),
      );
    }
    expect(metrics.hits).toEqual([]);
  });

  it('refuses every other spelling of a forbidden address without connecting', async () => {
    const cases: [string, RegExp][] = [
      [`http://[::1]:${metrics.port}/`, /::1 is a loopback address/],
      [
        `http://[::ffff:127.0.0.1]:${metrics.port}/`,
        /::ffff:7f00:1 is the IPv4-mapped form of 127\.0\.0\.1, a loopback address/,
      ],
      [`http://0.0.0.0:${metrics.port}/`, /0\.0\.0\.0 is a "this network" address/],
      [`http://2130706433:${metrics.port}/`, /127\.0\.0\.1 is a loopback address/],
      [`http://0x7f.1:${metrics.port}/`, /127\.0\.0\.1 is a loopback address/],
      [
        'http://169.254.169.254/latest/meta-data/',
        /169\.254\.169\.254 is a link-local address \(cloud metadata/,
      ],
      ['http://10.0.0.1/', /a private address \(RFC 1918\)/],
      ['http://100.64.0.1/', /carrier-grade NAT/],
      ['https://[fd00::1]/', /unique-local/],
      ['http://[fe80::1]/', /link-local/],
    ];
    const h = handler();
    for (const [url, why] of cases) {
      const error = await failure(h.handle(job(url, { timeoutMs: '500' }), context));
      expect({
        url,
        error: error.message,
        retries: (error as JobFailure).options?.retries,
      }).toEqual({
        url,
        error: expect.stringMatching(why),
        retries: 0,
      });
    }
    expect(metrics.hits).toEqual([]);
  });

  it('never follows a redirect, not even to a forbidden address: the 3xx fails the attempt naming its Location', async () => {
    const target = `http://127.0.0.1:${metrics.port}/metrics`;
    const redirector = await local((_path, res) => {
      res.writeHead(302, { location: target });
      res.end();
    });
    try {
      // Only the name `localhost` is allowed: the redirect target, an IP literal on loopback, is not.
      const error = await failure(
        handler({ HTTP_JOB_ALLOW: 'localhost' }).handle(
          job(`http://localhost:${redirector.port}/go`),
          context,
        ),
      );
      expect(error).not.toBeInstanceOf(JobFailure);
      expect(error.message).toBe(
        `http: GET http://localhost:${redirector.port}/go answered 302, a redirect to ${target}: not followed ` +
          '(the http job never follows redirects; call the new address in the url header)',
      );
      expect(redirector.hits).toEqual(['/go']);
      expect(metrics.hits).toEqual([]);
    } finally {
      await close(redirector);
    }
  });
});

describe('the http job caps the answer at HTTP_JOB_MAX_RESPONSE_BYTES', () => {
  let big: Local;
  let h: HttpJobHandler;

  beforeAll(async () => {
    big = await local((path, res) => {
      const body = 'x'.repeat(path === '/exact' ? 1024 : 4096);
      if (path === '/chunked') {
        // No Content-Length: counted while read.
        res.writeHead(200, { 'content-type': 'text/plain' });
        for (let i = 0; i < 8; i++) res.write(body);
        res.end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(body.length) });
      res.end(body);
    });
    h = new HttpJobHandler(
      loadSettings({ HTTP_JOB_ALLOW: '127.0.0.1', HTTP_JOB_MAX_RESPONSE_BYTES: '1024' }),
    );
  });
  afterAll(async () => {
    await h.close();
    await close(big);
  });

  it('takes an answer of exactly the limit', async () => {
    expect(await h.handle(job(`${big.origin}/exact`), context)).toEqual({
      response: { status: 200, body: 'x'.repeat(1024) },
    });
  });

  it('fails the job naming the setting, whether the size is declared or only found while reading', async () => {
    for (const [path, detail] of [
      ['/declared', ': its Content-Length is 4096'],
      ['/chunked', ''],
    ]) {
      const error = await failure(h.handle(job(`${big.origin}${path}`), context));
      expect(error).toBeInstanceOf(JobFailure);
      expect((error as JobFailure).options).toEqual({ retries: 0 });
      expect(error.message).toBe(
        `http: GET ${big.origin}${path} answered more than HTTP_JOB_MAX_RESPONSE_BYTES (1024 bytes)${detail}; raise the setting or ask for less`,
      );
    }
  });

  it('defaults to 1 MiB', () => {
    expect(loadSettings({}).HTTP_JOB_MAX_RESPONSE_BYTES).toBe(1_048_576);
  });
});

describe('the outbound address policy', () => {
  it('tells public addresses from the rest', () => {
    const publicAddresses = [
      '8.8.8.8',
      '1.1.1.1',
      '93.184.215.14',
      '172.15.255.255',
      '172.32.0.1',
      '100.63.255.255',
      '100.128.0.1',
      '2606:4700:4700::1111',
      '2a00:1450:4001:82a::200e',
      '::ffff:8.8.8.8',
      '64:ff9b::808:808',
    ];
    const others = [
      '0.0.0.0',
      '10.1.2.3',
      '100.64.0.1',
      '100.127.255.255',
      '127.0.0.1',
      '127.255.255.254',
      '169.254.169.254',
      '172.16.0.1',
      '172.31.255.255',
      '192.0.0.1',
      '192.0.2.1',
      '192.168.1.1',
      '198.18.0.1',
      '198.51.100.1',
      '203.0.113.1',
      '224.0.0.1',
      '239.255.255.250',
      '255.255.255.255',
      '::',
      '::1',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '::ffff:a9fe:a9fe',
      '::127.0.0.1',
      '64:ff9b::a9fe:a9fe',
      '64:ff9b:1::1',
      '2002:7f00:1::1',
      '2002:c0a8:101::1',
      'fc00::1',
      'fd12:3456::1',
      'fe80::1%eth0',
      'fec0::1',
      'ff02::1',
      '2001:db8::1',
      '2001::1',
      '3fff::1',
      '100::1',
      '4000::1',
    ];
    expect(publicAddresses.filter((a) => nonPublic(a) !== undefined)).toEqual([]);
    expect(others.filter((a) => nonPublic(a) === undefined)).toEqual([]);
  });

  it('lets an allow-listed CIDR cover the IPv4-mapped form too', () => {
    const policy = new OutboundPolicy(['10.0.0.0/8']);
    expect(policy.refusal('10.2.3.4')).toBeUndefined();
    expect(policy.refusal('::ffff:10.2.3.4')).toBeUndefined();
    expect(policy.refusal('192.168.0.1')).toBe('a private address (RFC 1918)');
    expect(new OutboundPolicy(['*.svc.local']).allowsName('billing.svc.local')).toBe(true);
    expect(new OutboundPolicy(['*.svc.local']).allowsName('svc.local.evil.com')).toBe(false);
  });

  /** Runs the policy's lookup with a resolver that answers `answers` in turn, one per call. */
  async function lookUp(policy: OutboundPolicy, answers: LookupAddress[][], all: boolean) {
    let calls = 0;
    const resolver = ((
      _host: string,
      _options: unknown,
      callback: (e: Error | null, a: LookupAddress[]) => void,
    ) => {
      callback(null, answers[Math.min(calls++, answers.length - 1)]);
    }) as unknown as typeof import('node:dns').lookup;
    const result = await new Promise<{ error: Error | null; address: unknown; family?: number }>(
      (resolve) =>
        policy.lookup(resolver)('api.example.com', { all }, (error, address, family) =>
          resolve({ error, address, family }),
        ),
    );
    return { ...result, calls };
  }

  it('resolves once and hands the connection the addresses it checked (no rebinding between check and connect)', async () => {
    const policy = new OutboundPolicy();
    const rebinding = [
      [{ address: '93.184.215.14', family: 4 }],
      [{ address: '127.0.0.1', family: 4 }],
    ];
    expect(await lookUp(policy, rebinding, false)).toEqual({
      error: null,
      address: '93.184.215.14',
      family: 4,
      calls: 1,
    });
    expect(await lookUp(policy, rebinding, true)).toEqual({
      error: null,
      address: [{ address: '93.184.215.14', family: 4 }],
      family: undefined,
      calls: 1,
    });
  });

  it('refuses a name when any of its addresses is not public', async () => {
    const mixed = [
      [
        { address: '93.184.215.14', family: 4 },
        { address: '169.254.169.254', family: 4 },
      ],
    ];
    const { error } = await lookUp(new OutboundPolicy(), mixed, true);
    expect(error).toBeInstanceOf(RefusedTarget);
    expect(error?.message).toMatch(
      /^api\.example\.com resolves to 169\.254\.169\.254, which is a link-local address/,
    );
    expect((await lookUp(new OutboundPolicy(['api.example.com']), mixed, true)).error).toBeNull();
  });

  it('refuses malformed allow-list entries at start-up', () => {
    expect(() => loadSettings({ HTTP_JOB_ALLOW: '10.0.0.0/33' })).toThrow(
      /HTTP_JOB_ALLOW takes .*'10\.0\.0\.0\/33'/,
    );
    expect(() => loadSettings({ HTTP_JOB_ALLOW: 'http://x' })).toThrow(/HTTP_JOB_ALLOW/);
    expect(
      loadSettings({ HTTP_JOB_ALLOW: ' Billing.Internal , fd00::/8 ,' }).HTTP_JOB_ALLOW,
    ).toEqual(['billing.internal', 'fd00::/8']);
    expect(loadSettings({}).HTTP_JOB_ALLOW).toBeUndefined();
  });
});

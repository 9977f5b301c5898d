import { ConsoleLogger, Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadSettings } from '@baton/config';
import { createApiApp } from '@baton/api';
import { freshSchema, type FreshSchema } from '../../../libs/store/test/fresh-schema';
import { startApi, type ApiHarness } from './api-harness';

// The API's HTTP edge (docs/security.md), on the real app: security headers
// that still let Swagger UI load, CORS only for CORS_ORIGINS, the per-client
// rate limit (health and metrics exempt, X-Forwarded-For only with
// TRUST_PROXY), and logs that never carry a password or an Authorization header.
jest.setTimeout(60_000);

describe('API security headers and CORS, by default', () => {
  let h: ApiHarness;

  beforeAll(async () => {
    h = await startApi('api_sec_default');
  });
  afterAll(() => h?.close());

  it('sends the security headers on every answer, errors and health included', async () => {
    for (const path of [
      '/api/v1/processes',
      '/api/v1/no-such-route',
      '/health',
      '/api/docs-json',
    ]) {
      const r = await fetch(`${h.origin}${path}`);
      await r.arrayBuffer();
      expect({ path, headers: pick(r.headers) }).toEqual({
        path,
        headers: {
          'x-content-type-options': 'nosniff',
          'x-frame-options': 'DENY',
          'referrer-policy': 'no-referrer',
          'cross-origin-opener-policy': 'same-origin',
          'cross-origin-resource-policy': 'same-origin',
          'strict-transport-security': expect.stringMatching(/^max-age=\d+/),
          'content-security-policy': expect.stringContaining("default-src 'self'"),
        },
      });
      expect(r.headers.get('x-powered-by')).toBeNull();
    }
  });

  it('has a CSP that lets Swagger UI at /api/docs load everything it references, and nothing else', async () => {
    const page = await fetch(`${h.origin}/api/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = directives(page.headers.get('content-security-policy') ?? '');
    expect(csp).toMatchObject({
      'default-src': ["'self'"],
      'script-src': ["'self'"],
      'script-src-attr': ["'none'"],
      'style-src': ["'self'", "'unsafe-inline'"],
      'img-src': ["'self'", 'data:'],
      'connect-src': ["'self'"],
      'object-src': ["'none'"],
      'frame-ancestors': ["'none'"],
    });
    expect(csp['upgrade-insecure-requests']).toBeUndefined();
    expect(Object.values(csp).flat()).not.toContain("'unsafe-eval'");

    const html = await page.text();
    // No inline script (script-src 'self' would block it) and no inline handlers (script-src-attr 'none').
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThanOrEqual(3);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/\bsrc="\/api\/docs\//);
      expect(body.trim()).toBe('');
    }
    expect(html).not.toMatch(/\son[a-z]+=/i);
    // The page's icon is empty and inline (img-src allows data:), so browsers ask for no /favicon.ico.
    expect(html).toContain('<link rel="icon" href="data:,">');
    // Every other script and stylesheet is same-origin and served with the type nosniff requires.
    const assets = [...html.replace('<link rel="icon" href="data:,">', '').matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(assets.every((a) => a.startsWith('/'))).toBe(true);
    for (const asset of assets) {
      const r = await fetch(`${h.origin}${asset}`);
      expect({ asset, status: r.status }).toEqual({ asset, status: 200 });
      expect(r.headers.get('content-type')).toMatch(
        asset.endsWith('.css') ? /^text\/css/ : /^application\/javascript/,
      );
      await r.arrayBuffer();
    }
    // The initializer loads the document from this origin (connect-src 'self').
    const init = await (await fetch(`${h.origin}/api/docs/swagger-initializer.js`)).text();
    const documentUrl = /url: "([^"]+)"/.exec(init)?.[1];
    expect(documentUrl).toBe('/api/docs-json');
    expect(
      ((await (await fetch(`${h.origin}${documentUrl}`)).json()) as { openapi: string }).openapi,
    ).toMatch(/^3\./);
  });

  it('answers no CORS headers at all without CORS_ORIGINS', async () => {
    const options = await fetch(`${h.origin}/api/v1/processes`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(options.headers.get('access-control-allow-origin')).toBeNull();
    const get = await fetch(`${h.origin}/api/v1/processes`, {
      headers: { origin: 'https://evil.example' },
    });
    expect(get.status).toBe(200);
    expect(get.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('API CORS allow-list and rate limit', () => {
  let h: ApiHarness;

  beforeAll(async () => {
    h = await startApi('api_sec_limits', {
      CORS_ORIGINS: 'https://app.example.com',
      RATE_LIMIT_PER_MINUTE: '5',
    });
  });
  afterAll(() => h?.close());

  it('answers CORS for the listed origin only', async () => {
    const allowed = await fetch(`${h.origin}/api/v1/processes`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST' },
    });
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(allowed.headers.get('access-control-allow-methods')).toContain('POST');
    expect(allowed.headers.get('access-control-allow-credentials')).toBeNull();
    const other = await fetch(`${h.origin}/api/v1/processes`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers 429 problem+json with Retry-After past RATE_LIMIT_PER_MINUTE; X-Forwarded-For does not get around it', async () => {
    // The preflights above are answered by the CORS layer, before the limit counts.
    const statuses: number[] = [];
    let refused: Response | undefined;
    for (let i = 0; i < 8; i++) {
      // Without TRUST_PROXY a client cannot pose as someone else.
      const r = await fetch(`${h.origin}/api/v1/processes`, {
        headers: { 'x-forwarded-for': `203.0.113.${i}` },
      });
      statuses.push(r.status);
      if (r.status === 429) refused ??= r;
      else await r.arrayBuffer();
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
    expect(refused!.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const retryAfter = Number(refused!.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused!.headers.get('x-ratelimit-limit')).toBe('5');
    expect(await refused!.json()).toEqual({
      type: 'about:blank',
      title: 'Too Many Requests',
      status: 429,
      detail: expect.stringMatching(
        /^more than 5 requests in a minute from this address \(RATE_LIMIT_PER_MINUTE\); retry in \d+ s$/,
      ),
      instance: '/api/v1/processes',
    });
    // The security headers are on the refusal too.
    expect(refused!.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('never limits /health, /health/ready and /metrics', async () => {
    expect((await fetch(`${h.origin}/api/v1/processes`)).status).toBe(429);
    for (const path of ['/health', '/health/ready', '/metrics']) {
      for (let i = 0; i < 8; i++) {
        const r = await fetch(`${h.origin}${path}`);
        await r.arrayBuffer();
        expect({ path, status: r.status }).toEqual({ path, status: 200 });
      }
    }
  });
});

describe('API rate limit behind a proxy (TRUST_PROXY)', () => {
  let h: ApiHarness;

  beforeAll(async () => {
    h = await startApi('api_sec_proxy', { RATE_LIMIT_PER_MINUTE: '3', TRUST_PROXY: '127.0.0.1' });
  });
  afterAll(() => h?.close());

  it('counts per X-Forwarded-For client when the peer is a trusted proxy', async () => {
    const get = (client: string) =>
      fetch(`${h.origin}/api/v1/processes`, { headers: { 'x-forwarded-for': client } }).then(
        async (r) => {
          await r.arrayBuffer();
          return r.status;
        },
      );
    const a: number[] = [];
    for (let i = 0; i < 4; i++) a.push(await get('198.51.100.7'));
    expect(a).toEqual([200, 200, 200, 429]);
    // Another client behind the same proxy has its own allowance.
    expect(await get('198.51.100.8')).toBe(200);
  });

  it('is off with RATE_LIMIT_PER_MINUTE=0, and refuses a bad value at start-up', () => {
    expect(loadSettings({ RATE_LIMIT_PER_MINUTE: '0' }).RATE_LIMIT_PER_MINUTE).toBe(0);
    expect(loadSettings({}).RATE_LIMIT_PER_MINUTE).toBe(6000);
    expect(() => loadSettings({ RATE_LIMIT_PER_MINUTE: '-1' })).toThrow(
      /RATE_LIMIT_PER_MINUTE must be a whole number >= 0/,
    );
    expect(() => loadSettings({ CORS_ORIGINS: 'app.example.com' })).toThrow(
      /CORS_ORIGINS takes origins/,
    );
    expect(() => loadSettings({ TRUST_PROXY: 'nginx' })).toThrow(
      /TRUST_PROXY must be true, false or proxy addresses/,
    );
  });
});

describe('API logs', () => {
  const PASSWORD = 'db-secret-hunter2';
  const TOKEN = 'tok-secret-4f9a1c';
  const BASIC = Buffer.from(`alice:${'basic-secret-77'}`).toString('base64');
  let db: FreshSchema;
  let app: NestFastifyApplication | undefined;
  const written: string[] = [];
  const spies: jest.SpyInstance[] = [];

  beforeAll(async () => {
    db = await freshSchema({ prefix: 'api_sec_logs', poolSize: 2 });
  });
  afterAll(async () => {
    for (const spy of spies) spy.mockRestore();
    Logger.overrideLogger(false);
    await app?.close();
    await db?.drop();
  });

  it('never print the database password or an Authorization header, at the most verbose level', async () => {
    const capture = (stream: NodeJS.WriteStream) =>
      jest.spyOn(stream, 'write').mockImplementation((chunk: unknown) => {
        written.push(String(chunk));
        return true;
      });
    spies.push(capture(process.stdout), capture(process.stderr));
    for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      spies.push(
        jest
          .spyOn(console, level)
          .mockImplementation(
            (...args: unknown[]) => void written.push(args.map(String).join(' ')),
          ),
      );
    }
    // As a process starts: Nest's console logger (the apps above ran with `logger: false`, which removed it).
    Logger.overrideLogger(new ConsoleLogger());
    // The test database trusts local connections: the password is carried, not checked.
    const url = new URL(db.url);
    url.password = PASSWORD;
    app = await createApiApp(
      loadSettings({ DATABASE_URL: url.toString(), DB_POOL_SIZE: '2', LOG_LEVEL: 'verbose', AUTH: 'none' }),
    );
    await app.listen(0, '127.0.0.1');
    const origin = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    for (const authorization of [`Bearer ${TOKEN}`, `Basic ${BASIC}`]) {
      for (const [method, path, body] of [
        ['GET', '/api/v1/processes', undefined],
        ['GET', '/api/v1/no-such-route', undefined],
        ['POST', '/api/v1/processes', '<not xml'],
        ['POST', '/api/v1/instances', '{"broken":'],
      ] as const) {
        const r = await fetch(`${origin}${path}`, {
          method,
          headers: {
            authorization,
            ...(body === undefined
              ? {}
              : {
                  'content-type': path.endsWith('processes')
                    ? 'application/xml'
                    : 'application/json',
                }),
          },
          body,
        });
        await r.arrayBuffer();
      }
    }
    await app.close();
    app = undefined;
    const text = written.join('');
    // The capture worked: start-up said which adapters it uses.
    expect(text).toMatch(/adapters: store=postgres/);
    for (const secret of [PASSWORD, TOKEN, BASIC, 'basic-secret-77'])
      expect(text).not.toContain(secret);
  });
});

function pick(headers: Headers): Record<string, string | null> {
  const names = [
    'x-content-type-options',
    'x-frame-options',
    'referrer-policy',
    'cross-origin-opener-policy',
    'cross-origin-resource-policy',
    'strict-transport-security',
    'content-security-policy',
  ];
  return Object.fromEntries(names.map((n) => [n, headers.get(n)]));
}

function directives(csp: string): Record<string, string[]> {
  return Object.fromEntries(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0] !== '')
      .map(([name, ...values]) => [name, values]),
  );
}

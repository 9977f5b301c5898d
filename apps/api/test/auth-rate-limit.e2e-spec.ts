import { ApiKeyService } from '@baton/api';
import { startApi, type ApiHarness } from './api-harness';

// The rate limits with authentication on (docs/security.md): RATE_LIMIT_PER_MINUTE counts per
// client address before the credentials are checked (a refused guess counts), and
// RATE_LIMIT_PER_PRINCIPAL_PER_MINUTE counts per authenticated caller, from any address.

describe('rate limits per address and per principal', () => {
  let h: ApiHarness;
  let keys: ApiKeyService;

  beforeAll(async () => {
    h = await startApi('auth_rate', {
      AUTH: 'api-key',
      RATE_LIMIT_PER_MINUTE: '4',
      RATE_LIMIT_PER_PRINCIPAL_PER_MINUTE: '3',
      // X-Forwarded-For names the client: each test request can come from an address of its own.
      TRUST_PROXY: '127.0.0.1',
    });
    keys = h.app.get(ApiKeyService);
  }, 60_000);
  afterAll(() => h?.close());

  const get = async (path: string, from: string, token?: string) => {
    const r = await fetch(`${h.origin}${path}`, {
      headers: { 'x-forwarded-for': from, ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
    });
    const text = await r.text();
    return { status: r.status, headers: r.headers, body: text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>) };
  };

  it('counts requests refused for their credentials against the address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await get('/api/v1/processes', '198.51.100.1', 'baton_0123456789ab_guessguessguessguessguessguessguessgues')).status);
    expect(statuses).toEqual([401, 401, 401, 401, 429, 429]);
  });

  it('limits a principal across addresses, and only that principal', async () => {
    const busy = (await keys.create({ name: 'busy', permissions: ['read'], tenants: ['*'] })).key;
    const calm = (await keys.create({ name: 'calm', permissions: ['read'], tenants: ['*'] })).key;
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await get('/api/v1/processes', `198.51.100.${10 + i}`, busy)).status);
    expect(statuses).toEqual([200, 200, 200]);
    const refused = await get('/api/v1/processes', '198.51.100.20', busy);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.body).toMatchObject({
      status: 429,
      title: 'Too Many Requests',
      detail: expect.stringMatching(/^more than 3 requests in a minute from 'busy' \(RATE_LIMIT_PER_PRINCIPAL_PER_MINUTE\); retry in \d+ s$/),
    });
    const v2 = await get('/v2/process-instances/1', '198.51.100.21', busy);
    expect(v2.status).toBe(429);
    expect(v2.body).toMatchObject({ type: 'about:blank', title: 'TOO_MANY_REQUESTS', status: 429 });
    // Another caller, from the address the busy one used last, is not affected.
    expect((await get('/api/v1/processes', '198.51.100.20', calm)).status).toBe(200);
  });
});

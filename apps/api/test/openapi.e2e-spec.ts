import { ROUTE_PERMISSIONS } from '@baton/api';
import { startApi, type ApiHarness } from './api-harness';

/**
 * The OpenAPI document behind `/api/docs`, read as Swagger UI reads it: a
 * newcomer's "Try it out" must work on every operation. Path parameters are
 * declared (with a description and an example, which @nestjs/swagger cannot
 * infer under `npm start`: tsx emits no decorator metadata), a body the
 * route needs is `required`, and no example is a number JavaScript cannot
 * hold exactly. Camunda's `/v2` is listed beside `/api/v1`, every route of it.
 */

interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  description?: string;
  example?: unknown;
  schema?: { example?: unknown };
}
interface Operation {
  summary?: string;
  tags?: string[];
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content: Record<string, unknown> };
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];
const WITH_BODY = ['post', 'put', 'patch'];

describe('the OpenAPI document (/api/docs-json)', () => {
  let api: ApiHarness;
  let doc: Document;
  const operations: { method: string; path: string; op: Operation }[] = [];

  beforeAll(async () => {
    api = await startApi('openapi');
    const response = await fetch(`${api.origin}/api/docs-json`);
    expect(response.status).toBe(200);
    doc = (await response.json()) as Document;
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) if (METHODS.includes(method)) operations.push({ method, path, op });
    }
  }, 60_000);

  afterAll(async () => {
    await api?.close();
  });

  const pathParams = (path: string) => [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
  const exampleOf = (p: Parameter) => p.example ?? p.schema?.example;

  it('documents the whole v1 API', () => {
    expect(operations.length).toBeGreaterThanOrEqual(29);
    expect(operations.filter((o) => o.path.startsWith('/api/v1/')).length).toBeGreaterThanOrEqual(26);
  });

  it('documents every /v2 route (Camunda 8.8) beside /api/v1, each with its Camunda operation name', () => {
    // Every /v2 route the API serves is listed in the route permissions (a test in auth.e2e-spec.ts holds them to the routes).
    const served = [...ROUTE_PERMISSIONS.keys()]
      .filter((route) => route.split(' ')[1].startsWith('/v2/'))
      .map((route) => {
        const [method, path] = route.split(' ');
        return `${method.toLowerCase()} ${path.replace(/:([A-Za-z]+)/g, '{$1}')}`;
      });
    expect(served.length).toBeGreaterThanOrEqual(43);
    const documented = new Set(operations.map(({ method, path }) => `${method} ${path}`));
    expect(served.filter((route) => !documented.has(route))).toEqual([]);
    const v2 = operations.filter((o) => o.path.startsWith('/v2/'));
    const summaries = v2.filter(({ op }) => !/Camunda 8\.[89] `[a-zA-Z]+`/.test(op.summary ?? '')).map(({ method, path }) => `${method} ${path}`);
    expect(summaries).toEqual([]);
    expect(v2.every(({ op }) => (op.tags ?? []).includes('Camunda 8.8 REST API (/v2)'))).toBe(true);
    // Bodies: search bodies are optional, commands that need one say so.
    expect(doc.paths['/v2/process-instances/search']?.post?.requestBody?.required).toBe(false);
    expect(doc.paths['/v2/jobs/activation']?.post?.requestBody?.required).toBe(true);
    expect(JSON.stringify(doc.paths['/v2/jobs/activation']?.post?.requestBody)).toContain('maxJobsToActivate');
    expect(JSON.stringify(doc.paths['/v2/process-instances']?.post?.requestBody)).toContain('processDefinitionKey');
    expect(Object.keys(doc.paths['/v2/deployments']?.post?.requestBody?.content ?? {})).toEqual(['multipart/form-data']);
  });

  it('declares every {param} of every path as a required path parameter, with a description and an example', () => {
    const problems: string[] = [];
    for (const { method, path, op } of operations) {
      for (const name of pathParams(path)) {
        const declared = (op.parameters ?? []).find((p) => p.in === 'path' && p.name === name);
        const where = `${method.toUpperCase()} ${path} {${name}}`;
        if (declared === undefined) problems.push(`${where}: not declared`);
        else {
          if (declared.required !== true) problems.push(`${where}: not required`);
          if (!declared.description) problems.push(`${where}: no description`);
          if (exampleOf(declared) === undefined) problems.push(`${where}: no example`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('gives 64-bit keys in paths as decimal strings', () => {
    // `key` is a BPMN/DMN id, `apiKeyId` an API key's 12 hex characters: neither is a 64-bit key.
    const keys = operations.flatMap(({ op }) => (op.parameters ?? []).filter((p) => p.in === 'path' && p.name !== 'key' && p.name !== 'apiKeyId'));
    expect(keys.length).toBeGreaterThan(0);
    for (const p of keys) expect(exampleOf(p)).toMatch(/^[1-9][0-9]{0,18}$/);
  });

  it('marks a request body required exactly where the route refuses a request without one', async () => {
    const problems: string[] = [];
    const probed = operations.filter(({ method, path, op }) => WITH_BODY.includes(method) && op.requestBody !== undefined && path.startsWith('/api/v1/'));
    expect(probed.length).toBeGreaterThanOrEqual(13);
    for (const { method, path, op } of probed) {
      let url = path;
      for (const name of pathParams(path)) {
        const p = (op.parameters ?? []).find((q) => q.in === 'path' && q.name === name);
        url = url.replace(`{${name}}`, encodeURIComponent(String(p === undefined ? 'x' : exampleOf(p))));
      }
      // No body at all: a route that needs one answers 400 naming `body`; any other answer (404 for the
      // example id, 200/201) means the body is optional.
      const response = await fetch(`${api.origin}${url}`, { method: method.toUpperCase() });
      const problem = (await response.json().catch(() => ({}))) as { errors?: { field?: string }[] };
      const needsBody = response.status === 400 && (problem.errors ?? []).some((e) => e.field === 'body');
      const required = op.requestBody?.required === true;
      if (needsBody !== required) {
        problems.push(`${method.toUpperCase()} ${path}: requestBody.required is ${required}, the route answers ${response.status} without a body`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('has no example number Swagger UI would show beyond 2^53 - 1, nor Number.MAX_SAFE_INTEGER bounds it would turn into one', () => {
    const found: string[] = [];
    const walk = (value: unknown, at: string): void => {
      if (typeof value === 'number') {
        if (Math.abs(value) >= Number.MAX_SAFE_INTEGER) found.push(`${at} = ${value}`);
      } else if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${at}[${i}]`));
      else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, `${at}.${k}`);
    };
    walk(doc, '$');
    expect(found).toEqual([]);
  });

  it('gives the bodies of the main operations realistic examples', () => {
    const body = (method: string, path: string) =>
      JSON.stringify(doc.paths[path]?.[method]?.requestBody?.content['application/json'] ?? null);
    expect(body('post', '/api/v1/processes/{key}/instances')).toContain('"example":{"amount":150}');
    expect(body('post', '/api/v1/jobs/activate')).toContain('"example":"charge-card"');
    expect(body('post', '/api/v1/messages')).toContain('"example":"payment-received"');
  });

  it('answers GET /api/v1 with an index whose links are operations of the document', async () => {
    const response = await fetch(`${api.origin}/api/v1`);
    expect(response.status).toBe(200);
    const index = (await response.json()) as { docs: { html: string }; resources: Record<string, { href: string; methods: string[] }> };
    expect(Object.keys(index.resources)).toEqual(expect.arrayContaining(['processes', 'instances', 'tasks', 'jobs', 'messages', 'signals', 'incidents']));
    for (const { href, methods } of Object.values(index.resources)) {
      for (const method of methods) expect(`${method} ${href} ${doc.paths[href]?.[method.toLowerCase()] !== undefined}`).toBe(`${method} ${href} true`);
    }
    expect(index.docs.html).toBe('/api/docs');
  });

  // The cockpit is built by `npm install` (postinstall) and `npm run build`; libs/api/test/cockpit.spec.ts covers / without it.
  it('redirects / to the cockpit', async () => {
    const response = await fetch(`${api.origin}/`, { redirect: 'manual' });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/cockpit/');
  });
});

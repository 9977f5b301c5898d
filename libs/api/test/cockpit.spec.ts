import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { get, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { cockpitBuildDir, serveRoot } from '../src/root/cockpit';

/** `/` and `/cockpit/*` (libs/api/src/root/cockpit.ts), with and without a build of the cockpit. */
describe('the cockpit routes', () => {
  let dir: string;
  let fastify: FastifyInstance;
  let port: number;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'baton-cockpit-'));
    fastify = Fastify();
    serveRoot(fastify, '/api/docs', join(dir, 'build'));
    await fastify.listen({ port: 0, host: '127.0.0.1' });
    port = (fastify.server.address() as { port: number }).port;
  });

  /** A GET of `url` exactly as spelled (fetch would resolve `..` before sending it). */
  const request = (url: string) =>
    new Promise<{ statusCode: number; headers: IncomingHttpHeaders; body: string }>(
      (resolve, reject) => {
        get({ host: '127.0.0.1', port, path: url }, (response) => {
          let body = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (body += chunk));
          response.on('end', () =>
            resolve({ statusCode: response.statusCode ?? 0, headers: response.headers, body }),
          );
        }).on('error', reject);
      },
    );

  afterEach(async () => {
    await fastify.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const build = () => {
    mkdirSync(join(dir, 'build', 'assets'), { recursive: true });
    writeFileSync(join(dir, 'build', 'index.html'), '<!doctype html><title>cockpit</title>');
    writeFileSync(join(dir, 'build', 'assets', 'index-abc.js'), 'console.log(1)');
    writeFileSync(join(dir, 'build', 'assets', 'index-abc.css'), 'body{}');
  };

  it('without a build: / redirects to the API docs and /cockpit/ says how to build it, never a 500', async () => {
    const root = await request('/');
    expect(root.statusCode).toBe(302);
    expect(root.headers.location).toBe('/api/docs');
    for (const url of ['/cockpit/', '/cockpit/assets/index-abc.js']) {
      const page = await request(url);
      expect(page.statusCode).toBe(404);
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(page.body).toContain('The Baton cockpit is not built');
      expect(page.body).toContain('npm run ui:build');
    }
  });

  it('with a build: / and /cockpit redirect to /cockpit/, which serves index.html and its assets', async () => {
    // Built after the API started: found on the next request, without a restart.
    build();
    const root = await request('/');
    expect(root.statusCode).toBe(302);
    expect(root.headers.location).toBe('/cockpit/');
    const bare = await request('/cockpit');
    expect(bare.statusCode).toBe(302);
    expect(bare.headers.location).toBe('/cockpit/');

    const index = await request('/cockpit/');
    expect(index.statusCode).toBe(200);
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(index.headers['cache-control']).toBe('no-cache');
    expect(index.body).toBe('<!doctype html><title>cockpit</title>');

    const script = await request('/cockpit/assets/index-abc.js');
    expect(script.statusCode).toBe(200);
    expect(script.headers['content-type']).toBe('application/javascript; charset=utf-8');
    expect(script.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(script.body).toBe('console.log(1)');
    const style = await request('/cockpit/assets/index-abc.css');
    expect(style.headers['content-type']).toBe('text/css; charset=utf-8');
  });

  it('serves only files of the build: no other path on disk, whatever the URL spells', async () => {
    build();
    writeFileSync(join(dir, 'secret.txt'), 'TOP-SECRET-CONTENT');
    for (const url of [
      '/cockpit/../secret.txt',
      '/cockpit/%2e%2e/secret.txt',
      '/cockpit/..%2fsecret.txt',
      '/cockpit/assets/missing.js',
      '/cockpit/index.html/x',
    ]) {
      const answer = await request(url);
      expect(answer.statusCode).toBe(404);
      expect(answer.body).not.toContain('TOP-SECRET-CONTENT');
    }
  });

  it('finds the build of the repository from the sources', () => {
    expect(cockpitBuildDir()).toBe(join(__dirname, '..', '..', '..', 'dist', 'apps', 'cockpit'));
    // Compiled under dist/apps/<app>/...: the same directory of the repository.
    expect(
      cockpitBuildDir(
        join(__dirname, '..', '..', '..', 'dist', 'apps', 'api', 'libs', 'api', 'src', 'root'),
      ),
    ).toBe(join(__dirname, '..', '..', '..', 'dist', 'apps', 'cockpit'));
  });
});

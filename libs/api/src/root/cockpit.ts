import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join, relative, sep } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** Where the cockpit is served; the page routes itself in the URL's hash (`/cockpit/#/instances/123`). */
export const COCKPIT_PATH = '/cockpit';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'application/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/**
 * The cockpit's build output (`npm run ui:build`, run by `npm install` and
 * `npm run build`; apps/cockpit/vite.config.mts): `dist/apps/cockpit` of the
 * repository, found from this file whether it runs from the sources (tsx,
 * Jest) or compiled under `dist/apps/<app>/`: the first directory up with a
 * package.json is the repository (or the image's /app).
 */
export function cockpitBuildDir(from: string = __dirname): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) return join(from, 'cockpit-build-not-found');
    dir = up;
  }
  return join(dir, 'dist', 'apps', 'cockpit');
}

/** Every file of the build, by its path relative to `dir` with `/` separators; empty when there is no build (no index.html). */
export function readCockpitBuild(dir: string): ReadonlyMap<string, Buffer> {
  const files = new Map<string, Buffer>();
  if (!existsSync(join(dir, 'index.html'))) return files;
  const walk = (at: string): void => {
    for (const name of readdirSync(at)) {
      const path = join(at, name);
      if (statSync(path).isDirectory()) walk(path);
      else files.set(relative(dir, path).split(sep).join('/'), readFileSync(path));
    }
  };
  walk(dir);
  return files;
}

/** What `/cockpit/` answers when the UI was not built: a page that says how to build it, never a 500. */
export const NOT_BUILT_HTML = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Baton cockpit not built</title><link rel="icon" href="data:,"></head>
<body>
<main>
<h1>The Baton cockpit is not built</h1>
<p>The web UI is built by <code>npm install</code> and <code>npm run build</code>, or on its own by <code>npm run ui:build</code>.
Build it and reload this page; the API needs no restart.</p>
<p>The API and its documentation work without it: <a href="/api/docs">/api/docs</a>.</p>
</main>
</body>
</html>
`;

/**
 * The cockpit (apps/cockpit) at `/cockpit/`: static files of the Vite build,
 * read into memory on first use (about 260 kB) so that a request can only
 * name a file of the build, never a path on disk. A missing build answers
 * 404 with a page that says how to build it, and is looked for again on the
 * next request. Routes: `GET /cockpit` (redirect to `/cockpit/`) and
 * `GET /cockpit/*` (`/cockpit/` is index.html); both public, the page asks
 * for credentials itself when the API answers 401.
 */
export function serveCockpit(
  fastify: FastifyInstance,
  dir: string = cockpitBuildDir(),
): { built(): boolean } {
  let files: ReadonlyMap<string, Buffer> = new Map();
  const load = (): ReadonlyMap<string, Buffer> => {
    if (files.size === 0) files = readCockpitBuild(dir);
    return files;
  };
  fastify.get(COCKPIT_PATH, (_request, reply) => reply.redirect(`${COCKPIT_PATH}/`, 302));
  fastify.get(`${COCKPIT_PATH}/*`, (request, reply) => {
    const build = load();
    const wanted = (request.params as { '*': string })['*'] || 'index.html';
    if (build.size === 0) return notBuilt(reply);
    const body = build.get(wanted);
    if (body === undefined) {
      return reply
        .code(404)
        .type('text/plain; charset=utf-8')
        .send(`${COCKPIT_PATH}/${wanted} is not a file of the cockpit`);
    }
    // Vite names the assets by a hash of their content: they never change under one name.
    const cache = wanted.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
    return reply
      .type(TYPES[extname(wanted)] ?? 'application/octet-stream')
      .header('cache-control', cache)
      .send(body);
  });
  return { built: () => load().size > 0 };
}

/**
 * `GET /`: to the cockpit, or to `docsPath` (the API docs) while the cockpit
 * is not built; and the cockpit's own routes (serveCockpit).
 */
export function serveRoot(
  fastify: FastifyInstance,
  docsPath: string,
  dir: string = cockpitBuildDir(),
): void {
  const cockpit = serveCockpit(fastify, dir);
  fastify.get('/', (_request, reply) =>
    reply.redirect(cockpit.built() ? `${COCKPIT_PATH}/` : docsPath, 302),
  );
}

function notBuilt(reply: FastifyReply): FastifyReply {
  return reply
    .code(404)
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(NOT_BUILT_HTML);
}

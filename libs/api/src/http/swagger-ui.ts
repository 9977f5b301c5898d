import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';

const ASSETS: Readonly<Record<string, string>> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'application/javascript; charset=utf-8',
};

/**
 * Swagger UI at `path`, reading the document from `jsonUrl`. @nestjs/swagger
 * serves its UI on Fastify through @fastify/static, which Baton does not
 * depend on; the UI is three files of swagger-ui-dist (already installed
 * with @nestjs/swagger), served from memory after the first request. The
 * page declares an empty icon, so browsers ask for no /favicon.ico (a 404 in
 * every visitor's console otherwise).
 */
export function serveSwaggerUi(fastify: FastifyInstance, path: string, jsonUrl: string): void {
  const dir = dirname(require.resolve('swagger-ui-dist/package.json'));
  const cache = new Map<string, Buffer>();
  const html = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Baton API</title><link rel="icon" href="data:,"><link rel="stylesheet" href="${path}/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="${path}/swagger-ui-bundle.js"></script>
<script src="${path}/swagger-ui-standalone-preset.js"></script>
<script src="${path}/swagger-initializer.js"></script>
</body>
</html>`;
  const init = `window.onload = () => {
  window.ui = SwaggerUIBundle({ url: ${JSON.stringify(jsonUrl)}, dom_id: '#swagger-ui', deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset], layout: 'StandaloneLayout' });
};`;
  fastify.get(path, (_request, reply) => reply.type('text/html; charset=utf-8').send(html));
  fastify.get(`${path}/swagger-initializer.js`, (_request, reply) => reply.type(ASSETS['swagger-ui-bundle.js']).send(init));
  for (const [file, type] of Object.entries(ASSETS)) {
    fastify.get(`${path}/${file}`, (_request, reply) => {
      let body = cache.get(file);
      if (body === undefined) {
        body = readFileSync(join(dir, file));
        cache.set(file, body);
      }
      return reply.type(type).header('cache-control', 'public, max-age=86400').send(body);
    });
  }
}

import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The cockpit's build: `npm run ui:build` (run by `npm install` and
 * `npm run build`) writes dist/apps/cockpit, which the API serves at
 * /cockpit/ (libs/api/src/root/cockpit.ts). Every script and stylesheet is
 * a file of the build (the API's Content-Security-Policy allows no inline
 * script). JSX is Preact's, compiled by Vite's own transformer.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/cockpit/',
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fileURLToPath(new URL('../../dist/apps/cockpit', import.meta.url)),
    emptyOutDir: true,
    // bpmn-js's viewer is most of the bundle (about 230 kB minified); one page, one chunk.
    chunkSizeWarningLimit: 2000,
    target: 'es2022',
  },
});

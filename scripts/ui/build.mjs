#!/usr/bin/env node
// `npm run ui:build`: the cockpit (apps/cockpit) with Vite into dist/apps/cockpit, which the API
// serves at /cockpit/. Run by `npm run build` and by `npm install` (postinstall, with
// --if-possible): there it steps aside when the sources are not there yet (the Dockerfile installs
// before it copies apps/, and builds with `npm run build` after) or Vite is not installed
// (--omit=dev), saying so, instead of failing the install.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const config = path.join(root, 'apps/cockpit/vite.config.mts');
const ifPossible = process.argv.includes('--if-possible');

function skip(why) {
  if (!ifPossible) {
    console.error(`ui:build: ${why}`);
    process.exit(1);
  }
  console.log(`ui:build: skipped, ${why} (the API then redirects / to /api/docs)`);
  process.exit(0);
}

if (!existsSync(config)) skip('no apps/cockpit sources here');
let vite;
try {
  vite = await import(createRequire(import.meta.url).resolve('vite'));
} catch {
  skip('Vite is not installed (a dev dependency)');
}
const started = performance.now();
await vite.build({ configFile: config });
console.log(
  `ui:build: the cockpit is in dist/apps/cockpit (${((performance.now() - started) / 1000).toFixed(1)} s)`,
);

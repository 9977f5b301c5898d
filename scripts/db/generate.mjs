#!/usr/bin/env node
// `prisma generate`, offline. The Prisma 7 CLI resolves (and downloads, if it is
// missing) the native schema engine even for `generate`, which does not run it.
// Pointing PRISMA_SCHEMA_ENGINE_BINARY at any existing file skips the download;
// migrations use the WebAssembly engine instead (scripts/db/engine.mjs).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);
const cli = path.join(path.dirname(require.resolve('prisma/package.json')), 'build/index.js');
const env = {
  ...process.env,
  PRISMA_SCHEMA_ENGINE_BINARY:
    process.env.PRISMA_SCHEMA_ENGINE_BINARY || fileURLToPath(import.meta.url),
  // No update check / telemetry request to an unreachable host.
  CHECKPOINT_DISABLE: process.env.CHECKPOINT_DISABLE || '1',
  PRISMA_HIDE_UPDATE_MESSAGE: '1',
};
const r = spawnSync(process.execPath, [cli, 'generate', ...process.argv.slice(2)], {
  cwd: root,
  env,
  stdio: 'inherit',
});
process.exit(r.status ?? 1);

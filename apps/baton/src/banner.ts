import type { Settings } from '@baton/config';
import { adapters } from '@baton/config';
import type { Store } from '@baton/host';
import type { DemoDeployment } from './demo/demo-process';

/**
 * The few lines a newcomer reads after `npm start`: where the cockpit, the
 * API and its docs are, and a curl that starts the demo process and one that reads the
 * instance back. Plain stdout, after Nest's log, so they are the last thing
 * on the screen.
 */
export function banner(input: {
  settings: Settings;
  store: Store;
  origin: string;
  demo: DemoDeployment | null;
  readySeconds: number;
}): string {
  const { settings, store, origin, demo } = input;
  const a = adapters(settings);
  const where = store.kind === 'pglite' ? `PGlite in ${store.dataDir}` : 'Postgres';
  const lines = [
    '',
    `Baton is ready (${input.readySeconds.toFixed(1)} s): store ${where}, bus ${a.bus}, cache ${a.cache}`,
    '',
    `  Cockpit   ${origin}/cockpit/`,
    `  API       ${origin}/api/v1`,
    `  API docs  ${origin}/api/docs`,
    `  Health    ${origin}/health`,
    '',
    authLine(settings),
  ];
  if (demo !== null) {
    lines.push(
      '',
      demo.deployedNow
        ? `Deployed the demo process '${demo.key}' (apps/baton/src/demo/order.bpmn). Start an instance:`
        : `Start an instance of the demo process '${demo.key}':`,
      '',
      `  ${startCurl(origin, demo.key)}`,
      '',
      'and read it back with the id from the answer:',
      '',
      `  curl -s ${origin}/api/v1/instances/<id>`,
    );
  }
  const kept = store.kind === 'pglite' && store.dataDir?.startsWith('memory://') ? 'nothing is kept' : 'the data stays for the next start';
  lines.push('', `Ctrl+C stops it; ${kept}.`, '');
  return lines.join('\n');
}

export function startCurl(origin: string, key: string): string {
  return (
    `curl -s -X POST ${origin}/api/v1/processes/${key}/instances ` +
    `-H 'content-type: application/json' -d '{"variables":{"amount":150}}'`
  );
}

/** What the banner says about authentication: AUTH unset or `none` means none (the all-in-one's default). */
function authLine(settings: Settings): string {
  const modes = settings.AUTH ?? [];
  if (modes.length > 0) return `Authentication: ${modes.join(', ')} (AUTH; docs/security.md).`;
  return settings.HOST === undefined
    ? 'No authentication (AUTH=none, the default of npm start): it listens on 127.0.0.1 only (set HOST to listen elsewhere, AUTH to require credentials; docs/security.md).'
    : `No authentication (AUTH=none), and it listens on ${settings.HOST}: anyone who reaches it can deploy and run processes (set AUTH; docs/security.md).`;
}

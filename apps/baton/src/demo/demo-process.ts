import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_TENANT, type DefinitionRegistry, type RuntimeStore } from '@baton/runtime';

/** The bundled demo: start -> "amount over 100?" -> a script task that prices the order -> end. */
export const DEMO_PROCESS_KEY = 'order';
export const DEMO_FILE = join(__dirname, 'order.bpmn');

export interface DemoDeployment {
  readonly key: string;
  /** True when this start deployed it (the store was empty); false when it was already there. */
  readonly deployedNow: boolean;
}

/**
 * A first start finds no definition at all and deploys the demo, so the
 * curl printed next has something to start. A store that has definitions is
 * left alone; the demo's lines are still printed while it is deployed.
 */
export async function deployDemoIfEmpty(store: RuntimeStore, registry: DefinitionRegistry): Promise<DemoDeployment | null> {
  const definitions = store.repos.definitions;
  if ((await definitions.listLatest({ limit: 1 }, undefined)).length === 0) {
    await registry.deploy(readFileSync(DEMO_FILE, 'utf8'));
    return { key: DEMO_PROCESS_KEY, deployedNow: true };
  }
  const existing = await definitions.latest(DEFAULT_TENANT, DEMO_PROCESS_KEY);
  return existing === null ? null : { key: DEMO_PROCESS_KEY, deployedNow: false };
}

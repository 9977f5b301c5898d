/**
 * `npm start` until the API lands: runs a bundled process through the pure
 * engine and prints what happened.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileBpmn, createInstance, execute, processVariables, type EngineEnv } from '../libs/engine/src';

async function main(): Promise<void> {
  const file = join(__dirname, '..', 'bench', 'processes', 'r1-exclusive-script.bpmn');
  const compiled = await compileBpmn(readFileSync(file, 'utf8'));
  if (!compiled.ok) {
    for (const e of compiled.errors) console.error(`${e.elementId ?? '(document)'}: ${e.message}`);
    process.exit(1);
  }
  const definition = compiled.definitions.processes[0];
  const env: EngineEnv = { now: () => Date.now(), newId: () => randomUUID() };
  for (const amount of [150, 50]) {
    const created = createInstance(definition, { instanceId: randomUUID(), variables: { amount } }, env);
    const { state, effects } = execute(definition, created.state, [], env);
    console.log(`\n${definition.id} with amount=${amount}: ${state.status}`);
    for (const effect of effects) {
      if (effect.type === 'history') {
        console.log(`  ${effect.historyType.padEnd(19)} ${effect.elementType.padEnd(17)} ${effect.elementId}`);
      }
    }
    console.log(`  variables: ${JSON.stringify(processVariables(state))}`);
  }
}

void main();

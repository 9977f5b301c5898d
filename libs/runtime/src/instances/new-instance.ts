import { createInstance, type EngineEnv, type Variables } from '@baton/engine';
import type { LoadedDefinition } from '../definitions/definition-registry';
import type { NewInstance } from '../execution/batch-writer';
import { newId } from '../ids';

const env: EngineEnv = { now: () => Date.now(), newId };

export interface NewInstanceInput {
  readonly variables?: Variables;
  /** A message, timer or signal start event; default: the none start event. */
  readonly startEventId?: string;
  readonly businessKey?: string | null;
  /** The call activity that starts this instance. */
  readonly parent?: { readonly instanceId: string; readonly elementInstanceId: string };
}

/**
 * A new instance of a deployed version, not yet run: every way of starting
 * one (REST, call activity, message, signal or timer start event) builds it
 * here. Throws the engine's error when the process cannot start that way.
 */
export function prepareInstance(definition: LoadedDefinition, input: NewInstanceInput = {}): NewInstance {
  const id = newId();
  const { state } = createInstance(
    definition.process,
    { instanceId: id, variables: input.variables, startEventId: input.startEventId },
    env,
  );
  return {
    id,
    definitionId: definition.id,
    processKey: definition.key,
    processVersion: definition.version,
    businessKey: input.businessKey ?? null,
    state,
    parentInstanceId: input.parent?.instanceId ?? null,
    parentElementInstanceId: input.parent?.elementInstanceId ?? null,
  };
}

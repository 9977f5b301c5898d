import { createInstance, type Variables } from '@baton/engine';
import type { LoadedDefinition } from '../definitions/definition-registry';
import type { Key } from '../keys/key-generator';
import type { NewInstanceRecord } from '../ports/records';

export interface NewInstanceInput {
  readonly variables?: Variables;
  /** A message, timer or signal start event; default: the none start event. */
  readonly startEventId?: string;
  readonly businessKey?: string | null;
  /** The call activity that starts this instance. */
  readonly parent?: { readonly instanceId: Key; readonly elementInstanceId: Key };
}

/**
 * A new instance of a deployed version, not yet run: every way of starting
 * one (REST, call activity, message, signal or timer start event) builds it
 * here. Throws the engine's error when the process cannot start that way.
 * The instance belongs to its definition's tenant.
 */
export function prepareInstance(definition: LoadedDefinition, input: NewInstanceInput, newKey: () => Key): NewInstanceRecord {
  const id = newKey();
  const { state } = createInstance(
    definition.process,
    { instanceId: id, variables: input.variables, startEventId: input.startEventId },
    // Creating an instance reads no clock: it only takes the key of its process element.
    { now: () => 0, newId: newKey },
  );
  return {
    id,
    tenantId: definition.tenantId,
    definitionId: definition.id,
    bpmnProcessId: definition.bpmnProcessId,
    processVersion: definition.version,
    businessKey: input.businessKey ?? null,
    state,
    parentInstanceId: input.parent?.instanceId ?? null,
    parentElementInstanceId: input.parent?.elementInstanceId ?? null,
  };
}

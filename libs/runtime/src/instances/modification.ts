import {
  checkModification,
  execute,
  processVariables,
  type EngineEvent,
  type Modification,
  type ModificationProblem,
} from '@baton/engine';
import type { DefinitionRegistry, LoadedDefinition } from '../definitions/definition-registry';
import type { CommandOutcome, UnitOfWork } from '../execution/unit-of-work';
import { isKey } from '../keys/key-generator';
import type { RuntimeStore } from '../ports/repositories';
import type { InstanceRecord } from '../ports/records';
import { RuntimeError, RuntimeErrorCode } from '../runtime-error';
import type { VariableLimits } from '../variable-limits';

/** A process instance modification as clients send it: keys are element instance keys (the process instance's own key included). */
export type ModifyCommand = Modification;

export interface ModifyDeps {
  readonly store: RuntimeStore;
  readonly registry: DefinitionRegistry;
  readonly unitOfWork: UnitOfWork;
  readonly limits: VariableLimits;
  readonly lockTimeoutMs: number;
}

/**
 * Modifies a running instance (Camunda 8's ModifyProcessInstance): the
 * instructions are checked against the locked instance, and one that does not
 * hold refuses them all (400 naming the element or element instance); then
 * they apply through the unit of work as one command, so jobs, timers,
 * subscriptions, user tasks and incidents follow the engine's effects. The
 * activated elements are READY and a worker runs them, as after any command.
 * 404 for an unknown instance.
 */
export async function modifyInstance(
  deps: ModifyDeps,
  id: string,
  command: ModifyCommand,
): Promise<CommandOutcome> {
  const missing = RuntimeError.notFound(`process instance '${id.slice(0, 40)}'`);
  if (!isKey(id)) throw missing;
  const variables = command.activate.flatMap((a) => (a.variables ?? []).map((v) => v.variables));
  for (const v of variables) deps.limits.check(v);
  const row = await deps.store.repos.instances.get(id);
  if (row === null) throw missing;
  const definition = await deps.registry.byId(row.definitionId);
  if (definition === null) throw new Error(`the definition of instance ${id} cannot be loaded`);
  const event: EngineEvent = {
    type: 'modify',
    activate: command.activate,
    terminate: command.terminate,
  };
  return deps.unitOfWork.command(id, [event], {
    lockTimeoutMs: deps.lockTimeoutMs,
    guard: (instance) => {
      if (instance.definitionId !== definition.id) {
        throw RuntimeError.conflict(
          `instance ${id} was migrated to another process version meanwhile; send the modification again`,
        );
      }
      refuse(instance, checkModification(definition.process, instance.state, command));
      const current = processVariables(instance.state);
      for (const v of variables) deps.limits.check(v, current);
      if (instance.parentInstanceId !== null && endsInstance(instance, definition.process, event)) {
        throw invalid(
          `the modification would terminate every element of instance ${id}, which a call activity of instance ${instance.parentInstanceId} started; modify the parent instance instead`,
          [],
        );
      }
    },
  });
}

function refuse(instance: InstanceRecord, problems: readonly ModificationProblem[]): void {
  if (problems.length === 0) return;
  const head =
    problems.length === 1
      ? problems[0].message
      : `${problems.length} instructions cannot apply: ${problems.map((p) => p.message).join('; ')}`;
  throw invalid(`cannot modify process instance ${instance.id}: ${head}`, problems);
}

function invalid(message: string, problems: readonly ModificationProblem[]): RuntimeError {
  return new RuntimeError(
    RuntimeErrorCode.BadRequest,
    message,
    problems.map((p) => ({
      elementId: p.elementId ?? null,
      ...(p.elementInstanceId !== undefined ? { field: p.elementInstanceId } : {}),
      message: p.message,
    })),
  );
}

/**
 * Whether the modification leaves nothing running (Zeebe refuses that for an
 * instance a call activity started): a dry run of the engine on the state.
 */
function endsInstance(
  instance: InstanceRecord,
  process: LoadedDefinition['process'],
  event: EngineEvent,
): boolean {
  let ids = 0;
  const env = { now: () => 0, newId: () => `dry-run-${++ids}` };
  return execute(process, instance.state, [event], env, { run: false }).state.status !== 'ACTIVE';
}

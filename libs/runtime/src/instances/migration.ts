import {
  migrateInstance as migrateState,
  MigrationRefusedError,
  type MigrationMapping,
} from '@baton/engine';
import type { DefinitionRegistry } from '../definitions/definition-registry';
import type { CommandOptions, UnitOfWork } from '../execution/unit-of-work';
import { isKey } from '../keys/key-generator';
import { LockTimeoutError, type Repositories, type RuntimeStore } from '../ports/repositories';
import { isEnded } from '../ports/records';
import { RuntimeError, RuntimeErrorCode } from '../runtime-error';

/** Camunda 8's migration plan: the target definition (by key) and the mapping instructions. */
export interface MigrationPlan {
  readonly targetDefinitionId: string;
  readonly mappings: readonly MigrationMapping[];
}

export interface MigrateDeps {
  readonly store: RuntimeStore;
  readonly registry: DefinitionRegistry;
  readonly unitOfWork: UnitOfWork;
  readonly lockTimeoutMs: number;
}

/**
 * Migrates one running instance to another deployed process version
 * (Camunda 8's MigrateProcessInstance): under the instance's row lock the
 * engine checks the plan against both compiled processes and rewrites the
 * state (libs/engine/src/runtime/migration.ts); then, in the same
 * transaction, the instance row moves to the target definition, its jobs,
 * user tasks and open incidents get their new element ids (jobs keep key,
 * type, retries and lease), mapped subscriptions keep their rows under their
 * new catch event, unmapped ones are removed and the target's new ones opened,
 * and history records ELEMENT_MIGRATED per element instance. Variables are
 * untouched. A refusal is a 400 naming the element and changes nothing;
 * an unknown instance or target definition is a 404.
 */
export async function migrateInstance(
  deps: MigrateDeps,
  id: string,
  plan: MigrationPlan,
  inTransaction?: CommandOptions['inTransaction'],
): Promise<void> {
  if (!isKey(id)) throw RuntimeError.notFound(`process instance '${id.slice(0, 40)}'`);
  if (!isKey(plan.targetDefinitionId)) {
    throw RuntimeError.badRequest(
      'targetProcessDefinitionKey',
      `targetProcessDefinitionKey '${plan.targetDefinitionId.slice(0, 40)}' is not a key`,
    );
  }
  const target = await deps.registry.byId(plan.targetDefinitionId);
  if (target === null) {
    throw RuntimeError.notFound(`process definition with key '${plan.targetDefinitionId}'`);
  }
  const migrate = deps.unitOfWork.rewrite(
    id,
    async (tx, row, env) => {
      if (isEnded(row.status))
        refused(
          `cannot migrate process instance '${id}': it is ${row.status}; only an active instance can be migrated`,
        );
      if (row.tenantId !== target.tenantId) {
        refused(
          `cannot migrate process instance '${id}' of tenant '${row.tenantId}' to process definition '${target.id}' of tenant '${target.tenantId}'; the target must be of the same tenant`,
        );
      }
      if ((await tx.inbox.load([id])).length > 0) {
        // Zeebe's "concurrent command": a job completion, a timer or a message waits to be applied.
        refused(
          `cannot migrate process instance '${id}': events wait to be applied to it (a concurrent command); retry the migration`,
        );
      }
      const source = await deps.registry.byId(row.definitionId, tx);
      if (source === null) throw new Error(`the definition of instance ${id} cannot be loaded`);
      let migrated;
      try {
        migrated = migrateState(source.process, target.process, row.state, plan.mappings, env);
      } catch (e) {
        if (e instanceof MigrationRefusedError) refused(e.message, e.elementId);
        throw e;
      }
      const { historyLevel } = target.process;
      return {
        head: {
          ...(historyLevel !== undefined ? { historyLevel } : {}),
          id: row.id,
          tenantId: row.tenantId,
          definitionId: target.id,
          bpmnProcessId: target.bpmnProcessId,
          parentInstanceId: row.parentInstanceId,
          parentElementInstanceId: row.parentElementInstanceId,
        },
        result: { state: migrated.state, effects: migrated.effects },
        after: (repos: Repositories) =>
          repos.migrations.rewrite({
            instanceId: row.id,
            definitionId: target.id,
            bpmnProcessId: target.bpmnProcessId,
            version: target.version,
            elements: migrated.elements.map((e) => ({
              elementInstanceId: e.elementInstanceId,
              elementId: e.targetElementId,
            })),
            renamed: migrated.renamed,
          }),
      };
    },
    { lockTimeoutMs: Math.max(deps.lockTimeoutMs, 5_000), inTransaction },
  );
  try {
    await migrate;
  } catch (e) {
    // A batch item runs again later; a single request is told to retry.
    if (e instanceof LockTimeoutError && inTransaction === undefined)
      throw RuntimeError.conflict(
        `process instance '${id}' is being stepped by a worker; retry the migration`,
      );
    throw e;
  }
}

function refused(message: string, elementId: string | null = null): never {
  throw new RuntimeError(RuntimeErrorCode.BadRequest, message, [{ elementId, message }]);
}

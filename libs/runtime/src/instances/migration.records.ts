import type { RenamedSubscription } from '@baton/engine';
import type { Key } from '../keys/key-generator';

/**
 * The rows a process instance migration rewrites besides the instance state:
 * the instance's definition, the element ids of its jobs, user tasks and open
 * incidents, and the keys of the subscriptions whose catch event was mapped
 * to one with another id. Jobs keep their key, type, retries and lease;
 * timers their due time; message subscriptions their name and correlation key.
 */
export interface InstanceMigrationRewrite {
  readonly instanceId: Key;
  readonly definitionId: Key;
  readonly bpmnProcessId: string;
  readonly version: number;
  /** Every migrated element instance with its element id in the target. */
  readonly elements: readonly { readonly elementInstanceId: Key; readonly elementId: string }[];
  readonly renamed: readonly RenamedSubscription[];
}

/** Postgres: `libs/store/src/repositories/instance-migration.repository.ts`. */
export interface InstanceMigrationRepository {
  rewrite(rewrite: InstanceMigrationRewrite): Promise<void>;
}

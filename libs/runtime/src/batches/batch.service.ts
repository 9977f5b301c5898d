import type { Variables } from '@baton/engine';
import type { Key } from '../keys/key-generator';
import { isKey } from '../keys/key-generator';
import type { Repositories, RuntimeStore } from '../ports/repositories';
import type { TenantScope } from '../ports/records';
import type { SearchCondition } from '../ports/search';
import type { InstanceSearchField } from '../ports/search';
import { MAX_RETRIES } from '../jobs/job.service';
import { RuntimeError } from '../runtime-error';
import type { VariableLimits } from '../variable-limits';
import type { MigrationPlan } from '../instances/migration';
import { instanceListConditions, type InstanceListFilter } from '../instances/instance.service';
import { INSTANCE_SEARCH } from '../search/camunda-search.service';
import { translateFilter } from '../search/search-language';
import type { BatchQueue } from './batch-queue';
import type {
  BatchChunk,
  BatchItemQuery,
  BatchItemRecord,
  BatchQuery,
  BatchRecord,
  BatchType,
  NewBatchItem,
} from './batch.records';

/**
 * Which instances a batch acts on: Baton's instance-list filter (`/api/v1`,
 * as `GET /instances` takes it) or Camunda's process instance search filter
 * (`/v2`, as `POST /v2/process-instances/search` takes it). One filter
 * language each, the ones the lists already speak.
 */
export type BatchFilter =
  | ({ readonly kind: 'v1' } & InstanceListFilter)
  | { readonly kind: 'v2'; readonly filter: Readonly<Record<string, unknown>> };

export interface CreateBatch {
  readonly type: BatchType;
  readonly filter: BatchFilter;
  /** RESOLVE_INCIDENT: the retries a job out of retries gets (as a single resolution's). */
  readonly retries?: number;
  /** MIGRATE_PROCESS_INSTANCE: where every instance goes (the target definition must exist; each item is checked as it runs). */
  readonly migrationPlan?: MigrationPlan;
  /** SET_VARIABLES: merged into the process scope of every instance (as `PATCH /instances/{id}/variables`). */
  readonly variables?: Variables;
  /** The caller's tenants: a batch acts only on instances the caller may see. */
  readonly tenants?: TenantScope;
}

export interface BatchServiceOptions {
  /** Items per chunk job (BATCH_CHUNK_SIZE). */
  readonly chunkSize: number;
  /** SET_VARIABLES batches' variables are checked against these when the batch is created. */
  readonly variableLimits?: VariableLimits;
  readonly onQueueError?: (error: Error) => void;
}

/** Rows read per statement while the filter is resolved. */
const PAGE = 1_000;

/**
 * Batch operations (Camunda 8's batch operations, README "Operate"): a batch
 * is created with its items, resolved from the filter in one transaction (a
 * snapshot: instances that match later are not part of it), and queued as
 * chunk jobs that the workers run (`BatchProcessor`). The store is the system
 * of record; the queue carries hints.
 */
export class BatchService {
  constructor(
    private readonly store: RuntimeStore,
    private readonly queue: BatchQueue,
    private readonly newKey: () => Key,
    private readonly options: BatchServiceOptions,
  ) {}

  async create(command: CreateBatch): Promise<BatchRecord> {
    const retries = command.type === 'RESOLVE_INCIDENT' ? checkedRetries(command.retries) : null;
    if (command.type !== 'RESOLVE_INCIDENT' && command.retries !== undefined) {
      throw RuntimeError.badRequest(
        'retries',
        `retries applies to RESOLVE_INCIDENT batches only, not ${command.type}`,
      );
    }
    const migrationPlan = await this.checkedMigrationPlan(command);
    const variables = this.checkedVariables(command);
    const conditions = command.filter.kind === 'v2' ? v2Conditions(command.filter.filter) : null;
    const key = this.newKey();
    const filter =
      command.filter.kind === 'v2' ? command.filter.filter : { ...command.filter, kind: undefined };
    const items = await this.store.transaction(async (tx) => {
      const instances =
        conditions === null
          ? await v1Instances(tx, command.filter, command.tenants)
          : await v2Instances(tx, conditions, command.tenants);
      const targets =
        command.type === 'RESOLVE_INCIDENT'
          ? await openIncidentsOf(tx, instances, command.tenants)
          : instances.map((id) => ({ itemKey: id, instanceId: id }));
      const chunked: NewBatchItem[] = targets.map((t, i) => ({
        ...t,
        chunk: Math.floor(i / this.options.chunkSize),
      }));
      await tx.batches.insert({
        key,
        type: command.type,
        filter: JSON.parse(JSON.stringify(filter)) as unknown,
        retries,
        migrationPlan,
        variables,
        tenantIds: command.tenants === undefined ? null : [...command.tenants],
        items: chunked,
      });
      return chunked;
    });
    const chunks = items.length === 0 ? 0 : items[items.length - 1].chunk + 1;
    await this.enqueue(Array.from({ length: chunks }, (_, chunk) => ({ batchKey: key, chunk })));
    return this.get(key, command.tenants);
  }

  /**
   * A batch the caller may see: one whose every tenant is among the caller's
   * (a caller not confined to tenants sees all); any other is as unknown, 404.
   */
  async get(key: string, tenants?: TenantScope): Promise<BatchRecord> {
    const batch = isKey(key) ? await this.store.repos.batches.get(key) : null;
    if (batch === null || !visibleTo(batch, tenants)) throw RuntimeError.notFound(`batch operation '${key.slice(0, 40)}'`);
    return batch;
  }

  list(query: BatchQuery): Promise<BatchRecord[]> {
    return this.store.repos.batches.list(query);
  }

  items(query: BatchItemQuery): Promise<BatchItemRecord[]> {
    return this.store.repos.batches.items(query);
  }

  /**
   * Items not processed yet are skipped; an item being applied right now
   * either commits before the cancel (done) or finds itself skipped and rolls
   * back. 409 when the batch has ended.
   */
  async cancel(key: string, tenants?: TenantScope): Promise<BatchRecord> {
    const batch = await this.get(key, tenants);
    const canceled = await this.store.transaction((tx) => tx.batches.cancel(batch.key));
    if (!canceled) throw await this.refused(key, 'only an ACTIVE or SUSPENDED one can be canceled');
    return this.get(key, tenants);
  }

  /** Pauses a batch (Camunda's suspension): chunks stop at their next look at it; items in flight finish. 409 unless ACTIVE. */
  async suspend(key: string, tenants?: TenantScope): Promise<BatchRecord> {
    const batch = await this.get(key, tenants);
    if (!(await this.store.repos.batches.changeState(batch.key, 'ACTIVE', 'SUSPENDED')))
      throw await this.refused(key, 'only an ACTIVE one can be suspended');
    return this.get(key, tenants);
  }

  /** Resumes a suspended batch: its pending chunks are queued again. 409 unless SUSPENDED. */
  async resume(key: string, tenants?: TenantScope): Promise<BatchRecord> {
    const batch = await this.get(key, tenants);
    if (!(await this.store.repos.batches.changeState(batch.key, 'SUSPENDED', 'ACTIVE')))
      throw await this.refused(key, 'only a SUSPENDED one can be resumed');
    await this.requeuePending();
    return this.get(key, tenants);
  }

  /** A MIGRATE_PROCESS_INSTANCE batch needs a plan whose target exists (404 otherwise); other types take none. */
  private async checkedMigrationPlan(command: CreateBatch): Promise<MigrationPlan | null> {
    const plan = command.migrationPlan;
    if (command.type !== 'MIGRATE_PROCESS_INSTANCE') {
      if (plan !== undefined) throw RuntimeError.badRequest('migrationPlan', `migrationPlan applies to MIGRATE_PROCESS_INSTANCE batches only, not ${command.type}`);
      return null;
    }
    if (plan === undefined) throw RuntimeError.badRequest('migrationPlan', 'a MIGRATE_PROCESS_INSTANCE batch needs a migrationPlan');
    const target = isKey(plan.targetDefinitionId) ? await this.store.repos.definitions.byId(plan.targetDefinitionId) : null;
    if (target === null) throw RuntimeError.notFound(`process definition with key '${plan.targetDefinitionId.slice(0, 40)}'`);
    if (command.tenants !== undefined && !command.tenants.includes(target.tenantId)) {
      throw RuntimeError.notFound(`process definition with key '${plan.targetDefinitionId}'`);
    }
    return { targetDefinitionId: plan.targetDefinitionId, mappings: plan.mappings.map((m) => ({ sourceElementId: m.sourceElementId, targetElementId: m.targetElementId })) };
  }

  /**
   * A SET_VARIABLES batch needs a non-empty object of variables, each within
   * MAX_VARIABLE_SIZE (the instance's total is checked as each item runs);
   * other types take none.
   */
  private checkedVariables(command: CreateBatch): Variables | null {
    const variables = command.variables;
    if (command.type !== 'SET_VARIABLES') {
      if (variables !== undefined) throw RuntimeError.badRequest('variables', `variables applies to SET_VARIABLES batches only, not ${command.type}`);
      return null;
    }
    if (variables === undefined || variables === null || typeof variables !== 'object' || Array.isArray(variables)) {
      throw RuntimeError.badRequest('variables', 'a SET_VARIABLES batch needs variables: a JSON object of name to value');
    }
    if (Object.keys(variables).length === 0) throw RuntimeError.badRequest('variables', 'variables is empty: name at least one variable to set');
    this.options.variableLimits?.check(variables);
    return variables;
  }

  private async refused(key: string, why: string): Promise<RuntimeError> {
    return RuntimeError.conflict(
      `batch operation ${key} is ${(await this.get(key, undefined)).state}; ${why}`,
    );
  }

  /**
   * Queues again every chunk with pending items (worker start-up and sweep):
   * a lost or failed chunk job is never the end of a batch. Also ends the
   * batches whose last chunk settled every item but died before it could
   * say so.
   */
  async requeuePending(): Promise<number> {
    const chunks = await this.store.repos.batches.pendingChunks();
    await this.enqueue(chunks);
    const active = await this.store.repos.batches.list({ limit: 1_000, states: ['ACTIVE'] });
    for (const batch of active)
      if (batch.counts.pending === 0) await this.store.repos.batches.finishIfDone(batch.key);
    return chunks.length;
  }

  private async enqueue(chunks: readonly BatchChunk[]): Promise<void> {
    if (chunks.length === 0) return;
    try {
      await this.queue.enqueue(chunks);
    } catch (e) {
      // The batch committed: the workers' sweep queues its chunks again.
      this.options.onQueueError?.(e instanceof Error ? e : new Error(String(e)));
    }
  }
}

function checkedRetries(retries: number | undefined): number | null {
  if (retries === undefined) return null;
  if (!Number.isInteger(retries) || retries < 1 || retries > MAX_RETRIES) {
    throw RuntimeError.badRequest(
      'retries',
      `retries must be a whole number from 1 to ${MAX_RETRIES}, got ${retries}`,
    );
  }
  return retries;
}

function v2Conditions(
  filter: Readonly<Record<string, unknown>>,
): SearchCondition<InstanceSearchField>[] | 'none' {
  const translated = translateFilter(INSTANCE_SEARCH, filter);
  return translated.impossible ? 'none' : translated.conditions;
}

/** Every instance matching the /v2 filter, in key order. */
async function v2Instances(
  tx: Repositories,
  conditions: SearchCondition<InstanceSearchField>[] | 'none',
  tenants: TenantScope,
): Promise<Key[]> {
  if (conditions === 'none') return [];
  const ids: Key[] = [];
  for (let after: Key | undefined; ;) {
    const rows = await tx.instances.search({
      conditions,
      tenants,
      sort: [{ field: 'id', descending: false }],
      limit: PAGE,
      after: after === undefined ? undefined : [after],
    });
    for (const row of rows) ids.push(row.id);
    if (rows.length < PAGE) return ids;
    after = rows[rows.length - 1].id;
  }
}

/** Every instance matching the v1 list filter, in key order. */
async function v1Instances(
  tx: Repositories,
  filter: BatchFilter,
  tenants: TenantScope,
): Promise<Key[]> {
  if (filter.kind !== 'v1') return [];
  const conditions = instanceListConditions(filter);
  const ids: Key[] = [];
  for (let cursor: Key | undefined; ;) {
    const rows = await tx.instances.list({ ...conditions, limit: PAGE, cursor, tenants });
    for (const row of rows) ids.push(row.id);
    if (rows.length < PAGE) return ids.reverse();
    cursor = rows[rows.length - 1].id;
  }
}

/** The open incidents of these instances: the items of a RESOLVE_INCIDENT batch. */
async function openIncidentsOf(
  tx: Repositories,
  instances: readonly Key[],
  tenants: TenantScope,
): Promise<{ itemKey: Key; instanceId: Key }[]> {
  const items: { itemKey: Key; instanceId: Key }[] = [];
  for (let i = 0; i < instances.length; i += PAGE) {
    const ids = instances.slice(i, i + PAGE);
    for (let after: Key | undefined; ;) {
      const rows = await tx.incidents.search({
        conditions: [
          { field: 'instanceId', op: 'in', value: ids },
          { field: 'resolved', op: 'eq', value: false },
        ],
        tenants,
        sort: [{ field: 'id', descending: false }],
        limit: PAGE,
        after: after === undefined ? undefined : [after],
      });
      for (const row of rows) items.push({ itemKey: row.id, instanceId: row.instanceId });
      if (rows.length < PAGE) break;
      after = rows[rows.length - 1].id;
    }
  }
  return items;
}

/** Whether a caller confined to `tenants` (undefined: not confined) may see the batch. */
export function visibleTo(batch: Pick<BatchRecord, 'tenantIds'>, tenants: TenantScope): boolean {
  if (tenants === undefined) return true;
  return batch.tenantIds !== null && batch.tenantIds.every((t) => tenants.includes(t));
}

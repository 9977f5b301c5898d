import { processVariables, type Variables } from '@baton/engine';
import type { DefinitionRegistry } from '../definitions/definition-registry';
import type { CommandOptions, CommandOutcome, UnitOfWork } from '../execution/unit-of-work';
import { isKey, type Key } from '../keys/key-generator';
import type { InstanceQuery as InstanceRecordQuery, RuntimeStore } from '../ports/repositories';
import { DEFAULT_TENANT, isEnded, type InstanceRecord, type InstanceStatus, type Page, type PageRequest, type TenantScope } from '../ports/records';
import { RuntimeError } from '../runtime-error';
import type { VariableLimits } from '../variable-limits';
import type { InstanceStarter } from './instance-starter';
import type { HistoryLevel } from '../retention/history-level';
import { migrateInstance, type MigrationPlan } from './migration';
import {
  historyView,
  instanceView,
  summaryView,
  type HistoryItemView,
  type InstanceSummaryView,
  type InstanceView,
  type StartedInstanceView,
} from './instance.views';
import { pageOf } from './listing';
import { modifyInstance, type ModifyCommand } from './modification';

export interface StartCommand {
  readonly variables?: Variables;
  readonly businessKey?: string | null;
  /** A deployed version of the process; default the latest. */
  readonly version?: number;
  readonly tenantId?: string;
  /** The client's `Idempotency-Key` header. */
  readonly idempotencyKey?: string;
}

/** The instance list's filter (`GET /api/v1/instances`, and the v1 filter of a batch). */
export interface InstanceListFilter {
  readonly status?: InstanceStatus;
  readonly processKey?: string;
  /** The process version; only with `processKey`. */
  readonly version?: number;
  readonly businessKey?: string;
  /** true: instances with an open incident; false: without one. */
  readonly hasIncident?: boolean;
  /** Started at or after this instant. */
  readonly startedFrom?: Date;
  /** Started before this instant. */
  readonly startedTo?: Date;
  /** A process-scope variable's name: with `variableValue`, equal to it; alone, the variable is set. */
  readonly variableName?: string;
  /** A JSON value (compared as JSON: `150` equals `150.0`, `"150"` is a string); only with `variableName`. */
  readonly variableValue?: unknown;
}

export interface InstanceQuery extends PageRequest, InstanceListFilter {
  readonly tenants?: TenantScope;
}

/**
 * The list filter as the store takes it, after the checks the fields make
 * together; a filter that cannot be asked is a 400 naming the field.
 */
export function instanceListConditions(filter: InstanceListFilter): Omit<InstanceRecordQuery, 'limit' | 'cursor' | 'tenants'> {
  if (filter.version !== undefined && filter.processKey === undefined) {
    throw RuntimeError.badRequest('version', 'version filters the versions of one process: give processKey too');
  }
  if (filter.variableValue !== undefined && filter.variableName === undefined) {
    throw RuntimeError.badRequest('variableValue', 'variableValue needs variableName: the variable it is the value of');
  }
  if (filter.startedFrom !== undefined && filter.startedTo !== undefined && filter.startedFrom.getTime() > filter.startedTo.getTime()) {
    throw RuntimeError.badRequest('startedFrom', 'startedFrom is after startedTo');
  }
  return {
    status: filter.status,
    bpmnProcessId: filter.processKey,
    version: filter.version,
    businessKey: filter.businessKey,
    hasIncident: filter.hasIncident,
    startedFrom: filter.startedFrom,
    startedTo: filter.startedTo,
    variable:
      filter.variableName === undefined
        ? undefined
        : { name: filter.variableName, ...(filter.variableValue === undefined ? {} : { value: filter.variableValue }) },
  };
}

/** A command's answer: the instance after it, and whether it took effect or waits for a worker's step. */
export interface CommandResult<T> {
  readonly outcome: CommandOutcome;
  readonly value: T;
}

export interface InstanceServiceOptions {
  /**
   * How long a command waits for the instance's row lock (a worker stepping
   * it) before it is queued in the inbox and answered 202. Default 500 ms.
   */
  readonly commandLockTimeoutMs?: number;
  /** HISTORY_LEVEL: what instances whose process sets no `baton:historyLevel` write. Default full. */
  readonly historyLevel?: HistoryLevel;
}

/**
 * The instance use cases behind `/processes/{key}/instances` and
 * `/instances/**`. Commands go through the unit of work without running
 * element work: they answer within about `commandLockTimeoutMs` whatever a
 * worker is doing with the instance.
 */
export class InstanceService {
  private readonly lockTimeoutMs: number;
  private readonly defaultHistoryLevel: HistoryLevel;

  constructor(
    private readonly store: RuntimeStore,
    private readonly registry: DefinitionRegistry,
    private readonly starter: InstanceStarter,
    private readonly unitOfWork: UnitOfWork,
    private readonly limits: VariableLimits,
    options: InstanceServiceOptions = {},
  ) {
    this.lockTimeoutMs = options.commandLockTimeoutMs ?? 500;
    this.defaultHistoryLevel = options.historyLevel ?? 'full';
  }

  /** The hottest route: checks, then hands over to the InstanceStarter, which groups concurrent starts. */
  async start(processKey: string, command: StartCommand): Promise<StartedInstanceView> {
    this.limits.check(command.variables);
    const definition = await this.registry.byProcessId(processKey, { version: command.version, tenantId: command.tenantId ?? DEFAULT_TENANT });
    if (definition === null) {
      throw RuntimeError.notFound(
        command.version === undefined ? `process '${processKey}'` : `version ${command.version} of process '${processKey}'`,
      );
    }
    const started = await this.starter.start({
      definition,
      variables: command.variables,
      businessKey: command.businessKey ?? null,
      idempotencyKey: command.idempotencyKey,
    });
    return { id: started.id, processKey: started.bpmnProcessId, version: started.version, status: started.status };
  }

  async get(id: string): Promise<InstanceView> {
    const row = await this.row(id);
    const [incidents, pending] = await Promise.all([
      this.store.repos.incidents.openOf(id),
      this.store.repos.inbox.pendingCommands([id]),
    ]);
    return instanceView(row, incidents, pending.get(id));
  }

  /** Newest first: keys grow with time, so `key DESC` is start order and the key is the cursor. */
  async list(query: InstanceQuery): Promise<Page<InstanceSummaryView>> {
    if (query.cursor !== undefined) requireKey(query.cursor, 'cursor');
    const rows = await this.store.repos.instances.list({
      ...instanceListConditions(query),
      limit: query.limit + 1,
      cursor: query.cursor,
      tenants: query.tenants,
    });
    const pending = await this.store.repos.inbox.pendingCommands(rows.filter((r) => !isEnded(r.status)).map((r) => r.id));
    return pageOf(rows, query.limit, (r) => summaryView(r, pending.get(r.id)), (r) => r.id);
  }

  /** What history the instance writes (README "Operate"): its process's `baton:historyLevel`, else HISTORY_LEVEL. */
  async historyLevel(id: string): Promise<HistoryLevel> {
    const row = await this.row(id);
    const definition = await this.registry.byId(row.definitionId);
    return definition?.process.historyLevel ?? this.defaultHistoryLevel;
  }

  /** In the order the events were written; the cursor is the last event's position. */
  async history(id: string, page: PageRequest): Promise<Page<HistoryItemView>> {
    await this.row(id);
    if (page.cursor !== undefined && !/^[0-9]{1,19}$/.test(page.cursor)) {
      throw RuntimeError.badRequest('cursor', `cursor '${page.cursor}' is not a position in this history`);
    }
    const rows = await this.store.repos.history.page(id, { limit: page.limit + 1, cursor: page.cursor });
    return pageOf(rows, page.limit, historyView, (r) => r.id);
  }

  /**
   * Cancels the instance and its call-activity children. It runs none of the
   * instance's pending element work, also when a worker holds the instance:
   * then the cancel waits in its inbox and overtakes everything else there.
   */
  async cancel(id: string): Promise<CommandResult<InstanceView>> {
    return this.commandAndView(id, 'cancel');
  }

  async suspend(id: string): Promise<CommandResult<InstanceView>> {
    return this.commandAndView(id, 'suspend');
  }

  /**
   * Back to ACTIVE: work that arrived or was due while it was suspended runs
   * (a worker picks it up), and its subscriptions take the messages buffered
   * for them meanwhile.
   */
  async resume(id: string): Promise<CommandResult<InstanceView>> {
    return this.commandAndView(id, 'resume');
  }

  /**
   * Cancel, suspend or resume without reading the instance back (batch
   * operations): `inTransaction` runs in the command's transaction, so what
   * it writes commits with the command or not at all.
   */
  async apply(id: string, action: InstanceAction, inTransaction?: CommandOptions['inTransaction']): Promise<CommandOutcome> {
    if (!isKey(id)) throw notFound(id);
    return this.unitOfWork.command(id, [{ type: action }], { lockTimeoutMs: this.lockTimeoutMs, guard: INSTANCE_ACTION_GUARDS[action], inTransaction });
  }

  /**
   * Merges `variables` into the process scope (also of a suspended instance,
   * as in Camunda 7) and answers the whole map. Queued behind a worker's step,
   * the answer shows the stored variables with the change merged in.
   */
  async patchVariables(id: string, variables: Variables): Promise<CommandResult<{ variables: Variables }>> {
    const outcome = await this.applyVariables(id, variables);
    const row = await this.row(id);
    const current = row.variables;
    return { outcome, value: { variables: outcome === 'applied' ? current : { ...current, ...variables } } };
  }

  /**
   * `patchVariables` without reading the instance back (SET_VARIABLES
   * batches): `inTransaction` commits with the command or not at all.
   */
  async applyVariables(id: string, variables: Variables, inTransaction?: CommandOptions['inTransaction']): Promise<CommandOutcome> {
    if (!isKey(id)) throw notFound(id);
    this.limits.check(variables);
    return this.unitOfWork.command(id, [{ type: 'setVariables', variables }], {
      lockTimeoutMs: this.lockTimeoutMs,
      guard: (instance) => {
        refuseEnded(instance, 'set variables of');
        this.limits.check(variables, processVariables(instance.state));
      },
      inTransaction,
    });
  }

  /**
   * Camunda's "set variables" on an element instance: `elementInstanceKey`
   * names an active element instance, or the process instance (its process
   * scope, as in Camunda). `local`: merged into that scope only; otherwise
   * each variable updates the nearest scope from there up that has it, else
   * the process scope. 404 when no active element instance has the key (an
   * ended one included, as in Camunda); 409 when the instance ended meanwhile.
   */
  async setElementVariables(elementInstanceKey: string, variables: Variables, local: boolean, tenants?: TenantScope): Promise<CommandOutcome> {
    const missing = () => RuntimeError.notFound(`element instance '${elementInstanceKey.slice(0, 40)}' (no active element instance has this key)`);
    if (!isKey(elementInstanceKey)) throw missing();
    this.limits.check(variables);
    const [element] = await this.store.repos.elementInstances.search({
      conditions: [{ field: 'id', op: 'eq', value: elementInstanceKey }],
      sort: [{ field: 'id', descending: false }],
      limit: 1,
      tenants,
    });
    if (element === undefined || element.state !== 'ACTIVE') throw missing();
    // The process is keyed by its instance: its scope is the default target.
    const scope = element.id === element.instanceId ? {} : { elementInstanceId: element.id };
    return this.unitOfWork.command(element.instanceId, [{ type: 'setVariables', variables, ...scope, ...(local ? {} : { propagate: true }) }], {
      lockTimeoutMs: this.lockTimeoutMs,
      guard: (instance) => {
        refuseEnded(instance, 'set variables of');
        this.limits.check(variables, processVariables(instance.state));
      },
    });
  }

  /** Process instance modification: activate elements, terminate element instances (instances/modification.ts). */
  async modify(id: string, command: ModifyCommand): Promise<CommandOutcome> {
    const { store, registry, unitOfWork, limits, lockTimeoutMs } = this;
    return modifyInstance({ store, registry, unitOfWork, limits, lockTimeoutMs }, id, command);
  }

  /** Migrates the instance to another process version (./migration.ts); batches pass `inTransaction` to settle their item with it. */
  migrate(id: string, plan: MigrationPlan, inTransaction?: CommandOptions['inTransaction']): Promise<void> {
    const deps = { store: this.store, registry: this.registry, unitOfWork: this.unitOfWork, lockTimeoutMs: this.lockTimeoutMs };
    return migrateInstance(deps, id, plan, inTransaction);
  }

  private async commandAndView(id: string, action: InstanceAction): Promise<CommandResult<InstanceView>> {
    const outcome = await this.apply(id, action);
    return { outcome, value: await this.get(id) };
  }

  private async row(id: string): Promise<InstanceRecord> {
    const row = isKey(id) ? await this.store.repos.instances.get(id) : null;
    if (row === null) throw notFound(id);
    return row;
  }
}

const notFound = (id: string): RuntimeError => RuntimeError.notFound(`process instance '${id}'`);

/** The instance commands a batch applies too. */
export type InstanceAction = 'cancel' | 'suspend' | 'resume';

const INSTANCE_ACTION_GUARDS: Record<InstanceAction, (instance: InstanceRecord) => void> = {
  cancel: (instance) => {
    refuseEnded(instance, 'cancel');
    refuseCanceling(instance, 'cancel');
  },
  suspend: (instance) => {
    if (instance.status !== 'ACTIVE') {
      throw RuntimeError.conflict(`instance ${instance.id} is ${instance.status}; only an ACTIVE instance can be suspended`);
    }
    refuseCanceling(instance, 'suspend');
  },
  resume: (instance) => {
    if (instance.status !== 'SUSPENDED') {
      throw RuntimeError.conflict(`instance ${instance.id} is ${instance.status}; only a SUSPENDED instance can be resumed`);
    }
  },
};

/**
 * A cancel waiting for canceling task listeners (the engine's root is terminating): Zeebe no
 * longer takes a cancel for a terminating instance; suspending it would hold the listeners' results.
 */
function refuseCanceling(instance: Pick<InstanceRecord, 'id' | 'state'>, action: string): void {
  if (instance.state.elements[instance.state.rootId]?.terminating !== undefined) {
    throw RuntimeError.conflict(`instance ${instance.id} is being canceled: it waits for canceling task listeners; cannot ${action} it`);
  }
}

function refuseEnded(instance: Pick<InstanceRecord, 'id' | 'status'>, action: string): void {
  if (isEnded(instance.status)) {
    throw RuntimeError.conflict(`instance ${instance.id} is ${instance.status}; cannot ${action} an ended instance`);
  }
}

function requireKey(value: string, field: string): Key {
  if (!isKey(value)) throw RuntimeError.badRequest(field, `${field} '${value.slice(0, 40)}' is not a key`);
  return value;
}

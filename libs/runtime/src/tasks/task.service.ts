import type { Variables } from '@baton/engine';
import type { Announcer } from '../execution/announcer';
import { isKey, type Key } from '../keys/key-generator';
import type { RuntimeStore } from '../ports/repositories';
import type { Page, PageRequest, TenantScope, UserTaskRecord } from '../ports/records';
import { iso, pageOf } from '../instances/listing';
import { RuntimeError } from '../runtime-error';
import type { VariableLimits } from '../variable-limits';

export interface TaskView {
  readonly id: Key;
  readonly instanceId: Key;
  readonly processKey: string;
  readonly definitionId: Key | null;
  readonly tenantId: string;
  readonly elementId: string;
  readonly name: string | null;
  readonly assignee: string | null;
  readonly candidateGroups: string[];
  readonly candidateUsers: string[];
  readonly formKey: string | null;
  readonly dueDate: string | null;
  readonly followUpDate: string | null;
  readonly priority: number;
  readonly state: 'CREATED' | 'COMPLETED' | 'CANCELED';
  readonly createdAt: string;
  readonly completedAt: string | null;
}

export interface TaskQuery extends PageRequest {
  readonly instanceId?: string;
  readonly processKey?: string;
  readonly assignee?: string;
  readonly candidateGroup?: string;
  readonly tenants?: TenantScope;
}

/**
 * User tasks: open tasks are rows in state CREATED. Completing one is an
 * event for the unit of work (through the instance's inbox), so the answer
 * comes before the instance moves on.
 */
export class TaskService {
  constructor(
    private readonly store: RuntimeStore,
    private readonly announcer: Announcer,
    private readonly limits: VariableLimits,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Open tasks, oldest first (keys grow with time: creation order). */
  async list(query: TaskQuery): Promise<Page<TaskView>> {
    if (query.instanceId !== undefined && !isKey(query.instanceId)) return { items: [], nextCursor: null };
    if (query.cursor !== undefined && !isKey(query.cursor)) throw RuntimeError.badRequest('cursor', `cursor '${query.cursor.slice(0, 40)}' is not a task key`);
    const rows = await this.store.repos.userTasks.list({
      limit: query.limit + 1,
      cursor: query.cursor,
      instanceId: query.instanceId,
      bpmnProcessId: query.processKey,
      assignee: query.assignee,
      candidateGroup: query.candidateGroup,
      tenants: query.tenants,
    });
    return pageOf(rows, query.limit, taskView, (r) => r.id);
  }

  async get(id: string): Promise<TaskView> {
    return taskView(await this.row(id));
  }

  /**
   * Sets the assignee of an open task. Claiming a task already assigned to
   * the same user is a no-op; one assigned to someone else is a conflict, as
   * is a task of a suspended instance (its lifecycle is frozen).
   */
  async claim(id: string, assignee: string): Promise<TaskView> {
    const task = await this.row(id);
    if (!(await this.store.repos.userTasks.claim(task.id, assignee))) {
      const now = await this.row(id);
      refuseClosed(now);
      await this.refuseInactiveInstance(now);
      throw RuntimeError.conflict(`task ${id} is assigned to '${now.assignee}'`);
    }
    return this.get(id);
  }

  /**
   * Camunda's assignment: sets the assignee of an open task of an ACTIVE
   * instance, replacing another one unless `allowOverride` is false (then a
   * task assigned to someone else is a conflict).
   */
  async assign(id: string, assignee: string, allowOverride: boolean): Promise<TaskView> {
    const task = await this.row(id);
    refuseClosed(task);
    if (!(await this.store.repos.userTasks.assign(task.id, assignee, allowOverride))) {
      const now = await this.row(id);
      refuseClosed(now);
      await this.refuseInactiveInstance(now);
      throw RuntimeError.conflict(`task ${id} is assigned to '${now.assignee}'`);
    }
    return this.get(id);
  }

  /** Clears the assignee of an open task of an ACTIVE instance (a no-op when it has none). */
  async unassign(id: string): Promise<TaskView> {
    const task = await this.row(id);
    refuseClosed(task);
    if (!(await this.store.repos.userTasks.assign(task.id, null, true))) {
      const now = await this.row(id);
      refuseClosed(now);
      await this.refuseInactiveInstance(now);
      throw RuntimeError.conflict(`task ${id} could not be unassigned`);
    }
    return this.get(id);
  }

  /** Completes an open task of an ACTIVE instance; a worker applies the completion. */
  async complete(id: string, variables: Variables | undefined): Promise<TaskView> {
    this.limits.check(variables);
    const task = await this.row(id);
    refuseClosed(task);
    await this.store.transaction(async (tx) => {
      const [instance] = await tx.instances.lock([task.instanceId]);
      if (instance === undefined) throw RuntimeError.notFound(`process instance '${task.instanceId}' of task ${id}`);
      if (instance.status !== 'ACTIVE') {
        throw RuntimeError.conflict(`task ${id} belongs to instance ${task.instanceId}, which is ${instance.status}`);
      }
      this.limits.check(variables, instance.variables);
      if (!(await tx.userTasks.complete(task.id, new Date(this.clock())))) throw RuntimeError.conflict(`task ${id} is no longer open`);
      await tx.inbox.append([{ instanceId: task.instanceId, event: { type: 'complete', elementInstanceId: task.id, variables: variables ?? {} } }]);
    });
    this.announcer.announce([task.instanceId]);
    return this.get(id);
  }

  private async row(id: string): Promise<UserTaskRecord> {
    const row = isKey(id) ? await this.store.repos.userTasks.get(id) : null;
    if (row === null) throw RuntimeError.notFound(`user task '${id}'`);
    return row;
  }

  private async refuseInactiveInstance(task: UserTaskRecord): Promise<void> {
    const instance = await this.store.repos.instances.get(task.instanceId);
    if (instance !== null && instance.status !== 'ACTIVE') {
      throw RuntimeError.conflict(`task ${task.id} belongs to instance ${task.instanceId}, which is ${instance.status}`);
    }
  }
}

function refuseClosed(task: UserTaskRecord): void {
  if (task.state !== 'CREATED') throw RuntimeError.conflict(`task ${task.id} is ${task.state}`);
}

export function taskView(row: UserTaskRecord): TaskView {
  return {
    id: row.id,
    instanceId: row.instanceId,
    processKey: row.bpmnProcessId,
    definitionId: row.definitionId,
    tenantId: row.tenantId,
    elementId: row.elementId,
    name: row.name,
    assignee: row.assignee,
    candidateGroups: row.candidateGroups,
    candidateUsers: row.candidateUsers,
    formKey: row.formKey,
    dueDate: iso(row.dueDate),
    followUpDate: iso(row.followUpDate),
    priority: row.priority,
    state: row.state,
    createdAt: row.createdAt.toISOString(),
    completedAt: iso(row.completedAt),
  };
}

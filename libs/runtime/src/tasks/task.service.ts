import { isoDateTime, type TaskTransitionEvent, type UserTaskData, type Variables } from '@baton/engine';
import type { DefinitionRegistry } from '../definitions/definition-registry';
import type { Announcer } from '../execution/announcer';
import { isKey, type Key } from '../keys/key-generator';
import type { RuntimeStore, UserTaskUpdate } from '../ports/repositories';
import type { Page, PageRequest, TenantScope, UserTaskRecord, UserTaskState } from '../ports/records';
import { iso, pageOf } from '../instances/listing';
import { RuntimeError } from '../runtime-error';
import type { VariableLimits } from '../variable-limits';

/** A user task as the APIs show it: the engine's task data (what it was created with) and where it stands. */
export interface TaskView extends UserTaskData {
  readonly id: Key;
  readonly instanceId: Key;
  readonly processKey: string;
  readonly definitionId: Key | null;
  readonly tenantId: string;
  readonly elementId: string;
  /** ASSIGNING, COMPLETING: the transition waits for the task's listeners. */
  readonly state: UserTaskState;
  readonly createdAt: string;
  readonly completedAt: string | null;
}

/**
 * Camunda 8's user task changeset: null or absent keeps a value, `''`
 * clears a date, `[]` a candidate list; the assignee is not part of it.
 */
export interface TaskChangeset {
  readonly dueDate?: string | null;
  readonly followUpDate?: string | null;
  readonly candidateUsers?: readonly string[] | null;
  readonly candidateGroups?: readonly string[] | null;
  readonly priority?: number | null;
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
 *
 * A task whose element has `assigning` (`updating`, `completing`) task
 * listeners is assigned (updated, completed) through them, as in Camunda 8.8:
 * the task goes to ASSIGNING (UPDATING, COMPLETING) and the request is
 * answered at once; the engine runs the listeners and the unit of work
 * applies the transition after the last one, or puts the task back to
 * CREATED unchanged when one denies it.
 */
export class TaskService {
  constructor(
    private readonly store: RuntimeStore,
    private readonly announcer: Announcer,
    private readonly limits: VariableLimits,
    private readonly clock: () => number = Date.now,
    /** Where the task listeners of a task's element are read (absent: no listeners are run). */
    private readonly registry?: Pick<DefinitionRegistry, 'byId'>,
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
    if (await this.listens(task, 'assigning')) {
      await this.transition(task, 'assigning', 'claim', { assignee }, (now) => {
        if (now.assignee !== null && now.assignee !== assignee) throw RuntimeError.conflict(`task ${id} is assigned to '${now.assignee}'`);
      });
      return this.get(id);
    }
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
   * task assigned to someone else is a conflict). `action` (Camunda's custom
   * action, default `assign`) is what assigning listeners see.
   */
  async assign(id: string, assignee: string, allowOverride: boolean, action?: string | null): Promise<TaskView> {
    const task = await this.row(id);
    refuseClosed(task);
    if (await this.listens(task, 'assigning')) {
      await this.transition(task, 'assigning', action || 'assign', { assignee }, (now) => {
        if (!allowOverride && now.assignee !== null && now.assignee !== assignee) {
          throw RuntimeError.conflict(`task ${id} is assigned to '${now.assignee}'`);
        }
      });
      return this.get(id);
    }
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
    if (await this.listens(task, 'assigning')) {
      await this.transition(task, 'assigning', 'unassign', { assignee: null });
      return this.get(id);
    }
    if (!(await this.store.repos.userTasks.assign(task.id, null, true))) {
      const now = await this.row(id);
      refuseClosed(now);
      await this.refuseInactiveInstance(now);
      throw RuntimeError.conflict(`task ${id} could not be unassigned`);
    }
    return this.get(id);
  }

  /**
   * Completes an open task of an ACTIVE instance; a worker applies the
   * completion. `action` (default `complete`) is what completing listeners see.
   */
  async complete(id: string, variables: Variables | undefined, action?: string | null): Promise<TaskView> {
    this.limits.check(variables);
    const task = await this.row(id);
    refuseClosed(task);
    if (await this.listens(task, 'completing')) {
      await this.transition(task, 'completing', action || 'complete', {}, undefined, variables ?? {});
      return this.get(id);
    }
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

  /** Whether the task's element has task listeners of this event (its transitions then wait for them). */
  private async listens(task: UserTaskRecord, event: TaskTransitionEvent): Promise<boolean> {
    if (this.registry === undefined || task.definitionId === null) return false;
    const definition = await this.registry.byId(task.definitionId);
    return (definition?.process.nodes.get(task.elementId)?.taskListeners?.[event]?.length ?? 0) > 0;
  }

  /**
   * Starts a transition that waits for the task's listeners: with the
   * instance locked, the task (read again, it must still be CREATED and pass
   * `check`) goes to ASSIGNING or COMPLETING, and the engine gets the task as
   * the transition would leave it (`changes` applied) through the inbox.
   */
  private async transition(
    task: UserTaskRecord,
    event: TaskTransitionEvent,
    action: string,
    changes: Partial<UserTaskData>,
    check?: (now: UserTaskRecord) => void,
    variables?: Variables,
    changedAttributes?: readonly string[],
  ): Promise<void> {
    await this.store.transaction(async (tx) => {
      const [instance] = await tx.instances.lock([task.instanceId]);
      if (instance === undefined) throw RuntimeError.notFound(`process instance '${task.instanceId}' of task ${task.id}`);
      if (instance.status !== 'ACTIVE') {
        throw RuntimeError.conflict(`task ${task.id} belongs to instance ${task.instanceId}, which is ${instance.status}`);
      }
      if (variables !== undefined) this.limits.check(variables, instance.variables);
      const now = await tx.userTasks.get(task.id);
      if (now === null) throw RuntimeError.notFound(`user task '${task.id}'`);
      refuseClosed(now);
      check?.(now);
      if (!(await tx.userTasks.startTransition(task.id, TRANSITION_STATES[event]))) {
        throw RuntimeError.conflict(`task ${task.id} is no longer CREATED`);
      }
      const data: UserTaskData = { ...taskData(now), ...changes };
      await tx.inbox.append([
        {
          instanceId: task.instanceId,
          event: {
            type: 'transitionUserTask',
            elementInstanceId: task.id,
            event,
            action,
            task: data,
            ...(variables !== undefined ? { variables } : {}),
            ...(changedAttributes !== undefined ? { changedAttributes } : {}),
          },
        },
      ]);
    });
    this.announcer.announce([task.instanceId]);
  }

  /**
   * Camunda's update of an open task of an ACTIVE instance: its dates,
   * candidates and priority. With `updating` listeners the task goes to
   * UPDATING and they see the changed attributes and `action` (default
   * `update`); otherwise the change is written at once.
   */
  async update(id: string, changeset: TaskChangeset, action?: string | null): Promise<TaskView> {
    const { changes, changed } = checkedChangeset(changeset);
    const task = await this.row(id);
    refuseClosed(task);
    if (await this.listens(task, 'updating')) {
      const { candidateUsers, candidateGroups, ...rest } = changes;
      const data: Partial<UserTaskData> = {
        ...rest,
        ...(candidateUsers !== undefined ? { candidateUsers: [...candidateUsers] } : {}),
        ...(candidateGroups !== undefined ? { candidateGroups: [...candidateGroups] } : {}),
      };
      await this.transition(task, 'updating', action || 'update', data, undefined, undefined, changed);
      return this.get(id);
    }
    await this.store.transaction(async (tx) => {
      const [instance] = await tx.instances.lock([task.instanceId]);
      if (instance === undefined) throw RuntimeError.notFound(`process instance '${task.instanceId}' of task ${id}`);
      if (instance.status !== 'ACTIVE') {
        throw RuntimeError.conflict(`task ${id} belongs to instance ${task.instanceId}, which is ${instance.status}`);
      }
      if (!(await tx.userTasks.update(task.id, changes))) throw RuntimeError.conflict(`task ${id} is no longer CREATED`);
    });
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

/** A task that is not CREATED (closed, or in a transition waiting for its listeners) takes no other transition: 409. */
function refuseClosed(task: UserTaskRecord): void {
  if (task.state !== 'CREATED') throw RuntimeError.conflict(`task ${task.id} is ${task.state}`);
}

const TRANSITION_STATES = { assigning: 'ASSIGNING', updating: 'UPDATING', completing: 'COMPLETING' } as const;

/**
 * A changeset as stored (`''` and null-or-absent told apart) and the names
 * of the attributes it changes; bad dates or priorities are 400s naming the
 * field, as Camunda 8 refuses them.
 */
function checkedChangeset(changeset: TaskChangeset): { changes: UserTaskUpdate; changed: string[] } {
  const date = (name: 'dueDate' | 'followUpDate'): { [key: string]: string | null } => {
    const value = changeset[name];
    if (value === undefined || value === null) return {};
    if (value === '') return { [name]: null };
    const stored = isoDateTime(value);
    if (stored === null) {
      throw RuntimeError.badRequest(`changeset.${name}`, `${name} '${value.slice(0, 40)}' is not an ISO 8601 date-time with an offset`);
    }
    return { [name]: stored };
  };
  const priority = changeset.priority;
  if (priority !== undefined && priority !== null && (!Number.isInteger(priority) || priority < 0 || priority > 100)) {
    throw RuntimeError.badRequest('changeset.priority', `priority must be a whole number from 0 to 100, got ${priority}`);
  }
  const changes: UserTaskUpdate = {
    ...(changeset.candidateGroups != null ? { candidateGroups: changeset.candidateGroups } : {}),
    ...(changeset.candidateUsers != null ? { candidateUsers: changeset.candidateUsers } : {}),
    ...date('dueDate'),
    ...date('followUpDate'),
    ...(priority != null ? { priority } : {}),
  };
  return { changes, changed: Object.keys(changes) };
}

/** The task's data as the engine's user task transition carries it. */
function taskData(row: UserTaskRecord): UserTaskData {
  return {
    name: row.name,
    assignee: row.assignee,
    candidateGroups: row.candidateGroups,
    candidateUsers: row.candidateUsers,
    formKey: row.formKey,
    dueDate: iso(row.dueDate),
    followUpDate: iso(row.followUpDate),
    priority: row.priority,
  };
}

export function taskView(row: UserTaskRecord): TaskView {
  return {
    id: row.id,
    instanceId: row.instanceId,
    processKey: row.bpmnProcessId,
    definitionId: row.definitionId,
    tenantId: row.tenantId,
    elementId: row.elementId,
    ...taskData(row),
    state: row.state,
    createdAt: row.createdAt.toISOString(),
    completedAt: iso(row.completedAt),
  };
}

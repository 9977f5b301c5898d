import type { Variables } from '@baton/engine';
import type { PrismaClient, UserTask } from '@baton/store';
import type { RuntimeLogger, WorkPublisher } from '../execution/batch-processor';
import { appendEvents, touchInstance } from '../instances/instance-inbox';
import { iso, isUuid, pageOf, type Page, type PageRequest } from '../instances/listing';
import { RuntimeError } from '../runtime-error';
import type { VariableLimits } from '../variable-limits';

export interface TaskView {
  readonly id: string;
  readonly instanceId: string;
  readonly processKey: string;
  readonly elementId: string;
  readonly name: string | null;
  readonly assignee: string | null;
  readonly candidateGroups: string[];
  readonly candidateUsers: string[];
  readonly formKey: string | null;
  readonly dueDate: string | null;
  readonly followUpDate: string | null;
  readonly state: 'CREATED' | 'COMPLETED' | 'CANCELED';
  readonly createdAt: string;
  readonly completedAt: string | null;
}

export interface TaskQuery extends PageRequest {
  readonly instanceId?: string;
  readonly processKey?: string;
  readonly assignee?: string;
  readonly candidateGroup?: string;
}

/**
 * User tasks: open tasks are rows in state CREATED. Completing one is an
 * event for the worker (through the instance's inbox), so the answer comes
 * before the instance moves on.
 */
export class TaskService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly publisher: WorkPublisher,
    private readonly limits: VariableLimits,
    private readonly logger: RuntimeLogger,
  ) {}

  /** Open tasks, oldest first (ids are UUIDv7: creation order). */
  async list(query: TaskQuery): Promise<Page<TaskView>> {
    const rows = await this.prisma.userTask.findMany({
      where: {
        state: 'CREATED',
        instanceId: query.instanceId,
        processKey: query.processKey,
        assignee: query.assignee,
        ...(query.candidateGroup !== undefined ? { candidateGroups: { has: query.candidateGroup } } : {}),
        ...(query.cursor !== undefined ? { id: { gt: query.cursor } } : {}),
      },
      orderBy: { id: 'asc' },
      take: query.limit + 1,
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
    if (!isUuid(id)) throw notFound(id);
    const rows = await this.prisma.$queryRawUnsafe<{ id: string }[]>(
      `UPDATE "UserTask" AS t SET assignee = $2
        WHERE t.id = $1::uuid AND t.state = 'CREATED' AND (t.assignee IS NULL OR t.assignee = $2)
          AND EXISTS (SELECT 1 FROM "ProcessInstance" p WHERE p.id = t."instanceId" AND p.status = 'ACTIVE')
    RETURNING t.id`,
      id,
      assignee,
    );
    if (rows.length === 0) {
      const task = await this.row(id);
      refuseClosed(task);
      await this.refuseInactiveInstance(task);
      throw RuntimeError.conflict(`task ${id} is assigned to '${task.assignee}'`);
    }
    return this.get(id);
  }

  /** Completes an open task of an ACTIVE instance; the worker applies the completion. */
  async complete(id: string, variables: Variables | undefined): Promise<TaskView> {
    this.limits.check(variables);
    const task = await this.row(id);
    refuseClosed(task);
    await this.prisma.$transaction(async (tx) => {
      const instance = await touchInstance(tx, task.instanceId);
      if (instance === null) throw RuntimeError.notFound(`process instance '${task.instanceId}' of task ${id}`);
      if (instance.status !== 'ACTIVE') {
        throw RuntimeError.conflict(`task ${id} belongs to instance ${task.instanceId}, which is ${instance.status}`);
      }
      this.limits.check(variables, instance.variables);
      const changed = await tx.$executeRawUnsafe(
        `UPDATE "UserTask" SET state = 'COMPLETED', "completedAt" = now() WHERE id = $1::uuid AND state = 'CREATED'`,
        id,
      );
      if (changed === 0) throw RuntimeError.conflict(`task ${id} is no longer open`);
      await appendEvents(tx, [
        { instanceId: task.instanceId, event: { type: 'complete', elementInstanceId: id, variables: variables ?? {} } },
      ]);
    });
    try {
      await this.publisher.publish([{ instanceId: task.instanceId }]);
    } catch (e) {
      this.logger.warn(`publishing work for instance ${task.instanceId} failed, the sweeper will retry: ${(e as Error).message}`);
    }
    return this.get(id);
  }

  private async row(id: string): Promise<UserTask> {
    if (!isUuid(id)) throw notFound(id);
    const row = await this.prisma.userTask.findUnique({ where: { id } });
    if (row === null) throw notFound(id);
    return row;
  }

  private async refuseInactiveInstance(task: UserTask): Promise<void> {
    const instance = await this.prisma.processInstance.findUnique({ where: { id: task.instanceId }, select: { status: true } });
    if (instance !== null && instance.status !== 'ACTIVE') {
      throw RuntimeError.conflict(`task ${task.id} belongs to instance ${task.instanceId}, which is ${instance.status}`);
    }
  }
}

const notFound = (id: string): RuntimeError => RuntimeError.notFound(`user task '${id}'`);

function refuseClosed(task: UserTask): void {
  if (task.state !== 'CREATED') throw RuntimeError.conflict(`task ${task.id} is ${task.state}`);
}

export function taskView(row: UserTask): TaskView {
  return {
    id: row.id,
    instanceId: row.instanceId,
    processKey: row.processKey,
    elementId: row.elementId,
    name: row.name,
    assignee: row.assignee,
    candidateGroups: row.candidateGroups,
    candidateUsers: row.candidateUsers,
    formKey: row.formKey,
    dueDate: iso(row.dueDate),
    followUpDate: iso(row.followUpDate),
    state: row.state,
    createdAt: row.createdAt.toISOString(),
    completedAt: iso(row.completedAt),
  };
}

import { userTaskHeaders, type Effect, type StepResult } from '@baton/engine';
import type { UserTaskRepository } from '../ports/repositories';
import type { UserTaskRecord } from '../ports/records';

/**
 * The job of a `canceling` task listener carries the task in Camunda 8's
 * reserved headers, as it was when its termination began (assignee,
 * candidates, dates, form, priority; set values only). The engine does not
 * hold a created task's data (assignments and updates without listeners
 * change only the task row), so the step's `createJob` effects of such
 * listeners get it here, from the row, in the step's transaction, before
 * anything is written. A task that was still being created has no row: the
 * engine put the task as it would have been in the headers itself.
 */
export async function withCancelingTaskHeaders(
  tasks: Pick<UserTaskRepository, 'get'>,
  result: StepResult,
): Promise<StepResult> {
  if (!result.effects.some(isCancelingListenerJob)) return result;
  const effects: Effect[] = [];
  for (const effect of result.effects) {
    if (!isCancelingListenerJob(effect)) {
      effects.push(effect);
      continue;
    }
    const task = await tasks.get(effect.elementInstanceId);
    effects.push(
      task === null
        ? effect
        : { ...effect, customHeaders: { ...effect.customHeaders, ...taskHeaders(task) } },
    );
  }
  return { ...result, effects };
}

function isCancelingListenerJob(effect: Effect): effect is Extract<Effect, { type: 'createJob' }> {
  return effect.type === 'createJob' && effect.listener === 'canceling';
}

function taskHeaders(task: UserTaskRecord): Record<string, string> {
  return userTaskHeaders({
    ...task,
    dueDate: task.dueDate === null ? null : task.dueDate.toISOString(),
    followUpDate: task.followUpDate === null ? null : task.followUpDate.toISOString(),
  });
}

import type { CompiledProcess, ListenerDefinition } from '../model/model.types';
import type { BehaviorContext } from './behaviors/behavior';
import { jobRetries } from './behaviors/tasks.behavior';
import type {
  ElementInstance,
  ListenerEvent,
  ListenerRun,
  TaskListenerEvent,
  UserTaskCorrections,
  UserTaskData,
  UserTaskTransition,
} from './runtime.types';

/**
 * Execution listeners (Camunda 8): jobs that must complete before an element
 * goes on. Start listeners run after the input mappings and before the
 * element's own work (its job, task, subscriptions, child, scope); end
 * listeners after the output mappings and before the element is left. The
 * listeners of one event run one at a time, in model order; the element
 * waits for each job (`ElementInstance.listener`) and, once the last one
 * completed, resumes its phase (`ElementInstance.listened`).
 *
 * A multi-instance activity runs its listeners on every inner instance, not
 * on the body (Camunda 8.8).
 */
export function listenersOf(
  process: CompiledProcess,
  inst: ElementInstance,
  event: ListenerEvent | TaskListenerEvent,
): readonly ListenerDefinition[] {
  if (inst.elementType === 'multiInstanceBody' || inst.joinArrival) return NONE;
  if (isTaskListenerEvent(event))
    return process.nodes.get(inst.elementId)?.taskListeners?.[event] ?? NONE;
  const listeners =
    inst.elementType === 'process'
      ? process.executionListeners
      : process.nodes.get(inst.elementId)?.executionListeners;
  return listeners?.[event] ?? NONE;
}

const NONE: readonly ListenerDefinition[] = Object.freeze([]);

/** The effect key of a listener's job: one per element instance, event and listener. */
export function listenerJobKey(elementInstanceId: string, run: ListenerRun): string {
  const key = `${elementInstanceId}:${run.event}-listener:${run.index}`;
  return run.round === undefined ? key : `${key}:${run.round}`;
}

/** Whether a listener event is a user task's (its jobs are TASK_LISTENER jobs). */
export function isTaskListenerEvent(
  event: ListenerEvent | TaskListenerEvent,
): event is TaskListenerEvent {
  return event !== 'start' && event !== 'end';
}

/**
 * Creates the job of the listener at `index` and rests the element on it.
 * Its type and retries are evaluated first, in the element's scope (what the
 * input mappings wrote is visible): a failure throws before anything changes.
 */
export function startListenerJob(
  x: BehaviorContext,
  inst: ElementInstance,
  event: ListenerEvent,
  index: number,
): void {
  const headers = inst.elementType === 'process' ? {} : (x.node(inst).job?.headers ?? {});
  emitListenerJob(x, inst, { event, index }, `the ${event} execution listener`, headers);
  inst.state = 'WAITING';
  delete inst.pending;
}

/**
 * User task listeners (Camunda 8.8's `creating` event): before the task is
 * created, each listener's job sees the task as it will be (in reserved
 * headers) and may correct it; the task is created once the last one
 * completed. The element is activated meanwhile (its boundary events are
 * open); the task exists only afterwards.
 */
export function startTaskListenerJob(
  x: BehaviorContext,
  inst: ElementInstance,
  index: number,
): void {
  emitListenerJob(
    x,
    inst,
    { event: 'creating', index },
    'the creating task listener',
    taskHeaders(inst.id, inst.userTask as UserTaskData, ''),
  );
}

/**
 * The job of a transition's task listener (`assigning`, `completing`): its
 * headers carry the task as the transition would leave it (with earlier
 * listeners' corrections) and the action the client asked for.
 */
export function startTransitionListenerJob(
  x: BehaviorContext,
  inst: ElementInstance,
  index: number,
): void {
  const transition = inst.transition as UserTaskTransition;
  emitListenerJob(
    x,
    inst,
    { event: transition.event, index, round: inst.transitions ?? 1 },
    `the ${transition.event} task listener`,
    {
      ...taskHeaders(inst.id, inst.userTask as UserTaskData, transition.action),
      ...(transition.changedAttributes !== undefined
        ? { 'io.camunda.zeebe:changedAttributes': JSON.stringify(transition.changedAttributes) }
        : {}),
    },
  );
}

/**
 * The job of a `canceling` task listener (Camunda 8.8): the element is being
 * terminated and its task canceled. Its headers carry the task key and an
 * empty action; the host adds the task's data from the task as it was
 * (the engine does not hold it), or, for a task still being created, the
 * engine gives the task as it would have been.
 */
export function startCancelingListenerJob(
  x: BehaviorContext,
  inst: ElementInstance,
  index: number,
): void {
  const task = inst.userTask;
  emitListenerJob(
    x,
    inst,
    { event: 'canceling', index },
    'the canceling task listener',
    task !== undefined
      ? taskHeaders(inst.id, task, '')
      : { 'io.camunda.zeebe:userTaskKey': inst.id, 'io.camunda.zeebe:action': '' },
  );
}

/** The job of one listener run, its type and retries evaluated in the element's scope; the element remembers the run. */
function emitListenerJob(
  x: BehaviorContext,
  inst: ElementInstance,
  run: ListenerRun,
  kind: string,
  customHeaders: Readonly<Record<string, string>>,
): void {
  const definition = listenersOf(x.process, inst, run.event)[run.index];
  const what = `${kind} #${run.index + 1} of '${inst.elementId}'`;
  const jobType = x.evaluateString(definition.type, inst.id, `the job type of ${what}`);
  const retries = jobRetries(x, definition.retries, inst.id, what);
  inst.listener = run;
  x.emit({
    type: 'createJob',
    key: listenerJobKey(inst.id, run),
    elementInstanceId: inst.id,
    elementId: inst.elementId,
    jobType,
    retries,
    customHeaders,
    variables: x.visible(inst),
    listener: run.event,
  });
}

/** Camunda 8's reserved headers of a task listener job: the task's key, the action and its data. */
function taskHeaders(
  userTaskKey: string,
  task: UserTaskData,
  action: string,
): Record<string, string> {
  return {
    'io.camunda.zeebe:userTaskKey': userTaskKey,
    'io.camunda.zeebe:action': action,
    ...userTaskHeaders(task),
  };
}

/** The task's data as Camunda 8's reserved headers of a task listener job, set values only. */
export function userTaskHeaders(task: Omit<UserTaskData, 'name'>): Record<string, string> {
  const headers: Record<string, string> = {};
  const put = (name: string, value: string | null): void => {
    if (value !== null && value !== '') headers[`io.camunda.zeebe:${name}`] = value;
  };
  put('assignee', task.assignee);
  if (task.candidateGroups.length > 0) put('candidateGroups', JSON.stringify(task.candidateGroups));
  if (task.candidateUsers.length > 0) put('candidateUsers', JSON.stringify(task.candidateUsers));
  put('dueDate', task.dueDate);
  put('followUpDate', task.followUpDate);
  put('formKey', task.formKey);
  put('priority', String(task.priority));
  return headers;
}

/** A task with a listener's corrections applied: null or absent keeps, `''` and `[]` clear. */
export function correctedTask(
  task: UserTaskData,
  corrections: UserTaskCorrections | undefined,
): UserTaskData {
  if (corrections === undefined) return task;
  const text = (value: string | null | undefined, current: string | null): string | null =>
    value === undefined || value === null ? current : value === '' ? null : value;
  const list = (value: readonly string[] | null | undefined, current: string[]): string[] =>
    value === undefined || value === null ? current : [...value];
  return {
    ...task,
    assignee: text(corrections.assignee, task.assignee),
    dueDate: text(corrections.dueDate, task.dueDate),
    followUpDate: text(corrections.followUpDate, task.followUpDate),
    candidateUsers: list(corrections.candidateUsers, task.candidateUsers),
    candidateGroups: list(corrections.candidateGroups, task.candidateGroups),
    priority:
      corrections.priority === undefined || corrections.priority === null
        ? task.priority
        : corrections.priority,
  };
}

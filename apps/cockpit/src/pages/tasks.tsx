import { useState } from 'preact/hooks';
import { getJson, query, send, V1, type Page, type Task } from '../api';
import { when } from '../format';
import { href, navigate, usePolled } from '../hooks';
import { useMay, useMe } from '../me';
import { ErrorLine, Pager } from './common';
import { TaskFormView, useTaskForm } from './task-form';

export interface TaskFilters {
  readonly assignee?: string;
  readonly candidateGroup?: string;
  readonly processKey?: string;
}

/** Open user tasks: claim (as the name typed in), unclaim, complete with variables as JSON. */
export function TasksPage({
  filters,
  selected,
}: {
  filters: TaskFilters;
  selected: string | null;
}) {
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors.at(-1);
  const q = query({ ...filters, limit: 50, cursor });
  const page = usePolled(() => getJson<Page<Task>>(`${V1}/tasks${q}`), [q]);
  const [draft, setDraft] = useState<TaskFilters>(filters);
  const task = page.data?.items.find((t) => t.id === selected);
  // Said outside the panel: a completed task leaves the list of open ones, and its panel with it.
  const [notice, setNotice] = useState<string | null>(null);
  return (
    <main>
      <h1>Tasks</h1>
      <form
        class="filters"
        aria-label="Filters"
        onSubmit={(e) => {
          e.preventDefault();
          setCursors([]);
          navigate('/tasks', { ...draft });
        }}
      >
        <label>
          Assignee{' '}
          <input
            value={draft.assignee ?? ''}
            onInput={(e) => setDraft({ ...draft, assignee: e.currentTarget.value.trim() })}
          />
        </label>
        <label>
          Candidate group{' '}
          <input
            value={draft.candidateGroup ?? ''}
            onInput={(e) => setDraft({ ...draft, candidateGroup: e.currentTarget.value.trim() })}
          />
        </label>
        <label>
          Process{' '}
          <input
            value={draft.processKey ?? ''}
            onInput={(e) => setDraft({ ...draft, processKey: e.currentTarget.value.trim() })}
          />
        </label>
        <button type="submit">Filter</button>
      </form>
      <ErrorLine error={page.error} />
      {notice !== null && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      <div class="split">
        <div>
          {page.data !== undefined && page.data.items.length === 0 && <p>No open task matches.</p>}
          {page.data !== undefined && page.data.items.length > 0 && (
            <table class="tasks">
              <thead>
                <tr>
                  <th scope="col">Task</th>
                  <th scope="col">Process</th>
                  <th scope="col">Assignee</th>
                  <th scope="col">Candidates</th>
                  <th scope="col">Created</th>
                </tr>
              </thead>
              <tbody>
                {page.data.items.map((t) => (
                  <tr key={t.id} class={t.id === selected ? 'selected' : ''}>
                    <td>
                      <a href={href('/tasks', { ...filters, task: t.id })}>
                        {t.name ?? t.elementId}
                      </a>
                    </td>
                    <td>
                      <a href={href(`/instances/${t.instanceId}`)}>{t.processKey}</a>
                    </td>
                    <td>{t.assignee ?? '—'}</td>
                    <td>{[...t.candidateGroups, ...t.candidateUsers].join(', ')}</td>
                    <td>{when(t.createdAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <Pager cursors={cursors} nextCursor={page.data?.nextCursor} onPage={setCursors} />
        </div>
        {task !== undefined && (
          <TaskPanel
            key={task.id}
            task={task}
            onChange={page.reload}
            onCompleted={() => {
              setNotice(`Task "${task.name ?? task.elementId}" completed.`);
              navigate('/tasks', { ...filters });
            }}
          />
        )}
      </div>
    </main>
  );
}

function TaskPanel({
  task,
  onChange,
  onCompleted,
}: {
  task: Task;
  onChange: () => void;
  onCompleted: () => void;
}) {
  const [assignee, setAssignee] = useState(task.assignee ?? '');
  const [variables, setVariables] = useState('{\n  \n}');
  const [error, setError] = useState<Error | undefined>(undefined);
  const [done, setDone] = useState<string | null>(null);
  const form = useTaskForm(task);
  // Claim, unclaim and complete need `tasks`; without it the panel only shows the task.
  const mayWork = useMay()('tasks');
  const known = useMe() !== undefined;
  const run = async (what: string, call: () => Promise<unknown>, then?: () => void) => {
    setError(undefined);
    try {
      await call();
      if (then === undefined) setDone(what);
      else then();
    } catch (e) {
      setError(e as Error);
    } finally {
      onChange();
    }
  };
  const parsed = (): Record<string, unknown> => {
    const value: unknown = JSON.parse(variables.trim() === '' ? '{}' : variables);
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      throw new Error('the variables must be a JSON object');
    return value as Record<string, unknown>;
  };
  return (
    <aside class="panel" aria-label={`Task ${task.name ?? task.elementId}`}>
      <h2>{task.name ?? task.elementId}</h2>
      <dl class="facts">
        <dt>Element</dt>
        <dd>{task.elementId}</dd>
        <dt>Instance</dt>
        <dd>
          <a href={href(`/instances/${task.instanceId}`)}>{task.instanceId}</a>
        </dd>
        <dt>Form</dt>
        <dd>{task.formKey ?? '—'}</dd>
        <dt>Due</dt>
        <dd>{when(task.dueDate) || '—'}</dd>
      </dl>
      {known && !mayWork && (
        <p class="hint">
          Claiming and completing tasks needs the permission <code>tasks</code>.
        </p>
      )}
      {mayWork && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void run('claimed', () =>
              send('POST', `${V1}/tasks/${task.id}/claim`, { assignee: assignee.trim() }),
            );
          }}
        >
          <label>
            Assignee{' '}
            <input value={assignee} required onInput={(e) => setAssignee(e.currentTarget.value)} />
          </label>{' '}
          <button type="submit">Claim</button>{' '}
          <button
            type="button"
            disabled={task.assignee === null}
            onClick={() =>
              void run('unclaimed', () => send('DELETE', `/v2/user-tasks/${task.id}/assignee`))
            }
          >
            Unclaim
          </button>
        </form>
      )}
      {mayWork && form.state === 'loading' && <p>Loading the form…</p>}
      {mayWork && form.state === 'ready' && (
        <TaskFormView
          form={form}
          onSubmit={(data) =>
            void run(
              'completed',
              () => send('POST', `${V1}/tasks/${task.id}/complete`, { variables: data }),
              onCompleted,
            )
          }
        />
      )}
      {mayWork && form.state === 'none' && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void run(
              'completed',
              async () => send('POST', `${V1}/tasks/${task.id}/complete`, { variables: parsed() }),
              onCompleted,
            );
          }}
        >
          <p class="hint">{form.reason} Complete it with variables:</p>
          <label class="block">
            Variables (a JSON object)
            <textarea
              rows={8}
              spellcheck={false}
              value={variables}
              onInput={(e) => setVariables(e.currentTarget.value)}
            />
          </label>
          <button type="submit">Complete</button>
        </form>
      )}
      {done !== null && <p aria-live="polite">Task {done}.</p>}
      <ErrorLine error={error} />
    </aside>
  );
}

import type { Form } from '@bpmn-io/form-js-viewer';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, getJson, V1, type Task } from '../api';

/** What `GET /api/v1/tasks/{id}/form` answers. */
type TaskForm =
  | { kind: 'linked'; form: { formId: string; version: number }; schema: unknown }
  | { kind: 'embedded'; formKey: string; schema: unknown }
  | { kind: 'external'; formKey: string };

/** The task's form as loaded: `none` when the task has no Camunda Form to render. */
export type LoadedForm =
  | { state: 'loading' }
  | { state: 'none'; reason: string }
  | { state: 'ready'; schema: object; data: Record<string, unknown>; title: string };

/** Loads the task's form and the instance's variables (the form's initial values). */
export function useTaskForm(task: Task): LoadedForm {
  const [loaded, setLoaded] = useState<LoadedForm>({ state: 'loading' });
  useEffect(() => {
    let live = true;
    const load = async (): Promise<LoadedForm> => {
      if (task.formKey === null) return { state: 'none', reason: 'The task has no form.' };
      let form: TaskForm;
      try {
        form = await getJson<TaskForm>(`${V1}/tasks/${task.id}/form`);
      } catch (e) {
        if (e instanceof ApiError && e.status === 404) return { state: 'none', reason: e.message };
        throw e;
      }
      if (form.kind === 'external')
        return { state: 'none', reason: `The form is external: ${form.formKey}` };
      if (typeof form.schema !== 'object' || form.schema === null) {
        return { state: 'none', reason: 'The embedded form is not JSON.' };
      }
      const instance = await getJson<{ variables?: Record<string, unknown> }>(
        `${V1}/instances/${task.instanceId}`,
      );
      const title =
        form.kind === 'linked'
          ? `${form.form.formId}, version ${form.form.version}`
          : 'embedded form';
      return { state: 'ready', schema: form.schema, data: instance.variables ?? {}, title };
    };
    load().then(
      (result) => live && setLoaded(result),
      (e: unknown) =>
        live &&
        setLoaded({
          state: 'none',
          reason: `The form could not be loaded: ${(e as Error).message}`,
        }),
    );
    return () => {
      live = false;
    };
  }, [task.id, task.formKey]);
  return loaded;
}

/**
 * A Camunda Form rendered by form-js (the viewer Camunda's Tasklist uses).
 * "Complete" submits it: form-js shows each field's validation message, and
 * only a form without errors hands its data to `onSubmit`.
 */
export function TaskFormView({
  form,
  onSubmit,
}: {
  form: Extract<LoadedForm, { state: 'ready' }>;
  onSubmit: (data: Record<string, unknown>) => void;
}) {
  const container = useRef<HTMLDivElement>(null);
  const viewer = useRef<Form | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    const parent = container.current;
    if (parent === null) return;
    let f: Form | null = null;
    let live = true;
    // form-js is loaded with the first form shown, not with every page of the cockpit.
    Promise.all([
      import('@bpmn-io/form-js-viewer'),
      import('@bpmn-io/form-js-viewer/dist/assets/form-js.css'),
    ])
      .then(async ([{ Form: FormViewer }]) => {
        if (!live) return;
        f = new FormViewer({ container: parent });
        viewer.current = f;
        // The refusal of the last "Complete" goes once an edit leaves no field failing (form-js marks each one).
        f.on('changed', (state: { errors?: Record<string, unknown> }) => {
          if (Object.keys(state.errors ?? {}).length === 0) setProblem(null);
        });
        await f.importSchema(form.schema as never, form.data);
      })
      .catch(
        (e: unknown) => live && setProblem(`The form cannot be shown: ${(e as Error).message}`),
      );
    return () => {
      live = false;
      viewer.current = null;
      f?.destroy();
    };
  }, [form]);
  return (
    <section aria-label="Task form">
      <h3>Form ({form.title})</h3>
      {problem !== null && <p role="alert">{problem}</p>}
      <div ref={container} class="task-form" />
      <button
        type="button"
        onClick={() => {
          const result = viewer.current?.submit();
          if (result === undefined) return;
          const failing = Object.keys(result.errors);
          if (failing.length > 0) {
            setProblem(
              `Check ${failing.length === 1 ? 'the field' : 'the fields'} marked in the form.`,
            );
            return;
          }
          setProblem(null);
          onSubmit(result.data as Record<string, unknown>);
        }}
      >
        Complete
      </button>
    </section>
  );
}

import { useState } from 'preact/hooks';
import { json } from '../format';
import { ErrorLine } from './common';
import { parseJson } from './json-input';

/** Saves one variable's new value in the scope the table shows. */
export type SaveVariable = (name: string, value: unknown) => Promise<void>;

/** An id made of what may stand in an `id` attribute (variable names may hold spaces). */
const idPart = (text: string): string => text.replace(/[^A-Za-z0-9_-]/g, '_');

/**
 * The variables of one scope, each value as JSON. With `onSave` (a caller
 * holding `operate`, an instance still running) each has "Edit": its JSON in
 * a text field, checked before anything is sent, then saved by `onSave`.
 * `scope` (an element id) names an inner scope in the labels ("Edit total in
 * pack"); the process scope goes without it.
 */
export function Variables({
  variables,
  onSave,
  scope,
  scopeKey = 'process',
  tableClass = 'variables',
}: {
  variables: Record<string, unknown>;
  onSave?: SaveVariable;
  scope?: string;
  /** Keeps the ids of two scopes' rows apart. */
  scopeKey?: string;
  tableClass?: string;
}) {
  const names = Object.keys(variables).sort();
  if (names.length === 0) return <p>No variable.</p>;
  return (
    <table class={tableClass}>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Value (JSON)</th>
          {onSave !== undefined && (
            <th scope="col">
              <span class="visually-hidden">Action</span>
            </th>
          )}
        </tr>
      </thead>
      <tbody>
        {names.map((name) => (
          <VariableRow
            key={name}
            name={name}
            value={variables[name]}
            onSave={onSave}
            scope={scope}
            scopeKey={scopeKey}
          />
        ))}
      </tbody>
    </table>
  );
}

function VariableRow({
  name,
  value,
  onSave,
  scope,
  scopeKey,
}: {
  name: string;
  value: unknown;
  onSave?: SaveVariable;
  scope?: string;
  scopeKey: string;
}) {
  const [draft, setDraft] = useState<string | null>(null);
  const [invalid, setInvalid] = useState<string | null>(null);
  const [error, setError] = useState<Error | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const errorId = `variable-${idPart(scopeKey)}-${idPart(name)}-error`;
  const named = scope === undefined ? name : `${name} in ${scope}`;
  const save = async (text: string) => {
    const parsed = parseJson(text);
    setInvalid(parsed.error ?? null);
    setError(undefined);
    if (parsed.error !== undefined || onSave === undefined) return;
    setBusy(true);
    try {
      await onSave(name, parsed.value);
      setDraft(null);
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <tr>
      <td>
        <code>{name}</code>
      </td>
      <td>
        {draft === null ? (
          <pre>{json(value)}</pre>
        ) : (
          <form
            aria-label={`Edit ${named}`}
            onSubmit={(e) => {
              e.preventDefault();
              void save(draft);
            }}
          >
            <label class="block">
              <span class="visually-hidden">New value of {named} (JSON)</span>
              <textarea
                rows={Math.min(12, draft.split('\n').length + 1)}
                spellcheck={false}
                value={draft}
                aria-invalid={invalid !== null}
                aria-describedby={invalid !== null ? errorId : undefined}
                onInput={(e) => setDraft(e.currentTarget.value)}
              />
            </label>
            {invalid !== null && (
              <p id={errorId} class="error" role="alert">
                {name}: {invalid}
              </p>
            )}
            <ErrorLine error={error} />
            <button type="submit" disabled={busy}>
              Save
            </button>{' '}
            <button
              type="button"
              onClick={() => {
                setDraft(null);
                setInvalid(null);
                setError(undefined);
              }}
            >
              Discard
            </button>
          </form>
        )}
      </td>
      {onSave !== undefined && (
        <td>
          {draft === null && (
            <button
              type="button"
              aria-label={`Edit ${named}`}
              onClick={() => setDraft(JSON.stringify(value, null, 2))}
            >
              Edit
            </button>
          )}
        </td>
      )}
    </tr>
  );
}

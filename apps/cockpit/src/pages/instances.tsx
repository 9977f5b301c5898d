import { useState } from 'preact/hooks';
import { getJson, query, V1, type Definition, type InstanceSummary, type Page } from '../api';
import { when } from '../format';
import { href, navigate, usePolled } from '../hooks';
import { useMay } from '../me';
import { BulkAction } from './batches';
import { ErrorLine, Pager, Status } from './common';

const STATUSES = ['ACTIVE', 'SUSPENDED', 'COMPLETED', 'CANCELED'] as const;

/** The list's filters, in the URL and sent to `GET /api/v1/instances` as they are (text). */
export const instanceFilterNames = [
  'processKey',
  'version',
  'status',
  'hasIncident',
  'businessKey',
  'startedFrom',
  'startedTo',
  'variableName',
  'variableValue',
] as const;

export type InstanceFilters = Readonly<Partial<Record<(typeof instanceFilterNames)[number], string>>>;

/**
 * The same filter as a batch's JSON `filter` (`POST /api/v1/batches`): the
 * version a number, hasIncident a boolean, the variable's value the JSON value
 * its text is. Text that is not JSON is refused here (as the list refuses it):
 * sent as a string it would name another value.
 */
export function batchFilter(filters: InstanceFilters): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(filters)) {
    if (value === undefined || value === '') continue;
    if (name === 'version') body.version = Number(value);
    else if (name === 'hasIncident') body.hasIncident = value === 'true';
    else if (name === 'variableValue') {
      try {
        body.variableValue = JSON.parse(value) as unknown;
      } catch (e) {
        throw new Error(`variableValue: not JSON: ${(e as Error).message} (a string is written in quotes: "gold")`, { cause: e });
      }
    } else body[name] = value;
  }
  return body;
}

/** An ISO instant as a datetime-local input shows it (the browser's zone, to the second). */
function localInput(iso: string | undefined): string {
  if (iso === undefined || Number.isNaN(Date.parse(iso))) return '';
  const d = new Date(iso);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** A datetime-local input's value (the browser's zone) as an ISO instant for the URL. */
const isoOf = (local: string): string | undefined => (local === '' ? undefined : new Date(local).toISOString());

/**
 * Instances, newest first, filtered as `GET /api/v1/instances` can (process
 * and version, status, open incident, business key, start time, a variable's
 * value); the filters live in the URL.
 */
export function InstancesPage({ filters }: { filters: InstanceFilters }) {
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors.at(-1);
  const q = query({ ...filters, limit: 50, cursor });
  const page = usePolled(() => getJson<Page<InstanceSummary>>(`${V1}/instances${q}`), [q]);
  const processes = usePolled(
    () => getJson<Page<Definition>>(`${V1}/processes?limit=1000`),
    [],
    false,
  );
  const [text, setText] = useState({
    businessKey: filters.businessKey ?? '',
    version: filters.version ?? '',
    startedFrom: localInput(filters.startedFrom),
    startedTo: localInput(filters.startedTo),
    variableName: filters.variableName ?? '',
    variableValue: filters.variableValue ?? '',
  });
  const typed = (name: keyof typeof text) => ({
    value: text[name],
    onInput: (e: { currentTarget: HTMLInputElement }) => setText({ ...text, [name]: e.currentTarget.value }),
  });
  const may = useMay();
  const filter = (change: InstanceFilters) => {
    setCursors([]);
    navigate('/instances', { ...filters, ...change });
  };
  let bulk: Record<string, unknown> | Error;
  try {
    bulk = batchFilter(filters);
  } catch (e) {
    bulk = e as Error;
  }
  return (
    <main>
      <h1>Instances</h1>
      <form
        class="filters"
        aria-label="Filters"
        onSubmit={(e) => {
          e.preventDefault();
          filter({
            businessKey: text.businessKey.trim(),
            version: text.version.trim(),
            startedFrom: isoOf(text.startedFrom),
            startedTo: isoOf(text.startedTo),
            variableName: text.variableName.trim(),
            variableValue: text.variableValue.trim(),
          });
        }}
      >
        <label>
          Process{' '}
          <select
            value={filters.processKey ?? ''}
            onChange={(e) => filter({ processKey: e.currentTarget.value, version: undefined })}
          >
            <option value="">all</option>
            {filters.processKey &&
              !processes.data?.items.some((d) => d.key === filters.processKey) && (
                <option value={filters.processKey}>{filters.processKey}</option>
              )}
            {processes.data?.items.map((d) => (
              <option key={d.key} value={d.key}>
                {d.key}
              </option>
            ))}
          </select>
        </label>
        <label>
          Version{' '}
          <input
            class="narrow"
            inputMode="numeric"
            disabled={!filters.processKey}
            title={filters.processKey ? undefined : 'Choose a process first'}
            {...typed('version')}
          />
        </label>
        <label>
          Status{' '}
          <select
            value={filters.status ?? ''}
            onChange={(e) => filter({ status: e.currentTarget.value })}
          >
            <option value="">all</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Incident{' '}
          <select
            value={filters.hasIncident ?? ''}
            onChange={(e) => filter({ hasIncident: e.currentTarget.value })}
          >
            <option value="">any</option>
            <option value="true">with an open incident</option>
            <option value="false">without</option>
          </select>
        </label>
        <label>
          Business key <input {...typed('businessKey')} />
        </label>
        <label>
          Started from <input type="datetime-local" step="1" {...typed('startedFrom')} />
        </label>
        <label>
          to <input type="datetime-local" step="1" {...typed('startedTo')} />
        </label>
        <label>
          Variable <input class="narrow" placeholder="name" {...typed('variableName')} />
        </label>
        <label>
          = <input class="narrow" placeholder='JSON: "gold", 150' aria-label="Variable value (JSON)" {...typed('variableValue')} />
        </label>
        <button type="submit">Filter</button>
      </form>
      {may('operate') && (bulk instanceof Error ? <ErrorLine error={bulk} /> : <BulkAction filter={bulk} />)}
      <ErrorLine error={page.error} />
      {page.data !== undefined && page.data.items.length === 0 && <p>No instance matches.</p>}
      {page.data !== undefined && page.data.items.length > 0 && (
        <table class="instances">
          <thead>
            <tr>
              <th scope="col">Instance</th>
              <th scope="col">Process</th>
              <th scope="col">Status</th>
              <th scope="col">Business key</th>
              <th scope="col">Started</th>
              <th scope="col">Ended</th>
            </tr>
          </thead>
          <tbody>
            {page.data.items.map((i) => (
              <tr key={i.id} data-instance-id={i.id}>
                <td>
                  <a href={href(`/instances/${i.id}`)}>{i.id}</a>
                </td>
                <td>
                  {i.processKey} v{i.version}
                </td>
                <td>
                  <Status status={i.status} />
                </td>
                <td>{i.businessKey ?? ''}</td>
                <td>{when(i.startedAt)}</td>
                <td>{when(i.endedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager cursors={cursors} nextCursor={page.data?.nextCursor} onPage={setCursors} />
    </main>
  );
}

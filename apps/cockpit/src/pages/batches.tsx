import { useState } from 'preact/hooks';
import {
  getJson,
  query,
  send,
  V1,
  type Batch,
  type BatchItem,
  type BatchType,
  type Page,
} from '../api';
import { when } from '../format';
import { href, navigate, usePolled } from '../hooks';
import { useMay } from '../me';
import { ErrorLine, Pager, Status } from './common';

/** The bulk actions the instance list offers, by batch type, as a user reads them. */
export const BULK_ACTIONS: readonly { type: BatchType; label: string }[] = [
  { type: 'CANCEL_PROCESS_INSTANCE', label: 'Cancel' },
  { type: 'SUSPEND_PROCESS_INSTANCE', label: 'Suspend' },
  { type: 'RESUME_PROCESS_INSTANCE', label: 'Resume' },
  { type: 'RESOLVE_INCIDENT', label: 'Resolve incidents' },
];

/** Batch types started elsewhere (the API), as a user reads them. */
const OTHER_LABELS: Readonly<Record<string, string>> = {
  MIGRATE_PROCESS_INSTANCE: 'Migrate',
  SET_VARIABLES: 'Set variables',
  DELETE_PROCESS_INSTANCE: 'Delete',
};

const label = (type: string): string =>
  BULK_ACTIONS.find((a) => a.type === type)?.label ??
  OTHER_LABELS[type] ??
  type.toLowerCase().replaceAll('_', ' ');

/**
 * `processKey: order, version: 2, status: ACTIVE, variable tier = "gold"`, or
 * "every instance" for an empty filter (a batch's filter, as JSON).
 */
export function describeFilter(filter: Record<string, unknown>): string {
  // The list's own order (a stored filter comes back with its keys in the database's order).
  const order = ['processKey', 'version', 'status', 'hasIncident', 'businessKey', 'startedFrom', 'startedTo', 'variableName'];
  const rank = (name: string) => (order.includes(name) ? order.indexOf(name) : order.length);
  const parts = Object.entries(filter)
    .filter(([k, v]) => v !== undefined && v !== '' && k !== 'variableValue')
    .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
    .map(([k, v]) => {
      if (k !== 'variableName') return `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`;
      return 'variableValue' in filter ? `variable ${String(v)} = ${JSON.stringify(filter.variableValue)}` : `variable ${String(v)} set`;
    });
  return parts.length === 0 ? 'every instance' : parts.join(', ');
}

/** Done of total (completed, failed and skipped items count as done), as a progress bar and words. */
export function BatchProgress({ batch }: { batch: Batch }) {
  const done = batch.completed + batch.failed + batch.skipped;
  return (
    <span class="batch-progress">
      <progress
        max={Math.max(batch.total, 1)}
        value={batch.total === 0 ? 1 : done}
        aria-label={`Batch ${batch.key} progress`}
      />
      <span class="progress-text">
        {done} of {batch.total}
        {batch.failed > 0 ? `, ${batch.failed} failed` : ''}
        {batch.skipped > 0 ? `, ${batch.skipped} skipped` : ''}
      </span>
    </span>
  );
}

/**
 * One batch, polled until it ends: state, progress, and a Cancel button
 * while it runs (for callers who may operate). Used on the instance list
 * right after a bulk action and on the batches page.
 */
export function BatchPanel({ batchKey }: { batchKey: string }) {
  const may = useMay();
  const batch = usePolled(() => getJson<Batch>(`${V1}/batches/${batchKey}`), [batchKey]);
  const [error, setError] = useState<Error | undefined>();
  const b = batch.data;
  return (
    <section class="batch" aria-label={`Batch ${batchKey}`}>
      <ErrorLine error={error ?? batch.error} />
      {b !== undefined && (
        <p>
          <a href={href('/batches', { batch: b.key })}>
            {label(b.type)} — batch {b.key}
          </a>{' '}
          <Status status={b.state} /> <BatchProgress batch={b} />{' '}
          {b.state === 'ACTIVE' && may('operate') && (
            <button
              type="button"
              onClick={() => {
                setError(undefined);
                send('POST', `${V1}/batches/${b.key}/cancel`).then(batch.reload, setError);
              }}
            >
              Cancel batch
            </button>
          )}
        </p>
      )}
    </section>
  );
}

/**
 * The instance list's bulk action: one batch operation over every instance
 * the list's filter matches (not only the page shown), confirmed first,
 * then followed with a progress bar. Shown to callers who may operate.
 */
export function BulkAction({ filter }: { filter: Record<string, unknown> }) {
  const [type, setType] = useState<BatchType>('CANCEL_PROCESS_INSTANCE');
  const [started, setStarted] = useState<string | undefined>();
  const [error, setError] = useState<Error | undefined>();
  const defined = Object.fromEntries(
    Object.entries(filter).filter(([, v]) => v !== undefined && v !== ''),
  );
  return (
    <div class="bulk">
      <form
        class="filters"
        aria-label="Bulk action"
        onSubmit={(e) => {
          e.preventDefault();
          const words = `${label(type)}: every instance matching ${describeFilter(defined)}?`;
          if (!confirm(`${words} This runs as a batch operation and cannot be undone.`)) return;
          setError(undefined);
          send<Batch>('POST', `${V1}/batches`, { type, filter: defined }).then(
            (b) => setStarted(b?.key),
            setError,
          );
        }}
      >
        <label>
          Bulk action{' '}
          <select value={type} onChange={(e) => setType(e.currentTarget.value as BatchType)}>
            {BULK_ACTIONS.map((a) => (
              <option key={a.type} value={a.type}>
                {a.label}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">Apply to all matching</button>
      </form>
      <ErrorLine error={error} />
      {started !== undefined && <BatchPanel key={started} batchKey={started} />}
    </div>
  );
}

/** Batch operations, newest first, with their progress; `?batch=` opens one with its failed items. */
export function BatchesPage({ selected }: { selected: string | undefined }) {
  const [cursors, setCursors] = useState<string[]>([]);
  const q = query({ limit: 50, cursor: cursors.at(-1) });
  const page = usePolled(() => getJson<Page<Batch>>(`${V1}/batches${q}`), [q]);
  return (
    <main>
      <h1>Batch operations</h1>
      <ErrorLine error={page.error} />
      {selected !== undefined && <BatchDetail key={selected} batchKey={selected} />}
      {page.data !== undefined && page.data.items.length === 0 && (
        <p>
          No batch operation yet. Start one from the{' '}
          <a href={href('/instances')}>instance list</a>.
        </p>
      )}
      {page.data !== undefined && page.data.items.length > 0 && (
        <table class="batches">
          <thead>
            <tr>
              <th scope="col">Batch</th>
              <th scope="col">Action</th>
              <th scope="col">Instances</th>
              <th scope="col">State</th>
              <th scope="col">Progress</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {page.data.items.map((b) => (
              <tr key={b.key} data-batch-key={b.key}>
                <td>
                  <a href={href('/batches', { batch: b.key })}>{b.key}</a>
                </td>
                <td>{label(b.type)}</td>
                <td>{describeFilter(b.filter)}</td>
                <td>
                  <Status status={b.state} />
                </td>
                <td>
                  <BatchProgress batch={b} />
                </td>
                <td>{when(b.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager cursors={cursors} nextCursor={page.data?.nextCursor} onPage={setCursors} />
    </main>
  );
}

/** One batch: its panel and the items that failed, with the reason each gives. */
function BatchDetail({ batchKey }: { batchKey: string }) {
  const failed = usePolled(
    () => getJson<Page<BatchItem>>(`${V1}/batches/${batchKey}/items?state=FAILED&limit=100`),
    [batchKey],
  );
  return (
    <section class="batch-detail">
      <BatchPanel batchKey={batchKey} />
      <ErrorLine error={failed.error} />
      {failed.data !== undefined && failed.data.items.length > 0 && (
        <table class="batch-items" aria-label="Failed items">
          <thead>
            <tr>
              <th scope="col">Instance</th>
              <th scope="col">Why it failed</th>
              <th scope="col">When</th>
            </tr>
          </thead>
          <tbody>
            {failed.data.items.map((i) => (
              <tr key={i.itemKey}>
                <td>
                  <a href={href(`/instances/${i.instanceId}`)}>{i.instanceId}</a>
                </td>
                <td>{i.error ?? ''}</td>
                <td>{when(i.processedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p>
        <button type="button" class="link" onClick={() => navigate('/batches')}>
          Close
        </button>
      </p>
    </section>
  );
}

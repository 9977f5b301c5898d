import { useState } from 'preact/hooks';
import { getJson, query, V1, type Definition, type InstanceSummary, type Page } from '../api';
import { when } from '../format';
import { href, navigate, usePolled } from '../hooks';
import { useMay } from '../me';
import { BulkAction } from './batches';
import { ErrorLine, Pager, Status } from './common';

const STATUSES = ['ACTIVE', 'SUSPENDED', 'COMPLETED', 'CANCELED'] as const;

export interface InstanceFilters {
  readonly processKey?: string;
  readonly status?: string;
  readonly businessKey?: string;
}

/** Instances, newest first, filtered as `GET /api/v1/instances` can (process, status, business key); the filters live in the URL. */
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
  const [businessKey, setBusinessKey] = useState(filters.businessKey ?? '');
  const may = useMay();
  const filter = (change: InstanceFilters) => {
    setCursors([]);
    navigate('/instances', { ...filters, ...change });
  };
  return (
    <main>
      <h1>Instances</h1>
      <form
        class="filters"
        aria-label="Filters"
        onSubmit={(e) => {
          e.preventDefault();
          filter({ businessKey: businessKey.trim() });
        }}
      >
        <label>
          Process{' '}
          <select
            value={filters.processKey ?? ''}
            onChange={(e) => filter({ processKey: e.currentTarget.value })}
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
          Business key{' '}
          <input value={businessKey} onInput={(e) => setBusinessKey(e.currentTarget.value)} />
        </label>
        <button type="submit">Filter</button>
      </form>
      {may('operate') && <BulkAction filter={{ ...filters }} />}
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

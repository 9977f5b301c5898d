import { useState } from 'preact/hooks';
import {
  getJson,
  query,
  send,
  V1,
  type Definition,
  type Incident,
  type IncidentGroup,
  type JobListItem,
  type MessageSubscription,
  type Page,
  type Timer,
} from '../api';
import { when } from '../format';
import { href, navigate, usePolled } from '../hooks';
import { useMay } from '../me';
import { ErrorLine, Pager } from './common';

export type WaitingTab = 'jobs' | 'timers' | 'messages' | 'incidents';
export type WaitingFilters = Readonly<Record<string, string | undefined>>;

const TABS: readonly [WaitingTab, string][] = [
  ['jobs', 'Jobs'],
  ['timers', 'Timers'],
  ['messages', 'Message subscriptions'],
  ['incidents', 'Incidents'],
];

/** The filters each tab takes from the URL (and sends to the API as they are). */
const FILTERS: Readonly<Record<WaitingTab, readonly string[]>> = {
  jobs: ['type', 'state', 'processKey', 'worker'],
  timers: ['state', 'processKey', 'elementId'],
  messages: ['messageName', 'correlationKey', 'processKey'],
  incidents: ['processKey'],
};

export const waitingFilterNames = (tab: WaitingTab): readonly string[] => FILTERS[tab];

/**
 * Work that waits across all instances, read without taking it: jobs (no
 * lease), timers in the order they fall due, message subscriptions, and open
 * incidents grouped by cause with "Retry all in this group".
 */
export function WaitingPage({ tab, filters }: { tab: WaitingTab; filters: WaitingFilters }) {
  return (
    <main>
      <h1>Waiting work</h1>
      <nav class="tabs" aria-label="Kinds of waiting work">
        {TABS.map(([id, label]) => (
          <a
            key={id}
            href={href('/waiting', { tab: id })}
            aria-current={id === tab ? 'page' : undefined}
          >
            {label}
          </a>
        ))}
      </nav>
      {tab === 'jobs' && <JobsTab filters={filters} />}
      {tab === 'timers' && <TimersTab filters={filters} />}
      {tab === 'messages' && <MessagesTab filters={filters} />}
      {tab === 'incidents' && <IncidentsTab filters={filters} />}
    </main>
  );
}

/** A filter form: selects apply at once, text fields on "Filter"; the filters live in the URL. */
function Filters({
  tab,
  filters,
  selects = {},
  texts = [],
}: {
  tab: WaitingTab;
  filters: WaitingFilters;
  selects?: Readonly<Record<string, { label: string; options: readonly string[] }>>;
  texts?: readonly [string, string][];
}) {
  const processes = usePolled(
    () => getJson<Page<Definition>>(`${V1}/processes?limit=1000`),
    [],
    false,
  );
  const [draft, setDraft] = useState<Record<string, string>>(() =>
    Object.fromEntries(texts.map(([name]) => [name, filters[name] ?? ''])),
  );
  const apply = (change: Record<string, string>) =>
    navigate('/waiting', { ...filters, ...change, tab });
  const processKeys = processes.data?.items.map((d) => d.key) ?? [];
  if (filters.processKey && !processKeys.includes(filters.processKey))
    processKeys.unshift(filters.processKey);
  const select = (name: string, label: string, options: readonly string[]) => (
    <label key={name}>
      {label}{' '}
      <select
        value={filters[name] ?? ''}
        onChange={(e) => apply({ [name]: e.currentTarget.value })}
      >
        <option value="">all</option>
        {options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <form
      class="filters"
      aria-label="Filters"
      onSubmit={(e) => {
        e.preventDefault();
        apply(Object.fromEntries(Object.entries(draft).map(([k, v]) => [k, v.trim()])));
      }}
    >
      {select('processKey', 'Process', processKeys)}
      {Object.entries(selects).map(([name, s]) => select(name, s.label, s.options))}
      {texts.map(([name, label]) => (
        <label key={name}>
          {label}{' '}
          <input
            value={draft[name] ?? ''}
            onInput={(e) => setDraft({ ...draft, [name]: e.currentTarget.value })}
          />
        </label>
      ))}
      {texts.length > 0 && <button type="submit">Filter</button>}
    </form>
  );
}

/** A cursor-paged list of `path` with the tab's filters. */
function usePagedList<T>(path: string, filters: WaitingFilters, names: readonly string[]) {
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors.at(-1);
  const params = Object.fromEntries(names.map((n) => [n, filters[n]]));
  const q = query({ ...params, limit: 50, cursor });
  const page = usePolled(() => getJson<Page<T>>(`${path}${q}`), [q]);
  return { page, cursors, setCursors };
}

const instanceLink = (id: string | null) =>
  id === null ? '—' : <a href={href(`/instances/${id}`)}>{id}</a>;

function JobsTab({ filters }: { filters: WaitingFilters }) {
  const { page, cursors, setCursors } = usePagedList<JobListItem>(
    `${V1}/jobs`,
    filters,
    FILTERS.jobs,
  );
  return (
    <>
      <Filters
        tab="jobs"
        filters={filters}
        selects={{
          state: {
            label: 'State',
            options: ['ACTIVATABLE', 'ACTIVATED', 'FAILED', 'COMPLETED', 'CANCELED'],
          },
        }}
        texts={[
          ['type', 'Type'],
          ['worker', 'Worker'],
        ]}
      />
      <p>Listing jobs takes none: a worker still gets every one of them.</p>
      <ErrorLine error={page.error} />
      {page.data !== undefined && page.data.items.length === 0 && <p>No job matches.</p>}
      {page.data !== undefined && page.data.items.length > 0 && (
        <table aria-label="Jobs">
          <thead>
            <tr>
              <th scope="col">Job</th>
              <th scope="col">Type</th>
              <th scope="col">State</th>
              <th scope="col">Retries</th>
              <th scope="col">Worker</th>
              <th scope="col">Instance</th>
              <th scope="col">Element</th>
              <th scope="col">Error</th>
            </tr>
          </thead>
          <tbody>
            {page.data.items.map((j) => (
              <tr key={j.id}>
                <td>{j.id}</td>
                <td>
                  <code>{j.type}</code>
                </td>
                <td>{j.state}</td>
                <td>{j.retries}</td>
                <td>{j.worker ?? ''}</td>
                <td>{instanceLink(j.instanceId)}</td>
                <td>
                  <code>{j.elementId}</code>
                </td>
                <td>{j.errorMessage ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager cursors={cursors} nextCursor={page.data?.nextCursor} onPage={setCursors} />
    </>
  );
}

function TimersTab({ filters }: { filters: WaitingFilters }) {
  const { page, cursors, setCursors } = usePagedList<Timer>(
    `${V1}/timers`,
    filters,
    FILTERS.timers,
  );
  return (
    <>
      <Filters
        tab="timers"
        filters={filters}
        selects={{ state: { label: 'State', options: ['SCHEDULED', 'FIRED', 'CANCELED'] } }}
        texts={[['elementId', 'Element']]}
      />
      <ErrorLine error={page.error} />
      {page.data !== undefined && page.data.items.length === 0 && <p>No timer matches.</p>}
      {page.data !== undefined && page.data.items.length > 0 && (
        <table aria-label="Timers">
          <thead>
            <tr>
              <th scope="col">Due</th>
              <th scope="col">Process</th>
              <th scope="col">Instance</th>
              <th scope="col">Element</th>
              <th scope="col">Cycle</th>
              <th scope="col">State</th>
            </tr>
          </thead>
          <tbody>
            {page.data.items.map((t) => (
              <tr key={t.id}>
                <td>{when(t.dueAt)}</td>
                <td>{t.processKey ?? ''}</td>
                <td>{t.instanceId === null ? 'start timer' : instanceLink(t.instanceId)}</td>
                <td>
                  <code>{t.elementId}</code>
                </td>
                <td>
                  {t.cycle ?? ''}
                  {t.repetitions !== null ? ` (${t.repetitions} left)` : ''}
                </td>
                <td>{t.state}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager cursors={cursors} nextCursor={page.data?.nextCursor} onPage={setCursors} />
    </>
  );
}

function MessagesTab({ filters }: { filters: WaitingFilters }) {
  const { page, cursors, setCursors } = usePagedList<MessageSubscription>(
    `${V1}/message-subscriptions`,
    filters,
    FILTERS.messages,
  );
  return (
    <>
      <Filters
        tab="messages"
        filters={filters}
        texts={[
          ['messageName', 'Message name'],
          ['correlationKey', 'Correlation key'],
        ]}
      />
      <ErrorLine error={page.error} />
      {page.data !== undefined && page.data.items.length === 0 && <p>No subscription matches.</p>}
      {page.data !== undefined && page.data.items.length > 0 && (
        <table aria-label="Message subscriptions">
          <thead>
            <tr>
              <th scope="col">Message</th>
              <th scope="col">Correlation key</th>
              <th scope="col">Process</th>
              <th scope="col">Instance</th>
              <th scope="col">Element</th>
              <th scope="col">Interrupting</th>
              <th scope="col">Since</th>
            </tr>
          </thead>
          <tbody>
            {page.data.items.map((m) => (
              <tr key={m.id}>
                <td>
                  <code>{m.messageName}</code>
                </td>
                <td>{m.correlationKey ?? ''}</td>
                <td>{m.processKey}</td>
                <td>{instanceLink(m.instanceId)}</td>
                <td>
                  <code>{m.elementId}</code>
                </td>
                <td>{m.interrupting ? 'yes' : 'no'}</td>
                <td>{when(m.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager cursors={cursors} nextCursor={page.data?.nextCursor} onPage={setCursors} />
    </>
  );
}

interface RetryProgress {
  readonly total: number;
  readonly done: number;
  readonly failed: number;
  readonly running: boolean;
  readonly lastError?: string;
}

function IncidentsTab({ filters }: { filters: WaitingFilters }) {
  const q = query({ processKey: filters.processKey, limit: 100 });
  const groups = usePolled(
    () => getJson<{ items: IncidentGroup[] }>(`${V1}/incident-groups${q}`),
    [q],
  );
  const [progress, setProgress] = useState<Record<string, RetryProgress>>({});
  // Resolving incidents needs `operate`: without it the groups are only listed.
  const mayRetry = useMay()('operate');
  const keyOf = (g: IncidentGroup) => JSON.stringify([g.type, g.message]);

  /**
   * Resolves every open incident of the group, one by one (a batch operation
   * would do it on the server); the group's incidents are read page by page
   * from the first, since resolved ones leave the list.
   */
  const retryAll = async (group: IncidentGroup) => {
    const key = keyOf(group);
    let state: RetryProgress = { total: group.count, done: 0, failed: 0, running: true };
    const show = (next: RetryProgress) => {
      state = next;
      setProgress((p) => ({ ...p, [key]: next }));
    };
    show(state);
    const seen = new Set<string>();
    let cursor: string | undefined;
    for (;;) {
      const page = await getJson<Page<Incident>>(
        `${V1}/incident-groups/incidents${query({ type: group.type, message: group.message, processKey: filters.processKey, limit: 100, cursor })}`,
      ).catch((e: Error) => {
        show({ ...state, lastError: e.message });
        return undefined;
      });
      if (page === undefined) break;
      for (const incident of page.items) {
        if (seen.has(incident.id)) continue;
        seen.add(incident.id);
        try {
          await send('POST', `${V1}/incidents/${incident.id}/resolve`);
          show({ ...state, total: Math.max(state.total, seen.size), done: state.done + 1 });
        } catch (e) {
          show({
            ...state,
            total: Math.max(state.total, seen.size),
            failed: state.failed + 1,
            lastError: (e as Error).message,
          });
        }
      }
      if (page.nextCursor === null) break;
      cursor = page.nextCursor;
    }
    show({ ...state, running: false });
    groups.reload();
  };

  return (
    <>
      <Filters tab="incidents" filters={filters} />
      {Object.keys(progress).length > 0 && (
        <ul class="retries" role="status">
          {Object.entries(progress).map(([key, p]) => {
            const [type, message] = JSON.parse(key) as [string, string];
            return (
              <li key={key}>
                <code>{type}</code> {message}:{' '}
                <progress
                  value={p.done + p.failed}
                  max={Math.max(p.total, 1)}
                  aria-label={`Retried of ${type}`}
                />{' '}
                <span class="retry-progress">
                  {p.done} of {p.total} retried{p.running ? '…' : ''}
                  {p.failed > 0 ? `, ${p.failed} failed (${p.lastError ?? ''})` : ''}
                </span>
              </li>
            );
          })}
        </ul>
      )}
      <ErrorLine error={groups.error} />
      {groups.data !== undefined && groups.data.items.length === 0 && <p>No open incident.</p>}
      {groups.data !== undefined && groups.data.items.length > 0 && (
        <table aria-label="Incident groups">
          <thead>
            <tr>
              <th scope="col">Type</th>
              <th scope="col">Message</th>
              <th scope="col">Open</th>
              <th scope="col">Newest</th>
              {mayRetry && <th scope="col">Retry</th>}
            </tr>
          </thead>
          <tbody>
            {groups.data.items.map((g) => {
              const p = progress[keyOf(g)];
              return (
                <tr key={keyOf(g)}>
                  <td>
                    <code>{g.type}</code>
                  </td>
                  <td>{g.message}</td>
                  <td>{g.count}</td>
                  <td>{when(g.lastCreatedAt)}</td>
                  {mayRetry && (
                    <td>
                      <button
                        type="button"
                        disabled={p?.running === true}
                        onClick={() => void retryAll(g)}
                      >
                        Retry all in this group
                      </button>
                    </td>
                  )}
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </>
  );
}

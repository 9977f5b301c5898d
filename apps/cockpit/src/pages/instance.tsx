import { useMemo, useState } from 'preact/hooks';
import {
  getJson,
  getText,
  send,
  V1,
  type HistoryItem,
  type Incident,
  type Instance,
  type Job,
  type Page,
  type Waiting,
  type WaitingItem,
} from '../api';
import { Diagram, type DiagramState } from '../diagram';
import { json, when } from '../format';
import { href, usePolled } from '../hooks';
import { ErrorLine, Section, Status } from './common';

const ENDED = new Set(['COMPLETED', 'CANCELED']);

function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

/**
 * One instance: its diagram with live tokens, open incidents and completed
 * elements; the actions cancel, suspend and resume; its variables, incidents
 * (with "Resolve"), jobs (read through `/v2/jobs/search`, which locks
 * nothing) and history.
 */
export function InstancePage({ id }: { id: string }) {
  const path = `${V1}/instances/${encodeURIComponent(id)}`;
  const instance = usePolled(() => getJson<Instance>(path), [path]);
  const history = usePolled(() => getJson<Page<HistoryItem>>(`${path}/history?limit=1000`), [path]);
  const waiting = usePolled(() => getJson<Waiting>(`${path}/waiting`), [path]);
  const waitsOf = (tokenId: string): WaitingItem[] =>
    waiting.data?.tokens.find((t) => t.id === tokenId)?.waitingFor ?? [];
  const jobs = usePolled(
    async () =>
      (
        await send<{ items: Job[] }>('POST', '/v2/jobs/search', {
          filter: { processInstanceKey: id },
          page: { limit: 100 },
        })
      )?.items ?? [],
    [id],
  );
  const i = instance.data;
  const definition =
    i === undefined
      ? null
      : `${V1}/processes/${encodeURIComponent(i.processKey)}/xml?version=${i.version}`;
  const xml = usePolled(
    () => (definition === null ? Promise.resolve(null) : getText(definition, 'application/xml')),
    [definition],
    false,
  );
  const [acting, setActing] = useState<string | null>(null);
  const [actionError, setActionError] = useState<Error | undefined>(undefined);

  const act = async (label: string, run: () => Promise<unknown>) => {
    setActing(label);
    setActionError(undefined);
    try {
      await run();
    } catch (e) {
      setActionError(e as Error);
    } finally {
      setActing(null);
      instance.reload();
      history.reload();
      jobs.reload();
    }
  };

  const state = useMemo<DiagramState>(() => {
    const completed = new Set(
      (history.data?.items ?? [])
        .filter((h) => h.type === 'ELEMENT_COMPLETED' && h.elementType !== 'process')
        .map((h) => h.elementId),
    );
    return {
      tokens: countBy(i?.tokens ?? [], (t) => t.elementId),
      incidents: countBy(i?.incidents ?? [], (n) => n.elementId),
      completed,
    };
  }, [i, history.data]);

  return (
    <main>
      <h1>
        Instance <code>{id}</code>
      </h1>
      <ErrorLine error={instance.error} />
      {i !== undefined && (
        <>
          <dl class="facts">
            <dt>Process</dt>
            <dd>
              <a
                href={href(`/processes/${encodeURIComponent(i.processKey)}`, {
                  version: String(i.version),
                })}
              >
                {i.processKey} v{i.version}
              </a>
            </dd>
            <dt>Status</dt>
            <dd>
              <Status status={i.status} />
            </dd>
            <dt>Business key</dt>
            <dd>{i.businessKey ?? '—'}</dd>
            {i.parentInstanceId !== null && (
              <>
                <dt>Parent</dt>
                <dd>
                  <a href={href(`/instances/${i.parentInstanceId}`)}>{i.parentInstanceId}</a>
                </dd>
              </>
            )}
            <dt>Started</dt>
            <dd>{when(i.startedAt)}</dd>
            <dt>Ended</dt>
            <dd>{when(i.endedAt) || '—'}</dd>
          </dl>
          <div class="actions">
            <button
              type="button"
              class="danger"
              disabled={acting !== null || ENDED.has(i.status)}
              onClick={() => {
                if (confirm(`Cancel instance ${id}? This cannot be undone.`))
                  void act('cancel', () => send('POST', `${path}/cancel`));
              }}
            >
              Cancel
            </button>
            <button
              type="button"
              disabled={acting !== null || i.status !== 'ACTIVE'}
              onClick={() => void act('suspend', () => send('POST', `${path}/suspend`))}
            >
              Suspend
            </button>
            <button
              type="button"
              disabled={acting !== null || i.status !== 'SUSPENDED'}
              onClick={() => void act('resume', () => send('POST', `${path}/resume`))}
            >
              Resume
            </button>
            {acting !== null && <span aria-live="polite">{acting}…</span>}
          </div>
          <ErrorLine error={actionError} />
        </>
      )}
      <ErrorLine error={xml.error} />
      {typeof xml.data === 'string' && <Diagram xml={xml.data} state={state} />}
      {i !== undefined && (
        <>
          <Section title={`Incidents (${i.incidents.length} open)`}>
            <Incidents
              incidents={i.incidents}
              disabled={acting !== null}
              onResolve={(n) =>
                void act('resolve', () => send('POST', `${V1}/incidents/${n.id}/resolve`))
              }
            />
          </Section>
          <Section title="Variables">
            <Variables variables={i.variables} />
          </Section>
          <Section title={`Tokens (${i.tokens.length})`}>
            {i.tokens.length === 0 ? (
              <p>No live token.</p>
            ) : (
              <table>
                <thead>
                  <tr>
                    <th scope="col">Element</th>
                    <th scope="col">State</th>
                    <th scope="col">Waiting for</th>
                    <th scope="col">Token</th>
                  </tr>
                </thead>
                <tbody>
                  {i.tokens.map((t) => (
                    <tr key={t.id}>
                      <td>{t.elementId}</td>
                      <td>{t.state}</td>
                      <td class="waiting-for">{waitsOf(t.id).map(describeWait).join('; ')}</td>
                      <td>{t.id}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </Section>
        </>
      )}
      <Section title="Jobs">
        <ErrorLine error={jobs.error} />
        {jobs.data !== undefined && jobs.data.length === 0 && <p>No job.</p>}
        {jobs.data !== undefined && jobs.data.length > 0 && (
          <table>
            <thead>
              <tr>
                <th scope="col">Element</th>
                <th scope="col">Type</th>
                <th scope="col">State</th>
                <th scope="col">Retries</th>
                <th scope="col">Worker</th>
                <th scope="col">Error</th>
              </tr>
            </thead>
            <tbody>
              {jobs.data.map((j) => (
                <tr key={j.jobKey}>
                  <td>{j.elementId}</td>
                  <td>{j.type}</td>
                  <td>{j.state}</td>
                  <td>{j.retries}</td>
                  <td>{j.worker ?? ''}</td>
                  <td>{j.errorMessage ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
      <Section title="History">
        <ErrorLine error={history.error} />
        {history.data !== undefined && (
          <>
            <ol class="history">
              {history.data.items.map((h) => (
                <li key={h.id}>
                  <time>{when(h.at)}</time> {h.type} <code>{h.elementId}</code> ({h.elementType})
                </li>
              ))}
            </ol>
            {history.data.nextCursor !== null && <p>The first 1000 entries.</p>}
          </>
        )}
      </Section>
    </main>
  );
}

function Incidents({
  incidents,
  disabled,
  onResolve,
}: {
  incidents: readonly Incident[];
  disabled: boolean;
  onResolve: (incident: Incident) => void;
}) {
  if (incidents.length === 0) return <p>No open incident.</p>;
  return (
    <table class="incidents">
      <thead>
        <tr>
          <th scope="col">Element</th>
          <th scope="col">Type</th>
          <th scope="col">Message</th>
          <th scope="col">Since</th>
          <th scope="col">
            <span class="visually-hidden">Action</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {incidents.map((n) => (
          <tr key={n.id}>
            <td>{n.elementId}</td>
            <td>{n.type}</td>
            <td>{n.message}</td>
            <td>{when(n.createdAt)}</td>
            <td>
              <button type="button" disabled={disabled} onClick={() => onResolve(n)}>
                Resolve
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Variables({ variables }: { variables: Record<string, unknown> }) {
  const names = Object.keys(variables).sort();
  if (names.length === 0) return <p>No variable.</p>;
  return (
    <table class="variables">
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Value (JSON)</th>
        </tr>
      </thead>
      <tbody>
        {names.map((name) => (
          <tr key={name}>
            <td>
              <code>{name}</code>
            </td>
            <td>
              <pre>{json(variables[name])}</pre>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** One thing a token waits for, in words. */
function describeWait(w: WaitingItem): string {
  switch (w.kind) {
    case 'job':
      return `job ${w.type} (${w.state}${w.worker !== null ? `, ${w.worker}` : ''}, ${w.retries} retries)`;
    case 'userTask':
      return `user task${w.name !== null ? ` "${w.name}"` : ''}${w.assignee !== null ? ` (${w.assignee})` : ''}`;
    case 'timer':
      return `timer ${w.elementId} due ${when(w.dueAt)}`;
    case 'message':
      return `message "${w.messageName}"${w.correlationKey !== null ? ` key ${w.correlationKey}` : ''}`;
    case 'signal':
      return `signal "${w.signalName}"`;
    case 'calledInstance':
      return `called instance ${w.id} of ${w.processKey} (${w.status})`;
    case 'incident':
      return `incident ${w.type}: ${w.message}`;
  }
}

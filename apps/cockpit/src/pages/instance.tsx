import { useMemo, useState } from 'preact/hooks';
import {
  getJson,
  getText,
  query,
  send,
  V1,
  type HistoryItem,
  type Incident,
  type Instance,
  type JobListItem,
  type Page,
  type Scope,
  type Token,
  type Waiting,
  type WaitingItem,
} from '../api';
import { Diagram, type DiagramState } from '../diagram';
import { when } from '../format';
import { href, usePolled } from '../hooks';
import { useMay } from '../me';
import { ErrorLine, Section, Status } from './common';
import { Repair, terminateQuestion } from './instance-repair';
import { Variables } from './variables';

const ENDED = new Set(['COMPLETED', 'CANCELED']);

function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

/**
 * One instance: its diagram with live tokens, open incidents and completed
 * elements; the actions cancel, suspend and resume; repair by process
 * instance modification (terminate a token, activate an element:
 * ./instance-repair.tsx); its variables, those of inner scopes
 * (`GET /api/v1/instances/{id}/scopes`), incidents (with "Resolve"), jobs
 * (`GET /api/v1/jobs`, which leases nothing) and history. The actions, the
 * repair and the variable editors are shown to callers holding `operate` only.
 */
export function InstancePage({ id }: { id: string }) {
  const path = `${V1}/instances/${encodeURIComponent(id)}`;
  const instance = usePolled(() => getJson<Instance>(path), [path]);
  const history = usePolled(() => getJson<Page<HistoryItem>>(`${path}/history?limit=1000`), [path]);
  const waiting = usePolled(() => getJson<Waiting>(`${path}/waiting`), [path]);
  const scopes = usePolled(() => getJson<{ items: Scope[] }>(`${path}/scopes`), [path]);
  const innerScopes = (scopes.data?.items ?? []).filter((s) => s.id !== id);
  const waitsOf = (tokenId: string): WaitingItem[] =>
    waiting.data?.tokens.find((t) => t.id === tokenId)?.waitingFor ?? [];
  const jobs = usePolled(
    async () =>
      (await getJson<Page<JobListItem>>(`${V1}/jobs${query({ instanceId: id, limit: 100 })}`))
        .items,
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
  const mayOperate = useMay()('operate');
  const [actionError, setActionError] = useState<Error | undefined>(undefined);
  /**
   * The element clicked on the diagram (operators: the repair panel shows its
   * tokens). A new object per click: a click on the same element again is news too.
   */
  const [selection, setSelection] = useState<{ readonly elementId: string | null }>({
    elementId: null,
  });
  const selected = selection.elementId;
  const select = (elementId: string | null) => setSelection({ elementId });
  /** A refused Terminate, shown where it was clicked: the token list or the selected element. */
  const [terminateError, setTerminateError] = useState<
    { where: 'tokens' | 'selected'; error: Error } | undefined
  >(undefined);

  const reloadAll = () => {
    instance.reload();
    history.reload();
    jobs.reload();
    waiting.reload();
    scopes.reload();
  };

  const act = async (
    label: string,
    run: () => Promise<unknown>,
    failed: (e: Error) => void = setActionError,
  ) => {
    setActing(label);
    setActionError(undefined);
    setTerminateError(undefined);
    try {
      await run();
    } catch (e) {
      failed(e as Error);
    } finally {
      setActing(null);
      reloadAll();
    }
  };

  /** Terminates one element instance (`POST …/modification`), asked first. */
  const terminate = (token: Token, where: 'tokens' | 'selected') => {
    if (i === undefined || !confirm(terminateQuestion(token, i.tokens))) return;
    void act(
      `terminate ${token.elementId}`,
      () => send('POST', `${path}/modification`, { terminate: [{ elementInstanceId: token.id }] }),
      (error) => setTerminateError({ where, error }),
    );
  };
  const mayRepair = mayOperate && i !== undefined && !ENDED.has(i.status);

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
      selected,
    };
  }, [i, history.data, selected]);

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
          {mayOperate && (
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
          )}
          <ErrorLine error={actionError} />
        </>
      )}
      <ErrorLine error={xml.error} />
      {typeof xml.data === 'string' && (
        <Diagram xml={xml.data} state={state} onElementClick={mayRepair ? select : undefined} />
      )}
      {i !== undefined && mayRepair && (
        <Section title="Repair">
          <Repair
            path={path}
            processId={i.processKey}
            xml={xml.data}
            tokens={i.tokens}
            selection={selection}
            onSelect={select}
            onTerminate={(t) => terminate(t, 'selected')}
            terminateError={terminateError?.where === 'selected' ? terminateError.error : undefined}
            disabled={acting !== null}
            onDone={reloadAll}
          />
        </Section>
      )}
      {i !== undefined && (
        <>
          <Section title={`Incidents (${i.incidents.length} open)`}>
            <Incidents
              incidents={i.incidents}
              disabled={acting !== null}
              onResolve={
                mayOperate
                  ? (n) =>
                      void act('resolve', () => send('POST', `${V1}/incidents/${n.id}/resolve`))
                  : undefined
              }
            />
          </Section>
          <Section title="Variables">
            <Variables
              variables={i.variables}
              onSave={
                mayOperate && !ENDED.has(i.status)
                  ? async (name, value) => {
                      await send('PATCH', `${path}/variables`, { variables: { [name]: value } });
                      instance.reload();
                    }
                  : undefined
              }
            />
          </Section>
          {innerScopes.length > 0 && (
            <Section title={`Variables of inner scopes (${innerScopes.length})`}>
              <ErrorLine error={scopes.error} />
              {innerScopes.map((s) => (
                <div key={s.id} class="scope" data-scope-key={s.id} data-element-id={s.elementId}>
                  <h3>
                    <code>{s.elementId}</code> {s.elementType}, element instance <code>{s.id}</code>
                  </h3>
                  <Variables
                    variables={s.variables}
                    scope={s.elementId}
                    scopeKey={s.id}
                    tableClass="scope-variables"
                    onSave={
                      mayRepair
                        ? async (name, value) => {
                            // Local: the variable is set in this scope, not in an outer one of the same name.
                            await send(
                              'PUT',
                              `/v2/element-instances/${encodeURIComponent(s.id)}/variables`,
                              { variables: { [name]: value }, local: true },
                            );
                            scopes.reload();
                          }
                        : undefined
                    }
                  />
                </div>
              ))}
            </Section>
          )}
          <Section title={`Tokens (${i.tokens.length})`}>
            {i.tokens.length === 0 ? (
              <p>No live token.</p>
            ) : (
              <table class="tokens">
                <thead>
                  <tr>
                    <th scope="col">Element</th>
                    <th scope="col">State</th>
                    <th scope="col">Waiting for</th>
                    <th scope="col">Token</th>
                    {mayRepair && (
                      <th scope="col">
                        <span class="visually-hidden">Action</span>
                      </th>
                    )}
                  </tr>
                </thead>
                <tbody>
                  {i.tokens.map((t) => (
                    <tr key={t.id} data-token-id={t.id}>
                      <td>{t.elementId}</td>
                      <td>{t.state}</td>
                      <td class="waiting-for">{waitsOf(t.id).map(describeWait).join('; ')}</td>
                      <td>{t.id}</td>
                      {mayRepair && (
                        <td>
                          <button
                            type="button"
                            class="danger"
                            disabled={acting !== null}
                            aria-label={`Terminate ${t.elementId}`}
                            onClick={() => terminate(t, 'tokens')}
                          >
                            Terminate
                          </button>
                        </td>
                      )}
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            <ErrorLine
              error={terminateError?.where === 'tokens' ? terminateError.error : undefined}
            />
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
                <tr key={j.id}>
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
  /** Absent: the caller may not resolve incidents, and the column is left out. */
  onResolve?: (incident: Incident) => void;
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
          {onResolve !== undefined && (
            <th scope="col">
              <span class="visually-hidden">Action</span>
            </th>
          )}
        </tr>
      </thead>
      <tbody>
        {incidents.map((n) => (
          <tr key={n.id}>
            <td>{n.elementId}</td>
            <td>{n.type}</td>
            <td>{n.message}</td>
            <td>{when(n.createdAt)}</td>
            {onResolve !== undefined && (
              <td>
                <button type="button" disabled={disabled} onClick={() => onResolve(n)}>
                  Resolve
                </button>
              </td>
            )}
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

import { useMemo, useState } from 'preact/hooks';
import {
  deployErrors,
  deployXml,
  getJson,
  getText,
  query,
  send,
  V1,
  type Definition,
  type DeployError,
  type ElementStatistics,
  type Page,
} from '../api';
import { Diagram } from '../diagram';
import { when } from '../format';
import { href, navigate, usePolled } from '../hooks';
import { useMay } from '../me';
import { ErrorLine, Pager } from './common';
import { parseJsonObject } from './json-input';

/** The latest version of every deployed process, and a drop zone that deploys a `.bpmn` file. */
export function ProcessesPage() {
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors.at(-1);
  const page = usePolled(
    () => getJson<Page<Definition>>(`${V1}/processes${query({ limit: 50, cursor })}`),
    [cursor],
  );
  const mayDeploy = useMay()('deploy');
  return (
    <main>
      <h1>Processes</h1>
      {mayDeploy && <DeployDropZone onDeployed={page.reload} />}
      <ErrorLine error={page.error} />
      {page.data !== undefined && page.data.items.length === 0 && (
        <p>No process is deployed yet.</p>
      )}
      {page.data !== undefined && page.data.items.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">Key</th>
              <th scope="col">Name</th>
              <th scope="col">Version</th>
              <th scope="col">Tenant</th>
              <th scope="col">Deployed</th>
              <th scope="col">Instances</th>
            </tr>
          </thead>
          <tbody>
            {page.data.items.map((d) => (
              <tr key={d.id}>
                <td>
                  <a href={href(`/processes/${encodeURIComponent(d.key)}`)}>{d.key}</a>
                </td>
                <td>{d.name ?? ''}</td>
                <td>
                  {d.version}
                  {d.versionTag !== null ? ` (${d.versionTag})` : ''}
                </td>
                <td>{d.tenantId}</td>
                <td>{when(d.deployedAt)}</td>
                <td>
                  <a href={href('/instances', { processKey: d.key })}>instances</a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager cursors={cursors} nextCursor={page.data?.nextCursor} onPage={setCursors} />
    </main>
  );
}

interface DeployState {
  readonly busy?: boolean;
  readonly name?: string;
  readonly deployed?: Definition[];
  /** A refused document: the message, the errors by element, and the XML to show them on. */
  readonly refused?: { message: string; errors: DeployError[]; xml: string };
}

/**
 * Drop a `.bpmn` file (or choose one) to deploy it with `POST /api/v1/processes`.
 * A refused document is drawn with its errors on the elements they name.
 */
function DeployDropZone({ onDeployed }: { onDeployed: () => void }) {
  const [over, setOver] = useState(false);
  const [state, setState] = useState<DeployState>({});
  const deploy = async (file: File) => {
    const xml = await file.text();
    setState({ busy: true, name: file.name });
    try {
      const result = await deployXml(xml);
      setState({ name: file.name, deployed: result.processes });
      onDeployed();
    } catch (e) {
      setState({
        name: file.name,
        refused: { message: (e as Error).message, errors: deployErrors(e), xml },
      });
    }
  };
  const refused = state.refused;
  const byElement = useMemo(() => {
    const map = new Map<string, string>();
    for (const e of refused?.errors ?? []) {
      if (!e.elementId) continue;
      const before = map.get(e.elementId);
      map.set(e.elementId, before === undefined ? e.message : `${before}\n${e.message}`);
    }
    return map;
  }, [refused]);
  return (
    <section aria-label="Deploy">
      <div
        class={`drop-zone${over ? ' over' : ''}`}
        data-testid="drop-zone"
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => {
          e.preventDefault();
          setOver(false);
          const file = e.dataTransfer?.files[0];
          if (file !== undefined) void deploy(file);
        }}
      >
        Drop a <code>.bpmn</code> file here to deploy it, or{' '}
        <label>
          choose one{' '}
          <input
            type="file"
            accept=".bpmn,.xml,application/xml"
            onChange={(e) => {
              const file = e.currentTarget.files?.[0];
              if (file !== undefined) void deploy(file);
              e.currentTarget.value = '';
            }}
          />
        </label>
      </div>
      {state.busy === true && <p role="status">Deploying {state.name}…</p>}
      {state.deployed !== undefined && (
        <p role="status" class="deployed">
          Deployed {state.name}:{' '}
          {state.deployed.map((d, i) => (
            <span key={d.id}>
              {i > 0 && ', '}
              <a
                href={href(`/processes/${encodeURIComponent(d.key)}`, {
                  version: String(d.version),
                })}
              >
                {d.key} version {d.version}
              </a>
            </span>
          ))}
        </p>
      )}
      {refused !== undefined && (
        <div class="deploy-refused">
          <p class="error" role="alert">
            {state.name} was not deployed: {refused.message}
          </p>
          {refused.errors.length > 0 && (
            <ul class="deploy-errors">
              {refused.errors.map((e, i) => (
                <li key={i}>
                  {e.elementId ? <code>{e.elementId}</code> : null}
                  {e.elementId ? ': ' : ''}
                  {e.message}
                </li>
              ))}
            </ul>
          )}
          <Diagram xml={refused.xml} state={{ errors: byElement }} />
        </div>
      )}
    </section>
  );
}

/**
 * One process version: its metadata, a version switcher, the XML to download,
 * and its diagram with per-element statistics (`GET /processes/{key}/statistics`):
 * element instances in progress (blue), with an open incident (red), completed (green).
 */
export function ProcessPage({
  processKey,
  version,
}: {
  processKey: string;
  version: string | null;
}) {
  const path = `${V1}/processes/${encodeURIComponent(processKey)}`;
  const v = query({ version });
  const definition = usePolled(() => getJson<Definition>(`${path}${v}`), [path, v], false);
  const latest = usePolled(() => getJson<Definition>(path), [path], false);
  const xml = usePolled(() => getText(`${path}/xml${v}`, 'application/xml'), [path, v], false);
  const statistics = usePolled(
    () => getJson<{ items: ElementStatistics[] }>(`${path}/statistics${v}`),
    [path, v],
  );
  const d = definition.data;
  // Keyed by content: a poll that brings the same figures leaves the overlays as they are
  // (redrawing a thousand of them every 3 s would keep the page busy for nothing).
  const figures = JSON.stringify(statistics.data?.items ?? []);
  const overlay = useMemo(() => {
    const items = JSON.parse(figures) as ElementStatistics[];
    return {
      tokens: new Map(items.map((s) => [s.elementId, s.active])),
      incidents: new Map(items.map((s) => [s.elementId, s.incidents])),
      completedCounts: new Map(items.map((s) => [s.elementId, s.completed])),
      tokenLabel: 'active instance',
    };
  }, [figures]);
  const download = () => {
    if (xml.data === undefined || d === undefined) return;
    const url = URL.createObjectURL(new Blob([xml.data], { type: 'application/xml' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `${processKey}-v${d.version}.bpmn`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };
  const versions = latest.data?.version ?? d?.version ?? 1;
  const mayStart = useMay()('start', processKey);
  return (
    <main>
      <h1>
        Process <code>{processKey}</code>
      </h1>
      <ErrorLine error={definition.error ?? xml.error ?? statistics.error} />
      {d !== undefined && (
        <dl class="facts">
          <dt>Name</dt>
          <dd>{d.name ?? '—'}</dd>
          <dt>Version</dt>
          <dd>
            <label>
              <span class="visually-hidden">Version</span>
              <select
                value={String(d.version)}
                onChange={(e) =>
                  navigate(`/processes/${encodeURIComponent(processKey)}`, {
                    version: e.currentTarget.value,
                  })
                }
              >
                {Array.from({ length: versions }, (_, i) => versions - i).map((n) => (
                  <option key={n} value={String(n)}>
                    {n}
                    {n === versions ? ' (latest)' : ''}
                  </option>
                ))}
              </select>
            </label>
            {d.versionTag !== null ? ` (${d.versionTag})` : ''}{' '}
            <button type="button" onClick={download} disabled={xml.data === undefined}>
              Download XML
            </button>
          </dd>
          <dt>Deployed</dt>
          <dd>{when(d.deployedAt)}</dd>
          <dt>Instances</dt>
          <dd>
            <a href={href('/instances', { processKey })}>instances of {processKey}</a>
          </dd>
        </dl>
      )}
      {d !== undefined && mayStart && <StartInstance definition={d} />}
      <p class="legend">
        <span>
          <span class="baton-token">n</span> in progress
        </span>
        <span>
          <span class="baton-incident-badge">n</span> with an incident
        </span>
        <span>
          <span class="baton-completed-badge">n</span> completed
        </span>
      </p>
      {xml.data !== undefined && <Diagram xml={xml.data} state={overlay} />}
      {statistics.data !== undefined && statistics.data.items.length > 0 && (
        <details>
          <summary>Element statistics</summary>
          <table aria-label="Element statistics">
            <thead>
              <tr>
                <th scope="col">Element</th>
                <th scope="col">In progress</th>
                <th scope="col">Incidents</th>
                <th scope="col">Completed</th>
                <th scope="col">Canceled</th>
              </tr>
            </thead>
            <tbody>
              {statistics.data.items.map((s) => (
                <tr key={s.elementId}>
                  <td>
                    <code>{s.elementId}</code>
                  </td>
                  <td>{s.active}</td>
                  <td>{s.incidents}</td>
                  <td>{s.completed}</td>
                  <td>{s.canceled}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      )}
    </main>
  );
}

/**
 * "Start instance": `POST /api/v1/processes/{key}/instances` of the version
 * shown, with a business key and variables typed as a JSON object; the new
 * instance's page opens. Bad JSON is named before anything is sent.
 */
function StartInstance({ definition }: { definition: Definition }) {
  const [businessKey, setBusinessKey] = useState('');
  const [variables, setVariables] = useState('{}');
  const [invalid, setInvalid] = useState<string | null>(null);
  const [error, setError] = useState<Error | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const start = async () => {
    setError(undefined);
    const parsed = parseJsonObject(variables);
    setInvalid(parsed.error ?? null);
    if (parsed.error !== undefined) return;
    setBusy(true);
    try {
      const started = await send<{ id: string }>(
        'POST',
        `${V1}/processes/${encodeURIComponent(definition.key)}/instances`,
        {
          version: definition.version,
          variables: parsed.value,
          ...(businessKey.trim() === '' ? {} : { businessKey: businessKey.trim() }),
        },
      );
      if (started !== undefined) navigate(`/instances/${started.id}`);
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <details class="start-instance">
      <summary>Start instance</summary>
      <form
        aria-label="Start instance"
        onSubmit={(e) => {
          e.preventDefault();
          void start();
        }}
      >
        <p class="hint">
          Starts version {definition.version} of <code>{definition.key}</code>.
        </p>
        <label class="block">
          Business key (optional)
          <input value={businessKey} onInput={(e) => setBusinessKey(e.currentTarget.value)} />
        </label>
        <label class="block">
          Variables (a JSON object)
          <textarea
            rows={5}
            spellcheck={false}
            value={variables}
            aria-invalid={invalid !== null}
            aria-describedby={invalid !== null ? 'start-variables-error' : undefined}
            onInput={(e) => setVariables(e.currentTarget.value)}
          />
        </label>
        {invalid !== null && (
          <p id="start-variables-error" class="error" role="alert">
            Variables: {invalid}
          </p>
        )}
        <button type="submit" disabled={busy}>
          Start
        </button>
        <ErrorLine error={error} />
      </form>
    </details>
  );
}

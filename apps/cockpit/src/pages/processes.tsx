import { useState } from 'preact/hooks';
import { getJson, getText, query, V1, type Definition, type Page } from '../api';
import { Diagram } from '../diagram';
import { when } from '../format';
import { href, usePolled } from '../hooks';
import { ErrorLine, Pager } from './common';

/** The latest version of every deployed process. */
export function ProcessesPage() {
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors.at(-1);
  const page = usePolled(
    () => getJson<Page<Definition>>(`${V1}/processes${query({ limit: 50, cursor })}`),
    [cursor],
  );
  return (
    <main>
      <h1>Processes</h1>
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

/** One process: its metadata and its diagram (the latest version, or `?version=`). */
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
  const xml = usePolled(() => getText(`${path}/xml${v}`, 'application/xml'), [path, v], false);
  const d = definition.data;
  return (
    <main>
      <h1>
        Process <code>{processKey}</code>
      </h1>
      <ErrorLine error={definition.error ?? xml.error} />
      {d !== undefined && (
        <dl class="facts">
          <dt>Name</dt>
          <dd>{d.name ?? '—'}</dd>
          <dt>Version</dt>
          <dd>
            {d.version}
            {d.versionTag !== null ? ` (${d.versionTag})` : ''}
            {d.version > 1 && (
              <>
                {' '}
                versions:{' '}
                {Array.from({ length: d.version }, (_, i) => i + 1).map((n) => (
                  <a
                    key={n}
                    class="version-link"
                    href={href(`/processes/${encodeURIComponent(processKey)}`, {
                      version: String(n),
                    })}
                  >
                    {n}
                  </a>
                ))}
              </>
            )}
          </dd>
          <dt>Deployed</dt>
          <dd>{when(d.deployedAt)}</dd>
          <dt>Instances</dt>
          <dd>
            <a href={href('/instances', { processKey })}>instances of {processKey}</a>
          </dd>
        </dl>
      )}
      {xml.data !== undefined && <Diagram xml={xml.data} />}
    </main>
  );
}

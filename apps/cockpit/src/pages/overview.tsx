import { getJson, V1, type BoundedCount, type Overview } from '../api';
import { when } from '../format';
import { href, usePolled } from '../hooks';
import { ErrorLine, Section } from './common';

const figure = (c: BoundedCount): string => `${c.count.toLocaleString()}${c.capped ? '+' : ''}`;

/**
 * The landing page: instances by state, open incidents, throughput of the
 * last hour, job backlog and job workers, the installation's processes and
 * the token queue, all from `GET /api/v1/overview`, polled like every page.
 */
export function OverviewPage() {
  const overview = usePolled(() => getJson<Overview>(`${V1}/overview`), []);
  const o = overview.data;
  return (
    <main>
      <h1>Overview</h1>
      <ErrorLine error={overview.error} />
      {o !== undefined && (
        <>
          <Section title="Instances">
            <ul class="tiles" aria-label="Instances by state">
              <Tile label="Active" value={o.instances.active} to={href('/instances', { status: 'ACTIVE' })} />
              <Tile label="Suspended" value={o.instances.suspended} to={href('/instances', { status: 'SUSPENDED' })} />
              <Tile label="Completed" value={o.instances.completed} to={href('/instances', { status: 'COMPLETED' })} />
              <Tile label="Canceled" value={o.instances.canceled} to={href('/instances', { status: 'CANCELED' })} />
              <Tile label="With an incident" value={o.instances.withIncident} to={href('/instances', { hasIncident: 'true' })} bad />
              <Tile label="Open incidents" value={o.incidents.open} to={href('/waiting', { tab: 'incidents' })} bad />
            </ul>
          </Section>
          <Section title="Throughput, last hour">
            <Throughput overview={o} />
          </Section>
          <div class="split">
            <Section title="Queues">
              <dl class="facts">
                <dt>Token queue</dt>
                <dd data-figure="token-queue">
                  {o.tokenQueue === null
                    ? 'not shown (the installation\u2019s, not your tenants\u2019)'
                    : `${o.tokenQueue.depth === null ? 'did not answer' : o.tokenQueue.depth.toLocaleString()} (${o.tokenQueue.bus === 'rabbitmq' ? 'RabbitMQ' : 'in process'})`}
                </dd>
                <dt>Job backlog</dt>
                <dd data-figure="job-backlog">
                  <a href={href('/waiting', { tab: 'jobs', state: 'ACTIVATABLE' })}>{figure(o.jobs.backlog)}</a> waiting for a job worker
                </dd>
              </dl>
              {o.jobs.backlogByType.length > 0 && (
                <table aria-label="Job backlog by type">
                  <thead>
                    <tr>
                      <th scope="col">Job type</th>
                      <th scope="col">Waiting</th>
                    </tr>
                  </thead>
                  <tbody>
                    {o.jobs.backlogByType.map((t) => (
                      <tr key={t.type}>
                        <td>
                          <a href={href('/waiting', { tab: 'jobs', type: t.type, state: 'ACTIVATABLE' })}>{t.type}</a>
                        </td>
                        <td>{t.count.toLocaleString()}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </Section>
            <Section title="Workers">
              {o.processes !== null && <h3>Baton processes</h3>}
              {o.processes !== null && (
                <table aria-label="Baton processes">
                  <thead>
                    <tr>
                      <th scope="col">Process</th>
                      <th scope="col">Host, pid</th>
                      <th scope="col">Consumes</th>
                      <th scope="col">Lease until</th>
                    </tr>
                  </thead>
                  <tbody>
                    {o.processes.map((p) => (
                      <tr key={p.node} data-app={p.app}>
                        <td>
                          {p.app} (node {p.node})
                        </td>
                        <td>
                          {p.host}
                          {p.pid === null ? '' : `, ${p.pid}`}
                        </td>
                        <td>{p.consumes.join(', ')}</td>
                        <td>{when(p.leaseUntil)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
              <h3>Job workers</h3>
              {o.jobs.workers.length === 0 ? (
                <p>No job worker holds a job now.</p>
              ) : (
                <table aria-label="Job workers">
                  <thead>
                    <tr>
                      <th scope="col">Job worker</th>
                      <th scope="col">Job types</th>
                      <th scope="col">Jobs held</th>
                    </tr>
                  </thead>
                  <tbody>
                    {o.jobs.workers.map((w) => (
                      <tr key={w.worker}>
                        <td>
                          <a href={href('/waiting', { tab: 'jobs', worker: w.worker })}>{w.worker || '(no name)'}</a>
                        </td>
                        <td>{w.types.join(', ')}</td>
                        <td>{w.jobs.toLocaleString()}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </Section>
          </div>
          <p class="muted">
            As of {when(o.at)}. Counts stop at 100,000, of completed and canceled instances at 10,000 (shown with a +).
          </p>
        </>
      )}
    </main>
  );
}

function Tile({ label, value, to, bad }: { label: string; value: BoundedCount; to: string; bad?: boolean }) {
  return (
    <li class={`tile${bad === true && value.count > 0 ? ' tile-bad' : ''}`}>
      <a href={to}>
        <span class="tile-value">{figure(value)}</span>
        <span class="tile-label">{label}</span>
      </a>
    </li>
  );
}

const WIDTH = 600;
const HEIGHT = 120;

/** Started (bars) and completed (line) per minute, drawn by hand in SVG; the figures in words beside it. */
function Throughput({ overview }: { overview: Overview }) {
  const t = overview.throughput;
  const top = Math.max(1, ...t.perMinute.map((m) => Math.max(m.started, m.completed + m.canceled)));
  const step = WIDTH / t.perMinute.length;
  const y = (n: number) => HEIGHT - (n / top) * (HEIGHT - 10);
  const ended = t.perMinute.map((m, i) => `${(i + 0.5) * step},${y(m.completed + m.canceled)}`).join(' ');
  const words = `${t.started} started, ${t.completed} completed, ${t.canceled} canceled in the last ${t.minutes} minutes; at most ${top} in a minute`;
  return (
    <figure class="throughput">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT + 16}`} role="img" aria-label={`Instances per minute: ${words}`}>
        <line x1="0" y1={HEIGHT} x2={WIDTH} y2={HEIGHT} class="axis" />
        {t.perMinute.map((m, i) => (
          <rect key={m.minute} x={i * step + 1} width={step - 2} y={y(m.started)} height={HEIGHT - y(m.started)} class="started">
            <title>
              {new Date(m.minute).toLocaleTimeString()}: {m.started} started, {m.completed} completed, {m.canceled} canceled
            </title>
          </rect>
        ))}
        <polyline points={ended} class="ended" />
        <text x="0" y={HEIGHT + 14}>
          -60 min
        </text>
        <text x={WIDTH} y={HEIGHT + 14} text-anchor="end">
          now
        </text>
        <text x="4" y="10">
          {top}/min
        </text>
      </svg>
      <figcaption>
        <span class="legend legend-started">Started</span> <span class="legend legend-ended">Ended (completed + canceled)</span>
        <br />
        <span data-figure="throughput">{words}</span>
      </figcaption>
    </figure>
  );
}

import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import {
  authorization,
  completeOidcSignIn,
  getJson,
  onUnauthorized,
  setAuthorization,
  V1,
  type Me,
} from './api';
import { href, usePolled, useRoute, type Route } from './hooks';
import { MeContext } from './me';
import { BatchesPage } from './pages/batches';
import { InstancePage } from './pages/instance';
import { InstancesPage, instanceFilterNames } from './pages/instances';
import { OverviewPage } from './pages/overview';
import { ProcessesPage, ProcessPage } from './pages/processes';
import { SignIn } from './pages/sign-in';
import { TasksPage } from './pages/tasks';
import { WaitingPage, waitingFilterNames, type WaitingTab } from './pages/waiting';
import './styles.css';

const param = (route: Route, name: string): string | undefined =>
  route.params.get(name) ?? undefined;

function Page({ route }: { route: Route }) {
  const segments = route.path
    .split('/')
    .filter((s) => s !== '')
    .map(decodeURIComponent);
  const [section, id] = segments;
  if (section === 'processes' && id !== undefined)
    return <ProcessPage processKey={id} version={route.params.get('version')} />;
  if (section === 'instances' && id !== undefined) return <InstancePage key={id} id={id} />;
  if (section === 'instances') {
    const filters = Object.fromEntries(instanceFilterNames.map((n) => [n, param(route, n)]));
    return <InstancesPage key={JSON.stringify(filters)} filters={filters} />;
  }
  if (section === 'tasks') {
    const filters = {
      assignee: param(route, 'assignee'),
      candidateGroup: param(route, 'candidateGroup'),
      processKey: param(route, 'processKey'),
    };
    return (
      <TasksPage
        key={JSON.stringify(filters)}
        filters={filters}
        selected={route.params.get('task')}
      />
    );
  }
  if (section === 'waiting') {
    const requested = route.params.get('tab');
    const tab: WaitingTab =
      requested === 'timers' || requested === 'messages' || requested === 'incidents'
        ? requested
        : 'jobs';
    const filters = Object.fromEntries(waitingFilterNames(tab).map((n) => [n, param(route, n)]));
    return <WaitingPage key={`${tab}${JSON.stringify(filters)}`} tab={tab} filters={filters} />;
  }
  if (section === 'batches') return <BatchesPage selected={param(route, 'batch')} />;
  if (section === 'processes') return <ProcessesPage />;
  if (section === 'overview' || section === undefined) return <OverviewPage />;
  return (
    <main>
      <h1>Not found</h1>
      <p>
        Nothing here. <a href={href('/processes')}>Processes</a>
      </p>
    </main>
  );
}

function App() {
  const route = useRoute();
  const [signIn, setSignIn] = useState(false);
  // Bumped on sign-in and sign-out: every page loads again with the new credentials.
  const [session, setSession] = useState(0);
  useEffect(() => onUnauthorized(() => setSignIn(true)), []);
  // Who is signed in, once per sign-in: the pages offer only the actions it may take.
  const me = usePolled(() => getJson<Me>(`${V1}/me`), [session], false).data;
  const section = route.path.split('/')[1] ?? '';
  const link = (path: string, label: string) => (
    <a href={href(path)} aria-current={section === path.slice(1) ? 'page' : undefined}>
      {label}
    </a>
  );
  return (
    <>
      <header>
        <a class="brand" href={href('/overview')}>
          Baton
        </a>
        <nav aria-label="Main">
          {link('/overview', 'Overview')}
          {link('/processes', 'Processes')}
          {link('/instances', 'Instances')}
          {link('/waiting', 'Waiting work')}
          {link('/tasks', 'Tasks')}
          {link('/batches', 'Batches')}
        </nav>
        <span class="spacer" />
        {me !== undefined && me.via !== 'none' && (
          <span class="who" title={`permissions: ${me.permissions.join(', ')}`}>
            {me.principal}
            {me.tenants.includes('*') ? '' : ` (${me.tenants.join(', ')})`}
          </span>
        )}
        <a href="/api/docs">API docs</a>
        {authorization() !== null && (
          <button
            type="button"
            class="link"
            onClick={() => {
              setAuthorization(null);
              setSession(session + 1);
            }}
          >
            Sign out
          </button>
        )}
      </header>
      {signIn ? (
        <SignIn
          onSignedIn={() => {
            setSignIn(false);
            setSession(session + 1);
          }}
        />
      ) : (
        <MeContext.Provider value={me}>
          <Page key={session} route={route} />
        </MeContext.Provider>
      )}
    </>
  );
}

const root = document.getElementById('app');
// Back from the issuer's sign-in page: the code is exchanged before anything calls the API.
if (root !== null) void completeOidcSignIn().finally(() => render(<App />, root));

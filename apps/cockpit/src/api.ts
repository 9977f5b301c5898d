/**
 * The API client of the cockpit: same origin, JSON, errors as problem+json.
 * Credentials the user types in the sign-in form (an API key, or a Basic
 * user and password) are kept in sessionStorage and sent as the
 * `Authorization` header of every call; no cookie is involved, so there is
 * nothing for a cross-site request to ride on.
 */
const STORAGE_KEY = 'baton.cockpit.authorization';

export interface Problem {
  readonly title?: string;
  readonly status?: number;
  readonly detail?: string;
  readonly code?: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem | undefined,
    message: string,
  ) {
    super(message);
  }
}

export interface Page<T> {
  readonly items: T[];
  readonly nextCursor: string | null;
}

export interface Definition {
  readonly id: string;
  readonly key: string;
  readonly version: number;
  readonly name: string | null;
  readonly versionTag: string | null;
  readonly tenantId: string;
  readonly deployedAt: string;
}

export type InstanceStatus =
  'ACTIVE' | 'SUSPENDED' | 'COMPLETED' | 'CANCELED' | 'CANCELING' | 'SUSPENDING' | 'RESUMING';

export interface InstanceSummary {
  readonly id: string;
  readonly processKey: string;
  readonly version: number;
  readonly status: InstanceStatus;
  readonly businessKey: string | null;
  readonly parentInstanceId: string | null;
  readonly tenantId: string;
  readonly startedAt: string;
  readonly endedAt: string | null;
}

export interface Incident {
  readonly id: string;
  readonly instanceId: string;
  readonly elementId: string;
  readonly type: string;
  readonly message: string;
  readonly jobId: string | null;
  readonly createdAt: string;
  readonly resolvedAt: string | null;
}

export interface Token {
  readonly id: string;
  readonly elementId: string;
  readonly state: 'READY' | 'WAITING';
}

export interface Instance extends InstanceSummary {
  readonly variables: Record<string, unknown>;
  readonly tokens: Token[];
  readonly incidents: Incident[];
}

/**
 * A scope that holds variables (`GET /api/v1/instances/{id}/scopes`): the
 * process (keyed by the instance id), or a live element instance with local
 * variables (a subprocess, a multi-instance inner instance, a task).
 */
export interface Scope {
  readonly id: string;
  readonly elementId: string;
  readonly elementType: string;
  readonly parentId: string | null;
  readonly variables: Record<string, unknown>;
}

/** One instruction of `POST /api/v1/instances/{id}/modification` (Camunda 8's process instance modification). */
export interface ModificationRequest {
  readonly activate?: {
    readonly elementId: string;
    readonly variables?: {
      readonly scopeId?: string;
      readonly variables: Record<string, unknown>;
    }[];
  }[];
  readonly terminate?: { readonly elementInstanceId: string }[];
}

export interface HistoryItem {
  readonly id: string;
  readonly type:
    | 'ELEMENT_ACTIVATED'
    | 'ELEMENT_COMPLETED'
    | 'ELEMENT_TERMINATED'
    | 'ELEMENT_MIGRATED'
    | 'INCIDENT_CREATED'
    | 'INCIDENT_RESOLVED';
  readonly elementId: string;
  readonly elementType: string;
  readonly at: string;
}

/** A job as `/v2/jobs/search` shows it (Camunda 8's shape); searching locks nothing. */
export interface Job {
  readonly jobKey: string;
  readonly type: string;
  readonly elementId: string;
  readonly state: string;
  readonly retries: number;
  readonly worker?: string;
  readonly errorMessage?: string;
  readonly deadline?: string;
}

export interface Task {
  readonly id: string;
  readonly instanceId: string;
  readonly processKey: string;
  readonly elementId: string;
  readonly name: string | null;
  readonly assignee: string | null;
  readonly candidateGroups: string[];
  readonly candidateUsers: string[];
  readonly formKey: string | null;
  readonly dueDate: string | null;
  readonly priority: number;
  readonly state: string;
  readonly createdAt: string;
}

export function authorization(): string | null {
  try {
    return sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

export function setAuthorization(value: string | null): void {
  if (value === null) sessionStorage.removeItem(STORAGE_KEY);
  else sessionStorage.setItem(STORAGE_KEY, value);
}

export const apiKeyAuthorization = (key: string): string => `Bearer ${key.trim()}`;

export function basicAuthorization(user: string, password: string): string {
  const bytes = new TextEncoder().encode(`${user}:${password}`);
  return `Basic ${btoa(String.fromCharCode(...bytes))}`;
}

const unauthorizedListeners = new Set<() => void>();

/** Called whenever the API answers 401: the app shows the sign-in form. */
export function onUnauthorized(listener: () => void): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

async function call(
  method: string,
  path: string,
  body?: unknown,
  accept = 'application/json',
  extraHeaders: Record<string, string> = {},
): Promise<Response> {
  // X-Requested-With: the convention by which a server leaves `Basic` out of a 401's challenges for
  // script calls, so that the browser shows no login dialog of its own over the sign-in form.
  const headers: Record<string, string> = {
    accept: `${accept}, application/problem+json`,
    'x-requested-with': 'XMLHttpRequest',
    ...extraHeaders,
  };
  const auth = authorization();
  if (auth !== null) headers.authorization = auth;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'omit',
    cache: 'no-store',
  });
  if (response.ok || response.status === 304) return response;
  const text = await response.text();
  let problem: Problem | undefined;
  try {
    problem = JSON.parse(text) as Problem;
  } catch {
    problem = undefined;
  }
  if (response.status === 401) for (const listener of unauthorizedListeners) listener();
  throw new ApiError(
    response.status,
    problem,
    problem?.detail ?? problem?.title ?? `${response.status} ${response.statusText}`,
  );
}

/** The last answer to each GET, by credentials and path, with its ETag: what a 304 stands for. */
const remembered = new Map<string, { etag: string; data: unknown }>();
const REMEMBERED_MAX = 200;

/**
 * GET a JSON answer. The API tags its JSON reads with an ETag; the answer is
 * remembered with it and the next GET of the same path (with the same
 * credentials) sends it as `If-None-Match`. On `304 Not Modified` the
 * remembered object itself is returned, the same reference as before, so a
 * poller can tell that nothing changed and skip rendering.
 */
export async function getJson<T>(path: string): Promise<T> {
  const key = `${authorization() ?? ''} ${path}`;
  const known = remembered.get(key);
  const response = await call(
    'GET',
    path,
    undefined,
    'application/json',
    known === undefined ? {} : { 'if-none-match': known.etag },
  );
  if (response.status === 304 && known !== undefined) return known.data as T;
  const data = (await response.json()) as T;
  const etag = response.headers.get('etag');
  remembered.delete(key);
  if (etag !== null) {
    remembered.set(key, { etag, data });
    // Oldest first: a long session of many pages keeps only the recent ones.
    const oldest = remembered.keys().next();
    if (remembered.size > REMEMBERED_MAX && oldest.done !== true) remembered.delete(oldest.value);
  }
  return data;
}

/** Who the caller is and what it may do (`GET /api/v1/me`). */
export interface Me {
  readonly principal: string;
  readonly via: 'none' | 'basic' | 'api-key' | 'oidc';
  /** Held permissions; an admin is listed with every one. `start:<process>` holds start for one process. */
  readonly permissions: string[];
  /** The caller's tenants; `*` is every tenant. */
  readonly tenants: string[];
  readonly groups: string[];
}

export type Permission = 'deploy' | 'start' | 'read' | 'operate' | 'jobs' | 'tasks' | 'admin';

/**
 * Whether `me` may take an action needing `permission` (for `resource`, a
 * process key, where the permission may be narrowed to one). Unknown (not
 * loaded yet): no, so that an action appears only once it is known to be allowed.
 */
export function may(me: Me | undefined, permission: Permission, resource?: string): boolean {
  if (me === undefined) return false;
  const held = new Set(me.permissions);
  if (held.has('admin') || held.has(permission)) return true;
  return resource !== undefined && held.has(`${permission}:${resource}`);
}

export async function getText(path: string, accept: string): Promise<string> {
  return (await call('GET', path, undefined, accept)).text();
}

export async function send<T>(
  method: 'POST' | 'PATCH' | 'PUT' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<T | undefined> {
  const response = await call(method, path, body);
  const text = await response.text();
  return text === '' ? undefined : (JSON.parse(text) as T);
}

/** `?a=1&b=2` of the defined, non-empty values. */
export function query(params: Record<string, string | number | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(name, String(value));
  }
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}

export const V1 = '/api/v1';

/** A job as `GET /api/v1/jobs` lists it (read only: listing leases nothing). */
export interface JobListItem {
  readonly id: string;
  readonly type: string;
  readonly instanceId: string;
  readonly processKey: string;
  readonly elementId: string;
  readonly state: string;
  readonly retries: number;
  readonly worker: string | null;
  readonly lockExpiresAt: string | null;
  readonly errorMessage: string | null;
}

export interface Timer {
  readonly id: string;
  readonly instanceId: string | null;
  readonly processKey: string | null;
  readonly elementId: string;
  readonly dueAt: string;
  readonly state: string;
  readonly repetitions: number | null;
  readonly cycle: string | null;
}

export interface MessageSubscription {
  readonly id: string;
  readonly instanceId: string;
  readonly processKey: string;
  readonly elementId: string;
  readonly messageName: string;
  readonly correlationKey: string | null;
  readonly interrupting: boolean;
  readonly createdAt: string;
}

export interface IncidentGroup {
  readonly type: string;
  readonly message: string;
  readonly count: number;
  readonly firstCreatedAt: string;
  readonly lastCreatedAt: string;
}

export interface ElementStatistics {
  readonly elementId: string;
  readonly active: number;
  readonly incidents: number;
  readonly completed: number;
  readonly canceled: number;
}

/** One problem of a refused deployment, naming the element at fault where there is one. */
export interface DeployError {
  readonly elementId?: string | null;
  readonly elementType?: string | null;
  readonly message: string;
}

export interface DeployResult {
  readonly processes: Definition[];
}

/**
 * Deploys a BPMN document (its XML text) with `POST /api/v1/processes`. A
 * refused document throws an ApiError whose problem lists the errors by element.
 */
export async function deployXml(xml: string): Promise<DeployResult> {
  const headers: Record<string, string> = {
    accept: 'application/json, application/problem+json',
    'content-type': 'application/xml',
    'x-requested-with': 'XMLHttpRequest',
  };
  const auth = authorization();
  if (auth !== null) headers.authorization = auth;
  const response = await fetch(`${V1}/processes`, {
    method: 'POST',
    headers,
    body: xml,
    credentials: 'omit',
    cache: 'no-store',
  });
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (response.ok) return body as DeployResult;
  if (response.status === 401) for (const listener of unauthorizedListeners) listener();
  const problem = body as (Problem & { errors?: DeployError[] }) | undefined;
  throw new ApiError(
    response.status,
    problem,
    problem?.detail ?? problem?.title ?? `${response.status}`,
  );
}

/** The errors a refused deployment lists (problem+json `errors`). */
export const deployErrors = (error: unknown): DeployError[] =>
  error instanceof ApiError
    ? (((error.problem as { errors?: DeployError[] } | undefined)?.errors ?? []) as DeployError[])
    : [];

/** One thing a token waits for (`GET /api/v1/instances/{id}/waiting`). */
export type WaitingItem =
  | { kind: 'job'; id: string; type: string; state: string; retries: number; worker: string | null }
  | { kind: 'userTask'; id: string; name: string | null; assignee: string | null }
  | { kind: 'timer'; id: string; elementId: string; dueAt: string }
  | {
      kind: 'message';
      id: string;
      elementId: string;
      messageName: string;
      correlationKey: string | null;
    }
  | { kind: 'signal'; id: string; elementId: string; signalName: string }
  | { kind: 'calledInstance'; id: string; processKey: string; status: string }
  | { kind: 'incident'; id: string; type: string; message: string };

export interface Waiting {
  readonly instanceId: string;
  readonly tokens: (Token & { readonly waitingFor: WaitingItem[] })[];
  readonly unmatched: WaitingItem[];
}

/** What a batch operation does to each instance it covers (`POST /api/v1/batches`). */
export type BatchType =
  | 'CANCEL_PROCESS_INSTANCE'
  | 'RESOLVE_INCIDENT'
  | 'SUSPEND_PROCESS_INSTANCE'
  | 'RESUME_PROCESS_INSTANCE';

/** A batch operation and its progress (`GET /api/v1/batches/{key}`). */
export interface Batch {
  readonly key: string;
  readonly type: string;
  readonly state: string;
  readonly filter: Record<string, unknown>;
  readonly createdAt: string;
  readonly endedAt: string | null;
  readonly total: number;
  readonly pending: number;
  readonly completed: number;
  readonly failed: number;
  readonly skipped: number;
}

export interface BatchItem {
  readonly itemKey: string;
  readonly instanceId: string;
  readonly state: string;
  readonly error: string | null;
  readonly processedAt: string | null;
}

/** How to sign in (`GET /api/v1/sign-in`, public). */
export interface SignInOptions {
  readonly methods: ('api-key' | 'basic' | 'oidc')[];
  readonly oidc: {
    readonly issuer: string;
    readonly clientId: string;
    readonly scopes: string;
    readonly audience: string | null;
    readonly authorizationEndpoint: string;
    readonly tokenEndpoint: string;
  } | null;
  readonly oidcUnavailable: string | null;
}

export async function signInOptions(): Promise<SignInOptions> {
  const response = await fetch(`${V1}/sign-in`, { headers: { accept: 'application/json' } });
  if (!response.ok) throw new ApiError(response.status, undefined, `sign-in options: ${response.status}`);
  return (await response.json()) as SignInOptions;
}

/** The code flow under way: what the page must remember across the issuer's redirect (this tab only). */
const OIDC_PENDING = 'baton.cockpit.oidc';
/** Why the last OIDC sign-in failed, for the sign-in page to say after the redirect back. */
const OIDC_FAILURE = 'baton.cockpit.oidc-failure';

interface PendingSignIn {
  readonly state: string;
  readonly verifier: string;
  readonly tokenEndpoint: string;
  readonly clientId: string;
  readonly redirectUri: string;
  readonly returnTo: string;
}

const base64url = (bytes: Uint8Array): string =>
  btoa(String.fromCharCode(...bytes))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replace(/=+$/, '');

const randomText = (size: number): string => base64url(crypto.getRandomValues(new Uint8Array(size)));

/** The page the issuer sends the browser back to: the cockpit itself (register it with the client). */
export const redirectUri = (): string => `${location.origin}/cockpit/`;

/**
 * Starts the authorization code flow with PKCE (S256): remembers a fresh
 * verifier and state in sessionStorage and sends the browser to the issuer.
 * Needs a secure context (HTTPS, or localhost) for the browser's SHA-256.
 */
export async function startOidcSignIn(oidc: NonNullable<SignInOptions['oidc']>): Promise<void> {
  if (globalThis.crypto?.subtle === undefined) {
    throw new Error('OIDC sign-in needs the cockpit on HTTPS (or localhost): the browser hashes the PKCE verifier only there');
  }
  const verifier = randomText(32);
  const challenge = base64url(
    new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))),
  );
  const pending: PendingSignIn = {
    state: randomText(16),
    verifier,
    tokenEndpoint: oidc.tokenEndpoint,
    clientId: oidc.clientId,
    redirectUri: redirectUri(),
    returnTo: location.hash,
  };
  sessionStorage.setItem(OIDC_PENDING, JSON.stringify(pending));
  sessionStorage.removeItem(OIDC_FAILURE);
  const url = new URL(oidc.authorizationEndpoint);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', oidc.clientId);
  url.searchParams.set('redirect_uri', pending.redirectUri);
  url.searchParams.set('scope', oidc.scopes);
  url.searchParams.set('state', pending.state);
  url.searchParams.set('code_challenge', challenge);
  url.searchParams.set('code_challenge_method', 'S256');
  if (oidc.audience !== null) url.searchParams.set('audience', oidc.audience);
  location.assign(url.toString());
}

/**
 * On the way back from the issuer (`?code=&state=` or `?error=`): checks the
 * state, exchanges the code and the verifier for an access token at the
 * token endpoint, keeps it as the Authorization, and puts the URL back as it
 * was before sign-in. Anything else on the page's URL is left alone. A
 * failure is remembered for the sign-in page to show.
 */
export async function completeOidcSignIn(): Promise<void> {
  const params = new URLSearchParams(location.search);
  if (!params.has('code') && !params.has('error')) return;
  const saved = sessionStorage.getItem(OIDC_PENDING);
  sessionStorage.removeItem(OIDC_PENDING);
  const pending = saved === null ? undefined : (JSON.parse(saved) as PendingSignIn);
  history.replaceState(null, '', `${location.pathname}${pending?.returnTo ?? location.hash}`);
  const fail = (why: string) => sessionStorage.setItem(OIDC_FAILURE, why);
  if (pending === undefined) return fail('the issuer sent the browser back, but no sign-in was under way in this tab');
  if (params.get('state') !== pending.state) return fail('the issuer answered with a state this tab did not send');
  if (params.has('error')) {
    return fail(`the issuer refused: ${params.get('error_description') ?? params.get('error')}`);
  }
  try {
    const response = await fetch(pending.tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: params.get('code') ?? '',
        redirect_uri: pending.redirectUri,
        client_id: pending.clientId,
        code_verifier: pending.verifier,
      }),
    });
    const answer = (await response.json()) as { access_token?: string; error?: string; error_description?: string };
    if (!response.ok || typeof answer.access_token !== 'string') {
      return fail(`the token endpoint refused the code: ${answer.error_description ?? answer.error ?? response.status}`);
    }
    setAuthorization(`Bearer ${answer.access_token}`);
  } catch (e) {
    fail(`the token endpoint cannot be reached: ${(e as Error).message}`);
  }
}

/** Why the last OIDC sign-in of this tab failed, once (reading clears it). */
export function takeOidcFailure(): string | null {
  const why = sessionStorage.getItem(OIDC_FAILURE);
  sessionStorage.removeItem(OIDC_FAILURE);
  return why;
}

/** A count the API stopped at its bound: `capped` means at least `count`. */
export interface BoundedCount {
  readonly count: number;
  readonly capped: boolean;
}

/** `GET /api/v1/overview`: the landing page's figures. */
export interface Overview {
  readonly at: string;
  readonly instances: {
    readonly active: BoundedCount;
    readonly suspended: BoundedCount;
    readonly completed: BoundedCount;
    readonly canceled: BoundedCount;
    readonly withIncident: BoundedCount;
  };
  readonly incidents: { readonly open: BoundedCount };
  readonly throughput: {
    readonly minutes: number;
    readonly perMinute: readonly { readonly minute: string; readonly started: number; readonly completed: number; readonly canceled: number }[];
    readonly started: number;
    readonly completed: number;
    readonly canceled: number;
  };
  readonly jobs: {
    readonly backlog: BoundedCount;
    readonly backlogByType: readonly { readonly type: string; readonly count: number }[];
    readonly workers: readonly { readonly worker: string; readonly types: readonly string[]; readonly jobs: number }[];
  };
  readonly processes:
    | readonly {
        readonly node: number;
        readonly app: string;
        readonly host: string;
        readonly pid: number | null;
        readonly consumes: readonly string[];
        readonly leaseUntil: string;
      }[]
    | null;
  readonly tokenQueue: { readonly bus: 'rabbitmq' | 'in-process'; readonly depth: number | null } | null;
}

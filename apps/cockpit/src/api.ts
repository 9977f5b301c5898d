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

export interface HistoryItem {
  readonly id: string;
  readonly type:
    | 'ELEMENT_ACTIVATED'
    | 'ELEMENT_COMPLETED'
    | 'ELEMENT_TERMINATED'
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
): Promise<Response> {
  // X-Requested-With: the convention by which a server leaves `Basic` out of a 401's challenges for
  // script calls, so that the browser shows no login dialog of its own over the sign-in form.
  const headers: Record<string, string> = {
    accept: `${accept}, application/problem+json`,
    'x-requested-with': 'XMLHttpRequest',
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
  if (response.ok) return response;
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

export async function getJson<T>(path: string): Promise<T> {
  return (await call('GET', path)).json() as Promise<T>;
}

export async function getText(path: string, accept: string): Promise<string> {
  return (await call('GET', path, undefined, accept)).text();
}

export async function send<T>(
  method: 'POST' | 'PATCH' | 'DELETE',
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

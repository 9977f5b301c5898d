import type { FastifyRequest } from 'fastify';
import { Permission } from './permissions';

/**
 * What a route requires, checked by the one auth hook (auth-hook.ts):
 * - `public`: nobody has to authenticate (probes, the docs, what clients call first);
 * - `metrics`: the METRICS_TOKEN bearer when that is set, else open;
 * - `authenticated`: any caller that proved who it is, whatever it holds (what a caller asks about itself);
 * - `permission`: an authenticated caller holding it. `resource` names the
 *   resource a scoped permission (`start:<bpmnProcessId>`, `jobs:<type>`)
 *   must match: a route param, a field of the JSON body, or the type of the
 *   job whose id is the param; without a resource only the whole permission
 *   (or `admin`) does. `asAssignee`: the user task (id in that param) must be
 *   the caller's (assignee, candidate user, or in a candidate group) unless it holds `operate`.
 *   `tenantField`: a write into a tenant the caller does not have is a 403.
 */
export type RouteRule =
  | { readonly access: 'public' }
  | { readonly access: 'metrics' }
  | { readonly access: 'authenticated' }
  | {
      readonly access: 'permission';
      readonly permission: Permission;
      readonly resource?: ResourceOf;
      readonly asAssignee?: string;
      /** The entity whose id is in that param: a caller outside its tenant gets 404, as if it did not exist. */
      readonly owner?: Owner;
      /** The body field naming the tenant (or tenants) the request acts in; absent: the default tenant. Must be the caller's. */
      readonly tenantField?: string;
    };

/** An entity a route names by id, whose tenant confines who may see it. */
export interface Owner {
  readonly kind: 'instance' | 'incident' | 'task' | 'job';
  readonly param: string;
}

/** Where a route carries the resource its permission may be scoped to. */
export interface ResourceOf {
  readonly from: 'params' | 'body' | 'job';
  readonly field: string;
  /**
   * When the body names no resource in `field`: the body field holding a
   * process definition's key, whose BPMN process id is the resource (a /v2
   * start by `processDefinitionKey`).
   */
  readonly orDefinitionKey?: string;
  /**
   * When the body names no resource: the handler checks the permission for
   * each process it acts on (a conditional evaluation starts whichever
   * processes match; a caller holding some `start:<id>` passes the hook).
   */
  readonly orEachInHandler?: boolean;
}

const PUBLIC: RouteRule = { access: 'public' };
const need = (permission: Permission, extra: Partial<Extract<RouteRule, { access: 'permission' }>> = {}): RouteRule => ({
  access: 'permission',
  permission,
  ...extra,
});
const { Deploy, Start, Read, Operate, Jobs, Tasks, Admin } = Permission;
const jobById = (param: string): RouteRule => need(Jobs, { resource: { from: 'job', field: param } });
const of = (kind: Owner['kind'], param = 'id'): { owner: Owner } => ({ owner: { kind, param } });

/**
 * Every route of the API by `METHOD /route` (Fastify's route pattern; HEAD
 * follows GET). A route missing here answers 403 to all but admins, and a
 * test (apps/api/test/auth.e2e-spec.ts) fails until it is added.
 */
export const ROUTE_PERMISSIONS: ReadonlyMap<string, RouteRule> = new Map<string, RouteRule>([
  // Probes, the docs, the index and the redirect to the docs.
  ['GET /', PUBLIC],
  ['GET /health', PUBLIC],
  ['GET /health/ready', PUBLIC],
  ['GET /metrics', { access: 'metrics' }],
  ['GET /api/docs', PUBLIC],
  ['GET /api/docs-json', PUBLIC],
  ['GET /api/docs/swagger-initializer.js', PUBLIC],
  ['GET /api/docs/swagger-ui.css', PUBLIC],
  ['GET /api/docs/swagger-ui-bundle.js', PUBLIC],
  ['GET /api/docs/swagger-ui-standalone-preset.js', PUBLIC],
  ['GET /api/v1', PUBLIC],
  // The cockpit's static files (the page itself calls the API with the user's credentials).
  ['GET /cockpit', PUBLIC],
  ['GET /cockpit/*', PUBLIC],
  // Who the caller is and what it may do (the cockpit hides what it may not).
  ['GET /api/v1/me', { access: 'authenticated' }],
  // How to sign in (asked before there are credentials).
  ['GET /api/v1/sign-in', PUBLIC],

  ['POST /api/v1/processes', need(Deploy, { tenantField: 'tenantId' })],
  ['GET /api/v1/processes', need(Read)],
  ['GET /api/v1/processes/:key', need(Read)],
  ['DELETE /api/v1/processes/:key', need(Deploy)],
  ['GET /api/v1/processes/:key/xml', need(Read)],
  ['POST /api/v1/processes/:key/instances', need(Start, { resource: { from: 'params', field: 'key' }, tenantField: 'tenantId' })],
  ['GET /api/v1/instances', need(Read)],
  ['GET /api/v1/instances/:id', need(Read, of('instance'))],
  ['GET /api/v1/instances/:id/history', need(Read, of('instance'))],
  ['GET /api/v1/instances/:id/decisions', need(Read, of('instance'))],
  ['GET /api/v1/instances/:id/scopes', need(Read, of('instance'))],
  ['POST /api/v1/instances/:id/cancel', need(Operate, of('instance'))],
  ['POST /api/v1/instances/:id/modification', need(Operate, of('instance'))],
  ['POST /api/v1/instances/:id/migration', need(Operate, of('instance'))],
  ['POST /api/v1/instances/:id/suspend', need(Operate, of('instance'))],
  ['POST /api/v1/instances/:id/resume', need(Operate, of('instance'))],
  ['PATCH /api/v1/instances/:id/variables', need(Operate, of('instance'))],
  ['POST /api/v1/decisions', need(Deploy, { tenantField: 'tenantId' })],
  ['GET /api/v1/decisions', need(Read)],
  ['POST /api/v1/forms', need(Deploy)],
  ['GET /api/v1/forms', need(Read)],
  ['GET /api/v1/forms/:key', need(Read)],
  ['GET /api/v1/decisions/:key', need(Read)],
  ['DELETE /api/v1/decisions/:key', need(Deploy)],
  ['GET /api/v1/decisions/:key/xml', need(Read)],
  // Runs the decision's logic (work on the server), as a start runs a process's.
  ['POST /api/v1/decisions/:key/evaluation', need(Start, { tenantField: 'tenantId' })],
  ['GET /api/v1/incidents', need(Read)],
  ['GET /api/v1/incidents/:id', need(Read, of('incident'))],
  ['POST /api/v1/incidents/:id/resolve', need(Operate, of('incident'))],
  ['GET /api/v1/tasks', need(Read)],
  ['GET /api/v1/tasks/:id', need(Read, of('task'))],
  ['GET /api/v1/tasks/:id/form', need(Read, of('task'))],
  // As the task's assignee or candidate user, unless the caller holds operate.
  ['POST /api/v1/tasks/:id/claim', need(Tasks, { asAssignee: 'id' })],
  ['POST /api/v1/tasks/:id/complete', need(Tasks, { asAssignee: 'id' })],
  ['POST /api/v1/jobs/activate', need(Jobs, { resource: { from: 'body', field: 'type' } })],
  ['POST /api/v1/jobs/:id/complete', jobById('id')],
  ['POST /api/v1/jobs/:id/fail', jobById('id')],
  ['POST /api/v1/jobs/:id/bpmn-error', jobById('id')],
  ['POST /api/v1/jobs/:id/heartbeat', jobById('id')],
  ['POST /api/v1/jobs/:id/retries', need(Operate, of('job'))],
  // A message or signal can start instances of any process: the whole start permission.
  ['POST /api/v1/messages', need(Start, { tenantField: 'tenantId' })],
  ['POST /api/v1/signals', need(Start, { tenantField: 'tenantId' })],
  // Starts every process whose conditional start event holds: start for the process named, else checked per matched process by the handler (403 if one is not allowed).
  ['POST /api/v1/conditionals/evaluation', need(Start, { resource: { from: 'body', field: 'processKey', orEachInHandler: true }, tenantField: 'tenantId' })],
  ['POST /api/v1/api-keys', need(Admin)],
  ['GET /api/v1/api-keys', need(Admin)],
  ['DELETE /api/v1/api-keys/:apiKeyId', need(Admin)],
  ['GET /api/v1/audit-log', need(Admin)],
  // Batch operations act only on the instances of the caller's tenants (the filter is confined to them).
  ['POST /api/v1/batches', need(Operate)],
  ['GET /api/v1/batches', need(Read)],
  ['GET /api/v1/batches/:key', need(Read)],
  ['GET /api/v1/batches/:key/items', need(Read)],
  ['POST /api/v1/batches/:key/cancel', need(Operate)],
  ['POST /api/v1/batches/:key/suspend', need(Operate)],
  ['POST /api/v1/batches/:key/resume', need(Operate)],
  // Event export's dead letters hold every tenant's records: admins only.
  ['GET /api/v1/export/dead-letters', need(Admin)],
  ['POST /api/v1/export/dead-letters/:id/retry', need(Admin)],
  // The inspection API: reads only, confined to the caller's tenants by the handlers.
  ['GET /api/v1/jobs', need(Read)],
  ['GET /api/v1/timers', need(Read)],
  ['GET /api/v1/message-subscriptions', need(Read)],
  ['GET /api/v1/incident-groups', need(Read)],
  ['GET /api/v1/incident-groups/incidents', need(Read)],
  ['GET /api/v1/overview', need(Read)],
  ['GET /api/v1/processes/:key/statistics', need(Read)],
  ['GET /api/v1/instances/:id/waiting', need(Read, of('instance'))],

  // Camunda 8 (/v2). Its clients ask for the topology before anything else, without a token of their own choosing.
  ['GET /v2/topology', PUBLIC],
  ['GET /v2/status', PUBLIC],
  ['POST /v2/deployments', need(Deploy)],
  // A resource of another tenant is not found (the controller confines the deletion to the caller's tenants).
  ['POST /v2/resources/:resourceKey/deletion', need(Deploy)],
  [
    'POST /v2/process-instances',
    need(Start, { resource: { from: 'body', field: 'processDefinitionId', orDefinitionKey: 'processDefinitionKey' }, tenantField: 'tenantId' }),
  ],
  ['POST /v2/process-instances/search', need(Read)],
  ['GET /v2/process-instances/:processInstanceKey', need(Read, of('instance', 'processInstanceKey'))],
  ['POST /v2/process-instances/:processInstanceKey/cancellation', need(Operate, of('instance', 'processInstanceKey'))],
  ['POST /v2/process-instances/:processInstanceKey/modification', need(Operate, of('instance', 'processInstanceKey'))],
  ['POST /v2/process-instances/:processInstanceKey/migration', need(Operate, of('instance', 'processInstanceKey'))],
  ['POST /v2/process-definitions/search', need(Read)],
  ['GET /v2/process-definitions/:processDefinitionKey', need(Read)],
  ['GET /v2/process-definitions/:processDefinitionKey/xml', need(Read)],
  ['POST /v2/process-definitions/:processDefinitionKey/statistics/element-instances', need(Read)],
  ['POST /v2/jobs/activation', need(Jobs, { resource: { from: 'body', field: 'type' }, tenantField: 'tenantIds' })],
  ['POST /v2/jobs/search', need(Read)],
  ['PATCH /v2/jobs/:jobKey', need(Operate, of('job', 'jobKey'))],
  ['POST /v2/jobs/:jobKey/completion', jobById('jobKey')],
  ['POST /v2/jobs/:jobKey/failure', jobById('jobKey')],
  ['POST /v2/jobs/:jobKey/error', jobById('jobKey')],
  ['POST /v2/messages/publication', need(Start, { tenantField: 'tenantId' })],
  ['POST /v2/messages/correlation', need(Start, { tenantField: 'tenantId' })],
  ['POST /v2/signals/broadcast', need(Start, { tenantField: 'tenantId' })],
  // As Camunda 8.9: start on the process of processDefinitionKey, else on every matched process (the handler answers 403 if one is not allowed).
  [
    'POST /v2/conditionals/evaluation',
    need(Start, { resource: { from: 'body', field: 'processDefinitionId', orDefinitionKey: 'processDefinitionKey', orEachInHandler: true }, tenantField: 'tenantId' }),
  ],
  ['POST /v2/decision-definitions/evaluation', need(Start, { tenantField: 'tenantId' })],
  // Confined to the caller's tenants by the handlers (another tenant's entity is a 404).
  ['POST /v2/decision-definitions/search', need(Read)],
  ['GET /v2/decision-definitions/:decisionDefinitionKey', need(Read)],
  ['GET /v2/decision-definitions/:decisionDefinitionKey/xml', need(Read)],
  ['POST /v2/decision-requirements/search', need(Read)],
  ['GET /v2/decision-requirements/:decisionRequirementsKey', need(Read)],
  ['GET /v2/decision-requirements/:decisionRequirementsKey/xml', need(Read)],
  ['POST /v2/decision-instances/search', need(Read)],
  ['GET /v2/decision-instances/:decisionEvaluationInstanceKey', need(Read)],
  ['POST /v2/element-instances/search', need(Read)],
  ['GET /v2/element-instances/:elementInstanceKey', need(Read)],
  ['PUT /v2/element-instances/:elementInstanceKey/variables', need(Operate)],
  ['POST /v2/variables/search', need(Read)],
  ['GET /v2/variables/:variableKey', need(Read)],
  ['POST /v2/incidents/search', need(Read)],
  ['GET /v2/incidents/:incidentKey', need(Read, of('incident', 'incidentKey'))],
  ['POST /v2/incidents/:incidentKey/resolution', need(Operate, of('incident', 'incidentKey'))],
  ['POST /v2/user-tasks/search', need(Read)],
  ['GET /v2/user-tasks/:userTaskKey', need(Read, of('task', 'userTaskKey'))],
  ['GET /v2/user-tasks/:userTaskKey/form', need(Read, of('task', 'userTaskKey'))],
  ['POST /v2/user-tasks/:userTaskKey/assignment', need(Tasks, { asAssignee: 'userTaskKey' })],
  ['DELETE /v2/user-tasks/:userTaskKey/assignee', need(Tasks, { asAssignee: 'userTaskKey' })],
  ['PATCH /v2/user-tasks/:userTaskKey', need(Tasks, { asAssignee: 'userTaskKey' })],
  ['POST /v2/user-tasks/:userTaskKey/completion', need(Tasks, { asAssignee: 'userTaskKey' })],
  ['POST /v2/process-instances/cancellation', need(Operate)],
  ['POST /v2/process-instances/incident-resolution', need(Operate)],
  ['POST /v2/process-instances/migration', need(Operate)],
  ['POST /v2/process-instances/deletion', need(Operate)],
  ['GET /v2/batch-operations/:batchOperationKey', need(Read)],
  ['POST /v2/batch-operations/search', need(Read)],
  ['POST /v2/batch-operations/:batchOperationKey/cancellation', need(Operate)],
  ['POST /v2/batch-operations/:batchOperationKey/suspension', need(Operate)],
  ['POST /v2/batch-operations/:batchOperationKey/resumption', need(Operate)],
  ['POST /v2/batch-operation-items/search', need(Read)],
]);

/** Admins only: what a route the table does not know requires (closed by default). */
export const UNLISTED: RouteRule = need(Admin);

/** The rule of a request's route (HEAD as GET). */
export function ruleOf(method: string, url: string): RouteRule {
  const m = method === 'HEAD' ? 'GET' : method;
  return ROUTE_PERMISSIONS.get(`${m} ${url}`) ?? UNLISTED;
}

/** The resource a request names for its rule's scoped permission, if it names one. */
export function resourceOf(request: FastifyRequest, where: { from: 'params' | 'body' | 'job'; field: string }): string | undefined {
  const source = (where.from === 'body' ? request.body : request.params) as Record<string, unknown> | null | undefined;
  const value = source !== null && typeof source === 'object' ? source[where.field] : undefined;
  return typeof value === 'string' && value !== '' ? value : undefined;
}

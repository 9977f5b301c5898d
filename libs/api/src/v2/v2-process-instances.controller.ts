import { Body, Controller, HttpCode, Inject, Param, Post, UseFilters } from '@nestjs/common';
import { sleep } from '@baton/support';
import { DefinitionRegistry, InstanceService, RuntimeError, type InstanceView, type LoadedDefinition } from '@baton/runtime';
import type { Variables } from '@baton/engine';
import { parse } from '../http/validation';
import { V2Problem, V2ProblemFilter } from './v2-problem.filter';
import { V2Api, V2Body, V2EitherBody } from './v2-openapi';
import { CancelBody, CreateByIdBody, CreateByKeyBody, keyParam, ModifyBody } from './v2.schemas';
import { tenantOf } from './v2-tenants';

/** `requestTimeout` 0 or absent: how long `awaitCompletion` waits (Camunda's default gateway request timeout). */
export const DEFAULT_AWAIT_TIMEOUT_MS = 15_000;
/** Most an `awaitCompletion` request waits whatever it asks. */
const MAX_AWAIT_TIMEOUT_MS = 300_000;
const AWAIT_POLL_MS = 50;

@V2Api()
@UseFilters(V2ProblemFilter)
@Controller('v2/process-instances')
export class V2ProcessInstancesController {
  constructor(
    @Inject(InstanceService) private readonly instances: InstanceService,
    @Inject(DefinitionRegistry) private readonly registry: DefinitionRegistry,
  ) {}

  /**
   * By `processDefinitionId` (latest or `processDefinitionVersion`) or by
   * `processDefinitionKey`. With `awaitCompletion`, answers once the instance
   * completed (its root variables, or `fetchVariables` of them), 504 when
   * `requestTimeout` runs out first.
   */
  @Post()
  @V2EitherBody(CreateByIdBody, CreateByKeyBody)
  @HttpCode(200)
  async create(@Body() body: unknown): Promise<object> {
    const isObject = typeof body === 'object' && body !== null;
    const request =
      isObject && 'processDefinitionKey' in body
        ? parse(CreateByKeyBody, body, 'body')
        : parse(CreateByIdBody, body ?? {}, 'body');
    const tenantId = tenantOf(request.tenantId);
    let definition: LoadedDefinition | null;
    if ('processDefinitionKey' in request) {
      definition = await this.registry.byId(request.processDefinitionKey);
      if (definition === null || definition.tenantId !== tenantId) {
        throw RuntimeError.notFound(`process definition with key '${request.processDefinitionKey}'`);
      }
    } else {
      const version = request.processDefinitionVersion === undefined || request.processDefinitionVersion < 0 ? undefined : request.processDefinitionVersion;
      definition = await this.registry.byProcessId(request.processDefinitionId, { version, tenantId });
      if (definition === null) {
        throw RuntimeError.notFound(
          version === undefined
            ? `process definition with id '${request.processDefinitionId}'`
            : `version ${version} of process definition '${request.processDefinitionId}'`,
        );
      }
    }
    // The latest version starts as /api/v1 starts it, through the cached "latest" lookup; a version named by
    // number or key is looked up again by version, which refuses a deleted one.
    const latest = !('processDefinitionKey' in request) && (request.processDefinitionVersion === undefined || request.processDefinitionVersion < 0);
    const started = await this.instances.start(definition.bpmnProcessId, {
      variables: request.variables,
      version: latest ? undefined : definition.version,
      tenantId: definition.tenantId,
    });
    if (started.version !== definition.version) {
      // A newer version was deployed between the two lookups: answer with the one that started.
      definition = (await this.registry.byProcessId(definition.bpmnProcessId, { version: started.version, tenantId })) ?? definition;
    }
    const created = {
      processDefinitionId: definition.bpmnProcessId,
      processDefinitionVersion: definition.version,
      tenantId: definition.tenantId,
      processDefinitionKey: definition.id,
      processInstanceKey: started.id,
      tags: [],
    };
    if (request.awaitCompletion !== true) return { ...created, variables: {} };
    const wait = request.requestTimeout === undefined || request.requestTimeout <= 0 ? DEFAULT_AWAIT_TIMEOUT_MS : Math.min(request.requestTimeout, MAX_AWAIT_TIMEOUT_MS);
    const ended = await this.awaitEnd(started.id, wait);
    return { ...created, variables: pick(ended.variables, request.fetchVariables) };
  }

  /** 204 once canceled, or queued behind a worker's step (then it overtakes everything in the instance's inbox). */
  @Post(':processInstanceKey/cancellation')
  @V2Body(CancelBody)
  @HttpCode(204)
  async cancel(@Param('processInstanceKey') key: string, @Body() body: unknown): Promise<void> {
    keyParam('processInstanceKey', key);
    parse(CancelBody, body, 'body');
    // Camunda forgets ended instances: canceling one is a 404 there.
    const instance = await this.instances.get(key);
    if (instance.status === 'COMPLETED' || instance.status === 'CANCELED') {
      throw RuntimeError.notFound(`process instance '${key}' (it has ended: ${instance.status})`);
    }
    await this.instances.cancel(key);
  }

  /**
   * Process instance modification: activate elements, terminate element
   * instances. Every instruction is checked first; one that cannot apply is a
   * 400 naming it and nothing changes. 204 once applied (or queued behind a
   * worker's step); the activated elements run on a worker.
   */
  @Post(':processInstanceKey/modification')
  @V2Body(ModifyBody)
  @HttpCode(204)
  async modify(@Param('processInstanceKey') key: string, @Body() body: unknown): Promise<void> {
    keyParam('processInstanceKey', key);
    const request = parse(ModifyBody, body, 'body');
    // Camunda forgets ended instances: modifying one is a 404 there.
    const instance = await this.instances.get(key);
    if (instance.status === 'COMPLETED' || instance.status === 'CANCELED') {
      throw RuntimeError.notFound(`process instance '${key}' (it has ended: ${instance.status})`);
    }
    await this.instances.modify(key, {
      activate: (request.activateInstructions ?? []).map((a) => ({
        elementId: a.elementId,
        ...(a.ancestorElementInstanceKey === undefined || String(a.ancestorElementInstanceKey) === '-1'
          ? {}
          : { ancestorElementInstanceId: String(a.ancestorElementInstanceKey) }),
        variables: (a.variableInstructions ?? []).map((v) => ({ scopeId: v.scopeId, variables: v.variables })),
      })),
      terminate: (request.terminateInstructions ?? []).map((t) =>
        'elementInstanceKey' in t ? { elementInstanceId: t.elementInstanceKey } : { elementId: t.elementId },
      ),
    });
  }

  private async awaitEnd(id: string, timeoutMs: number): Promise<InstanceView> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const instance = await this.instances.get(id);
      if (instance.status === 'COMPLETED') return instance;
      if (instance.status === 'CANCELED') {
        throw new V2Problem(409, 'INVALID_STATE', `process instance ${id} was canceled before it completed`);
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new V2Problem(
          504,
          'DEADLINE_EXCEEDED',
          `process instance ${id} did not complete within ${timeoutMs} ms; it keeps running`,
        );
      }
      await sleep(Math.min(AWAIT_POLL_MS, left));
    }
  }
}

function pick(variables: Variables, names: readonly string[] | undefined): Variables {
  if (names === undefined || names.length === 0) return variables;
  const picked: Variables = {};
  for (const name of names) if (Object.prototype.hasOwnProperty.call(variables, name)) picked[name] = variables[name];
  return picked;
}

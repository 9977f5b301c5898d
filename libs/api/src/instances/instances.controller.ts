import { Body, Controller, Get, Headers, HttpCode, Inject, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import {
  InstanceService,
  type CommandResult,
  type HistoryItemView,
  type InstanceSummaryView,
  type InstanceView,
  type Page,
  type StartedInstanceView,
} from '@baton/runtime';
import type { Variables } from '@baton/engine';
import { RUNTIME_STORE } from '@baton/host';
import type { RuntimeStore } from '@baton/runtime';
import { ApiJsonBody, ApiJsonResponse, ApiKeyParam, ApiProblems, ApiProcessKeyParam, ApiQueryFrom, page, schemaOf } from '../http/openapi';
import { parse } from '../http/validation';
import { CurrentCaller } from '../auth/caller.decorator';
import { tenantScope, type Caller } from '../auth/caller';
import {
  HistoryItemSchema,
  HistoryQuery,
  InstanceListQuery,
  InstanceSchema,
  InstanceSummarySchema,
  PatchVariablesBody,
  IdempotencyKeyHeader,
  ModifyBody,
  StartBody,
  ScopesResponse,
  StartedInstanceSchema,
  VariablesResponse,
} from './instances.schemas';
import { instanceScopes, type ScopeView } from './instance-scopes';

@ApiTags('instances')
@Controller()
export class InstancesController {
  constructor(
    @Inject(InstanceService) private readonly instances: InstanceService,
    @Inject(RUNTIME_STORE) private readonly store: RuntimeStore,
  ) {}

  @Post('processes/:key/instances')
  @ApiOperation({ summary: 'Start an instance of the latest (or a given) version of a process' })
  @ApiProcessKeyParam()
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'Retrying with the same key (per process) answers the first start and creates nothing; kept IDEMPOTENCY_TTL seconds',
  })
  @ApiJsonBody(StartBody, { required: false, description: 'Optional: no body starts the latest version without variables' })
  @ApiJsonResponse(201, StartedInstanceSchema, 'Started; a worker runs it from here')
  @ApiProblems(400, 404, 413, 422)
  start(
    @Param('key') key: string,
    @Body() body: unknown,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
  ): Promise<StartedInstanceView> {
    return this.instances.start(key, { ...parse(StartBody, body ?? {}, 'body'), idempotencyKey: parse(IdempotencyKeyHeader, idempotencyKey, 'header') });
  }

  @Get('instances')
  @ApiOperation({ summary: 'Instances, newest first' })
  @ApiQueryFrom(InstanceListQuery)
  @ApiJsonResponse(200, page(InstanceSummarySchema), 'A page of instances')
  @ApiProblems(400)
  list(@Query() query: unknown, @CurrentCaller() caller: Caller): Promise<Page<InstanceSummaryView>> {
    return this.instances.list({ ...parse(InstanceListQuery, query, 'query'), tenants: tenantScope(caller) });
  }

  @Get('instances/:id')
  @ApiOperation({ summary: 'An instance with its variables, live tokens and open incidents' })
  @ApiKeyParam('id', 'The instance id')
  @ApiJsonResponse(200, InstanceSchema, 'The instance')
  @ApiProblems(404)
  get(@Param('id') id: string): Promise<InstanceView> {
    return this.instances.get(id);
  }

  @Get('instances/:id/history')
  @ApiOperation({ summary: 'Element events of an instance in the order they happened' })
  @ApiKeyParam('id', 'The instance id')
  @ApiQueryFrom(HistoryQuery)
  @ApiResponse({
    status: 200,
    description: 'A page of history',
    schema: schemaOf(page(HistoryItemSchema)),
    headers: { 'Baton-History-Level': { description: 'What history the instance writes: full, activity or none (an empty list then means history is off; README "History and retention")', schema: { type: 'string', enum: ['full', 'activity', 'none'] } } },
  })
  @ApiProblems(400, 404)
  async history(@Param('id') id: string, @Query() query: unknown, @Res({ passthrough: true }) reply: FastifyReply): Promise<Page<HistoryItemView>> {
    const [items, level] = await Promise.all([this.instances.history(id, parse(HistoryQuery, query, 'query')), this.instances.historyLevel(id)]);
    void reply.header('baton-history-level', level);
    return items;
  }

  @Get('instances/:id/scopes')
  @ApiOperation({
    summary: 'The variable scopes of an instance: the process, and each live element instance holding local variables',
    description:
      'Set a variable of an element instance with `PUT /v2/element-instances/{key}/variables` (`"local": true`), of the process with `PATCH /api/v1/instances/{id}/variables`.',
  })
  @ApiKeyParam('id', 'The instance id')
  @ApiJsonResponse(200, ScopesResponse, 'The process first, then the element instances by key')
  @ApiProblems(404)
  async scopes(@Param('id') id: string): Promise<{ items: ScopeView[] }> {
    return { items: await instanceScopes(this.store, id) };
  }

  @Post('instances/:id/cancel')
  @HttpCode(200)
  @ApiOperation({ summary: 'Cancel an instance (and its call-activity children)' })
  @ApiKeyParam('id', 'The instance id')
  @ApiJsonResponse(200, InstanceSchema, 'The instance, CANCELED')
  @ApiJsonResponse(202, InstanceSchema, 'A worker is stepping the instance: the cancel waits in its inbox and overtakes everything there (CANCELING)')
  @ApiProblems(404, 409)
  async cancel(@Param('id') id: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<InstanceView> {
    return answer(await this.instances.cancel(id), reply);
  }

  @Post('instances/:id/suspend')
  @HttpCode(200)
  @ApiOperation({ summary: 'Suspend an ACTIVE instance: it does not advance until resumed' })
  @ApiKeyParam('id', 'The instance id')
  @ApiJsonResponse(200, InstanceSchema, 'The instance, SUSPENDED')
  @ApiJsonResponse(202, InstanceSchema, 'A worker is stepping the instance: the command waits in its inbox (SUSPENDING)')
  @ApiProblems(404, 409)
  async suspend(@Param('id') id: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<InstanceView> {
    return answer(await this.instances.suspend(id), reply);
  }

  @Post('instances/:id/resume')
  @HttpCode(200)
  @ApiOperation({ summary: 'Resume a SUSPENDED instance' })
  @ApiKeyParam('id', 'The instance id')
  @ApiJsonResponse(200, InstanceSchema, 'The instance, ACTIVE')
  @ApiJsonResponse(202, InstanceSchema, 'A worker is stepping the instance: the command waits in its inbox (RESUMING)')
  @ApiProblems(404, 409)
  async resume(@Param('id') id: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<InstanceView> {
    return answer(await this.instances.resume(id), reply);
  }

  @Post('instances/:id/modification')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Modify an instance: activate elements, terminate element instances (Camunda 8 process instance modification)',
    description:
      'Every instruction is checked first; one that cannot apply is a 400 naming the element or element instance, and nothing changes. ' +
      'A flow scope left with nothing running is terminated, up to the process (the instance then ends CANCELED).',
  })
  @ApiKeyParam('id', 'The instance id')
  @ApiJsonBody(ModifyBody)
  @ApiJsonResponse(200, InstanceSchema, 'The instance after the modification; activated elements are READY for a worker')
  @ApiJsonResponse(202, InstanceSchema, 'A worker is stepping the instance: the modification waits in its inbox and applies after that step')
  @ApiProblems(400, 404, 409, 413, 422)
  async modify(@Param('id') id: string, @Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply): Promise<InstanceView> {
    const request = parse(ModifyBody, body, 'body');
    const outcome = await this.instances.modify(id, { activate: request.activate ?? [], terminate: request.terminate ?? [] });
    return answer({ outcome, value: await this.instances.get(id) }, reply);
  }

  @Patch('instances/:id/variables')
  @ApiOperation({ summary: 'Merge variables into the process scope' })
  @ApiKeyParam('id', 'The instance id')
  @ApiJsonBody(PatchVariablesBody)
  @ApiJsonResponse(200, VariablesResponse, 'All process-scope variables after the merge')
  @ApiJsonResponse(202, VariablesResponse, 'A worker is stepping the instance: the change waits in its inbox; the stored variables with it merged in')
  @ApiProblems(400, 404, 409, 413, 422)
  async patchVariables(
    @Param('id') id: string,
    @Body() body: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<{ variables: Variables }> {
    return answer(await this.instances.patchVariables(id, parse(PatchVariablesBody, body, 'body').variables), reply);
  }
}

/** 200 with the result of a command applied now; 202 when it waits in the instance's inbox for a worker's step to end. */
export function answer<T>(result: CommandResult<T>, reply: FastifyReply): T {
  if (result.outcome === 'queued') void reply.status(202);
  return result.value;
}

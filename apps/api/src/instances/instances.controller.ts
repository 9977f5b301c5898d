import { Body, Controller, Get, HttpCode, Inject, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import {
  InstanceService,
  type HistoryItemView,
  type InstanceSummaryView,
  type InstanceView,
  type Page,
  type StartedInstanceView,
} from '@baton/runtime';
import type { Variables } from '@baton/engine';
import { ApiJsonBody, ApiJsonResponse, ApiProblems, ApiQueryFrom, page } from '../http/openapi';
import { parse } from '../http/validation';
import {
  HistoryItemSchema,
  HistoryQuery,
  InstanceListQuery,
  InstanceSchema,
  InstanceSummarySchema,
  PatchVariablesBody,
  StartBody,
  StartedInstanceSchema,
  VariablesResponse,
} from './instances.schemas';

@ApiTags('instances')
@Controller()
export class InstancesController {
  constructor(@Inject(InstanceService) private readonly instances: InstanceService) {}

  @Post('processes/:key/instances')
  @ApiOperation({ summary: 'Start an instance of the latest (or a given) version of a process' })
  @ApiParam({ name: 'key', description: 'The BPMN `<process id>`' })
  @ApiJsonBody(StartBody)
  @ApiJsonResponse(201, StartedInstanceSchema, 'Started; a worker runs it from here')
  @ApiProblems(400, 404, 413, 422)
  start(@Param('key') key: string, @Body() body: unknown): Promise<StartedInstanceView> {
    return this.instances.start(key, parse(StartBody, body ?? {}, 'body'));
  }

  @Get('instances')
  @ApiOperation({ summary: 'Instances, newest first' })
  @ApiQueryFrom(InstanceListQuery)
  @ApiJsonResponse(200, page(InstanceSummarySchema), 'A page of instances')
  @ApiProblems(400)
  list(@Query() query: unknown): Promise<Page<InstanceSummaryView>> {
    return this.instances.list(parse(InstanceListQuery, query, 'query'));
  }

  @Get('instances/:id')
  @ApiOperation({ summary: 'An instance with its variables, live tokens and open incidents' })
  @ApiJsonResponse(200, InstanceSchema, 'The instance')
  @ApiProblems(404)
  get(@Param('id') id: string): Promise<InstanceView> {
    return this.instances.get(id);
  }

  @Get('instances/:id/history')
  @ApiOperation({ summary: 'Element events of an instance in the order they happened' })
  @ApiQueryFrom(HistoryQuery)
  @ApiJsonResponse(200, page(HistoryItemSchema), 'A page of history')
  @ApiProblems(400, 404)
  history(@Param('id') id: string, @Query() query: unknown): Promise<Page<HistoryItemView>> {
    return this.instances.history(id, parse(HistoryQuery, query, 'query'));
  }

  @Post('instances/:id/cancel')
  @HttpCode(200)
  @ApiOperation({ summary: 'Cancel an instance (and its call-activity children)' })
  @ApiJsonResponse(200, InstanceSchema, 'The instance, CANCELED')
  @ApiProblems(404, 409)
  cancel(@Param('id') id: string): Promise<InstanceView> {
    return this.instances.cancel(id);
  }

  @Post('instances/:id/suspend')
  @HttpCode(200)
  @ApiOperation({ summary: 'Suspend an ACTIVE instance: it does not advance until resumed' })
  @ApiJsonResponse(200, InstanceSchema, 'The instance, SUSPENDED')
  @ApiProblems(404, 409)
  suspend(@Param('id') id: string): Promise<InstanceView> {
    return this.instances.suspend(id);
  }

  @Post('instances/:id/resume')
  @HttpCode(200)
  @ApiOperation({ summary: 'Resume a SUSPENDED instance' })
  @ApiJsonResponse(200, InstanceSchema, 'The instance, ACTIVE')
  @ApiProblems(404, 409)
  resume(@Param('id') id: string): Promise<InstanceView> {
    return this.instances.resume(id);
  }

  @Patch('instances/:id/variables')
  @ApiOperation({ summary: 'Merge variables into the process scope' })
  @ApiJsonBody(PatchVariablesBody)
  @ApiJsonResponse(200, VariablesResponse, 'All process-scope variables after the merge')
  @ApiProblems(400, 404, 409, 413, 422)
  patchVariables(@Param('id') id: string, @Body() body: unknown): Promise<{ variables: Variables }> {
    return this.instances.patchVariables(id, parse(PatchVariablesBody, body, 'body').variables);
  }
}

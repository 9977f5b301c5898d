import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { answer } from '../instances/instances.controller';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { IncidentService, type IncidentView, type Page } from '@baton/runtime';
import { ApiJsonBody, ApiJsonResponse, ApiKeyParam, ApiProblems, ApiQueryFrom, page } from '../http/openapi';
import { parse } from '../http/validation';
import { CurrentCaller } from '../auth/caller.decorator';
import { tenantScope, type Caller } from '../auth/caller';
import { IncidentListQuery, IncidentSchema, ResolveIncidentBody } from './incidents.schemas';

@ApiTags('incidents')
@Controller('incidents')
export class IncidentsController {
  constructor(@Inject(IncidentService) private readonly incidents: IncidentService) {}

  @Get()
  @ApiOperation({ summary: 'Incidents, oldest first: open ones unless `state=RESOLVED`' })
  @ApiQueryFrom(IncidentListQuery)
  @ApiJsonResponse(200, page(IncidentSchema), 'A page of incidents')
  @ApiProblems(400)
  list(@Query() query: unknown, @CurrentCaller() caller: Caller): Promise<Page<IncidentView>> {
    return this.incidents.list({ ...parse(IncidentListQuery, query, 'query'), tenants: tenantScope(caller) });
  }

  @Get(':id')
  @ApiOperation({ summary: 'An incident (open or resolved)' })
  @ApiKeyParam('id', 'The incident id')
  @ApiJsonResponse(200, IncidentSchema, 'The incident')
  @ApiProblems(404)
  get(@Param('id') id: string): Promise<IncidentView> {
    return this.incidents.get(id);
  }

  @Post(':id/resolve')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Resolve an incident; the instance continues where it stopped',
    description:
      'A job out of retries becomes activatable again with `retries` (default 1); any other incident retries the step that failed, ' +
      'so fix its cause first (deploy the called process, set the missing variable). 409 when it is already resolved or cannot be.',
  })
  @ApiKeyParam('id', 'The incident id')
  @ApiJsonBody(ResolveIncidentBody, { required: false, description: 'Optional: no body resolves with the defaults' })
  @ApiJsonResponse(200, IncidentSchema, 'The incident, resolved')
  @ApiJsonResponse(202, IncidentSchema, 'A worker is stepping the instance: the resolution waits in its inbox')
  @ApiProblems(400, 404, 409)
  async resolve(@Param('id') id: string, @Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply): Promise<IncidentView> {
    return answer(await this.incidents.resolve(id, parse(ResolveIncidentBody, body ?? {}, 'body')), reply);
  }
}

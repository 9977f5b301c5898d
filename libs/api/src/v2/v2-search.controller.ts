import { Body, Controller, Get, HttpCode, Inject, Param, Post, Res, UseFilters } from '@nestjs/common';
import { RUNTIME_STORE } from '@baton/host';
import { CamundaSearchService, type RuntimeStore } from '@baton/runtime';
import type { FastifyReply } from 'fastify';
import { CurrentCaller } from '../auth/caller.decorator';
import { tenantScope, type Caller } from '../auth/caller';
import { parse } from '../http/validation';
import { V2ProblemFilter } from './v2-problem.filter';
import { V2Api, V2Body } from './v2-openapi';
import { keyParam, SearchBody } from './v2.schemas';
import { incidentView, jobView, processDefinitionView, processInstanceView, searchResult } from './v2-views';

/**
 * Camunda 8.8's searches and gets of process instances, process definitions,
 * incidents and jobs (what Operate-style tools and c8ctl read). Searches read
 * rows only: a job search leases nothing. Everything is confined to the
 * caller's tenants (docs/security.md): a search's own `tenantId` filter can
 * narrow that, never widen it, and a key of another tenant is not found.
 */
@V2Api()
@UseFilters(V2ProblemFilter)
@Controller('v2')
export class V2SearchController {
  private readonly search: CamundaSearchService;

  constructor(@Inject(RUNTIME_STORE) store: RuntimeStore) {
    this.search = new CamundaSearchService(store);
  }

  @Post('process-instances/search')
  @V2Body(SearchBody)
  @HttpCode(200)
  async processInstances(@Body() body: unknown, @CurrentCaller() caller: Caller): Promise<object> {
    return searchResult(await this.search.processInstances(parse(SearchBody, body, 'body') ?? {}, tenantScope(caller)), processInstanceView);
  }

  @Get('process-instances/:processInstanceKey')
  async processInstance(@Param('processInstanceKey') key: string, @CurrentCaller() caller: Caller): Promise<object> {
    return processInstanceView(await this.search.processInstance(keyParam('processInstanceKey', key), tenantScope(caller)));
  }

  @Post('process-definitions/search')
  @V2Body(SearchBody)
  @HttpCode(200)
  async processDefinitions(@Body() body: unknown, @CurrentCaller() caller: Caller): Promise<object> {
    return searchResult(await this.search.processDefinitions(parse(SearchBody, body, 'body') ?? {}, tenantScope(caller)), processDefinitionView);
  }

  @Get('process-definitions/:processDefinitionKey')
  async processDefinition(@Param('processDefinitionKey') key: string, @CurrentCaller() caller: Caller): Promise<object> {
    return processDefinitionView(await this.search.processDefinition(keyParam('processDefinitionKey', key), tenantScope(caller)));
  }

  /** The BPMN document verbatim, as deployed. */
  @Get('process-definitions/:processDefinitionKey/xml')
  async processDefinitionXml(
    @Param('processDefinitionKey') key: string,
    @Res({ passthrough: true }) reply: FastifyReply,
    @CurrentCaller() caller: Caller,
  ): Promise<string> {
    const xml = await this.search.processDefinitionXml(keyParam('processDefinitionKey', key), tenantScope(caller));
    void reply.header('content-type', 'text/xml; charset=utf-8');
    return xml;
  }

  @Post('incidents/search')
  @V2Body(SearchBody)
  @HttpCode(200)
  async incidents(@Body() body: unknown, @CurrentCaller() caller: Caller): Promise<object> {
    return searchResult(await this.search.incidents(parse(SearchBody, body, 'body') ?? {}, tenantScope(caller)), incidentView);
  }

  @Get('incidents/:incidentKey')
  async incident(@Param('incidentKey') key: string, @CurrentCaller() caller: Caller): Promise<object> {
    return incidentView(await this.search.incident(keyParam('incidentKey', key), tenantScope(caller)));
  }

  @Post('jobs/search')
  @V2Body(SearchBody)
  @HttpCode(200)
  async jobs(@Body() body: unknown, @CurrentCaller() caller: Caller): Promise<object> {
    return searchResult(await this.search.jobs(parse(SearchBody, body, 'body') ?? {}, tenantScope(caller)), jobView);
  }
}

import { Body, Controller, Get, HttpCode, Inject, Param, Post, Put, UseFilters } from '@nestjs/common';
import { RUNTIME_STORE } from '@baton/host';
import { CamundaSearchService, camundaElementType, DefinitionRegistry, InstanceService, type ElementInstanceSearchRecord, type RuntimeStore } from '@baton/runtime';
import { CurrentCaller } from '../auth/caller.decorator';
import { tenantScope, type Caller } from '../auth/caller';
import { parse } from '../http/validation';
import { V2ProblemFilter } from './v2-problem.filter';
import { V2Api, V2Body } from './v2-openapi';
import { keyParam, SearchBody, SetVariablesBody } from './v2.schemas';
import { searchResult } from './v2-views';

/**
 * Camunda 8.8's element instances: every element an instance entered (the
 * process itself included, keyed by the process instance key), read from
 * Baton's history.
 */
@V2Api()
@UseFilters(V2ProblemFilter)
@Controller('v2/element-instances')
export class V2ElementInstancesController {
  private readonly search: CamundaSearchService;

  constructor(
    @Inject(RUNTIME_STORE) store: RuntimeStore,
    @Inject(DefinitionRegistry) private readonly registry: DefinitionRegistry,
    @Inject(InstanceService) private readonly instances: InstanceService,
  ) {
    this.search = new CamundaSearchService(store);
  }

  @Post('search')
  @V2Body(SearchBody)
  @HttpCode(200)
  async elementInstances(@Body() body: unknown, @CurrentCaller() caller: Caller): Promise<object> {
    const page = await this.search.elementInstances(parse(SearchBody, body, 'body') ?? {}, tenantScope(caller));
    const names = await this.elementNames(page.items);
    return searchResult(page, (r) => elementInstanceView(r, names));
  }

  @Get(':elementInstanceKey')
  async elementInstance(@Param('elementInstanceKey') key: string, @CurrentCaller() caller: Caller): Promise<object> {
    const record = await this.search.elementInstance(keyParam('elementInstanceKey', key), tenantScope(caller));
    return elementInstanceView(record, await this.elementNames([record]));
  }

  /**
   * Sets variables in the scope of an active element instance, or of the
   * process when the key is the process instance's. Not `local`: each
   * variable updates the nearest scope up that has it, else the process
   * scope. 204 also when the instance is busy and the write waits in its
   * inbox for the next step (Camunda answers once the command is accepted).
   * An element of another tenant than the caller's is not found.
   */
  @Put(':elementInstanceKey/variables')
  @V2Body(SetVariablesBody)
  @HttpCode(204)
  async setVariables(@Param('elementInstanceKey') key: string, @Body() body: unknown, @CurrentCaller() caller: Caller): Promise<void> {
    keyParam('elementInstanceKey', key);
    const request = parse(SetVariablesBody, body, 'body');
    const tenants = tenantScope(caller);
    if (tenants !== undefined) await this.search.elementInstance(key, tenants);
    await this.instances.setElementVariables(key, request.variables, request.local === true);
  }

  /**
   * The elements' names from their process models (the history keeps ids
   * only), by definition and element id; an element without a name is
   * named by its id, as Camunda names it.
   */
  private async elementNames(records: readonly ElementInstanceSearchRecord[]): Promise<Map<string, string>> {
    const names = new Map<string, string>();
    for (const definitionId of new Set(records.map((r) => r.definitionId))) {
      const definition = await this.registry.byId(definitionId);
      if (definition === null) continue;
      const { process } = definition;
      if (process.name !== undefined) names.set(`${definitionId}:${process.id}`, process.name);
      for (const node of process.nodes.values()) if (node.name !== undefined) names.set(`${definitionId}:${node.id}`, node.name);
    }
    return names;
  }
}

function elementInstanceView(r: ElementInstanceSearchRecord, names: ReadonlyMap<string, string>): Record<string, unknown> {
  return {
    processDefinitionId: r.bpmnProcessId,
    startDate: new Date(r.startedAt).toISOString(),
    ...(r.endedAt === null ? {} : { endDate: new Date(r.endedAt).toISOString() }),
    elementId: r.elementId,
    elementName: names.get(`${r.definitionId}:${r.elementId}`) ?? r.elementId,
    type: camundaElementType(r.elementType),
    state: r.state,
    hasIncident: r.hasIncident,
    tenantId: r.tenantId,
    elementInstanceKey: r.id,
    processInstanceKey: r.instanceId,
    processDefinitionKey: r.definitionId,
    ...(r.incidentId === null ? {} : { incidentKey: r.incidentId }),
  };
}

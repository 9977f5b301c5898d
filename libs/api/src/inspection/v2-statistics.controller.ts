import { Body, Controller, HttpCode, Inject, Param, Post, UseFilters } from '@nestjs/common';
import { InspectionService, type ElementStatisticsView } from '@baton/runtime';
import { CurrentCaller } from '../auth/caller.decorator';
import { tenantScope, type Caller } from '../auth/caller';
import { parse } from '../http/validation';
import { V2Api, V2Body } from '../v2/v2-openapi';
import { V2ProblemFilter } from '../v2/v2-problem.filter';
import { keyParam } from '../v2/v2.schemas';
import { V2StatisticsBody } from './inspection.schemas';

/**
 * Camunda 8.8's element statistics of a process definition, in its shape:
 * `{ items: [{ elementId, active, canceled, incidents, completed }] }`.
 * Camunda's body may filter the process instances counted; Baton takes an
 * empty filter only (a filter is refused with 400, never ignored).
 */
@V2Api()
@UseFilters(V2ProblemFilter)
@Controller('v2/process-definitions')
export class V2StatisticsController {
  constructor(@Inject(InspectionService) private readonly inspection: InspectionService) {}

  @Post(':processDefinitionKey/statistics/element-instances')
  @HttpCode(200)
  @V2Body(V2StatisticsBody)
  async elementStatistics(
    @Param('processDefinitionKey') key: string,
    @Body() body: unknown,
    @CurrentCaller() caller: Caller,
  ): Promise<{ items: ElementStatisticsView[] }> {
    parse(V2StatisticsBody, body ?? undefined, 'body');
    const items = await this.inspection.definitionStatistics(
      keyParam('processDefinitionKey', key),
      tenantScope(caller),
    );
    return {
      items: items.map(({ elementId, active, canceled, incidents, completed }) => ({
        elementId,
        active,
        canceled,
        incidents,
        completed,
      })),
    };
  }
}

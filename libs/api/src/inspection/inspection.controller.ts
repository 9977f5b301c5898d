import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  DEFAULT_TENANT,
  InspectionService,
  RuntimeError,
  type ElementStatisticsView,
  type IncidentGroupView,
  type IncidentView,
  type JobListView,
  type MessageSubscriptionView,
  type Page,
  type TimerView,
  type WaitingView,
} from '@baton/runtime';
import { CurrentCaller } from '../auth/caller.decorator';
import { inTenant, tenantScope, type Caller } from '../auth/caller';
import {
  ApiJsonResponse,
  ApiKeyParam,
  ApiProblems,
  ApiProcessKeyParam,
  ApiQueryFrom,
  page,
} from '../http/openapi';
import { parse } from '../http/validation';
import {
  GroupIncidentsQuery,
  IncidentGroupQuery,
  IncidentGroupsResponse,
  IncidentSchema,
  JobListItemSchema,
  JobListQuery,
  MessageSubscriptionListQuery,
  MessageSubscriptionSchema,
  StatisticsQuery,
  StatisticsResponse,
  TimerListQuery,
  TimerSchema,
  WaitingSchema,
} from './inspection.schemas';

/**
 * The inspection API: waiting work across instances (jobs, timers, message
 * subscriptions), what an instance's tokens wait for, per-element statistics
 * of a process version, and open incidents grouped by cause. Every route
 * reads only (listing a job does not lease it) and sees the caller's tenants.
 */
@ApiTags('inspection')
@Controller()
export class InspectionController {
  constructor(@Inject(InspectionService) private readonly inspection: InspectionService) {}

  @Get('jobs')
  @ApiOperation({
    summary: 'Jobs, oldest first, with filters; reads only (no job is leased or locked)',
    description: 'Workers take jobs with `POST /api/v1/jobs/activate`; this list is for looking.',
  })
  @ApiQueryFrom(JobListQuery)
  @ApiJsonResponse(200, page(JobListItemSchema), 'A page of jobs')
  @ApiProblems(400)
  jobs(@Query() query: unknown, @CurrentCaller() caller: Caller): Promise<Page<JobListView>> {
    return this.inspection.jobs({
      ...parse(JobListQuery, query, 'query'),
      tenants: tenantScope(caller),
    });
  }

  @Get('timers')
  @ApiOperation({
    summary:
      'Timers in the order they fall due (scheduled ones unless `state`), instance timers and start timers',
  })
  @ApiQueryFrom(TimerListQuery)
  @ApiJsonResponse(200, page(TimerSchema), 'A page of timers')
  @ApiProblems(400)
  timers(@Query() query: unknown, @CurrentCaller() caller: Caller): Promise<Page<TimerView>> {
    return this.inspection.timers({
      ...parse(TimerListQuery, query, 'query'),
      tenants: tenantScope(caller),
    });
  }

  @Get('message-subscriptions')
  @ApiOperation({
    summary:
      'Open message subscriptions of instances, oldest first: what a published message would meet',
  })
  @ApiQueryFrom(MessageSubscriptionListQuery)
  @ApiJsonResponse(200, page(MessageSubscriptionSchema), 'A page of message subscriptions')
  @ApiProblems(400)
  messageSubscriptions(
    @Query() query: unknown,
    @CurrentCaller() caller: Caller,
  ): Promise<Page<MessageSubscriptionView>> {
    return this.inspection.messageSubscriptions({
      ...parse(MessageSubscriptionListQuery, query, 'query'),
      tenants: tenantScope(caller),
    });
  }

  @Get('incident-groups')
  @ApiOperation({ summary: 'Open incidents grouped by type and message, largest group first' })
  @ApiQueryFrom(IncidentGroupQuery)
  @ApiJsonResponse(200, IncidentGroupsResponse, 'The groups (at most `limit`)')
  @ApiProblems(400)
  async incidentGroups(
    @Query() query: unknown,
    @CurrentCaller() caller: Caller,
  ): Promise<{ items: IncidentGroupView[] }> {
    return {
      items: await this.inspection.incidentGroups({
        ...parse(IncidentGroupQuery, query, 'query'),
        tenants: tenantScope(caller),
      }),
    };
  }

  @Get('incident-groups/incidents')
  @ApiOperation({
    summary: 'The open incidents of one group (type and message), by id',
    description:
      'Resolve each with `POST /api/v1/incidents/{id}/resolve` to retry the whole group.',
  })
  @ApiQueryFrom(GroupIncidentsQuery)
  @ApiJsonResponse(200, page(IncidentSchema), 'A page of incidents')
  @ApiProblems(400)
  groupIncidents(
    @Query() query: unknown,
    @CurrentCaller() caller: Caller,
  ): Promise<Page<IncidentView>> {
    return this.inspection.groupIncidents({
      ...parse(GroupIncidentsQuery, query, 'query'),
      tenants: tenantScope(caller),
    });
  }

  @Get('processes/:key/statistics')
  @ApiOperation({
    summary:
      'Per element of a process version: element instances active, with an incident, completed and canceled',
    description:
      "The figures of Camunda 8.8's element statistics (`POST /v2/process-definitions/{key}/statistics/element-instances`).",
  })
  @ApiProcessKeyParam()
  @ApiQueryFrom(StatisticsQuery)
  @ApiJsonResponse(
    200,
    StatisticsResponse,
    'One item per element that has been entered, by element id',
  )
  @ApiProblems(400, 404)
  async statistics(
    @Param('key') key: string,
    @Query() query: unknown,
    @CurrentCaller() caller: Caller,
  ): Promise<{ items: ElementStatisticsView[] }> {
    const version = parse(StatisticsQuery, query, 'query').version;
    // `/api/v1` names processes of the default tenant only, as the other process routes do.
    if (!inTenant(caller, DEFAULT_TENANT)) throw RuntimeError.notFound(`process '${key}'`);
    return { items: await this.inspection.processStatistics(key, version) };
  }

  @Get('instances/:id/waiting')
  @ApiOperation({
    summary:
      'What each live token of an instance waits for: job, user task, timers, subscriptions, called instance, incident',
  })
  @ApiKeyParam('id', 'The instance id')
  @ApiJsonResponse(200, WaitingSchema, 'The tokens with what they wait for')
  @ApiProblems(404)
  waiting(@Param('id') id: string): Promise<WaitingView> {
    return this.inspection.waiting(id);
  }
}

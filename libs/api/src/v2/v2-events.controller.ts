import { Body, Controller, HttpCode, Inject, Param, Post, UseFilters } from '@nestjs/common';
import { CorrelationService, IncidentService, RuntimeError } from '@baton/runtime';
import { parse } from '../http/validation';
import { V2ProblemFilter } from './v2-problem.filter';
import { V2Api, V2Body } from './v2-openapi';
import { tenantOf } from './v2-tenants';
import { BroadcastSignalBody, CorrelateMessageBody, keyParam, PublishMessageBody, ResolveIncidentBody } from './v2.schemas';

/** Messages, signals and incident resolution as Camunda's REST API serves them. */
@V2Api()
@UseFilters(V2ProblemFilter)
@Controller('v2')
export class V2EventsController {
  constructor(
    @Inject(CorrelationService) private readonly correlation: CorrelationService,
    @Inject(IncidentService) private readonly incidents: IncidentService,
  ) {}

  /** Buffered for `timeToLive` ms when nothing waits for it now. */
  @Post('messages/publication')
  @V2Body(PublishMessageBody)
  @HttpCode(200)
  async publish(@Body() body: unknown): Promise<{ messageKey: string; tenantId: string }> {
    const request = parse(PublishMessageBody, body, 'body');
    const tenantId = tenantOf(request.tenantId);
    const result = await this.correlation.publishMessage({
      name: request.name,
      correlationKey: request.correlationKey,
      variables: request.variables,
      timeToLiveMs: request.timeToLive,
      messageId: request.messageId,
      tenantId,
    });
    return { messageKey: result.messageKey, tenantId };
  }

  /** Correlates now or not at all (never buffered): 404 when no subscription or message start event takes it. */
  @Post('messages/correlation')
  @V2Body(CorrelateMessageBody)
  @HttpCode(200)
  async correlate(@Body() body: unknown): Promise<{ messageKey: string; tenantId: string; processInstanceKey: string }> {
    const request = parse(CorrelateMessageBody, body, 'body');
    const tenantId = tenantOf(request.tenantId);
    const result = await this.correlation.publishMessage({
      name: request.name,
      correlationKey: request.correlationKey,
      variables: request.variables,
      timeToLiveMs: 0,
      tenantId,
    });
    const processInstanceKey = result.correlated[0] ?? result.started[0];
    if (processInstanceKey === undefined) {
      throw RuntimeError.notFound(
        `no subscription or message start event for message '${request.name}' with correlation key '${request.correlationKey ?? ''}'`,
      );
    }
    return { messageKey: result.messageKey, tenantId, processInstanceKey };
  }

  @Post('signals/broadcast')
  @V2Body(BroadcastSignalBody)
  @HttpCode(200)
  async broadcast(@Body() body: unknown): Promise<{ signalKey: string; tenantId: string }> {
    const request = parse(BroadcastSignalBody, body, 'body');
    const tenantId = tenantOf(request.tenantId);
    const { signalKey } = await this.correlation.broadcastSignal(request.signalName, request.variables ?? {}, tenantId);
    return { signalKey, tenantId };
  }

  /**
   * The failed phase runs again; a job out of retries is handed out again
   * with the retries set by `PATCH /v2/jobs/{key}`, or one when none were.
   */
  @Post('incidents/:incidentKey/resolution')
  @V2Body(ResolveIncidentBody)
  @HttpCode(204)
  async resolve(@Param('incidentKey') key: string, @Body() body: unknown): Promise<void> {
    keyParam('incidentKey', key);
    parse(ResolveIncidentBody, body, 'body');
    await this.incidents.resolve(key);
  }
}

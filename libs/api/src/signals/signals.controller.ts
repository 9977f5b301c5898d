import { Body, Controller, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CorrelationService } from '@baton/runtime';
import { ApiJsonBody, ApiJsonResponse, ApiProblems } from '../http/openapi';
import { parse } from '../http/validation';
import { BroadcastSignalBody, SignalResultSchema } from './signals.schemas';

@ApiTags('signals')
@Controller('signals')
export class SignalsController {
  constructor(@Inject(CorrelationService) private readonly correlation: CorrelationService) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Broadcast a signal',
    description: 'Reaches every waiting signal catch event, boundary event and event subprocess of active instances, and starts an instance per signal start event.',
  })
  @ApiJsonBody(BroadcastSignalBody)
  @ApiJsonResponse(200, SignalResultSchema, 'How many were reached')
  @ApiProblems(400, 413, 422)
  broadcast(@Body() body: unknown): Promise<{ signalKey: string; triggered: number }> {
    const { name, variables } = parse(BroadcastSignalBody, body, 'body');
    return this.correlation.broadcastSignal(name, variables);
  }
}

import { Body, Controller, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CorrelationService, type MessageResult } from '@baton/runtime';
import { ApiJsonBody, ApiJsonResponse, ApiProblems } from '../http/openapi';
import { parse } from '../http/validation';
import { MessageResultSchema, PublishMessageBody } from './messages.schemas';

@ApiTags('messages')
@Controller('messages')
export class MessagesController {
  constructor(@Inject(CorrelationService) private readonly correlation: CorrelationService) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Publish a message',
    description:
      'Moves every waiting subscription with the name and correlation key (at most one instance per process key; suspended instances are skipped) ' +
      'and starts instances from message start events. Unmatched with `timeToLiveMs` > 0 it is buffered and delivered to the first matching ' +
      'subscription that opens before it expires.',
  })
  @ApiJsonBody(PublishMessageBody)
  @ApiJsonResponse(200, MessageResultSchema, 'Where the message went')
  @ApiProblems(400, 409, 413, 422)
  publish(@Body() body: unknown): Promise<MessageResult> {
    return this.correlation.publishMessage(parse(PublishMessageBody, body, 'body'));
  }
}

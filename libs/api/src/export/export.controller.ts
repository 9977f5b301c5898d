import { Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ExportService, type ExportDeadLetter, type Page } from '@baton/runtime';
import { ApiJsonResponse, ApiKeyParam, ApiProblems, ApiQueryFrom, page } from '../http/openapi';
import { parse } from '../http/validation';
import { DeadLetterListQuery, DeadLetterSchema } from './export.schemas';

/** Event export's dead letters (docs/export.md): records a sink gave up on after EXPORT_MAX_ATTEMPTS. */
@ApiTags('export')
@Controller('export')
export class ExportController {
  constructor(@Inject(ExportService) private readonly exports: ExportService) {}

  @Get('dead-letters')
  @ApiOperation({
    summary: 'Export records a sink gave up on, oldest first',
    description: 'Every tenant\'s records (admin permission). Each keeps the record\'s id, which stays its idempotency key when retried.',
  })
  @ApiQueryFrom(DeadLetterListQuery)
  @ApiJsonResponse(200, page(DeadLetterSchema), 'A page of dead letters')
  @ApiProblems(400)
  async list(@Query() query: unknown): Promise<Page<ExportDeadLetter>> {
    const { limit, cursor } = parse(DeadLetterListQuery, query, 'query');
    return this.exports.deadLetters(limit, cursor ?? null);
  }

  @Post('dead-letters/:id/retry')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Deliver a dead letter again',
    description: 'Puts the record back in its sink\'s outbox under its own id (the receiver\'s idempotency key); being the oldest, it is the next record the sink delivers.',
  })
  @ApiKeyParam('id', 'The dead letter id')
  @ApiJsonResponse(202, DeadLetterSchema.pick({ id: true }), 'Queued for delivery')
  @ApiProblems(400, 404)
  async retry(@Param('id') id: string): Promise<{ id: string }> {
    await this.exports.retry(id);
    return { id };
  }
}

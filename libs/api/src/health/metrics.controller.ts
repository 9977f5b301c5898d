import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import { BatonMetrics } from '@baton/metrics';
import type { FastifyReply } from 'fastify';

/** `/metrics` (Prometheus text), outside `/api/v1`; nginx does not expose it, Prometheus scrapes each replica. */
@ApiTags('health')
@Controller('metrics')
export class MetricsController {
  constructor(@Inject(BatonMetrics) private readonly metrics: BatonMetrics) {}

  @Get()
  @ApiOperation({ summary: 'Prometheus metrics of this API replica' })
  @ApiProduces('text/plain')
  @ApiResponse({ status: 200, description: 'Prometheus text exposition format 0.0.4' })
  async scrape(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    void reply.header('content-type', this.metrics.contentType);
    return this.metrics.metrics();
  }
}

import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { READINESS_CHECKS, runReadinessChecks, type ReadinessCheck, type ReadinessReport } from '@baton/host';
import type { FastifyReply } from 'fastify';

/** `/health` (liveness) and `/health/ready` (readiness), outside `/api/v1`. */
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(@Inject(READINESS_CHECKS) private readonly checks: ReadinessCheck[]) {}

  @Get()
  @ApiOperation({ summary: 'Liveness: the process answers' })
  @ApiResponse({ status: 200, description: '{ status: "ok" }' })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({ summary: 'Readiness: 200 when every dependency answers, 503 otherwise' })
  @ApiResponse({ status: 200, description: '{ status: "ok", ready: true, checks: { postgres: { status: "up" } } }' })
  @ApiResponse({ status: 503, description: 'A dependency is down: checks.<name> = { status: "down", message }' })
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<ReadinessReport & { status: 'ok' | 'unavailable' }> {
    const report = await runReadinessChecks(this.checks);
    if (!report.ready) void reply.status(503);
    return { status: report.ready ? 'ok' : 'unavailable', ...report };
  }
}

import { Controller, Get, Inject, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  HealthCheckService,
  HealthIndicatorService,
  type HealthCheckResult,
} from '@nestjs/terminus';
import { READINESS_CHECKS, type ReadinessCheck, type ReadinessReport } from '@baton/host';
import type { FastifyReply } from 'fastify';

/**
 * `/health` (liveness) and `/health/ready` (readiness), outside `/api/v1`.
 * Terminus runs the host's readiness checks (Postgres; Redis and RabbitMQ
 * when configured), each under its own timeout; the answer keeps Baton's
 * shape, the one the worker's listener gives too.
 */
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    @Inject(READINESS_CHECKS) private readonly checks: ReadinessCheck[],
    @Inject(HealthCheckService) private readonly health: HealthCheckService,
    @Inject(HealthIndicatorService) private readonly indicators: HealthIndicatorService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Liveness: the process answers' })
  @ApiResponse({ status: 200, description: '{ status: "ok" }' })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({
    summary:
      'Readiness: 200 when every dependency answers in time, 503 naming the ones that do not',
  })
  @ApiResponse({
    status: 200,
    description: '{ status: "ok", ready: true, checks: { postgres: { status: "up" } } }',
  })
  @ApiResponse({
    status: 503,
    description: 'A dependency is down: checks.<name> = { status: "down", message }',
  })
  async ready(
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ReadinessReport & { status: 'ok' | 'unavailable' }> {
    let result: HealthCheckResult;
    try {
      result = await this.health.check(
        this.checks.map(
          (c) => () =>
            this.indicators
              .check(c.name)
              .attempt(() => c.check())
              .withTimeout(c.timeoutMs ?? 2_000),
        ),
      );
    } catch (e) {
      if (!(e instanceof ServiceUnavailableException)) throw e;
      result = e.getResponse() as HealthCheckResult;
    }
    const checks: ReadinessReport['checks'] = {};
    for (const [name, detail] of Object.entries(result.details)) {
      checks[name] =
        detail.status === 'up'
          ? { status: 'up' }
          : { status: 'down', message: String(detail.message ?? detail.status) };
    }
    const ready = result.status === 'ok';
    if (!ready) void reply.status(503);
    return { status: ready ? 'ok' : 'unavailable', ready, checks };
  }
}

import { Controller, Get, HttpCode, Inject, Req, UseFilters } from '@nestjs/common';
import { READINESS_CHECKS, type ReadinessCheck } from '@baton/host';
import type { FastifyRequest } from 'fastify';
import { V2Problem, V2ProblemFilter } from './v2-problem.filter';
import { V2Api } from './v2-openapi';

/** The Camunda version Baton's `/v2` answers as (c8ctl and the SDKs read `gatewayVersion`). */
export const CAMUNDA_VERSION = '8.8.0';

/** `GET /v2/topology` and `GET /v2/status`: Baton as a single-node, single-partition cluster. */
@V2Api()
@UseFilters(V2ProblemFilter)
@Controller('v2')
export class V2ClusterController {
  constructor(@Inject(READINESS_CHECKS) private readonly checks: ReadinessCheck[]) {}

  @Get('topology')
  topology(@Req() request: FastifyRequest): object {
    const port = request.socket.localPort ?? 8080;
    return {
      brokers: [
        {
          nodeId: 0,
          host: request.hostname.replace(/:[0-9]+$/, '') || 'localhost',
          port,
          partitions: [{ partitionId: 1, role: 'leader', health: 'healthy' }],
          version: CAMUNDA_VERSION,
        },
      ],
      clusterSize: 1,
      partitionsCount: 1,
      replicationFactor: 1,
      gatewayVersion: CAMUNDA_VERSION,
      lastCompletedChangeId: '-1',
    };
  }

  /** 204 when the store answers, 503 otherwise. */
  @Get('status')
  @HttpCode(204)
  async status(): Promise<void> {
    const store = this.checks.find((c) => c.name === 'postgres') ?? this.checks[0];
    if (store === undefined) return;
    try {
      await withTimeout(store.check(), store.timeoutMs ?? 2_000);
    } catch {
      throw new V2Problem(503, 'UNAVAILABLE', 'the store does not answer');
    }
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('timed out')), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

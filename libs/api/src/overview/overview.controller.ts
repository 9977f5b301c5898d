import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { adapters, type Settings } from '@baton/config';
import { SETTINGS, TOKEN_BUS } from '@baton/host';
import type { TokenBus } from '@baton/bus';
import { OverviewService, type OverviewView } from '@baton/runtime';
import { CurrentCaller } from '../auth/caller.decorator';
import { tenantScope, type Caller } from '../auth/caller';
import { ApiJsonResponse } from '../http/openapi';
import { OverviewSchema } from './overview.schemas';

/**
 * `GET /api/v1/overview`: the cockpit's landing page in one read. The
 * figures are the store's (bounded counts, see PgOverviewRepository) and the
 * token bus's queue depth (RabbitMQ's `checkQueue`, or the in-process
 * queue's length); not Prometheus's.
 */
@ApiTags('inspection')
@Controller()
export class OverviewController {
  constructor(
    @Inject(OverviewService) private readonly overview: OverviewService,
    @Inject(TOKEN_BUS) private readonly bus: TokenBus,
    @Inject(SETTINGS) private readonly settings: Settings,
  ) {}

  @Get('overview')
  @ApiOperation({
    summary: 'Instances by state, open incidents, throughput of the last hour, job backlog and workers, processes and queue depth',
    description:
      'Counts stop at 100,000 (`capped`); throughput is per minute over the last 60 minutes, from the instances\' start and end times. ' +
      'The caller sees its tenants\' figures; processes and the token queue (the whole installation\'s) only a caller of every tenant.',
  })
  @ApiJsonResponse(200, OverviewSchema, 'The overview')
  async get(@CurrentCaller() caller: Caller): Promise<OverviewView> {
    const tenants = tenantScope(caller);
    const [figures, depth] = await Promise.all([this.overview.overview(tenants), tenants === undefined ? this.depth() : Promise.resolve(null)]);
    return {
      ...figures,
      tokenQueue: tenants === undefined ? { bus: adapters(this.settings).bus === 'rabbitmq' ? 'rabbitmq' : 'in-process', depth } : null,
    };
  }

  /** The bus's depth, or null when it does not answer within a second (the rest of the page still shows). */
  private async depth(): Promise<number | null> {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        this.bus.depth(),
        new Promise<null>((resolve) => {
          timer = setTimeout(() => resolve(null), 1_000);
        }),
      ]);
    } catch {
      return null;
    } finally {
      clearTimeout(timer);
    }
  }
}

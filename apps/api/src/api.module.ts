import { Module, type DynamicModule } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import type { Settings } from '@baton/config';
import { HostModule, nestLogger, TOKEN_BUS, type Store } from '@baton/host';
import {
  BatchProcessor,
  DefinitionQueryService,
  DefinitionRegistry,
  InstanceService,
  InstanceStarter,
  TaskService,
  VariableLimits,
} from '@baton/runtime';
import type { TokenBus } from '@baton/bus';
import { PrismaClient } from '@baton/store';
import { DefinitionsController } from './definitions/definitions.controller';
import { HealthController } from './health/health.controller';
import { MetricsController } from './health/metrics.controller';
import { IncidentsController } from './incidents/incidents.controller';
import { InstancesController } from './instances/instances.controller';
import { JobsController } from './jobs/jobs.controller';
import { MessagesController } from './messages/messages.controller';
import { SignalsController } from './signals/signals.controller';
import { TasksController } from './tasks/tasks.controller';

/** The API's root module: the shared host wiring plus the use cases its controllers call. */
@Module({})
export class ApiModule {
  static forRoot(settings: Settings, store: Store): DynamicModule {
    return {
      module: ApiModule,
      imports: [HostModule.forRoot({ settings, store, appName: 'api' }), TerminusModule.forRoot({ errorLogStyle: 'pretty' })],
      controllers: [
        DefinitionsController,
        InstancesController,
        TasksController,
        JobsController,
        MessagesController,
        SignalsController,
        IncidentsController,
        HealthController,
        MetricsController,
      ],
      providers: [
        {
          provide: InstanceService,
          useFactory: (
            prisma: PrismaClient,
            registry: DefinitionRegistry,
            starter: InstanceStarter,
            processor: BatchProcessor,
            bus: TokenBus,
            limits: VariableLimits,
          ) => new InstanceService(prisma, registry, starter, processor, bus, limits, nestLogger('Instances')),
          inject: [PrismaClient, DefinitionRegistry, InstanceStarter, BatchProcessor, TOKEN_BUS, VariableLimits],
        },
        {
          provide: TaskService,
          useFactory: (prisma: PrismaClient, bus: TokenBus, limits: VariableLimits) =>
            new TaskService(prisma, bus, limits, nestLogger('Tasks')),
          inject: [PrismaClient, TOKEN_BUS, VariableLimits],
        },
        {
          provide: DefinitionQueryService,
          useFactory: (prisma: PrismaClient) => new DefinitionQueryService(prisma),
          inject: [PrismaClient],
        },
      ],
    };
  }
}

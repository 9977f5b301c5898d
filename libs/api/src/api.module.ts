import { Module, type DynamicModule } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { feelLimits, type Settings } from '@baton/config';
import { HostModule, RUNTIME_STORE, type Store } from '@baton/host';
import {
  ConditionalStartService,
  DefinitionRegistry,
  InspectionService,
  InstanceStarter,
  OverviewService,
  LeasedKeys,
  VariableLimits,
  type RuntimeStore,
} from '@baton/runtime';
import { PgApiKeyRepository, PgAuditRepository, PgInspectionRepository, PgOverviewRepository } from '@baton/store';
import { AuditLogController } from './auth/audit-log.controller';
import { BatchesController } from './batches/batches.controller';
import { ConditionalsController } from './conditionals/conditionals.controller';
import { ApiKeysController } from './auth/api-keys.controller';
import { ApiKeyService } from './auth/api-keys';
import { DecisionsController } from './decisions/decisions.controller';
import { FormsController } from './forms/forms.controller';
import { DefinitionsController } from './definitions/definitions.controller';
import { HealthController } from './health/health.controller';
import { MetricsController } from './health/metrics.controller';
import { IncidentsController } from './incidents/incidents.controller';
import { ExportController } from './export/export.controller';
import { InspectionController } from './inspection/inspection.controller';
import { V2StatisticsController } from './inspection/v2-statistics.controller';
import { InstancesController } from './instances/instances.controller';
import { OverviewController } from './overview/overview.controller';
import { InstanceMigrationController } from './instances/instance-migration.controller';
import { JobsController } from './jobs/jobs.controller';
import { MessagesController } from './messages/messages.controller';
import { MeController } from './me/me.controller';
import { SignInController } from './me/sign-in.controller';
import { RootController } from './root/root.controller';
import { SignalsController } from './signals/signals.controller';
import { TasksController } from './tasks/tasks.controller';
import { V2_CONTROLLERS } from './v2';

/** The API's root module: the shared host wiring (store, bus, cache, the runtime's use cases) and the controllers. */
@Module({})
export class ApiModule {
  static forRoot(settings: Settings, store: Store): DynamicModule {
    return {
      module: ApiModule,
      imports: [HostModule.forRoot({ settings, store, appName: 'api' }), TerminusModule.forRoot({ errorLogStyle: 'pretty' })],
      controllers: [
        DefinitionsController,
        DecisionsController,
        FormsController,
        InstancesController,
        InstanceMigrationController,
        TasksController,
        JobsController,
        MessagesController,
        SignalsController,
        ConditionalsController,
        IncidentsController,
        HealthController,
        MetricsController,
        RootController,
        MeController,
        SignInController,
        ApiKeysController,
        AuditLogController,
        BatchesController,
        ExportController,
        InspectionController,
        OverviewController,
        ...V2_CONTROLLERS,
        V2StatisticsController,
      ],
      providers: [
        { provide: ApiKeyService, useValue: new ApiKeyService(new PgApiKeyRepository(store.prisma)) },
        { provide: PgAuditRepository, useValue: new PgAuditRepository(store.prisma) },
        {
          provide: InspectionService,
          useFactory: (runtime: RuntimeStore) => new InspectionService(runtime, new PgInspectionRepository(store.prisma)),
          inject: [RUNTIME_STORE],
        },
        { provide: OverviewService, useFactory: () => new OverviewService(new PgOverviewRepository(store.prisma)) },
        {
          provide: ConditionalStartService,
          useFactory: (runtime: RuntimeStore, registry: DefinitionRegistry, starter: InstanceStarter, limits: VariableLimits, keys: LeasedKeys) =>
            new ConditionalStartService(runtime, registry, starter, limits, keys.next, { feelLimits: feelLimits(settings) }),
          inject: [RUNTIME_STORE, DefinitionRegistry, InstanceStarter, VariableLimits, LeasedKeys],
        },
      ],
    };
  }
}

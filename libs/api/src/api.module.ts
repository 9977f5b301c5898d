import { Module, type DynamicModule } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import type { Settings } from '@baton/config';
import { HostModule, type Store } from '@baton/host';
import { PgApiKeyRepository, PgAuditRepository } from '@baton/store';
import { AuditLogController } from './auth/audit-log.controller';
import { ApiKeysController } from './auth/api-keys.controller';
import { ApiKeyService } from './auth/api-keys';
import { DecisionsController } from './decisions/decisions.controller';
import { DefinitionsController } from './definitions/definitions.controller';
import { HealthController } from './health/health.controller';
import { MetricsController } from './health/metrics.controller';
import { IncidentsController } from './incidents/incidents.controller';
import { InstancesController } from './instances/instances.controller';
import { JobsController } from './jobs/jobs.controller';
import { MessagesController } from './messages/messages.controller';
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
        InstancesController,
        TasksController,
        JobsController,
        MessagesController,
        SignalsController,
        IncidentsController,
        HealthController,
        MetricsController,
        RootController,
        ApiKeysController,
        AuditLogController,
        ...V2_CONTROLLERS,
      ],
      providers: [
        { provide: ApiKeyService, useValue: new ApiKeyService(new PgApiKeyRepository(store.prisma)) },
        { provide: PgAuditRepository, useValue: new PgAuditRepository(store.prisma) },
      ],
    };
  }
}

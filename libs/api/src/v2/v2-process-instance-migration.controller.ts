import { Body, Controller, HttpCode, Inject, Param, Post, UseFilters } from '@nestjs/common';
import { z } from 'zod';
import { BatchService, InstanceService, RuntimeError, type MigrationPlan } from '@baton/runtime';
import { CurrentCaller } from '../auth/caller.decorator';
import { tenantScope, type Caller } from '../auth/caller';
import { parse } from '../http/validation';
import { V2Api, V2Body } from './v2-openapi';
import { V2ProblemFilter } from './v2-problem.filter';
import { keyParam } from './v2.schemas';

const MappingInstruction = z.strictObject({
  sourceElementId: z.string().min(1).max(1024),
  targetElementId: z.string().min(1).max(1024),
});

/** Camunda 8.8's `ProcessInstanceMigrationInstruction`. */
const MigrationBody = z.strictObject({
  targetProcessDefinitionKey: z.string(),
  mappingInstructions: z.array(MappingInstruction).max(10_000),
  operationReference: z.number().int().min(1).optional(),
});

/** Camunda 8.8's `ProcessInstanceMigrationBatchOperationRequest`. */
const BatchMigrationBody = z.strictObject({
  filter: z.record(z.string(), z.unknown()),
  migrationPlan: z.strictObject({
    targetProcessDefinitionKey: z.string(),
    mappingInstructions: z.array(MappingInstruction).max(10_000),
  }),
});

/**
 * Camunda 8.8's process instance migration: one instance
 * (`/v2/process-instances/{key}/migration`, 204) or every instance a filter
 * matches as a batch operation (`/v2/process-instances/migration`), each item
 * through the same use case; a refused item is a FAILED item with the reason.
 */
@V2Api()
@UseFilters(V2ProblemFilter)
@Controller('v2/process-instances')
export class V2ProcessInstanceMigrationController {
  constructor(
    @Inject(InstanceService) private readonly instances: InstanceService,
    @Inject(BatchService) private readonly batches: BatchService,
  ) {}

  @Post(':processInstanceKey/migration')
  @V2Body(MigrationBody)
  @HttpCode(204)
  async migrate(@Param('processInstanceKey') key: string, @Body() body: unknown): Promise<void> {
    keyParam('processInstanceKey', key);
    const request = parse(MigrationBody, body, 'body');
    // Camunda forgets ended instances: migrating one is a 404 there.
    const instance = await this.instances.get(key);
    if (instance.status === 'COMPLETED' || instance.status === 'CANCELED') {
      throw RuntimeError.notFound(`process instance '${key}' (it has ended: ${instance.status})`);
    }
    await this.instances.migrate(key, planOf(request));
  }

  @Post('migration')
  @V2Body(BatchMigrationBody)
  @HttpCode(200)
  async migrateMany(@Body() body: unknown, @CurrentCaller() caller: Caller): Promise<object> {
    const request = parse(BatchMigrationBody, body, 'body');
    const batch = await this.batches.create({
      type: 'MIGRATE_PROCESS_INSTANCE',
      filter: { kind: 'v2', filter: request.filter },
      tenants: tenantScope(caller),
      migrationPlan: planOf(request.migrationPlan),
    });
    return { batchOperationKey: batch.key, batchOperationType: batch.type };
  }
}

function planOf(request: {
  targetProcessDefinitionKey: string;
  mappingInstructions: readonly { sourceElementId: string; targetElementId: string }[];
}): MigrationPlan {
  return {
    targetDefinitionId: keyParam('targetProcessDefinitionKey', request.targetProcessDefinitionKey),
    mappings: request.mappingInstructions.map((m) => ({
      sourceElementId: m.sourceElementId,
      targetElementId: m.targetElementId,
    })),
  };
}

import { z } from 'zod';
import { keySchema } from '../http/validation';

/** One mapping instruction with v1 names: a source element id and the target element id it becomes. */
export const MigrationMappingSchema = z.strictObject({
  source: z.string().min(1).max(1024).meta({ example: 'charge' }),
  target: z.string().min(1).max(1024).meta({ example: 'charge_v2' }),
});

/** `POST /api/v1/instances/{id}/migration` and a MIGRATE_PROCESS_INSTANCE batch's plan: Camunda 8's migration plan with v1 names. */
export const MigrationPlanSchema = z.strictObject({
  targetDefinitionId: keySchema.describe(
    'The deployed version (definitionId) to migrate to: another version of the same process or another process of the same tenant',
  ),
  mappings: z
    .array(MigrationMappingSchema)
    .max(10_000)
    .describe(
      "Every active element needs one; mapped catch events keep their subscription, unmapped ones are removed, the target's new ones subscribe",
    ),
});

export const MigrateBody = MigrationPlanSchema;

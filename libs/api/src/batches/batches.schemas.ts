import { z } from 'zod';
import { BATCH_ITEM_STATES, BATCH_STATES, BATCH_TYPES } from '@baton/runtime';
import { keySchema, limitParam, variablesSchema } from '../http/validation';
import { MigrationPlanSchema } from '../instances/migration.schemas';
import { InstanceFilterBodyFields } from '../instances/instances.schemas';

const batchType = z
  .enum(BATCH_TYPES)
  .describe(
    'What the batch does to each instance (RESOLVE_INCIDENT: to each open incident of each instance)',
  );

/** The instance list's filter (`GET /api/v1/instances`), without paging. */
export const BatchFilterSchema = z
  .strictObject(InstanceFilterBodyFields)
  .describe(
    'Which instances: the filter of `GET /api/v1/instances` (an empty filter is every instance the caller may see)',
  );

export const CreateBatchBody = z.strictObject({
  type: batchType.meta({ example: 'CANCEL_PROCESS_INSTANCE' }),
  filter: BatchFilterSchema.meta({ example: { processKey: 'order', status: 'ACTIVE' } }),
  retries: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe(
      'RESOLVE_INCIDENT only: the retries a job out of retries gets (default as a single resolution)',
    ),
  migrationPlan: MigrationPlanSchema.optional().describe(
    'MIGRATE_PROCESS_INSTANCE only: the target version and mappings every instance migrates along (an item it refuses is FAILED with the reason)',
  ),
  variables: variablesSchema
    .optional()
    .describe(
      'SET_VARIABLES only: merged into the process scope of every instance, as `PATCH /instances/{id}/variables` (an ended instance is a FAILED item)',
    ),
});

export const BatchListQuery = z.strictObject({
  limit: limitParam,
  cursor: keySchema.optional().describe('The last key of the previous page'),
});

export const BatchItemsQuery = z.strictObject({
  state: z.enum(BATCH_ITEM_STATES).optional(),
  limit: limitParam,
  cursor: keySchema.optional().describe('The last itemKey of the previous page'),
});

export const BatchSchema = z.object({
  key: keySchema,
  type: batchType,
  state: z
    .enum(BATCH_STATES)
    .describe('ACTIVE until every item is processed; PARTIALLY_COMPLETED when some failed'),
  filter: z.record(z.string(), z.unknown()).describe('The filter as it was sent'),
  retries: z.number().int().nullable(),
  variables: variablesSchema.optional().describe('SET_VARIABLES: the variables set on every instance'),
  createdAt: z.iso.datetime(),
  endedAt: z.iso.datetime().nullable(),
  total: z.number().int().describe('Items resolved from the filter when the batch was created'),
  pending: z.number().int(),
  completed: z.number().int(),
  failed: z.number().int(),
  skipped: z.number().int().describe('Items left when the batch was canceled'),
});

export const BatchItemSchema = z.object({
  itemKey: keySchema.describe('The instance, or for RESOLVE_INCIDENT the incident'),
  instanceId: keySchema,
  state: z.enum(BATCH_ITEM_STATES),
  error: z.string().nullable().describe('Why the item failed'),
  processedAt: z.iso.datetime().nullable(),
});

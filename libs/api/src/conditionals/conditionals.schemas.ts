import { z } from 'zod';
import { keySchema, variablesSchema } from '../http/validation';

export const EvaluateConditionalsBody = z.strictObject({
  variables: variablesSchema.meta({ example: { amount: 150 } }),
  processKey: z.string().min(1).max(1024).optional().describe("Only the latest version of this process (`<process id>`); default every process of the tenant").meta({ example: 'order' }),
  tenantId: z.string().min(1).max(256).optional().describe('The tenant whose processes are evaluated; default the default tenant').meta({ example: '<default>' }),
});

export const ConditionalEvaluationSchema = z.object({
  evaluationKey: keySchema.describe('The key of this evaluation'),
  tenantId: z.string().meta({ example: '<default>' }),
  instances: z
    .array(
      z.object({
        id: keySchema.describe('The instance started'),
        processKey: z.string().meta({ example: 'order' }),
        version: z.number().int().meta({ example: 1 }),
        definitionId: keySchema.describe('The deployed version it runs'),
        startEventId: z.string().describe('The conditional start event whose condition held').meta({ example: 'big_order' }),
        status: z.literal('ACTIVE'),
      }),
    )
    .describe('One instance per conditional start event whose condition is true; empty when none is'),
});

import { z } from 'zod';
import { limitParam, variablesSchema, keySchema } from '../http/validation';

export const TaskListQuery = z.strictObject({
  instanceId: keySchema.optional(),
  processKey: z.string().min(1).optional(),
  assignee: z.string().min(1).optional(),
  candidateGroup: z.string().min(1).optional(),
  limit: limitParam,
  cursor: keySchema.optional().describe('The last id of the previous page'),
});

export const ClaimBody = z.strictObject({ assignee: z.string().min(1).max(256).describe('Who takes the task').meta({ example: 'alice' }) });

export const CompleteBody = z.strictObject({ variables: variablesSchema.meta({ example: { approved: true } }).optional() });

export const TaskSchema = z.object({
  id: keySchema,
  instanceId: keySchema,
  processKey: z.string(),
  definitionId: keySchema.nullable(),
  tenantId: z.string(),
  elementId: z.string(),
  name: z.string().nullable(),
  assignee: z.string().nullable(),
  candidateGroups: z.array(z.string()),
  candidateUsers: z.array(z.string()),
  formKey: z.string().nullable(),
  dueDate: z.iso.datetime().nullable(),
  followUpDate: z.iso.datetime().nullable(),
  priority: z.number().int().meta({ example: 50 }),
  state: z.enum(['CREATED', 'ASSIGNING', 'UPDATING', 'COMPLETING', 'COMPLETED', 'CANCELED']),
  createdAt: z.iso.datetime(),
  completedAt: z.iso.datetime().nullable(),
});

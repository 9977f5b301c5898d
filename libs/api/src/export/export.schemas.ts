import { z } from 'zod';
import { keySchema, limitParam } from '../http/validation';

export const DeadLetterListQuery = z.strictObject({
  limit: limitParam,
  cursor: keySchema.optional().describe('The last id of the previous page'),
});

export const ExportRecordSchema = z.object({
  id: z.string().describe('The record id: its idempotency key (`X-Baton-Event-Id`, the AMQP message id)'),
  type: z.string().meta({ example: 'ELEMENT_COMPLETED' }),
  instanceId: z.string(),
  bpmnProcessId: z.string(),
  payload: z.record(z.string(), z.unknown()).describe('The record value: tenantId, elementId, elementInstanceId, ... by type'),
  createdAt: z.string().describe('When its step committed (ISO 8601)'),
});

export const DeadLetterSchema = z.object({
  id: z.string().describe('The dead letter id (for retry)'),
  sink: z.enum(['webhook', 'rabbitmq']),
  record: ExportRecordSchema,
  failedAt: z.string(),
  attempts: z.number().int(),
  error: z.string().describe('The last delivery error'),
});

import { z } from 'zod';
import { variablesSchema, keySchema } from '../http/validation';

export const PublishMessageBody = z.strictObject({
  name: z.string().min(1).max(1024).describe('The message name (`<bpmn:message name>`)').meta({ example: 'payment-received' }),
  correlationKey: z
    .string()
    .max(1024)
    .optional()
    .describe('Matched against the subscription\'s `zeebe:subscription correlationKey`; absent matches subscriptions without one')
    .meta({ example: 'order-4711' }),
  variables: variablesSchema.optional(),
  timeToLiveMs: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe('Unmatched, the message is kept this long for the first matching subscription that opens (default 0: not kept)')
    .meta({ example: 60_000 }),
  messageId: z
    .string()
    .min(1)
    .max(1024)
    .optional()
    .describe('Idempotency: publishing while a message with this id is buffered is a 409')
    .meta({ example: 'payment-4711-1' }),
});

export const MessageResultSchema = z.object({
  messageKey: keySchema.describe('The key of this message'),
  correlated: z.array(keySchema).describe('Instances whose waiting subscription the message moved'),
  started: z.array(keySchema).describe('Instances started by message start events'),
  buffered: z.boolean().describe('Nothing matched and the message is kept until its TTL runs out'),
});

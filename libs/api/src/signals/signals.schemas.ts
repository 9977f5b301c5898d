import { z } from 'zod';
import { keySchema, variablesSchema } from '../http/validation';

export const BroadcastSignalBody = z.strictObject({
  name: z.string().min(1).max(1024).describe('The signal name (`<bpmn:signal name>`)').meta({ example: 'stock-replenished' }),
  variables: variablesSchema.optional(),
});

export const SignalResultSchema = z.object({
  signalKey: keySchema.describe('The key of this broadcast'),
  triggered: z.number().int().describe('Waiting catch events, boundary events, event subprocesses and signal start events reached').meta({ example: 2 }),
});

import { z } from 'zod';
import { limitParam, variablesSchema } from '../http/validation';

export const StartBody = z.strictObject({
  variables: variablesSchema.optional(),
  businessKey: z.string().max(1024).nullable().optional().describe('Free text; not unique, not inherited'),
  version: z.number().int().positive().optional().describe('Start this deployed version; default the latest'),
});

export const StartedInstanceSchema = z.object({
  id: z.uuid(),
  processKey: z.string(),
  version: z.number().int(),
  status: z.literal('ACTIVE'),
});

const status = z.enum(['ACTIVE', 'SUSPENDED', 'COMPLETED', 'CANCELED']);

export const InstanceListQuery = z.object({
  status: status.optional(),
  processKey: z.string().min(1).optional(),
  businessKey: z.string().min(1).optional(),
  limit: limitParam,
  cursor: z.uuid().optional().describe('The last id of the previous page'),
});

export const HistoryQuery = z.object({
  limit: limitParam,
  cursor: z
    .string()
    // History ids are Postgres bigints.
    .refine((v) => /^\d{1,19}$/.test(v) && BigInt(v) <= 9_223_372_036_854_775_807n, 'must be the id of a history entry')
    .optional()
    .describe('The last id of the previous page'),
});

export const PatchVariablesBody = z.strictObject({ variables: variablesSchema });

export const VariablesResponse = z.object({ variables: variablesSchema });

export const InstanceSummarySchema = z.object({
  id: z.uuid(),
  processKey: z.string(),
  version: z.number().int(),
  status,
  businessKey: z.string().nullable(),
  parentInstanceId: z.uuid().nullable().describe('The instance whose call activity started this one'),
  startedAt: z.iso.datetime(),
  endedAt: z.iso.datetime().nullable(),
});

export const IncidentSchema = z.object({
  id: z.uuid(),
  instanceId: z.uuid(),
  elementId: z.string(),
  type: z.string(),
  message: z.string(),
  jobId: z.uuid().nullable(),
  createdAt: z.iso.datetime(),
  resolvedAt: z.iso.datetime().nullable(),
});

export const InstanceSchema = InstanceSummarySchema.extend({
  variables: variablesSchema.describe('Process-scope variables'),
  tokens: z.array(
    z.object({
      id: z.uuid(),
      elementId: z.string(),
      state: z.enum(['READY', 'WAITING']).describe('READY: queued to run; WAITING: resting in a wait state'),
    }),
  ),
  incidents: z.array(IncidentSchema).describe('Open incidents'),
});

export const HistoryItemSchema = z.object({
  id: z.string(),
  type: z.enum(['ELEMENT_ACTIVATED', 'ELEMENT_COMPLETED', 'ELEMENT_TERMINATED', 'INCIDENT_CREATED', 'INCIDENT_RESOLVED']),
  elementId: z.string(),
  elementType: z.string().describe('BPMN tag name, `process`, or `multiInstanceBody`'),
  elementInstanceId: z.uuid().nullable(),
  at: z.iso.datetime(),
});

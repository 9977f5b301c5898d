import { z } from 'zod';
import { limitParam, variablesSchema, keySchema } from '../http/validation';

export const StartBody = z.strictObject({
  variables: variablesSchema.meta({ example: { amount: 150 } }).optional(),
  businessKey: z.string().max(1024).nullable().optional().describe('Free text; not unique, not inherited').meta({ example: 'order-4711' }),
  version: z.number().int().positive().optional().describe('Start this deployed version; default the latest').meta({ example: 1 }),
});

export const IdempotencyKeyHeader = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces')
  .optional();

export const StartedInstanceSchema = z.object({
  id: keySchema,
  processKey: z.string().meta({ example: 'order' }),
  version: z.number().int().meta({ example: 1 }),
  status: z.literal('ACTIVE'),
});

const status = z.enum(['ACTIVE', 'SUSPENDED', 'COMPLETED', 'CANCELED']);

const statusView = z
  .enum(['ACTIVE', 'SUSPENDED', 'COMPLETED', 'CANCELED', 'CANCELING', 'SUSPENDING', 'RESUMING'])
  .describe('CANCELING, SUSPENDING and RESUMING: a command waits for a worker to finish its step on the instance');

const startedFrom = z.iso
  .datetime({ offset: true })
  .transform((v) => new Date(v))
  .optional()
  .describe('Started at or after this instant (ISO 8601 with offset)')
  .meta({ example: '2026-12-07T14:00:00Z' });
const startedTo = z.iso
  .datetime({ offset: true })
  .transform((v) => new Date(v))
  .optional()
  .describe('Started before this instant (ISO 8601 with offset)')
  .meta({ example: '2026-12-07T15:00:00Z' });
const variableName = z
  .string()
  .min(1)
  .max(255)
  .optional()
  .describe('A process-scope variable: with `variableValue` equal to it, alone set (to any value, null too)')
  .meta({ example: 'customerTier' });

/** The list's filters beyond status, process and business key; the query string's and a batch body's (typed as JSON there). */
export const InstanceListQuery = z.strictObject({
  status: status.optional(),
  processKey: z.string().min(1).optional(),
  version: z
    .string()
    .regex(/^[1-9][0-9]{0,8}$/, 'must be a version number (1, 2, ...)')
    .transform(Number)
    .optional()
    .describe('The process version (needs `processKey`)'),
  businessKey: z.string().min(1).optional(),
  hasIncident: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional()
    .describe('true: instances with an open incident; false: without one'),
  startedFrom,
  startedTo,
  variableName,
  variableValue: z
    .string()
    .max(8192)
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch (e) {
        ctx.addIssue({ code: 'custom', message: `must be a JSON value (a string in quotes: "gold"): ${(e as Error).message}` });
        return z.NEVER;
      }
    })
    .optional()
    .describe('The variable\'s value as JSON (`150`, `"gold"`, `true`, `{"a":1}`), compared as JSON; needs `variableName`')
    .meta({ example: '"gold"' }),
  limit: limitParam,
  cursor: keySchema.optional().describe('The last id of the previous page'),
});

/** The same filters in a JSON body (a batch's `filter`). */
export const InstanceFilterBodyFields = {
  status: status.optional(),
  processKey: z.string().min(1).optional().describe('The BPMN process id'),
  version: z.number().int().positive().optional().describe('The process version (needs `processKey`)'),
  businessKey: z.string().min(1).optional(),
  hasIncident: z.boolean().optional().describe('true: instances with an open incident; false: without one'),
  startedFrom,
  startedTo,
  variableName,
  variableValue: z
    .unknown()
    .optional()
    .describe('The variable\'s value, any JSON value (null too), compared as JSON; needs `variableName`'),
};

export const HistoryQuery = z.strictObject({
  limit: limitParam,
  cursor: z
    .string()
    // History ids are Postgres bigints.
    .refine((v) => /^\d{1,19}$/.test(v) && BigInt(v) <= 9_223_372_036_854_775_807n, 'must be the id of a history entry')
    .optional()
    .describe('The last id of the previous page'),
});

export const PatchVariablesBody = z.strictObject({ variables: variablesSchema.meta({ example: { approved: true } }) });

export const VariablesResponse = z.object({ variables: variablesSchema });

export const InstanceSummarySchema = z.object({
  id: keySchema,
  processKey: z.string().meta({ example: 'order' }),
  version: z.number().int().meta({ example: 1 }),
  definitionId: keySchema.describe('The deployed version the instance runs'),
  tenantId: z.string(),
  status: statusView,
  businessKey: z.string().nullable(),
  parentInstanceId: keySchema.nullable().describe('The instance whose call activity started this one'),
  startedAt: z.iso.datetime(),
  endedAt: z.iso.datetime().nullable(),
});

export const IncidentSchema = z.object({
  id: keySchema,
  instanceId: keySchema,
  elementId: z.string(),
  elementInstanceId: keySchema.nullable(),
  type: z.string(),
  message: z.string(),
  jobId: keySchema.nullable(),
  createdAt: z.iso.datetime(),
  resolvedAt: z.iso.datetime().nullable(),
});

export const InstanceSchema = InstanceSummarySchema.extend({
  variables: variablesSchema.describe('Process-scope variables'),
  tokens: z.array(
    z.object({
      id: keySchema,
      elementId: z.string(),
      state: z.enum(['READY', 'WAITING']).describe('READY: queued to run; WAITING: resting in a wait state'),
    }),
  ),
  incidents: z.array(IncidentSchema).describe('Open incidents'),
});

export const HistoryItemSchema = z.object({
  id: z.string(),
  type: z.enum(['ELEMENT_ACTIVATED', 'ELEMENT_COMPLETED', 'ELEMENT_TERMINATED', 'INCIDENT_CREATED', 'INCIDENT_RESOLVED', 'ELEMENT_MIGRATED']),
  elementId: z.string(),
  elementType: z.string().describe('BPMN tag name, `process`, or `multiInstanceBody`'),
  elementInstanceId: keySchema.nullable(),
  at: z.iso.datetime(),
});

/** `POST /instances/{id}/modification`: Camunda 8's process instance modification with v1 names. */
export const ModifyBody = z
  .strictObject({
    activate: z
      .array(
        z.strictObject({
          elementId: z.string().min(1).max(1000).meta({ example: 'ship' }),
          ancestorElementInstanceId: keySchema
            .optional()
            .describe('An active instance of a flow scope of the element (the instance id for the process): activate inside it'),
          variables: z
            .array(
              z.strictObject({
                scopeId: z.string().max(1000).optional().describe('Element id of the scope: the element or one of its flow scopes; default the process'),
                variables: variablesSchema,
              }),
            )
            .max(1000)
            .optional(),
        }),
      )
      .max(1000)
      .optional()
      .describe('Elements to activate as if a token arrived; missing subprocess scopes are created'),
    terminate: z
      .array(z.union([z.strictObject({ elementInstanceId: keySchema }), z.strictObject({ elementId: z.string().min(1).max(1000) })]))
      .max(1000)
      .optional()
      .describe('Element instances to terminate, by id, or every active instance of an element'),
  })
  .refine((b) => (b.activate?.length ?? 0) + (b.terminate?.length ?? 0) > 0, 'give at least one activate or terminate instruction');

/** `GET /instances/{id}/scopes`: where the instance's variables live. */
export const ScopesResponse = z.object({
  items: z
    .array(
      z.object({
        id: keySchema.describe('The scope: the instance id for the process, else the element instance (its key on `/v2`)'),
        elementId: z.string().describe('The process id, or the element the element instance runs').meta({ example: 'pack' }),
        elementType: z.string().describe('`process`, a BPMN tag name such as `subProcess`, or `multiInstanceBody`'),
        parentId: keySchema.nullable().describe('The enclosing scope; null for the process'),
        variables: variablesSchema.describe('The variables held in this scope (local variables for an element instance)'),
      }),
    )
    .describe('The process first (also without variables), then each live element instance holding local variables, by key'),
});

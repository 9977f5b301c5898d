import { z } from 'zod';
import { keySchema, limitParam } from '../http/validation';

export { IncidentSchema } from '../instances/instances.schemas';

const name = z.string().min(1).max(1024);
const processKey = name.optional().describe('The BPMN `<process id>`');
const elementId = name.optional().describe('The BPMN element id');
const keyCursor = keySchema.optional().describe('The `nextCursor` of the previous page');

const jobState = z.enum(['ACTIVATABLE', 'ACTIVATED', 'FAILED', 'COMPLETED', 'CANCELED']);

export const JobListQuery = z.strictObject({
  type: name.optional().describe('The job type (`zeebe:taskDefinition type`)'),
  state: jobState
    .optional()
    .describe(
      'ACTIVATABLE: waiting for a worker; ACTIVATED: leased; FAILED: out of retries (an incident)',
    ),
  instanceId: keySchema.optional(),
  processKey,
  elementId,
  worker: name.optional().describe('The worker holding (or last holding) the job'),
  limit: limitParam,
  cursor: keyCursor,
});

export const JobListItemSchema = z.object({
  id: keySchema,
  type: z.string().meta({ example: 'charge-card' }),
  instanceId: keySchema,
  processKey: z.string().meta({ example: 'order' }),
  elementId: z.string(),
  elementInstanceId: keySchema,
  state: jobState,
  retries: z.number().int(),
  worker: z.string().nullable(),
  lockExpiresAt: z.iso
    .datetime()
    .nullable()
    .describe('When the lease of an ACTIVATED job runs out'),
  errorMessage: z.string().nullable(),
  tenantId: z.string(),
});

const timerState = z.enum(['SCHEDULED', 'FIRED', 'CANCELED']);

export const TimerListQuery = z.strictObject({
  state: timerState.optional().describe('SCHEDULED (the default): timers still to fire'),
  instanceId: keySchema.optional(),
  processKey,
  elementId,
  dueBefore: z.iso
    .datetime({ offset: true })
    .optional()
    .describe('Only timers due at or before this instant (ISO 8601)'),
  limit: limitParam,
  cursor: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe('The `nextCursor` of the previous page (opaque)'),
});

export const TimerSchema = z.object({
  id: keySchema,
  instanceId: keySchema.nullable().describe('Null for the start timer of a process version'),
  processKey: z.string().nullable(),
  definitionId: keySchema.nullable(),
  elementId: z.string().describe('The timer event (catch, boundary or start event)'),
  dueAt: z.iso.datetime(),
  state: timerState,
  repetitions: z
    .number()
    .int()
    .nullable()
    .describe('Firings left of a cycle; null when unbounded or not a cycle'),
  cycle: z.string().nullable(),
  tenantId: z.string(),
  createdAt: z.iso.datetime(),
});

export const MessageSubscriptionListQuery = z.strictObject({
  messageName: name.optional(),
  correlationKey: z.string().max(1024).optional(),
  instanceId: keySchema.optional(),
  processKey,
  elementId,
  limit: limitParam,
  cursor: keyCursor,
});

export const MessageSubscriptionSchema = z.object({
  id: keySchema,
  instanceId: keySchema,
  processKey: z.string(),
  elementId: z.string().describe('The catch event, receive task or boundary event that subscribed'),
  messageName: z.string().meta({ example: 'payment-received' }),
  correlationKey: z.string().nullable(),
  interrupting: z.boolean(),
  tenantId: z.string(),
  createdAt: z.iso.datetime(),
});

export const StatisticsQuery = z.strictObject({
  version: z
    .string()
    .regex(/^[1-9][0-9]{0,8}$/, 'must be a version number (decimal digits)')
    .transform(Number)
    .optional()
    .describe('The version (default the latest)'),
});

export const ElementStatisticsSchema = z.object({
  elementId: z.string(),
  active: z.number().int().describe('Element instances in progress without an open incident'),
  incidents: z.number().int().describe('Element instances in progress with an open incident'),
  completed: z.number().int(),
  canceled: z
    .number()
    .int()
    .describe('Element instances terminated (canceled instance, interrupting event)'),
});

export const StatisticsResponse = z.object({ items: z.array(ElementStatisticsSchema) });

export const IncidentGroupQuery = z.strictObject({
  processKey,
  limit: limitParam,
});

export const IncidentGroupSchema = z.object({
  type: z.string().meta({ example: 'JOB_NO_RETRIES' }),
  message: z.string(),
  count: z.number().int(),
  firstCreatedAt: z.iso.datetime(),
  lastCreatedAt: z.iso.datetime(),
});

export const IncidentGroupsResponse = z.object({ items: z.array(IncidentGroupSchema) });

export const GroupIncidentsQuery = z.strictObject({
  type: z.string().min(1).max(1024).describe('The incident type of the group'),
  message: z.string().max(100_000).describe('The incident message of the group, exactly'),
  processKey,
  limit: limitParam,
  cursor: keyCursor,
});

const waitingItem = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('job'),
    id: keySchema,
    type: z.string(),
    state: jobState,
    retries: z.number().int(),
    worker: z.string().nullable(),
  }),
  z.object({
    kind: z.literal('userTask'),
    id: keySchema,
    name: z.string().nullable(),
    assignee: z.string().nullable(),
  }),
  z.object({
    kind: z.literal('timer'),
    id: keySchema,
    elementId: z.string(),
    dueAt: z.iso.datetime(),
  }),
  z.object({
    kind: z.literal('message'),
    id: keySchema,
    elementId: z.string(),
    messageName: z.string(),
    correlationKey: z.string().nullable(),
  }),
  z.object({
    kind: z.literal('signal'),
    id: keySchema,
    elementId: z.string(),
    signalName: z.string(),
  }),
  z.object({
    kind: z.literal('calledInstance'),
    id: keySchema,
    processKey: z.string(),
    status: z.string(),
  }),
  z.object({ kind: z.literal('incident'), id: keySchema, type: z.string(), message: z.string() }),
]);

export const WaitingSchema = z.object({
  instanceId: keySchema,
  tokens: z.array(
    z.object({
      id: keySchema.describe('The element instance the token is at'),
      elementId: z.string(),
      state: z.enum(['READY', 'WAITING']),
      waitingFor: z
        .array(waitingItem)
        .describe(
          'Its job or user task, the timers and subscriptions of its event or boundary events, its called instance, its incident',
        ),
    }),
  ),
  unmatched: z.array(waitingItem).describe('Waits no live token owns'),
});

/** Camunda 8.8's body of the element statistics: a filter on the process instances (Baton takes none yet). */
export const V2StatisticsBody = z
  .strictObject({ filter: z.strictObject({}).optional() })
  .optional();

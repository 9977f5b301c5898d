import { z } from 'zod';
import { variablesSchema, keySchema } from '../http/validation';

const workerId = z.string().min(1).max(256).describe('Who works the job; only the lock holder may act on it').meta({ example: 'worker-1' });
/** A lease longer than a day is a forgotten job, not a long one: heartbeats extend shorter leases. */
const lockDurationMs = z.number().int().min(1).max(86_400_000);

export const ActivateBody = z.strictObject({
  type: z.string().min(1).max(256).describe('The job type (`zeebe:taskDefinition type`)').meta({ example: 'charge-card' }),
  workerId,
  maxJobs: z.number().int().min(1).max(1000).describe('At most this many jobs in the answer').meta({ example: 10 }),
  lockDurationMs: lockDurationMs.describe('How long the jobs stay locked to this worker (milliseconds)').meta({ example: 30_000 }),
  requestTimeoutMs: z
    .number()
    .int()
    .min(0)
    .max(60_000)
    .optional()
    .describe('Long poll: wait up to this long for a job when none is activatable; absent or 0 answers at once')
    .meta({ example: 10_000 }),
});

export const ActivatedJobSchema = z.object({
  id: keySchema,
  type: z.string(),
  instanceId: keySchema,
  elementId: z.string(),
  elementInstanceId: keySchema,
  definitionId: keySchema.nullable(),
  processKey: z.string().describe('The BPMN `<process id>`'),
  tenantId: z.string(),
  retries: z.number().int().describe('Retries left').meta({ example: 3 }),
  variables: variablesSchema.describe('The variables visible at the task'),
  customHeaders: z.record(z.string(), z.string()).describe('`zeebe:taskHeaders`'),
  lockExpiresAt: z.iso.datetime(),
  kind: z
    .enum(['BPMN_ELEMENT', 'EXECUTION_LISTENER', 'TASK_LISTENER'])
    .describe("Camunda 8's job kind: the element's own job, or the job of one of its execution listeners")
    .meta({ example: 'BPMN_ELEMENT' }),
  listenerEventType: z
    .enum(['UNSPECIFIED', 'START', 'END', 'CREATING', 'ASSIGNING', 'UPDATING', 'COMPLETING', 'CANCELING'])
    .describe('The listener event of a listener job (`START`, `END`); `UNSPECIFIED` for an element job')
    .meta({ example: 'UNSPECIFIED' }),
});

export const ActivateResponse = z.object({ jobs: z.array(ActivatedJobSchema) });

/** Camunda 8.8's job result for the job of an ad-hoc subprocess (job-worker mode, an AI agent). */
export const AdHocResultSchema = z
  .strictObject({
    activateElements: z
      .array(
        z.strictObject({
          elementId: z.string().min(1).describe('An element of the ad-hoc subprocess without incoming flows'),
          variables: variablesSchema.optional().describe('Locals of this activation (an AI agent: `toolCall`)'),
        }),
      )
      .optional()
      .describe('Elements to activate, each in a scope of its own; the same element may come twice'),
    isCompletionConditionFulfilled: z.boolean().optional().describe('The subprocess is done (not together with activateElements)'),
    isCancelRemainingInstances: z.boolean().optional().describe('With a fulfilled condition: terminate what still runs'),
  })
  .describe('Only for the job of an ad-hoc subprocess (`zeebe:taskDefinition` on it): what runs next and whether it is done')
  .meta({ example: { activateElements: [{ elementId: 'get_weather', variables: { toolCall: { city: 'Paris' } } }] } });

const correctedDate = z
  .union([z.literal(''), z.iso.datetime({ offset: true })], 'must be an ISO 8601 date-time with an offset, or empty to clear it')
  .nullable()
  .optional();

/** Camunda 8.8's job result of a user task listener's job (`creating`: corrections only). */
export const UserTaskResultSchema = z
  .strictObject({
    denied: z.boolean().optional().describe('Deny the transition (not for `creating` listeners)'),
    deniedReason: z.string().nullable().optional(),
    corrections: z
      .strictObject({
        assignee: z.string().nullable().optional().describe("Only when the task has no assignee yet; '' clears"),
        dueDate: correctedDate,
        followUpDate: correctedDate,
        candidateUsers: z.array(z.string()).nullable().optional().describe('[] clears'),
        candidateGroups: z.array(z.string()).nullable().optional().describe('[] clears'),
        priority: z.number().int().min(0).max(100).nullable().optional(),
      })
      .optional()
      .describe('Null or absent keeps a value'),
  })
  .describe('Only for the job of a user task listener: corrections of the task to be created')
  .meta({ example: { corrections: { assignee: 'ann', priority: 80 } } });

export const CompleteJobBody = z.strictObject({
  workerId,
  variables: variablesSchema.meta({ example: { charged: 150 } }).optional(),
  adHocResult: AdHocResultSchema.optional(),
  userTaskResult: UserTaskResultSchema.optional(),
});

export const FailJobBody = z.strictObject({
  workerId,
  errorMessage: z.string().max(10_000).describe('Why the attempt failed; the incident message at 0 retries').meta({ example: 'payment service unavailable' }),
  retries: z.number().int().min(0).optional().describe('Retries left after this failure; default one fewer than now').meta({ example: 2 }),
  retryBackoffMs: z.number().int().min(0).optional().describe('Not activatable again before this many milliseconds').meta({ example: 5_000 }),
});

export const BpmnErrorBody = z.strictObject({
  workerId,
  errorCode: z.string().min(1).max(256).describe('Caught by an error boundary event or event subprocess with this code').meta({ example: 'CARD_DECLINED' }),
  errorMessage: z.string().max(10_000).optional().meta({ example: 'the card was declined' }),
  variables: variablesSchema.optional(),
});

export const HeartbeatBody = z.strictObject({
  workerId,
  lockDurationMs: lockDurationMs.describe('The lock now expires this many milliseconds from now').meta({ example: 30_000 }),
});

export const UpdateRetriesBody = z.strictObject({
  retries: z
    .number()
    .int()
    .min(1)
    .max(2_147_483_647)
    .describe('Retries the job has left. A FAILED job stays failed until its incident is resolved, which hands it out again with these retries')
    .meta({ example: 3 }),
});

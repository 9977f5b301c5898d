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
});

export const ActivateResponse = z.object({ jobs: z.array(ActivatedJobSchema) });

export const CompleteJobBody = z.strictObject({ workerId, variables: variablesSchema.meta({ example: { charged: 150 } }).optional() });

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

import { z } from 'zod';
import { limitParam, keySchema } from '../http/validation';

export { IncidentSchema } from '../instances/instances.schemas';

export const IncidentListQuery = z.strictObject({
  instanceId: keySchema.optional(),
  state: z.enum(['OPEN', 'RESOLVED']).optional().describe('Open incidents unless RESOLVED is asked for'),
  limit: limitParam,
  cursor: keySchema.optional().describe('The last id of the previous page'),
});

export const ResolveIncidentBody = z.strictObject({
  retries: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe(
      'For a job incident: the retries the job gets (default: those set with `POST /jobs/{id}/retries` since it failed, else 1). Ignored for other incidents, whose failed step is retried.',
    )
    .meta({ example: 3 }),
});

import { SetMetadata } from '@nestjs/common';
import type { JobHandlerOptions } from '@baton/runtime';

export const JOB_HANDLER_METADATA = 'baton:job-handler';

export interface JobHandlerMetadata {
  readonly type: string;
  readonly options: JobHandlerOptions;
}

/**
 * Marks a provider method as the in-process handler of a job type:
 *
 *     @Injectable()
 *     export class ChargeCard {
 *       @JobHandler('charge-card', { maxJobs: 16, backoff: { kind: 'exponential', baseMs: 500, capMs: 30_000 } })
 *       async charge(job: ActivatedJob, context: JobContext) {
 *         ...                                  // throw new BpmnError('DECLINED') to raise a BPMN error
 *         return { receipt };                  // completes the job with these variables
 *       }
 *     }
 *
 * The worker finds every decorated method of its providers at start-up and
 * runs it through a JobHandlerRunner (leases from Postgres, retries with the
 * type's backoff, heartbeats). Any other thrown error fails the attempt.
 */
export const JobHandler = (type: string, options: JobHandlerOptions = {}): MethodDecorator =>
  SetMetadata<string, JobHandlerMetadata>(JOB_HANDLER_METADATA, { type, options });

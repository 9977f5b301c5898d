import { Body, Controller, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { checkAdHocJobResult, DefinitionRegistry, JobService, type ActivatedJob } from '@baton/runtime';
import type { z } from 'zod';
import { ApiJsonBody, ApiJsonResponse, ApiKeyParam, ApiProblems } from '../http/openapi';
import { parse } from '../http/validation';
import { CurrentCaller } from '../auth/caller.decorator';
import { tenantScope, type Caller } from '../auth/caller';
import { ActivateBody, ActivatedJobSchema, ActivateResponse, BpmnErrorBody, CompleteJobBody, FailJobBody, HeartbeatBody, UpdateRetriesBody } from './jobs.schemas';

/**
 * Jobs for workers in any language (Camunda 8 job workers, Camunda 7
 * external tasks): activate a batch under a lock, then complete, fail,
 * throw a BPMN error or extend the lock. Job actions answer 204; acting on a
 * job whose lock you do not hold (another worker's, an expired one, a job
 * not activated) is a 409.
 */
@ApiTags('jobs')
@Controller('jobs')
export class JobsController {
  constructor(
    @Inject(JobService) private readonly jobs: JobService,
    @Inject(DefinitionRegistry) private readonly registry: DefinitionRegistry,
  ) {}

  @Post('activate')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Activate jobs of a type',
    description:
      'Locks up to `maxJobs` activatable jobs of the type to `workerId` for `lockDurationMs`. A job whose lock ran out is activatable again. ' +
      'Jobs of suspended instances are not activatable. With `requestTimeoutMs`, waits that long for a job before answering with none.',
  })
  @ApiJsonBody(ActivateBody)
  @ApiJsonResponse(200, ActivateResponse, 'The activated jobs (possibly none)')
  @ApiProblems(400)
  async activate(@Body() body: unknown, @CurrentCaller() caller: Caller): Promise<{ jobs: JobView[] }> {
    // Only jobs of the caller's tenants; the auth hook checked the job type (jobs:<type>).
    return { jobs: (await this.jobs.activate({ ...parse(ActivateBody, body, 'body'), tenants: tenantScope(caller) })).map(jobView) };
  }

  @Post(':id/complete')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Complete a job you hold; the instance moves on with the variables',
    description:
      'The job of an ad-hoc subprocess (an AI agent) may carry `adHocResult`: elements it names that the subprocess cannot activate are a 404, ' +
      'activating elements while fulfilling the completion condition a 400. ' +
      "The job of a user task listener may carry `userTaskResult.corrections` (assignee, dates, candidates, priority) and no variables; " +
      'that of an `assigning`, `updating` or `completing` listener may deny the transition instead (`userTaskResult.denied`, `deniedReason`).',
  })
  @ApiKeyParam('id', 'The job id')
  @ApiJsonBody(CompleteJobBody)
  @ApiResponse({ status: 204, description: 'Completed' })
  @ApiProblems(400, 404, 409, 413, 422)
  async complete(@Param('id') id: string, @Body() body: unknown): Promise<void> {
    const { adHocResult, userTaskResult, ...request } = parse(CompleteJobBody, body, 'body');
    if (userTaskResult !== undefined) {
      await this.jobs.completeWithUserTaskResult(id, { ...request, result: { ...userTaskResult, denied: userTaskResult.denied ?? false } });
      return;
    }
    if (adHocResult === undefined) {
      await this.jobs.complete(id, request);
      return;
    }
    const result = {
      activateElements: adHocResult.activateElements ?? [],
      isCompletionConditionFulfilled: adHocResult.isCompletionConditionFulfilled ?? false,
      isCancelRemainingInstances: adHocResult.isCancelRemainingInstances ?? false,
    };
    await checkAdHocJobResult(this.jobs, this.registry, id, result);
    await this.jobs.complete(id, { ...request, adHocResult: result });
  }

  @Post(':id/fail')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Report a failed attempt',
    description:
      'With retries left the job is activatable again after `retryBackoffMs`; at 0 retries an incident (`JOB_NO_RETRIES`) opens and the instance waits. ' +
      'Without `retries` they decrease by one.',
  })
  @ApiKeyParam('id', 'The job id')
  @ApiJsonBody(FailJobBody)
  @ApiResponse({ status: 204, description: 'Recorded' })
  @ApiProblems(400, 404, 409)
  async fail(@Param('id') id: string, @Body() body: unknown): Promise<void> {
    await this.jobs.fail(id, parse(FailJobBody, body, 'body'));
  }

  @Post(':id/bpmn-error')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Throw a BPMN error from the job',
    description: 'Caught by the nearest matching error boundary event or event subprocess; uncaught, an `UNHANDLED_ERROR` incident opens.',
  })
  @ApiKeyParam('id', 'The job id')
  @ApiJsonBody(BpmnErrorBody)
  @ApiResponse({ status: 204, description: 'Thrown' })
  @ApiProblems(400, 404, 409, 413, 422)
  async throwError(@Param('id') id: string, @Body() body: unknown): Promise<void> {
    await this.jobs.throwError(id, parse(BpmnErrorBody, body, 'body'));
  }

  @Post(':id/heartbeat')
  @HttpCode(204)
  @ApiOperation({ summary: 'Extend the lock of a job you hold' })
  @ApiKeyParam('id', 'The job id')
  @ApiJsonBody(HeartbeatBody)
  @ApiResponse({ status: 204, description: 'The lock now expires `lockDurationMs` from now' })
  @ApiProblems(400, 404, 409)
  async heartbeat(@Param('id') id: string, @Body() body: unknown): Promise<void> {
    await this.jobs.heartbeat(id, parse(HeartbeatBody, body, 'body'));
  }

  @Post(':id/retries')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Set the retries a job has left',
    description:
      'Any worker or operator may set them on a job that has not ended; its state and lock do not change. ' +
      'A job out of retries stays FAILED with its `JOB_NO_RETRIES` incident open: resolving the incident then hands the job out again with these retries (as in Camunda 8). ' +
      '409 for a completed or canceled job.',
  })
  @ApiKeyParam('id', 'The job id')
  @ApiJsonBody(UpdateRetriesBody)
  @ApiResponse({ status: 204, description: 'Set' })
  @ApiProblems(400, 404, 409)
  async updateRetries(@Param('id') id: string, @Body() body: unknown): Promise<void> {
    await this.jobs.updateRetries(id, parse(UpdateRetriesBody, body, 'body').retries);
  }
}

type JobView = z.output<typeof ActivatedJobSchema>;

/** A job as `/api/v1` shows it (`processKey` is the BPMN process id, as everywhere in v1). */
function jobView(job: ActivatedJob): JobView {
  return {
    id: job.id,
    type: job.type,
    instanceId: job.instanceId,
    elementId: job.elementId,
    elementInstanceId: job.elementInstanceId,
    definitionId: job.definitionId,
    processKey: job.bpmnProcessId,
    tenantId: job.tenantId,
    retries: job.retries,
    variables: job.variables,
    customHeaders: job.customHeaders,
    lockExpiresAt: job.lockExpiresAt,
    kind: job.kind,
    listenerEventType: job.listenerEventType,
  };
}

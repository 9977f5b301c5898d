import { Body, Controller, HttpCode, Inject, Param, Patch, Post, UseFilters } from '@nestjs/common';
import { checkAdHocJobResult, DefinitionRegistry, JobService, RuntimeError, type ActivatedJob } from '@baton/runtime';
import { parse } from '../http/validation';
import { V2ProblemFilter } from './v2-problem.filter';
import { V2Api, V2Body } from './v2-openapi';
import { tenantsOf } from './v2-tenants';
import { ActivateJobsBody, adHocJobResult, CompleteJobBody, FailJobBody, JobErrorBody, keyParam, UpdateJobBody, userTaskJobResult } from './v2.schemas';

/** `requestTimeout` 0 or absent: how long an activation waits for a job (Camunda's default long poll). */
export const DEFAULT_LONG_POLL_MS = 10_000;
/** A worker without a name (Camunda's default). */
const DEFAULT_WORKER = 'default';

/**
 * Jobs as Camunda's REST API serves them. Completion, failure and errors
 * name no worker: they act for the worker holding the job's lease.
 */
@V2Api()
@UseFilters(V2ProblemFilter)
@Controller('v2/jobs')
export class V2JobsController {
  constructor(
    @Inject(JobService) private readonly jobs: JobService,
    @Inject(DefinitionRegistry) private readonly registry: DefinitionRegistry,
  ) {}

  @Post('activation')
  @V2Body(ActivateJobsBody)
  @HttpCode(200)
  async activate(@Body() body: unknown): Promise<{ jobs: object[] }> {
    const request = parse(ActivateJobsBody, body, 'body');
    const worker = request.worker === undefined || request.worker === '' ? DEFAULT_WORKER : request.worker;
    const requestTimeoutMs = request.requestTimeout === undefined || request.requestTimeout === 0 ? DEFAULT_LONG_POLL_MS : Math.max(0, request.requestTimeout);
    const activated = await this.jobs.activate({
      type: request.type,
      workerId: worker,
      maxJobs: request.maxJobsToActivate,
      lockDurationMs: request.timeout,
      requestTimeoutMs,
      tenants: tenantsOf(request.tenantIds),
      fetchVariables: request.fetchVariable === undefined || request.fetchVariable.length === 0 ? undefined : request.fetchVariable,
    });
    return { jobs: await Promise.all(activated.map((job) => this.view(job))) };
  }

  @Post(':jobKey/completion')
  @V2Body(CompleteJobBody)
  @HttpCode(204)
  async complete(@Param('jobKey') key: string, @Body() body: unknown): Promise<void> {
    keyParam('jobKey', key);
    const request = parse(CompleteJobBody, body, 'body');
    // No worker named: the report is made for the lease holder, found with the job in the completion's group.
    if (request?.result?.type === 'userTask') {
      const variables = request.variables ?? undefined;
      await this.jobs.completeWithUserTaskResult(key, { variables, result: userTaskJobResult(request.result) });
      return;
    }
    const result = request?.result === undefined || request.result === null ? undefined : adHocJobResult(request.result);
    // Refused before anything is written, as Zeebe rejects the completion (the job stays with its worker).
    if (result !== undefined) await checkAdHocJobResult(this.jobs, this.registry, key, result);
    await this.jobs.complete(key, { variables: request?.variables ?? undefined, adHocResult: result });
  }

  /** `retries` as given (default 0, as in Camunda): 0 opens an incident. */
  @Post(':jobKey/failure')
  @V2Body(FailJobBody)
  @HttpCode(204)
  async fail(@Param('jobKey') key: string, @Body() body: unknown): Promise<void> {
    keyParam('jobKey', key);
    const request = parse(FailJobBody, body, 'body') ?? {};
    if (request.retries !== undefined && request.retries < 0) {
      throw RuntimeError.badRequest('retries', 'retries must not be negative');
    }
    await this.jobs.fail(key, {
      workerId: await this.jobs.leaseHolder(key),
      errorMessage: request.errorMessage ?? '',
      retries: request.retries ?? 0,
      retryBackoffMs: Math.max(0, request.retryBackOff ?? 0),
    });
  }

  @Post(':jobKey/error')
  @V2Body(JobErrorBody)
  @HttpCode(204)
  async throwError(@Param('jobKey') key: string, @Body() body: unknown): Promise<void> {
    keyParam('jobKey', key);
    const request = parse(JobErrorBody, body, 'body');
    await this.jobs.throwError(key, {
      errorCode: request.errorCode,
      errorMessage: request.errorMessage ?? undefined,
      variables: request.variables ?? undefined,
    });
  }

  /**
   * `changeset.retries`: the retries the job has left (at least 1); a FAILED
   * job stays failed with its incident open until the incident is resolved,
   * which hands it out again with these retries (as in Zeebe).
   * `changeset.timeout`: the lease now ends that many ms from now. Both may
   * come together.
   */
  @Patch(':jobKey')
  @V2Body(UpdateJobBody)
  @HttpCode(204)
  async update(@Param('jobKey') key: string, @Body() body: unknown): Promise<void> {
    keyParam('jobKey', key);
    const { changeset } = parse(UpdateJobBody, body, 'body');
    const retries = changeset.retries ?? undefined;
    const timeout = changeset.timeout ?? undefined;
    if (retries !== undefined && retries < 1) throw RuntimeError.badRequest('changeset.retries', 'changeset.retries must be at least 1');
    if (timeout !== undefined && timeout < 1) throw RuntimeError.badRequest('changeset.timeout', 'changeset.timeout must be at least 1 ms');
    if (retries === undefined && timeout === undefined) {
      throw RuntimeError.badRequest('changeset', 'changeset must set retries or timeout');
    }
    // A timeout needs a leased job: refused (409) before the retries change, not after.
    if (timeout !== undefined && (await this.jobs.get(key)).state !== 'ACTIVATED') {
      throw RuntimeError.conflict(`job ${key} is not activated: its timeout cannot change`);
    }
    if (retries !== undefined) await this.jobs.updateRetries(key, retries);
    if (timeout !== undefined) await this.jobs.heartbeat(key, { workerId: await this.jobs.leaseHolder(key), lockDurationMs: timeout });
  }

  private async view(job: ActivatedJob): Promise<object> {
    const definition = job.definitionId === null ? null : await this.registry.byId(job.definitionId);
    return {
      type: job.type,
      processDefinitionId: job.bpmnProcessId,
      processDefinitionVersion: definition?.version ?? -1,
      elementId: job.elementId,
      customHeaders: job.customHeaders,
      worker: job.workerId,
      retries: job.retries,
      deadline: Date.parse(job.lockExpiresAt),
      variables: job.variables,
      tenantId: job.tenantId,
      jobKey: job.id,
      processInstanceKey: job.instanceId,
      processDefinitionKey: job.definitionId ?? '-1',
      elementInstanceKey: job.elementInstanceId,
      kind: job.kind,
      listenerEventType: job.listenerEventType,
      tags: [],
    };
  }
}

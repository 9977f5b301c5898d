import type { AdHocJobResult } from '@baton/engine';
import type { DefinitionRegistry } from '../definitions/definition-registry';
import type { JobService } from './job.service';
import { RuntimeError } from '../runtime-error';

/**
 * Refuses a job result Camunda 8.8 refuses before anything is written: a
 * result of type `adHocSubProcess` for a job that is not an ad-hoc
 * subprocess's, elements it cannot activate (404, Zeebe's NOT_FOUND
 * rejection), elements activated in the same result that fulfils the
 * completion condition (400, INVALID_ARGUMENT). One element may be
 * activated several times in one result (an agent calling a tool twice).
 */
export async function checkAdHocJobResult(
  jobs: Pick<JobService, 'get'>,
  registry: Pick<DefinitionRegistry, 'byId'>,
  jobId: string,
  result: AdHocJobResult,
): Promise<void> {
  const job = await jobs.get(jobId);
  const definition = job.definitionId === null ? null : await registry.byId(job.definitionId);
  const node = definition?.process.nodes.get(job.elementId);
  if (node?.type !== 'adHocSubProcess' || job.listenerEventType != null) {
    throw RuntimeError.badRequest(
      'result.type',
      `job ${jobId} is not the job of an ad-hoc subprocess ('${job.elementId}'): a result of type adHocSubProcess does not apply`,
    );
  }
  const ids = result.activateElements.map((e) => e.elementId);
  const activatable = new Set(node.adHoc?.activityIds ?? []);
  const unknown = ids.filter((id) => !activatable.has(id));
  if (unknown.length > 0) {
    throw RuntimeError.notFound(
      `Expected to activate activities for ad-hoc sub-process '${job.elementId}', but the given elements [${unknown.join(', ')}] (result.activateElements)`,
    );
  }
  if (ids.length > 0 && result.isCompletionConditionFulfilled) {
    throw RuntimeError.badRequest(
      'result.activateElements',
      `the result of job ${jobId} cannot activate elements and fulfil the completion condition of ad-hoc sub-process '${job.elementId}' at once: remove the elements or set isCompletionConditionFulfilled to false`,
    );
  }
}

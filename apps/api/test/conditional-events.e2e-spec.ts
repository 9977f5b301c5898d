import type { CamundaClient } from '@camunda8/orchestration-cluster-api';
import { fixture, startApi, type ApiHarness } from './api-harness';
import { activateOne as activateOneJob, camundaClient, deploy, until } from './camunda-support';

/**
 * Conditional events (Camunda 8.9) over REST: a variable change that arrives
 * by `PUT /v2/element-instances/{key}/variables` or with a job completion
 * fires the conditional boundary events that watch it.
 */

const NOW = { consistency: { waitUpToMs: 0 } };

describe('conditional events over REST', () => {
  let h: ApiHarness;
  let camunda: CamundaClient;
  let stopWorker: () => Promise<void>;

  beforeAll(async () => {
    h = await startApi('api_conditional');
    stopWorker = await h.worker();
    camunda = camundaClient(h.origin);
    await deploy(camunda, 'conditional-events', fixture('events/conditional-events.bpmn'));
  }, 60_000);
  afterAll(async () => {
    camunda?.stopAllWorkers();
    await stopWorker?.();
    await h?.close();
  });

  const statusOf = async (key: string) => (await camunda.getProcessInstance({ processInstanceKey: key as never }, NOW)).state;
  const elementsOf = async (processInstanceKey: string) =>
    ((await camunda.searchElementInstances({ filter: { processInstanceKey: processInstanceKey as never } }, NOW)).items ?? []).map(
      (e) => `${e.elementId}:${e.state}`,
    );

  it('PUT /v2/element-instances/{key}/variables fires an interrupting boundary event once the condition holds', async () => {
    const { processInstanceKey } = await camunda.createProcessInstance({ processDefinitionId: 'cond-boundary' as never, variables: { x: 1 } });
    const job = await activateOneJob(camunda, 'work');

    await camunda.createElementInstanceVariables({ elementInstanceKey: processInstanceKey as never, variables: { x: 5 } });
    expect(await statusOf(processInstanceKey)).toBe('ACTIVE');

    await camunda.createElementInstanceVariables({ elementInstanceKey: processInstanceKey as never, variables: { x: 11 } });
    await until(() => statusOf(processInstanceKey), (s) => s === 'COMPLETED', 'the instance to complete');
    const elements = await elementsOf(processInstanceKey);
    expect(elements).toEqual(expect.arrayContaining(['work:TERMINATED', 'too_big:COMPLETED', 'escalated:COMPLETED']));
    expect(elements.some((e) => e.startsWith('done:'))).toBe(false);
    // The task's job went with it.
    const jobs = await camunda.searchJobs({ filter: { jobKey: job.jobKey as never } }, NOW);
    expect(jobs.items[0]?.state).toBe('CANCELED');
  });

  it("a job's variables fire a non-interrupting boundary event on the parallel user task", async () => {
    const { processInstanceKey } = await camunda.createProcessInstance({ processDefinitionId: 'cond-boundary-nonint' as never, variables: { score: 0 } });
    const job = await activateOneJob(camunda, 'compute');
    await camunda.completeJob({ jobKey: job.jobKey, variables: { score: 20 } });
    const elements = await until(
      () => elementsOf(processInstanceKey),
      (e) => e.includes('notified:COMPLETED'),
      'the boundary event to fire',
    );
    expect(elements).toEqual(expect.arrayContaining(['notify:COMPLETED', 'review:ACTIVE', 'compute:COMPLETED']));
    expect(await statusOf(processInstanceKey)).toBe('ACTIVE');
  });
});

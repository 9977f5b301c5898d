import type { CamundaClient } from '@camunda8/orchestration-cluster-api';
import { repoFile, startApi, type ApiHarness } from './api-harness';
import { activateOne as activateOneJob, camundaClient, deploy, failure, until } from './camunda-support';

/**
 * The AI agent pattern of Camunda 8.8 end to end, through the official
 * client: docs/examples/ai-agent.bpmn driven by a scripted "agent" worker
 * (no LLM) that reads the tools from its job, calls them with job results,
 * waits for their results and ends the agent.
 */
describe('ad-hoc subprocess with an agent worker through /v2 and /api/v1', () => {
  let h: ApiHarness;
  let camunda: CamundaClient;
  let stopWorker: () => Promise<void>;

  beforeAll(async () => {
    h = await startApi('api_ad_hoc');
    stopWorker = await h.worker();
    camunda = camundaClient(h.origin);
    await deploy(camunda, 'ai-agent', repoFile('docs/examples/ai-agent.bpmn'));
  }, 60_000);
  afterAll(async () => {
    await stopWorker?.();
    await h?.close();
  });

  const activateOne = (type: string) => activateOneJob(camunda, type, { worker: 'agent' });

  const adHoc = (result: {
    activateElements?: { elementId: string; variables?: object }[];
    isCompletionConditionFulfilled?: boolean;
  }) => ({
    type: 'adHocSubProcess' as const,
    activateElements: (result.activateElements ?? []).map((e) => ({
      elementId: e.elementId as never,
      variables: e.variables as never,
    })),
    isCompletionConditionFulfilled: result.isCompletionConditionFulfilled ?? false,
    isCancelRemainingInstances: false,
  });

  it('the agent gets the tools, calls them, sees every result and ends the subprocess', async () => {
    const { processInstanceKey } = await camunda.createProcessInstance({
      processDefinitionId: 'ai-agent-example' as never,
      variables: { question: 'How warm is it in Paris, in Fahrenheit?' },
    });

    const first = await activateOne('ai-agent');
    expect(first).toMatchObject({ processInstanceKey, elementId: 'agent', retries: 3 });
    expect(first.variables).toMatchObject({
      question: 'How warm is it in Paris, in Fahrenheit?',
      toolCallResults: [],
    });
    expect(first.variables.adHocSubProcessElements).toEqual([
      {
        elementId: 'get_weather',
        elementName: 'Get weather',
        documentation: "Returns today's weather for a city.",
        parameters: [{ name: 'toolCall.city', description: 'The city to look up', type: 'string' }],
      },
      {
        elementId: 'to_fahrenheit',
        elementName: 'Celsius to Fahrenheit',
        documentation: 'Converts a temperature from degrees Celsius to degrees Fahrenheit.',
        parameters: [
          {
            name: 'toolCall.celsius',
            description: 'The temperature in degrees Celsius',
            type: 'number',
          },
        ],
      },
    ]);

    // What Zeebe rejects is refused, and the job stays with its worker.
    const unknown = await failure(
      camunda.completeJob({
        jobKey: first.jobKey,
        result: adHoc({ activateElements: [{ elementId: 'send_email' }] }),
      }),
    );
    expect(unknown).toMatchObject({ status: 404 });
    expect(unknown.detail).toContain('send_email');
    const both = await failure(
      camunda.completeJob({
        jobKey: first.jobKey,
        result: adHoc({
          activateElements: [{ elementId: 'get_weather' }],
          isCompletionConditionFulfilled: true,
        }),
      }),
    );
    expect(both).toMatchObject({ status: 400 });

    // Turn 1: call both tools.
    await camunda.completeJob({
      jobKey: first.jobKey,
      variables: { agentContext: { turns: 1 } },
      result: adHoc({
        activateElements: [
          {
            elementId: 'get_weather',
            variables: {
              toolCall: { _meta: { id: 'call-1', name: 'get_weather' }, city: 'Paris' },
            },
          },
          {
            elementId: 'to_fahrenheit',
            variables: {
              toolCall: { _meta: { id: 'call-2', name: 'to_fahrenheit' }, celsius: 20 },
            },
          },
        ],
      }),
    });

    // The weather tool is a job like any other; a job result does not apply to it.
    const weather = await activateOne('weather-api');
    expect(weather.variables).toMatchObject({ city: 'Paris', toolCall: { city: 'Paris' } });
    const misplaced = await failure(
      camunda.completeJob({
        jobKey: weather.jobKey,
        result: adHoc({ isCompletionConditionFulfilled: true }),
      }),
    );
    expect(misplaced).toMatchObject({ status: 400 });
    await camunda.completeJob({ jobKey: weather.jobKey, variables: { weather: 'sunny, 20 °C' } });

    // The scripted agent: a new job after each tool call; it waits until both results are in, then answers.
    const results = await until(
      async () => {
        const job = await activateOne('ai-agent');
        const collected = job.variables.toolCallResults as { id: string }[];
        if (collected.length === 2) {
          await camunda.completeJob({
            jobKey: job.jobKey,
            variables: { answer: 'Sunny and 68 °F' },
            result: adHoc({ isCompletionConditionFulfilled: true }),
          });
          return collected;
        }
        // Not all results yet (or this job was replaced meanwhile: then 409 and the next one comes).
        await camunda.completeJob({ jobKey: job.jobKey, result: adHoc({}) }).catch(() => undefined);
        return collected;
      },
      (collected) => collected.length === 2,
      'both tool results',
    );
    expect([...results].sort((a, b) => a.id.localeCompare(b.id))).toEqual([
      { id: 'call-1', name: 'get_weather', content: 'sunny, 20 °C' },
      { id: 'call-2', name: 'to_fahrenheit', content: 68 },
    ]);

    const done = await until(
      () => h.json('GET', `/instances/${processInstanceKey}`),
      (r) => r.body.status === 'COMPLETED',
      'the instance to complete',
    );
    expect(done.body.variables).toMatchObject({
      answer: 'Sunny and 68 °F',
      agentContext: { turns: 1 },
      toolCallResults: results,
    });
  });

  it("Baton's own API completes the agent's job with adHocResult too", async () => {
    const { processInstanceKey } = await camunda.createProcessInstance({
      processDefinitionId: 'ai-agent-example' as never,
      variables: {},
    });
    const activated = await until(
      () =>
        h.json('POST', '/jobs/activate', {
          type: 'ai-agent',
          workerId: 'v1-agent',
          maxJobs: 1,
          lockDurationMs: 30_000,
        }),
      (r) => r.body.jobs?.length === 1,
      'the agent job',
    );
    const job = activated.body.jobs[0];
    const refused = await h.json('POST', `/jobs/${job.id}/complete`, {
      workerId: 'v1-agent',
      adHocResult: { activateElements: [{ elementId: 'nope' }] },
    });
    expect(refused.status).toBe(404);
    const answer = await h.json('POST', `/jobs/${job.id}/complete`, {
      workerId: 'v1-agent',
      variables: { answer: 'no tools needed' },
      adHocResult: { isCompletionConditionFulfilled: true },
    });
    expect(answer.status).toBe(204);
    const done = await until(
      () => h.json('GET', `/instances/${processInstanceKey}`),
      (r) => r.body.status === 'COMPLETED',
      'the instance to complete',
    );
    expect(done.body.variables).toMatchObject({ answer: 'no tools needed', toolCallResults: [] });
  });
});

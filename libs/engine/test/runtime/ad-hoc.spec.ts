import { compileBpmn, type AdHocJobResult, type Variables } from '../../src';
import { Driver, fixture } from '../support/driver';

/** Completes the open job of the ad-hoc subprocess `elementId` with a result, as an agent worker would. */
function decide(
  d: Driver,
  id: string,
  elementId: string,
  result: Partial<AdHocJobResult>,
  variables?: Variables,
): void {
  const jobs = d.jobsOf(id, elementId);
  expect(jobs).toHaveLength(1);
  d.jobs.delete(jobs[0].key);
  d.step(id, [
    {
      type: 'complete',
      elementInstanceId: jobs[0].elementInstanceId,
      jobKey: jobs[0].key,
      variables,
      adHocResult: {
        activateElements: result.activateElements ?? [],
        isCompletionConditionFulfilled: result.isCompletionConditionFulfilled ?? false,
        isCancelRemainingInstances: result.isCancelRemainingInstances ?? false,
      },
    },
  ]);
}

describe('ad-hoc subprocess, BPMN mode', () => {
  it('activates the elements the collection names, collects their outputs and completes when nothing runs', async () => {
    const d = await Driver.load(['ad-hoc/active-elements.bpmn']);
    const id = d.start('ad-hoc-active', { toRun: ['quick', 'remote', 'prepare'] });
    // `quick` and the `prepare` -> `finish` path ran at once; `remote` waits for its worker.
    expect(d.tokenElements(id)).toEqual(['remote:WAITING']);
    expect(d.completed(id)).toEqual(['start', 'quick', 'prepare', 'finish']);
    d.completeJob(id, 'remote', { result: 'from remote' });
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.completed(id).slice(-3)).toEqual(['work', 'end', 'ad-hoc-active']);
    // In the order the paths ended, the output collection handed to the enclosing scope.
    expect(d.variables(id).results).toEqual(['quick:3', 'prepared', 'from remote']);
    expect(d.variables(id)).not.toHaveProperty('adHocSubProcessElements');
  });

  it('an element activated through a path inside runs only as part of that path', async () => {
    const d = await Driver.load(['ad-hoc/active-elements.bpmn']);
    const id = d.start('ad-hoc-active', { toRun: ['finish'] });
    expect(d.status(id)).toBe('ACTIVE');
    const [incident] = d.incidentsOf(id);
    expect(incident).toMatchObject({ elementId: 'work', type: 'EXPRESSION_ERROR' });
    expect(incident.message).toContain("No BPMN elements found with ids: 'finish'");
    // Fixed and resolved: the activation runs again.
    d.setVariables(id, { toRun: ['quick'] });
    d.resolveIncident(id, 'work');
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.variables(id).results).toEqual(['quick:1']);
  });

  it('a collection that is not a list of ids is an incident naming the subprocess', async () => {
    const d = await Driver.load(['ad-hoc/active-elements.bpmn']);
    const id = d.start('ad-hoc-active', { toRun: 'quick' });
    expect(d.incidentsOf(id)).toEqual([
      expect.objectContaining({ elementId: 'work', type: 'EXPRESSION_ERROR' }),
    ]);
    expect(d.incidentsOf(id)[0].message).toContain('list of element ids');
  });

  it('an empty collection activates nothing and the subprocess waits, as in Zeebe', async () => {
    const d = await Driver.load(['ad-hoc/active-elements.bpmn']);
    const id = d.start('ad-hoc-active', { toRun: [] });
    expect(d.tokenElements(id)).toEqual(['work:WAITING']);
    expect(d.incidentsOf(id)).toEqual([]);
  });

  it('an error thrown inside an activated element is caught by a boundary event of the subprocess', async () => {
    const d = await Driver.load(['ad-hoc/active-elements.bpmn']);
    const id = d.start('ad-hoc-active', { toRun: ['remote'] });
    d.throwJobError(id, 'remote', 'REMOTE_FAILED');
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.trail(id, ['ELEMENT_TERMINATED'])).toEqual([
      'ELEMENT_TERMINATED remote serviceTask',
      'ELEMENT_TERMINATED work adHocSubProcess',
    ]);
    expect(d.completed(id)).toEqual(expect.arrayContaining(['remote_failed', 'end_failed']));
  });

  it('an event subprocess inside runs beside the activations and neither ends nor blocks the subprocess', async () => {
    const d = await Driver.load(['ad-hoc/active-elements.bpmn']);
    const id = d.start('ad-hoc-active', { toRun: ['remote'] });
    expect(d.broadcastSignal('note')).toBe(1);
    expect(d.variables(id).noted).toBe(true);
    expect(d.tokenElements(id)).toEqual(['remote:WAITING']);
    d.completeJob(id, 'remote', { result: 'r' });
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.signals.size).toBe(0);
  });

  it('a fulfilled completion condition terminates what still runs (cancelRemainingInstances)', async () => {
    const d = await Driver.load(['ad-hoc/completion.bpmn']);
    const id = d.start('ad-hoc-cancel', { done: false });
    expect(d.tokenElements(id)).toEqual(['fast:WAITING', 'slow:WAITING']);
    d.completeJob(id, 'fast', { done: true });
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.jobs.size).toBe(0);
    expect(d.trail(id, ['ELEMENT_TERMINATED'])).toEqual(['ELEMENT_TERMINATED slow serviceTask']);
  });

  it('a completion condition that is not yet met leaves the subprocess waiting for the next path', async () => {
    const d = await Driver.load(['ad-hoc/completion.bpmn']);
    const id = d.start('ad-hoc-cancel', { done: false });
    d.completeJob(id, 'fast');
    expect(d.tokenElements(id)).toEqual(['slow:WAITING']);
    d.completeJob(id, 'slow', { done: true });
    expect(d.status(id)).toBe('COMPLETED');
  });

  it('without cancelRemainingInstances a fulfilled condition lets the others finish first', async () => {
    const d = await Driver.load(['ad-hoc/completion.bpmn']);
    const id = d.start('ad-hoc-keep', { done: false });
    d.completeJob(id, 'k_fast', { done: true });
    expect(d.tokenElements(id)).toEqual(['k_slow:WAITING']);
    d.completeJob(id, 'k_slow');
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.trail(id, ['ELEMENT_TERMINATED'])).toEqual([]);
  });

  it('a completion condition that is not a boolean is an incident; resolving it retries that path end', async () => {
    const d = await Driver.load(['ad-hoc/completion.bpmn']);
    const id = d.start('ad-hoc-cancel', { done: 'yes' });
    d.completeJob(id, 'fast');
    const [incident] = d.incidentsOf(id);
    expect(incident).toMatchObject({ elementId: 'race', type: 'EXPRESSION_ERROR' });
    expect(incident.message).toContain('Expected a boolean');
    d.setVariables(id, { done: true });
    d.resolveIncident(id, 'race');
    expect(d.status(id)).toBe('COMPLETED');
  });

  it('canceling the instance terminates the activations and cancels their jobs', async () => {
    const d = await Driver.load(['ad-hoc/completion.bpmn']);
    const id = d.start('ad-hoc-cancel', { done: false });
    d.cancel(id);
    expect(d.status(id)).toBe('CANCELED');
    expect(d.jobs.size).toBe(0);
    expect(d.trail(id, ['ELEMENT_TERMINATED'])).toEqual([
      'ELEMENT_TERMINATED fast serviceTask',
      'ELEMENT_TERMINATED slow serviceTask',
      'ELEMENT_TERMINATED race adHocSubProcess',
      'ELEMENT_TERMINATED ad-hoc-cancel process',
    ]);
  });
});

describe('ad-hoc subprocess, job-worker mode (AI agent)', () => {
  it('hands the agent the tools with their documentation, properties and fromAi parameters', async () => {
    const d = await Driver.load(['ad-hoc/agent.bpmn']);
    const id = d.start('ad-hoc-agent', { question: 'weather in Paris?' });
    const [job] = d.jobsOf(id, 'agent');
    expect(job).toMatchObject({
      jobType: 'ai-agent',
      retries: 2,
      customHeaders: { model: 'scripted' },
    });
    expect(job.variables.question).toBe('weather in Paris?');
    expect(job.variables.toolCallResults).toEqual([]);
    expect(job.variables.adHocSubProcessElements).toEqual([
      {
        elementId: 'get_weather',
        elementName: 'Get weather',
        documentation: 'Returns the weather for a city.',
        properties: { category: 'info' },
        parameters: [{ name: 'toolCall.city', description: 'The city to look up', type: 'string' }],
      },
      {
        elementId: 'add',
        elementName: 'Add numbers',
        documentation: 'Adds two numbers.',
        parameters: [
          { name: 'toolCall.a', description: 'First number', type: 'number' },
          {
            name: 'toolCall.b',
            description: 'Second number',
            type: 'number',
            schema: { minimum: 0 },
            options: { optional: false },
          },
        ],
      },
    ]);
  });

  it('runs the tools the agent picks, gives it a new job after each, and completes when it says so', async () => {
    const d = await Driver.load(['ad-hoc/agent.bpmn']);
    const id = d.start('ad-hoc-agent', { question: 'q' });
    const firstJob = d.jobsOf(id, 'agent')[0].key;
    decide(
      d,
      id,
      'agent',
      {
        activateElements: [
          {
            elementId: 'get_weather',
            variables: { toolCall: { _meta: { id: 'c1', name: 'get_weather' }, city: 'Paris' } },
          },
          {
            elementId: 'add',
            variables: { toolCall: { _meta: { id: 'c2', name: 'add' }, a: 2, b: 3 } },
          },
        ],
      },
      { conversation: ['asked for tools'] },
    );
    // The script tool and the path after it ran at once: a new job for the agent already.
    expect(d.completed(id)).toEqual(expect.arrayContaining(['add', 'log_sum']));
    expect(d.variables(id).conversation).toEqual(['asked for tools']);
    const [weather] = d.jobsOf(id, 'get_weather');
    expect(weather.variables).toMatchObject({ city: 'Paris', toolCall: { city: 'Paris' } });
    const second = d.jobsOf(id, 'agent');
    expect(second).toHaveLength(1);
    expect(second[0].key).not.toBe(firstJob);
    expect(second[0].variables.toolCallResults).toEqual([{ id: 'c2', name: 'add', content: 5 }]);
    // The agent waits for the other result: it completes its job deciding nothing.
    decide(d, id, 'agent', {});
    expect(d.jobsOf(id, 'agent')).toHaveLength(0);
    d.completeJob(id, 'get_weather', { weather: 'sunny' });
    const third = d.jobsOf(id, 'agent');
    expect(third).toHaveLength(1);
    expect(third[0].variables.toolCallResults).toEqual([
      { id: 'c2', name: 'add', content: 5 },
      { id: 'c1', name: 'get_weather', content: 'sunny' },
    ]);
    decide(d, id, 'agent', { isCompletionConditionFulfilled: true }, { answer: 'sunny, 5' });
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.variables(id)).toMatchObject({
      answer: 'sunny, 5',
      toolCallResults: third[0].variables.toolCallResults,
    });
    expect(d.jobs.size).toBe(0);
  });

  it('one tool called twice at once runs in two inner instances that do not share the tool call', async () => {
    const d = await Driver.load(['ad-hoc/agent.bpmn']);
    const id = d.start('ad-hoc-agent');
    decide(d, id, 'agent', {
      activateElements: [
        {
          elementId: 'get_weather',
          variables: { toolCall: { _meta: { id: 'p', name: 'get_weather' }, city: 'Paris' } },
        },
        {
          elementId: 'get_weather',
          variables: { toolCall: { _meta: { id: 'r', name: 'get_weather' }, city: 'Rome' } },
        },
      ],
    });
    const calls = d.jobsOf(id, 'get_weather');
    expect(calls.map((j) => j.variables.city).sort()).toEqual(['Paris', 'Rome']);
    const rome = calls.find((j) => j.variables.city === 'Rome');
    d.jobs.delete(rome!.key);
    d.step(id, [
      {
        type: 'complete',
        elementInstanceId: rome!.elementInstanceId,
        variables: { weather: 'warm' },
      },
    ]);
    expect(d.jobsOf(id, 'agent')[0].variables.toolCallResults).toEqual([
      { id: 'r', name: 'get_weather', content: 'warm' },
    ]);
  });

  it('a new job replaces the one a worker still holds when a tool finishes (the old one is canceled)', async () => {
    const d = await Driver.load(['ad-hoc/agent.bpmn']);
    const id = d.start('ad-hoc-agent');
    decide(d, id, 'agent', {
      activateElements: [
        {
          elementId: 'get_weather',
          variables: { toolCall: { _meta: { id: 'a', name: 'get_weather' }, city: 'A' } },
        },
        {
          elementId: 'add',
          variables: { toolCall: { _meta: { id: 'b', name: 'add' }, a: 1, b: 1 } },
        },
      ],
    });
    const held = d.jobsOf(id, 'agent')[0];
    d.completeJob(id, 'get_weather', { weather: 'rain' });
    const now = d.jobsOf(id, 'agent');
    expect(now).toHaveLength(1);
    expect(now[0].key).not.toBe(held.key);
    expect(d.effectLog).toContainEqual({
      type: 'cancelJob',
      key: held.key,
      elementInstanceId: held.elementInstanceId,
    });
    // A late answer to the canceled job changes nothing.
    d.step(id, [
      {
        type: 'complete',
        elementInstanceId: held.elementInstanceId,
        jobKey: held.key,
        adHocResult: {
          activateElements: [],
          isCompletionConditionFulfilled: true,
          isCancelRemainingInstances: false,
        },
      },
    ]);
    expect(d.status(id)).toBe('ACTIVE');
  });

  it('fulfilled with cancelRemainingInstances: running tools are terminated and the agent completes now', async () => {
    const d = await Driver.load(['ad-hoc/agent.bpmn']);
    const id = d.start('ad-hoc-agent');
    decide(d, id, 'agent', {
      activateElements: [
        {
          elementId: 'get_weather',
          variables: { toolCall: { _meta: { id: 'a', name: 'get_weather' }, city: 'A' } },
        },
        {
          elementId: 'add',
          variables: { toolCall: { _meta: { id: 'b', name: 'add' }, a: 1, b: 1 } },
        },
      ],
    });
    decide(d, id, 'agent', {
      isCompletionConditionFulfilled: true,
      isCancelRemainingInstances: true,
    });
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.trail(id, ['ELEMENT_TERMINATED'])).toEqual([
      'ELEMENT_TERMINATED get_weather serviceTask',
    ]);
    expect(d.jobs.size).toBe(0);
  });

  it('fulfilled without cancelRemainingInstances: the agent completes once the running tool ends', async () => {
    const d = await Driver.load(['ad-hoc/agent.bpmn']);
    const id = d.start('ad-hoc-agent');
    decide(d, id, 'agent', {
      activateElements: [
        {
          elementId: 'get_weather',
          variables: { toolCall: { _meta: { id: 'a', name: 'get_weather' }, city: 'A' } },
        },
        {
          elementId: 'add',
          variables: { toolCall: { _meta: { id: 'b', name: 'add' }, a: 1, b: 1 } },
        },
      ],
    });
    // `add` ended: a new job; the agent is done but lets the weather call finish.
    decide(d, id, 'agent', { isCompletionConditionFulfilled: true });
    expect(d.tokenElements(id)).toEqual(['get_weather:WAITING']);
    d.completeJob(id, 'get_weather', { weather: 'fog' });
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.variables(id).toolCallResults).toEqual([
      { id: 'b', name: 'add', content: 2 },
      { id: 'a', name: 'get_weather', content: 'fog' },
    ]);
    expect(d.jobs.size).toBe(0);
  });

  it('a result naming an element the agent cannot activate is an incident; resolving it hands out a new job', async () => {
    const d = await Driver.load(['ad-hoc/agent.bpmn']);
    const id = d.start('ad-hoc-agent');
    decide(d, id, 'agent', { activateElements: [{ elementId: 'log_sum' }, { elementId: 'nope' }] });
    const [incident] = d.incidentsOf(id);
    expect(incident).toMatchObject({ elementId: 'agent', type: 'EXPRESSION_ERROR' });
    expect(incident.message).toContain("'log_sum', 'nope'");
    expect(d.jobsOf(id, 'agent')).toHaveLength(0);
    d.resolveIncident(id, 'agent');
    expect(d.jobsOf(id, 'agent')).toHaveLength(1);
    decide(d, id, 'agent', { isCompletionConditionFulfilled: true });
    expect(d.status(id)).toBe('COMPLETED');
  });

  it('the agent job out of retries is a JOB_NO_RETRIES incident; resolving hands the same job out again', async () => {
    const d = await Driver.load(['ad-hoc/agent.bpmn']);
    const id = d.start('ad-hoc-agent');
    const job = d.jobsOf(id, 'agent')[0];
    d.failJob(id, 'agent', 'model unavailable');
    expect(d.incidentsOf(id)).toEqual([
      expect.objectContaining({ elementId: 'agent', type: 'JOB_NO_RETRIES' }),
    ]);
    d.resolveIncident(id, 'agent', 2);
    expect(d.jobs.get(job.key)?.retries).toBe(2);
    decide(d, id, 'agent', { isCompletionConditionFulfilled: true });
    expect(d.status(id)).toBe('COMPLETED');
  });

  it('an interrupting boundary event on the agent cancels its job and its running tools', async () => {
    const d = await Driver.load(['ad-hoc/agent.bpmn']);
    const id = d.start('ad-hoc-agent');
    decide(d, id, 'agent', {
      activateElements: [
        {
          elementId: 'get_weather',
          variables: { toolCall: { _meta: { id: 'a', name: 'get_weather' }, city: 'A' } },
        },
        {
          elementId: 'add',
          variables: { toolCall: { _meta: { id: 'b', name: 'add' }, a: 1, b: 2 } },
        },
      ],
    });
    // A tool still runs and the agent holds a new job: both go when the agent times out.
    expect(
      d
        .jobsOf(id)
        .map((j) => j.elementId)
        .sort(),
    ).toEqual(['agent', 'get_weather']);
    d.advance(3_600_000);
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.completed(id)).toEqual(expect.arrayContaining(['agent_timeout', 'timed_out']));
    expect(d.jobs.size).toBe(0);
  });

  it('canceling the instance cancels the agent job and the running tools', async () => {
    const d = await Driver.load(['ad-hoc/agent.bpmn']);
    const id = d.start('ad-hoc-agent');
    decide(d, id, 'agent', {
      activateElements: [
        {
          elementId: 'get_weather',
          variables: { toolCall: { _meta: { id: 'a', name: 'get_weather' }, city: 'A' } },
        },
      ],
    });
    d.cancel(id);
    expect(d.status(id)).toBe('CANCELED');
    expect(d.jobs.size).toBe(0);
  });
});

describe('ad-hoc subprocess, as the AI Agent element template writes it', () => {
  it('the agent job sees its configuration; its context survives the turns; a user task is a tool', async () => {
    const d = await Driver.load(['ad-hoc/agent-template.bpmn']);
    const id = d.start('agent-template', { request: 'Book a table' });
    const [first] = d.jobsOf(id, 'ai_agent');
    expect(first.jobType).toBe('io.camunda.agenticai:aiagent-job-worker:1');
    expect(first.customHeaders).toMatchObject({ retryBackoff: 'PT0S' });
    expect(first.variables).toMatchObject({
      provider: {
        type: 'anthropic',
        anthropic: { model: { model: 'claude-3-5-sonnet-20240620' } },
      },
      data: { userPrompt: { prompt: 'Book a table' }, limits: { maxModelCalls: 10 } },
      agentContext: null,
    });
    expect(first.variables.adHocSubProcessElements).toEqual([
      {
        elementId: 'ask_human',
        elementName: 'Ask a human',
        documentation: 'Asks a person when the agent cannot decide.',
        parameters: [{ name: 'toolCall.question', description: 'What to ask' }],
      },
    ]);
    // The worker keeps its memory in agentContext, a local of the subprocess: the next job sees it.
    decide(
      d,
      id,
      'ai_agent',
      {
        activateElements: [
          {
            elementId: 'ask_human',
            variables: {
              toolCall: { _meta: { id: 'h1', name: 'ask_human' }, question: 'Which day?' },
            },
          },
        ],
      },
      { agentContext: { turn: 1 } },
    );
    expect(d.variables(id)).not.toHaveProperty('agentContext');
    d.completeUserTask(id, 'ask_human', { answer: 'Friday' });
    const [second] = d.jobsOf(id, 'ai_agent');
    expect(second.variables).toMatchObject({
      agentContext: { turn: 1 },
      toolCallResults: [{ id: 'h1', name: 'ask_human', content: 'Friday' }],
    });
    decide(
      d,
      id,
      'ai_agent',
      { isCompletionConditionFulfilled: true },
      { agent: { responseText: 'Booked for Friday' } },
    );
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.variables(id)).toMatchObject({ agent: { responseText: 'Booked for Friday' } });
  });
});

describe('ad-hoc subprocess, deployment', () => {
  it('refuses what Camunda 8.8 refuses, naming the element', async () => {
    const result = await compileBpmn(fixture('invalid/ad-hoc.bpmn'));
    expect(result.ok).toBe(false);
    const errors = result.ok ? [] : result.errors.map((e) => `${e.elementId}: ${e.message}`);
    expect(errors).toEqual(
      expect.arrayContaining([
        'inner_start: an ad-hoc subprocess must not contain a start event',
        'inner_end: an ad-hoc subprocess must not contain an end event',
        'empty: an ad-hoc subprocess must have at least one activity',
        'agent_with_condition: Must not set cancelRemainingInstances to false in combination with zeebe:taskDefinition',
        'agent_with_condition: Must not set completionCondition in combination with zeebe:taskDefinition',
        'agent_with_condition: Must not set activeElementsCollection in combination with zeebe:taskDefinition',
        "literal_value: Failed to extract ad-hoc activity parameters for element 'literal_value'. Expected fromAi() parameter 'value' to be a reference (e.g. 'toolCall.customParameter'), but received string 'toolCall.city'.",
        expect.stringMatching(
          /^computed_type: .*Expected fromAi\(\) parameter 'type' to be a string/,
        ),
        "half_output: zeebe:adHoc outputCollection 'results' needs an outputElement",
      ]),
    );
  });
});

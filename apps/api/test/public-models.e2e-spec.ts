import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CamundaClient } from '@camunda8/orchestration-cluster-api';
import { TimerService } from '@baton/runtime';
import { CORPUS } from '../../../test/support/corpus';
import { startApi, type ApiHarness } from './api-harness';
import { camundaClient, deploy as deployTo, until } from './camunda-support';

/**
 * Camunda 8 models Baton did not write, run end to end as a Camunda 8 user
 * would: deployed, started, driven (job workers, user tasks, messages) and
 * checked through `@camunda8/orchestration-cluster-api`. One model (or two)
 * from each public source; where they come from, their commits and licences:
 * test/corpus/README.md and the NOTICE beside each file. The files are kept
 * unchanged, so the process ids, job types and message names are theirs.
 */

/** Searches read what is committed: no eventual consistency to wait for. */
const NOW = { consistency: { waitUpToMs: 0 } };

const model = (path: string): string => readFileSync(join(CORPUS, 'camunda8', path), 'utf8');

describe('public Camunda 8 models, end to end through the official client', () => {
  let h: ApiHarness;
  let camunda: CamundaClient;
  let stopWorker: () => Promise<void>;

  beforeAll(async () => {
    h = await startApi('api_public_models');
    stopWorker = await h.worker();
    camunda = camundaClient(h.origin);
  }, 60_000);
  afterAll(async () => {
    await stopWorker?.();
    await h?.close();
  });

  /** Deploys a corpus file as Modeler would (its file name as the resource name); its process id. */
  async function deploy(path: string): Promise<string> {
    const name =
      path
        .split('/')
        .pop()
        ?.replace(/\.bpmn$/, '') ?? path;
    return (await deployTo(camunda, name, model(path))).processDefinitionId;
  }

  async function start(
    processId: string,
    variables: Record<string, unknown> = {},
  ): Promise<string> {
    const created = await camunda.createProcessInstance({
      processDefinitionId: processId as never,
      variables,
    });
    return created.processInstanceKey;
  }

  /** Activates the one job of `type` (long polling until it is there) and completes it with `variables`; the job as activated. */
  async function work(type: string, variables: Record<string, unknown> = {}) {
    const { jobs } = await camunda.activateJobs({
      type,
      worker: 'public-models',
      maxJobsToActivate: 1,
      timeout: 30_000,
      requestTimeout: 5_000,
    });
    expect({ type, activated: jobs.length }).toEqual({ type, activated: 1 });
    await camunda.completeJob({ jobKey: jobs[0].jobKey, variables });
    return jobs[0];
  }

  /** Completes the instance's one open user task with `variables`; the task. */
  async function completeTask(processInstanceKey: string, variables: Record<string, unknown> = {}) {
    const search = async () => {
      const r = await camunda.searchUserTasks(
        { filter: { processInstanceKey: processInstanceKey as never, state: 'CREATED' } },
        NOW,
      );
      return r.items.map(({ userTaskKey, elementId, name, processDefinitionId, state }) => ({
        userTaskKey,
        elementId,
        name,
        processDefinitionId,
        state,
      }));
    };
    const [task] = await until(search, (items) => items.length === 1, 'the user task');
    await camunda.completeUserTask({ userTaskKey: task.userTaskKey, variables });
    return task;
  }

  const completed = (processInstanceKey: string) =>
    until(
      () => camunda.getProcessInstance({ processInstanceKey: processInstanceKey as never }, NOW),
      (i) => i.state !== 'ACTIVE',
      `instance ${processInstanceKey} to end`,
    ).then((i) => expect(i.state).toBe('COMPLETED'));

  /**
   * Fires due timers until `work` settles, as a worker's timer poller does
   * (`startApi` runs the API and the instance worker, not the poller).
   */
  async function firingTimers<T>(work: Promise<T>): Promise<T> {
    const timers = h.app.get(TimerService);
    let settled = false;
    const poll = (async () => {
      while (!settled) {
        await timers.fireDue();
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    try {
      return await work;
    } finally {
      settled = true;
      await poll;
    }
  }

  /** `elementId state` of every element instance (the process too), sorted: the path the instance took. */
  async function path(processInstanceKey: string): Promise<string[]> {
    const r = await camunda.searchElementInstances(
      { filter: { processInstanceKey: processInstanceKey as never }, page: { limit: 100 } },
      NOW,
    );
    return (r.items ?? []).map((e) => `${e.elementId} ${e.state}`).sort();
  }

  /** The instance's process-scope variables, parsed. */
  async function variables(processInstanceKey: string): Promise<Record<string, unknown>> {
    const r = await camunda.searchVariables(
      {
        filter: {
          processInstanceKey: processInstanceKey as never,
          scopeKey: processInstanceKey as never,
        },
        page: { limit: 100 },
      },
      NOW,
    );
    return Object.fromEntries(r.items.map((v) => [v.name, JSON.parse(v.value)]));
  }

  it('camunda/camunda (zeebe/bpmn-model): manual tasks joined by a link throw and catch event', async () => {
    const processId = await deploy('camunda/LinkEventTest.testValidEventLink.bpmn');
    expect(processId).toBe('Process_05x4y1u');
    const key = await start(processId);
    await completed(key);
    expect(await path(key)).toEqual(
      [
        'Process_05x4y1u COMPLETED',
        'StartEvent_1 COMPLETED',
        'Activity_1k5srs3 COMPLETED', // M1
        'Event_1xpudal COMPLETED', // throw LinkA
        'Event_1l6b80w COMPLETED', // catch LinkA
        'Activity_0khevjp COMPLETED', // M2
        'Event_18wuva8 COMPLETED',
      ].sort(),
    );
  });

  it('camunda/connectors (connector-runtime): nested subprocesses, an escalation to a non-interrupting boundary, an event-based gateway, a webhook message and a user task', async () => {
    const processId = await deploy('connectors/single-webhook-subprocess.bpmn');
    expect(processId).toBe('subprocess_webhook');
    const key = await start(processId, { myCorrKey: 'order-7' });

    // The webhook arrives once the event-based gateway waits on it. (Published with a TTL while the
    // step that opens the subscription is still running, the message can stay buffered and unmatched:
    // the publication finds no subscription yet, the step found no buffered message yet.)
    await until(
      () => path(key),
      (p) => p.includes('Gateway_1w4dq6i ACTIVE'),
      'the event-based gateway',
    );
    // What the webhook connector correlates for a request (`correlationKeyExpression`, `resultVariable`).
    const correlated = await camunda.correlateMessage({
      name: 'b1f24845-4122-45ec-91cc-1efeac8226db',
      correlationKey: 'order-7',
      variables: { res0: { request: { body: { myCorrKey: 'order-7', amount: 12 } } } },
    });
    expect(correlated.processInstanceKey).toBe(key);
    // A job-worker user task (no zeebe:userTask): Camunda 8.8 would hand it out as a job of type
    // `io.camunda.zeebe:userTask`; Baton runs every user task as a Camunda user task.
    const task = await completeTask(key, { reviewed: true });
    expect(task).toMatchObject({
      elementId: 'Activity_0qcwh2n',
      processDefinitionId: 'subprocess_webhook',
    });
    await completed(key);

    expect(await path(key)).toEqual(
      [
        'subprocess_webhook COMPLETED',
        'Event_03prtcz COMPLETED',
        'Activity_1k4ia0m COMPLETED', // outer subprocess
        'Event_1xb48yy COMPLETED',
        'Activity_1fs8zho COMPLETED', // inner subprocess, not interrupted by its escalation
        'Event_1wsqckd COMPLETED',
        'Event_15nnjqo COMPLETED', // escalation 123 thrown
        'Event_1iuwhhm COMPLETED',
        'Event_0n63f1v COMPLETED',
        'Event_18ffnpr COMPLETED', // caught by the non-interrupting boundary
        'Gateway_1w4dq6i COMPLETED', // event-based: the message came before the PT2M timer
        'webhook_in_subprocess COMPLETED',
        'Activity_0qcwh2n COMPLETED',
        'Event_1usprpf COMPLETED',
        'Event_1u6a46k COMPLETED',
      ].sort(),
    );
    expect(await variables(key)).toEqual({
      myCorrKey: 'order-7',
      res0: { request: { body: { myCorrKey: 'order-7', amount: 12 } } },
      reviewed: true,
    });
  });

  it('camunda/camunda-8-get-started-spring (the Spring get-started tutorial): a FEEL script task, then a job worker', async () => {
    const processId = await deploy('camunda-8-get-started-spring/process-payments.bpmn');
    expect(processId).toBe('process-payments');
    const key = await start(processId, { total: 19.99 });
    const job = await work('charge-credit-card', { charged: true });
    // `=total * 1.2` in FEEL's decimal arithmetic: 23.988, not the binary float 23.987999999999996.
    expect(job.variables).toEqual({ total: 19.99, totalWithTax: 23.988 });
    expect(job).toMatchObject({
      elementId: 'Activity_1uwde3z',
      processDefinitionId: 'process-payments',
    });
    await completed(key);
    expect(await variables(key)).toEqual({ total: 19.99, totalWithTax: 23.988, charged: true });
    expect(await path(key)).toEqual(
      [
        'process-payments COMPLETED',
        'StartEvent_1 COMPLETED',
        'Activity_0cjdmaj COMPLETED',
        'Activity_1uwde3z COMPLETED',
        'Event_0fho87c COMPLETED',
      ].sort(),
    );
  });

  it('camunda/camunda-8-js-sdk (test data): a BPMN error from a job interrupts a subprocess; the boundary maps the error variables', async () => {
    const processId = await deploy('camunda-8-js-sdk/Client-ThrowError.bpmn');
    expect(processId).toBe('throw-bpmn-error');
    const key = await start(processId, { orderId: 3 });

    const { jobs } = await camunda.activateJobs({
      type: 'throw-bpmn-error-task',
      worker: 'public-models',
      maxJobsToActivate: 1,
      timeout: 30_000,
      requestTimeout: 5_000,
    });
    expect(jobs).toHaveLength(1);
    await camunda.throwJobError({
      jobKey: jobs[0].jobKey,
      errorCode: 'BUSINESS_ERROR',
      errorMessage: 'out of stock',
      variables: { something: 'out of stock' },
    });

    // The boundary's output mapping `=something` -> something brings the error's variable to the process.
    const sad = await work('sad-flow');
    expect(sad.variables).toEqual({ orderId: 3, something: 'out of stock' });
    await completed(key);
    expect(await path(key)).toEqual(
      [
        'throw-bpmn-error COMPLETED',
        'StartEvent_1q9lovr COMPLETED',
        'SubProcess_0kmfk49 TERMINATED',
        'StartEvent_0mp9dxc COMPLETED',
        'Task_0bki2a1 TERMINATED',
        'IntermediateThrowEvent_0zfx5n9 COMPLETED',
        'Task_1h8n9x5 COMPLETED',
        'EndEvent_0cwovsu COMPLETED',
      ].sort(),
    );
  });

  it('camunda/camunda-8-js-sdk (test data): an exclusive gateway on FEEL conditions after a job', async () => {
    const processId = await deploy('camunda-8-js-sdk/conditional-pathway.bpmn');
    expect(processId).toBe('condition-test');
    const a = await start(processId, { conditionVariable: true });
    await work('wait');
    await work('pathA');
    await completed(a);
    const b = await start(processId, { conditionVariable: false });
    await work('wait');
    await work('pathB');
    await completed(b);

    const taken = async (key: string) =>
      (await path(key)).filter((e) => e.startsWith('ServiceTask_'));
    expect(await taken(a)).toEqual([
      'ServiceTask_0cz2k8t COMPLETED',
      'ServiceTask_18goo5h COMPLETED',
    ]); // Wait, Path A
    expect(await taken(b)).toEqual([
      'ServiceTask_0cz2k8t COMPLETED',
      'ServiceTask_15isvh5 COMPLETED',
    ]); // Wait, Path B
  });

  it('camunda/camunda-8-js-sdk (test data): a one-second timer, awaited by createProcessInstance', async () => {
    const processId = await deploy('camunda-8-js-sdk/await-outcome.bpmn');
    expect(processId).toBe('await-outcome');
    const started = Date.now();
    const done = await firingTimers(
      camunda.createProcessInstance({
        processDefinitionId: processId as never,
        variables: { ticket: 'T-1' },
        awaitCompletion: true,
        fetchVariables: ['ticket'],
        requestTimeout: 15_000,
      }),
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000); // PT1S
    expect(done.variables).toEqual({ ticket: 'T-1' });
    expect(await path(done.processInstanceKey)).toEqual(
      [
        'await-outcome COMPLETED',
        'StartEvent_1 COMPLETED',
        'IntermediateCatchEvent_1y9tvcp COMPLETED',
        'EndEvent_0icsew0 COMPLETED',
      ].sort(),
    );
  });

  it('camunda/orchestration-cluster-api-js (test fixtures): a Camunda user task, completed with variables', async () => {
    const processId = await deploy('orchestration-cluster-api-js/user-task-process.bpmn');
    expect(processId).toBe('c8-sdk-demo');
    const key = await start(processId, { requester: 'ada' });
    const task = await completeTask(key, { done: 'yes' });
    expect(task).toMatchObject({
      elementId: 'Activity_0tp91ve',
      name: 'Human, do something!',
      processDefinitionId: 'c8-sdk-demo',
    });
    await completed(key);
    expect(await variables(key)).toEqual({ requester: 'ada', done: 'yes' });
    expect(await path(key)).toEqual(
      [
        'c8-sdk-demo COMPLETED',
        'StartEvent_1 COMPLETED',
        'Activity_0tp91ve COMPLETED',
        'Event_0j28rou COMPLETED',
      ].sort(),
    );
  });

  it('camunda/orchestration-cluster-api-js (test fixtures): a message catch event correlated by a FEEL key', async () => {
    const processId = await deploy('orchestration-cluster-api-js/message-test.bpmn');
    expect(processId).toBe('Process_1q7wlgj');
    const waiting = await start(processId, { testMessageCorrelationField: 'm-1' });
    const other = await start(processId, { testMessageCorrelationField: 'm-2' });
    await until(
      () => path(waiting),
      (p) => p.includes('Event_12bq511 ACTIVE'),
      'the message subscription',
    );

    const correlated = await camunda.correlateMessage({
      name: 'test-message-1',
      correlationKey: 'm-1',
      variables: { answer: 42 },
    });
    expect(correlated.processInstanceKey).toBe(waiting);
    await completed(waiting);
    expect(await variables(waiting)).toEqual({ testMessageCorrelationField: 'm-1', answer: 42 });

    // The other instance waits for its own key.
    await until(
      () => path(other),
      (p) => p.includes('Event_12bq511 ACTIVE'),
      'the other subscription',
    );
    await camunda.publishMessage({ name: 'test-message-1', correlationKey: 'm-2', timeToLive: 0 });
    await completed(other);
  });
});

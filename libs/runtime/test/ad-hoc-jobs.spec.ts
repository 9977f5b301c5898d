import { checkAdHocJobResult, RuntimeErrorCode, type Key } from '../src';
import { engineFixture, RuntimeKit } from './fakes';

const AGENT = engineFixture('ad-hoc/agent.bpmn');
const SERVICE_TASK = engineFixture('tasks/service-task.bpmn');
const LEASE = 30_000;

async function agentInstance(): Promise<{ kit: RuntimeKit; id: Key }> {
  const kit = new RuntimeKit();
  await kit.deploy(AGENT);
  await kit.deploy(SERVICE_TASK);
  const id = await kit.startAndRun('ad-hoc-agent');
  return { kit, id };
}

const activate = (kit: RuntimeKit, type: string) =>
  kit.jobs.activate({ type, workerId: 'agent', maxJobs: 1, lockDurationMs: LEASE });
const call = (elementId: string, id: string, args: Record<string, unknown>) => ({
  elementId,
  variables: { toolCall: { _meta: { id, name: elementId }, ...args } },
});
const result = (r: { activate?: ReturnType<typeof call>[]; done?: boolean }) => ({
  activateElements: r.activate ?? [],
  isCompletionConditionFulfilled: r.done ?? false,
  isCancelRemainingInstances: false,
});

describe('the jobs of an ad-hoc subprocess', () => {
  it('one job after another, each a row of its own; the completion carries the result and the job it completes', async () => {
    const { kit, id } = await agentInstance();
    const [first] = await activate(kit, 'ai-agent');
    expect(first.variables.adHocSubProcessElements).toHaveLength(2);

    const decision = result({
      activate: [call('get_weather', 'c1', { city: 'Oslo' }), call('add', 'c2', { a: 1, b: 2 })],
    });
    await kit.jobs.complete(first.id, { workerId: 'agent', adHocResult: decision });
    const [event] = kit.store.rows('inbox').map((e) => e.event);
    expect(event).toMatchObject({ type: 'complete', adHocResult: decision });
    expect((event as { jobKey?: string }).jobKey).toMatch(/:1$/);
    await kit.drain();

    // `add` ran at once: a second job, a new row with a new key.
    const [second] = await activate(kit, 'ai-agent');
    expect(second.id).not.toBe(first.id);
    expect(second.variables.toolCallResults).toEqual([{ id: 'c2', name: 'add', content: 3 }]);
    // The weather tool ends while the agent holds the second job: that job is canceled, a third goes out.
    const [weather] = await activate(kit, 'weather');
    await kit.jobs.complete(weather.id, { workerId: 'agent', variables: { weather: 'snow' } });
    await kit.drain();
    const rows = kit.store.rows('jobs').filter((j) => j.type === 'ai-agent');
    expect(rows.map((j) => j.state)).toEqual(['COMPLETED', 'CANCELED', 'ACTIVATABLE']);
    const late = kit.jobs.complete(second.id, {
      workerId: 'agent',
      adHocResult: result({ done: true }),
    });
    await expect(late).rejects.toMatchObject({ code: RuntimeErrorCode.Conflict });

    const [third] = await activate(kit, 'ai-agent');
    await kit.jobs.complete(third.id, {
      workerId: 'agent',
      variables: { answer: 'snow, 3' },
      adHocResult: result({ done: true }),
    });
    await kit.drain();
    expect(await kit.instances.get(id)).toMatchObject({
      status: 'COMPLETED',
      variables: { answer: 'snow, 3' },
    });
  });

  it('a result Zeebe rejects is refused before anything is written', async () => {
    const { kit } = await agentInstance();
    const [agent] = await activate(kit, 'ai-agent');
    const check = (jobId: string, r: ReturnType<typeof result>) =>
      checkAdHocJobResult(kit.jobs, kit.registry, jobId, r);

    await expect(
      check(agent.id, result({ activate: [call('log_sum', 'x', {}), call('nope', 'y', {})] })),
    ).rejects.toMatchObject({
      code: RuntimeErrorCode.NotFound,
      message: expect.stringContaining('[log_sum, nope]'),
    });
    await expect(
      check(agent.id, result({ activate: [call('add', 'x', {})], done: true })),
    ).rejects.toMatchObject({
      code: RuntimeErrorCode.BadRequest,
      errors: [expect.objectContaining({ field: 'result.activateElements' })],
    });
    await expect(
      check(agent.id, result({ activate: [call('add', 'x', {}), call('add', 'y', {})] })),
    ).resolves.toBeUndefined();

    await kit.startAndRun('service-task');
    const [charge] = await activate(kit, 'charge-card');
    await expect(check(charge.id, result({ done: true }))).rejects.toMatchObject({
      code: RuntimeErrorCode.BadRequest,
      errors: [expect.objectContaining({ field: 'result.type' })],
    });
    expect(kit.store.rows('jobs').every((j) => j.state !== 'COMPLETED')).toBe(true);
  });
});

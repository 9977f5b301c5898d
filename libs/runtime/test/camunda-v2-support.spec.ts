import { RuntimeErrorCode } from '../src';
import { engineFixture, RuntimeKit } from './fakes';

/** What the runtime gained for Camunda 8's REST API (`/v2`): multi-document deployments and reports without a worker. */

const SERVICE_TASK = engineFixture('tasks/service-task.bpmn');
const MESSAGE_START = engineFixture('events/message-start.bpmn');
const DANGLING = engineFixture('invalid/dangling-flow.bpmn');
const renamed = (id: string) => SERVICE_TASK.replaceAll('"service-task"', `"${id}"`);

describe('DefinitionRegistry.deployResources', () => {
  it('deploys several documents as one deployment, each process by its document, in request order', async () => {
    const kit = new RuntimeKit();

    const result = await kit.registry.deployResources([
      { name: 'a.bpmn', xml: renamed('a') },
      { name: 'b.bpmn', xml: MESSAGE_START },
    ]);

    expect(result).toMatchObject({ created: true, tenantId: '<default>' });
    expect(result.resources.map((r) => [r.name, r.processes.map((p) => [p.bpmnProcessId, p.version, p.deploymentId])])).toEqual([
      ['a.bpmn', [['a', 1, result.deploymentId]]],
      ['b.bpmn', [['message-start', 1, result.deploymentId]]],
    ]);
    expect(kit.store.rows('deployments')).toHaveLength(1);
    // The message start event is registered as with a single deploy.
    expect(kit.store.rows('startEvents').map((s) => s.bpmnProcessId)).toContain('message-start');
  });

  it('keeps the versions of unchanged documents and versions changed ones; every request is its own deployment', async () => {
    const kit = new RuntimeKit();
    const first = await kit.registry.deployResources([{ name: 'a.bpmn', xml: renamed('a') }]);
    const same = await kit.registry.deployResources([{ name: 'a.bpmn', xml: renamed('a') }]);
    const changed = await kit.registry.deployResources([
      { name: 'a.bpmn', xml: renamed('a').replace('retries="5"', 'retries="7"') },
      { name: 'b.bpmn', xml: renamed('b') },
    ]);

    expect(same.created).toBe(false);
    expect(same.deploymentId).not.toBe(first.deploymentId);
    expect(same.resources[0].processes[0]).toEqual(first.resources[0].processes[0]);
    expect(changed.resources.map((r) => r.processes[0].version)).toEqual([2, 1]);
    expect(await kit.registry.byProcessId('a')).toMatchObject({ version: 2 });
    expect(kit.store.rows('deployments')).toHaveLength(3);
  });

  it('deploys nothing when one document is invalid, naming it; refuses a process id in two documents', async () => {
    const kit = new RuntimeKit();

    await expect(
      kit.registry.deployResources([
        { name: 'good.bpmn', xml: renamed('good') },
        { name: 'broken.bpmn', xml: DANGLING },
      ]),
    ).rejects.toMatchObject({ code: RuntimeErrorCode.InvalidDefinition, message: expect.stringContaining("'broken.bpmn'") });
    await expect(
      kit.registry.deployResources([
        { name: 'one.bpmn', xml: renamed('twice') },
        { name: 'two.bpmn', xml: renamed('twice') },
      ]),
    ).rejects.toMatchObject({ code: RuntimeErrorCode.BadRequest, message: expect.stringContaining("'twice'") });
    await expect(kit.registry.deployResources([])).rejects.toMatchObject({ code: RuntimeErrorCode.BadRequest });

    expect(kit.store.rows('definitions')).toEqual([]);
    expect(kit.store.rows('deployments')).toEqual([]);
  });

  it('deploys to the tenant asked for', async () => {
    const kit = new RuntimeKit();
    const result = await kit.registry.deployResources([{ name: 'a.bpmn', xml: renamed('a') }], { tenantId: 'tenant-a' });
    expect(result.tenantId).toBe('tenant-a');
    expect(await kit.registry.byProcessId('a', { tenantId: 'tenant-a' })).toMatchObject({ version: 1 });
    expect(await kit.registry.byProcessId('a')).toBeNull();
  });
});

describe('JobService.leaseHolder', () => {
  async function oneJob() {
    const kit = new RuntimeKit();
    await kit.deploy(SERVICE_TASK);
    await kit.instances.start('service-task', {});
    await kit.drain();
    return kit;
  }

  it('names the worker holding the lease, so a report without a worker acts for it', async () => {
    const kit = await oneJob();
    const [job] = await kit.jobs.activate({ type: 'charge-card', workerId: 'w1', maxJobs: 1, lockDurationMs: 30_000 });

    expect(await kit.jobs.leaseHolder(job.id)).toBe('w1');
    await kit.jobs.complete(job.id, { workerId: await kit.jobs.leaseHolder(job.id), variables: { ok: true } });
    // A repeated report is answered as the first was: the holder is now the worker that reported.
    expect(await kit.jobs.leaseHolder(job.id)).toBe('w1');
    await expect(kit.jobs.complete(job.id, { workerId: await kit.jobs.leaseHolder(job.id), variables: { ok: true } })).resolves.toBeUndefined();
    await kit.drain();
    expect((await kit.instances.get(job.instanceId)).status).toBe('COMPLETED');
  });

  it('is a 409 for a job nobody holds and a 404 for an unknown one', async () => {
    const kit = await oneJob();
    const [id] = kit.store.rows('jobs').map((j) => j.id);

    await expect(kit.jobs.leaseHolder(id)).rejects.toMatchObject({ code: RuntimeErrorCode.Conflict });
    await expect(kit.jobs.leaseHolder('2251799813685249')).rejects.toMatchObject({ code: RuntimeErrorCode.NotFound });
    await expect(kit.jobs.leaseHolder('nope')).rejects.toMatchObject({ code: RuntimeErrorCode.NotFound });
    expect(await kit.jobs.get(id)).toMatchObject({ id, state: 'ACTIVATABLE', type: 'charge-card' });
    await expect(kit.jobs.get('2251799813685249')).rejects.toMatchObject({ code: RuntimeErrorCode.NotFound });
  });
});

import { RuntimeErrorCode, type Key } from '../src';
import { engineFixture, RuntimeKit } from './fakes';

const SERVICE_TASK = engineFixture('tasks/service-task.bpmn');
const SCRIPT_ERRORS = engineFixture('tasks/script-errors.bpmn');

/** An instance whose job ran out of retries: its JOB_NO_RETRIES incident is open. */
async function jobIncident(kit: RuntimeKit): Promise<{ instanceId: Key; jobId: Key; incidentId: Key }> {
  const instanceId = await kit.startAndRun('service-task');
  const [job] = await kit.jobs.activate({ type: 'charge-card', workerId: 'w', maxJobs: 1, lockDurationMs: 60_000 });
  await kit.jobs.fail(job.id, { workerId: 'w', errorMessage: 'card service down', retries: 0 });
  await kit.drain();
  const [incident] = (await kit.instances.get(instanceId)).incidents;
  return { instanceId, jobId: job.id, incidentId: incident.id };
}

async function expressionIncident(kit: RuntimeKit): Promise<{ instanceId: Key; incidentId: Key }> {
  const instanceId = await kit.startAndRun('script-errors', { text: '21', legacy: true });
  const [incident] = (await kit.instances.get(instanceId)).incidents;
  return { instanceId, incidentId: incident.id };
}

describe('IncidentService', () => {
  it('lists open incidents, or resolved ones, by instance, page by page', async () => {
    const kit = new RuntimeKit();
    await kit.deploy(SERVICE_TASK);
    await kit.deploy(SCRIPT_ERRORS);
    const a = await expressionIncident(kit);
    const b = await expressionIncident(kit);
    const c = await jobIncident(kit);

    const first = await kit.incidents.list({ limit: 2 });
    const rest = await kit.incidents.list({ limit: 2, cursor: first.nextCursor ?? undefined });
    expect([...first.items, ...rest.items].map((i) => i.id)).toEqual([a.incidentId, b.incidentId, c.incidentId]);
    expect(rest.nextCursor).toBeNull();
    expect(first.items[0]).toMatchObject({ instanceId: a.instanceId, elementId: 'checksum', type: 'EXPRESSION_ERROR', jobId: null, resolvedAt: null });
    expect((await kit.incidents.list({ limit: 10, instanceId: b.instanceId })).items.map((i) => i.id)).toEqual([b.incidentId]);
    expect((await kit.incidents.list({ limit: 10, instanceId: 'nope' })).items).toEqual([]);
    await expect(kit.incidents.list({ limit: 10, cursor: 'nope' })).rejects.toMatchObject({ code: RuntimeErrorCode.BadRequest });

    await kit.instances.cancel(a.instanceId);
    expect((await kit.incidents.list({ limit: 10, state: 'RESOLVED' })).items.map((i) => i.id)).toEqual([a.incidentId]);
    expect((await kit.incidents.list({ limit: 10 })).items.map((i) => i.id)).toEqual([b.incidentId, c.incidentId]);
  });

  it('resolves a job incident as a command: the job is handed out again with the retries given', async () => {
    const kit = new RuntimeKit();
    await kit.deploy(SERVICE_TASK);
    const { instanceId, jobId, incidentId } = await jobIncident(kit);

    const result = await kit.incidents.resolve(incidentId, { retries: 3 });

    expect(result).toMatchObject({ outcome: 'applied', value: { id: incidentId, jobId, resolvedAt: kit.clock.date().toISOString() } });
    expect(kit.store.rows('jobs')[0]).toMatchObject({ id: jobId, state: 'ACTIVATABLE', retries: 3, errorMessage: null });
    expect(await kit.trail(instanceId)).toContain('charge:INCIDENT_RESOLVED');
    const [again] = await kit.jobs.activate({ type: 'charge-card', workerId: 'w2', maxJobs: 1, lockDurationMs: 60_000 });
    expect(again).toMatchObject({ id: jobId, retries: 3 });
    await kit.jobs.complete(jobId, { workerId: 'w2' });
    await kit.drain();
    expect(await kit.instances.get(instanceId)).toMatchObject({ status: 'COMPLETED', incidents: [] });
  });

  it('gives a job one retry when none are named', async () => {
    const kit = new RuntimeKit();
    await kit.deploy(SERVICE_TASK);
    const { incidentId } = await jobIncident(kit);

    await kit.incidents.resolve(incidentId);

    expect(kit.store.rows('jobs')[0]).toMatchObject({ state: 'ACTIVATABLE', retries: 1 });
  });

  it('updating retries leaves the job FAILED and the incident open; resolving then hands the job out with them (Zeebe)', async () => {
    const kit = new RuntimeKit();
    await kit.deploy(SERVICE_TASK);
    const { instanceId, jobId, incidentId } = await jobIncident(kit);

    expect(await kit.jobs.updateRetries(jobId, 4)).toMatchObject({ id: jobId, state: 'FAILED', retries: 4 });
    expect(kit.store.rows('jobs')[0]).toMatchObject({ id: jobId, state: 'FAILED', retries: 4 });
    expect(await kit.incidents.get(incidentId)).toMatchObject({ resolvedAt: null });
    expect(await kit.jobs.activate({ type: 'charge-card', workerId: 'w2', maxJobs: 1, lockDurationMs: 60_000 })).toEqual([]);

    await kit.incidents.resolve(incidentId);

    const [again] = await kit.jobs.activate({ type: 'charge-card', workerId: 'w2', maxJobs: 1, lockDurationMs: 60_000 });
    expect(again).toMatchObject({ id: jobId, retries: 4 });
    await kit.jobs.complete(jobId, { workerId: 'w2' });
    await kit.drain();
    expect(await kit.instances.get(instanceId)).toMatchObject({ status: 'COMPLETED', incidents: [] });
  });

  it('retries named on resolution win over those set on the job', async () => {
    const kit = new RuntimeKit();
    await kit.deploy(SERVICE_TASK);
    const { jobId, incidentId } = await jobIncident(kit);
    await kit.jobs.updateRetries(jobId, 4);

    await kit.incidents.resolve(incidentId, { retries: 2 });

    expect(kit.store.rows('jobs')[0]).toMatchObject({ state: 'ACTIVATABLE', retries: 2 });
  });

  it('retries the failed phase of an expression incident once a worker picks the instance up', async () => {
    const kit = new RuntimeKit();
    await kit.deploy(SCRIPT_ERRORS);
    const { instanceId, incidentId } = await expressionIncident(kit);
    await kit.instances.patchVariables(instanceId, { legacy: false });

    expect((await kit.incidents.resolve(incidentId)).outcome).toBe('applied');
    // The command ran nothing: the checksum waits for a worker.
    expect(await kit.trail(instanceId)).not.toContain('checksum:ELEMENT_COMPLETED');
    await kit.drain();

    expect(await kit.instances.get(instanceId)).toMatchObject({ status: 'COMPLETED', variables: { doubled: 42, sum: 43 } });
  });

  it('queues the resolution while a worker holds the instance', async () => {
    const kit = new RuntimeKit();
    await kit.deploy(SERVICE_TASK);
    const { instanceId, incidentId } = await jobIncident(kit);
    kit.store.holdLock(instanceId);

    const result = await kit.incidents.resolve(incidentId, { retries: 2 });

    expect(result).toMatchObject({ outcome: 'queued', value: { resolvedAt: null } });
    kit.store.releaseLock(instanceId);
    await kit.drain();
    expect((await kit.incidents.get(incidentId)).resolvedAt).not.toBeNull();
    expect(kit.store.rows('jobs')[0]).toMatchObject({ state: 'ACTIVATABLE', retries: 2 });
  });

  it('refuses what cannot be resolved: resolved already, unknown, bad retries, ended instance', async () => {
    const kit = new RuntimeKit();
    await kit.deploy(SERVICE_TASK);
    const first = await jobIncident(kit);
    const second = await jobIncident(kit);
    await kit.incidents.resolve(first.incidentId);

    await expect(kit.incidents.resolve(first.incidentId)).rejects.toMatchObject({ code: RuntimeErrorCode.Conflict, message: expect.stringContaining('already resolved') });
    await expect(kit.incidents.resolve('31337')).rejects.toMatchObject({ code: RuntimeErrorCode.NotFound });
    await expect(kit.incidents.get('bad')).rejects.toMatchObject({ code: RuntimeErrorCode.NotFound });
    await expect(kit.incidents.resolve(second.incidentId, { retries: 0 })).rejects.toMatchObject({ code: RuntimeErrorCode.BadRequest, errors: [{ field: 'retries' }] });

    // Canceling the instance resolves its incidents.
    await kit.instances.cancel(second.instanceId);
    await expect(kit.incidents.resolve(second.incidentId)).rejects.toMatchObject({ code: RuntimeErrorCode.Conflict });
    expect(kit.store.rows('jobs').map((j) => j.state)).toEqual(['ACTIVATABLE', 'CANCELED']);
  });
});

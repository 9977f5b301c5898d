import type { CamundaClient } from '@camunda8/orchestration-cluster-api';
import { fixture, startApi, type ApiHarness } from './api-harness';
import { activateOne, camundaClient, deploy, failure, until } from './camunda-support';

/**
 * Process instance modification over `/v2` (Camunda 8's ModifyProcessInstance,
 * driven by the official client with strict request and answer checks) and
 * `/api/v1`: an operator repairs a stuck instance. The fixture is
 * start -> charge -> fulfil(pack -> ship) -> end.
 */

/** Searches read what is committed: no eventual consistency to wait for. */
const NOW = { consistency: { waitUpToMs: 0 } };

describe('process instance modification', () => {
  let h: ApiHarness;
  let camunda: CamundaClient;
  let stopWorker: () => Promise<void>;

  beforeAll(async () => {
    h = await startApi('api_modification');
    stopWorker = await h.worker();
    camunda = camundaClient(h.origin);
    await deploy(camunda, 'repair', fixture('misc/modification.bpmn'));
  }, 60_000);
  afterAll(async () => {
    await stopWorker?.();
    await h?.close();
  });

  /** A raw `/v2` request (what the strict client would refuse to send). */
  async function raw(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: { title?: string; detail?: string } }> {
    const r = await fetch(`${h.origin}/v2${path}`, {
      method,
      ...(body === undefined
        ? {}
        : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    const text = await r.text();
    return { status: r.status, body: text === '' ? {} : JSON.parse(text) };
  }

  /** A new instance whose charge job failed with no retries left: stuck on a JOB_NO_RETRIES incident. */
  async function stuck() {
    const { processInstanceKey } = await camunda.createProcessInstance({
      processDefinitionId: 'repair' as never,
      variables: { order: 1 },
    });
    const job = await activateOne(camunda, 'charge');
    await camunda.failJob({ jobKey: job.jobKey, retries: 0, errorMessage: 'card declined' });
    const incidents = await until(
      () => camunda.searchIncidents({ filter: { processInstanceKey, state: 'ACTIVE' } }, NOW),
      (r) => r.items?.length === 1,
      'the incident',
    );
    const incident = incidents.items?.[0];
    if (incident?.incidentKey === undefined || incident.elementInstanceKey === undefined)
      throw new Error('no incident');
    return {
      processInstanceKey,
      job,
      incident: {
        ...incident,
        incidentKey: incident.incidentKey,
        elementInstanceKey: incident.elementInstanceKey,
      },
    };
  }

  const statusOf = async (key: string) =>
    (await camunda.getProcessInstance({ processInstanceKey: key as never }, NOW)).state;
  const jobOf = async (jobKey: string) =>
    (await camunda.searchJobs({ filter: { jobKey: jobKey as never } }, NOW)).items[0];

  it('/v2: terminating the failing task resolves its incident and cancels its job; the activated task runs to the end', async () => {
    const { processInstanceKey, job, incident } = await stuck();
    expect(incident.elementId).toBe('charge');
    await camunda.modifyProcessInstance({
      processInstanceKey,
      terminateInstructions: [{ elementInstanceKey: incident.elementInstanceKey }],
      activateInstructions: [
        {
          elementId: 'pack' as never,
          ancestorElementInstanceKey: '-1',
          variableInstructions: [{ variables: { repaired: true } }],
        },
      ],
    });
    expect(await camunda.getIncident({ incidentKey: incident.incidentKey }, NOW)).toMatchObject({
      state: 'RESOLVED',
    });
    expect(await jobOf(job.jobKey)).toMatchObject({ state: 'CANCELED' });

    // The subprocess around 'pack' was created; its job goes out and the instance carries on.
    const pack = await activateOne(camunda, 'pack');
    expect(pack.variables).toEqual({ order: 1, repaired: true });
    await camunda.completeJob({ jobKey: pack.jobKey });
    const ship = await activateOne(camunda, 'ship');
    await camunda.completeJob({ jobKey: ship.jobKey });
    await until(
      () => statusOf(processInstanceKey),
      (s) => s === 'COMPLETED',
      'the instance to complete',
    );

    const history = (
      await h.json('GET', `/instances/${processInstanceKey}/history?limit=100`)
    ).body.items.map((i: { type: string; elementId: string }) => `${i.type} ${i.elementId}`);
    expect(history).toEqual(
      expect.arrayContaining([
        'INCIDENT_RESOLVED charge',
        'ELEMENT_TERMINATED charge',
        'ELEMENT_ACTIVATED fulfil',
        'ELEMENT_ACTIVATED pack',
      ]),
    );
    expect(history.indexOf('ELEMENT_ACTIVATED fulfil')).toBeLessThan(
      history.indexOf('ELEMENT_ACTIVATED pack'),
    );
    expect(history).not.toContain('ELEMENT_ACTIVATED fulfilStart');
  });

  it('/v2: an invalid instruction is a 400 naming it and changes nothing; an unknown instance is a 404', async () => {
    const { processInstanceKey, job, incident } = await stuck();
    for (const [body, culprit] of [
      [{ activateInstructions: [{ elementId: 'nope' }] }, "'nope'"],
      [{ activateInstructions: [{ elementId: 'start' }] }, "'start'"],
      [{ activateInstructions: [{ elementId: 'f2' }] }, 'sequence flow'],
      [{ terminateInstructions: [{ elementInstanceKey: '12345' }] }, "'12345'"],
      [
        {
          activateInstructions: [
            {
              elementId: 'ship',
              variableInstructions: [{ scopeId: 'charge', variables: { a: 1 } }],
            },
          ],
        },
        "scope 'charge'",
      ],
      // A good activation does not go through with a bad termination.
      [
        {
          activateInstructions: [{ elementId: 'pack' }],
          terminateInstructions: [{ elementId: 'ghost' }],
        },
        "'ghost'",
      ],
    ] as const) {
      const r = await raw('POST', `/process-instances/${processInstanceKey}/modification`, body);
      expect(r.status).toBe(400);
      expect(r.body.title).toBe('INVALID_ARGUMENT');
      expect(r.body.detail).toContain(culprit);
    }
    expect(
      (
        await raw('POST', `/process-instances/${processInstanceKey}/modification`, {
          activateInstructions: [{ elementId: 'pack', extra: 1 }],
        })
      ).status,
    ).toBe(400);
    const missing = await failure(
      camunda.modifyProcessInstance({
        processInstanceKey: '12345' as never,
        activateInstructions: [{ elementId: 'pack' as never }],
      }),
    );
    expect(missing.status).toBe(404);

    // Still stuck exactly as before.
    expect(await camunda.getIncident({ incidentKey: incident.incidentKey }, NOW)).toMatchObject({
      state: 'ACTIVE',
    });
    expect(await jobOf(job.jobKey)).toMatchObject({ state: 'FAILED' });
    const { items } = await camunda.searchElementInstances(
      { filter: { processInstanceKey, state: 'ACTIVE' } },
      NOW,
    );
    expect((items ?? []).map((e) => e.elementId).sort()).toEqual(['charge', 'repair']);

    // Terminating every instance of the element (8.8's terminate by elementId) leaves nothing: the instance is terminated, as in Zeebe.
    expect(
      (
        await raw('POST', `/process-instances/${processInstanceKey}/modification`, {
          terminateInstructions: [{ elementId: 'charge' }],
        })
      ).status,
    ).toBe(204);
    expect(await statusOf(processInstanceKey)).toBe('TERMINATED');
    expect(await camunda.getIncident({ incidentKey: incident.incidentKey }, NOW)).toMatchObject({
      state: 'RESOLVED',
    });
    // Camunda forgets ended instances.
    expect(
      (
        await raw('POST', `/process-instances/${processInstanceKey}/modification`, {
          activateInstructions: [{ elementId: 'pack' }],
        })
      ).status,
    ).toBe(404);
  });

  it('/api/v1: the same repair with v1 names, answered with the instance view', async () => {
    const { processInstanceKey: id, job, incident } = await stuck();
    const bad = await h.json('POST', `/instances/${id}/modification`, {
      activate: [{ elementId: 'late' }],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([
      expect.objectContaining({
        elementId: 'late',
        message: expect.stringContaining('boundaryEvent'),
      }),
    ]);
    expect((await h.json('POST', `/instances/${id}/modification`, {})).status).toBe(400);
    expect(
      (
        await h.json('POST', '/instances/12345/modification', {
          terminate: [{ elementId: 'charge' }],
        })
      ).status,
    ).toBe(404);

    const r = await h.json('POST', `/instances/${id}/modification`, {
      terminate: [{ elementInstanceId: incident.elementInstanceKey }],
      activate: [
        {
          elementId: 'ship',
          ancestorElementInstanceId: id,
          variables: [{ scopeId: 'fulfil', variables: { carrier: 'dhl' } }],
        },
      ],
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id, status: 'ACTIVE', incidents: [], variables: { order: 1 } });
    expect(r.body.tokens).toEqual([expect.objectContaining({ elementId: 'ship' })]);
    expect(await jobOf(job.jobKey)).toMatchObject({ state: 'CANCELED' });

    const activated = await h.json('POST', '/jobs/activate', {
      type: 'ship',
      workerId: 'w',
      maxJobs: 1,
      lockDurationMs: 60_000,
      requestTimeoutMs: 5_000,
    });
    expect(activated.body.jobs).toEqual([
      expect.objectContaining({ variables: { order: 1, carrier: 'dhl' } }),
    ]);
    expect(
      (await h.json('POST', `/jobs/${activated.body.jobs[0].id}/complete`, { workerId: 'w' }))
        .status,
    ).toBe(204);
    await until(
      async () => (await h.json('GET', `/instances/${id}`)).body.status,
      (s) => s === 'COMPLETED',
      'the instance to complete',
    );
    // The subprocess-scoped variable did not leak to the process.
    expect((await h.json('GET', `/instances/${id}`)).body.variables).toEqual({ order: 1 });

    const ended = await h.json('POST', `/instances/${id}/modification`, {
      activate: [{ elementId: 'pack' }],
    });
    expect(ended.status).toBe(400);
    expect(ended.body.detail).toContain('COMPLETED');
  });
  it('/api/v1: while a worker holds the instance the modification waits in its inbox (202) and applies after that step', async () => {
    if (!h.concurrentTransactions) {
      console.log(
        'skipped on the embedded store: transactions take turns on its single connection',
      );
      return;
    }
    const { processInstanceKey: id, job } = await stuck();
    // A worker holds an instance while it steps pending work: the instance is marked pending, as a step in flight finds it.
    await h.db.prisma.$executeRawUnsafe(
      `UPDATE "ProcessInstance" SET "pendingSince" = now() WHERE id = $1::bigint`,
      id,
    );
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    const worker = h.db.prisma.$transaction(
      async (tx) => {
        await tx.$queryRawUnsafe(
          `SELECT id FROM "ProcessInstance" WHERE id = $1::bigint FOR UPDATE`,
          id,
        );
        locked();
        await held;
      },
      { timeout: 30_000 },
    );
    await isLocked;
    // Checked against the instance as it is before it is queued: a bad one is still a 400.
    expect(
      (await h.json('POST', `/instances/${id}/modification`, { activate: [{ elementId: 'nope' }] }))
        .status,
    ).toBe(400);
    const t0 = performance.now();
    const r = await h.json('POST', `/instances/${id}/modification`, {
      terminate: [{ elementId: 'charge' }],
      activate: [{ elementId: 'ship' }],
    });
    expect(performance.now() - t0).toBeLessThan(2_000);
    expect(r).toMatchObject({ status: 202, body: { id, status: 'ACTIVE' } });
    expect(await jobOf(job.jobKey)).toMatchObject({ state: 'FAILED' });
    release();
    await worker;
    const ship = await activateOne(camunda, 'ship');
    expect(await jobOf(job.jobKey)).toMatchObject({ state: 'CANCELED' });
    await camunda.completeJob({ jobKey: ship.jobKey });
    await until(
      () => statusOf(id),
      (st) => st === 'COMPLETED',
      'the instance to complete',
    );
  });

  it('an instance a call activity started cannot be left empty by a modification (Zeebe): modify its parent instead', async () => {
    const parent = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="t">
  <bpmn:process id="repair-parent" isExecutable="true">
    <bpmn:startEvent id="s" />
    <bpmn:callActivity id="call">
      <bpmn:extensionElements><zeebe:calledElement processId="repair" /></bpmn:extensionElements>
    </bpmn:callActivity>
    <bpmn:endEvent id="e" />
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="call" />
    <bpmn:sequenceFlow id="f2" sourceRef="call" targetRef="e" />
  </bpmn:process>
</bpmn:definitions>`;
    await deploy(camunda, 'repair-parent', parent);
    const { processInstanceKey: parentKey } = await camunda.createProcessInstance({
      processDefinitionId: 'repair-parent' as never,
    });
    const child = await until(
      async () =>
        (await h.json('GET', '/instances?processKey=repair&status=ACTIVE')).body.items.find(
          (i: { parentInstanceId: string }) => i.parentInstanceId === parentKey,
        ),
      (c) => c !== undefined,
      'the child instance',
    );
    const emptied = await h.json('POST', `/instances/${child.id}/modification`, {
      terminate: [{ elementId: 'charge' }],
    });
    expect(emptied.status).toBe(400);
    expect(emptied.body.detail).toContain('modify the parent instance');
    expect((await h.json('GET', `/instances/${child.id}`)).body.tokens).toEqual([
      expect.objectContaining({ elementId: 'charge' }),
    ]);
    // Moving the child's token is fine.
    const moved = await h.json('POST', `/instances/${child.id}/modification`, {
      terminate: [{ elementId: 'charge' }],
      activate: [{ elementId: 'pack' }],
    });
    expect(moved.status).toBe(200);

    // Terminating the call activity in the parent ends both.
    const r = await raw('POST', `/process-instances/${parentKey}/modification`, {
      terminateInstructions: [{ elementId: 'call' }],
    });
    expect(r.status).toBe(204);
    expect(await statusOf(parentKey)).toBe('TERMINATED');
    await until(
      () => statusOf(child.id),
      (st) => st === 'TERMINATED',
      'the child to be canceled with its parent',
    );
  });
});

import { BATCH_QUEUE } from '@baton/host';
import { BatchProcessor, TimerService, type BatchQueue } from '@baton/runtime';
import { startApi, xmlPost, type ApiHarness } from './api-harness';
import { until } from './camunda-support';

/** A process of elements in a row (`[tag, id, XML inside it]`), with boundary timers (`[id, attached to, duration]`) that lead to an end. */
function model(
  processId: string,
  steps: readonly (readonly [string, string, string?])[],
  boundaries: readonly (readonly [string, string, string])[] = [],
): string {
  const body = steps
    .map(([kind, id, inner]) => `<bpmn:${kind} id="${id}">${inner ?? ''}</bpmn:${kind}>`)
    .join('\n');
  const ids = ['start', ...steps.map(([, id]) => id), 'end'];
  const flows = ids
    .slice(1)
    .map(
      (id, i) =>
        `<bpmn:sequenceFlow id="f_${ids[i]}_${id}" sourceRef="${ids[i]}" targetRef="${id}" />`,
    )
    .join('\n');
  const extra = boundaries
    .map(
      ([id, attached, duration]) =>
        `<bpmn:boundaryEvent id="${id}" attachedToRef="${attached}"><bpmn:timerEventDefinition><bpmn:timeDuration>${duration}</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>
         <bpmn:endEvent id="${id}_end" /><bpmn:sequenceFlow id="f_${id}_end" sourceRef="${id}" targetRef="${id}_end" />`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d_${processId}" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:message id="m_paid" name="paid"><bpmn:extensionElements><zeebe:subscription correlationKey="= orderId" /></bpmn:extensionElements></bpmn:message>
  <bpmn:process id="${processId}" isExecutable="true">
    <bpmn:startEvent id="start" />
    ${body}
    <bpmn:endEvent id="end" />
    ${flows}
    ${extra}
  </bpmn:process>
</bpmn:definitions>`;
}

const job = (type: string): string =>
  `<bpmn:extensionElements><zeebe:taskDefinition type="${type}" /></bpmn:extensionElements>`;
const timer = (duration: string): string =>
  `<bpmn:timerEventDefinition><bpmn:timeDuration>${duration}</bpmn:timeDuration></bpmn:timerEventDefinition>`;

/**
 * Process instance migration over REST: Camunda 8.8's
 * `/v2/process-instances/{key}/migration` and its batch, and Baton's
 * `/api/v1/instances/{id}/migration`, on Postgres, with a worker.
 */
describe('process instance migration (REST)', () => {
  let h: ApiHarness;
  let stopWorker: () => Promise<void>;

  beforeAll(async () => {
    h = await startApi('api_migration');
    stopWorker = await h.worker();
    const processor = h.app.get(BatchProcessor);
    h.app.get<BatchQueue>(BATCH_QUEUE).consume(async (chunk) => {
      await processor.process(chunk);
    });
  }, 60_000);
  afterAll(async () => {
    await stopWorker?.();
    await h?.close();
  });

  async function deploy(xml: string): Promise<string> {
    const r = await h.api('/processes', xmlPost(xml));
    expect([200, 201]).toContain(r.status);
    return ((await r.json()) as { processes: { id: string }[] }).processes[0].id;
  }

  async function start(
    processId: string,
    variables: Record<string, unknown> = {},
    version?: number,
  ): Promise<string> {
    const r = await h.json('POST', `/processes/${processId}/instances`, {
      variables,
      ...(version === undefined ? {} : { version }),
    });
    expect(r.status).toBe(201);
    return r.body.id as string;
  }

  /** Waits until the instance's live tokens are at these elements, all resting. */
  const tokensAt = (id: string, elementIds: string[]) =>
    until(
      async () => (await h.json('GET', `/instances/${id}`)).body,
      (i) =>
        JSON.stringify(
          i.tokens
            .map((t: { elementId: string; state: string }) => `${t.elementId}:${t.state}`)
            .sort(),
        ) === JSON.stringify(elementIds.map((e) => `${e}:WAITING`).sort()),
      `instance ${id} at ${elementIds.join(', ')}`,
    );

  const v2 = (path: string, body: unknown) =>
    fetch(`${h.origin}/v2${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  const activate = async (type: string) =>
    (
      await h.json('POST', '/jobs/activate', {
        type,
        workerId: 'w',
        maxJobs: 10,
        lockDurationMs: 60_000,
      })
    ).body.jobs as {
      id: string;
      elementId: string;
      instanceId: string;
      type: string;
      retries: number;
    }[];

  // 'charge' v1: a job with a boundary timer, then an audit task; v2: the job renamed with another type, a review task.
  const orderV1 = model(
    'mig-order',
    [
      ['serviceTask', 'charge', job('charge')],
      ['userTask', 'audit'],
    ],
    [['late', 'charge', 'PT1H']],
  );
  const orderV2 = model(
    'mig-order',
    [
      ['serviceTask', 'charge2', job('pay')],
      ['userTask', 'review'],
    ],
    [['late2', 'charge2', 'PT2H']],
  );
  let orderV1Key: string;
  let orderV2Key: string;

  beforeAll(async () => {
    orderV1Key = await deploy(orderV1);
    orderV2Key = await deploy(orderV2);
    expect(orderV2Key).not.toBe(orderV1Key);
  });

  it('v2: an instance waiting at a job moves to the new version; the job keeps its key and type, then the new flow runs', async () => {
    const id = await start('mig-order', {}, 1);
    await tokensAt(id, ['charge']);
    const [timerBefore] = await h.db.prisma.$queryRawUnsafe<{ key: string; dueAt: Date }[]>(
      `SELECT key, "dueAt" FROM "Timer" WHERE "instanceId" = $1::bigint`,
      id,
    );

    const r = await v2(`/process-instances/${id}/migration`, {
      targetProcessDefinitionKey: orderV2Key,
      mappingInstructions: [
        { sourceElementId: 'charge', targetElementId: 'charge2' },
        { sourceElementId: 'late', targetElementId: 'late2' },
      ],
    });
    expect(r.status).toBe(204);

    const instance = (await h.json('GET', `/instances/${id}`)).body;
    expect(instance).toMatchObject({ version: 2, definitionId: orderV2Key, status: 'ACTIVE' });
    expect(instance.tokens.map((t: { elementId: string }) => t.elementId)).toEqual(['charge2']);
    // The mapped boundary timer kept its row and due time under its new catch event.
    const timers = await h.db.prisma.$queryRawUnsafe<
      { key: string; elementId: string; dueAt: Date; state: string }[]
    >(`SELECT key, "elementId", "dueAt", state FROM "Timer" WHERE "instanceId" = $1::bigint`, id);
    expect(timers).toEqual([
      {
        key: timerBefore.key.replace(/:late$/, ':late2'),
        elementId: 'late2',
        dueAt: timerBefore.dueAt,
        state: 'SCHEDULED',
      },
    ]);
    const history = (await h.json('GET', `/instances/${id}/history?limit=100`)).body.items as {
      type: string;
      elementId: string;
    }[];
    expect(history.filter((e) => e.type === 'ELEMENT_MIGRATED').map((e) => e.elementId)).toEqual([
      'mig-order',
      'charge2',
    ]);
    // Camunda's element instance search shows the elements under their new ids, on the new definition.
    const search = await v2('/element-instances/search', { filter: { processInstanceKey: id } });
    const elements = (
      (await search.json()) as {
        items: { elementId: string; state: string; processDefinitionKey: string }[];
      }
    ).items;
    expect(
      elements
        .filter((e) => e.state === 'ACTIVE')
        .map((e) => [e.elementId, e.processDefinitionKey]),
    ).toEqual([
      ['mig-order', orderV2Key],
      ['charge2', orderV2Key],
    ]);

    // Zeebe keeps the job type: workers of 'charge' still get it, now on charge2.
    expect(await activate('pay')).toEqual([]);
    const [j] = await activate('charge');
    expect(j).toMatchObject({ instanceId: id, elementId: 'charge2', type: 'charge' });
    expect((await h.json('POST', `/jobs/${j.id}/complete`, { workerId: 'w' })).status).toBe(204);
    await tokensAt(id, ['review']);
    const tasks = (await h.json('GET', `/tasks?instanceId=${id}`)).body.items;
    expect(tasks.map((t: { elementId: string }) => t.elementId)).toEqual(['review']);
  });

  it('v1: a user task keeps its key and moves; completing it runs the new version', async () => {
    await deploy(model('mig-task', [['userTask', 'approve']]));
    const v2Key = await deploy(
      model('mig-task', [
        ['userTask', 'approve2'],
        ['serviceTask', 'notify', job('mig-notify')],
      ]),
    );
    const id = await start('mig-task', {}, 1);
    await tokensAt(id, ['approve']);
    const [task] = (await h.json('GET', `/tasks?instanceId=${id}`)).body.items;

    const r = await h.json('POST', `/instances/${id}/migration`, {
      targetDefinitionId: v2Key,
      mappings: [{ source: 'approve', target: 'approve2' }],
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      id,
      version: 2,
      tokens: [{ elementId: 'approve2', state: 'WAITING' }],
    });
    const [moved] = (await h.json('GET', `/tasks?instanceId=${id}`)).body.items;
    expect(moved).toMatchObject({ id: task.id, elementId: 'approve2' });

    expect((await h.json('POST', `/tasks/${task.id}/complete`, {})).status).toBe(200);
    await tokensAt(id, ['notify']);
    expect((await activate('mig-notify')).map((x) => x.elementId)).toEqual(['notify']);
  });

  it('a message subscription keeps its name and correlation key; the message then moves the migrated instance', async () => {
    await deploy(
      model('mig-msg', [
        ['receiveTask', 'await', ''],
        ['userTask', 'pack'],
      ]).replace(
        '<bpmn:receiveTask id="await">',
        '<bpmn:receiveTask id="await" messageRef="m_paid">',
      ),
    );
    const v2Key = await deploy(
      model('mig-msg', [
        ['receiveTask', 'awaitPayment', ''],
        ['userTask', 'ship'],
      ]).replace(
        '<bpmn:receiveTask id="awaitPayment">',
        '<bpmn:receiveTask id="awaitPayment" messageRef="m_paid">',
      ),
    );
    const id = await start('mig-msg', { orderId: 'o-17' }, 1);
    await tokensAt(id, ['await']);
    const r = await v2(`/process-instances/${id}/migration`, {
      targetProcessDefinitionKey: v2Key,
      mappingInstructions: [{ sourceElementId: 'await', targetElementId: 'awaitPayment' }],
    });
    expect(r.status).toBe(204);
    const subs = await h.db.prisma.$queryRawUnsafe<
      { elementId: string; messageName: string; correlationKey: string }[]
    >(
      `SELECT "elementId", "messageName", "correlationKey" FROM "MessageSubscription" WHERE "instanceId" = $1::bigint`,
      id,
    );
    expect(subs).toEqual([
      { elementId: 'awaitPayment', messageName: 'paid', correlationKey: 'o-17' },
    ]);

    const published = await h.json('POST', '/messages', { name: 'paid', correlationKey: 'o-17' });
    expect(published.body.correlated).toEqual([id]);
    await tokensAt(id, ['ship']);
  });

  it('a timer catch event keeps its due time under its new id and fires on the new version', async () => {
    await deploy(model('mig-wait', [['intermediateCatchEvent', 'wait', timer('PT1H')]]));
    const v2Key = await deploy(
      model('mig-wait', [
        ['intermediateCatchEvent', 'pause', timer('PT5H')],
        ['userTask', 'afterPause'],
      ]),
    );
    const id = await start('mig-wait', {}, 1);
    await tokensAt(id, ['wait']);
    const [before] = await h.db.prisma.$queryRawUnsafe<{ dueAt: Date }[]>(
      `SELECT "dueAt" FROM "Timer" WHERE "instanceId" = $1::bigint`,
      id,
    );

    const r = await h.json('POST', `/instances/${id}/migration`, {
      targetDefinitionId: v2Key,
      mappings: [{ source: 'wait', target: 'pause' }],
    });
    expect(r.status).toBe(200);
    const [after] = await h.db.prisma.$queryRawUnsafe<{ elementId: string; dueAt: Date }[]>(
      `SELECT "elementId", "dueAt" FROM "Timer" WHERE "instanceId" = $1::bigint`,
      id,
    );
    expect(after).toEqual({ elementId: 'pause', dueAt: before.dueAt });

    await h.db.prisma.$executeRawUnsafe(
      `UPDATE "Timer" SET "dueAt" = now() - interval '1 second' WHERE "instanceId" = $1::bigint`,
      id,
    );
    expect(await h.app.get(TimerService).fireDue()).toBe(1);
    await tokensAt(id, ['afterPause']);
  });

  it('an incident stays attached to the migrated element; resolving it hands the job out again on the new version', async () => {
    const id = await start('mig-order', {}, 1);
    await tokensAt(id, ['charge']);
    const [j] = (await activate('charge')).filter((x) => x.instanceId === id);
    expect(
      (
        await h.json('POST', `/jobs/${j.id}/fail`, {
          workerId: 'w',
          errorMessage: 'card declined',
          retries: 0,
        })
      ).status,
    ).toBe(204);
    const [incident] = await until(
      async () =>
        (await h.json('GET', `/incidents?instanceId=${id}`)).body.items as {
          id: string;
          elementId: string;
          jobId: string;
        }[],
      (items) => items.length === 1,
      'the job incident',
    );
    expect(incident).toMatchObject({ elementId: 'charge', jobId: j.id });

    const r = await h.json('POST', `/instances/${id}/migration`, {
      targetDefinitionId: orderV2Key,
      mappings: [{ source: 'charge', target: 'charge2' }],
    });
    expect(r.status).toBe(200);
    expect((await h.json('GET', `/incidents?instanceId=${id}`)).body.items).toEqual([
      expect.objectContaining({ id: incident.id, elementId: 'charge2', jobId: j.id }),
    ]);
    expect(r.body.incidents).toEqual([
      expect.objectContaining({ id: incident.id, elementId: 'charge2' }),
    ]);

    expect((await h.json('POST', `/incidents/${incident.id}/resolve`, {})).status).toBe(200);
    const [again] = (await activate('charge')).filter((x) => x.instanceId === id);
    expect(again).toMatchObject({ id: j.id, elementId: 'charge2' });
    expect((await h.json('POST', `/jobs/${again.id}/complete`, { workerId: 'w' })).status).toBe(
      204,
    );
    await tokensAt(id, ['review']);
  });

  it('a refused migration answers 400 naming the element and changes nothing', async () => {
    const id = await start('mig-order', {}, 1);
    await tokensAt(id, ['charge']);
    const before = (await h.json('GET', `/instances/${id}`)).body;
    const timersBefore = await h.db.prisma.$queryRawUnsafe<unknown[]>(
      `SELECT key, "elementId", "dueAt" FROM "Timer" WHERE "instanceId" = $1::bigint`,
      id,
    );

    const typeChanged = await v2(`/process-instances/${id}/migration`, {
      targetProcessDefinitionKey: orderV2Key,
      mappingInstructions: [{ sourceElementId: 'charge', targetElementId: 'review' }],
    });
    expect(typeChanged.status).toBe(400);
    const problem = (await typeChanged.json()) as { title: string; detail: string };
    expect(problem.title).toBe('INVALID_ARGUMENT');
    expect(problem.detail).toContain(
      "the active element 'charge' of type 'serviceTask' is mapped to 'review' of different type 'userTask'",
    );

    const unmapped = await h.json('POST', `/instances/${id}/migration`, {
      targetDefinitionId: orderV2Key,
      mappings: [],
    });
    expect(unmapped.status).toBe(400);
    expect(unmapped.body.detail).toContain(
      "no mapping instruction for the active element(s) 'charge'",
    );
    expect(unmapped.body.errors).toEqual([expect.objectContaining({ elementId: 'charge' })]);

    const unknownTarget = await v2(`/process-instances/${id}/migration`, {
      targetProcessDefinitionKey: '4242424242',
      mappingInstructions: [],
    });
    expect(unknownTarget.status).toBe(404);

    expect((await h.json('GET', `/instances/${id}`)).body).toEqual(before);
    expect(
      await h.db.prisma.$queryRawUnsafe<unknown[]>(
        `SELECT key, "elementId", "dueAt" FROM "Timer" WHERE "instanceId" = $1::bigint`,
        id,
      ),
    ).toEqual(timersBefore);
    const history = (await h.json('GET', `/instances/${id}/history?limit=100`)).body.items as {
      type: string;
    }[];
    expect(history.some((e) => e.type === 'ELEMENT_MIGRATED')).toBe(false);
    const [j] = await activate('charge');
    expect(j).toMatchObject({ instanceId: id, elementId: 'charge' });
    expect((await h.json('POST', `/jobs/${j.id}/complete`, { workerId: 'w' })).status).toBe(204);
    await tokensAt(id, ['audit']);
  });

  it('v2 batch: migrates the instances a filter matches; an instance it refuses is a failed item with the reason', async () => {
    const v1Key = await deploy(
      model('mig-batch', [
        ['serviceTask', 'charge', job('batch-charge')],
        ['userTask', 'audit'],
      ]),
    );
    const v2Key = await deploy(
      model('mig-batch', [
        ['serviceTask', 'charge2', job('batch-pay')],
        ['userTask', 'review'],
      ]),
    );
    const ids = [
      await start('mig-batch', {}, 1),
      await start('mig-batch', {}, 1),
      await start('mig-batch', {}, 1),
      await start('mig-batch', {}, 1),
    ];
    for (const id of ids) await tokensAt(id, ['charge']);
    // One instance moves on to 'audit', which the plan does not map.
    const [first] = (await activate('batch-charge')).filter((x) => x.instanceId === ids[3]);
    await h.json('POST', `/jobs/${first.id}/complete`, { workerId: 'w' });
    await tokensAt(ids[3], ['audit']);

    const r = await v2('/process-instances/migration', {
      filter: { processDefinitionKey: v1Key },
      migrationPlan: {
        targetProcessDefinitionKey: v2Key,
        mappingInstructions: [{ sourceElementId: 'charge', targetElementId: 'charge2' }],
      },
    });
    expect(r.status).toBe(200);
    const created = (await r.json()) as { batchOperationKey: string; batchOperationType: string };
    expect(created.batchOperationType).toBe('MIGRATE_PROCESS_INSTANCE');

    const batch = await until(
      async () => (await h.json('GET', `/batches/${created.batchOperationKey}`)).body,
      (b) => b.state !== 'ACTIVE',
      'the migration batch to end',
      20_000,
    );
    expect(batch).toMatchObject({
      type: 'MIGRATE_PROCESS_INSTANCE',
      state: 'PARTIALLY_COMPLETED',
      total: 4,
      completed: 3,
      failed: 1,
    });
    const failed = (await h.json('GET', `/batches/${created.batchOperationKey}/items?state=FAILED`))
      .body.items;
    expect(failed).toEqual([expect.objectContaining({ itemKey: ids[3], state: 'FAILED' })]);
    expect(failed[0].error).toContain("no mapping instruction for the active element(s) 'audit'");

    for (const id of ids.slice(0, 3)) {
      expect((await h.json('GET', `/instances/${id}`)).body).toMatchObject({
        version: 2,
        tokens: [{ elementId: 'charge2' }],
      });
    }
    expect((await h.json('GET', `/instances/${ids[3]}`)).body).toMatchObject({
      version: 1,
      tokens: [{ elementId: 'audit' }],
    });
  });
});

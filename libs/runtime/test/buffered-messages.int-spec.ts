import { CorrelationService, InstanceService, VariableLimits } from '../src';
import { big, bpmn, harness, testKeys, type Harness } from './runtime-harness';

const limits = new VariableLimits({ maxVariableSize: 1024, maxTotalVariables: 4096 });

/**
 * Buffered messages (kept for their TTL, delivered to the first
 * matching subscription that opens) where several subscriptions of one
 * owner open at once, and on resume of a suspended instance.
 */
describe('buffered messages (Postgres)', () => {
  let h: Harness;
  let correlation: CorrelationService;
  let instances: InstanceService;

  beforeAll(async () => {
    h = await harness('buffered');
    correlation = new CorrelationService(h.runtime, h.registry, h.announcer, limits, testKeys);
    instances = new InstanceService(h.runtime, h.registry, h.starter, h.unitOfWork, limits);
    await h.registry.deploy(bpmn('libs/runtime/test/fixtures/event-based-messages.bpmn'));
  });
  afterAll(() => h.close());

  async function start(key: string): Promise<string> {
    const definition = await h.registry.byProcessId('event-based-messages');
    const { id } = await h.starter.start({ definition: definition!, variables: { key } });
    return id;
  }
  const buffered = (key: string) => h.db.prisma.bufferedMessage.findMany({ where: { correlationKey: key }, select: { name: true } });
  const endOf = async (id: string) =>
    (
      await h.db.prisma.$queryRawUnsafe<{ elementId: string }[]>(
        `SELECT "elementId" FROM "HistoryEvent" WHERE "instanceId" = $1::bigint AND left("elementId", 4) = 'end_' AND type = 'ELEMENT_COMPLETED' ORDER BY id`,
        id,
      )
    ).map((e) => e.elementId);

  it('an event-based gateway takes one of two buffered messages; the other stays buffered for the next instance', async () => {
    await correlation.publishMessage({ name: 'accepted', correlationKey: 'K1', timeToLiveMs: 60_000 });
    await correlation.publishMessage({ name: 'rejected', correlationKey: 'K1', timeToLiveMs: 60_000 });
    const first = await start('K1');
    await h.drain();
    expect(await endOf(first)).toEqual(['end_accepted']);
    expect(await buffered('K1')).toEqual([{ name: 'rejected' }]);

    const second = await start('K1');
    await h.drain();
    expect(await endOf(second)).toEqual(['end_rejected']);
    expect(await buffered('K1')).toEqual([]);
  });

  it('on resume, the subscriptions of a suspended instance take the messages buffered meanwhile, one per gateway', async () => {
    const id = await start('K2');
    await h.drain();
    await instances.suspend(id);
    for (const name of ['rejected', 'accepted']) {
      expect(await correlation.publishMessage({ name, correlationKey: 'K2', timeToLiveMs: 60_000 })).toMatchObject({
        correlated: [],
        started: [],
        buffered: true,
      });
    }
    await h.drain();
    expect((await h.db.prisma.processInstance.findUniqueOrThrow({ where: { id: big(id) } })).status).toBe('SUSPENDED');

    expect((await instances.resume(id)).value.status).toBe('ACTIVE');
    expect(h.publisher.items).toContain(id);
    await h.drain();
    expect((await h.db.prisma.processInstance.findUniqueOrThrow({ where: { id: big(id) } })).status).toBe('COMPLETED');
    // Subscriptions in creation order: `accepted` opened first, so it takes its message; `rejected` keeps its own.
    expect(await endOf(id)).toEqual(['end_accepted']);
    expect(await buffered('K2')).toEqual([{ name: 'rejected' }]);
    expect(await h.db.prisma.messageSubscription.count({ where: { instanceId: big(id) } })).toBe(0);
  });

  it('a message published while the step that opens its subscription runs is delivered once, whichever commits first', async () => {
    // Forty instances, not yet stepped; their messages are published while a batch of steps opens the
    // subscriptions. Neither transaction sees the other's row: each publish finds no subscription and
    // buffers, the batch looked in the buffer before the message was there.
    const keys = Array.from({ length: 40 }, (_, i) => `race-${i}`);
    const ids: string[] = [];
    for (const key of keys) ids.push(await start(key));
    const results = await Promise.all([
      h.drain(),
      ...keys.map(async (key, i) => {
        await new Promise((resolve) => setTimeout(resolve, (i % 8) * 2));
        return correlation.publishMessage({ name: 'accepted', correlationKey: key, timeToLiveMs: 60_000 });
      }),
    ]);
    await h.drain();

    for (const [i, id] of ids.entries()) expect([keys[i], await endOf(id)]).toEqual([keys[i], ['end_accepted']]);
    expect(await h.db.prisma.bufferedMessage.count({ where: { correlationKey: { startsWith: 'race-' } } })).toBe(0);
    // A publish that delivered late says so: correlated, not buffered.
    for (const r of results.slice(1) as { correlated: string[]; buffered: boolean }[]) expect(r.buffered).toBe(r.correlated.length === 0);
  });

  it('resume with nothing buffered publishes nothing new and leaves the subscriptions open', async () => {
    const id = await start('K3');
    await h.drain();
    await instances.suspend(id);
    await instances.resume(id);
    // The resumed instance is announced (work may wait in its inbox); a worker finds nothing to do.
    expect(h.publisher.take()).toEqual([id]);
    await h.unitOfWork.runBatch([id]);
    expect(h.publisher.items).toEqual([]);
    expect(await h.db.prisma.messageSubscription.count({ where: { instanceId: big(id) } })).toBe(2);
    expect((await correlation.publishMessage({ name: 'rejected', correlationKey: 'K3' })).correlated).toEqual([id]);
    await h.drain();
    expect(await endOf(id)).toEqual(['end_rejected']);
  });
});

import { TimerService } from '@baton/runtime';
import { fixture, repoFile, startApi, xmlPost, type ApiHarness } from './api-harness';

const PROBLEM = /^application\/problem\+json/;
const LIMITS = { MAX_VARIABLE_SIZE: '1024', MAX_TOTAL_VARIABLES: '4096' };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('messages, signals and suspension over HTTP', () => {
  let h: ApiHarness;

  beforeAll(async () => {
    h = await startApi('api_msgs', LIMITS);
    for (const xml of [
      fixture('events/message-catch.bpmn'),
      fixture('events/message-start.bpmn'),
      fixture('events/signal.bpmn'),
      repoFile('apps/api/test/fixtures/signal-start.bpmn'),
      repoFile('libs/runtime/test/fixtures/short-timer.bpmn'),
    ]) {
      expect((await h.api('/processes', xmlPost(xml))).status).toBe(201);
    }
  }, 60_000);
  afterAll(() => h?.close());

  async function start(key: string, variables: Record<string, unknown> = {}): Promise<string> {
    const r = await h.json('POST', `/processes/${key}/instances`, { variables });
    expect(r.status).toBe(201);
    await h.drain();
    return r.body.id;
  }
  const instance = async (id: string) => (await h.json('GET', `/instances/${id}`)).body;
  const publish = (body: Record<string, unknown>) => h.json('POST', '/messages', body);
  /** Waiting at the message catch event, its subscription open. */
  const waitingForPayment = async (id: string) =>
    expect(await instance(id)).toMatchObject({ status: 'ACTIVE', tokens: [{ elementId: 'wait_payment', state: 'WAITING' }] });

  describe('POST /messages', () => {
    it('correlates by name and correlation key and moves the instance on with the variables', async () => {
      const id = await start('message-catch', { orderId: 'K-1' });
      const other = await start('message-catch', { orderId: 'K-2' });
      const r = await publish({ name: 'payment', correlationKey: 'K-1', variables: { amount: 12 } });
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ messageKey: expect.any(String), correlated: [id], started: [], buffered: false });
      await h.drain();
      expect(await instance(id)).toMatchObject({ status: 'COMPLETED', variables: { orderId: 'K-1', amount: 12 } });
      await waitingForPayment(other);
      expect((await publish({ name: 'payment', correlationKey: 'K-1' })).body).toEqual({ messageKey: expect.any(String), correlated: [], started: [], buffered: false });
      expect((await publish({ name: 'payment', correlationKey: 'K-2' })).body.correlated).toEqual([other]);
    });

    it('starts an instance from a message start event', async () => {
      const r = await publish({ name: 'order-placed', variables: { order: 7 } });
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ messageKey: expect.any(String), correlated: [], started: [expect.any(String)], buffered: false });
      await h.drain();
      expect(await instance(r.body.started[0])).toMatchObject({ processKey: 'message-start', status: 'COMPLETED', variables: { order: 7 } });
    });

    it('a message sent before the subscription opens is delivered within its TTL; its messageId is taken meanwhile', async () => {
      const sent = await publish({ name: 'payment', correlationKey: 'EARLY', timeToLiveMs: 60_000, messageId: 'pay-early', variables: { via: 'buffer' } });
      expect(sent.body).toEqual({ messageKey: expect.any(String), correlated: [], started: [], buffered: true });
      const duplicate = await publish({ name: 'payment', correlationKey: 'EARLY', timeToLiveMs: 60_000, messageId: 'pay-early' });
      expect(duplicate.status).toBe(409);
      expect(duplicate.headers.get('content-type')).toMatch(PROBLEM);
      expect(duplicate.body.detail).toContain("'pay-early'");

      const id = await start('message-catch', { orderId: 'EARLY' });
      await h.drain();
      expect(await instance(id)).toMatchObject({ status: 'COMPLETED', variables: { orderId: 'EARLY', via: 'buffer' } });
      // Consumed: a second instance waits, and the id is free again.
      const second = await start('message-catch', { orderId: 'EARLY' });
      await waitingForPayment(second);
      expect((await publish({ name: 'payment', correlationKey: 'EARLY', messageId: 'pay-early' })).body.correlated).toEqual([second]);
    });

    it('and is not delivered after its TTL', async () => {
      expect((await publish({ name: 'payment', correlationKey: 'STALE', timeToLiveMs: 150, messageId: 'pay-stale' })).body.buffered).toBe(true);
      await sleep(300);
      const id = await start('message-catch', { orderId: 'STALE' });
      await h.drain();
      await waitingForPayment(id);
      // The expired message no longer holds its id either.
      expect((await publish({ name: 'payment', correlationKey: 'NOBODY', timeToLiveMs: 1000, messageId: 'pay-stale' })).status).toBe(200);
    });

    it('400 naming bad fields; 422 for variables over the limits (nothing buffered)', async () => {
      for (const [body, fields] of [
        [{}, ['name']],
        [{ name: '', timeToLiveMs: -1 }, ['name', 'timeToLiveMs']],
        [{ name: 'm', correlationKey: 5, variables: 'x', messageId: '' }, ['correlationKey', 'variables', 'messageId']],
        [{ name: 'm', ttl: 5 }, ['ttl']],
      ] as const) {
        const r = await publish(body);
        expect(r.status).toBe(400);
        expect(r.headers.get('content-type')).toMatch(PROBLEM);
        expect(r.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([...fields].sort());
      }
      const big = await publish({ name: 'payment', correlationKey: 'BIG', timeToLiveMs: 60_000, variables: { blob: 'x'.repeat(2000) } });
      expect(big.status).toBe(422);
      expect(big.body.errors).toEqual([{ variable: 'blob', message: expect.any(String) }]);
      expect(await h.db.prisma.bufferedMessage.count({ where: { correlationKey: 'BIG' } })).toBe(0);
    });
  });

  describe('POST /signals', () => {
    it('reaches every waiting instance and starts one per signal start event; suspended instances are skipped', async () => {
      const waiting = [await start('signal'), await start('signal')];
      const suspended = await start('signal');
      expect((await h.json('POST', `/instances/${suspended}/suspend`)).status).toBe(200);
      const r = await h.json('POST', '/signals', { name: 'go-ahead', variables: { go: true } });
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ signalKey: expect.any(String), triggered: 3 });
      await h.drain();
      for (const id of waiting) expect(await instance(id)).toMatchObject({ status: 'COMPLETED', variables: { go: true } });
      expect((await instance(suspended)).status).toBe('SUSPENDED');
      const started = await h.json('GET', '/instances?processKey=signal-start');
      expect(started.body.items).toHaveLength(1);
      expect(await instance(started.body.items[0].id)).toMatchObject({
        status: 'ACTIVE',
        variables: { go: true },
        tokens: [{ elementId: 'follow_up', state: 'WAITING' }],
      });
      expect((await h.json('POST', '/signals', { name: 'nobody-listens' })).body).toEqual({ signalKey: expect.any(String), triggered: 0 });
    });

    it('400 naming bad fields; 422 over the limits', async () => {
      const bad = await h.json('POST', '/signals', { variables: [] });
      expect(bad.status).toBe(400);
      expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['name', 'variables']);
      const big = await h.json('POST', '/signals', { name: 'go-ahead', variables: { blob: 'x'.repeat(2000) } });
      expect(big.status).toBe(422);
      expect(big.body.errors[0].variable).toBe('blob');
    });
  });

  describe('suspended instances', () => {
    it('a message with a TTL skips a suspended instance, is buffered, and is delivered after resume', async () => {
      const id = await start('message-catch', { orderId: 'SUSP-1' });
      expect((await h.json('POST', `/instances/${id}/suspend`)).status).toBe(200);
      const r = await publish({ name: 'payment', correlationKey: 'SUSP-1', timeToLiveMs: 60_000, variables: { paid: true } });
      expect(r.body).toEqual({ messageKey: expect.any(String), correlated: [], started: [], buffered: true });
      await h.drain();
      expect((await instance(id)).status).toBe('SUSPENDED');

      const resumed = await h.json('POST', `/instances/${id}/resume`);
      expect(resumed.status).toBe(200);
      expect(resumed.body.status).toBe('ACTIVE');
      await h.drain();
      expect(await instance(id)).toMatchObject({ status: 'COMPLETED', variables: { orderId: 'SUSP-1', paid: true } });
      expect(await h.db.prisma.bufferedMessage.count({ where: { correlationKey: 'SUSP-1' } })).toBe(0);
    });

    it('without a TTL, or once the TTL ran out, nothing is delivered after resume', async () => {
      const plain = await start('message-catch', { orderId: 'SUSP-2' });
      const late = await start('message-catch', { orderId: 'SUSP-3' });
      for (const id of [plain, late]) expect((await h.json('POST', `/instances/${id}/suspend`)).status).toBe(200);
      expect((await publish({ name: 'payment', correlationKey: 'SUSP-2' })).body).toEqual({ messageKey: expect.any(String), correlated: [], started: [], buffered: false });
      expect((await publish({ name: 'payment', correlationKey: 'SUSP-3', timeToLiveMs: 150 })).body.buffered).toBe(true);
      await sleep(300);
      for (const id of [plain, late]) expect((await h.json('POST', `/instances/${id}/resume`)).status).toBe(200);
      await h.drain();
      for (const id of [plain, late]) await waitingForPayment(id);
    });

    it('a timer that falls due while suspended fires on the first poll after resume', async () => {
      const timers = h.app.get(TimerService);
      const id = await start('short-timer', { wait: 'PT0.2S' });
      expect((await h.json('POST', `/instances/${id}/suspend`)).status).toBe(200);
      await sleep(300);
      expect(await timers.fireDue()).toBe(0);
      await h.drain();
      expect(await instance(id)).toMatchObject({ status: 'SUSPENDED', tokens: [{ elementId: 'wait', state: 'WAITING' }] });

      expect((await h.json('POST', `/instances/${id}/resume`)).status).toBe(200);
      expect(await timers.fireDue()).toBe(1);
      await h.drain();
      expect((await instance(id)).status).toBe('COMPLETED');
      const history = await h.json('GET', `/instances/${id}/history?limit=1000`);
      expect(history.body.items.filter((e: { type: string; elementId: string }) => e.elementId === 'wait' && e.type === 'ELEMENT_COMPLETED')).toHaveLength(1);
    });
  });
});

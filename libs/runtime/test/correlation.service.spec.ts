import { RuntimeErrorCode, type Key } from '../src';
import { engineFixture, fixture, RuntimeKit } from './fakes';

const MESSAGE_CATCH = engineFixture('events/message-catch.bpmn');
const MESSAGE_START = engineFixture('events/message-start.bpmn');
const EVENT_BASED = fixture('libs/runtime/test/fixtures/event-based-messages.bpmn');
const SIGNAL = engineFixture('events/signal.bpmn');
const SIGNAL_START = fixture('apps/api/test/fixtures/signal-start.bpmn');

async function waiting(kit: RuntimeKit, processId: string, variables: Record<string, unknown>, tenantId?: string): Promise<Key> {
  return kit.startAndRun(processId, variables, tenantId);
}

describe('CorrelationService', () => {
  describe('publishMessage', () => {
    it('moves the waiting subscription with the name and correlation key, with the message variables', async () => {
      const kit = new RuntimeKit();
      await kit.deploy(MESSAGE_CATCH);
      const id = await waiting(kit, 'message-catch', { orderId: 'o-1' });
      const other = await waiting(kit, 'message-catch', { orderId: 'o-2' });

      const result = await kit.correlation.publishMessage({ name: 'payment', correlationKey: 'o-1', variables: { paid: 10 } });

      expect(result).toEqual({ messageKey: expect.any(String), correlated: [id], started: [], buffered: false });
      expect(kit.store.rows('messageSubscriptions').map((s) => s.instanceId)).toEqual([other]);
      await kit.drain();
      expect(await kit.instances.get(id)).toMatchObject({ status: 'COMPLETED', variables: { orderId: 'o-1', paid: 10 } });
      expect((await kit.instances.get(other)).status).toBe('ACTIVE');
    });

    it('reaches at most one instance per process id', async () => {
      const kit = new RuntimeKit();
      await kit.deploy(MESSAGE_CATCH);
      const first = await waiting(kit, 'message-catch', { orderId: 'same' });
      const second = await waiting(kit, 'message-catch', { orderId: 'same' });

      expect((await kit.correlation.publishMessage({ name: 'payment', correlationKey: 'same' })).correlated).toEqual([first]);
      expect((await kit.correlation.publishMessage({ name: 'payment', correlationKey: 'same' })).correlated).toEqual([second]);
      expect((await kit.correlation.publishMessage({ name: 'payment', correlationKey: 'same' })).correlated).toEqual([]);
    });

    it('moves an event-based gateway once, however many of its messages arrive', async () => {
      const kit = new RuntimeKit();
      await kit.deploy(EVENT_BASED);
      const id = await waiting(kit, 'event-based-messages', { key: 'k' });

      await kit.correlation.publishMessage({ name: 'accepted', correlationKey: 'k' });
      await kit.correlation.publishMessage({ name: 'rejected', correlationKey: 'k' });
      await kit.drain();

      const trail = await kit.trail(id);
      expect(trail).toContain('end_accepted:ELEMENT_COMPLETED');
      expect(trail).not.toContain('end_rejected:ELEMENT_COMPLETED');
      expect(kit.store.rows('messageSubscriptions')).toEqual([]);
    });

    it('a message for a gateway another message already triggered is not taken by its dead sibling subscription', async () => {
      // publishMessage consumes only the matched subscription; the event-based gateway's other
      // subscription stays until a worker steps the instance, so a second message matches it, is
      // answered `correlated: [id]` and then ignored by the engine (the gateway has moved on): the
      // message is lost even with a TTL. Wanted: not correlated, buffered for the next subscriber.
      const kit = new RuntimeKit();
      await kit.deploy(EVENT_BASED);
      await waiting(kit, 'event-based-messages', { key: 'k' });
      await kit.correlation.publishMessage({ name: 'accepted', correlationKey: 'k' });

      const second = await kit.correlation.publishMessage({ name: 'rejected', correlationKey: 'k', timeToLiveMs: 60_000 });

      expect(second).toMatchObject({ correlated: [], buffered: true });
    });

    it('drops an unmatched message without a TTL', async () => {
      const kit = new RuntimeKit();
      await kit.deploy(MESSAGE_CATCH);

      expect(await kit.correlation.publishMessage({ name: 'payment', correlationKey: 'o-1' })).toMatchObject({ correlated: [], buffered: false });
      const id = await waiting(kit, 'message-catch', { orderId: 'o-1' });
      expect((await kit.instances.get(id)).status).toBe('ACTIVE');
    });

    it('buffers an unmatched message with a TTL for the first subscription that opens before it expires', async () => {
      const kit = new RuntimeKit();
      await kit.deploy(MESSAGE_CATCH);

      expect(await kit.correlation.publishMessage({ name: 'payment', correlationKey: 'o-1', variables: { paid: 1 }, timeToLiveMs: 60_000 })).toMatchObject({
        buffered: true,
      });
      kit.clock.advance(59_999);
      const id = await waiting(kit, 'message-catch', { orderId: 'o-1' });
      const late = await waiting(kit, 'message-catch', { orderId: 'o-1' });

      expect(await kit.instances.get(id)).toMatchObject({ status: 'COMPLETED', variables: { paid: 1 } });
      expect((await kit.instances.get(late)).status).toBe('ACTIVE');
      expect(kit.store.rows('bufferedMessages')).toEqual([]);
    });

    it('does not deliver a buffered message after its TTL', async () => {
      const kit = new RuntimeKit();
      await kit.deploy(MESSAGE_CATCH);
      await kit.correlation.publishMessage({ name: 'payment', correlationKey: 'o-1', timeToLiveMs: 1000 });

      kit.clock.advance(1000);
      const id = await waiting(kit, 'message-catch', { orderId: 'o-1' });

      expect((await kit.instances.get(id)).status).toBe('ACTIVE');
    });

    it('refuses a messageId that is already buffered with 409, and accepts it again once that one expired', async () => {
      const kit = new RuntimeKit();
      await kit.deploy(MESSAGE_CATCH);
      await kit.correlation.publishMessage({ name: 'payment', correlationKey: 'a', messageId: 'm-1', timeToLiveMs: 1000 });

      await expect(kit.correlation.publishMessage({ name: 'payment', correlationKey: 'b', messageId: 'm-1', timeToLiveMs: 1000 })).rejects.toMatchObject({
        code: RuntimeErrorCode.Conflict,
        message: expect.stringContaining("'m-1'"),
      });
      // Another tenant has its own ids.
      await expect(kit.correlation.publishMessage({ name: 'payment', correlationKey: 'b', messageId: 'm-1', timeToLiveMs: 1000, tenantId: 't' })).resolves.toMatchObject({
        buffered: true,
      });
      kit.clock.advance(1000);
      await expect(kit.correlation.publishMessage({ name: 'payment', correlationKey: 'c', messageId: 'm-1', timeToLiveMs: 1000 })).resolves.toMatchObject({
        buffered: true,
      });
      const id = await waiting(kit, 'message-catch', { orderId: 'c' });
      expect((await kit.instances.get(id)).status).toBe('COMPLETED');
    });

    it('starts an instance from a message start event of the latest version', async () => {
      const kit = new RuntimeKit();
      await kit.deploy(MESSAGE_START);
      await kit.deploy(MESSAGE_START.replace('name="Handle order"', 'name="Handle the order"'));

      const result = await kit.correlation.publishMessage({ name: 'order-placed', variables: { item: 'book' } });
      await kit.drain();

      expect(result).toMatchObject({ correlated: [], buffered: false, started: [expect.any(String)] });
      const instance = await kit.instances.get(result.started[0]);
      expect(instance).toMatchObject({ version: 2, status: 'COMPLETED', variables: { item: 'book' } });
      expect(await kit.trail(instance.id)).toContain('start_order:ELEMENT_COMPLETED');
      expect(kit.observer.started).toContain('message-start');
    });

    it('skips suspended instances, buffers the message, and the instance takes it when resumed', async () => {
      const kit = new RuntimeKit();
      await kit.deploy(MESSAGE_CATCH);
      const id = await waiting(kit, 'message-catch', { orderId: 'o-1' });
      await kit.instances.suspend(id);

      expect(await kit.correlation.publishMessage({ name: 'payment', correlationKey: 'o-1', timeToLiveMs: 60_000 })).toMatchObject({
        correlated: [],
        buffered: true,
      });
      await kit.instances.resume(id);
      await kit.drain();

      expect((await kit.instances.get(id)).status).toBe('COMPLETED');
    });

    it('never crosses tenants', async () => {
      const kit = new RuntimeKit();
      await kit.deploy(MESSAGE_CATCH, 'tenant-a');
      await kit.deploy(MESSAGE_CATCH, 'tenant-b');
      const a = await waiting(kit, 'message-catch', { orderId: 'o-1' }, 'tenant-a');
      const b = await waiting(kit, 'message-catch', { orderId: 'o-1' }, 'tenant-b');

      expect((await kit.correlation.publishMessage({ name: 'payment', correlationKey: 'o-1' })).correlated).toEqual([]);
      expect((await kit.correlation.publishMessage({ name: 'payment', correlationKey: 'o-1', tenantId: 'tenant-b' })).correlated).toEqual([b]);
      await kit.drain();
      expect((await kit.instances.get(a)).status).toBe('ACTIVE');
      expect((await kit.instances.get(b)).status).toBe('COMPLETED');
    });

    it('refuses variables over the limits and changes nothing', async () => {
      const kit = new RuntimeKit({ limits: { maxVariableSize: 50, maxTotalVariables: 100 } });
      await kit.deploy(MESSAGE_CATCH);
      await waiting(kit, 'message-catch', { orderId: 'o-1', note: 'n'.repeat(40) });

      await expect(
        kit.correlation.publishMessage({ name: 'payment', correlationKey: 'o-1', variables: { a: 'a'.repeat(40), b: 'b'.repeat(30) } }),
      ).rejects.toMatchObject({ code: RuntimeErrorCode.Unprocessable, errors: [{ variable: 'a' }] });
      expect(kit.store.rows('messageSubscriptions')).toHaveLength(1);
      expect(kit.store.rows('inbox')).toEqual([]);
    });
  });

  describe('broadcastSignal', () => {
    it('reaches every waiting subscription and every signal start event of the tenant', async () => {
      const kit = new RuntimeKit();
      await kit.deploy(SIGNAL);
      await kit.deploy(SIGNAL_START);
      await kit.deploy(SIGNAL, 'tenant-x');
      const a = await waiting(kit, 'signal', {});
      const b = await waiting(kit, 'signal', {});
      const elsewhere = await waiting(kit, 'signal', {}, 'tenant-x');

      const result = await kit.correlation.broadcastSignal('go-ahead', { go: true });
      await kit.drain();

      expect(result).toEqual({ signalKey: expect.any(String), triggered: 3 });
      for (const id of [a, b]) expect(await kit.instances.get(id)).toMatchObject({ status: 'COMPLETED', variables: { go: true } });
      expect((await kit.instances.get(elsewhere)).status).toBe('ACTIVE');
      const started = kit.store.rows('instances').filter((r) => r.bpmnProcessId === 'signal-start');
      expect(started.map((r) => r.variables)).toEqual([{ go: true }]);
      expect(kit.store.rows('jobs').map((j) => [j.type, j.instanceId])).toEqual([['follow-up', started[0].id]]);
    });

    it('passes suspended instances by', async () => {
      const kit = new RuntimeKit();
      await kit.deploy(SIGNAL);
      const id = await waiting(kit, 'signal', {});
      await kit.instances.suspend(id);

      expect((await kit.correlation.broadcastSignal('go-ahead')).triggered).toBe(0);
      await kit.instances.resume(id);
      await kit.drain();
      expect((await kit.instances.get(id)).status).toBe('ACTIVE');
    });
  });
});

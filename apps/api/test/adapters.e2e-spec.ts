import { randomBytes } from 'node:crypto';
import * as amqp from 'amqplib';
import { Redis } from 'ioredis';
import { cacheKeyPrefix } from '@baton/host';
import { loadSettings } from '@baton/config';
import { fixture, repoFile, startApi, xmlPost, type ApiHarness } from './api-harness';

const RABBITMQ_URL = 'amqp://guest:guest@127.0.0.1:5672';
const REDIS_URL = 'redis://127.0.0.1:6379';

/** The same API on the distributed adapters: RabbitMQ carries the work, Redis caches definitions. */
describe('the API on RabbitMQ and Redis', () => {
  const queue = `baton.api-e2e.${randomBytes(4).toString('hex')}`;
  let h: ApiHarness;
  let stopWorker: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    h = await startApi('api_adapters', { RABBITMQ_URL, REDIS_URL, WORK_QUEUE: queue });
    stopWorker = await h.worker();
  }, 60_000);

  afterAll(async () => {
    const prefix = h === undefined ? undefined : cacheKeyPrefix(loadSettings({ DATABASE_URL: h.db.url }));
    await stopWorker?.();
    await h?.close();
    const connection = await amqp.connect(RABBITMQ_URL);
    try {
      const channel = await connection.createChannel();
      await channel.deleteQueue(queue);
    } finally {
      await connection.close();
    }
    if (prefix !== undefined) {
      const redis = new Redis(REDIS_URL);
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    }
  });

  const until = async <T>(probe: () => Promise<T>, done: (value: T) => boolean): Promise<T> => {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const value = await probe();
      if (done(value) || Date.now() > deadline) return value;
      await new Promise((r) => setTimeout(r, 25));
    }
  };

  it('starts instances that a worker on the queue runs to the end, caching definitions in Redis under the database namespace', async () => {
    expect((await h.api('/processes', xmlPost(repoFile('bench/processes/r1-exclusive-script.bpmn')))).status).toBe(201);
    const started = await Promise.all(
      Array.from({ length: 20 }, (_, i) => h.json('POST', '/processes/R1/instances', { variables: { amount: i * 10 } })),
    );
    expect(started.every((r) => r.status === 201)).toBe(true);
    for (const { body } of started) {
      const instance = await until(
        () => h.json('GET', `/instances/${body.id}`),
        (r) => r.body.status === 'COMPLETED',
      );
      expect(instance.body.status).toBe('COMPLETED');
    }
    const redis = new Redis(REDIS_URL);
    try {
      const prefix = cacheKeyPrefix(loadSettings({ DATABASE_URL: h.db.url }));
      expect(prefix).toContain(h.db.schema);
      expect(await redis.get(`${prefix}latest:<default>:R1`)).toBe((await h.json('GET', '/processes/R1')).body.id);
    } finally {
      redis.disconnect();
    }
  });

  it('completes a user task through the inbox and the queue', async () => {
    expect((await h.api('/processes', xmlPost(fixture('tasks/user-task.bpmn')))).status).toBe(201);
    const { body } = await h.json('POST', '/processes/user-task/instances', { variables: { owner: 'bob' } });
    const tasks = await until(
      () => h.json('GET', `/tasks?instanceId=${body.id}`),
      (r) => r.body.items.length === 1,
    );
    expect((await h.json('POST', `/tasks/${tasks.body.items[0].id}/complete`, { variables: { ok: true } })).status).toBe(200);
    const done = await until(
      () => h.json('GET', `/instances/${body.id}`),
      (r) => r.body.status === 'COMPLETED',
    );
    expect(done.body).toMatchObject({ status: 'COMPLETED', variables: { owner: 'bob', ok: true } });
  });

  it('is ready', async () => {
    const ready = await fetch(`${h.origin}/health/ready`);
    expect(ready.status).toBe(200);
  });
});

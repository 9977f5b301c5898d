import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect, type ChannelModel } from 'amqplib';
import { Queue } from 'bullmq';
import { loadSettings, type Settings } from '@baton/config';
import { BullMqRetentionSchedule, ExportRunner, RabbitExportSink, batchQueuePrefix, stepExporter } from '@baton/host';
import { MemoryDefinitionCache } from '@baton/cache';
import { BatonMetrics } from '@baton/metrics';
import {
  Announcer,
  DefinitionRegistry,
  ExportDispatcher,
  ExportService,
  InstanceStarter,
  JobService,
  StepExporter,
  VariableLimits,
  UnitOfWork,
  WebhookSink,
  type ExportSink,
  type ExportSinkName,
  type LoadedDefinition,
} from '@baton/runtime';
import { PgExportRepository, PgRuntimeStore } from '@baton/store';
import { freshSchema, type FreshSchema } from '../../store/test/fresh-schema';
import { bpmn, QueuePublisher, testKeys, testObserver } from '../../runtime/test/runtime-harness';

const RABBITMQ_URL = process.env.RABBITMQ_URL || 'amqp://guest:guest@127.0.0.1:5672';
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const SECRET = 'export-test-secret';

interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly status: number;
}

/** A webhook receiver on a random port; `answer` picks each request's status. */
async function receiver(answer: (id: string, n: number) => number): Promise<{ url: string; requests: Received[]; close(): Promise<void> }> {
  const requests: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const status = answer(String(req.headers['x-baton-event-id']), requests.length);
      requests.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), status });
      res.statusCode = status;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook`, requests, close: () => new Promise((r) => server.close(() => r())) };
}

const accepted = (requests: readonly Received[]) => requests.filter((r) => r.status === 200).map((r) => JSON.parse(r.body) as { id: string; type: string; processInstanceKey: string; value: Record<string, unknown> });

/** A service task instance per start, its job completed through the inbox as a worker's completion is. */
class Engine {
  readonly runtime: PgRuntimeStore;
  readonly registry: DefinitionRegistry;
  readonly publisher = new QueuePublisher();
  readonly unitOfWork: UnitOfWork;
  readonly starter: InstanceStarter;

  constructor(
    readonly db: FreshSchema,
    exporter: StepExporter | undefined,
  ) {
    this.runtime = new PgRuntimeStore(db.prisma);
    this.registry = new DefinitionRegistry(this.runtime, new MemoryDefinitionCache(), testKeys, { cacheTtlSeconds: 60 });
    const announcer = new Announcer(this.publisher, testObserver);
    this.unitOfWork = new UnitOfWork(this.runtime, this.registry, announcer, testKeys, { maxParallel: 50, stepBudget: 10_000, observer: testObserver, exporter });
    this.starter = new InstanceStarter(this.runtime, announcer, testKeys, { observer: testObserver });
  }

  async deploy(): Promise<LoadedDefinition> {
    const { processes } = await this.registry.deploy(bpmn('libs/engine/test/fixtures/bpmn/tasks/service-task.bpmn'));
    return (await this.registry.byId(processes[0].id))!;
  }

  async drain(): Promise<void> {
    while (this.publisher.items.length > 0) await this.unitOfWork.runBatch(this.publisher.take(100));
  }

  /** Starts `count` instances and runs each to its end (job created, then completed with `receipt`). */
  async runInstances(count: number): Promise<string[]> {
    const definition = await this.deploy();
    const ids: string[] = [];
    for (let i = 0; i < count; i++) ids.push((await this.starter.start({ definition, variables: { amount: i } })).id);
    await this.drain();
    const jobs = await this.db.prisma.job.findMany({ where: { instanceId: { in: ids.map(BigInt) } } });
    expect(jobs).toHaveLength(count);
    for (const job of jobs) {
      await this.db.prisma.instanceEvent.create({
        data: { instanceId: job.instanceId, event: { type: 'complete', elementInstanceId: job.elementInstanceId.toString(), variables: { receipt: `r${job.instanceId}`, amount: 100 } } },
      });
      this.publisher.items.push(job.instanceId.toString());
    }
    await this.drain();
    return ids;
  }

  async outbox(): Promise<{ id: string; instanceId: string; type: string; pending: string[] }[]> {
    return this.db.prisma.$queryRawUnsafe(`SELECT id::text AS id, "instanceId"::text AS "instanceId", type, pending FROM "ExportRecord" r ORDER BY r.id`);
  }
}

function dispatcher(db: FreshSchema, sinks: ExportSink[], options: { maxAttempts?: number; owner?: string } = {}) {
  const delivered = new Map<ExportSinkName, number>();
  const d = new ExportDispatcher(new PgExportRepository(db.prisma), sinks, {
    batchSize: 4,
    maxAttempts: options.maxAttempts ?? 10,
    backoff: { kind: 'fixed', delayMs: 20 },
    owner: options.owner ?? 'test',
    onDelivered: (sink, n) => delivered.set(sink, (delivered.get(sink) ?? 0) + n),
  });
  return { d, delivered };
}

/** Runs passes until `done` holds (a failed sink waits out its backoff between passes). */
async function passUntil(d: ExportDispatcher, done: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > until) throw new Error('export did not finish');
    await d.pass();
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('event export (Postgres, RabbitMQ, Redis/BullMQ)', () => {
  let db: FreshSchema;
  beforeEach(async () => {
    db = await freshSchema({ prefix: 'export', poolSize: 4 });
  });
  afterEach(async () => {
    await db.drop();
  });

  it('writes nothing to the outbox when no sink is configured', async () => {
    const settings = loadSettings({ DATABASE_URL: db.url });
    expect(stepExporter(settings)).toBeUndefined();
    const engine = new Engine(db, stepExporter(settings));
    const ids = await engine.runInstances(2);
    expect(await db.prisma.processInstance.count({ where: { id: { in: ids.map(BigInt) }, status: 'COMPLETED' } })).toBe(2);
    expect(await engine.outbox()).toEqual([]);
  });

  it('delivers every record to a webhook that fails twice, once per id, in per-instance order, signed', async () => {
    const settings = loadSettings({ DATABASE_URL: db.url, EXPORT_WEBHOOK_URL: 'http://127.0.0.1:1/hook' });
    const engine = new Engine(db, stepExporter(settings));
    const ids = await engine.runInstances(3);
    const written = await engine.outbox();
    expect(written.every((r) => r.pending.join() === 'webhook')).toBe(true);
    const first = written.filter((r) => r.instanceId === ids[0]).map((r) => r.type);
    expect(first).toEqual([
      // The step that starts it: the process, its variables, start event, the service task and its job.
      'PROCESS_INSTANCE_CREATED',
      'VARIABLE_CREATED',
      'ELEMENT_ACTIVATED',
      'ELEMENT_COMPLETED',
      'ELEMENT_ACTIVATED',
      'JOB_CREATED',
      // The step that applies the job's completion.
      'JOB_COMPLETED',
      'VARIABLE_UPDATED',
      'VARIABLE_CREATED',
      'ELEMENT_COMPLETED',
      'ELEMENT_ACTIVATED',
      'ELEMENT_COMPLETED',
      'PROCESS_INSTANCE_COMPLETED',
    ]);

    const hook = await receiver((_id, n) => (n < 2 ? 500 : 200));
    try {
      const { d, delivered } = dispatcher(db, [new WebhookSink(hook.url, SECRET)]);
      await passUntil(d, async () => (await engine.outbox()).length === 0);
      expect(hook.requests.slice(0, 2).map((r) => r.status)).toEqual([500, 500]);
      const got = accepted(hook.requests);
      // Every record once per id, no other.
      expect(got.map((r) => r.id).sort()).toEqual(written.map((r) => r.id).sort());
      expect(new Set(got.map((r) => r.id)).size).toBe(got.length);
      expect(delivered.get('webhook')).toBe(written.length);
      // Per instance: in the order the steps wrote them.
      for (const id of ids) {
        const order = got.filter((r) => r.processInstanceKey === id).map((r) => r.id);
        expect(order).toEqual(written.filter((r) => r.instanceId === id).map((r) => r.id));
      }
      for (const r of hook.requests) {
        expect(r.headers['x-baton-signature']).toBe(`sha256=${createHmac('sha256', SECRET).update(r.body).digest('hex')}`);
        expect(r.headers['x-baton-event-id']).toBe((JSON.parse(r.body) as { id: string }).id);
      }
      const variable = got.find((r) => r.type === 'VARIABLE_UPDATED' && r.processInstanceKey === ids[1]);
      expect(variable?.value).toMatchObject({ name: 'amount', value: 100, scopeKey: ids[1] });
      const job = got.find((r) => r.type === 'JOB_CREATED' && r.processInstanceKey === ids[1]);
      expect(job?.value).toMatchObject({ jobType: 'charge-card', retries: 5, elementId: 'charge', customHeaders: { method: 'visa', region: 'eu' } });
    } finally {
      await hook.close();
    }
  });

  it('exports a job out of retries, its incident, its resolution, and a cancel with its terminated elements', async () => {
    const engine = new Engine(db, new StepExporter(['webhook']));
    const definition = await engine.deploy();
    const { id } = await engine.starter.start({ definition, variables: { amount: 1 } });
    await engine.drain();
    const job = await db.prisma.job.findFirstOrThrow({ where: { instanceId: BigInt(id) } });
    const elementInstanceId = job.elementInstanceId.toString();
    const typesAfter = async (from: number) => (await engine.outbox()).slice(from).map((r) => r.type);

    let seen = (await engine.outbox()).length;
    await db.prisma.instanceEvent.create({ data: { instanceId: BigInt(id), event: { type: 'jobFailed', elementInstanceId, errorMessage: 'card declined' } } });
    await engine.unitOfWork.runBatch([id]);
    expect(await typesAfter(seen)).toEqual(['JOB_FAILED', 'INCIDENT_CREATED']);
    const incident = (await engine.outbox()).slice(seen)[1];
    const [payload] = await db.prisma.$queryRawUnsafe<{ payload: Record<string, unknown> }[]>(`SELECT payload FROM "ExportRecord" WHERE id = $1::bigint`, incident.id);
    expect(payload.payload).toMatchObject({ incidentType: 'JOB_NO_RETRIES', elementId: 'charge', message: expect.stringContaining('card declined') });

    seen = (await engine.outbox()).length;
    await engine.unitOfWork.command(id, [{ type: 'resolveIncident', elementInstanceId, retries: 2 }], { lockTimeoutMs: 1_000 });
    expect(await typesAfter(seen)).toContain('INCIDENT_RESOLVED');

    seen = (await engine.outbox()).length;
    await engine.unitOfWork.command(id, [{ type: 'cancel' }], { lockTimeoutMs: 1_000 });
    await engine.drain();
    expect(await typesAfter(seen)).toEqual(['ELEMENT_TERMINATED', 'PROCESS_INSTANCE_CANCELED']);
  });

  it("exports a worker's failures through the job service: with retries left, then out of retries", async () => {
    const exporter = new StepExporter(['webhook']);
    const engine = new Engine(db, exporter);
    const jobs = new JobService(engine.runtime, new Announcer(engine.publisher, testObserver), new VariableLimits({ maxVariableSize: 1 << 20, maxTotalVariables: 1 << 24 }), {
      pollIntervalMs: 20,
      exporter,
    });
    const definition = await engine.deploy();
    await engine.starter.start({ definition, variables: {} });
    await engine.drain();
    const seen = (await engine.outbox()).length;
    const [job] = await jobs.activate({ type: 'charge-card', workerId: 'w', maxJobs: 1, lockDurationMs: 30_000 });
    await jobs.fail(job.id, { workerId: 'w', errorMessage: 'try later', retries: 1 });
    const [again] = await jobs.activate({ type: 'charge-card', workerId: 'w', maxJobs: 1, lockDurationMs: 30_000 });
    await jobs.fail(again.id, { workerId: 'w', errorMessage: 'gave up', retries: 0 });
    await engine.drain();
    const rows = await db.prisma.$queryRawUnsafe<{ type: string; payload: Record<string, unknown> }[]>(
      `SELECT type, payload FROM "ExportRecord" r ORDER BY r.id OFFSET $1`,
      seen,
    );
    expect(rows.map((r) => [r.type, r.payload.retries ?? null, r.payload.errorMessage ?? null])).toEqual([
      ['JOB_FAILED', 1, 'try later'],
      ['JOB_FAILED', 0, 'gave up'],
      ['INCIDENT_CREATED', null, null],
    ]);
    expect(rows[0].payload).toMatchObject({ jobKey: job.id, jobType: 'charge-card', elementId: 'charge' });
    const [created] = await db.prisma.$queryRawUnsafe<{ payload: Record<string, unknown> }[]>(`SELECT payload FROM "ExportRecord" WHERE type = 'JOB_CREATED'`);
    expect(created.payload.jobKey).toBe(job.id);
  });

  it('publishes to a RabbitMQ topic exchange, and a record goes once every sink passed it', async () => {
    const exchange = `baton.test.export.${randomBytes(4).toString('hex')}`;
    const settings = loadSettings({ DATABASE_URL: db.url, RABBITMQ_URL, EXPORT_RABBITMQ_EXCHANGE: exchange, EXPORT_WEBHOOK_URL: 'http://127.0.0.1:1/hook' });
    const engine = new Engine(db, stepExporter(settings));
    const model: ChannelModel = await connect(RABBITMQ_URL);
    const rabbit = new RabbitExportSink(RABBITMQ_URL, exchange, 'baton-test-export');
    try {
      const channel = await model.createChannel();
      await channel.assertExchange(exchange, 'topic', { durable: true });
      const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true });
      await channel.bindQueue(queue, exchange, '#');
      await channel.bindQueue(queue, exchange, 'no.such.binding');
      const messages: { routingKey: string; messageId: string; body: { id: string; type: string } }[] = [];
      await channel.consume(queue, (m) => {
        if (m === null) return;
        messages.push({ routingKey: m.fields.routingKey, messageId: String(m.properties.messageId), body: JSON.parse(m.content.toString()) });
      }, { noAck: true });

      await engine.runInstances(2);
      const written = await engine.outbox();
      expect(written.every((r) => [...r.pending].sort().join() === 'rabbitmq,webhook')).toBe(true);

      // The RabbitMQ sink alone: every record delivered, kept for the webhook.
      const { d } = dispatcher(db, [rabbit]);
      await passUntil(d, async () => (await engine.outbox()).every((r) => r.pending.join() === 'webhook'));
      await passUntil(d, async () => messages.length >= written.length);
      expect(messages.map((m) => m.messageId)).toEqual(written.map((r) => r.id));
      expect(messages.map((m) => m.body.id)).toEqual(written.map((r) => r.id));
      expect(messages[0].routingKey).toBe(`${written[0].type}.service-task`);
      expect(await engine.outbox()).toHaveLength(written.length);

      const hook = await receiver(() => 200);
      try {
        const webhook = dispatcher(db, [new WebhookSink(hook.url, undefined)]);
        await passUntil(webhook.d, async () => (await engine.outbox()).length === 0);
        expect(accepted(hook.requests).map((r) => r.id)).toEqual(written.map((r) => r.id));
        expect(hook.requests[0].headers['x-baton-signature']).toBeUndefined();
      } finally {
        await hook.close();
      }
    } finally {
      await rabbit.close();
      await model.close();
    }
  });

  it('dead-letters a record past EXPORT_MAX_ATTEMPTS, goes on, and delivers it again on retry', async () => {
    const engine = new Engine(db, new StepExporter(['webhook']));
    await engine.runInstances(1);
    const written = await engine.outbox();
    const poison = written[2].id;
    let healed = false;
    const hook = await receiver((id) => (id === poison && !healed ? 500 : 200));
    try {
      const { d } = dispatcher(db, [new WebhookSink(hook.url, SECRET)], { maxAttempts: 3 });
      await passUntil(d, async () => (await engine.outbox()).length === 0);
      expect(hook.requests.filter((r) => r.headers['x-baton-event-id'] === poison).map((r) => r.status)).toEqual([500, 500, 500]);
      expect(accepted(hook.requests).map((r) => r.id)).toEqual(written.map((r) => r.id).filter((id) => id !== poison));

      const service = new ExportService(new PgExportRepository(db.prisma));
      const page = await service.deadLetters(10, null);
      expect(page.items).toEqual([
        expect.objectContaining({ sink: 'webhook', attempts: 3, error: expect.stringContaining('500'), record: expect.objectContaining({ id: poison, type: written[2].type }) }),
      ]);
      await expect(service.retry('999999')).rejects.toThrow(/not found/);

      healed = true;
      await service.retry(page.items[0].id);
      expect((await service.deadLetters(10, null)).items).toEqual([]);
      await passUntil(d, async () => (await engine.outbox()).length === 0);
      const last = hook.requests[hook.requests.length - 1];
      expect(last).toMatchObject({ status: 200, headers: expect.objectContaining({ 'x-baton-event-id': poison }) });
    } finally {
      await hook.close();
    }
  });

  it('runs one dispatcher per sink: a second owner gets no lease until the first lets go or lapses', async () => {
    const repository = new PgExportRepository(db.prisma);
    expect(await repository.lease('webhook', 'a', 60_000)).toBe(true);
    expect(await repository.lease('webhook', 'b', 60_000)).toBe(false);
    expect(await repository.lease('rabbitmq', 'b', 60_000)).toBe(true);
    expect(await repository.lease('webhook', 'a', 60_000)).toBe(true);
    await repository.release('webhook', 'a');
    expect(await repository.lease('webhook', 'b', 1)).toBe(true);
    await new Promise((r) => setTimeout(r, 20));
    expect(await repository.lease('webhook', 'a', 60_000)).toBe(true);
  });

  it('delivers through the BullMQ job scheduler of the export queue', async () => {
    const engine = new Engine(db, new StepExporter(['webhook']));
    await engine.runInstances(1);
    const written = await engine.outbox();
    const hook = await receiver(() => 200);
    const name = `baton-export-test-${randomBytes(3).toString('hex')}`;
    const prefix = batchQueuePrefix({ DATABASE_URL: db.url } as Settings);
    const schedule = new BullMqRetentionSchedule({
      url: REDIS_URL,
      name,
      prefix,
      intervalMs: 100,
      connectionName: 'baton-test-export',
    });
    const metrics = new BatonMetrics({ defaultMetrics: false });
    const d = new ExportDispatcher(new PgExportRepository(db.prisma), [new WebhookSink(hook.url, SECRET)], {
      batchSize: 4,
      maxAttempts: 10,
      backoff: { kind: 'fixed', delayMs: 20 },
      owner: 'test',
      onDelivered: metrics.onExportDelivered,
    });
    const runner = new ExportRunner(d, schedule, metrics);
    const sample = (scrape: string, name: string) => Number(new RegExp(`^${name}\\{sink="webhook"\\} (\\S+)$`, 'm').exec(scrape)?.[1]);
    try {
      const probe = new BatonMetrics({ defaultMetrics: false });
      probe.watchExportLag(() => d.lag());
      expect(sample(await probe.registry.metrics(), 'baton_export_lag_records')).toBe(written.length);
      expect(sample(await probe.registry.metrics(), 'baton_export_lag_seconds')).toBeGreaterThanOrEqual(0);
      runner.start();
      const until = Date.now() + 20_000;
      while ((await engine.outbox()).length > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      expect(accepted(hook.requests).map((r) => r.id)).toEqual(written.map((r) => r.id));
      const after = await metrics.registry.metrics();
      expect(sample(after, 'baton_export_delivered_total')).toBe(written.length);
      expect(sample(after, 'baton_export_lag_records')).toBe(0);
    } finally {
      await runner.beforeApplicationShutdown();
      const queue = new Queue(name, { connection: { url: REDIS_URL }, prefix });
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
      await hook.close();
    }
  });
});

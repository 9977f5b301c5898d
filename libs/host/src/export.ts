import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Provider } from '@nestjs/common';
import { connect, type ChannelModel, type ConfirmChannel } from 'amqplib';
import type { Settings } from '@baton/config';
import { BatonMetrics } from '@baton/metrics';
import {
  ExportDispatcher,
  exportBody,
  ExportService,
  InProcessRetentionSchedule,
  StepExporter,
  WebhookSink,
  type ExportRecord,
  type ExportSink,
  type ExportSinkName,
  type RetentionSchedule,
} from '@baton/runtime';
import { PgExportRepository, PrismaClient } from '@baton/store';
import { batchQueuePrefix } from './batch-queue';
import { nestLogger } from './host-loggers';
import { BullMqRetentionSchedule } from './retention-schedule';

/** The sinks the settings configure (docs/export.md); none: nothing is exported and steps write no records. */
export function exportSinkNames(settings: Settings): ExportSinkName[] {
  const names: ExportSinkName[] = [];
  if (settings.EXPORT_WEBHOOK_URL !== undefined) names.push('webhook');
  if (settings.EXPORT_RABBITMQ_EXCHANGE !== undefined) {
    if (settings.RABBITMQ_URL === undefined) throw new Error('EXPORT_RABBITMQ_EXCHANGE needs RABBITMQ_URL (the exchange is on the app\'s RabbitMQ)');
    names.push('rabbitmq');
  }
  return names;
}

/** The unit of work's exporter: undefined (no cost at all) when no sink is configured. */
export function stepExporter(settings: Settings): StepExporter | undefined {
  const sinks = exportSinkNames(settings);
  return sinks.length === 0 ? undefined : new StepExporter(sinks);
}

/**
 * EXPORT_RABBITMQ_EXCHANGE: each record published to a durable topic exchange
 * with routing key `<type>.<bpmnProcessId>`, persistent, its id as message id,
 * through a confirm channel: a batch counts as delivered once the broker
 * confirmed it. The connection opens on the first delivery (API processes,
 * which do not dispatch, hold none) and again after it was lost.
 */
export class RabbitExportSink implements ExportSink {
  readonly name = 'rabbitmq' as const;
  private model?: ChannelModel;
  private channel?: ConfirmChannel;

  constructor(
    private readonly url: string,
    private readonly exchange: string,
    private readonly connectionName: string,
  ) {}

  async deliver(records: readonly ExportRecord[]): Promise<{ delivered: number; error?: Error }> {
    try {
      const channel = await this.open();
      for (const record of records) {
        channel.publish(this.exchange, `${record.type}.${record.bpmnProcessId}`, Buffer.from(exportBody(record)), {
          persistent: true,
          messageId: record.id,
          type: record.type,
          contentType: 'application/json',
          timestamp: Math.floor(record.createdAt.getTime() / 1000),
        });
      }
      await channel.waitForConfirms();
      return { delivered: records.length };
    } catch (e) {
      await this.close();
      return { delivered: 0, error: new Error(`publishing to exchange '${this.exchange}' failed: ${(e as Error).message}`) };
    }
  }

  async close(): Promise<void> {
    const model = this.model;
    this.model = undefined;
    this.channel = undefined;
    await model?.close().catch(() => undefined);
  }

  private async open(): Promise<ConfirmChannel> {
    if (this.channel !== undefined) return this.channel;
    const model = await connect(this.url, { clientProperties: { connection_name: this.connectionName } });
    model.on('error', () => undefined);
    model.on('close', () => {
      if (this.model === model) {
        this.model = undefined;
        this.channel = undefined;
      }
    });
    const channel = await model.createConfirmChannel();
    channel.on('error', () => undefined);
    await channel.assertExchange(this.exchange, 'topic', { durable: true });
    this.model = model;
    this.channel = channel;
    return channel;
  }
}

export function exportSinks(settings: Settings, appName: string): ExportSink[] {
  const sinks: ExportSink[] = [];
  for (const name of exportSinkNames(settings)) {
    if (name === 'webhook') sinks.push(new WebhookSink(settings.EXPORT_WEBHOOK_URL!, settings.EXPORT_WEBHOOK_SECRET));
    else sinks.push(new RabbitExportSink(settings.RABBITMQ_URL!, settings.EXPORT_RABBITMQ_EXCHANGE!, `baton-${appName}-export`));
  }
  return sinks;
}

/**
 * Runs export passes in the processes that run operational work (workers,
 * `npm start`): with REDIS_URL a BullMQ job scheduler makes one pass job per
 * EXPORT_INTERVAL_MS across the workers, otherwise a timer in process. A pass
 * delivers until the outbox is empty; each sink's lease in the store keeps it
 * to one dispatcher at a time whichever process runs the pass.
 */
export class ExportRunner {
  private started = false;
  private stopping = false;
  private readonly logger = nestLogger('Export');

  constructor(
    readonly dispatcher: ExportDispatcher,
    private readonly schedule: RetentionSchedule,
    private readonly metrics?: BatonMetrics,
  ) {}

  start(): void {
    if (this.started || !this.dispatcher.enabled) return;
    this.started = true;
    this.metrics?.watchExportLag(() => this.dispatcher.lag());
    this.schedule
      .start(() => this.dispatcher.pass(() => this.stopping))
      .catch((e: unknown) => this.logger.warn(`scheduling export passes failed: ${(e as Error).message}`));
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.schedule.close();
    for (const sink of this.dispatcher.sinks) await sink.close?.();
  }
}

function exportSchedule(settings: Settings, appName: string): RetentionSchedule {
  const logger = nestLogger('Export');
  if (settings.REDIS_URL !== undefined) {
    return new BullMqRetentionSchedule({
      url: settings.REDIS_URL,
      name: 'baton-export',
      prefix: batchQueuePrefix(settings),
      intervalMs: settings.EXPORT_INTERVAL_MS,
      connectionName: `baton-${appName}-export`,
    });
  }
  return new InProcessRetentionSchedule(settings.EXPORT_INTERVAL_MS, (e) => logger.warn(`export pass failed: ${e.message}`));
}

/** Event export (docs/export.md): the dispatcher and its runner, and the dead letters' service. */
export function exportProviders(settings: Settings, appName: string): Provider[] {
  const logger = nestLogger('Export');
  return [
    { provide: ExportService, useFactory: (prisma: PrismaClient) => new ExportService(new PgExportRepository(prisma)), inject: [PrismaClient] },
    {
      provide: ExportRunner,
      useFactory: (prisma: PrismaClient, metrics: BatonMetrics) =>
        new ExportRunner(
          new ExportDispatcher(new PgExportRepository(prisma), exportSinks(settings, appName), {
            batchSize: settings.EXPORT_BATCH_SIZE,
            maxAttempts: settings.EXPORT_MAX_ATTEMPTS,
            backoff: { kind: settings.EXPORT_RETRY_BACKOFF, delayMs: settings.EXPORT_RETRY_DELAY_MS },
            owner: `${appName}@${hostname()}:${process.pid}:${randomUUID()}`,
            onDelivered: metrics.onExportDelivered,
            onFailed: (sink, e) => {
              metrics.onExportFailed(sink);
              logger.warn(`export to ${sink} failed: ${e.message}`);
            },
            onDeadLettered: (sink, record, e) => {
              metrics.onExportDeadLettered(sink);
              logger.warn(`export to ${sink} gave up on record ${record.id} (${record.type}): ${e.message}`);
            },
          }),
          exportSchedule(settings, appName),
          metrics,
        ),
      inject: [PrismaClient, BatonMetrics],
    },
  ];
}

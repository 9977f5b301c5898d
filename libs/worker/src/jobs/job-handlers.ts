import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Inject, Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import type { Settings } from '@baton/config';
import { nestLogger, SETTINGS } from '@baton/host';
import { JobHandlerRunner, JobService, type JobHandlerFn, type JobHandlerRegistration } from '@baton/runtime';
import { JOB_HANDLER_METADATA, type JobHandlerMetadata } from './job-handler.decorator';

/**
 * The worker's in-process job handlers: every `@JobHandler` method of the
 * application's providers, run by one {@link JobHandlerRunner} that leases
 * jobs from Postgres like any REST worker. Off with JOB_HANDLERS=false.
 */
@Injectable()
export class JobHandlers implements BeforeApplicationShutdown {
  private readonly logger = new Logger('JobHandlers');
  private runner?: JobHandlerRunner;

  constructor(
    @Inject(SETTINGS) private readonly settings: Settings,
    @Inject(JobService) private readonly jobs: JobService,
    @Inject(DiscoveryService) private readonly discovery: DiscoveryService,
    @Inject(MetadataScanner) private readonly scanner: MetadataScanner,
    @Inject(Reflector) private readonly reflector: Reflector,
  ) {}

  /** The decorated methods of every provider, bound to their instance. */
  registrations(): JobHandlerRegistration[] {
    const registrations: JobHandlerRegistration[] = [];
    for (const wrapper of this.discovery.getProviders()) {
      const instance: unknown = wrapper.instance;
      if (instance === null || typeof instance !== 'object' || !wrapper.isDependencyTreeStatic()) continue;
      const prototype = Object.getPrototypeOf(instance) as object | null;
      if (prototype === null) continue;
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const method = (instance as Record<string, unknown>)[name];
        if (typeof method !== 'function') continue;
        const metadata = this.reflector.get<JobHandlerMetadata | undefined>(JOB_HANDLER_METADATA, method);
        if (metadata === undefined) continue;
        registrations.push({ type: metadata.type, options: metadata.options, handle: (method as JobHandlerFn).bind(instance) });
      }
    }
    return registrations;
  }

  /** Starts polling for every registered type; returns the types (none when JOB_HANDLERS is off). */
  start(): string[] {
    if (!this.settings.JOB_HANDLERS) return [];
    if (this.runner === undefined) {
      this.runner = new JobHandlerRunner(this.jobs, this.registrations(), {
        workerId: `${hostname()}/${process.pid}/${randomBytes(3).toString('hex')}`,
        logger: nestLogger('JobHandlers'),
      });
      this.runner.start();
    }
    return this.runner.types;
  }

  /** Stops activating and settles the jobs in hand, before the host closes the bus and the store. */
  async beforeApplicationShutdown(): Promise<void> {
    const runner = this.runner;
    if (runner === undefined) return;
    const running = runner.running;
    await runner.stop();
    if (running > 0) this.logger.log(`settled the ${running} job(s) in hand`);
  }
}

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MemoryDefinitionCache } from '@baton/cache';
import {
  Announcer,
  CorrelationService,
  DefinitionQueryService,
  DefinitionRegistry,
  IncidentService,
  InstanceService,
  InstanceStarter,
  JobService,
  KeyGenerator,
  Sweeper,
  TaskService,
  TimerService,
  UnitOfWork,
  VariableLimits,
  type BatchReport,
  type DeployedDefinition,
  type HistoryRecord,
  type Key,
  type UnitOfWorkOptions,
  type VariableLimitSettings,
} from '../../src';
import { FakeClock } from './fake-clock';
import { FakePublisher } from './fake-publisher';
import { MemoryStore } from './memory-store';
import { RecordingObserver } from './recording-observer';

const REPO_ROOT = join(__dirname, '..', '..', '..', '..');

/** A BPMN file of the repository, by its path from the repository root. */
export function fixture(path: string): string {
  return readFileSync(join(REPO_ROOT, path), 'utf8');
}

/** An engine fixture (`libs/engine/test/fixtures/bpmn/<path>`). */
export function engineFixture(path: string): string {
  return fixture(join('libs/engine/test/fixtures/bpmn', path));
}

export interface RuntimeKitOptions {
  readonly limits?: VariableLimitSettings;
  /** How long commands wait for a held instance before they are queued. Default 5 ms (tests hold rows by hand). */
  readonly commandLockTimeoutMs?: number;
  readonly maxInFlight?: number;
  /** Settings of the unit of work beyond the kit's (failure limit, time budgets, FEEL bounds, its own clock). */
  readonly unitOfWork?: Partial<UnitOfWorkOptions>;
}

/**
 * The runtime's use cases wired on the fakes, as the host wires them on
 * Postgres, RabbitMQ and Redis: one store, one clock, one key generator, one
 * announcer. `drain` plays the workers.
 *
 * Everything reads the fake clock, which moves only when the test moves it:
 * a job activation long poll (`requestTimeoutMs`) ends when a job appears,
 * never by its timeout, unless the test advances the clock.
 */
export class RuntimeKit {
  readonly clock = new FakeClock();
  readonly store = new MemoryStore({ clock: this.clock.now });
  readonly publisher = new FakePublisher();
  readonly observer = new RecordingObserver();
  readonly keys = new KeyGenerator({ node: 7, clock: this.clock.now });
  readonly newKey = this.keys.next;
  readonly limits: VariableLimits;
  readonly cache = new MemoryDefinitionCache({ now: this.clock.now });
  readonly announcer: Announcer;
  readonly registry: DefinitionRegistry;
  readonly unitOfWork: UnitOfWork;
  readonly starter: InstanceStarter;
  readonly instances: InstanceService;
  readonly jobs: JobService;
  readonly tasks: TaskService;
  readonly correlation: CorrelationService;
  readonly timers: TimerService;
  readonly incidents: IncidentService;
  readonly sweeper: Sweeper;
  readonly definitions: DefinitionQueryService;

  constructor(options: RuntimeKitOptions = {}) {
    const { store, observer, clock, newKey } = this;
    const commandLockTimeoutMs = options.commandLockTimeoutMs ?? 5;
    this.limits = new VariableLimits(options.limits ?? { maxVariableSize: 64 * 1024, maxTotalVariables: 256 * 1024 });
    this.announcer = new Announcer(this.publisher, observer, { maxInFlight: options.maxInFlight });
    this.registry = new DefinitionRegistry(store, this.cache, newKey, { cacheTtlSeconds: 60, observer, clock: clock.now });
    this.unitOfWork = new UnitOfWork(store, this.registry, this.announcer, newKey, {
      maxParallel: 50,
      stepBudget: 1000,
      observer,
      clock: clock.now,
      ...options.unitOfWork,
    });
    this.starter = new InstanceStarter(store, this.announcer, newKey, { observer, clock: clock.now });
    this.instances = new InstanceService(store, this.registry, this.starter, this.unitOfWork, this.limits, { commandLockTimeoutMs });
    this.jobs = new JobService(store, this.announcer, this.limits, { observer, clock: clock.now, pollIntervalMs: 1 });
    this.tasks = new TaskService(store, this.announcer, this.limits, clock.now, this.registry);
    this.correlation = new CorrelationService(store, this.registry, this.announcer, this.limits, newKey, observer);
    this.timers = new TimerService(store, this.registry, this.announcer, newKey, { observer, clock: clock.now });
    this.incidents = new IncidentService(store, this.unitOfWork, { commandLockTimeoutMs });
    this.sweeper = new Sweeper(store, this.announcer, { intervalSeconds: 5, observer });
    this.definitions = new DefinitionQueryService(store);
  }

  /** Deploys a BPMN document (XML text); returns its processes. */
  async deploy(xml: string, tenantId?: string): Promise<DeployedDefinition[]> {
    return (await this.registry.deploy(xml, { tenantId })).processes;
  }

  /** Starts an instance of the latest version and lets the workers run it to its wait states. */
  async startAndRun(processId: string, variables?: Record<string, unknown>, tenantId?: string): Promise<Key> {
    const { id } = await this.instances.start(processId, { variables, tenantId });
    await this.drain();
    return id;
  }

  /**
   * Plays the workers: takes announced work off the bus in batches and runs
   * it through the unit of work until nothing is announced any more.
   */
  async drain(batchSize = 100): Promise<BatchReport[]> {
    const reports: BatchReport[] = [];
    for (let round = 0; ; round++) {
      if (round > 1000) throw new Error('work does not drain: announcements keep coming');
      await this.announcer.settled();
      const items = this.publisher.take(batchSize);
      if (items.length === 0) return reports;
      reports.push(await this.unitOfWork.runBatch(items));
    }
  }

  /** The instance's history, every page. */
  async history(instanceId: Key): Promise<HistoryRecord[]> {
    return this.store.repos.history.page(instanceId, { limit: 1000 });
  }

  /** `elementId:type` of each history entry, for compact assertions. */
  async trail(instanceId: Key): Promise<string[]> {
    return (await this.history(instanceId)).map((h) => `${h.elementId}:${h.type}`);
  }
}

import { AsyncLocalStorage } from 'node:async_hooks';
import { isCommand, processVariables, type EngineEvent, type InstanceState, type Variables } from '@baton/engine';
import {
  ALL_NODES,
  LockTimeoutError,
  visibleTo,
  type NodeRange,
  type ActivateJobsQuery,
  type BatchChunk,
  type BatchItemQuery,
  type BatchItemRecord,
  type BatchItemState,
  type BatchQuery,
  type BatchRecord,
  type BatchRepository,
  type InstanceMigrationRepository,
  type BatchState,
  type BatchType,
  type NewBatch,
  type ChangeRepository,
  type ChangeSet,
  type DecisionDefinitionRecord,
  type DecisionInstanceRecord,
  type DecisionRepository,
  type DecisionRequirementsRecord,
  type DecisionRequirementsWithXml,
  type FormRecord,
  type FormRepository,
  type FormWithSchema,
  type DefinitionRecord,
  type DefinitionRepository,
  type DefinitionWithXml,
  type DueTimer,
  type HistoryRecord,
  type HistoryRepository,
  type HistoryType,
  type IdempotencyRepository,
  type InboxEvent,
  type InboxRepository,
  type IncidentRecord,
  type IncidentRecordQuery,
  type IncidentRepository,
  type InstanceRecord,
  type InstanceRecordQuery,
  type InstanceRepository,
  type InstanceStatus,
  type InstanceSummaryRecord,
  type JobOutcome,
  type JobRecord,
  type JobReportWrite,
  type JobRepository,
  type JobState,
  type Key,
  type KeyNodeRepository,
  type MessageRepository,
  type MessageSubscriptionRecord,
  type NewInstanceRecord,
  type PageRequest,
  type Repositories,
  type RuntimeStore,
  type SignalRepository,
  type SignalSubscriptionRecord,
  type StartEventKind,
  type StartEventRecord,
  type StartEventRepository,
  type StartTimerRecord,
  type StoredEvent,
  type TenantScope,
  type TimerRepository,
  type TouchedInstance,
  type TransactionOptions,
  type UserTaskQuery,
  type UserTaskRecord,
  type UserTaskRepository,
  type UserTaskTransitionState,
  type UserTaskUpdate,
  type UserTaskState,
  type BufferedMessageRecord,
  DECISION_DEFINITION_SEARCH_FIELDS,
  DECISION_INSTANCE_SEARCH_FIELDS,
  DECISION_REQUIREMENTS_SEARCH_FIELDS,
  type DecisionDefinitionSearchField,
  type DecisionInstanceSearchField,
  type DecisionInstanceSearchRecord,
  type DecisionRequirementsSearchField,
  DEFINITION_SEARCH_FIELDS,
  ELEMENT_INSTANCE_SEARCH_FIELDS,
  INCIDENT_SEARCH_FIELDS,
  VARIABLE_SEARCH_FIELDS,
  INSTANCE_SEARCH_FIELDS,
  JOB_SEARCH_FIELDS,
  jobKindOf,
  USER_TASK_SEARCH_FIELDS,
  type DefinitionSearchField,
  type DefinitionSearchRecord,
  type ElementInstanceRepository,
  type ElementInstanceSearchField,
  type ElementInstanceSearchRecord,
  type VariableRepository,
  type VariableSearchField,
  type VariableSearchRecord,
  type IncidentSearchField,
  type InstanceSearchField,
  type InstanceSearchRecord,
  type JobSearchField,
  type SearchFilter,
  type SearchQuery,
  type UserTaskSearchField,
  type TimerPeek,
} from '../../src';
import type { ExportOutboxRepository } from '../../src/export/export.records';
import { countRecords, searchRecords } from './memory-search';

/**
 * An in-memory {@link RuntimeStore} with the semantics of the Postgres
 * repositories in `libs/store/src/repositories` (which rows count as live,
 * orderings, ON CONFLICT behaviour, SKIP LOCKED, what marks an instance
 * pending), so use cases can be tested without a database. It is a test
 * double that behaves like the store, not a mock that records calls.
 *
 * Modelled:
 * - Transactions run one at a time (an async mutex) on a working copy of the
 *   tables that replaces the committed tables on commit and is dropped on a
 *   throw: a rollback leaves nothing behind. Statements outside a
 *   transaction (`repos`) that write are one-statement transactions; reads
 *   see the last committed state (READ COMMITTED).
 * - Row locks of other connections are test controls: {@link holdLock} makes
 *   `lockForStep('skip')`, `claimOverdue`, job activation and `claimDue` skip
 *   the row, and `lockForStep('wait')`, `touch` and `jobs.lock` wait for it —
 *   until {@link releaseLock}, or, in a transaction with `lockTimeoutMs`,
 *   until that timeout, then {@link LockTimeoutError}.
 * - What Postgres refuses: a key that is not a bigint (`22P02`), a duplicate
 *   primary or unique key (`23505`), a timestamp it cannot read (`22007`), a
 *   U+0000 in text or JSON (`22P05`), and the same ON CONFLICT DO UPDATE row
 *   twice in one statement (`21000`). JSON columns round-trip through JSON.
 * - Sequences (inbox and history positions) are not rolled back, as in Postgres.
 * - Time is the injected clock (Postgres' `now()`).
 *
 * Not modelled: two transactions running at once (so no deadlocks and no
 * lock waits between the runtime's own transactions), the transaction
 * `timeoutMs`, and advisory locks (deployments are serialised anyway).
 */
export class MemoryStore implements RuntimeStore {
  readonly repos: Repositories;
  private readonly db: Backend;

  constructor(options: { clock?: () => number } = {}) {
    this.db = new Backend(options.clock ?? Date.now);
    this.repos = this.db.outside();
  }

  transaction<R>(work: (tx: Repositories) => Promise<R>, options: TransactionOptions = {}): Promise<R> {
    return this.db.transaction(work, options);
  }

  // --- test controls -------------------------------------------------------

  /** Another connection holds these rows (instances, jobs or timers) locked until {@link releaseLock}. */
  holdLock(...ids: Key[]): void {
    for (const id of ids) this.db.held.add(id);
  }

  releaseLock(...ids: Key[]): void {
    for (const id of ids) {
      this.db.held.delete(id);
      const waiters = this.db.lockWaiters.get(id) ?? [];
      this.db.lockWaiters.delete(id);
      for (const wake of waiters) wake();
    }
  }

  /** Transactions waiting for a held row lock now. */
  get lockWaits(): number {
    let n = 0;
    for (const waiters of this.db.lockWaiters.values()) n += waiters.length;
    return n;
  }

  /** The next call of `repository.method` (inside a transaction or not) throws `error`. */
  failNext(method: MethodName, error: Error = new Error(`${method} failed (injected)`), times = 1): void {
    const list = this.db.failures.get(method) ?? [];
    for (let i = 0; i < times; i++) list.push(error);
    this.db.failures.set(method, list);
  }

  /** The next transaction runs its work, then fails to commit (and rolls back). */
  failCommit(error: Error = new Error('the commit failed (injected)')): void {
    this.db.commitFailures.push(error);
  }

  /** How many times `repository.method` was called (a statement count, as pg_stat_statements would give). */
  statements(method: MethodName): number {
    return this.db.counts.get(method) ?? 0;
  }

  /**
   * Rewrites a committed instance row, as a faulty writer (an older version,
   * a manual fix gone wrong) would leave it: for tests of what the runtime
   * does with a state the engine cannot step.
   */
  tamper(id: Key, change: (row: InstanceRow) => InstanceRow): void {
    const row = this.db.committed.instances.get(id);
    if (row === undefined) throw new Error(`no instance ${id} to tamper with`);
    const instances = new Map(this.db.committed.instances);
    instances.set(id, change(structuredClone(row)));
    this.db.committed = { ...this.db.committed, instances };
  }

  /** The committed rows of a table, in insertion order (copies: for assertions). */
  rows<K extends TableName>(table: K): TableRows[K][] {
    return structuredClone([...this.db.committed[table].values()]);
  }
}

// ---------------------------------------------------------------------------
// Rows: what the tables hold (columns as in prisma/schema.prisma)
// ---------------------------------------------------------------------------

export interface InstanceRow {
  readonly id: Key;
  readonly tenantId: string;
  readonly definitionId: Key;
  readonly bpmnProcessId: string;
  readonly processVersion: number;
  readonly status: InstanceStatus;
  readonly businessKey: string | null;
  readonly variables: Variables;
  readonly state: InstanceState;
  readonly rev: number;
  readonly parentInstanceId: Key | null;
  readonly parentElementInstanceId: Key | null;
  readonly pendingSince: Date | null;
  readonly stepFailures: number;
  readonly startedAt: Date;
  readonly endedAt: Date | null;
}

export interface InboxRow {
  readonly id: string;
  readonly instanceId: Key;
  readonly event: EngineEvent;
  readonly createdAt: Date;
}

export interface JobRow extends JobRecord {
  readonly key: string;
  readonly availableAt: Date;
  readonly createdAt: Date;
}

export type TimerState = 'SCHEDULED' | 'FIRED' | 'CANCELED';

export interface TimerRow {
  readonly id: Key;
  readonly key: string;
  readonly tenantId: string;
  readonly instanceId: Key | null;
  readonly definitionId: Key | null;
  readonly ownerInstanceId: Key | null;
  readonly elementId: string;
  readonly dueAt: Date;
  readonly state: TimerState;
  readonly repetitions: number | null;
  readonly cycle: string | null;
  readonly createdAt: Date;
}

export interface MessageSubscriptionRow extends MessageSubscriptionRecord {
  readonly createdAt: Date;
}

export interface SignalSubscriptionRow {
  readonly id: Key;
  readonly key: string;
  readonly tenantId: string;
  readonly instanceId: Key;
  readonly ownerInstanceId: Key;
  readonly elementId: string;
  readonly bpmnProcessId: string;
  readonly signalName: string;
  readonly createdAt: Date;
}

export interface BufferedMessageRow {
  readonly id: Key;
  readonly tenantId: string;
  readonly messageId: string | null;
  readonly name: string;
  readonly correlationKey: string;
  readonly variables: Variables;
  readonly expiresAt: Date;
  readonly createdAt: Date;
}

export interface BatchRow {
  readonly key: string;
  readonly type: BatchType;
  readonly state: BatchState;
  readonly filter: unknown;
  readonly retries: number | null;
  readonly migrationPlan?: unknown;
  readonly variables?: unknown;
  readonly tenantIds: readonly string[] | null;
  readonly itemCount: number;
  readonly createdAt: Date;
  readonly endedAt: Date | null;
}

export interface BatchItemRow {
  readonly batchKey: string;
  readonly itemKey: string;
  readonly instanceId: string;
  readonly chunk: number;
  readonly state: BatchItemState;
  readonly error: string | null;
  readonly processedAt: Date | null;
}

export interface IdempotencyRow {
  readonly scope: string;
  readonly key: string;
  readonly resourceId: Key;
  readonly answer: unknown;
  readonly expiresAt: Date;
  readonly createdAt: Date;
}

export interface TableRows {
  deployments: { readonly id: Key; readonly tenantId: string; readonly deployedAt: Date };
  /** `deletedAt`: deleted by a resource deletion (the row stays, as in Postgres). */
  definitions: DefinitionWithXml & { readonly deletedAt?: Date };
  decisionRequirements: DecisionRequirementsWithXml & { readonly deletedAt?: Date };
  decisionDefinitions: DecisionDefinitionRecord & { readonly deletedAt?: Date };
  decisionInstances: DecisionInstanceRecord;
  forms: FormWithSchema & { readonly deletedAt?: Date };
  startEvents: StartEventRecord & { readonly createdAt: Date };
  instances: InstanceRow;
  inbox: InboxRow;
  history: HistoryRecord;
  jobs: JobRow;
  userTasks: UserTaskRecord;
  timers: TimerRow;
  messageSubscriptions: MessageSubscriptionRow;
  signalSubscriptions: SignalSubscriptionRow;
  bufferedMessages: BufferedMessageRow;
  incidents: IncidentRecord;
  variableKeys: { readonly id: Key; readonly instanceId: Key; readonly scopeId: Key; readonly name: string };
  idempotency: IdempotencyRow;
  keyNodes: { readonly node: number; readonly owner: string; readonly leaseUntil: Date };
  batches: BatchRow;
  batchItems: BatchItemRow;
}

export type TableName = keyof TableRows;

type Tables = { readonly [K in TableName]: ReadonlyMap<string, TableRows[K]> };

const TABLES: readonly TableName[] = [
  'deployments',
  'definitions',
  'decisionRequirements',
  'decisionDefinitions',
  'decisionInstances',
  'forms',
  'startEvents',
  'instances',
  'inbox',
  'history',
  'jobs',
  'userTasks',
  'timers',
  'messageSubscriptions',
  'signalSubscriptions',
  'bufferedMessages',
  'incidents',
  'variableKeys',
  'idempotency',
  'keyNodes',
  'batches',
  'batchItems',
];

/** `repository.method`, e.g. `changes.apply` or `instances.lockForStep`. */
export type MethodName = {
  [R in keyof Repositories]: `${R}.${keyof Repositories[R] & string}`;
}[keyof Repositories];

/** A failure Postgres would raise, with its SQLSTATE. */
export class FakeSqlError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'FakeSqlError';
  }
}

// ---------------------------------------------------------------------------
// Transactions, locks and statements
// ---------------------------------------------------------------------------

/** A transaction's view of the tables: copy-on-write per table, rows are never changed in place. */
class Working {
  private readonly own = new Map<TableName, Map<string, unknown>>();

  constructor(private readonly base: Tables) {}

  read<K extends TableName>(name: K): ReadonlyMap<string, TableRows[K]> {
    return (this.own.get(name) as Map<string, TableRows[K]> | undefined) ?? this.base[name];
  }

  write<K extends TableName>(name: K): Map<string, TableRows[K]> {
    let table = this.own.get(name) as Map<string, TableRows[K]> | undefined;
    if (table === undefined) {
      table = new Map(this.base[name]);
      this.own.set(name, table as Map<string, unknown>);
    }
    return table;
  }

  result(): Tables {
    const tables: Record<string, ReadonlyMap<string, unknown>> = { ...this.base };
    for (const [name, table] of this.own) tables[name] = table;
    return tables as unknown as Tables;
  }
}

/** One connection's unit: a transaction, or one statement outside any. */
interface Conn {
  readonly data: Working;
  readonly lockTimeoutMs?: number;
  closed: boolean;
}

class Mutex {
  private tail: Promise<void> = Promise.resolve();

  async lock(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((resolve) => (release = resolve));
    const previous = this.tail;
    this.tail = previous.then(() => next);
    await previous;
    return release;
  }
}

/** Statements that only read: outside a transaction they see the committed tables and take no lock. */
const READS = new Set<string>([
  'definitions.latest',
  'decisions.latestRequirements',
  'decisions.requirementsById',
  'decisions.latestDecision',
  'decisions.decisionByVersion',
  'decisions.decisionByVersionTag',
  'decisions.decisionInDeployment',
  'decisions.decisionById',
  'decisions.decisionsOf',
  'decisions.listLatest',
  'decisions.instancesOf',
  'decisions.searchDefinitions',
  'decisions.countDefinitions',
  'decisions.searchRequirements',
  'decisions.countRequirements',
  'decisions.searchInstances',
  'decisions.countInstances',
  'definitions.byVersion',
  'definitions.byId',
  'definitions.highestVersion',
  'definitions.listLatest',
  'startEvents.find',
  'startEvents.ofKind',
  'instances.existing',
  'instances.get',
  'instances.list',
  'instances.states',
  'inbox.load',
  'inbox.pendingCommands',
  'history.page',
  'elementInstances.search',
  'elementInstances.count',
  'variables.search',
  'variables.count',
  'jobs.get',
  'jobs.instanceIds',
  'userTasks.list',
  'userTasks.get',
  'messages.isBuffered',
  'messages.candidates',
  'messages.subscriptionsOf',
  'messages.countBuffered',
  'signals.subscribers',
  'incidents.list',
  'incidents.get',
  'incidents.openOf',
  'definitions.search',
  'definitions.count',
  'instances.search',
  'instances.count',
  'jobs.search',
  'jobs.count',
  'userTasks.search',
  'userTasks.count',
  'incidents.search',
  'incidents.count',
  'batches.get',
  'batches.list',
  'batches.items',
  'batches.pendingOfChunk',
  'batches.pendingChunks',
]);

const REPOSITORIES: readonly (keyof Repositories)[] = [
  'definitions',
  'decisions',
  'forms',
  'startEvents',
  'instances',
  'inbox',
  'history',
  'elementInstances',
  'variables',
  'jobs',
  'userTasks',
  'timers',
  'messages',
  'signals',
  'incidents',
  'idempotency',
  'keyNodes',
  'batches',
  'changes',
];

/** The open transaction of the current async flow (to catch a statement that would wait for its own transaction). */
const openConn = new AsyncLocalStorage<Conn>();

type AnyMethod = (...args: unknown[]) => Promise<unknown>;

class Backend {
  committed: Tables;
  readonly held = new Set<Key>();
  readonly lockWaiters = new Map<Key, (() => void)[]>();
  readonly failures = new Map<string, Error[]>();
  readonly commitFailures: Error[] = [];
  readonly counts = new Map<string, number>();
  private readonly mutex = new Mutex();
  private eventSeq = 0n;
  private historySeq = 0n;

  constructor(readonly clock: () => number) {
    const empty: Record<string, ReadonlyMap<string, unknown>> = {};
    for (const name of TABLES) empty[name] = new Map();
    this.committed = empty as unknown as Tables;
  }

  now(): Date {
    return new Date(this.clock());
  }

  nextEventId(): string {
    return (++this.eventSeq).toString();
  }

  nextHistoryId(): string {
    return (++this.historySeq).toString();
  }

  async transaction<R>(work: (tx: Repositories) => Promise<R>, options: TransactionOptions): Promise<R> {
    this.refuseNesting('a transaction');
    const release = await this.mutex.lock();
    const conn: Conn = { data: new Working(this.committed), lockTimeoutMs: options.lockTimeoutMs, closed: false };
    try {
      const result = await openConn.run(conn, () => work(this.inside(conn)));
      const failure = this.commitFailures.shift();
      if (failure !== undefined) throw failure;
      this.committed = conn.data.result();
      return result;
    } finally {
      conn.closed = true;
      release();
    }
  }

  /** The repositories of a transaction. */
  private inside(conn: Conn): Repositories {
    const impl = repositoriesOn(this, conn);
    return facade(async (repo, method, args) => {
      if (conn.closed) throw new Error(`${repo}.${method}: the transaction has already ended (a repository of a finished transaction was used)`);
      return this.call(impl, repo, method, args);
    });
  }

  /** The repositories outside any transaction: each call its own statement. */
  outside(): Repositories {
    return facade(async (repo, method, args) => {
      if (READS.has(`${repo}.${method}`)) {
        const conn: Conn = { data: new Working(this.committed), closed: false };
        return this.call(repositoriesOn(this, conn), repo, method, args);
      }
      this.refuseNesting(`${repo}.${method} outside the transaction`);
      const release = await this.mutex.lock();
      const conn: Conn = { data: new Working(this.committed), closed: false };
      try {
        const result = await this.call(repositoriesOn(this, conn), repo, method, args);
        this.committed = conn.data.result();
        return result;
      } finally {
        conn.closed = true;
        release();
      }
    });
  }

  private async call(impl: Repositories, repo: keyof Repositories, method: string, args: unknown[]): Promise<unknown> {
    const name = `${repo}.${method}`;
    this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
    const failure = this.failures.get(name)?.shift();
    if (failure !== undefined) throw failure;
    refuseNul(args);
    const fn = (impl[repo] as unknown as Record<string, AnyMethod>)[method];
    return structuredClone(await fn.apply(impl[repo], structuredClone(args)));
  }

  /** Serialised transactions cannot nest: one would wait for the other forever. Say so instead of hanging. */
  private refuseNesting(what: string): void {
    const open = openConn.getStore();
    if (open !== undefined && !open.closed) {
      throw new Error(
        `${what} was started from inside an open transaction: on Postgres it takes a second connection and does not see (or may wait for) the first one's changes`,
      );
    }
  }

  /** Row locks in the given order: a row another connection holds is waited for. */
  async lockRows(conn: Conn, ids: readonly Key[]): Promise<void> {
    for (const id of ids) {
      while (this.held.has(id)) {
        let wake!: () => void;
        const released = new Promise<void>((resolve) => (wake = resolve));
        this.lockWaiters.set(id, [...(this.lockWaiters.get(id) ?? []), wake]);
        if (conn.lockTimeoutMs === undefined) {
          await released;
          continue;
        }
        let timer: NodeJS.Timeout | undefined;
        const timedOut = await Promise.race([
          released.then(() => false),
          new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), conn.lockTimeoutMs))),
        ]);
        clearTimeout(timer);
        if (timedOut && this.held.has(id)) {
          const waiters = (this.lockWaiters.get(id) ?? []).filter((w) => w !== wake);
          if (waiters.length > 0) this.lockWaiters.set(id, waiters);
          else this.lockWaiters.delete(id);
          throw new LockTimeoutError('canceling statement due to lock timeout');
        }
      }
    }
  }

  isHeld(id: Key): boolean {
    return this.held.has(id);
  }
}

function facade(call: (repo: keyof Repositories, method: string, args: unknown[]) => Promise<unknown>): Repositories {
  const out: Record<string, unknown> = {};
  for (const repo of REPOSITORIES) {
    out[repo] = new Proxy(
      {},
      {
        get: (_target, method) =>
          typeof method === 'string' && typeof (PROTOTYPES[repo] as Record<string, unknown>)[method] === 'function'
            ? (...args: unknown[]) => call(repo, method, args)
            : undefined,
      },
    );
  }
  return out as unknown as Repositories;
}

/** Postgres refuses U+0000 in text and in JSON (22021 / 22P05): any statement carrying one fails. */
function refuseNul(value: unknown, depth = 0): void {
  if (depth > 64) return;
  if (typeof value === 'string') {
    if (value.includes('\u0000')) throw new FakeSqlError('22P05', 'unsupported Unicode escape sequence: \\u0000 cannot be converted to text');
    return;
  }
  if (value === null || typeof value !== 'object' || value instanceof Date) return;
  if (value instanceof Map) {
    for (const [k, v] of value) {
      refuseNul(k, depth + 1);
      refuseNul(v, depth + 1);
    }
    return;
  }
  for (const [k, v] of Object.entries(value)) {
    refuseNul(k, depth + 1);
    refuseNul(v, depth + 1);
  }
}

// ---------------------------------------------------------------------------
// Column types
// ---------------------------------------------------------------------------

const MAX_BIGINT = 2n ** 63n - 1n;
const MIN_BIGINT = -(2n ** 63n);

/** A value cast to `bigint` (`$1::bigint`), normalised as Postgres prints it back. */
function bigint(value: unknown): string {
  if (typeof value !== 'string' && typeof value !== 'number') throw new FakeSqlError('22P02', `invalid input syntax for type bigint: "${String(value)}"`);
  const text = String(value).trim();
  if (!/^[+-]?[0-9]+$/.test(text)) throw new FakeSqlError('22P02', `invalid input syntax for type bigint: "${String(value)}"`);
  const n = BigInt(text);
  if (n > MAX_BIGINT || n < MIN_BIGINT) throw new FakeSqlError('22003', `value "${String(value)}" is out of range for type bigint`);
  return n.toString();
}

const bigintOrNull = (value: unknown): string | null => (value === null || value === undefined ? null : bigint(value));

const bigints = (values: readonly unknown[]): string[] => values.map(bigint);

/** `LIMIT $n`: Postgres refuses a negative or fractional count. */
function checkedLimit(n: number): number {
  if (!Number.isInteger(n)) throw new FakeSqlError('22P02', `invalid input syntax for type bigint: "${n}"`);
  if (n < 0) throw new FakeSqlError('2201W', 'LIMIT must not be negative');
  return n;
}

/** A `timestamptz` read from text; the fake accepts ISO 8601 only (Postgres reads more formats). */
function timestamptz(value: string | null): Date | null {
  if (value === null) return null;
  const iso = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?\s*(Z|[+-]\d{2}(:?\d{2})?)?$/i;
  const date = new Date(value);
  if (!iso.test(value.trim()) || Number.isNaN(date.getTime())) {
    throw new FakeSqlError('22007', `invalid input syntax for type timestamp with time zone: "${value}"`);
  }
  return date;
}

/** A `jsonb` column: what comes back is what JSON can carry. */
function json<T>(value: T): T {
  if (value === undefined) return null as T;
  return JSON.parse(JSON.stringify(value)) as T;
}

/** The list's variable filter, as Postgres compares jsonb: set, or equal as JSON (keys in any order, 150 = 150.0). */
function variableMatches(variables: Variables, filter: { readonly name: string; readonly value?: unknown }): boolean {
  if (!Object.prototype.hasOwnProperty.call(variables, filter.name)) return false;
  if (filter.value === undefined) return true;
  const canonical = (v: unknown): string =>
    JSON.stringify(v, (_k, x: unknown) =>
      x !== null && typeof x === 'object' && !Array.isArray(x)
        ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
        : x,
    );
  return canonical(variables[filter.name]) === canonical(filter.value);
}

function compareKeys(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

const byId = <T extends { readonly id: string }>(a: T, b: T): number => compareKeys(a.id, b.id);

const inTenants = (tenantId: string, tenants: TenantScope): boolean => tenants === undefined || tenants.includes(tenantId);

function unique(table: string, constraint: string): FakeSqlError {
  return new FakeSqlError('23505', `duplicate key value violates unique constraint "${table}_${constraint}"`);
}

function twiceInOneStatement(): FakeSqlError {
  return new FakeSqlError('21000', 'ON CONFLICT DO UPDATE command cannot affect row a second time');
}

// ---------------------------------------------------------------------------
// Repositories
// ---------------------------------------------------------------------------

function repositoriesOn(db: Backend, conn: Conn): Repositories {
  return {
    definitions: new MemoryDefinitions(db, conn),
    decisions: new MemoryDecisions(db, conn),
    forms: new MemoryForms(db, conn),
    startEvents: new MemoryStartEvents(db, conn),
    instances: new MemoryInstances(db, conn),
    inbox: new MemoryInbox(db, conn),
    history: new MemoryHistory(db, conn),
    elementInstances: new MemoryElementInstances(db, conn),
    variables: new MemoryVariables(db, conn),
    jobs: new MemoryJobs(db, conn),
    userTasks: new MemoryUserTasks(db, conn),
    timers: new MemoryTimers(db, conn),
    messages: new MemoryMessages(db, conn),
    signals: new MemorySignals(db, conn),
    incidents: new MemoryIncidents(db, conn),
    idempotency: new MemoryIdempotency(db, conn),
    keyNodes: new MemoryKeyNodes(db, conn),
    batches: new MemoryBatches(db, conn),
    migrations: new MemoryMigrations(db, conn),
    changes: new MemoryChanges(db, conn),
    exports: new MemoryExports(db, conn),
  };
}

abstract class Table {
  constructor(
    protected readonly db: Backend,
    protected readonly conn: Conn,
  ) {}

  protected read<K extends TableName>(name: K): ReadonlyMap<string, TableRows[K]> {
    return this.conn.data.read(name);
  }

  protected write<K extends TableName>(name: K): Map<string, TableRows[K]> {
    return this.conn.data.write(name);
  }

  protected rowsOf<K extends TableName>(name: K): TableRows[K][] {
    return [...this.read(name).values()];
  }

  protected now(): Date {
    return this.db.now();
  }
}

class MemoryDefinitions extends Table implements DefinitionRepository {
  async search(query: SearchQuery<DefinitionSearchField>): Promise<DefinitionSearchRecord[]> {
    return searchRecords(DEFINITION_SEARCH_FIELDS, this.searchable(), { ...query, limit: checkedLimit(query.limit) });
  }

  async count(filter: SearchFilter<DefinitionSearchField>, cap: number): Promise<number> {
    return countRecords(DEFINITION_SEARCH_FIELDS, this.searchable(), filter, cap);
  }

  private searchable(): DefinitionSearchRecord[] {
    const all = this.rowsOf('definitions').filter((d) => d.deletedAt === undefined);
    return all.map((d) => ({
      ...withoutXml(d),
      isLatest: !all.some((n) => n.tenantId === d.tenantId && n.bpmnProcessId === d.bpmnProcessId && n.version > d.version),
    }));
  }

  async lockProcessId(_tenantId: string, _bpmnProcessId: string): Promise<void> {
    // Transactions are serialised: deployments of one process id cannot interleave.
  }

  async latest(tenantId: string, bpmnProcessId: string): Promise<DefinitionRecord | null> {
    const rows = this.rowsOf('definitions').filter((d) => d.tenantId === tenantId && d.bpmnProcessId === bpmnProcessId && d.deletedAt === undefined);
    rows.sort((a, b) => b.version - a.version);
    return rows.length === 0 ? null : withoutXml(rows[0]);
  }

  async byVersion(
    tenantId: string,
    bpmnProcessId: string,
    version: number,
    options: { withDeleted?: boolean } = {},
  ): Promise<DefinitionRecord | null> {
    const row = this.rowsOf('definitions').find(
      (d) =>
        d.tenantId === tenantId &&
        d.bpmnProcessId === bpmnProcessId &&
        d.version === version &&
        (options.withDeleted === true || d.deletedAt === undefined),
    );
    return row === undefined ? null : withoutXml(row);
  }

  async inDeployment(tenantId: string, bpmnProcessId: string, deploymentId: Key): Promise<DefinitionRecord | null> {
    return this.latestWhere(tenantId, bpmnProcessId, (d) => d.deploymentId === bigint(deploymentId));
  }

  async byVersionTag(tenantId: string, bpmnProcessId: string, versionTag: string): Promise<DefinitionRecord | null> {
    return this.latestWhere(tenantId, bpmnProcessId, (d) => d.versionTag === versionTag);
  }

  private latestWhere(tenantId: string, bpmnProcessId: string, test: (d: TableRows['definitions']) => boolean): DefinitionRecord | null {
    const rows = this.rowsOf('definitions').filter(
      (d) => d.tenantId === tenantId && d.bpmnProcessId === bpmnProcessId && d.deletedAt === undefined && test(d),
    );
    rows.sort((a, b) => b.version - a.version);
    return rows.length === 0 ? null : withoutXml(rows[0]);
  }

  async byId(id: Key): Promise<DefinitionWithXml | null> {
    const row = this.read('definitions').get(bigint(id));
    if (row === undefined) return null;
    const { deletedAt: _deletedAt, ...rest } = row;
    return rest;
  }

  async highestVersion(tenantId: string, bpmnProcessId: string): Promise<number> {
    let highest = 0;
    for (const d of this.read('definitions').values()) {
      if (d.tenantId === tenantId && d.bpmnProcessId === bpmnProcessId) highest = Math.max(highest, d.version);
    }
    return highest;
  }

  async markDeleted(id: Key): Promise<DefinitionRecord | null> {
    const table = this.write('definitions');
    const row = table.get(bigint(id));
    if (row === undefined || row.deletedAt !== undefined) return null;
    table.set(row.id, { ...row, deletedAt: this.now() });
    return withoutXml(row);
  }

  async insertDeployment(deployment: { id: Key; tenantId: string }): Promise<void> {
    const id = bigint(deployment.id);
    const table = this.write('deployments');
    if (table.has(id)) throw unique('Deployment', 'pkey');
    table.set(id, { id, tenantId: deployment.tenantId, deployedAt: this.now() });
  }

  async insert(definition: Omit<DefinitionWithXml, 'deployedAt'>): Promise<DefinitionRecord> {
    const id = bigint(definition.id);
    const table = this.write('definitions');
    if (table.has(id)) throw unique('Definition', 'pkey');
    for (const d of table.values()) {
      if (d.tenantId === definition.tenantId && d.bpmnProcessId === definition.bpmnProcessId && d.version === definition.version) {
        throw unique('Definition', 'tenantId_bpmnProcessId_version_key');
      }
    }
    const row: DefinitionWithXml = { ...definition, id, deploymentId: bigintOrNull(definition.deploymentId), deployedAt: this.now() };
    table.set(id, row);
    return withoutXml(row);
  }

  async listLatest(
    page: { readonly limit: number; readonly after?: { readonly bpmnProcessId: string; readonly tenantId: string } },
    tenants: TenantScope,
  ): Promise<DefinitionRecord[]> {
    const latest = new Map<string, DefinitionWithXml>();
    const after = page.after;
    for (const d of this.read('definitions').values()) {
      if (d.deletedAt !== undefined) continue;
      if (
        after !== undefined &&
        !(d.bpmnProcessId > after.bpmnProcessId || (d.bpmnProcessId === after.bpmnProcessId && d.tenantId > after.tenantId))
      ) {
        continue;
      }
      if (!inTenants(d.tenantId, tenants)) continue;
      const k = `${d.bpmnProcessId}\u0001${d.tenantId}`;
      const seen = latest.get(k);
      if (seen === undefined || d.version > seen.version) latest.set(k, d);
    }
    // ORDER BY "bpmnProcessId", "tenantId" (byte order, as the C collation of the test database).
    const rows = [...latest.values()].sort((a, b) =>
      a.bpmnProcessId === b.bpmnProcessId ? (a.tenantId < b.tenantId ? -1 : 1) : a.bpmnProcessId < b.bpmnProcessId ? -1 : 1,
    );
    return rows.slice(0, checkedLimit(page.limit)).map(withoutXml);
  }
}

function withoutXml(row: DefinitionWithXml & { readonly deletedAt?: Date }): DefinitionRecord {
  const { xml: _xml, deletedAt: _deletedAt, ...record } = row;
  return record;
}

class MemoryForms extends Table implements FormRepository {
  private live(tenantId: string, formId: string): TableRows['forms'][] {
    return this.rowsOf('forms')
      .filter((f) => f.tenantId === tenantId && f.formId === formId && f.deletedAt === undefined)
      .sort((a, b) => b.version - a.version);
  }

  async lockFormId(_tenantId: string, _formId: string): Promise<void> {
    // Transactions are serialised: deployments of one form id cannot interleave.
  }

  async latest(tenantId: string, formId: string): Promise<FormRecord | null> {
    const row = this.live(tenantId, formId)[0];
    return row === undefined ? null : withoutSchema(row);
  }

  async highestVersion(tenantId: string, formId: string): Promise<number> {
    const versions = this.rowsOf('forms')
      .filter((f) => f.tenantId === tenantId && f.formId === formId)
      .map((f) => f.version);
    return Math.max(0, ...versions);
  }

  async insert(row: Omit<FormWithSchema, 'deployedAt'>): Promise<FormRecord> {
    const id = bigint(row.id);
    const table = this.write('forms');
    if (table.has(id)) throw unique('FormDefinition', 'pkey');
    for (const f of table.values()) {
      if (f.tenantId === row.tenantId && f.formId === row.formId && f.version === row.version) {
        throw unique('FormDefinition', 'tenantId_formId_version_key');
      }
    }
    const stored = { ...row, id, deploymentId: bigint(row.deploymentId), deployedAt: this.now() };
    table.set(id, stored);
    return withoutSchema(stored);
  }

  async byId(id: Key): Promise<FormWithSchema | null> {
    const row = this.read('forms').get(bigint(id));
    if (row === undefined) return null;
    const { deletedAt: _deletedAt, ...rest } = row;
    return rest;
  }

  async byVersion(tenantId: string, formId: string, version: number): Promise<FormWithSchema | null> {
    const row = this.live(tenantId, formId).find((f) => f.version === version);
    return row === undefined ? null : this.byId(row.id);
  }

  async resolve(tenantId: string, formId: string, binding: Parameters<FormRepository['resolve']>[2]): Promise<FormWithSchema | null> {
    const row = this.live(tenantId, formId).find((f) =>
      binding.bindingType === 'latest'
        ? f.deployedAt.getTime() <= binding.at.getTime()
        : binding.bindingType === 'deployment'
          ? f.deploymentId === bigint(binding.deploymentId)
          : f.versionTag === binding.versionTag,
    );
    return row === undefined ? null : this.byId(row.id);
  }

  async listLatest(
    page: { readonly limit: number; readonly after?: { readonly formId: string; readonly tenantId: string } },
    tenants: TenantScope,
  ): Promise<FormRecord[]> {
    const latest = new Map<string, TableRows['forms']>();
    const after = page.after;
    for (const f of this.read('forms').values()) {
      if (f.deletedAt !== undefined || !inTenants(f.tenantId, tenants)) continue;
      if (after !== undefined && !(f.formId > after.formId || (f.formId === after.formId && f.tenantId > after.tenantId))) continue;
      const k = `${f.formId}\u0001${f.tenantId}`;
      const seen = latest.get(k);
      if (seen === undefined || f.version > seen.version) latest.set(k, f);
    }
    const rows = [...latest.values()].sort((a, b) =>
      a.formId === b.formId ? (a.tenantId < b.tenantId ? -1 : 1) : a.formId < b.formId ? -1 : 1,
    );
    return rows.slice(0, checkedLimit(page.limit)).map(withoutSchema);
  }

  async markDeleted(id: Key): Promise<FormRecord | null> {
    const table = this.write('forms');
    const row = table.get(bigint(id));
    if (row === undefined || row.deletedAt !== undefined) return null;
    table.set(row.id, { ...row, deletedAt: this.now() });
    return withoutSchema(row);
  }
}

function withoutSchema(row: FormWithSchema & { readonly deletedAt?: Date }): FormRecord {
  const { schema: _schema, deletedAt: _deletedAt, ...record } = row;
  return record;
}

class MemoryDecisions extends Table implements DecisionRepository {
  /** Rows not deleted: every read but the highest version sees only these, as the Postgres queries do. */
  private liveRequirements(): TableRows['decisionRequirements'][] {
    return this.rowsOf('decisionRequirements').filter((r) => r.deletedAt === undefined);
  }

  private liveDecisions(): TableRows['decisionDefinitions'][] {
    return this.rowsOf('decisionDefinitions').filter((d) => d.deletedAt === undefined);
  }

  async highestRequirementsVersion(tenantId: string, decisionRequirementsId: string): Promise<number> {
    const versions = this.rowsOf('decisionRequirements')
      .filter((r) => r.tenantId === tenantId && r.decisionRequirementsId === decisionRequirementsId)
      .map((r) => r.version);
    return Math.max(0, ...versions);
  }

  async highestDecisionVersion(tenantId: string, decisionId: string): Promise<number> {
    const versions = this.rowsOf('decisionDefinitions')
      .filter((d) => d.tenantId === tenantId && d.decisionId === decisionId)
      .map((d) => d.version);
    return Math.max(0, ...versions);
  }

  async markRequirementsDeleted(id: Key): Promise<{ requirements: DecisionRequirementsRecord; decisions: DecisionDefinitionRecord[] } | null> {
    const table = this.write('decisionRequirements');
    const row = table.get(bigint(id));
    if (row === undefined || row.deletedAt !== undefined) return null;
    const now = this.now();
    table.set(row.id, { ...row, deletedAt: now });
    const decisions = this.write('decisionDefinitions');
    const marked: DecisionDefinitionRecord[] = [];
    for (const d of [...decisions.values()]) {
      if (d.decisionRequirementsKey !== row.id || d.deletedAt !== undefined) continue;
      decisions.set(d.id, { ...d, deletedAt: now });
      marked.push(d);
    }
    return { requirements: requirementsWithoutXml(row), decisions: marked };
  }

  async lockRequirementsId(_tenantId: string, _decisionRequirementsId: string): Promise<void> {
    // Transactions are serialised: deployments cannot interleave.
  }

  async latestRequirements(tenantId: string, decisionRequirementsId: string): Promise<DecisionRequirementsRecord | null> {
    const rows = this.liveRequirements().filter((r) => r.tenantId === tenantId && r.decisionRequirementsId === decisionRequirementsId);
    rows.sort((a, b) => b.version - a.version);
    return rows.length === 0 ? null : requirementsWithoutXml(rows[0]);
  }

  async requirementsById(id: Key): Promise<DecisionRequirementsWithXml | null> {
    const row = this.read('decisionRequirements').get(bigint(id));
    return row === undefined || row.deletedAt !== undefined ? null : row;
  }

  async insertRequirements(row: Omit<DecisionRequirementsWithXml, 'deployedAt'>): Promise<DecisionRequirementsRecord> {
    const id = bigint(row.id);
    const table = this.write('decisionRequirements');
    if (table.has(id)) throw unique('DecisionRequirements', 'pkey');
    for (const r of table.values()) {
      if (r.tenantId === row.tenantId && r.decisionRequirementsId === row.decisionRequirementsId && r.version === row.version) {
        throw unique('DecisionRequirements', 'tenantId_decisionRequirementsId_versio_key');
      }
    }
    const stored: DecisionRequirementsWithXml = { ...row, id, deploymentId: bigint(row.deploymentId), deployedAt: this.now() };
    table.set(id, stored);
    return requirementsWithoutXml(stored);
  }

  private latestOf(rows: DecisionDefinitionRecord[]): DecisionDefinitionRecord | null {
    rows.sort((a, b) => b.version - a.version);
    return rows[0] ?? null;
  }

  async latestDecision(tenantId: string, decisionId: string): Promise<DecisionDefinitionRecord | null> {
    return this.latestOf(this.liveDecisions().filter((d) => d.tenantId === tenantId && d.decisionId === decisionId));
  }

  async decisionByVersion(tenantId: string, decisionId: string, version: number): Promise<DecisionDefinitionRecord | null> {
    return this.latestOf(
      this.liveDecisions().filter((d) => d.tenantId === tenantId && d.decisionId === decisionId && d.version === version),
    );
  }

  async decisionByVersionTag(tenantId: string, decisionId: string, versionTag: string): Promise<DecisionDefinitionRecord | null> {
    return this.latestOf(
      this.liveDecisions().filter((d) => d.tenantId === tenantId && d.decisionId === decisionId && d.versionTag === versionTag),
    );
  }

  async decisionInDeployment(tenantId: string, decisionId: string, deploymentId: Key): Promise<DecisionDefinitionRecord | null> {
    const deployment = bigint(deploymentId);
    return this.latestOf(
      this.liveDecisions().filter((d) => d.tenantId === tenantId && d.decisionId === decisionId && d.deploymentId === deployment),
    );
  }

  async decisionById(id: Key): Promise<DecisionDefinitionRecord | null> {
    const row = this.read('decisionDefinitions').get(bigint(id));
    return row === undefined || row.deletedAt !== undefined ? null : row;
  }

  async decisionsOf(decisionRequirementsKey: Key): Promise<DecisionDefinitionRecord[]> {
    const key = bigint(decisionRequirementsKey);
    return this.liveDecisions()
      .filter((d) => d.decisionRequirementsKey === key)
      .sort(byId);
  }

  async insertDecisions(rows: readonly Omit<DecisionDefinitionRecord, 'deployedAt'>[]): Promise<DecisionDefinitionRecord[]> {
    const table = this.write('decisionDefinitions');
    const now = this.now();
    const out: DecisionDefinitionRecord[] = [];
    for (const row of rows) {
      const id = bigint(row.id);
      if (table.has(id)) throw unique('DecisionDefinition', 'pkey');
      for (const d of table.values()) {
        if (d.tenantId === row.tenantId && d.decisionId === row.decisionId && d.version === row.version) {
          throw unique('DecisionDefinition', 'tenantId_decisionId_version_key');
        }
      }
      const stored: DecisionDefinitionRecord = {
        ...row,
        id,
        deploymentId: bigint(row.deploymentId),
        decisionRequirementsKey: bigint(row.decisionRequirementsKey),
        deployedAt: now,
      };
      table.set(id, stored);
      out.push(stored);
    }
    return out;
  }

  async listLatest(
    page: { readonly limit: number; readonly after?: { readonly decisionId: string; readonly tenantId: string } },
    tenants: TenantScope,
  ): Promise<DecisionDefinitionRecord[]> {
    const latest = new Map<string, DecisionDefinitionRecord>();
    const after = page.after;
    for (const d of this.liveDecisions()) {
      if (after !== undefined && !(d.decisionId > after.decisionId || (d.decisionId === after.decisionId && d.tenantId > after.tenantId))) continue;
      if (!inTenants(d.tenantId, tenants)) continue;
      const k = `${d.decisionId}\u0001${d.tenantId}`;
      const seen = latest.get(k);
      if (seen === undefined || d.version > seen.version) latest.set(k, d);
    }
    // ORDER BY "decisionId", "tenantId" (byte order, as the C collation of the test database).
    const rows = [...latest.values()].sort((a, b) =>
      a.decisionId === b.decisionId ? (a.tenantId < b.tenantId ? -1 : 1) : a.decisionId < b.decisionId ? -1 : 1,
    );
    return rows.slice(0, checkedLimit(page.limit));
  }

  async insertInstances(rows: readonly Omit<DecisionInstanceRecord, 'evaluatedAt'>[]): Promise<void> {
    const table = this.write('decisionInstances');
    const now = this.now();
    for (const row of rows) {
      const id = bigint(row.id);
      if (table.has(id)) throw unique('DecisionInstance', 'pkey');
      table.set(id, {
        ...row,
        id,
        processInstanceId: bigintOrNull(row.processInstanceId),
        elementInstanceId: bigintOrNull(row.elementInstanceId),
        decisionKey: bigint(row.decisionKey),
        decisionRequirementsKey: bigint(row.decisionRequirementsKey),
        output: json(row.output),
        evaluatedDecisions: json(row.evaluatedDecisions),
        evaluatedAt: now,
      });
    }
  }

  async instancesOf(processInstanceId: Key): Promise<DecisionInstanceRecord[]> {
    const key = bigint(processInstanceId);
    return this.rowsOf('decisionInstances')
      .filter((d) => d.processInstanceId === key)
      .sort(byId);
  }

  async searchDefinitions(query: SearchQuery<DecisionDefinitionSearchField>): Promise<DecisionDefinitionRecord[]> {
    return searchRecords(DECISION_DEFINITION_SEARCH_FIELDS, this.liveDecisions(), { ...query, limit: checkedLimit(query.limit) });
  }

  async countDefinitions(filter: SearchFilter<DecisionDefinitionSearchField>, cap: number): Promise<number> {
    return countRecords(DECISION_DEFINITION_SEARCH_FIELDS, this.liveDecisions(), filter, cap);
  }

  async searchRequirements(query: SearchQuery<DecisionRequirementsSearchField>): Promise<DecisionRequirementsRecord[]> {
    const rows = this.liveRequirements().map(requirementsWithoutXml);
    return searchRecords(DECISION_REQUIREMENTS_SEARCH_FIELDS, rows, { ...query, limit: checkedLimit(query.limit) });
  }

  async countRequirements(filter: SearchFilter<DecisionRequirementsSearchField>, cap: number): Promise<number> {
    return countRecords(DECISION_REQUIREMENTS_SEARCH_FIELDS, this.liveRequirements(), filter, cap);
  }

  async searchInstances(query: SearchQuery<DecisionInstanceSearchField>): Promise<DecisionInstanceSearchRecord[]> {
    return searchRecords(DECISION_INSTANCE_SEARCH_FIELDS, this.instanceRecords(), { ...query, limit: checkedLimit(query.limit) });
  }

  async countInstances(filter: SearchFilter<DecisionInstanceSearchField>, cap: number): Promise<number> {
    return countRecords(DECISION_INSTANCE_SEARCH_FIELDS, this.instanceRecords(), filter, cap);
  }

  /** As the store's join: the decision's name (else its id), the evaluating instance's definition. */
  private instanceRecords(): DecisionInstanceSearchRecord[] {
    const decisions = this.read('decisionDefinitions');
    const instances = this.read('instances');
    return this.rowsOf('decisionInstances').map((d) => ({
      ...d,
      decisionName: decisions.get(d.decisionKey)?.name ?? d.decisionId,
      processDefinitionId: d.processInstanceId === null ? null : (instances.get(d.processInstanceId)?.definitionId ?? null),
    }));
  }
}

function requirementsWithoutXml(row: DecisionRequirementsWithXml): DecisionRequirementsRecord {
  const { xml: _xml, ...record } = row;
  return record;
}

class MemoryStartEvents extends Table implements StartEventRepository {
  async replace(tenantId: string, bpmnProcessId: string, rows: readonly StartEventRecord[]): Promise<void> {
    const table = this.write('startEvents');
    for (const [id, row] of table) if (row.tenantId === tenantId && row.bpmnProcessId === bpmnProcessId) table.delete(id);
    const now = this.now();
    for (const row of rows) {
      const id = bigint(row.id);
      if (table.has(id)) throw unique('StartSubscription', 'pkey');
      const definitionId = bigint(row.definitionId);
      for (const other of table.values()) {
        if (other.definitionId === definitionId && other.elementId === row.elementId) throw unique('StartSubscription', 'definitionId_elementId_key');
      }
      table.set(id, { ...row, id, definitionId, createdAt: now });
    }
  }

  async find(tenantId: string, kind: StartEventKind, name: string): Promise<StartEventRecord[]> {
    return this.rowsOf('startEvents')
      .filter((s) => s.tenantId === tenantId && s.kind === kind && s.name === name)
      .sort((a, b) => (a.bpmnProcessId === b.bpmnProcessId ? 0 : a.bpmnProcessId < b.bpmnProcessId ? -1 : 1))
      .map(({ createdAt: _createdAt, ...record }) => record);
  }

  async ofKind(tenantId: string, kind: StartEventKind, definitionId?: string): Promise<StartEventRecord[]> {
    return this.rowsOf('startEvents')
      .filter((s) => s.tenantId === tenantId && s.kind === kind && (definitionId === undefined || String(s.definitionId) === definitionId))
      .sort((a, b) => (a.bpmnProcessId === b.bpmnProcessId ? (a.elementId < b.elementId ? -1 : 1) : a.bpmnProcessId < b.bpmnProcessId ? -1 : 1))
      .map(({ createdAt: _createdAt, ...record }) => record);
  }
}

function instanceRecord(row: InstanceRow): InstanceRecord {
  // As the Postgres repository: the variables are the root scope of the state.
  return {
    id: row.id,
    tenantId: row.tenantId,
    definitionId: row.definitionId,
    bpmnProcessId: row.bpmnProcessId,
    processVersion: row.processVersion,
    status: row.status,
    businessKey: row.businessKey,
    variables: processVariables(row.state),
    state: row.state,
    parentInstanceId: row.parentInstanceId,
    parentElementInstanceId: row.parentElementInstanceId,
    stepFailures: row.stepFailures,
    startedAt: row.startedAt,
    endedAt: row.endedAt,
  };
}

function newInstanceRow(instance: NewInstanceRecord, at: Date): InstanceRow {
  const state = json(instance.state);
  return {
    id: bigint(instance.id),
    tenantId: instance.tenantId,
    definitionId: bigint(instance.definitionId),
    bpmnProcessId: instance.bpmnProcessId,
    processVersion: instance.processVersion,
    status: 'ACTIVE',
    businessKey: instance.businessKey,
    variables: json(processVariables(instance.state)),
    state,
    rev: 0,
    parentInstanceId: bigintOrNull(instance.parentInstanceId),
    parentElementInstanceId: bigintOrNull(instance.parentElementInstanceId),
    pendingSince: at,
    stepFailures: 0,
    startedAt: at,
    endedAt: null,
  };
}

function insertInstances(table: Map<string, InstanceRow>, instances: readonly NewInstanceRecord[], at: Date): void {
  const rows = instances.map((i) => newInstanceRow(i, at));
  const ids = new Set<string>();
  for (const row of rows) {
    if (table.has(row.id) || ids.has(row.id)) throw unique('ProcessInstance', 'pkey');
    ids.add(row.id);
  }
  for (const row of rows) table.set(row.id, row);
}

class MemoryInstances extends Table implements InstanceRepository {
  async search(query: SearchQuery<InstanceSearchField>): Promise<InstanceSearchRecord[]> {
    return searchRecords(INSTANCE_SEARCH_FIELDS, this.searchable(), { ...query, limit: checkedLimit(query.limit) });
  }

  async count(filter: SearchFilter<InstanceSearchField>, cap: number): Promise<number> {
    return countRecords(INSTANCE_SEARCH_FIELDS, this.searchable(), filter, cap);
  }

  /** As the search's join reads them: the definition's name and tag, whether an incident is open. */
  private searchable(): InstanceSearchRecord[] {
    const definitions = this.read('definitions');
    const open = new Set(
      this.rowsOf('incidents')
        .filter((i) => i.resolvedAt === null)
        .map((i) => i.instanceId),
    );
    return this.rowsOf('instances').map((r) => {
      const definition = definitions.get(r.definitionId);
      return {
        id: r.id,
        tenantId: r.tenantId,
        definitionId: r.definitionId,
        bpmnProcessId: r.bpmnProcessId,
        processVersion: r.processVersion,
        status: r.status,
        businessKey: r.businessKey,
        parentInstanceId: r.parentInstanceId,
        parentElementInstanceId: r.parentElementInstanceId,
        startedAt: r.startedAt,
        endedAt: r.endedAt,
        definitionName: definition?.name ?? null,
        versionTag: definition?.versionTag ?? null,
        hasIncident: open.has(r.id),
      };
    });
  }

  async insertNew(instances: readonly NewInstanceRecord[], now: Date): Promise<void> {
    insertInstances(this.write('instances'), instances, now);
  }

  async lockForStep(ids: readonly Key[], mode: 'skip' | 'wait'): Promise<InstanceRecord[]> {
    const rows = this.existingRows(bigints(ids));
    if (mode === 'skip') return rows.filter((r) => !this.db.isHeld(r.id)).map(instanceRecord);
    await this.db.lockRows(
      this.conn,
      rows.map((r) => r.id),
    );
    // Re-read after the wait, as Postgres re-checks the row it waited for.
    return this.existingRows(rows.map((r) => r.id)).map(instanceRecord);
  }

  async existing(ids: readonly Key[]): Promise<Key[]> {
    return this.existingRows(bigints(ids)).map((r) => r.id);
  }

  async lock(ids: readonly Key[]): Promise<TouchedInstance[]> {
    const rows = this.existingRows([...new Set(bigints(ids))]);
    await this.db.lockRows(
      this.conn,
      rows.map((r) => r.id),
    );
    const locked: TouchedInstance[] = [];
    for (const { id } of rows) {
      const row = this.read('instances').get(id);
      if (row !== undefined) locked.push({ id, tenantId: row.tenantId, status: row.status, variables: row.variables });
    }
    return locked;
  }

  async recordStepFailure(id: Key): Promise<number> {
    const table = this.write('instances');
    const row = table.get(bigint(id));
    if (row === undefined) return 0;
    table.set(row.id, { ...row, stepFailures: row.stepFailures + 1 });
    return row.stepFailures + 1;
  }

  async liveChildrenOf(parentElementInstanceIds: readonly Key[]): Promise<Key[]> {
    const parents = new Set(bigints(parentElementInstanceIds));
    return this.rowsOf('instances')
      .filter((r) => r.parentElementInstanceId !== null && parents.has(r.parentElementInstanceId) && (r.status === 'ACTIVE' || r.status === 'SUSPENDED'))
      .map((r) => r.id);
  }

  async get(id: Key): Promise<InstanceRecord | null> {
    const row = this.read('instances').get(bigint(id));
    return row === undefined ? null : instanceRecord(row);
  }

  async list(query: InstanceRecordQuery): Promise<InstanceSummaryRecord[]> {
    const cursor = query.cursor === undefined ? undefined : BigInt(bigint(query.cursor));
    return this.rowsOf('instances')
      .filter(
        (r) =>
          inTenants(r.tenantId, query.tenants) &&
          (query.status === undefined || r.status === query.status) &&
          (query.bpmnProcessId === undefined || r.bpmnProcessId === query.bpmnProcessId) &&
          (query.businessKey === undefined || r.businessKey === query.businessKey) &&
          (query.version === undefined || r.processVersion === query.version) &&
          (query.startedFrom === undefined || new Date(r.startedAt).getTime() >= query.startedFrom.getTime()) &&
          (query.startedTo === undefined || new Date(r.startedAt).getTime() < query.startedTo.getTime()) &&
          (query.hasIncident === undefined ||
            this.rowsOf('incidents').some((i) => i.instanceId === r.id && i.resolvedAt === null) === query.hasIncident) &&
          (query.variable === undefined || variableMatches(processVariables(r.state), query.variable)) &&
          (cursor === undefined || BigInt(r.id) < cursor),
      )
      .sort((a, b) => compareKeys(b.id, a.id))
      .slice(0, checkedLimit(query.limit))
      .map((r) => ({
        id: r.id,
        tenantId: r.tenantId,
        definitionId: r.definitionId,
        bpmnProcessId: r.bpmnProcessId,
        processVersion: r.processVersion,
        status: r.status,
        businessKey: r.businessKey,
        parentInstanceId: r.parentInstanceId,
        startedAt: r.startedAt,
        endedAt: r.endedAt,
      }));
  }

  async states(ids: readonly Key[]): Promise<Map<Key, InstanceState>> {
    return new Map(this.existingRows(bigints(ids)).map((r) => [r.id, r.state]));
  }

  async claimOverdue(olderThanSeconds: number, limit: number): Promise<Key[]> {
    const now = this.now();
    const cutoff = now.getTime() - olderThanSeconds * 1000;
    const instances = this.read('instances');
    const pending = this.rowsOf('instances')
      .filter((r) => r.pendingSince !== null && r.pendingSince.getTime() <= cutoff && r.status === 'ACTIVE')
      .sort((a, b) => (a.pendingSince as Date).getTime() - (b.pendingSince as Date).getTime())
      .slice(0, checkedLimit(limit))
      .map((r) => r.id);
    const withEvents: string[] = [];
    for (const e of this.read('inbox').values()) {
      if (e.createdAt.getTime() <= cutoff && !withEvents.includes(e.instanceId) && withEvents.length < checkedLimit(limit)) withEvents.push(e.instanceId);
    }
    const commandsWaiting = (id: Key): boolean => [...this.read('inbox').values()].some((e) => e.instanceId === id && isCommand(e.event));
    const picked = [...new Set([...pending, ...withEvents])]
      .map((id) => instances.get(id))
      .filter((r): r is InstanceRow => r !== undefined)
      .filter(
        (r) =>
          (r.status === 'ACTIVE' || (r.status === 'SUSPENDED' && commandsWaiting(r.id))) &&
          (r.pendingSince === null || r.pendingSince.getTime() <= cutoff) &&
          !this.db.isHeld(r.id),
      )
      .sort(byId);
    const table = this.write('instances');
    for (const r of picked) table.set(r.id, { ...r, pendingSince: now });
    return picked.map((r) => r.id);
  }

  private existingRows(ids: readonly Key[]): InstanceRow[] {
    const table = this.read('instances');
    return ids
      .map((id) => table.get(id))
      .filter((r): r is InstanceRow => r !== undefined)
      .sort(byId);
  }
}

class MemoryInbox extends Table implements InboxRepository {
  async load(instanceIds: readonly Key[]): Promise<StoredEvent[]> {
    const ids = new Set(bigints(instanceIds));
    return this.rowsOf('inbox')
      .filter((e) => ids.has(e.instanceId))
      .sort(byId)
      .map((e) => ({ id: e.id, instanceId: e.instanceId, event: e.event }));
  }

  async append(events: readonly InboxEvent[]): Promise<void> {
    appendEvents(this.db, this.write('inbox'), events);
    markPending(this.write('instances'), events, this.now());
  }

  async pendingCommands(instanceIds: readonly Key[]): Promise<Map<Key, string[]>> {
    const ids = new Set(bigints(instanceIds));
    const map = new Map<Key, string[]>();
    for (const e of this.rowsOf('inbox').sort(byId)) {
      if (!ids.has(e.instanceId) || !isCommand(e.event)) continue;
      map.set(e.instanceId, [...(map.get(e.instanceId) ?? []), e.event.type]);
    }
    return map;
  }
}

/** Event export's outbox: the memory store reads for it but keeps no records (export runs on Postgres). */
class MemoryExports extends Table implements ExportOutboxRepository {
  async append(): Promise<void> {
    throw new Error('the memory store keeps no export outbox');
  }

  async variablesOf(instanceIds: readonly Key[]): Promise<Map<Key, Record<string, unknown>>> {
    const ids = new Set(bigints(instanceIds));
    return new Map(this.rowsOf('instances').filter((r) => ids.has(r.id)).map((r) => [r.id, r.variables]));
  }

  async inboxEvents(ids: readonly string[]): Promise<{ instanceId: Key; event: Record<string, unknown> }[]> {
    const wanted = new Set(ids);
    return this.rowsOf('inbox')
      .filter((e) => wanted.has(e.id))
      .sort(byId)
      .map((e) => ({ instanceId: e.instanceId, event: e.event as unknown as Record<string, unknown> }));
  }
}

/** Instances that received events have work: the sweeper must see them if the announcement is lost. */
function markPending(table: Map<string, InstanceRow>, events: readonly InboxEvent[], at: Date): void {
  for (const id of new Set(events.map((e) => bigint(e.instanceId)))) {
    const row = table.get(id);
    if (row !== undefined && row.pendingSince === null) table.set(id, { ...row, pendingSince: at });
  }
}

function appendEvents(db: Backend, table: Map<string, InboxRow>, events: readonly InboxEvent[]): void {
  const rows = events.map((e) => ({ instanceId: bigint(e.instanceId), event: json(e.event) }));
  const createdAt = db.now();
  for (const row of rows) {
    const id = db.nextEventId();
    table.set(id, { id, instanceId: row.instanceId, event: row.event, createdAt });
  }
}

class MemoryHistory extends Table implements HistoryRepository {
  async page(instanceId: Key, page: PageRequest): Promise<HistoryRecord[]> {
    const id = bigint(instanceId);
    const cursor = page.cursor === undefined ? undefined : BigInt(bigint(page.cursor));
    return this.rowsOf('history')
      .filter((h) => h.instanceId === id && (cursor === undefined || BigInt(h.id) > cursor))
      .sort(byId)
      .slice(0, checkedLimit(page.limit));
  }
}

/** Element instances derived from the history, as the Postgres store derives them. */
class MemoryElementInstances extends Table implements ElementInstanceRepository {
  async search(query: SearchQuery<ElementInstanceSearchField>): Promise<ElementInstanceSearchRecord[]> {
    return searchRecords(ELEMENT_INSTANCE_SEARCH_FIELDS, this.records(), { ...query, limit: checkedLimit(query.limit) });
  }

  async count(filter: SearchFilter<ElementInstanceSearchField>, cap: number): Promise<number> {
    return countRecords(ELEMENT_INSTANCE_SEARCH_FIELDS, this.records(), filter, cap);
  }

  private records(): ElementInstanceSearchRecord[] {
    const instances = this.read('instances');
    const history = this.rowsOf('history').sort(byId);
    const ends = new Map<string, HistoryRecord>();
    for (const h of history) {
      if (h.elementInstanceId !== null && (h.type === 'ELEMENT_COMPLETED' || h.type === 'ELEMENT_TERMINATED')) ends.set(`${h.instanceId}:${h.elementInstanceId}`, h);
    }
    const incidents = this.rowsOf('incidents')
      .filter((i) => i.resolvedAt === null)
      .sort(byId);
    const records: ElementInstanceSearchRecord[] = [];
    for (const h of history) {
      const instance = instances.get(h.instanceId);
      if (h.type !== 'ELEMENT_ACTIVATED' || h.elementInstanceId === null || instance === undefined) continue;
      const end = ends.get(`${h.instanceId}:${h.elementInstanceId}`);
      const incident = incidents.find((i) => i.instanceId === h.instanceId && i.elementInstanceId === h.elementInstanceId);
      records.push({
        // The process itself is keyed by its instance's key, as in Camunda.
        id: h.elementType === 'process' ? h.instanceId : h.elementInstanceId,
        tenantId: instance.tenantId,
        instanceId: h.instanceId,
        definitionId: instance.definitionId,
        bpmnProcessId: instance.bpmnProcessId,
        elementId: h.elementId,
        elementType: h.elementType,
        state: end === undefined ? 'ACTIVE' : end.type === 'ELEMENT_COMPLETED' ? 'COMPLETED' : 'TERMINATED',
        startedAt: h.at,
        endedAt: end?.at ?? null,
        hasIncident: incident !== undefined,
        incidentId: incident?.id ?? null,
      });
    }
    return records;
  }
}

/**
 * Process-scope variables with their keys, as the Postgres store reads them.
 * `value` is JSON.stringify's text, where Postgres prints jsonb (the same for
 * scalars; objects differ in spacing and key order).
 */
class MemoryVariables extends Table implements VariableRepository {
  async search(query: SearchQuery<VariableSearchField>): Promise<VariableSearchRecord[]> {
    return searchRecords(VARIABLE_SEARCH_FIELDS, this.records(), { ...query, limit: checkedLimit(query.limit) });
  }

  async count(filter: SearchFilter<VariableSearchField>, cap: number): Promise<number> {
    return countRecords(VARIABLE_SEARCH_FIELDS, this.records(), filter, cap);
  }

  async assignKeys(
    variables: readonly { readonly instanceId: Key; readonly scopeId: Key; readonly name: string }[],
  ): Promise<Map<string, Key>> {
    const table = this.write('variableKeys');
    const keyOf = new Map([...table.values()].map((k) => [`${k.instanceId}:${k.scopeId}:${k.name}`, k.id]));
    const keys = new Map<string, Key>();
    for (const v of variables) {
      const id = `${v.instanceId}:${v.scopeId}:${v.name}`;
      let key = keyOf.get(id);
      if (key === undefined) {
        key = String(table.size + 1);
        table.set(key, { id: key, instanceId: v.instanceId, scopeId: v.scopeId, name: v.name });
        keyOf.set(id, key);
      }
      keys.set(id, key);
    }
    return keys;
  }

  /** The process scope (keyed by the instance), then each live element instance's local variables, as the Postgres query reads them. */
  private records(): VariableSearchRecord[] {
    const keyOf = new Map(this.rowsOf('variableKeys').map((k) => [`${k.instanceId}:${k.scopeId}:${k.name}`, k.id]));
    return this.rowsOf('instances').flatMap((i) => {
      const scopes: [Key, Record<string, unknown>][] = [[i.id, i.variables]];
      for (const [id, element] of Object.entries(i.state.elements)) {
        if (id !== i.state.rootId && /^[0-9]{1,18}$/.test(id) && element.variables !== undefined) scopes.push([id, element.variables]);
      }
      return scopes.flatMap(([scopeId, variables]) =>
        Object.entries(variables).map(([name, value]) => ({
          id: `${i.id}:${scopeId}:${name}`,
          key: keyOf.get(`${i.id}:${scopeId}:${name}`) ?? null,
          instanceId: i.id,
          scopeId,
          tenantId: i.tenantId,
          name,
          value: JSON.stringify(value),
        })),
      );
    });
  }
}

function jobRecord(row: JobRow): JobRecord {
  const { key: _key, availableAt: _availableAt, createdAt: _createdAt, ...record } = row;
  return record;
}

/** A job as searches see it: with Camunda's kind and listener event, derived as the store derives them. */
type JobSearchRow = JobRecord & { readonly kind: string; readonly listenerEvent: string };
function jobSearchRecord(row: JobRow): JobSearchRow {
  const { kind, listenerEventType } = jobKindOf(row);
  return { ...jobRecord(row), kind, listenerEvent: listenerEventType };
}

class MemoryJobs extends Table implements JobRepository {
  async search(query: SearchQuery<JobSearchField>): Promise<JobRecord[]> {
    const rows = searchRecords(JOB_SEARCH_FIELDS, this.rowsOf('jobs').map(jobSearchRecord), { ...query, limit: checkedLimit(query.limit) });
    return rows.map(({ kind: _kind, listenerEvent: _event, ...record }) => record);
  }

  async count(filter: SearchFilter<JobSearchField>, cap: number): Promise<number> {
    return countRecords(JOB_SEARCH_FIELDS, this.rowsOf('jobs').map(jobSearchRecord), filter, cap);
  }

  async activate(query: ActivateJobsQuery): Promise<(JobRecord & { instanceState: InstanceState | null })[]> {
    const now = this.now().getTime();
    const instances = this.read('instances');
    const picked = this.rowsOf('jobs')
      .filter(
        (j) =>
          j.type === query.type &&
          ((j.state === 'ACTIVATABLE' && j.availableAt.getTime() <= now) ||
            (j.state === 'ACTIVATED' && j.lockExpiresAt !== null && j.lockExpiresAt.getTime() < now)) &&
          inTenants(j.tenantId, query.tenants) &&
          instances.get(j.instanceId)?.status === 'ACTIVE' &&
          !this.db.isHeld(j.id),
      )
      .sort((a, b) => a.availableAt.getTime() - b.availableAt.getTime() || compareKeys(a.id, b.id))
      .slice(0, checkedLimit(query.maxJobs));
    const table = this.write('jobs');
    const lockExpiresAt = new Date(now + query.lockDurationMs);
    const stated = new Set<Key>();
    return picked.map((j) => {
      const next: JobRow = { ...j, state: 'ACTIVATED', workerId: query.workerId, lockExpiresAt };
      table.set(j.id, next);
      // The instance's state on its first job only, as the Postgres statement answers it.
      const first = !stated.has(j.instanceId) && [...picked].filter((o) => o.instanceId === j.instanceId).sort(byId)[0]?.id === j.id;
      if (first) stated.add(j.instanceId);
      return { ...jobRecord(next), instanceState: first ? (instances.get(j.instanceId)?.state ?? null) : null };
    });
  }

  async get(id: Key): Promise<JobRecord | null> {
    const row = this.read('jobs').get(bigint(id));
    return row === undefined ? null : jobRecord(row);
  }

  async instanceIds(jobIds: readonly Key[]): Promise<Key[]> {
    const jobs = this.read('jobs');
    const ids = bigints(jobIds)
      .map((id) => jobs.get(id)?.instanceId)
      .filter((id): id is Key => id !== undefined);
    return [...new Set(ids)];
  }

  async lock(ids: readonly Key[]): Promise<JobRecord[]> {
    const jobs = this.read('jobs');
    const rows = bigints(ids)
      .map((id) => jobs.get(id))
      .filter((j): j is JobRow => j !== undefined)
      .sort(byId);
    await this.db.lockRows(
      this.conn,
      rows.map((j) => j.id),
    );
    return rows
      .map((j) => this.read('jobs').get(j.id))
      .filter((j): j is JobRow => j !== undefined)
      .map((j) => ({ ...jobRecord(j), key: j.key }));
  }

  async withInstances(ids: readonly Key[], lock: 'none' | 'update'): Promise<{ job: JobRecord; instance: TouchedInstance | null }[]> {
    const jobs =
      lock === 'update'
        ? await this.lock(ids)
        : bigints(ids)
            .map((id) => this.read('jobs').get(id))
            .filter((j): j is JobRow => j !== undefined)
            .sort(byId)
            .map((j) => ({ ...jobRecord(j), key: j.key }));
    const instances = this.read('instances');
    return jobs.map((job) => {
      const row = instances.get(job.instanceId);
      return { job, instance: row === undefined ? null : { id: row.id, tenantId: row.tenantId, status: row.status, variables: row.variables } };
    });
  }

  async settle(reports: readonly JobReportWrite[]): Promise<Key[]> {
    const table = this.write('jobs');
    const ended: Key[] = [];
    for (const r of [...reports].sort((a, b) => byId({ id: a.id }, { id: b.id }))) {
      const row = table.get(bigint(r.id));
      // Only jobs still held by the reporting worker; one another connection holds is left out (SKIP LOCKED).
      if (row === undefined || row.state !== 'ACTIVATED' || row.workerId !== r.workerId || this.db.isHeld(row.id)) continue;
      table.set(row.id, { ...row, state: 'COMPLETED', lockExpiresAt: null, outcome: r.outcome, outcomeWorkerId: r.workerId, outcomeDigest: r.digest });
      ended.push(row.id);
    }
    // The instances are not marked pending: the sweeper finds unconsumed inbox rows by themselves.
    const events = reports.filter((r) => ended.includes(bigint(r.id))).map((r) => ({ instanceId: r.instanceId, event: r.event }));
    if (events.length > 0) appendEvents(this.db, this.write('inbox'), events);
    return ended;
  }

  async fail(failure: { id: Key; retries: number; errorMessage: string; backoffMs: number; workerId: string; digest: string }): Promise<void> {
    const table = this.write('jobs');
    const row = table.get(bigint(failure.id));
    if (row === undefined) return;
    const state: JobState = failure.retries > 0 ? 'ACTIVATABLE' : 'FAILED';
    const outcome: JobOutcome = 'FAILED';
    table.set(row.id, {
      ...row,
      state,
      retries: failure.retries,
      errorMessage: failure.errorMessage,
      workerId: null,
      lockExpiresAt: null,
      availableAt: new Date(this.now().getTime() + failure.backoffMs),
      outcome,
      outcomeWorkerId: failure.workerId,
      outcomeDigest: failure.digest,
    });
  }

  async extendLock(id: Key, lockDurationMs: number): Promise<void> {
    const table = this.write('jobs');
    const row = table.get(bigint(id));
    if (row !== undefined) table.set(row.id, { ...row, lockExpiresAt: new Date(this.now().getTime() + lockDurationMs) });
  }

  async updateRetries(id: Key, retries: number): Promise<void> {
    const table = this.write('jobs');
    const row = table.get(bigint(id));
    if (row !== undefined && (row.state === 'ACTIVATABLE' || row.state === 'ACTIVATED' || row.state === 'FAILED')) table.set(row.id, { ...row, retries });
  }
}

/** Open tasks: CREATED, or in a transition waiting for its task listeners. */
const OPEN_TASK_STATES: ReadonlySet<string> = new Set(['CREATED', 'ASSIGNING', 'UPDATING', 'COMPLETING']);

class MemoryUserTasks extends Table implements UserTaskRepository {
  async search(query: SearchQuery<UserTaskSearchField>): Promise<UserTaskRecord[]> {
    return searchRecords(USER_TASK_SEARCH_FIELDS, this.rowsOf('userTasks'), { ...query, limit: checkedLimit(query.limit) });
  }

  async count(filter: SearchFilter<UserTaskSearchField>, cap: number): Promise<number> {
    return countRecords(USER_TASK_SEARCH_FIELDS, this.rowsOf('userTasks'), filter, cap);
  }

  async assign(id: Key, assignee: string | null, allowOverride: boolean): Promise<boolean> {
    const table = this.write('userTasks');
    const task = table.get(bigint(id));
    if (task === undefined || task.state !== 'CREATED') return false;
    if (!allowOverride && task.assignee !== null && task.assignee !== assignee) return false;
    if (this.read('instances').get(task.instanceId)?.status !== 'ACTIVE') return false;
    table.set(task.id, { ...task, assignee });
    return true;
  }

  async list(query: UserTaskQuery): Promise<UserTaskRecord[]> {
    const instanceId = query.instanceId === undefined ? undefined : bigint(query.instanceId);
    const cursor = query.cursor === undefined ? undefined : BigInt(bigint(query.cursor));
    return this.rowsOf('userTasks')
      .filter(
        (t) =>
          OPEN_TASK_STATES.has(t.state) &&
          inTenants(t.tenantId, query.tenants) &&
          (instanceId === undefined || t.instanceId === instanceId) &&
          (query.bpmnProcessId === undefined || t.bpmnProcessId === query.bpmnProcessId) &&
          (query.assignee === undefined || t.assignee === query.assignee) &&
          (query.candidateGroup === undefined || t.candidateGroups.includes(query.candidateGroup)) &&
          (cursor === undefined || BigInt(t.id) > cursor),
      )
      .sort(byId)
      .slice(0, checkedLimit(query.limit));
  }

  async get(id: Key): Promise<UserTaskRecord | null> {
    return this.read('userTasks').get(bigint(id)) ?? null;
  }

  async claim(id: Key, assignee: string): Promise<boolean> {
    const table = this.write('userTasks');
    const task = table.get(bigint(id));
    if (task === undefined || task.state !== 'CREATED' || (task.assignee !== null && task.assignee !== assignee)) return false;
    if (this.read('instances').get(task.instanceId)?.status !== 'ACTIVE') return false;
    table.set(task.id, { ...task, assignee });
    return true;
  }

  async update(id: Key, changes: UserTaskUpdate): Promise<boolean> {
    const table = this.write('userTasks');
    const task = table.get(bigint(id));
    if (task === undefined || task.state !== 'CREATED') return false;
    table.set(task.id, {
      ...task,
      ...(changes.dueDate !== undefined ? { dueDate: timestamptz(changes.dueDate) } : {}),
      ...(changes.followUpDate !== undefined ? { followUpDate: timestamptz(changes.followUpDate) } : {}),
      ...(changes.candidateUsers !== undefined ? { candidateUsers: [...changes.candidateUsers] } : {}),
      ...(changes.candidateGroups !== undefined ? { candidateGroups: [...changes.candidateGroups] } : {}),
      ...(changes.priority !== undefined ? { priority: changes.priority } : {}),
    });
    return true;
  }

  async startTransition(id: Key, state: UserTaskTransitionState): Promise<boolean> {
    const table = this.write('userTasks');
    const task = table.get(bigint(id));
    if (task === undefined || task.state !== 'CREATED') return false;
    table.set(task.id, { ...task, state });
    return true;
  }

  async complete(id: Key, now: Date): Promise<boolean> {
    const table = this.write('userTasks');
    const task = table.get(bigint(id));
    if (task === undefined || task.state !== 'CREATED') return false;
    const state: UserTaskState = 'COMPLETED';
    table.set(task.id, { ...task, state, completedAt: now });
    return true;
  }
}

class MemoryTimers extends Table implements TimerRepository {
  async replaceStartTimers(tenantId: string, bpmnProcessId: string, timers: readonly StartTimerRecord[]): Promise<void> {
    const versions = new Set(
      this.rowsOf('definitions')
        .filter((d) => d.tenantId === tenantId && d.bpmnProcessId === bpmnProcessId)
        .map((d) => d.id),
    );
    const table = this.write('timers');
    for (const t of table.values()) {
      if (t.instanceId === null && t.state === 'SCHEDULED' && t.definitionId !== null && versions.has(t.definitionId)) {
        table.set(t.id, { ...t, state: 'CANCELED' });
      }
    }
    const now = this.now();
    for (const timer of timers) {
      const id = bigint(timer.id);
      if (table.has(id)) throw unique('Timer', 'pkey');
      for (const other of table.values()) if (other.key === timer.key) throw unique('Timer', 'key_key');
      table.set(id, {
        id,
        key: timer.key,
        tenantId: timer.tenantId,
        instanceId: null,
        definitionId: bigint(timer.definitionId),
        ownerInstanceId: null,
        elementId: timer.elementId,
        dueAt: timer.dueAt,
        state: 'SCHEDULED',
        repetitions: timer.repetitions,
        cycle: timer.cycle,
        createdAt: now,
      });
    }
  }

  async peek(withinMs: number): Promise<TimerPeek> {
    const now = this.now().getTime();
    const scheduled = this.rowsOf('timers').filter((t) => t.state === 'SCHEDULED');
    const later = scheduled.map((t) => t.dueAt.getTime() - now).filter((ms) => ms > 0 && ms <= withinMs);
    return { due: scheduled.some((t) => t.dueAt.getTime() <= now), nextInMs: later.length === 0 ? null : Math.min(...later) };
  }

  async claimDue(limit: number): Promise<DueTimer[]> {
    const now = this.now().getTime();
    const instances = this.read('instances');
    const due = this.rowsOf('timers')
      .filter(
        (t) =>
          t.state === 'SCHEDULED' &&
          t.dueAt.getTime() <= now &&
          (t.instanceId === null || instances.get(t.instanceId)?.status === 'ACTIVE') &&
          !this.db.isHeld(t.id),
      )
      .sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime())
      .slice(0, checkedLimit(limit));
    const table = this.write('timers');
    return due.map((t) => {
      table.set(t.id, { ...t, state: 'FIRED' });
      return {
        id: t.id,
        tenantId: t.tenantId,
        instanceId: t.instanceId,
        definitionId: t.definitionId,
        ownerInstanceId: t.ownerInstanceId,
        elementId: t.elementId,
        dueAt: t.dueAt,
        cycle: t.cycle,
        repetitions: t.repetitions,
      };
    });
  }

  async rearm(id: Key, dueAt: Date, repetitions: number | null): Promise<void> {
    const table = this.write('timers');
    const row = table.get(bigint(id));
    if (row !== undefined) table.set(row.id, { ...row, state: 'SCHEDULED', dueAt, repetitions });
  }
}

function subscriptionRecord(row: MessageSubscriptionRow): MessageSubscriptionRecord {
  const { createdAt: _createdAt, ...record } = row;
  return record;
}

class MemoryMessages extends Table implements MessageRepository {
  async isBuffered(tenantId: string, messageId: string): Promise<boolean> {
    const now = this.now().getTime();
    return this.rowsOf('bufferedMessages').some((m) => m.tenantId === tenantId && m.messageId === messageId && m.expiresAt.getTime() > now);
  }

  async candidates(tenantId: string, name: string, correlationKey: string): Promise<MessageSubscriptionRecord[]> {
    const instances = this.read('instances');
    return this.rowsOf('messageSubscriptions')
      .filter(
        (s) =>
          s.tenantId === tenantId &&
          s.messageName === name &&
          s.correlationKey === correlationKey &&
          instances.get(s.instanceId)?.status === 'ACTIVE',
      )
      .sort((a, b) => compareKeys(a.instanceId, b.instanceId) || a.createdAt.getTime() - b.createdAt.getTime())
      .map(subscriptionRecord);
  }

  async consume(subscriptionId: Key, interrupting: boolean): Promise<boolean> {
    const id = bigint(subscriptionId);
    if (!interrupting) return this.read('messageSubscriptions').has(id);
    const table = this.write('messageSubscriptions');
    const target = table.get(id);
    if (target === undefined) return false;
    // Every subscription of the owner goes with it: the trigger ends them all.
    for (const [key, row] of [...table]) {
      if (row.instanceId === target.instanceId && row.ownerInstanceId === target.ownerInstanceId) table.delete(key);
    }
    return true;
  }

  async buffer(message: BufferedMessageRecord): Promise<boolean> {
    const now = this.now();
    const table = this.write('bufferedMessages');
    const id = bigint(message.id);
    const row: BufferedMessageRow = {
      id,
      tenantId: message.tenantId,
      messageId: message.messageId,
      name: message.name,
      correlationKey: message.correlationKey,
      variables: json(message.variables),
      expiresAt: new Date(now.getTime() + message.timeToLiveMs),
      createdAt: now,
    };
    // ON CONFLICT ("tenantId", "messageId"): NULL message ids never conflict.
    const clash = message.messageId === null ? undefined : [...table.values()].find((m) => m.tenantId === message.tenantId && m.messageId === message.messageId);
    if (clash === undefined) {
      if (table.has(id)) throw unique('BufferedMessage', 'pkey');
      table.set(id, row);
      return true;
    }
    // DO UPDATE ... WHERE the buffered one expired: the row keeps its id, takes the new content.
    if (clash.expiresAt.getTime() > now.getTime()) return false;
    table.set(clash.id, { ...row, id: clash.id });
    return true;
  }

  async subscriptionsOf(instanceId: Key): Promise<MessageSubscriptionRecord[]> {
    const id = bigint(instanceId);
    return this.rowsOf('messageSubscriptions')
      .filter((s) => s.instanceId === id && s.ownerInstanceId !== null)
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || compareKeys(a.id, b.id))
      .map(subscriptionRecord);
  }

  async takeBuffered(tenantId: string, name: string, correlationKey: string): Promise<Variables | null> {
    const now = this.now().getTime();
    const [oldest] = this.rowsOf('bufferedMessages')
      .filter((m) => m.tenantId === tenantId && m.name === name && m.correlationKey === correlationKey && m.expiresAt.getTime() > now)
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || compareKeys(a.id, b.id));
    if (oldest === undefined) return null;
    this.write('bufferedMessages').delete(oldest.id);
    return oldest.variables;
  }

  async countBuffered(tenantId: string, names: readonly string[]): Promise<number> {
    const now = this.now().getTime();
    return this.rowsOf('bufferedMessages').filter((m) => m.tenantId === tenantId && m.expiresAt.getTime() > now && names.includes(m.name)).length;
  }

  async deleteSubscriptions(ids: readonly Key[]): Promise<void> {
    const table = this.write('messageSubscriptions');
    for (const id of bigints(ids)) table.delete(id);
  }
}

class MemorySignals extends Table implements SignalRepository {
  async subscribers(tenantId: string, name: string): Promise<SignalSubscriptionRecord[]> {
    const instances = this.read('instances');
    return this.rowsOf('signalSubscriptions')
      .filter((s) => s.tenantId === tenantId && s.signalName === name && instances.get(s.instanceId)?.status === 'ACTIVE')
      .sort((a, b) => compareKeys(a.instanceId, b.instanceId) || a.createdAt.getTime() - b.createdAt.getTime())
      .map((s) => ({ instanceId: s.instanceId, ownerInstanceId: s.ownerInstanceId, elementId: s.elementId }));
  }
}

class MemoryIncidents extends Table implements IncidentRepository {
  async search(query: SearchQuery<IncidentSearchField>): Promise<IncidentRecord[]> {
    return searchRecords(INCIDENT_SEARCH_FIELDS, this.rowsOf('incidents'), { ...query, limit: checkedLimit(query.limit) });
  }

  async count(filter: SearchFilter<IncidentSearchField>, cap: number): Promise<number> {
    return countRecords(INCIDENT_SEARCH_FIELDS, this.rowsOf('incidents'), filter, cap);
  }

  async list(query: IncidentRecordQuery): Promise<IncidentRecord[]> {
    const instanceId = query.instanceId === undefined ? undefined : bigint(query.instanceId);
    const cursor = query.cursor === undefined ? undefined : BigInt(bigint(query.cursor));
    const resolved = query.state === 'RESOLVED';
    return this.rowsOf('incidents')
      .filter(
        (i) =>
          inTenants(i.tenantId, query.tenants) &&
          (instanceId === undefined || i.instanceId === instanceId) &&
          (resolved ? i.resolvedAt !== null : i.resolvedAt === null) &&
          (cursor === undefined || BigInt(i.id) > cursor),
      )
      .sort(byId)
      .slice(0, checkedLimit(query.limit));
  }

  async get(id: Key): Promise<IncidentRecord | null> {
    return this.read('incidents').get(bigint(id)) ?? null;
  }

  async openOf(instanceId: Key): Promise<IncidentRecord[]> {
    const id = bigint(instanceId);
    return this.rowsOf('incidents')
      .filter((i) => i.instanceId === id && i.resolvedAt === null)
      .sort(byId);
  }
}

class MemoryIdempotency extends Table implements IdempotencyRepository {
  async claim(record: { scope: string; key: string; resourceId: Key; answer: unknown; expiresAt: Date }): Promise<unknown | null> {
    const now = this.now();
    const k = `${record.scope}\u0001${record.key}`;
    const table = this.write('idempotency');
    const earlier = table.get(k);
    if (earlier !== undefined && earlier.expiresAt.getTime() > now.getTime()) return earlier.answer;
    table.set(k, {
      scope: record.scope,
      key: record.key,
      resourceId: bigint(record.resourceId),
      answer: json(record.answer),
      expiresAt: record.expiresAt,
      createdAt: now,
    });
    return null;
  }

  async purgeExpired(): Promise<number> {
    const now = this.now().getTime();
    const table = this.write('idempotency');
    let purged = 0;
    for (const [k, row] of table) {
      if (row.expiresAt.getTime() <= now) {
        table.delete(k);
        purged++;
      }
    }
    return purged;
  }
}

class MemoryKeyNodes extends Table implements KeyNodeRepository {
  async claim(owner: string, leaseMs: number, nodes: NodeRange = ALL_NODES): Promise<number | null> {
    const now = this.now().getTime();
    const table = this.write('keyNodes');
    for (let node = nodes.from; node <= nodes.to; node++) {
      const lease = table.get(String(node));
      if (lease !== undefined && lease.leaseUntil.getTime() > now) continue;
      table.set(String(node), { node, owner, leaseUntil: new Date(now + leaseMs) });
      return node;
    }
    return null;
  }

  async renew(node: number, owner: string, leaseMs: number): Promise<boolean> {
    const table = this.write('keyNodes');
    const lease = table.get(String(node));
    if (lease === undefined || lease.owner !== owner) return false;
    table.set(String(node), { ...lease, leaseUntil: new Date(this.now().getTime() + leaseMs) });
    return true;
  }

  async release(node: number, owner: string): Promise<void> {
    const table = this.write('keyNodes');
    if (table.get(String(node))?.owner === owner) table.delete(String(node));
  }
}

/** The Postgres ChangeRepository's statements, in its order, on the maps. */
class MemoryChanges extends Table implements ChangeRepository {
  async apply(changes: ChangeSet): Promise<void> {
    const at = changes.now;
    insertInstances(this.write('instances'), changes.newInstances, at);
    this.updateInstances(changes, at);
    this.appendHistory(changes, at);
    this.jobs(changes, at);
    this.userTasks(changes, at);
    this.timers(changes, at);
    this.subscriptions(changes, at);
    this.incidents(changes, at);
    appendEvents(this.db, this.write('inbox'), changes.events);
    markPending(this.write('instances'), changes.events, at);
    if (changes.consumedEvents.length > 0) {
      const inbox = this.write('inbox');
      for (const id of bigints(changes.consumedEvents)) inbox.delete(id);
    }
    if (changes.idle.length > 0) {
      // A hint that found nothing to do: the mark goes, unless events came in meanwhile.
      const table = this.write('instances');
      const withEvents = new Set(this.rowsOf('inbox').map((e) => e.instanceId));
      for (const id of bigints(changes.idle)) {
        const row = table.get(id);
        if (row === undefined) continue;
        table.set(id, { ...row, stepFailures: 0, pendingSince: withEvents.has(id) ? row.pendingSince : null });
      }
    }
  }

  private updateInstances(changes: ChangeSet, at: Date): void {
    if (changes.instanceUpdates.length === 0) return;
    const table = this.write('instances');
    for (const u of changes.instanceUpdates) {
      const row = table.get(bigint(u.id));
      if (row === undefined) continue;
      table.set(row.id, {
        ...row,
        state: json(u.state),
        variables: json(u.variables),
        status: u.status,
        rev: row.rev + 1,
        stepFailures: 0,
        pendingSince: u.pending ? at : null,
        endedAt: u.ended ? at : row.endedAt,
      });
    }
  }

  private appendHistory(changes: ChangeSet, _at: Date): void {
    const table = this.write('history');
    const rows = changes.history.map((h) => ({
      instanceId: bigint(h.instanceId),
      type: h.type as HistoryType,
      elementId: h.elementId,
      elementType: h.elementType,
      elementInstanceId: bigintOrNull(h.elementInstanceId),
      at: h.at,
    }));
    for (const row of rows) {
      const id = this.db.nextHistoryId();
      table.set(id, { id, ...row });
    }
  }

  private jobs(changes: ChangeSet, at: Date): void {
    const table = this.write('jobs');
    const seen = new Set<string>();
    for (const open of changes.jobs.open) {
      // ON CONFLICT (key) DO UPDATE: the element was activated again (an incident on it was resolved).
      if (seen.has(open.key)) throw twiceInOneStatement();
      seen.add(open.key);
      const existing = [...table.values()].find((j) => j.key === open.key);
      if (existing !== undefined) {
        table.set(existing.id, {
          ...existing,
          state: 'ACTIVATABLE',
          retries: open.retries,
          workerId: null,
          lockExpiresAt: null,
          availableAt: at,
          errorMessage: null,
          outcome: null,
          outcomeWorkerId: null,
          outcomeDigest: null,
        });
        continue;
      }
      const id = bigint(open.id);
      if (table.has(id)) throw unique('Job', 'pkey');
      table.set(id, {
        id,
        key: open.key,
        tenantId: open.tenantId,
        type: open.type,
        instanceId: bigint(open.instanceId),
        elementInstanceId: bigint(open.elementInstanceId),
        elementId: open.elementId,
        definitionId: bigintOrNull(open.definitionId),
        bpmnProcessId: open.bpmnProcessId,
        retries: open.retries,
        state: 'ACTIVATABLE',
        workerId: null,
        lockExpiresAt: null,
        customHeaders: json({ ...open.customHeaders }),
        errorMessage: null,
        outcome: null,
        outcomeWorkerId: null,
        outcomeDigest: null,
        listenerEventType: open.listenerEventType ?? null,
        availableAt: at,
        createdAt: at,
      });
    }
    const close = new Set(changes.jobs.close);
    for (const j of table.values()) {
      if (close.has(j.key) && (j.state === 'ACTIVATABLE' || j.state === 'ACTIVATED' || j.state === 'FAILED')) {
        table.set(j.id, { ...j, state: 'CANCELED', workerId: null, lockExpiresAt: null });
      }
    }
    for (const retry of changes.jobs.retry) {
      // A job incident resolved: the job is activatable again with its new retries.
      for (const j of table.values()) {
        if (j.key === retry.key && j.state === 'FAILED') {
          table.set(j.id, { ...j, state: 'ACTIVATABLE', retries: retry.retries, availableAt: at, errorMessage: null, workerId: null, lockExpiresAt: null });
        }
      }
    }
  }

  private userTasks(changes: ChangeSet, at: Date): void {
    const table = this.write('userTasks');
    const rows = changes.userTasks.open.map((t) => ({
      id: bigint(t.id),
      tenantId: t.tenantId,
      instanceId: bigint(t.instanceId),
      definitionId: bigintOrNull(t.definitionId),
      bpmnProcessId: t.bpmnProcessId,
      elementId: t.elementId,
      name: t.name,
      assignee: t.assignee,
      candidateGroups: [...t.candidateGroups],
      candidateUsers: [...t.candidateUsers],
      formKey: t.formKey,
      dueDate: timestamptz(t.dueDate),
      followUpDate: timestamptz(t.followUpDate),
      priority: t.priority ?? 50,
      state: 'CREATED' as const,
      createdAt: at,
      completedAt: null,
    }));
    // ON CONFLICT (id) DO NOTHING.
    for (const row of rows) if (!table.has(row.id)) table.set(row.id, row);
    const close = new Set(bigints(changes.userTasks.close));
    for (const t of table.values()) {
      if (close.has(t.id) && OPEN_TASK_STATES.has(t.state)) table.set(t.id, { ...t, state: 'CANCELED', completedAt: at });
    }
    for (const end of changes.userTasks.transitions ?? []) {
      const t = table.get(bigint(end.id));
      if (t === undefined || t.state === 'CREATED' || !OPEN_TASK_STATES.has(t.state)) continue;
      const data = end.task === null ? {} : {
        assignee: end.task.assignee,
        candidateGroups: [...end.task.candidateGroups],
        candidateUsers: [...end.task.candidateUsers],
        dueDate: timestamptz(end.task.dueDate),
        followUpDate: timestamptz(end.task.followUpDate),
        priority: end.task.priority,
      };
      table.set(t.id, { ...t, ...data, state: end.state, completedAt: end.state === 'COMPLETED' ? at : t.completedAt });
    }
  }

  private timers(changes: ChangeSet, at: Date): void {
    const table = this.write('timers');
    const seen = new Set<string>();
    for (const open of changes.timers.open) {
      if (seen.has(open.key)) throw twiceInOneStatement();
      seen.add(open.key);
      // ON CONFLICT (key) DO UPDATE: a timer cycle re-arms under the same key.
      const existing = [...table.values()].find((t) => t.key === open.key);
      if (existing !== undefined) {
        table.set(existing.id, { ...existing, dueAt: open.dueAt, state: 'SCHEDULED' });
        continue;
      }
      const id = bigint(open.id);
      if (table.has(id)) throw unique('Timer', 'pkey');
      table.set(id, {
        id,
        key: open.key,
        tenantId: open.tenantId,
        instanceId: bigint(open.instanceId),
        definitionId: null,
        ownerInstanceId: bigint(open.ownerInstanceId),
        elementId: open.elementId,
        dueAt: open.dueAt,
        state: 'SCHEDULED',
        repetitions: null,
        cycle: null,
        createdAt: at,
      });
    }
    const close = new Set(changes.timers.close);
    for (const t of table.values()) if (close.has(t.key) && t.state === 'SCHEDULED') table.set(t.id, { ...t, state: 'CANCELED' });
  }

  private subscriptions(changes: ChangeSet, at: Date): void {
    const messages = this.write('messageSubscriptions');
    for (const open of changes.messageSubscriptions.open) {
      // ON CONFLICT (key) DO NOTHING.
      if ([...messages.values()].some((s) => s.key === open.key)) continue;
      const id = bigint(open.id);
      if (messages.has(id)) throw unique('MessageSubscription', 'pkey');
      messages.set(id, {
        ...open,
        id,
        instanceId: bigint(open.instanceId),
        ownerInstanceId: bigint(open.ownerInstanceId),
        createdAt: at,
      });
    }
    const closeMessages = new Set(changes.messageSubscriptions.close);
    for (const s of messages.values()) if (closeMessages.has(s.key)) messages.delete(s.id);

    const signals = this.write('signalSubscriptions');
    for (const open of changes.signalSubscriptions.open) {
      if ([...signals.values()].some((s) => s.key === open.key)) continue;
      const id = bigint(open.id);
      if (signals.has(id)) throw unique('SignalSubscription', 'pkey');
      signals.set(id, {
        ...open,
        id,
        instanceId: bigint(open.instanceId),
        ownerInstanceId: bigint(open.ownerInstanceId),
        createdAt: at,
      });
    }
    const closeSignals = new Set(changes.signalSubscriptions.close);
    for (const s of signals.values()) if (closeSignals.has(s.key)) signals.delete(s.id);
  }

  private incidents(changes: ChangeSet, at: Date): void {
    const table = this.write('incidents');
    const resolved = new Set(bigints(changes.resolvedIncidentElements));
    for (const i of table.values()) {
      if (i.resolvedAt === null && i.elementInstanceId !== null && resolved.has(i.elementInstanceId)) table.set(i.id, { ...i, resolvedAt: at });
    }
    // A canceled instance leaves no open incident behind.
    const canceled = new Set(bigints(changes.canceledInstances));
    for (const i of table.values()) if (i.resolvedAt === null && canceled.has(i.instanceId)) table.set(i.id, { ...i, resolvedAt: at });
    const jobs = this.read('jobs');
    for (const incident of changes.incidents) {
      const id = bigint(incident.id);
      if (table.has(id)) throw unique('Incident', 'pkey');
      // A job incident names its job: the job of the element's effect key.
      const job = incident.jobEffectKey === undefined ? undefined : [...jobs.values()].find((j) => j.key === incident.jobEffectKey);
      table.set(id, {
        id,
        tenantId: incident.tenantId,
        instanceId: bigint(incident.instanceId),
        definitionId: bigintOrNull(incident.definitionId),
        bpmnProcessId: incident.bpmnProcessId,
        elementId: incident.elementId,
        elementInstanceId: bigintOrNull(incident.elementInstanceId),
        type: incident.type,
        message: incident.message,
        jobId: job?.id ?? null,
        createdAt: at,
        resolvedAt: null,
      });
    }
  }
}

/** Batches and their items, as PgBatchRepository keeps them. */
/** Process instance migration runs against Postgres only (apps/api/test/migration.e2e-spec.ts). */
class MemoryMigrations extends Table implements InstanceMigrationRepository {
  async rewrite(): Promise<void> {
    throw new Error('the memory store does not rewrite migrated instances');
  }
}

class MemoryBatches extends Table implements BatchRepository {
  async insert(batch: NewBatch): Promise<void> {
    const batches = this.write('batches');
    if (batches.has(bigint(batch.key))) throw unique('BatchOperation', 'pkey');
    const empty = batch.items.length === 0;
    batches.set(bigint(batch.key), {
      key: bigint(batch.key),
      type: batch.type,
      state: empty ? 'COMPLETED' : 'ACTIVE',
      filter: json(batch.filter ?? {}),
      retries: batch.retries,
      ...(batch.migrationPlan == null ? {} : { migrationPlan: json(batch.migrationPlan) }),
      ...(batch.variables == null ? {} : { variables: json(batch.variables) }),
      tenantIds: batch.tenantIds === null ? null : [...batch.tenantIds],
      itemCount: batch.items.length,
      createdAt: this.now(),
      endedAt: empty ? this.now() : null,
    });
    const items = this.write('batchItems');
    for (const item of batch.items) {
      const k = `${bigint(batch.key)}\u0001${bigint(item.itemKey)}`;
      if (items.has(k)) throw unique('BatchOperationItem', 'pkey');
      items.set(k, { batchKey: bigint(batch.key), itemKey: bigint(item.itemKey), instanceId: bigint(item.instanceId), chunk: item.chunk, state: 'PENDING', error: null, processedAt: null });
    }
  }

  async get(key: Key): Promise<BatchRecord | null> {
    const row = this.read('batches').get(bigint(key));
    return row === undefined ? null : this.record(row);
  }

  async list(query: BatchQuery): Promise<BatchRecord[]> {
    return this.rowsOf('batches')
      .filter((b) => query.before === undefined || compareKeys(b.key, query.before) < 0)
      .filter((b) => query.types === undefined || query.types.includes(b.type))
      .filter((b) => query.states === undefined || query.states.includes(b.state))
      .filter((b) => query.keys === undefined || query.keys.includes(b.key))
      .filter((b) => visibleTo(b, query.tenants))
      .sort((a, b) => compareKeys(b.key, a.key))
      .slice(0, query.limit)
      .map((b) => this.record(b));
  }

  async items(query: BatchItemQuery): Promise<BatchItemRecord[]> {
    const after = query.after;
    return this.sortedItems()
      .filter((i) => after === undefined || compareKeys(i.batchKey, after.batchKey) > 0 || (i.batchKey === after.batchKey && compareKeys(i.itemKey, after.itemKey) > 0))
      .filter((i) => query.batchKeys === undefined || query.batchKeys.includes(i.batchKey))
      .filter((i) => query.itemKeys === undefined || query.itemKeys.includes(i.itemKey))
      .filter((i) => query.instanceIds === undefined || query.instanceIds.includes(i.instanceId))
      .filter((i) => query.states === undefined || query.states.includes(i.state))
      .filter((i) => {
        const batch = this.read('batches').get(i.batchKey);
        return batch !== undefined && visibleTo(batch, query.tenants);
      })
      .slice(0, query.limit)
      .map((i) => this.item(i));
  }

  async pendingOfChunk(chunk: BatchChunk): Promise<BatchItemRecord[]> {
    return this.sortedItems()
      .filter((i) => i.batchKey === chunk.batchKey && i.chunk === chunk.chunk && i.state === 'PENDING')
      .map((i) => this.item(i));
  }

  async pendingChunks(): Promise<BatchChunk[]> {
    const seen = new Map<string, BatchChunk>();
    for (const i of this.sortedItems()) {
      if (i.state !== 'PENDING' || this.read('batches').get(i.batchKey)?.state !== 'ACTIVE') continue;
      seen.set(`${i.batchKey}:${i.chunk}`, { batchKey: i.batchKey, chunk: i.chunk });
    }
    return [...seen.values()];
  }

  async settleItem(batchKey: Key, itemKey: Key, state: 'COMPLETED' | 'FAILED', error: string | null): Promise<boolean> {
    const k = `${bigint(batchKey)}\u0001${bigint(itemKey)}`;
    const items = this.write('batchItems');
    const row = items.get(k);
    if (row === undefined || row.state !== 'PENDING') return false;
    items.set(k, { ...row, state, error, processedAt: this.now() });
    return true;
  }

  /** DELETE_PROCESS_INSTANCE batches run against Postgres only (apps/api/test/batch-more.e2e-spec.ts). */
  async deleteEndedInstances(): Promise<{ completed: number; failed: number }> {
    throw new Error('the memory store does not delete instances');
  }

  async cancel(key: Key): Promise<boolean> {
    const batches = this.write('batches');
    const row = batches.get(bigint(key));
    if (row === undefined || (row.state !== 'ACTIVE' && row.state !== 'SUSPENDED')) return false;
    batches.set(row.key, { ...row, state: 'CANCELED', endedAt: this.now() });
    const items = this.write('batchItems');
    for (const [k, item] of items) {
      if (item.batchKey === row.key && item.state === 'PENDING') items.set(k, { ...item, state: 'SKIPPED', processedAt: this.now() });
    }
    return true;
  }

  async changeState(key: Key, from: 'ACTIVE' | 'SUSPENDED', to: 'ACTIVE' | 'SUSPENDED'): Promise<boolean> {
    const batches = this.write('batches');
    const row = batches.get(bigint(key));
    if (row === undefined || row.state !== from) return false;
    batches.set(row.key, { ...row, state: to });
    return true;
  }

  async finishIfDone(key: Key): Promise<boolean> {
    const batches = this.write('batches');
    const row = batches.get(bigint(key));
    if (row === undefined || row.state !== 'ACTIVE') return false;
    const mine = this.rowsOf('batchItems').filter((i) => i.batchKey === row.key);
    if (mine.some((i) => i.state === 'PENDING')) return false;
    batches.set(row.key, { ...row, state: mine.some((i) => i.state === 'FAILED') ? 'PARTIALLY_COMPLETED' : 'COMPLETED', endedAt: this.now() });
    return true;
  }

  private sortedItems(): BatchItemRow[] {
    return this.rowsOf('batchItems').sort((a, b) => compareKeys(a.batchKey, b.batchKey) || compareKeys(a.itemKey, b.itemKey));
  }

  private record(b: BatchRow): BatchRecord {
    const mine = this.rowsOf('batchItems').filter((i) => i.batchKey === b.key);
    const count = (state: BatchItemState) => mine.filter((i) => i.state === state).length;
    return {
      key: b.key,
      type: b.type,
      state: b.state,
      filter: json(b.filter),
      retries: b.retries,
      ...(b.migrationPlan === undefined ? {} : { migrationPlan: json(b.migrationPlan) as BatchRecord['migrationPlan'] }),
      ...(b.variables === undefined ? {} : { variables: json(b.variables) as BatchRecord['variables'] }),
      tenantIds: b.tenantIds,
      createdAt: b.createdAt,
      endedAt: b.endedAt,
      counts: { total: b.itemCount, pending: count('PENDING'), completed: count('COMPLETED'), failed: count('FAILED'), skipped: count('SKIPPED') },
    };
  }

  private item(i: BatchItemRow): BatchItemRecord {
    const type = this.read('batches').get(i.batchKey)?.type ?? 'CANCEL_PROCESS_INSTANCE';
    return { ...i, type };
  }
}

/** Method names per repository (what the facades expose). */
const PROTOTYPES: Record<keyof Repositories, object> = {
  definitions: MemoryDefinitions.prototype,
  decisions: MemoryDecisions.prototype,
  forms: MemoryForms.prototype,
  startEvents: MemoryStartEvents.prototype,
  instances: MemoryInstances.prototype,
  inbox: MemoryInbox.prototype,
  history: MemoryHistory.prototype,
  elementInstances: MemoryElementInstances.prototype,
  variables: MemoryVariables.prototype,
  jobs: MemoryJobs.prototype,
  userTasks: MemoryUserTasks.prototype,
  timers: MemoryTimers.prototype,
  messages: MemoryMessages.prototype,
  signals: MemorySignals.prototype,
  incidents: MemoryIncidents.prototype,
  idempotency: MemoryIdempotency.prototype,
  keyNodes: MemoryKeyNodes.prototype,
  batches: MemoryBatches.prototype,
  migrations: MemoryMigrations.prototype,
  changes: MemoryChanges.prototype,
  exports: MemoryExports.prototype,
};

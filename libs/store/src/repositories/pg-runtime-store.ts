import { LockTimeoutError, StoreUnavailableError, type Repositories, type RuntimeStore, type TransactionOptions } from '@baton/runtime';
import type { Pool } from 'pg';
import type { PrismaClient } from '../generated/prisma/client';
import { PgBatchRepository } from './batch.repository';
import { PgChangeRepository } from './change.repository';
import { PgDecisionRepository } from './decision.repository';
import { PgDefinitionRepository, PgStartEventRepository } from './definition.repository';
import { PgElementInstanceRepository } from './element-instance.repository';
import { PgExportOutboxRepository } from './export.repository';
import { PgFormRepository } from './form.repository';
import { PgIdempotencyRepository, PgKeyNodeRepository } from './idempotency.repository';
import { PgHistoryRepository, PgInboxRepository } from './inbox.repository';
import { PgInstanceRepository } from './instance.repository';
import { PgInstanceMigrationRepository } from './instance-migration.repository';
import { PgJobRepository } from './job.repository';
import { PgIncidentRepository, PgMessageRepository, PgSignalRepository } from './message.repository';
import { poolDb, poolOf, poolTransaction } from './pool-db';
import type { Db } from './sql';
import { PgTimerRepository } from './timer.repository';
import { PgUserTaskRepository } from './user-task.repository';
import { PgVariableRepository } from './variable.repository';

export function repositoriesOn(db: Db): Repositories {
  return {
    definitions: new PgDefinitionRepository(db),
    decisions: new PgDecisionRepository(db),
    forms: new PgFormRepository(db),
    startEvents: new PgStartEventRepository(db),
    instances: new PgInstanceRepository(db),
    inbox: new PgInboxRepository(db),
    history: new PgHistoryRepository(db),
    elementInstances: new PgElementInstanceRepository(db),
    variables: new PgVariableRepository(db),
    jobs: new PgJobRepository(db),
    userTasks: new PgUserTaskRepository(db),
    timers: new PgTimerRepository(db),
    messages: new PgMessageRepository(db),
    signals: new PgSignalRepository(db),
    incidents: new PgIncidentRepository(db),
    idempotency: new PgIdempotencyRepository(db),
    keyNodes: new PgKeyNodeRepository(db),
    batches: new PgBatchRepository(db),
    migrations: new PgInstanceMigrationRepository(db),
    changes: new PgChangeRepository(db),
    exports: new PgExportOutboxRepository(db),
  };
}

export interface PgRuntimeStoreOptions {
  /** How long a transaction may wait for a pooled connection before the caller gets 503. Default 15 s. */
  readonly maxWaitMs?: number;
  /**
   * Whether transactions make sure of READ COMMITTED (default true), which the
   * runtime's locking is written for: a Postgres server may be configured with
   * another default. The server's default is read once; when it is READ
   * COMMITTED (as it is unless changed) transactions ask for nothing, else
   * each asks for the level (a round trip each; safe behind a pooler in
   * transaction mode, where a session setting would not hold). The embedded
   * PGlite is one session with Postgres' default, so its store turns this off.
   */
  readonly setIsolationLevel?: boolean;
}

/**
 * The runtime's store: every repository runs raw SQL. On a Postgres client
 * made by `createPrismaClient` the statements and transactions run on its
 * `pg` pool directly (Prisma's raw-query path costs a worker about a quarter
 * of its CPU, most of it serializing parameters to JSON and back); on any
 * other client (the embedded PGlite) through Prisma's raw queries and
 * interactive transactions. Results are the same either way. Failures that
 * mean "the database is not there or is saturated" become
 * {@link StoreUnavailableError} (HTTP 503 with Retry-After); a row lock not
 * granted within the transaction's lock timeout becomes {@link LockTimeoutError}.
 */
export class PgRuntimeStore implements RuntimeStore {
  readonly repos: Repositories;
  private askForLevel?: Promise<boolean>;
  private readonly pool: Pool | undefined;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly options: PgRuntimeStoreOptions = {},
  ) {
    this.pool = poolOf(prisma);
    this.repos = repositoriesOn(guarded(this.pool === undefined ? prisma : poolDb(this.pool)));
  }

  async transaction<R>(work: (tx: Repositories) => Promise<R>, options: TransactionOptions = {}): Promise<R> {
    try {
      const askForLevel = await this.asksForIsolationLevel();
      const maxWaitMs = this.options.maxWaitMs ?? 15_000;
      const timeoutMs = options.timeoutMs ?? 60_000;
      if (this.pool !== undefined) {
        return await poolTransaction(this.pool, (db) => work(repositoriesOn(db)), {
          maxWaitMs,
          timeoutMs,
          readCommitted: askForLevel,
          lockTimeoutMs: options.lockTimeoutMs,
        });
      }
      return await this.prisma.$transaction(
        async (tx) => {
          if (options.lockTimeoutMs !== undefined) {
            await tx.$executeRawUnsafe(`SET LOCAL lock_timeout = ${Math.max(1, Math.floor(options.lockTimeoutMs))}`);
          }
          return work(repositoriesOn(tx));
        },
        { maxWait: maxWaitMs, timeout: timeoutMs, ...(askForLevel ? { isolationLevel: 'ReadCommitted' as const } : {}) },
      );
    } catch (e) {
      throw classify(e);
    }
  }

  /** Whether transactions must ask for READ COMMITTED: the server's default, read once (again after a failed read). */
  private asksForIsolationLevel(): Promise<boolean> {
    if (this.options.setIsolationLevel === false) return Promise.resolve(false);
    this.askForLevel ??= defaultIsolationLevel(this.prisma).then(
      (level) => level !== 'read committed',
      (e: unknown) => {
        this.askForLevel = undefined;
        throw e;
      },
    );
    return this.askForLevel;
  }
}

/** The isolation level a new transaction gets on this client's connections unless it asks for one. */
export async function defaultIsolationLevel(prisma: PrismaClient): Promise<string> {
  const [row] = await prisma.$queryRawUnsafe<{ level: string }[]>(`SELECT current_setting('default_transaction_isolation') AS level`);
  return row.level;
}

/** The client with its failures classified, for statements outside a transaction. */
function guarded(db: Db): Db {
  return {
    $queryRawUnsafe: <T>(query: string, ...values: unknown[]) =>
      db.$queryRawUnsafe<T>(query, ...values).catch((e: unknown) => Promise.reject(classify(e))),
    $executeRawUnsafe: (query: string, ...values: unknown[]) =>
      db.$executeRawUnsafe(query, ...values).catch((e: unknown) => Promise.reject(classify(e))),
  };
}

/** SQLSTATEs of a database that went away, refuses connections, or is shutting down. */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006', '53300']);
/** Prisma's codes for "cannot reach", "connection closed", "pool timeout", "transaction could not start". */
const UNAVAILABLE_PRISMA = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);
const UNAVAILABLE_NODE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH']);

/** Maps a driver failure to the runtime's typed errors; anything else passes through unchanged. */
export function classify(e: unknown): unknown {
  if (e instanceof LockTimeoutError || e instanceof StoreUnavailableError) return e;
  const codes = errorCodes(e);
  if (codes.has('55P03')) return new LockTimeoutError();
  const message = e instanceof Error ? e.message : String(e);
  const transactionNotStarted = codes.has('P2028') && /start a transaction|Unable to start/i.test(message);
  if (
    transactionNotStarted ||
    [...codes].some((c) => UNAVAILABLE_SQLSTATES.has(c) || UNAVAILABLE_PRISMA.has(c) || UNAVAILABLE_NODE.has(c)) ||
    /Connection terminated|connection is closed|is not queryable|Can't reach database|terminating connection/i.test(message)
  ) {
    return new StoreUnavailableError(`the database is not available: ${message.split('\n')[0].slice(0, 200)}`, e);
  }
  return e;
}

/** Every `code`/`originalCode`/`meta.code` found on the error and its causes. */
function errorCodes(e: unknown): Set<string> {
  const codes = new Set<string>();
  const seen = new Set<unknown>();
  const visit = (value: unknown, depth: number): void => {
    if (value === null || typeof value !== 'object' || seen.has(value) || depth > 6) return;
    seen.add(value);
    const v = value as Record<string, unknown>;
    for (const name of ['code', 'originalCode', 'sqlState']) if (typeof v[name] === 'string') codes.add(v[name] as string);
    visit(v.meta, depth + 1);
    visit(v.cause, depth + 1);
    visit(v.driverAdapterError, depth + 1);
  };
  visit(e, 0);
  return codes;
}

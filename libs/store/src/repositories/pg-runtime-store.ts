import { LockTimeoutError, StoreUnavailableError, type Repositories, type RuntimeStore, type TransactionOptions } from '@baton/runtime';
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
}

/**
 * The runtime's store on Prisma (Postgres through @prisma/adapter-pg, or the
 * embedded PGlite): every repository runs raw SQL on the client or on an
 * interactive transaction, at READ COMMITTED (the session default that
 * `createPrismaClient` gives every connection; PGlite's default). Failures that mean "the database is not there or
 * is saturated" become {@link StoreUnavailableError} (HTTP 503 with
 * Retry-After); a row lock not granted within the transaction's lock timeout
 * becomes {@link LockTimeoutError}.
 */
export class PgRuntimeStore implements RuntimeStore {
  readonly repos: Repositories;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly options: PgRuntimeStoreOptions = {},
  ) {
    this.repos = repositoriesOn(guarded(prisma));
  }

  async transaction<R>(work: (tx: Repositories) => Promise<R>, options: TransactionOptions = {}): Promise<R> {
    try {
      return await this.prisma.$transaction(
        async (tx) => {
          if (options.lockTimeoutMs !== undefined) {
            await tx.$executeRawUnsafe(`SET LOCAL lock_timeout = ${Math.max(1, Math.floor(options.lockTimeoutMs))}`);
          }
          return work(repositoriesOn(tx));
        },
        {
          maxWait: this.options.maxWaitMs ?? 15_000,
          timeout: options.timeoutMs ?? 60_000,
        },
      );
    } catch (e) {
      throw classify(e);
    }
  }
}

/** The client with its failures classified, for statements outside a transaction. */
function guarded(prisma: PrismaClient): Db {
  return {
    $queryRawUnsafe: <T>(query: string, ...values: unknown[]) =>
      prisma.$queryRawUnsafe<T>(query, ...values).catch((e: unknown) => Promise.reject(classify(e))),
    $executeRawUnsafe: (query: string, ...values: unknown[]) =>
      prisma.$executeRawUnsafe(query, ...values).catch((e: unknown) => Promise.reject(classify(e))),
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
    /Connection terminated|connection is closed|Can't reach database|terminating connection/i.test(message)
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

import { visibleVariables, type InstanceState, type Variables } from '@baton/engine';
import type { PrismaClient } from '@baton/store';
import type { WorkPublisher } from '../execution/batch-processor';
import { inTransaction, type Tx } from '../execution/bulk-sql';
import { newId } from '../ids';
import { appendEvents, type TouchedInstance } from '../instances/instance-inbox';
import { isUuid } from '../instances/listing';
import { RuntimeError } from '../runtime-error';
import type { VariableLimits } from '../variable-limits';

export interface ActivateCommand {
  readonly type: string;
  readonly workerId: string;
  readonly maxJobs: number;
  readonly lockDurationMs: number;
  /** Long poll: wait up to this long for a job when none is available (0 or absent: answer at once). */
  readonly requestTimeoutMs?: number;
}

export interface ActivatedJob {
  readonly id: string;
  readonly type: string;
  readonly instanceId: string;
  readonly elementId: string;
  readonly elementInstanceId: string;
  readonly retries: number;
  readonly variables: Variables;
  readonly customHeaders: Record<string, string>;
  readonly lockExpiresAt: string;
}

/** What happened to a job, for `baton_jobs_total{type,outcome}`: reported once the change committed. */
export type JobEventOutcome = 'activated' | 'completed' | 'failed' | 'error' | 'incident';

interface JobRow {
  id: string;
  type: string;
  instanceId: string;
  elementInstanceId: string;
  elementId: string;
  retries: number;
  state: 'ACTIVATABLE' | 'ACTIVATED' | 'FAILED' | 'COMPLETED' | 'CANCELED';
  workerId: string | null;
  lockExpiresAt: Date | null;
  customHeaders: Record<string, string>;
}

type SettleEvent = Parameters<typeof appendEvents>[1][number]['event'];

/** A completion or BPMN error waiting for its group's transaction. */
interface PendingSettle {
  readonly jobId: string;
  readonly workerId: string;
  readonly variables: Variables | undefined;
  readonly outcome: 'completed' | 'error';
  readonly event: (job: JobRow) => SettleEvent;
  readonly resolve: () => void;
  readonly reject: (reason: unknown) => void;
  /** Refused inside the transaction (answered already). */
  settled?: boolean;
}

/**
 * Jobs of service, send and business-rule tasks, leased to workers from
 * Postgres: activation takes up to `maxJobs` activatable jobs of a type with
 * `FOR UPDATE SKIP LOCKED` (concurrent activations never hand out one job
 * twice) and stamps the lease (`workerId`, `lockExpiresAt`). A lease that
 * runs out makes the job activatable again; only the lease holder may
 * complete, fail, throw or extend it. Completion and BPMN errors go to the
 * instance's inbox for a worker to apply; failures only touch the job row
 * until the retries run out, then an incident opens (the dead-letter state).
 */
export class JobService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly publisher: WorkPublisher,
    private readonly limits: VariableLimits,
    private readonly options: {
      pollIntervalMs?: number;
      maxRequestTimeoutMs?: number;
      onOutcome?: (type: string, outcome: JobEventOutcome) => void;
      /** Most completions/BPMN errors written in one transaction. Default 500. */
      maxSettleBatch?: number;
      /** Groups of completions written at once. Default 4. */
      maxSettleInFlight?: number;
    } = {},
  ) {}

  private settleQueue: PendingSettle[] = [];
  private settleScheduled = false;
  private settleInFlight = 0;

  async activate(command: ActivateCommand): Promise<ActivatedJob[]> {
    const timeout = Math.min(command.requestTimeoutMs ?? 0, this.options.maxRequestTimeoutMs ?? 60_000);
    const deadline = Date.now() + timeout;
    for (;;) {
      const jobs = await this.tryActivate(command);
      const left = deadline - Date.now();
      if (jobs.length > 0 || left <= 0) return jobs;
      await sleep(Math.min(this.options.pollIntervalMs ?? 100, left));
    }
  }

  private async tryActivate(command: ActivateCommand): Promise<ActivatedJob[]> {
    const rows = await this.prisma.$queryRawUnsafe<(JobRow & { state: InstanceState })[]>(
      `WITH picked AS (
         SELECT j.id FROM "Job" j
          WHERE j.type = $1
            AND ((j.state = 'ACTIVATABLE' AND j."availableAt" <= now())
                 OR (j.state = 'ACTIVATED' AND j."lockExpiresAt" < now()))
            AND EXISTS (SELECT 1 FROM "ProcessInstance" p WHERE p.id = j."instanceId" AND p.status = 'ACTIVE')
          ORDER BY j."availableAt", j.id
          LIMIT $2
          FOR UPDATE OF j SKIP LOCKED)
       UPDATE "Job" j
          SET state = 'ACTIVATED', "workerId" = $3, "lockExpiresAt" = now() + $4 * interval '1 millisecond'
         FROM picked
        WHERE j.id = picked.id
    RETURNING j.id, j.type, j."instanceId", j."elementInstanceId", j."elementId", j.retries, j."customHeaders", j."lockExpiresAt"`,
      command.type,
      command.maxJobs,
      command.workerId,
      command.lockDurationMs,
    );
    if (rows.length === 0) return [];
    if (this.options.onOutcome !== undefined) for (const row of rows) this.options.onOutcome(row.type, 'activated');
    const states = await this.prisma.$queryRawUnsafe<{ id: string; state: InstanceState }[]>(
      `SELECT id, state FROM "ProcessInstance" WHERE id = ANY($1::uuid[])`,
      [...new Set(rows.map((r) => r.instanceId))],
    );
    const stateOf = new Map(states.map((s) => [s.id, s.state]));
    return rows.map((row) => {
      const state = stateOf.get(row.instanceId);
      return {
        id: row.id,
        type: row.type,
        instanceId: row.instanceId,
        elementId: row.elementId,
        elementInstanceId: row.elementInstanceId,
        retries: row.retries,
        variables: state === undefined ? {} : visibleVariables(state, row.elementInstanceId),
        customHeaders: row.customHeaders,
        lockExpiresAt: (row.lockExpiresAt as Date).toISOString(),
      };
    });
  }

  async complete(jobId: string, command: { workerId: string; variables?: Variables }): Promise<void> {
    this.limits.check(command.variables);
    await this.settle(jobId, command.workerId, command.variables, 'completed', (job) => ({
      type: 'complete',
      elementInstanceId: job.elementInstanceId,
      variables: command.variables ?? {},
    }));
  }

  async throwError(
    jobId: string,
    command: { workerId: string; errorCode: string; errorMessage?: string; variables?: Variables },
  ): Promise<void> {
    this.limits.check(command.variables);
    await this.settle(jobId, command.workerId, command.variables, 'error', (job) => ({
      type: 'throwError',
      elementInstanceId: job.elementInstanceId,
      errorCode: command.errorCode,
      errorMessage: command.errorMessage,
      variables: command.variables,
    }));
  }

  /**
   * A failed attempt: with retries left the job becomes activatable again
   * (after `retryBackoffMs`); at 0 an incident opens and the instance waits.
   */
  async fail(
    jobId: string,
    command: { workerId: string; errorMessage: string; retries?: number; retryBackoffMs?: number },
  ): Promise<void> {
    const outcome = await inTransaction(this.prisma, async (tx) => {
      const job = await this.leased(tx, jobId, command.workerId);
      const retries = Math.max(0, command.retries ?? job.retries - 1);
      if (retries > 0) {
        await tx.$executeRawUnsafe(
          `UPDATE "Job" SET state = 'ACTIVATABLE', retries = $2, "errorMessage" = $3, "workerId" = NULL,
                  "lockExpiresAt" = NULL, "availableAt" = now() + $4 * interval '1 millisecond'
            WHERE id = $1::uuid`,
          jobId,
          retries,
          command.errorMessage,
          Math.max(0, command.retryBackoffMs ?? 0),
        );
        return { type: job.type, outcome: 'failed' as const };
      }
      await tx.$executeRawUnsafe(
        `UPDATE "Job" SET state = 'FAILED', retries = 0, "errorMessage" = $2, "workerId" = NULL, "lockExpiresAt" = NULL
          WHERE id = $1::uuid`,
        jobId,
        command.errorMessage,
      );
      await openJobIncident(tx, job, command.errorMessage);
      return { type: job.type, outcome: 'incident' as const };
    });
    this.options.onOutcome?.(outcome.type, outcome.outcome);
  }

  /** Extends the lease of a job the worker holds. */
  async heartbeat(jobId: string, command: { workerId: string; lockDurationMs: number }): Promise<void> {
    await inTransaction(this.prisma, async (tx) => {
      await this.leased(tx, jobId, command.workerId);
      await tx.$executeRawUnsafe(
        `UPDATE "Job" SET "lockExpiresAt" = now() + $2 * interval '1 millisecond' WHERE id = $1::uuid`,
        jobId,
        command.lockDurationMs,
      );
    });
  }

  /**
   * Ends a leased job and queues the event it produces for the instance, then
   * publishes the instance. Settlements that arrive together travel as one
   * group: one transaction and one publish (see {@link flushSettlements}).
   */
  private settle(
    jobId: string,
    workerId: string,
    variables: Variables | undefined,
    outcome: 'completed' | 'error',
    event: (job: JobRow) => SettleEvent,
  ): Promise<void> {
    if (!isUuid(jobId)) return Promise.reject(RuntimeError.notFound(`job ${jobId}`));
    return new Promise<void>((resolve, reject) => {
      this.settleQueue.push({ jobId, workerId, variables, outcome, event, resolve, reject });
      this.scheduleSettlements();
    });
  }

  private scheduleSettlements(): void {
    const maxInFlight = this.options.maxSettleInFlight ?? 4;
    if (this.settleQueue.length >= (this.options.maxSettleBatch ?? 500) && this.settleInFlight < maxInFlight) {
      void this.flushSettlements();
      return;
    }
    if (this.settleScheduled) return;
    this.settleScheduled = true;
    setImmediate(() => {
      this.settleScheduled = false;
      // At the in-flight limit the queue waits: the next flush to finish drains it.
      if (this.settleInFlight < maxInFlight) void this.flushSettlements();
    });
  }

  /**
   * One group of settlements in one transaction: the instance rows locked
   * first and in id order (the lock order of worker batches: no deadlock),
   * then the job rows; each request is decided on its own (404, 409, 422 do
   * not fail the others); the accepted jobs are marked COMPLETED in one
   * statement, their events inserted in one, their instances marked pending
   * in one. After the commit one publish announces every touched instance.
   */
  private async flushSettlements(): Promise<void> {
    const group = this.settleQueue.splice(0, this.options.maxSettleBatch ?? 500);
    if (group.length === 0) return;
    this.settleInFlight++;
    try {
      let accepted: { request: PendingSettle; job: JobRow }[];
      try {
        accepted = await inTransaction(this.prisma, (tx) => this.settleGroup(tx, group));
      } catch (e) {
        for (const request of group) if (!request.settled) request.reject(e);
        return;
      }
      if (accepted.length === 0) return;
      if (this.options.onOutcome !== undefined) {
        for (const { request, job } of accepted) this.options.onOutcome(job.type, request.outcome);
      }
      try {
        await this.publisher.publish([...new Set(accepted.map((a) => a.job.instanceId))].map((instanceId) => ({ instanceId })));
      } catch (e) {
        for (const { request } of accepted) request.reject(e);
        return;
      }
      for (const { request } of accepted) request.resolve();
    } finally {
      this.settleInFlight--;
      if (this.settleQueue.length > 0) this.scheduleSettlements();
    }
  }

  /** Decides each request of the group inside `tx`; rejects the refused ones (once committed they stay refused). */
  private async settleGroup(tx: Tx, group: PendingSettle[]): Promise<{ request: PendingSettle; job: JobRow }[]> {
    const jobIds = [...new Set(group.map((r) => r.jobId))];
    // Instance rows first, in id order, as a worker batch locks them: no lock-order deadlock.
    const instances = await tx.$queryRawUnsafe<(TouchedInstance & { id: string })[]>(
      `SELECT id, status::text AS status, variables FROM "ProcessInstance"
        WHERE id IN (SELECT "instanceId" FROM "Job" WHERE id = ANY($1::uuid[]))
        ORDER BY id
          FOR UPDATE`,
      jobIds,
    );
    const instanceOf = new Map(instances.map((i) => [i.id, i]));
    const rows = await tx.$queryRawUnsafe<JobRow[]>(
      `SELECT id, type, "instanceId", "elementInstanceId", "elementId", retries, state::text AS state,
              "workerId", "lockExpiresAt", "customHeaders"
         FROM "Job" WHERE id = ANY($1::uuid[])
        ORDER BY id
          FOR UPDATE`,
      jobIds,
    );
    const jobOf = new Map(rows.map((r) => [r.id, { ...r }]));
    const refused: { request: PendingSettle; error: unknown }[] = [];
    const accepted: { request: PendingSettle; job: JobRow }[] = [];
    const events: { instanceId: string; event: SettleEvent }[] = [];
    for (const request of group) {
      const job = jobOf.get(request.jobId);
      try {
        if (job === undefined) throw RuntimeError.notFound(`job ${request.jobId}`);
        const instance = instanceOf.get(job.instanceId);
        if (instance === undefined || instance.status === 'COMPLETED' || instance.status === 'CANCELED') {
          throw RuntimeError.conflict(`job ${request.jobId} belongs to an instance that has ended`);
        }
        checkLease(job, request.workerId);
        this.limits.check(request.variables, instance.variables);
        events.push({ instanceId: job.instanceId, event: request.event(job) });
        accepted.push({ request, job: { ...job } });
        // A second request for the same job in this group finds it settled.
        job.state = 'COMPLETED';
        job.lockExpiresAt = null;
      } catch (e) {
        refused.push({ request, error: e });
      }
    }
    if (accepted.length > 0) {
      await tx.$executeRawUnsafe(
        `UPDATE "Job" SET state = 'COMPLETED', "lockExpiresAt" = NULL WHERE id = ANY($1::uuid[])`,
        accepted.map((a) => a.job.id),
      );
      await appendEvents(tx, events);
      await tx.$executeRawUnsafe(
        `UPDATE "ProcessInstance" SET "pendingSince" = COALESCE("pendingSince", now()) WHERE id = ANY($1::uuid[])`,
        [...new Set(accepted.map((a) => a.job.instanceId))],
      );
    }
    // Refusals do not depend on the commit: answer them now.
    for (const { request, error } of refused) {
      request.settled = true;
      request.reject(error);
    }
    return accepted;
  }

  /** The job, row-locked, if `workerId` holds its lease; 404/409 otherwise. */
  private async leased(tx: Tx, jobId: string, workerId: string): Promise<JobRow> {
    const job = await this.find(tx, jobId, true);
    checkLease(job, workerId);
    return job;
  }

  private async find(tx: Tx, jobId: string, lock: boolean): Promise<JobRow> {
    if (!isUuid(jobId)) throw RuntimeError.notFound(`job ${jobId}`);
    const rows = await tx.$queryRawUnsafe<JobRow[]>(
      `SELECT id, type, "instanceId", "elementInstanceId", "elementId", retries, state::text AS state,
              "workerId", "lockExpiresAt", "customHeaders"
         FROM "Job" WHERE id = $1::uuid${lock ? ' FOR UPDATE' : ''}`,
      jobId,
    );
    if (rows.length === 0) throw RuntimeError.notFound(`job ${jobId}`);
    return rows[0];
  }
}

/** 409 unless `workerId` holds a live lease on `job`. */
function checkLease(job: JobRow, workerId: string): void {
  if (job.state !== 'ACTIVATED') {
    throw RuntimeError.conflict(`job ${job.id} is ${job.state}, not activated`);
  }
  if (job.workerId !== workerId) {
    throw RuntimeError.conflict(`job ${job.id} is locked by another worker, not by '${workerId}'`);
  }
  if (job.lockExpiresAt === null || job.lockExpiresAt.getTime() < Date.now()) {
    throw RuntimeError.conflict(`the lock of '${workerId}' on job ${job.id} has expired`);
  }
}

/** The dead-letter state of a job: an incident on its element, and its history entry. */
async function openJobIncident(tx: Tx, job: JobRow, message: string): Promise<void> {
  const [element] = await tx.$queryRawUnsafe<{ elementType: string | null }[]>(
    `SELECT state->'elements'->$2->>'elementType' AS "elementType" FROM "ProcessInstance" WHERE id = $1::uuid`,
    job.instanceId,
    job.elementInstanceId,
  );
  await tx.$executeRawUnsafe(
    `INSERT INTO "Incident" (id, "instanceId", "elementId", "elementInstanceId", type, message, "jobId")
     VALUES ($1::uuid, $2::uuid, $3, $4::uuid, 'JOB_NO_RETRIES', $5, $6::uuid)`,
    newId(),
    job.instanceId,
    job.elementId,
    job.elementInstanceId,
    message || 'the job failed with no retries left',
    job.id,
  );
  await tx.$executeRawUnsafe(
    `INSERT INTO "HistoryEvent" ("instanceId", type, "elementId", "elementType", "elementInstanceId")
     VALUES ($1::uuid, 'INCIDENT_CREATED', $2, $3, $4::uuid)`,
    job.instanceId,
    job.elementId,
    element?.elementType ?? 'serviceTask',
    job.elementInstanceId,
  );
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

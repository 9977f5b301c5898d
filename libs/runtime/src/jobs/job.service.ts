import { createHash } from 'node:crypto';
import {
  visibleVariables,
  type AdHocJobResult,
  type EngineEvent,
  type InstanceState,
  type ListenerEvent,
  type TaskListenerEvent,
  type Variables,
} from '@baton/engine';
import { MicroBatcher, sleep, type Pending } from '@baton/support';
import type { JobSignal } from './job-signal';
import type { Announcer } from '../execution/announcer';
import { isKey, type Key } from '../keys/key-generator';
import { notify, type JobEventOutcome, type RuntimeObserver } from '../observer';
import type { Repositories, RuntimeStore } from '../ports/repositories';
import {
  isEnded,
  jobKindOf,
  type JobKind,
  type JobListenerEventType,
  type JobOutcome,
  type JobRecord,
  type TenantScope,
  type UserTaskJobResult,
} from '../ports/records';
import { RuntimeError } from '../runtime-error';
import type { VariableLimits } from '../variable-limits';
import { jobFailedRecord, type StepExporter } from '../export/step-exporter';

export interface ActivateCommand {
  readonly type: string;
  readonly workerId: string;
  readonly maxJobs: number;
  readonly lockDurationMs: number;
  /** Long poll: wait up to this long for a job when none is available (0 or absent: answer at once). */
  readonly requestTimeoutMs?: number;
  readonly tenants?: TenantScope;
  /** Only these variables (all when absent). */
  readonly fetchVariables?: readonly string[];
}

export interface ActivatedJob {
  readonly id: Key;
  readonly type: string;
  readonly instanceId: Key;
  readonly elementId: string;
  readonly elementInstanceId: Key;
  readonly definitionId: Key | null;
  readonly bpmnProcessId: string;
  readonly tenantId: string;
  readonly retries: number;
  readonly variables: Variables;
  readonly customHeaders: Record<string, string>;
  readonly lockExpiresAt: string;
  readonly workerId: string;
  /** Camunda 8's job kind: the element's own job or an execution listener's. */
  readonly kind: JobKind;
  readonly listenerEventType: JobListenerEventType | 'UNSPECIFIED';
}

export interface JobServiceOptions {
  readonly observer?: RuntimeObserver;
  /** Longest an activation with nothing to hand out waits before it polls the store again. Default 100 ms. */
  readonly pollIntervalMs?: number;
  /** Wakes a waiting activation as soon as this process commits jobs of its type (see {@link JobSignal}). */
  readonly signal?: JobSignal;
  readonly maxRequestTimeoutMs?: number;
  /** Most completions/BPMN errors written in one transaction. Default 500. */
  readonly maxSettleBatch?: number;
  /** Groups of completions written at once. Default 4. */
  readonly maxSettleInFlight?: number;
  readonly clock?: () => number;
  /** Event export: a failure with retries left is exported here (it moves no instance, so no step exports it). */
  readonly exporter?: StepExporter;
}

/** A completion or BPMN error waiting for its group's transaction. */
interface Settlement {
  readonly jobId: Key;
  /** Absent: the worker holding the lease, or the one that reported the job (see {@link JobService.leaseHolder}). */
  readonly workerId: string | undefined;
  readonly variables: Variables | undefined;
  readonly outcome: 'COMPLETED' | 'ERROR';
  readonly digest: string;
  readonly event: (job: JobRecord) => EngineEvent;
  /** A completion with a user task listener's result (Camunda 8.8's `result: { type: userTask }`). */
  readonly userTaskResult?: UserTaskJobResult;
}

/**
 * Jobs of service, send and business-rule tasks, leased to workers from the
 * store: activation takes up to `maxJobs` activatable jobs of a type (two
 * activations never hand out one job twice) and stamps the lease (`workerId`,
 * `lockExpiresAt`). A lease that runs out makes the job activatable again;
 * only the lease holder may complete, fail, throw or extend it.
 *
 * Completions and BPMN errors go to the instance's inbox for the unit of work
 * to apply; a failure with retries left only touches the job; a failure with
 * none left goes to the inbox too, and the engine raises JOB_NO_RETRIES.
 *
 * Retries are safe: a report repeated by the worker that made it, with the
 * same outcome, is answered as the first was (a worker whose answer was lost
 * can retry); a different worker or a different outcome gets 409 saying why.
 */
export class JobService {
  private readonly closing = new AbortController();
  private readonly observer: RuntimeObserver;
  private readonly clock: () => number;
  private readonly settlements: MicroBatcher<Settlement, void>;

  constructor(
    private readonly store: RuntimeStore,
    private readonly announcer: Announcer,
    private readonly limits: VariableLimits,
    private readonly options: JobServiceOptions = {},
  ) {
    this.observer = options.observer ?? {};
    this.clock = options.clock ?? Date.now;
    this.settlements = new MicroBatcher((group) => this.settleGroup(group), {
      maxBatch: options.maxSettleBatch,
      maxInFlight: options.maxSettleInFlight,
    });
  }

  async activate(command: ActivateCommand): Promise<ActivatedJob[]> {
    const timeout = Math.min(command.requestTimeoutMs ?? 0, this.options.maxRequestTimeoutMs ?? 60_000);
    const deadline = this.clock() + timeout;
    for (;;) {
      const jobs = await this.tryActivate(command);
      const left = deadline - this.clock();
      if (jobs.length > 0 || left <= 0 || this.closing.signal.aborted) return jobs;
      const wait = Math.min(this.options.pollIntervalMs ?? 100, left);
      if (this.options.signal === undefined) await sleep(wait, this.closing.signal);
      else await this.options.signal.wait(command.type, wait, this.closing.signal);
      if (this.closing.signal.aborted) return [];
    }
  }

  /**
   * Ends every long poll at once with no jobs (the process is shutting
   * down): nothing waits on a store that is about to close.
   */
  close(): void {
    this.closing.abort();
  }

  private async tryActivate(command: ActivateCommand): Promise<ActivatedJob[]> {
    const repos = this.store.repos;
    const rows = await repos.jobs.activate({
      type: command.type,
      workerId: command.workerId,
      maxJobs: command.maxJobs,
      lockDurationMs: command.lockDurationMs,
      tenants: command.tenants,
    });
    if (rows.length === 0) return [];
    for (const row of rows) this.outcome(row.type, 'activated');
    const states = new Map<Key, InstanceState>();
    for (const row of rows) if (row.instanceState !== null) states.set(row.instanceId, row.instanceState);
    return rows.map(({ instanceState: _, ...row }) => {
      const state = states.get(row.instanceId);
      const all = state === undefined ? {} : visibleVariables(state, row.elementInstanceId);
      return {
        id: row.id,
        type: row.type,
        instanceId: row.instanceId,
        elementId: row.elementId,
        elementInstanceId: row.elementInstanceId,
        definitionId: row.definitionId,
        bpmnProcessId: row.bpmnProcessId,
        tenantId: row.tenantId,
        retries: row.retries,
        variables: command.fetchVariables === undefined ? all : pick(all, command.fetchVariables),
        customHeaders: row.customHeaders,
        lockExpiresAt: (row.lockExpiresAt as Date).toISOString(),
        workerId: command.workerId,
        ...jobKindOf(row),
      };
    });
  }

  /**
   * `adHocResult`: the job of an ad-hoc subprocess, completed with what the
   * worker decided (Camunda 8.8's job result); check it first with
   * {@link checkAdHocJobResult}.
   */
  async complete(jobId: string, command: { workerId?: string; variables?: Variables; adHocResult?: AdHocJobResult }): Promise<void> {
    this.limits.check(command.variables);
    for (const element of command.adHocResult?.activateElements ?? []) this.limits.check(element.variables);
    const sent = { outcome: 'COMPLETED', variables: command.variables ?? {} };
    await this.settle(jobId, {
      workerId: command.workerId,
      variables: command.variables,
      outcome: 'COMPLETED',
      digest: digest(command.adHocResult === undefined ? sent : { ...sent, result: command.adHocResult }),
      event: (job) => ({
        type: 'complete',
        elementInstanceId: job.elementInstanceId,
        variables: command.variables ?? {},
        ...listenerOf(job),
        ...(command.adHocResult === undefined ? {} : { adHocResult: command.adHocResult }),
        ...adHocJobKey(job),
      }),
    });
  }

  /**
   * Completes a user task listener's job with its result (`corrections`, or
   * for an assigning or completing listener `denied`, which Camunda 8 refuses
   * for `creating`). A job of another kind ignores the result, as in Camunda 8.
   */
  async completeWithUserTaskResult(jobId: string, command: { workerId?: string; variables?: Variables; result: UserTaskJobResult }): Promise<void> {
    this.limits.check(command.variables);
    await this.settle(jobId, {
      workerId: command.workerId,
      variables: command.variables,
      outcome: 'COMPLETED',
      digest: digest({ outcome: 'COMPLETED', variables: command.variables ?? {}, result: command.result }),
      userTaskResult: command.result,
      event: (job) => ({
        type: 'complete',
        elementInstanceId: job.elementInstanceId,
        variables: command.variables ?? {},
        ...listenerOf(job),
        ...(jobKindOf(job).kind === 'TASK_LISTENER' && command.result.corrections !== undefined
          ? { corrections: command.result.corrections }
          : {}),
        ...(jobKindOf(job).kind === 'TASK_LISTENER' && command.result.denied
          ? { denied: true, ...(command.result.deniedReason ? { deniedReason: command.result.deniedReason } : {}) }
          : {}),
      }),
    });
  }

  async throwError(
    jobId: string,
    command: { workerId?: string; errorCode: string; errorMessage?: string; variables?: Variables },
  ): Promise<void> {
    this.limits.check(command.variables);
    await this.settle(jobId, {
      workerId: command.workerId,
      variables: command.variables,
      outcome: 'ERROR',
      digest: digest({ outcome: 'ERROR', errorCode: command.errorCode, errorMessage: command.errorMessage ?? null, variables: command.variables ?? {} }),
      event: (job) => ({
        type: 'throwError',
        elementInstanceId: job.elementInstanceId,
        errorCode: command.errorCode,
        errorMessage: command.errorMessage,
        variables: command.variables,
      }),
    });
  }

  /**
   * A failed attempt: with retries left the job becomes activatable again
   * (after `retryBackoffMs`); at 0 the engine opens a JOB_NO_RETRIES
   * incident and the element waits for it to be resolved.
   */
  async fail(
    jobId: string,
    command: { workerId: string; errorMessage: string; retries?: number; retryBackoffMs?: number },
  ): Promise<void> {
    const key = requireJobKey(jobId);
    const sent = digest({ outcome: 'FAILED', errorMessage: command.errorMessage, retries: command.retries ?? null, backoff: command.retryBackoffMs ?? 0 });
    const outcome = await this.store.transaction(async (tx) => {
      const [instanceId] = await tx.jobs.instanceIds([key]);
      if (instanceId === undefined) throw notFound(key);
      // Instance first, then the job: the lock order of every unit of work.
      const [instance] = await tx.instances.lock([instanceId]);
      const [job] = await tx.jobs.lock([key]);
      if (job === undefined) throw notFound(key);
      if (answeredBefore(job, command.workerId, 'FAILED', sent)) return null;
      checkLease(job, command.workerId, 'FAILED', this.clock());
      const retries = Math.max(0, command.retries ?? job.retries - 1);
      await tx.jobs.fail({
        id: key,
        retries,
        errorMessage: command.errorMessage,
        backoffMs: Math.max(0, command.retryBackoffMs ?? 0),
        workerId: command.workerId,
        digest: sent,
      });
      if (retries > 0) {
        await this.options.exporter?.appendRecords(tx, [jobFailedRecord(job, command.errorMessage, retries, this.clock())]);
        return { type: job.type, outcome: 'failed' as const, announce: false };
      }
      if (instance !== undefined && !isEnded(instance.status)) {
        await tx.inbox.append([
          {
            instanceId,
            event: { type: 'jobFailed', elementInstanceId: job.elementInstanceId, errorMessage: command.errorMessage, ...listenerOf(job) },
          },
        ]);
      }
      return { type: job.type, outcome: 'incident' as const, announce: true, instanceId };
    });
    if (outcome === null) return;
    if (outcome.announce && outcome.instanceId !== undefined) this.announcer.announce([outcome.instanceId]);
    this.outcome(outcome.type, outcome.outcome);
  }

  /**
   * The worker a report on the job is made for when the client names none
   * (Camunda's REST API: completion, failure and errors carry no worker): the
   * holder of the lease, or, once the job was reported, the worker that
   * reported it (so a repeated report is answered as the first was). 404 for
   * an unknown job; 409 for one no worker holds.
   */
  async leaseHolder(jobId: string): Promise<string> {
    const key = requireJobKey(jobId);
    const job = await this.store.repos.jobs.get(key);
    if (job === null) throw notFound(key);
    return holderOf(job);
  }

  /** A job as stored (404 when there is none). */
  async get(jobId: string): Promise<JobRecord> {
    const key = requireJobKey(jobId);
    const job = await this.store.repos.jobs.get(key);
    if (job === null) throw notFound(key);
    return job;
  }

  /** Extends the lease of a job the worker holds. */
  async heartbeat(jobId: string, command: { workerId: string; lockDurationMs: number }): Promise<void> {
    const key = requireJobKey(jobId);
    await this.store.transaction(async (tx) => {
      const [job] = await tx.jobs.lock([key]);
      if (job === undefined) throw notFound(key);
      checkLease(job, command.workerId, null, this.clock());
      await tx.jobs.extendLock(key, command.lockDurationMs);
    });
  }

  /**
   * Sets how many retries a job has left (Camunda's "update job retries"): a
   * waiting or leased job keeps its state and lease; a FAILED job stays
   * FAILED and its JOB_NO_RETRIES incident open. Resolving that incident
   * then hands the job out again with these retries (Zeebe: updating retries
   * never resolves the incident; resolving it needs retries above 0). 400 for
   * retries below 1, 404 for an unknown job, 409 for one that has ended.
   */
  async updateRetries(jobId: string, retries: number): Promise<JobRecord> {
    const key = requireJobKey(jobId);
    if (!Number.isInteger(retries) || retries < 1 || retries > MAX_RETRIES) {
      throw RuntimeError.badRequest('retries', `retries must be a whole number from 1 to ${MAX_RETRIES}, got ${retries}`);
    }
    return this.store.transaction(async (tx) => {
      const [job] = await tx.jobs.lock([key]);
      if (job === undefined) throw notFound(key);
      if (job.state === 'COMPLETED' || job.state === 'CANCELED') throw RuntimeError.conflict(`job ${key} is ${job.state}; its retries cannot change`);
      await tx.jobs.updateRetries(key, retries);
      return { ...job, retries };
    });
  }

  private settle(jobId: string, settlement: Omit<Settlement, 'jobId'>): Promise<void> {
    return this.settlements.submit({ ...settlement, jobId: requireJobKey(jobId) });
  }

  /**
   * One group of completions and BPMN errors, without a transaction: one
   * statement reads the jobs with their instances (neither locked), each
   * request is decided on its own (404, 409, 422 are answered at once and do
   * not fail the others), and one statement ends the accepted jobs and
   * appends their events — only those still held by the reporting worker,
   * and only those no other transaction has locked, which it never waits
   * for. After it, one announcement covers every touched instance.
   *
   * Nothing here locks an instance: a report never waits for a worker
   * stepping its instance, nor a step for a report. A step that ends a job (a
   * cancel, a boundary event) updates the job row, whose lock orders it
   * against the report: whichever commits first wins, and the other finds the
   * job ended (409) or its event stale. A request whose job changed between
   * the read and the write, or was locked, is decided again alone in a
   * transaction that waits for that one job's lock: holding no other lock, it
   * cannot deadlock with a step ending several jobs at once.
   */
  private async settleGroup(group: readonly Pending<Settlement, void>[]): Promise<void> {
    const first = await this.decide(this.store.repos, group, 'none');
    this.settled(first);
    await Promise.all(
      first.busy.map(async (request) => {
        try {
          const decided = await this.store.transaction(async (tx) => this.decide(tx, [request], 'update'));
          this.settled(decided);
          // Under the job's lock nothing can change it; should it still be left, answer rather than hang.
          for (const left of decided.busy) left.reject(RuntimeError.conflict(`job ${left.item.jobId} changed while it was reported; report it again`));
        } catch (e) {
          request.reject(e);
        }
      }),
    );
  }

  /** Answers what a group wrote. */
  private settled({ accepted, repeats }: Decided): void {
    // Repeats of a request accepted in this same group are answered only now that it is written.
    for (const repeat of repeats) repeat.resolve();
    if (accepted.length === 0) return;
    this.announcer.announce(accepted.map((a) => a.job.instanceId));
    for (const { request, job } of accepted) {
      this.outcome(job.type, request.item.outcome === 'COMPLETED' ? 'completed' : 'error');
      request.resolve();
    }
  }

  private async decide(repos: Repositories, group: readonly Pending<Settlement, void>[], lock: 'none' | 'update'): Promise<Decided> {
    const jobIds = [...new Set(group.map((r) => r.item.jobId))];
    const rows = await repos.jobs.withInstances(jobIds, lock);
    const jobOf = new Map(rows.map((l) => [l.job.id, l.job]));
    const instanceOf = new Map(rows.map((l) => [l.job.id, l.instance]));
    const accepted: { request: Pending<Settlement, void>; job: JobRecord; workerId: string }[] = [];
    const repeats: { request: Pending<Settlement, void>; jobId: Key }[] = [];
    const acceptedHere = new Set<Key>();
    const now = this.clock();
    for (const request of group) {
      const { item } = request;
      const job = jobOf.get(item.jobId);
      try {
        if (job === undefined) throw notFound(item.jobId);
        const workerId = item.workerId ?? holderOf(job);
        if (answeredBefore(job, workerId, item.outcome, item.digest)) {
          // Answered as the first was: at once when that one was written before, after this group's write otherwise.
          if (acceptedHere.has(job.id)) repeats.push({ request, jobId: job.id });
          else request.resolve();
          continue;
        }
        const instance = instanceOf.get(job.id);
        if (instance === undefined || instance === null || isEnded(instance.status)) {
          throw RuntimeError.conflict(`job ${item.jobId} belongs to an instance that has ended`);
        }
        checkLease(job, workerId, item.outcome, now);
        if (item.outcome === 'ERROR') checkMayThrow(job);
        else checkTaskListenerCompletion(job, item);
        this.limits.check(item.variables, instance.variables);
        accepted.push({ request, job, workerId });
        acceptedHere.add(job.id);
        // A second request for the same job in this group finds it settled.
        jobOf.set(job.id, { ...job, state: 'COMPLETED', outcome: item.outcome, outcomeWorkerId: workerId, outcomeDigest: item.digest });
      } catch (e) {
        // Refusals do not depend on the write: answer them now.
        request.reject(e);
      }
    }
    if (accepted.length === 0) return { accepted, repeats: repeats.map((r) => r.request), busy: [] };
    const ended = new Set(
      await repos.jobs.settle(
        accepted.map(({ request, job, workerId }) => ({
          id: job.id,
          outcome: request.item.outcome,
          workerId,
          digest: request.item.digest,
          instanceId: job.instanceId,
          event: request.item.event(job),
        })),
      ),
    );
    // Jobs that changed since they were read, or that another transaction holds: decided again, alone.
    const busy = [...accepted.filter((a) => !ended.has(a.job.id)).map((a) => a.request), ...repeats.filter((r) => !ended.has(r.jobId)).map((r) => r.request)];
    return {
      accepted: accepted.filter((a) => ended.has(a.job.id)),
      repeats: repeats.filter((r) => ended.has(r.jobId)).map((r) => r.request),
      busy,
    };
  }

  private outcome(type: string, outcome: JobEventOutcome): void {
    notify(this.observer, 'jobOutcome', type, outcome);
  }
}

/** What a group wrote: accepted reports, repeats of them, and requests to decide again alone (their job changed or was locked). */
interface Decided {
  readonly accepted: readonly { readonly request: Pending<Settlement, void>; readonly job: JobRecord }[];
  readonly repeats: readonly Pending<Settlement, void>[];
  readonly busy: readonly Pending<Settlement, void>[];
}

/**
 * The worker a report is made for when it names none: the lease holder, or,
 * once the job was reported, the worker that reported it (so a repeated
 * report is answered as the first was). 409 for a job no worker holds.
 */
function holderOf(job: JobRecord): string {
  const holder = job.state === 'ACTIVATED' ? job.workerId : (job.outcomeWorkerId ?? job.workerId);
  if (holder === null) throw RuntimeError.conflict(`job ${job.id} is ${job.state}, not activated`);
  return holder;
}

/** The job's last report came from this worker with this outcome and content: a retried request. */
function answeredBefore(job: JobRecord, workerId: string, outcome: JobOutcome, sent: string): boolean {
  const leasedNow = job.state === 'ACTIVATED' && job.workerId === workerId;
  return !leasedNow && job.outcome === outcome && job.outcomeWorkerId === workerId && job.outcomeDigest === sent;
}

/** 409 unless `workerId` holds a live lease on `job`, saying why not. */
function checkLease(job: JobRecord, workerId: string, outcome: JobOutcome | null, now: number): void {
  if (job.state !== 'ACTIVATED') {
    if (job.outcome !== null && job.outcomeWorkerId !== null && job.state !== 'ACTIVATABLE') {
      const by = job.outcomeWorkerId === workerId ? 'by this worker' : `by worker '${job.outcomeWorkerId}'`;
      const what = job.outcome === outcome ? 'with a different result' : `as ${job.outcome}`;
      throw RuntimeError.conflict(`job ${job.id} was already reported ${what} ${by}`);
    }
    throw RuntimeError.conflict(`job ${job.id} is ${job.state}, not activated`);
  }
  if (job.workerId !== workerId) {
    throw RuntimeError.conflict(`job ${job.id} is locked by another worker, not by '${workerId}'`);
  }
  if (job.lockExpiresAt === null || job.lockExpiresAt.getTime() < now) {
    throw RuntimeError.conflict(`the lock of '${workerId}' on job ${job.id} has expired`);
  }
}

/**
 * The effect key of an ad-hoc subprocess's job (`<element instance>:<n>`: it
 * has one job after another), so that the engine drops the completion of a
 * job it replaced meanwhile. Other jobs are keyed by their element instance
 * (or their listener) and need no key in the event.
 */
function adHocJobKey(job: JobRecord): { jobKey?: string } {
  const own = job.listenerEventType === null || job.listenerEventType === undefined;
  return own && job.key !== undefined && job.key !== job.elementInstanceId ? { jobKey: job.key } : {};
}

/** The listener event of a listener's job (Camunda's event type, lower-cased), for the engine event its outcome becomes. */
function listenerOf(job: JobRecord): { listener?: ListenerEvent | TaskListenerEvent } {
  const event = job.listenerEventType ?? null;
  return event === null ? {} : { listener: event.toLowerCase() as ListenerEvent | TaskListenerEvent };
}

/** Task listener events whose transition a listener may deny (Camunda 8.8). */
const DENIABLE: ReadonlySet<string> = new Set(['ASSIGNING', 'UPDATING', 'COMPLETING']);

/**
 * Camunda 8.8's rules for completing a task listener's job (its
 * JobCompleteProcessor, INVALID_ARGUMENT: 400 here): no variables; denying
 * only the assigning, updating and completing events, and without
 * corrections; no assignee correction on `creating` when the task already
 * has an assignee.
 */
function checkTaskListenerCompletion(job: JobRecord, item: Settlement): void {
  if (jobKindOf(job).kind !== 'TASK_LISTENER') return;
  const event = job.listenerEventType as string;
  if (item.variables !== undefined && Object.keys(item.variables).length > 0) {
    throw RuntimeError.badRequest('variables', `job ${job.id} is a task listener job: it completes without variables (Camunda 8.8 does not take them either)`);
  }
  const result = item.userTaskResult;
  if (result === undefined) return;
  const corrected = Object.entries(result.corrections ?? {}).filter(([, value]) => value !== undefined && value !== null);
  if (result.denied && !DENIABLE.has(event)) {
    throw RuntimeError.badRequest('result.denied', `a '${event}' task listener cannot deny; only ASSIGNING, UPDATING and COMPLETING listeners can`);
  }
  if (result.denied && corrected.length > 0) {
    throw RuntimeError.badRequest('result.corrections', 'a denied result takes no corrections: the denial would revert them');
  }
  const assignee = job.customHeaders['io.camunda.zeebe:assignee'];
  if (event === 'CREATING' && corrected.some(([name]) => name === 'assignee') && assignee !== undefined && assignee !== '') {
    throw RuntimeError.badRequest(
      'result.corrections.assignee',
      `the task already has an assignee ('${assignee}'): a creating listener can only set one the task does not have (correct it with an assigning listener in Camunda 8)`,
    );
  }
}

/** Camunda 8 rejects a BPMN error thrown from a listener's job (INVALID_STATE): 409 here. */
function checkMayThrow(job: JobRecord): void {
  const { kind } = jobKindOf(job);
  if (kind === 'BPMN_ELEMENT') return;
  throw RuntimeError.conflict(
    `job ${job.id} of type '${job.type}' is a ${kind} job: a BPMN error cannot be thrown from it (complete or fail it instead)`,
  );
}

function digest(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('base64url').slice(0, 22);
}

function pick(variables: Variables, names: readonly string[]): Variables {
  const picked: Variables = {};
  for (const name of names) if (Object.prototype.hasOwnProperty.call(variables, name)) picked[name] = variables[name];
  return picked;
}

/** Retries are a 32-bit integer (Camunda's `int32`, Baton's column). */
export const MAX_RETRIES = 2_147_483_647;

const notFound = (id: string): RuntimeError => RuntimeError.notFound(`job ${id}`);

function requireJobKey(id: string): Key {
  if (!isKey(id)) throw notFound(id);
  return id;
}

import {
  EngineError,
  execute,
  hasReadyWork,
  type EngineEnv,
  type EngineEvent,
  type FeelLimits,
  type Effect,
  type StepResult,
} from '@baton/engine';
import { yieldToEventLoop } from '@baton/support';
import { closedByDeliveries, deliverLateBufferedMessages, deliverSignal, takeBufferedMessages } from '../correlation/correlation';
import type { DefinitionRegistry, LoadedDefinition } from '../definitions/definition-registry';
import { prepareInstance } from '../instances/new-instance';
import type { Key } from '../keys/key-generator';
import { FailureKind, notify, type BatchReport, type RuntimeObserver } from '../observer';
import { LockTimeoutError, type Repositories, type RuntimeStore } from '../ports/repositories';
import { isEnded, type DecisionInstanceRecord, type InstanceRecord, type StoredEvent } from '../ports/records';
import { RuntimeError } from '../runtime-error';
import type { JobSignal } from '../jobs/job-signal';
import { withCancelingTaskHeaders } from '../tasks/canceling-listener-headers';
import type { Announcer } from './announcer';
import { StepChanges, type InstanceHead } from './step-changes';
import type { HistoryLevel } from '../retention/history-level';
import type { StepExporter } from '../export/step-exporter';

export interface UnitOfWorkOptions {
  /** Instances stepped between two yields to the event loop (MAX_PARALLEL_TOKENS). */
  readonly maxParallel: number;
  /** Repeated element activations one step may perform before an incident (STEP_BUDGET). */
  readonly stepBudget: number;
  /** Milliseconds one instance may run elements in one step before an incident (STEP_TIME_BUDGET_MS); unbounded when absent. */
  readonly stepTimeBudgetMs?: number;
  /**
   * Milliseconds a batch steps instances before it commits what it has and
   * announces the rest again (BATCH_TIME_BUDGET_MS); unbounded when absent.
   * Keeps a transaction well inside the database's timeouts and a worker
   * answering its health checks.
   */
  readonly batchTimeBudgetMs?: number;
  /**
   * Failed attempts in a row to step an instance (the engine threw, or a
   * worker died while stepping it) before it is set aside with a STEP_FAILED
   * incident (STEP_FAILURE_LIMIT). Default 3.
   */
  readonly stepFailureLimit?: number;
  /** Bounds of every FEEL evaluation (FEEL_MAX_*); the defaults when absent. */
  readonly feelLimits?: FeelLimits;
  /** Largest variable the engine writes, in bytes (MAX_VARIABLE_SIZE); unbounded when absent. */
  readonly maxVariableSize?: number;
  readonly observer?: RuntimeObserver;
  readonly clock?: () => number;
  /** Told the types of the jobs each commit created, to wake activations waiting for them. */
  readonly jobSignal?: JobSignal;
  /** HISTORY_LEVEL: the history rows of instances whose process sets no `baton:historyLevel`. Default full. */
  readonly historyLevel?: HistoryLevel;
  /** Event export: appends each step's records to the outbox in its transaction; absent when no sink is configured. */
  readonly exporter?: StepExporter;
}

export interface CommandOptions {
  /** Checks the locked (or, when queued, the current) instance; throwing refuses the command. */
  readonly guard?: (instance: InstanceRecord) => void;
  /** How long to wait for the instance's row lock before queueing the command. */
  readonly lockTimeoutMs: number;
  /**
   * More writes in the command's transaction, after its own (applied or
   * queued): what must commit with the command or not at all (a batch marks
   * its item done). Throwing rolls the command back.
   */
  readonly inTransaction?: (tx: Repositories) => Promise<void>;
}

/** {@link UnitOfWork.rewrite}'s work on the locked instance; throwing refuses it (nothing is written). */
export type InstanceRewrite = (
  tx: Repositories,
  row: InstanceRecord,
  env: EngineEnv,
) => Promise<{ readonly head: InstanceHead; readonly result: StepResult; readonly after?: (tx: Repositories) => Promise<void> }>;

/** `applied`: the command took effect in this call; `queued`: it waits in the instance's inbox. */
export type CommandOutcome = 'applied' | 'queued';

/**
 * The one path by which an instance changes (Zeebe's stream processor in
 * miniature): lock the instance rows, apply their inbox events and commands
 * through the engine, write every effect, commit, then announce the follow-up
 * work. Worker batches (`runBatch`) run READY work; commands from the API
 * (`command`) are applied without running any element, so a request never
 * runs element work nor waits for it — READY work is left for a worker.
 *
 * A crash before the commit leaves nothing behind (the work items are
 * redelivered); a crash after it leaves nothing to do (a redelivered item
 * finds no events and no READY token). Two transactions never step one
 * instance at once: the row lock is held for the whole step.
 */
export class UnitOfWork {
  private readonly observer: RuntimeObserver;
  private readonly clock: () => number;

  constructor(
    private readonly store: RuntimeStore,
    private readonly registry: DefinitionRegistry,
    private readonly announcer: Announcer,
    private readonly newKey: () => Key,
    private readonly options: UnitOfWorkOptions,
  ) {
    this.observer = options.observer ?? {};
    this.clock = options.clock ?? Date.now;
  }

  /**
   * A worker's batch: the instances another transaction holds are skipped and
   * announced again; the rest run forward until every token rests. The caller
   * acks the work items once this resolves.
   *
   * One instance never takes its batch down: a step that throws is rolled
   * back alone and counted, and the instance is retried later (the sweeper
   * announces it again); after `stepFailureLimit` failures in a row it is set
   * aside with a STEP_FAILED incident, which an operator resolves.
   */
  runBatch(instanceIds: readonly Key[]): Promise<BatchReport> {
    return this.batch(instanceIds, false);
  }

  /**
   * A work item that came back because the batch that held it never finished
   * (a worker died stepping it, or the batch rolled back). Its instance is
   * stepped alone, and the attempt is counted in a transaction of its own
   * before the step, so that a step that kills the process still counts: an
   * instance that keeps killing workers is set aside with a STEP_FAILED
   * incident once `stepFailureLimit` attempts in a row did not finish. A step
   * that finishes clears the count.
   */
  async runRedelivered(instanceId: Key): Promise<BatchReport> {
    await this.store.transaction((tx) => tx.instances.recordStepFailure(instanceId));
    return this.batch([instanceId], true);
  }

  private async batch(instanceIds: readonly Key[], attemptCounted: boolean): Promise<BatchReport> {
    const started = process.hrtime.bigint();
    const startedAt = this.clock();
    const ids = [...new Set(instanceIds)];
    const changes = new StepChanges(new Date(startedAt), this.newKey, this.options.historyLevel);
    const tally = new Tally();
    let requeue: Key[] = [];
    try {
      await this.store.transaction(async (tx) => {
        const rows = await tx.instances.lockForStep(ids, 'skip');
        requeue = await this.lockedElsewhere(tx, ids, rows);
        if (rows.length === 0) return;
        const inbox = byInstance(await tx.inbox.load(rows.map((r) => r.id)));
        const definitions = await this.definitions(rows, tx);
        for (let i = 0; i < rows.length; i++) {
          if (i > 0 && i % this.options.maxParallel === 0) await yieldToEventLoop();
          if (i > 0 && this.overBatchBudget(startedAt)) {
            // Commit what is done; the rest go back to the queue, still pending.
            requeue.push(...rows.slice(i).map((r) => r.id));
            break;
          }
          const row = rows[i];
          const definition = definitions.get(row.definitionId);
          if (definition === undefined) continue;
          const events = inbox.get(row.id) ?? [];
          const exhausted = row.stepFailures >= this.failureLimit;
          const outcome: StepOutcome = exhausted
            ? { failed: new Error(`${row.stepFailures} attempt(s) in a row to step it did not finish`) }
            : await this.stepAnswering(tx, changes, row, definition, events.map((e) => e.event), true);
          if (isFailure(outcome)) {
            const failures = exhausted || attemptCounted ? row.stepFailures : await tx.instances.recordStepFailure(row.id);
            const aside = this.afterFailure(row, definition, events, failures, outcome.failed);
            if (aside !== null) {
              changes.consumeEvents(aside.consumed);
              changes.stepped(head(row, definition), aside.result);
              tally.stepped(row, aside.result);
            }
            continue;
          }
          if (outcome === null) {
            if (events.length === 0) changes.nothingToDo(row.id);
            continue;
          }
          const deferred = new Set(outcome.deferred ?? []);
          changes.consumeEvents(events.filter((_, j) => !deferred.has(j)).map((e) => e.id));
          changes.stepped(head(row, definition), outcome);
          tally.stepped(row, outcome);
        }
        await this.resolveLookups(tx, changes, tally);
        await this.options.exporter?.append(tx, changes);
        await tx.changes.apply(changes.toChangeSet());
      });
    } catch (e) {
      notify(this.observer, 'failure', FailureKind.BatchFailed, `a batch of ${ids.length} item(s) rolled back; its items are redelivered`, e);
      throw e;
    }
    const late = await this.deliverMessagesBufferedMeanwhile(changes);
    this.announcer.announce([...changes.announce, ...requeue, ...late]);
    this.options.jobSignal?.created(changes.createdJobTypes());
    const report = tally.report(ids.length, requeue.length, changes.historyCount, started);
    notify(this.observer, 'batchCommitted', report);
    return report;
  }

  private get failureLimit(): number {
    return this.options.stepFailureLimit ?? DEFAULT_STEP_FAILURE_LIMIT;
  }

  private overBatchBudget(startedAt: number): boolean {
    const budget = this.options.batchTimeBudgetMs;
    return budget !== undefined && this.clock() - startedAt > budget;
  }

  /**
   * A failed step, counted: below the limit it is reported and the instance
   * left for a later retry (null); at the limit the instance is set aside.
   */
  private afterFailure(
    row: InstanceRecord,
    definition: LoadedDefinition,
    events: readonly StoredEvent[],
    failures: number,
    error: unknown,
  ): { result: StepResult; consumed: string[] } | null {
    const cause = error instanceof Error ? error.message : String(error);
    if (failures >= this.failureLimit) return this.setAside(row, definition, events, failures, cause);
    notify(
      this.observer,
      'failure',
      FailureKind.StepFailed,
      `instance ${row.id}: stepping it failed (${failures} of ${this.failureLimit} in a row; it is retried later): ${cause}`,
      error,
    );
    return null;
  }

  /**
   * Sets an instance that cannot be stepped aside: a STEP_FAILED incident on
   * every READY element (resolving it retries the element); when nothing is
   * READY the fault is in its inbox, so the events are consumed and their
   * target elements get the incident instead (naming what was dropped).
   * Nothing runs. Null when even that fails; the instance then stays as it is.
   */
  private setAside(
    row: InstanceRecord,
    definition: LoadedDefinition,
    events: readonly StoredEvent[],
    failures: number,
    cause: string,
  ): { result: StepResult; consumed: string[] } | null {
    const why = `stepping the instance failed ${failures} time(s) in a row (STEP_FAILURE_LIMIT ${this.failureLimit}): ${cause.slice(0, 500)}`;
    const incident = (elementInstanceId: string, message: string): EngineEvent => ({
      type: 'incident',
      elementInstanceId,
      incidentType: 'STEP_FAILED',
      message,
    });
    const ready = Object.values(row.state.elements).filter((e) => e.state === 'READY' && e.incident === undefined);
    let incidents: EngineEvent[];
    let consumed: string[] = [];
    if (ready.length > 0) {
      incidents = ready.map((e) => incident(e.id, `${e.elementId}: ${why}`));
    } else {
      consumed = events.map((e) => e.id);
      incidents = events.flatMap(({ event }) => {
        const target = 'elementInstanceId' in event ? row.state.elements[event.elementInstanceId as string] : undefined;
        return target === undefined ? [] : [incident(target.id, `${target.elementId}: ${why}; the '${event.type}' event for it was dropped`)];
      });
    }
    try {
      const result = execute(definition.process, row.state, incidents, this.env(), { run: false });
      notify(
        this.observer,
        'failure',
        FailureKind.StepIsolated,
        `instance ${row.id} set aside with ${incidents.length} STEP_FAILED incident(s)` +
          (consumed.length > 0 ? `, ${consumed.length} inbox event(s) dropped` : '') +
          `: ${why}`,
      );
      return { result, consumed };
    } catch (e) {
      notify(this.observer, 'failure', FailureKind.StepFailed, `instance ${row.id}: it cannot be set aside either: ${(e as Error).message}`, e);
      return null;
    }
  }

  /**
   * Applies commands (cancel, suspend, resume, set variables, resolve an
   * incident) to one instance. When its row lock is granted within
   * `lockTimeoutMs` the commands take effect now, under the lock, without
   * running any element; otherwise (a worker holds the instance in a long
   * batch) they are written to its inbox, where the worker's next step
   * applies them before anything else runs (a cancel overtakes everything).
   */
  async command(instanceId: Key, commands: readonly EngineEvent[], options: CommandOptions): Promise<CommandOutcome> {
    const changes = new StepChanges(new Date(this.clock()), this.newKey, this.options.historyLevel);
    const tally = new Tally();
    const started = process.hrtime.bigint();
    try {
      await this.store.transaction(
        async (tx) => {
          const [row] = await tx.instances.lockForStep([instanceId], 'wait');
          if (row === undefined) throw notFound(instanceId);
          options.guard?.(row);
          const definition = (await this.definitions([row], tx)).get(row.definitionId);
          if (definition === undefined) throw new Error(`the definition of instance ${instanceId} cannot be loaded`);
          const result = await this.stepAnswering(tx, changes, row, definition, commands, false);
          if (isFailure(result)) throw stepRefused(instanceId, result.failed);
          if (result === null) return options.inTransaction?.(tx);
          // Work may wait in the inbox (events deferred while suspended): let a worker look.
          changes.stepped(head(row, definition), result, result.state.status === 'ACTIVE');
          tally.stepped(row, result);
          await this.resolveLookups(tx, changes, tally);
          await this.options.exporter?.append(tx, changes);
        await tx.changes.apply(changes.toChangeSet());
          await options.inTransaction?.(tx);
        },
        { lockTimeoutMs: options.lockTimeoutMs },
      );
    } catch (e) {
      if (!(e instanceof LockTimeoutError)) throw e;
      await this.store.transaction(async (tx) => {
        const row = await tx.instances.get(instanceId);
        if (row === null) throw notFound(instanceId);
        options.guard?.(row);
        await tx.inbox.append(commands.map((event) => ({ instanceId, event })));
        await options.inTransaction?.(tx);
      });
      this.announcer.announce([instanceId]);
      return 'queued';
    }
    const late = await this.deliverMessagesBufferedMeanwhile(changes);
    this.announcer.announce([...changes.announce, ...late]);
    this.options.jobSignal?.created(changes.createdJobTypes());
    notify(this.observer, 'batchCommitted', tally.report(0, 0, changes.historyCount, started));
    return 'applied';
  }

  /**
   * Rewrites one instance outside the engine's step (a process instance
   * migration, which moves it to another process): under its row lock,
   * `rewrite` checks the locked row and answers the new state and effects,
   * written like a step's (with `head`, the instance as it is afterwards), then
   * its own row changes in `after`, in the same transaction. Never queued in
   * the inbox (the engine has no event for it).
   */
  async rewrite(instanceId: Key, rewrite: InstanceRewrite, options: { readonly lockTimeoutMs: number; readonly inTransaction?: (tx: Repositories) => Promise<void> }): Promise<void> {
    const changes = new StepChanges(new Date(this.clock()), this.newKey, this.options.historyLevel);
    const tally = new Tally();
    const started = process.hrtime.bigint();
    // A lock not granted throws LockTimeoutError: the caller answers 409, or (a batch) runs the item again later.
    await this.store.transaction(
      async (tx) => {
        const [row] = await tx.instances.lockForStep([instanceId], 'wait');
        if (row === undefined) throw notFound(instanceId);
        const out = await rewrite(tx, row, this.env());
        changes.stepped(out.head, out.result);
        tally.stepped(row, out.result);
        await this.resolveLookups(tx, changes, tally);
        await this.options.exporter?.append(tx, changes);
        await tx.changes.apply(changes.toChangeSet());
        await out.after?.(tx);
        await options.inTransaction?.(tx);
      },
      { lockTimeoutMs: options.lockTimeoutMs },
    );
    const late = await this.deliverMessagesBufferedMeanwhile(changes);
    this.announcer.announce([...changes.announce, ...late]);
    this.options.jobSignal?.created(changes.createdJobTypes());
    notify(this.observer, 'batchCommitted', tally.report(0, 0, changes.historyCount, started));
  }

  /**
   * Runs one instance forward; null when there is nothing to do for it now,
   * a failure when the engine threw (nothing of the step is kept).
   */
  private step(row: InstanceRecord, definition: LoadedDefinition, events: readonly EngineEvent[], run: boolean): StepOutcome {
    if (isEnded(row.status)) {
      // Whatever is still in the inbox is stale: consume it, change nothing.
      return events.length === 0 ? null : { state: row.state, effects: [] };
    }
    // A duplicate hint: no events and nothing READY, so there is nothing to write either.
    if (events.length === 0 && (!run || !hasReadyWork(row.state))) return null;
    try {
      const result = execute(definition.process, row.state, events, this.env(), { run });
      // Everything waits for a resume: nothing changed, nothing to write.
      if (result.effects.length === 0 && result.deferred?.length === events.length && !hasReadyWork(row.state)) return null;
      return result;
    } catch (e) {
      return { failed: e };
    }
  }

  /**
   * {@link step}, then the decisions its business rule tasks asked for
   * (`evaluateDecision` effects) are evaluated here, in the same transaction,
   * and fed back to the engine (`decisionEvaluated`, or a CALLED_DECISION_ERROR
   * / DECISION_EVALUATION_ERROR incident), round after round until no element
   * asks: the step stays one atomic unit and the engine stays pure. The
   * decision instances (history) are written only when the whole step holds.
   */
  private async stepAnswering(
    tx: Repositories,
    changes: StepChanges,
    row: InstanceRecord,
    definition: LoadedDefinition,
    events: readonly EngineEvent[],
    run: boolean,
  ): Promise<StepOutcome> {
    const outcome = await this.stepAnsweringDecisions(tx, changes, row, definition, events, run);
    // Canceling task listeners' jobs get the task's data from its row (tasks/canceling-listener-headers.ts).
    return outcome === null || isFailure(outcome) ? outcome : withCancelingTaskHeaders(tx.userTasks, outcome);
  }

  private async stepAnsweringDecisions(
    tx: Repositories,
    changes: StepChanges,
    row: InstanceRecord,
    definition: LoadedDefinition,
    events: readonly EngineEvent[],
    run: boolean,
  ): Promise<StepOutcome> {
    const first = this.step(row, definition, events, run);
    if (first === null || isFailure(first) || !first.effects.some(isDecisionRequest)) return first;
    const effects: Effect[] = [];
    const evaluations: Omit<DecisionInstanceRecord, 'evaluatedAt'>[] = [];
    const laterEvents: EngineEvent[] = [];
    let result: StepResult = first;
    try {
      for (let round = 0; ; round++) {
        const asks = result.effects.filter(isDecisionRequest);
        effects.push(...result.effects.filter((e) => !isDecisionRequest(e)));
        if (asks.length === 0) break;
        const answers: EngineEvent[] = [];
        for (const ask of asks) {
          if (round >= MAX_DECISION_ROUNDS) {
            answers.push({
              type: 'incident',
              elementInstanceId: ask.elementInstanceId,
              incidentType: 'STEP_BUDGET_EXCEEDED',
              message: `${ask.elementId}: the instance evaluated decisions in ${MAX_DECISION_ROUNDS} rounds in one step without reaching a wait state (a loop of business rule tasks?)`,
            });
            continue;
          }
          const { event, instance } = await this.registry.decisions.answer(tx, {
            tenantId: row.tenantId,
            processInstanceId: row.id,
            processDeploymentId: definition.deploymentId,
            elementInstanceId: ask.elementInstanceId,
            elementId: ask.elementId,
            decisionId: ask.decisionId,
            bindingType: ask.bindingType,
            versionTag: ask.versionTag,
            variables: ask.variables,
          });
          answers.push(event);
          if (instance !== null) evaluations.push(instance);
        }
        result = execute(definition.process, result.state, answers, this.env(), { run });
        // An answer for an instance suspended meanwhile waits in its inbox until it is resumed.
        for (const j of result.deferred ?? []) laterEvents.push(answers[j]);
      }
    } catch (e) {
      return { failed: e };
    }
    if (evaluations.length > 0) await tx.decisions.insertInstances(evaluations);
    for (const event of laterEvents) changes.addEvent(row.id, event);
    return first.deferred === undefined ? { state: result.state, effects } : { state: result.state, effects, deferred: first.deferred };
  }

  private env(): EngineEnv {
    return {
      now: this.clock,
      newId: this.newKey,
      stepBudget: this.options.stepBudget,
      stepTimeBudgetMs: this.options.stepTimeBudgetMs,
      feelLimits: this.options.feelLimits,
      maxVariableSize: this.options.maxVariableSize,
    };
  }

  /** Of the ids not locked here, those that exist are held by another worker: announce them again. */
  private async lockedElsewhere(tx: Repositories, ids: readonly Key[], rows: readonly InstanceRecord[]): Promise<Key[]> {
    if (rows.length === ids.length) return [];
    const locked = new Set(rows.map((r) => r.id));
    const missing = ids.filter((id) => !locked.has(id));
    const existing = await tx.instances.existing(missing);
    if (existing.length < missing.length) {
      const known = new Set(existing);
      notify(this.observer, 'failure', FailureKind.StepFailed, `dropping work for unknown instance(s): ${missing.filter((id) => !known.has(id)).join(', ')}`);
    }
    return existing;
  }

  /** The definitions of the batch; one that fails to load leaves only its own instances behind. */
  private async definitions(rows: readonly InstanceRecord[], tx: Repositories): Promise<Map<Key, LoadedDefinition>> {
    const ids = [...new Set(rows.map((r) => r.definitionId))];
    const loaded = await Promise.allSettled(ids.map((id) => this.registry.byId(id, tx)));
    const map = new Map<Key, LoadedDefinition>();
    loaded.forEach((result, i) => {
      if (result.status === 'fulfilled' && result.value !== null) map.set(result.value.id, result.value);
      else {
        const why = result.status === 'rejected' ? (result.reason as Error).message : 'it does not exist';
        notify(this.observer, 'failure', FailureKind.StepFailed, `definition ${ids[i]} cannot be loaded (${why}); its instances are left as they are`);
      }
    });
    return map;
  }

  /** Effects that need the store before they can be written: children, signals, buffered messages. */
  private async resolveLookups(tx: Repositories, changes: StepChanges, tally: Tally): Promise<void> {
    await this.startChildren(tx, changes, tally);
    if (changes.childrenToCancel.length > 0) {
      for (const child of await tx.instances.liveChildrenOf(changes.childrenToCancel)) changes.addEvent(child, { type: 'cancel' });
    }
    for (const signal of changes.signals) {
      const delivery = await deliverSignal(tx, this.registry, this.newKey, signal);
      for (const e of delivery.events) changes.addEvent(e.instanceId, e.event);
      for (const instance of delivery.instances) {
        changes.addInstance(instance);
        tally.started.push({ bpmnProcessId: instance.bpmnProcessId });
      }
    }
    await this.deliverBufferedMessages(tx, changes);
    for (const instanceId of changes.resumed) await this.takeMessagesBufferedWhileSuspended(tx, changes, instanceId);
  }

  /**
   * Messages skip suspended instances (and are buffered when they have a
   * TTL), so a resumed instance's open subscriptions take the live buffered
   * messages that match them.
   */
  private async takeMessagesBufferedWhileSuspended(tx: Repositories, changes: StepChanges, instanceId: Key): Promise<void> {
    const subscriptions = await tx.messages.subscriptionsOf(instanceId);
    if (subscriptions.length === 0) return;
    const delivered = await takeBufferedMessages(tx, subscriptions);
    for (const { event } of delivered) changes.addEvent(instanceId, event);
    // As when a message is published: an interrupting trigger consumes its owner's subscriptions.
    for (const key of closedByDeliveries(delivered, subscriptions)) changes.dropMessageSubscription(key);
  }

  /** Call activities: a child instance of the version the call binds, or a CALLED_ELEMENT_ERROR incident. */
  private async startChildren(tx: Repositories, changes: StepChanges, tally: Tally): Promise<void> {
    for (const start of changes.childStarts) {
      const incident = (message: string) =>
        changes.addEvent(start.parent.id, {
          type: 'incident',
          elementInstanceId: start.elementInstanceId,
          incidentType: 'CALLED_ELEMENT_ERROR',
          message,
        });
      const caller = await this.registry.byId(start.parent.definitionId, tx);
      const binding = caller?.process.nodes.get(start.elementId)?.calledElement ?? { bindingType: 'latest' as const };
      const definition = await this.registry.byBinding(start.bpmnProcessId, binding, {
        tenantId: start.parent.tenantId,
        deploymentId: caller?.deploymentId ?? null,
        repos: tx,
      });
      if (definition === null) {
        incident(`the called process '${start.bpmnProcessId}' is not deployed${describeBinding(binding)}`);
        continue;
      }
      try {
        changes.addInstance(
          prepareInstance(
            definition,
            { variables: start.variables, parent: { instanceId: start.parent.id, elementInstanceId: start.elementInstanceId } },
            this.newKey,
          ),
        );
        tally.started.push({ bpmnProcessId: definition.bpmnProcessId });
      } catch (e) {
        incident(`the called process '${start.bpmnProcessId}' cannot be started: ${(e as Error).message}`);
      }
    }
  }

  /**
   * After the commit: a message published while this batch opened a
   * subscription for it was buffered by a transaction that could not see the
   * subscription, and this batch looked in the buffer before that message
   * was there. One query tells whether any message with those names is
   * buffered now; only then are the instances asked to take theirs.
   */
  private async deliverMessagesBufferedMeanwhile(changes: StepChanges): Promise<Key[]> {
    const opened = changes.openedMessageSubscriptions();
    if (opened.length === 0 || (await countBufferedFor(this.store.repos, opened)) === 0) return [];
    return this.store.transaction((tx) => deliverLateBufferedMessages(tx, opened.map((s) => s.instanceId)));
  }

  /** Subscriptions opened here take the buffered messages that were waiting for them. */
  private async deliverBufferedMessages(tx: Repositories, changes: StepChanges): Promise<void> {
    const opened = changes.openedMessageSubscriptions();
    if (opened.length === 0 || (await countBufferedFor(tx, opened)) === 0) return;
    const delivered = await takeBufferedMessages(tx, opened);
    for (const { instanceId, event } of delivered) changes.addEvent(instanceId, event);
    for (const key of closedByDeliveries(delivered, opened)) changes.dropMessageSubscription(key);
  }
}

/** How a call activity's binding narrows "not deployed", for its incident message. */
function describeBinding(binding: { readonly bindingType: string; readonly versionTag?: string }): string {
  if (binding.bindingType === 'deployment') return " in the caller's deployment (bindingType 'deployment')";
  if (binding.bindingType === 'versionTag') return ` with version tag '${binding.versionTag ?? ''}'`;
  return '';
}

/** Live buffered messages carrying the names of these subscriptions: one query per tenant, usually one. */
async function countBufferedFor(repos: Repositories, subscriptions: readonly { tenantId: string; messageName: string }[]): Promise<number> {
  const byTenant = new Map<string, Set<string>>();
  for (const s of subscriptions) byTenant.set(s.tenantId, (byTenant.get(s.tenantId) ?? new Set()).add(s.messageName));
  let waiting = 0;
  for (const [tenantId, names] of byTenant) waiting += await repos.messages.countBuffered(tenantId, [...names]);
  return waiting;
}

/** Counts for the report of a unit of work. */
class Tally {
  stepCount = 0;
  readonly completed: BatchReport['completed'] = [];
  readonly canceled: BatchReport['canceled'] = [];
  readonly started: BatchReport['started'] = [];

  stepped(row: InstanceRecord, result: StepResult): void {
    this.stepCount++;
    for (const effect of result.effects) {
      if (effect.type !== 'instanceEnded') continue;
      if (effect.status === 'COMPLETED') this.completed.push({ bpmnProcessId: row.bpmnProcessId, startedAt: row.startedAt });
      else this.canceled.push({ bpmnProcessId: row.bpmnProcessId });
    }
  }

  report(items: number, requeued: number, historyEvents: number, started: bigint): BatchReport {
    return {
      items,
      stepped: this.stepCount,
      requeued,
      completed: this.completed,
      canceled: this.canceled,
      started: this.started,
      historyEvents,
      seconds: Number(process.hrtime.bigint() - started) / 1e9,
    };
  }
}

function head(row: InstanceRecord, definition: LoadedDefinition): InstanceHead {
  const { historyLevel } = definition.process;
  return {
    ...(historyLevel !== undefined ? { historyLevel } : {}),
    id: row.id,
    tenantId: row.tenantId,
    definitionId: row.definitionId,
    bpmnProcessId: row.bpmnProcessId,
    parentInstanceId: row.parentInstanceId,
    parentElementInstanceId: row.parentElementInstanceId,
  };
}

function byInstance(events: readonly StoredEvent[]): Map<Key, StoredEvent[]> {
  const map = new Map<Key, StoredEvent[]>();
  for (const event of events) {
    const list = map.get(event.instanceId);
    if (list === undefined) map.set(event.instanceId, [event]);
    else list.push(event);
  }
  return map;
}

const DEFAULT_STEP_FAILURE_LIMIT = 3;

/** Rounds of decision evaluations one step answers before the asking elements get a STEP_BUDGET_EXCEEDED incident. */
const MAX_DECISION_ROUNDS = 100;

type DecisionRequestEffect = Extract<Effect, { type: 'evaluateDecision' }>;

const isDecisionRequest = (effect: Effect): effect is DecisionRequestEffect => effect.type === 'evaluateDecision';

interface StepFailure {
  readonly failed: unknown;
}

type StepOutcome = StepResult | StepFailure | null;

function isFailure(outcome: StepOutcome): outcome is StepFailure {
  return outcome !== null && 'failed' in outcome;
}

/** A command the engine could not apply: refused (nothing changed), with the engine's reason. */
function stepRefused(id: Key, error: unknown): Error {
  if (error instanceof EngineError) return RuntimeError.conflict(`process instance '${id}': ${error.message}`);
  return error instanceof Error ? error : new Error(String(error));
}

const notFound = (id: Key): RuntimeError => RuntimeError.notFound(`process instance '${id}'`);

import type { Key } from '../keys/key-generator';

/** What an export record tells (Zeebe's record intents, flattened into one name). */
export type ExportRecordType =
  | 'PROCESS_INSTANCE_CREATED'
  | 'PROCESS_INSTANCE_COMPLETED'
  | 'PROCESS_INSTANCE_CANCELED'
  | 'ELEMENT_ACTIVATED'
  | 'ELEMENT_COMPLETED'
  | 'ELEMENT_TERMINATED'
  | 'JOB_CREATED'
  | 'JOB_COMPLETED'
  | 'JOB_FAILED'
  | 'JOB_ERROR_THROWN'
  | 'INCIDENT_CREATED'
  | 'INCIDENT_RESOLVED'
  | 'VARIABLE_CREATED'
  | 'VARIABLE_UPDATED';

/** The sinks records go to (README "Settings": EXPORT_WEBHOOK_URL, EXPORT_RABBITMQ_EXCHANGE). */
export type ExportSinkName = 'webhook' | 'rabbitmq';

/** A record as a step writes it into the outbox. */
export interface NewExportRecord {
  readonly instanceId: Key;
  readonly bpmnProcessId: string;
  readonly type: ExportRecordType;
  /** The record's value: tenantId, elementId, elementInstanceId, ... depending on `type`. */
  readonly payload: Readonly<Record<string, unknown>>;
}

/** A record of the outbox, as sinks deliver it. */
export interface ExportRecord extends NewExportRecord {
  /** The outbox id: the record's idempotency key (`X-Baton-Event-Id`, the AMQP message id). */
  readonly id: Key;
  readonly createdAt: Date;
}

/** A record a sink gave up on (`GET /api/v1/export/dead-letters`). */
export interface ExportDeadLetter {
  readonly id: Key;
  readonly sink: ExportSinkName;
  readonly record: ExportRecord;
  readonly failedAt: Date;
  readonly attempts: number;
  readonly error: string;
}

/** A sink's retry state: failed attempts in a row at its oldest pending record. */
export interface ExportSinkState {
  readonly attempts: number;
  readonly nextAttemptAt: Date | null;
  readonly lastError: string | null;
}

/** How far a sink is behind. */
export interface ExportLag {
  readonly records: number;
  /** Seconds since the oldest pending record was written; 0 when none waits. */
  readonly oldestAgeSeconds: number;
}

/** The step's side: writes the outbox in the step's transaction. */
export interface ExportOutboxRepository {
  /** Appends records in this order, each pending for `sinks`. */
  append(records: readonly NewExportRecord[], sinks: readonly ExportSinkName[]): Promise<void>;
  /** The process-scope variables of these instances as stored (before the step's changes are written). */
  variablesOf(instanceIds: readonly Key[]): Promise<Map<Key, Record<string, unknown>>>;
  /** Inbox events by id (before the step consumes them). */
  inboxEvents(ids: readonly string[]): Promise<{ instanceId: Key; event: Record<string, unknown> }[]>;
}

/**
 * The dispatcher's side. A sink is dispatched by one process at a time: the
 * one holding its lease (a row of the store, renewed each round, so a dead
 * dispatcher's sink is taken over once its lease ran out).
 */
export interface ExportRepository {
  /** Takes or renews `sink`'s lease for `owner` for `ms`; false when another owner holds it. */
  lease(sink: ExportSinkName, owner: string, ms: number): Promise<boolean>;
  release(sink: ExportSinkName, owner: string): Promise<void>;
  /** The oldest records still pending for `sink`, in id order. */
  pending(sink: ExportSinkName, limit: number): Promise<ExportRecord[]>;
  /** `sink` delivered these records; a record no sink waits for any more is deleted. */
  delivered(sink: ExportSinkName, ids: readonly Key[]): Promise<void>;
  state(sink: ExportSinkName): Promise<ExportSinkState>;
  /** After an attempt: failed ones in a row and when to try again (attempts 0: the sink is healthy). */
  setState(sink: ExportSinkName, state: ExportSinkState): Promise<void>;
  /** Moves a record out of `sink`'s way into the dead letters, and resets the sink's attempts. */
  deadLetter(sink: ExportSinkName, record: ExportRecord, attempts: number, error: string): Promise<void>;
  lag(sink: ExportSinkName, now: Date): Promise<ExportLag>;
  deadLetters(limit: number, after: Key | null): Promise<ExportDeadLetter[]>;
  /** Puts a dead letter back in the outbox for its sink (its record keeps its id); false when there is none. */
  retryDeadLetter(id: Key): Promise<boolean>;
}

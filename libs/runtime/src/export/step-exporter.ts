import { processVariables, type Effect } from '@baton/engine';
import type { Key } from '../keys/key-generator';
import type { Repositories } from '../ports/repositories';
import type { JobRecord } from '../ports/records';
import type { StepChanges } from '../execution/step-changes';
import type { ExportOutboxRepository, ExportRecordType, ExportSinkName, NewExportRecord } from './export.records';

/**
 * Derives the export records of a unit of work from what its steps did (the
 * engine's effects, the inbox events they consumed, the process variables
 * before and after) and appends them to the outbox in the step's own
 * transaction: a record exists exactly when its step committed. Built only
 * when a sink is configured; without one the unit of work does nothing more.
 */
export class StepExporter {
  constructor(readonly sinks: readonly ExportSinkName[]) {}

  /** Before the change set is written: the inbox events and stored variables are still there to read. */
  async append(tx: Repositories, changes: StepChanges): Promise<void> {
    if (this.sinks.length === 0 || changes.steps.length === 0) return;
    const records = await recordsOf(tx.exports, changes);
    if (records.length > 0) await tx.exports.append(records, this.sinks);
  }

  /** Records of a change made outside a step (a job failure with retries left), in that change's transaction. */
  async appendRecords(tx: Repositories, records: readonly NewExportRecord[]): Promise<void> {
    if (this.sinks.length > 0 && records.length > 0) await tx.exports.append(records, this.sinks);
  }
}

async function recordsOf(outbox: ExportOutboxRepository, changes: StepChanges): Promise<NewExportRecord[]> {
  const { consumedEvents, jobs } = changes.toChangeSet();
  // The job key clients know (REST, gRPC) is the job row's id, not the engine's effect key.
  const jobIds = new Map(jobs.open.map((j) => [j.key, j.id]));
  const consumed = consumedEvents.length === 0 ? [] : await outbox.inboxEvents(consumedEvents);
  const stored = await outbox.variablesOf([...new Set(changes.steps.map((s) => s.instance.id))]);
  const at = changes.now.toISOString();
  const records: NewExportRecord[] = [];
  // One instance may be stepped twice in a unit of work (a command, then its follow-up): compare with the last.
  const seen = new Map<Key, Record<string, unknown>>();
  for (const { instance, result } of changes.steps) {
    const add = (type: ExportRecordType, value: Record<string, unknown>) =>
      records.push({
        instanceId: instance.id,
        bpmnProcessId: instance.bpmnProcessId,
        type,
        payload: { tenantId: instance.tenantId, processDefinitionKey: instance.definitionId, timestamp: at, ...value },
      });
    const completedTypes = new Map<string, string>();
    let created = false;
    for (const effect of result.effects) {
      if (effect.type === 'history' && effect.historyType === 'ELEMENT_COMPLETED') completedTypes.set(effect.elementInstanceId, effect.elementType);
      if (effect.type === 'history' && effect.historyType === 'ELEMENT_ACTIVATED' && effect.elementType === 'process') created = true;
    }
    for (const { event } of consumed.filter((c) => c.instanceId === instance.id)) {
      const elementInstanceId = event.elementInstanceId as string | undefined;
      if (event.type === 'complete' && (event.listener !== undefined || completedTypes.get(elementInstanceId ?? '') !== 'userTask')) {
        add('JOB_COMPLETED', { elementInstanceId, ...(event.listener !== undefined ? { listener: event.listener } : {}) });
      } else if (event.type === 'jobFailed') add('JOB_FAILED', { elementInstanceId, errorMessage: event.errorMessage, retries: 0 });
      else if (event.type === 'throwError') add('JOB_ERROR_THROWN', { elementInstanceId, errorCode: event.errorCode });
    }
    const effects = result.effects.map((e) => recordOf(e, jobIds)).filter((r) => r !== null);
    // The instance's creation first, then its variables as the step leaves them (a step's
    // variable changes are not ordered against its elements: it writes them at its end).
    if (effects[0]?.type === 'PROCESS_INSTANCE_CREATED') add(effects[0].type, effects.shift()!.value);
    const before = created ? {} : (seen.get(instance.id) ?? stored.get(instance.id) ?? {});
    const after = processVariables(result.state);
    for (const [name, value] of Object.entries(after)) {
      if (!(name in before)) add('VARIABLE_CREATED', { scopeKey: instance.id, name, value });
      else if (JSON.stringify(before[name]) !== JSON.stringify(value)) add('VARIABLE_UPDATED', { scopeKey: instance.id, name, value });
    }
    seen.set(instance.id, after);
    for (const record of effects) add(record.type, record.value);
  }
  return records;
}

function recordOf(effect: Effect, jobIds: ReadonlyMap<string, Key>): { type: ExportRecordType; value: Record<string, unknown> } | null {
  switch (effect.type) {
    case 'history': {
      const element = { elementId: effect.elementId, elementType: effect.elementType, elementInstanceId: effect.elementInstanceId };
      if (effect.historyType === 'ELEMENT_ACTIVATED') {
        return { type: effect.elementType === 'process' ? 'PROCESS_INSTANCE_CREATED' : 'ELEMENT_ACTIVATED', value: element };
      }
      if (effect.historyType === 'ELEMENT_COMPLETED' || effect.historyType === 'ELEMENT_TERMINATED') {
        // The process's own end is the instance's record (instanceEnded).
        return effect.elementType === 'process' ? null : { type: effect.historyType, value: element };
      }
      // Incidents come from raiseIncident/resolveIncident, which carry more.
      return null;
    }
    case 'createJob':
      return {
        type: 'JOB_CREATED',
        value: {
          jobKey: jobIds.get(effect.key) ?? null,
          jobType: effect.jobType,
          retries: effect.retries,
          elementId: effect.elementId,
          elementInstanceId: effect.elementInstanceId,
          customHeaders: effect.customHeaders,
          ...(effect.listener !== undefined ? { listener: effect.listener } : {}),
        },
      };
    case 'raiseIncident':
      return {
        type: 'INCIDENT_CREATED',
        value: { incidentType: effect.incidentType, elementId: effect.elementId, elementInstanceId: effect.elementInstanceId, message: effect.message },
      };
    case 'resolveIncident':
      return { type: 'INCIDENT_RESOLVED', value: { elementInstanceId: effect.elementInstanceId } };
    case 'instanceEnded':
      return { type: effect.status === 'COMPLETED' ? 'PROCESS_INSTANCE_COMPLETED' : 'PROCESS_INSTANCE_CANCELED', value: { variables: effect.variables } };
    default:
      return null;
  }
}

/** JOB_FAILED of a failure with retries left (the job is handed out again after its backoff). */
export function jobFailedRecord(job: JobRecord, errorMessage: string, retries: number, now: number): NewExportRecord {
  return {
    instanceId: job.instanceId,
    bpmnProcessId: job.bpmnProcessId,
    type: 'JOB_FAILED',
    payload: {
      tenantId: job.tenantId,
      processDefinitionKey: job.definitionId,
      timestamp: new Date(now).toISOString(),
      jobKey: job.id,
      jobType: job.type,
      elementId: job.elementId,
      elementInstanceId: job.elementInstanceId,
      errorMessage,
      retries,
    },
  };
}

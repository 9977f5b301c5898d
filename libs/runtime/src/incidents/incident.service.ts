import type { CommandOptions, CommandOutcome, UnitOfWork } from '../execution/unit-of-work';
import type { CommandResult } from '../instances/instance.service';
import { incidentView, type IncidentView } from '../instances/instance.views';
import { pageOf } from '../instances/listing';
import { MAX_RETRIES } from '../jobs/job.service';
import { isKey } from '../keys/key-generator';
import type { RuntimeStore } from '../ports/repositories';
import { isEnded, type IncidentRecord, type Page, type PageRequest, type TenantScope } from '../ports/records';
import { RuntimeError } from '../runtime-error';

export interface IncidentQuery extends PageRequest {
  readonly instanceId?: string;
  /** Open incidents unless RESOLVED is asked for. */
  readonly state?: 'OPEN' | 'RESOLVED';
  readonly tenants?: TenantScope;
}

/**
 * Incidents: where an instance stopped and waits for a person. Every incident
 * belongs to an element of the engine, and resolving one is a command on its
 * instance: the failed phase runs again (a worker picks it up), or a job out
 * of retries is handed out again with new retries.
 */
export class IncidentService {
  constructor(
    private readonly store: RuntimeStore,
    private readonly unitOfWork: UnitOfWork,
    private readonly options: { commandLockTimeoutMs?: number } = {},
  ) {}

  async list(query: IncidentQuery): Promise<Page<IncidentView>> {
    if (query.instanceId !== undefined && !isKey(query.instanceId)) return { items: [], nextCursor: null };
    if (query.cursor !== undefined && !isKey(query.cursor)) {
      throw RuntimeError.badRequest('cursor', `cursor '${query.cursor.slice(0, 40)}' is not an incident key`);
    }
    const rows = await this.store.repos.incidents.list({
      limit: query.limit + 1,
      cursor: query.cursor,
      instanceId: query.instanceId,
      state: query.state,
      tenants: query.tenants,
    });
    return pageOf(rows, query.limit, incidentView, (r) => r.id);
  }

  async get(id: string): Promise<IncidentView> {
    return incidentView(await this.row(id));
  }

  /**
   * `retries`: for a job out of retries, how many it gets. Without it, the
   * retries the job was given since it failed (`JobService.updateRetries`,
   * as Zeebe's resolution reads the job's retries), else 1 (Baton's default,
   * where Zeebe refuses to resolve a job incident whose job has none).
   */
  async resolve(id: string, command: { retries?: number } = {}): Promise<CommandResult<IncidentView>> {
    const outcome = await this.applyResolution(id, command);
    const after = await this.row(id);
    if (outcome === 'applied' && after.resolvedAt === null) throw movedOn(id);
    return { outcome, value: incidentView(after) };
  }

  /**
   * {@link resolve} without reading the incident back (batch operations):
   * `inTransaction` runs in the command's transaction, after a check there
   * that the incident is resolved, so what it writes commits with the
   * resolution or not at all.
   */
  async applyResolution(id: string, command: { retries?: number } = {}, inTransaction?: CommandOptions['inTransaction']): Promise<CommandOutcome> {
    const incident = await this.row(id);
    if (incident.resolvedAt !== null) throw RuntimeError.conflict(`incident ${id} is already resolved`);
    let retries = command.retries;
    if (retries !== undefined && (!Number.isInteger(retries) || retries < 1 || retries > MAX_RETRIES)) {
      throw RuntimeError.badRequest('retries', `retries must be a whole number from 1 to ${MAX_RETRIES}, got ${retries}`);
    }
    if (retries === undefined && incident.jobId !== null) {
      const job = await this.store.repos.jobs.get(incident.jobId);
      if (job !== null && job.state === 'FAILED' && job.retries > 0) retries = job.retries;
    }
    const elementInstanceId = incident.elementInstanceId;
    if (elementInstanceId === null) throw RuntimeError.conflict(`incident ${id} names no element to retry`);
    return this.unitOfWork.command(
      incident.instanceId,
      [{ type: 'resolveIncident', elementInstanceId, retries }],
      {
        lockTimeoutMs: this.options.commandLockTimeoutMs ?? 500,
        guard: (instance) => {
          if (isEnded(instance.status)) throw RuntimeError.conflict(`incident ${id} belongs to an instance that has ended`);
        },
        inTransaction:
          inTransaction &&
          (async (tx) => {
            // Queued, the incident is resolved by the worker's step later; applied, it must be now.
            const now = await tx.incidents.get(id);
            const queued = (await tx.inbox.pendingCommands([incident.instanceId])).has(incident.instanceId);
            if (!queued && now?.resolvedAt === null) throw movedOn(id);
            await inTransaction(tx);
          }),
      },
    );
  }

  private async row(id: string): Promise<IncidentRecord> {
    const row = isKey(id) ? await this.store.repos.incidents.get(id) : null;
    if (row === null) throw RuntimeError.notFound(`incident ${id}`);
    return row;
  }
}

const movedOn = (id: string): RuntimeError => RuntimeError.conflict(`incident ${id} could not be resolved: its element has moved on`);

import type { PrismaClient } from '@baton/store';
import { inTransaction } from '../execution/bulk-sql';
import type { BatchProcessor } from '../execution/batch-processor';
import { incidentView, type IncidentView } from '../instances/instance.views';
import { touchInstance } from '../instances/instance-inbox';
import { isUuid, pageOf, type Page, type PageRequest } from '../instances/listing';
import { RuntimeError, RuntimeErrorCode } from '../runtime-error';

export interface IncidentQuery extends PageRequest {
  readonly instanceId?: string;
  /** Open incidents unless RESOLVED is asked for. */
  readonly state?: 'OPEN' | 'RESOLVED';
}

/**
 * Incidents: where an instance stopped and waits for a person. Resolving a
 * job incident (no retries left) hands the job out again with new retries;
 * resolving an incident the engine raised (a FEEL error, no flow to take, an
 * unhandled BPMN error, a missing called process, the step budget) retries
 * the step that failed, synchronously, so the answer shows the outcome.
 */
export class IncidentService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly processor: BatchProcessor,
  ) {}

  async list(query: IncidentQuery): Promise<Page<IncidentView>> {
    if (query.instanceId !== undefined && !isUuid(query.instanceId)) return { items: [], nextCursor: null };
    if (query.cursor !== undefined && !isUuid(query.cursor)) {
      throw new RuntimeError(RuntimeErrorCode.BadRequest, `cursor '${query.cursor}' is not valid`, [{ field: 'cursor', message: 'not an incident id' }]);
    }
    const rows = await this.prisma.incident.findMany({
      where: {
        instanceId: query.instanceId,
        resolvedAt: query.state === 'RESOLVED' ? { not: null } : null,
        id: query.cursor === undefined ? undefined : { gt: query.cursor },
      },
      orderBy: { id: 'asc' },
      take: query.limit + 1,
    });
    return pageOf(rows, query.limit, incidentView, (r) => r.id);
  }

  async get(id: string): Promise<IncidentView> {
    const row = isUuid(id) ? await this.prisma.incident.findUnique({ where: { id } }) : null;
    if (row === null) throw RuntimeError.notFound(`incident ${id}`);
    return incidentView(row);
  }

  async resolve(id: string, command: { retries?: number } = {}): Promise<IncidentView> {
    const incident = await this.get(id);
    if (incident.resolvedAt !== null) throw RuntimeError.conflict(`incident ${id} is already resolved`);
    if (incident.jobId !== null) {
      await this.resolveJobIncident(incident, command.retries ?? 1);
    } else {
      const row = await this.prisma.incident.findUniqueOrThrow({ where: { id } });
      if (row.elementInstanceId === null) throw RuntimeError.conflict(`incident ${id} names no element to retry`);
      await this.processor.process([incident.instanceId], {
        wait: true,
        events: new Map([[incident.instanceId, [{ type: 'resolveIncident', elementInstanceId: row.elementInstanceId }]]]),
      });
    }
    const after = await this.get(id);
    if (after.resolvedAt === null) {
      throw RuntimeError.conflict(`incident ${id} could not be resolved: its instance has moved on or ended`);
    }
    return after;
  }

  private async resolveJobIncident(incident: IncidentView, retries: number): Promise<void> {
    if (!Number.isInteger(retries) || retries < 1) {
      throw RuntimeError.conflict(`retries must be a whole number >= 1 to resolve a job incident, got ${retries}`);
    }
    await inTransaction(this.prisma, async (tx) => {
      const instance = await touchInstance(tx, incident.instanceId);
      if (instance === null || instance.status === 'COMPLETED' || instance.status === 'CANCELED') {
        throw RuntimeError.conflict(`incident ${incident.id} belongs to an instance that has ended`);
      }
      const updated = await tx.$executeRawUnsafe(
        `UPDATE "Job" SET state = 'ACTIVATABLE', retries = $2, "availableAt" = now(), "errorMessage" = NULL
          WHERE id = $1::uuid AND state = 'FAILED'`,
        incident.jobId,
        retries,
      );
      if (updated === 0) throw RuntimeError.conflict(`the job of incident ${incident.id} is no longer failed`);
      const [row] = await tx.$queryRawUnsafe<{ elementInstanceId: string | null; elementType: string | null }[]>(
        `UPDATE "Incident" i SET "resolvedAt" = now() FROM "ProcessInstance" p
          WHERE i.id = $1::uuid AND p.id = i."instanceId"
      RETURNING i."elementInstanceId", p.state->'elements'->(i."elementInstanceId"::text)->>'elementType' AS "elementType"`,
        incident.id,
      );
      await tx.$executeRawUnsafe(
        `INSERT INTO "HistoryEvent" ("instanceId", type, "elementId", "elementType", "elementInstanceId")
         VALUES ($1::uuid, 'INCIDENT_RESOLVED', $2, $3, $4::uuid)`,
        incident.instanceId,
        incident.elementId,
        row?.elementType ?? 'serviceTask',
        row?.elementInstanceId ?? null,
      );
    });
  }
}

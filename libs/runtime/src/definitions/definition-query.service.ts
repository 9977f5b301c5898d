import type { Key } from '../keys/key-generator';
import { pageOf } from '../instances/listing';
import type { RuntimeStore } from '../ports/repositories';
import { DEFAULT_TENANT, type DefinitionRecord, type Page, type PageRequest, type TenantScope } from '../ports/records';
import { RuntimeError } from '../runtime-error';

/** A deployed version as clients see it (`deployedAt` ISO 8601 UTC). */
export interface DefinitionView {
  readonly id: Key;
  readonly key: string;
  readonly version: number;
  readonly name: string | null;
  readonly versionTag: string | null;
  readonly deploymentId: Key | null;
  readonly tenantId: string;
  readonly deployedAt: string;
}

export const definitionView = (row: DefinitionRecord): DefinitionView => ({
  id: row.id,
  key: row.bpmnProcessId,
  version: row.version,
  name: row.name,
  versionTag: row.versionTag,
  deploymentId: row.deploymentId,
  tenantId: row.tenantId,
  deployedAt: row.deployedAt.toISOString(),
});

/** Reads of deployed definitions; deploying is the DefinitionRegistry's. */
export class DefinitionQueryService {
  constructor(private readonly store: RuntimeStore) {}

  /** The latest version of each process (and tenant), by process id; the cursor is opaque. */
  async listLatest(page: PageRequest & { tenants?: TenantScope }): Promise<Page<DefinitionView>> {
    const after = page.cursor === undefined ? undefined : decodeCursor(page.cursor);
    const rows = await this.store.repos.definitions.listLatest({ limit: page.limit + 1, after }, page.tenants);
    return pageOf(rows, page.limit, definitionView, (r) => encodeCursor(r));
  }

  /** A version of a process, the latest when `version` is left out. */
  async get(processId: string, version?: number, tenantId = DEFAULT_TENANT): Promise<DefinitionView> {
    return definitionView(await this.row(processId, version, tenantId));
  }

  /**
   * The XML of a version, the latest when `version` is left out. A deleted
   * version's XML stays readable by its version number: instances that ran
   * on it are still shown with their diagram.
   */
  async xml(processId: string, version?: number, tenantId = DEFAULT_TENANT): Promise<string> {
    const anyVersion =
      version === undefined ? null : await this.store.repos.definitions.byVersion(tenantId, processId, version, { withDeleted: true });
    const row = anyVersion ?? (await this.row(processId, version, tenantId));
    const withXml = await this.store.repos.definitions.byId(row.id);
    if (withXml === null) throw RuntimeError.notFound(`process '${processId}'`);
    return withXml.xml;
  }

  private async row(processId: string, version: number | undefined, tenantId: string): Promise<DefinitionRecord> {
    const repo = this.store.repos.definitions;
    const row = version === undefined ? await repo.latest(tenantId, processId) : await repo.byVersion(tenantId, processId, version);
    if (row === null) {
      throw RuntimeError.notFound(version === undefined ? `process '${processId}'` : `version ${version} of process '${processId}'`);
    }
    return row;
  }
}

function encodeCursor(row: { bpmnProcessId: string; tenantId: string }): string {
  return Buffer.from(JSON.stringify([row.bpmnProcessId, row.tenantId])).toString('base64url');
}

function decodeCursor(cursor: string): { bpmnProcessId: string; tenantId: string } {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'string')) {
      return { bpmnProcessId: value[0] as string, tenantId: value[1] as string };
    }
  } catch {
    // Reported below.
  }
  throw RuntimeError.badRequest('cursor', `cursor '${cursor.slice(0, 40)}' is not a cursor of this list`);
}

import type { PrismaClient } from '@baton/store';
import { pageOf, type Page, type PageRequest } from '../instances/listing';
import { RuntimeError } from '../runtime-error';
import type { DeployedDefinition } from './definition-registry';

/** A deployed version as clients see it (`deployedAt` ISO 8601 UTC). */
export interface DefinitionView {
  readonly id: string;
  readonly key: string;
  readonly version: number;
  readonly name: string | null;
  readonly deployedAt: string;
}

export const definitionView = (row: DeployedDefinition): DefinitionView => ({
  id: row.id,
  key: row.key,
  version: row.version,
  name: row.name,
  deployedAt: row.deployedAt.toISOString(),
});

/** Reads of deployed definitions; deploying is the DefinitionRegistry's. */
export class DefinitionQueryService {
  constructor(private readonly prisma: PrismaClient) {}

  /** The latest version of each key, by key; the cursor is the last key. */
  async listLatest(page: PageRequest): Promise<Page<DefinitionView>> {
    const rows = await this.prisma.$queryRawUnsafe<DeployedDefinition[]>(
      `SELECT DISTINCT ON (key) id, key, version, name, "deployedAt"
         FROM "Definition"
        WHERE $1::text IS NULL OR key > $1::text
        ORDER BY key, version DESC
        LIMIT $2`,
      page.cursor ?? null,
      page.limit + 1,
    );
    return pageOf(rows, page.limit, definitionView, (r) => r.key);
  }

  /** A version of a key, the latest when `version` is left out. */
  async get(key: string, version?: number): Promise<DefinitionView> {
    return definitionView(await this.row(key, version, false));
  }

  async xml(key: string, version?: number): Promise<string> {
    return (await this.row(key, version, true)).xml;
  }

  private async row(key: string, version: number | undefined, withXml: boolean) {
    const select = { id: true, key: true, version: true, name: true, deployedAt: true, xml: withXml };
    const row =
      version === undefined
        ? await this.prisma.definition.findFirst({ where: { key }, orderBy: { version: 'desc' }, select })
        : await this.prisma.definition.findUnique({ where: { key_version: { key, version } }, select });
    if (row === null) {
      throw RuntimeError.notFound(version === undefined ? `process '${key}'` : `version ${version} of process '${key}'`);
    }
    return row as typeof row & { xml: string };
  }
}

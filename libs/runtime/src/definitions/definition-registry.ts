import { createHash } from 'node:crypto';
import { compileBpmn, cycleFirst, dateDue, durationDue, type CompiledProcess } from '@baton/engine';
import { inTransaction, type Tx } from '../execution/bulk-sql';
import type { PrismaClient } from '@baton/store';
import { newId } from '../ids';
import { RuntimeError, RuntimeErrorCode } from '../runtime-error';

/** The cache port the registry reads through (Redis or memory). */
export interface DefinitionCachePort {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  delete(keys: readonly string[]): Promise<void>;
}

export interface DeployedDefinition {
  readonly id: string;
  readonly key: string;
  readonly version: number;
  readonly name: string | null;
  readonly deployedAt: Date;
}

export interface LoadedDefinition extends DeployedDefinition {
  readonly process: CompiledProcess;
}

export interface DeployResult {
  /** Whether anything in the file was new. */
  readonly created: boolean;
  readonly processes: DeployedDefinition[];
}

interface CachedRow extends Omit<DeployedDefinition, 'deployedAt'> {
  readonly deployedAt: string;
  readonly xml: string;
}

export interface DefinitionRegistryOptions {
  readonly cacheTtlSeconds: number;
  /** Compiled definitions kept in this process. */
  readonly memoSize?: number;
  /** Called once per compiled-definition lookup: hit = found without compiling. */
  readonly onLookup?: (result: 'hit' | 'miss') => void;
}

/**
 * Deployed definitions: deploys (versioning, identical-XML dedupe) and reads
 * compiled processes through an in-process memo, then the shared cache, then
 * Postgres. A deployed version never changes, so entries by id never need
 * invalidation; only "latest version of key" is invalidated on deploy.
 */
export class DefinitionRegistry {
  private readonly memo = new Map<string, Promise<LoadedDefinition | null>>();
  private readonly memoSize: number;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly cache: DefinitionCachePort,
    private readonly options: DefinitionRegistryOptions,
  ) {
    this.memoSize = options.memoSize ?? 500;
  }

  async deploy(xml: string): Promise<DeployResult> {
    const compiled = await compileBpmn(xml);
    if (!compiled.ok) {
      throw new RuntimeError(
        RuntimeErrorCode.InvalidDefinition,
        `the BPMN document was refused: ${compiled.errors.length} problem(s), first: ${describe(compiled.errors[0])}`,
        compiled.errors.map((e) => ({ elementId: e.elementId, elementType: e.elementType, message: e.message })),
      );
    }
    const hash = createHash('sha256').update(xml).digest('hex');
    const processes = compiled.definitions.processes;
    const result = await inTransaction(this.prisma, async (tx) => {
      const deployed: DeployedDefinition[] = [];
      let created = false;
      for (const process of processes) {
        // Serialises deployments of one key so versions are gap-free and unique.
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`baton:deploy:${process.id}`}))`;
        const latest = await tx.definition.findFirst({ where: { key: process.id }, orderBy: { version: 'desc' } });
        if (latest !== null && latest.hash === hash) {
          deployed.push(pick(latest));
          continue;
        }
        const row = await tx.definition.create({
          data: {
            id: newId(),
            key: process.id,
            version: (latest?.version ?? 0) + 1,
            name: process.name ?? null,
            xml,
            hash,
          },
        });
        await tx.startSubscription.deleteMany({ where: { processKey: process.id } });
        const starts = startSubscriptions(process, row.id);
        if (starts.length > 0) await tx.startSubscription.createMany({ data: starts });
        await scheduleStartTimers(tx, process, row.id);
        deployed.push(pick(row));
        created = true;
      }
      return { created, processes: deployed };
    });
    if (result.created) await this.cache.delete(processes.map((p) => latestKey(p.id)));
    return result;
  }

  /** A deployed version by id, compiled. */
  byId(id: string): Promise<LoadedDefinition | null> {
    const memoised = this.memo.get(id);
    if (memoised !== undefined) {
      this.options.onLookup?.('hit');
      // Refresh its place in the LRU order.
      this.memo.delete(id);
      this.memo.set(id, memoised);
      return memoised;
    }
    this.options.onLookup?.('miss');
    const loading = this.load(id).catch((e: unknown) => {
      this.memo.delete(id);
      throw e;
    });
    this.memo.set(id, loading);
    if (this.memo.size > this.memoSize) this.memo.delete(this.memo.keys().next().value as string);
    return loading;
  }

  /** The latest version of a key, or a given version. */
  async byKey(key: string, version?: number): Promise<LoadedDefinition | null> {
    if (version !== undefined) {
      const row = await this.prisma.definition.findUnique({ where: { key_version: { key, version } }, select: { id: true } });
      return row === null ? null : this.byId(row.id);
    }
    const cachedId = await this.cache.get(latestKey(key));
    if (cachedId !== null) return this.byId(cachedId);
    const row = await this.prisma.definition.findFirst({ where: { key }, orderBy: { version: 'desc' }, select: { id: true } });
    if (row === null) return null;
    await this.cache.set(latestKey(key), row.id, this.options.cacheTtlSeconds);
    return this.byId(row.id);
  }

  /** The XML of a deployed version. */
  async xml(id: string): Promise<string | null> {
    return (await this.row(id))?.xml ?? null;
  }

  private async load(id: string): Promise<LoadedDefinition | null> {
    const row = await this.row(id);
    if (row === null) return null;
    const compiled = await compileBpmn(row.xml);
    if (!compiled.ok) {
      throw new Error(`stored definition ${id} (${row.key} v${row.version}) no longer compiles: ${describe(compiled.errors[0])}`);
    }
    const process = compiled.definitions.processes.find((p) => p.id === row.key);
    if (process === undefined) throw new Error(`stored definition ${id} has no process '${row.key}'`);
    return { id: row.id, key: row.key, version: row.version, name: row.name, deployedAt: new Date(row.deployedAt), process };
  }

  private async row(id: string): Promise<CachedRow | null> {
    const cached = await this.cache.get(idKey(id));
    if (cached !== null) return JSON.parse(cached) as CachedRow;
    const row = await this.prisma.definition.findUnique({ where: { id } });
    if (row === null) return null;
    const value: CachedRow = { ...pick(row), deployedAt: row.deployedAt.toISOString(), xml: row.xml };
    await this.cache.set(idKey(id), JSON.stringify(value), this.options.cacheTtlSeconds);
    return value;
  }
}

const latestKey = (key: string): string => `latest:${key}`;
const idKey = (id: string): string => `id:${id}`;

function pick(row: DeployedDefinition): DeployedDefinition {
  return { id: row.id, key: row.key, version: row.version, name: row.name, deployedAt: row.deployedAt };
}

function describe(error: { elementId: string | null; message: string } | undefined): string {
  if (error === undefined) return 'unknown';
  return error.elementId === null ? error.message : `${error.elementId}: ${error.message}`;
}

/** Message, signal and timer start events, for lookups by name when messages and signals arrive. */
function startSubscriptions(process: CompiledProcess, definitionId: string) {
  const rows: { id: string; definitionId: string; processKey: string; kind: 'MESSAGE' | 'SIGNAL' | 'TIMER'; name: string; elementId: string }[] = [];
  const add = (kind: 'MESSAGE' | 'SIGNAL' | 'TIMER', elementIds: readonly string[]) => {
    for (const elementId of elementIds) {
      const event = process.nodes.get(elementId)?.event;
      const value = kind === 'TIMER' ? event?.timer?.value : event?.name;
      if (value === undefined) continue;
      const name = value.kind === 'literal' ? value.value : `=${value.expression.source}`;
      rows.push({ id: newId(), definitionId, processKey: process.id, kind, name, elementId });
    }
  };
  add('MESSAGE', process.startEvents.message);
  add('SIGNAL', process.startEvents.signal);
  add('TIMER', process.startEvents.timer);
  return rows;
}

/**
 * Timer start events of a new version replace the schedule of the versions
 * before it (Camunda semantics): their pending start timers are canceled and
 * the new ones armed from now.
 */
async function scheduleStartTimers(tx: Tx, process: CompiledProcess, definitionId: string): Promise<void> {
  await tx.$executeRawUnsafe(
    `UPDATE "Timer" SET state = 'CANCELED'
      WHERE "instanceId" IS NULL AND state = 'SCHEDULED'
        AND "definitionId" IN (SELECT id FROM "Definition" WHERE key = $1)`,
    process.id,
  );
  const now = Date.now();
  for (const elementId of process.startEvents.timer) {
    const timer = process.nodes.get(elementId)?.event?.timer;
    if (timer === undefined) continue;
    let value: unknown;
    try {
      value = timer.value.kind === 'literal' ? timer.value.value : timer.value.expression.evaluate({});
    } catch (e) {
      throw new RuntimeError(RuntimeErrorCode.InvalidDefinition, `the timer of start event '${elementId}' cannot be evaluated`, [
        { elementId, elementType: 'startEvent', message: (e as Error).message },
      ]);
    }
    let dueAt: number;
    let cycle: string | null = null;
    let repetitions: number | null = null;
    try {
      if (typeof value !== 'string') throw new Error(`expected a timer value (string), got ${JSON.stringify(value)}`);
      if (timer.kind === 'date') dueAt = dateDue(value);
      else if (timer.kind === 'duration') dueAt = durationDue(value, now);
      else {
        const first = cycleFirst(value, now);
        dueAt = first.dueAt;
        cycle = value;
        repetitions = first.remaining < 0 ? null : first.remaining;
      }
    } catch (e) {
      throw new RuntimeError(RuntimeErrorCode.InvalidDefinition, `the timer of start event '${elementId}' is invalid`, [
        { elementId, elementType: 'startEvent', message: (e as Error).message },
      ]);
    }
    await tx.$executeRawUnsafe(
      `INSERT INTO "Timer" (id, key, "definitionId", "elementId", "dueAt", cycle, repetitions)
       VALUES ($1::uuid, $2, $3::uuid, $4, $5::timestamptz, $6, $7)`,
      newId(),
      `start:${definitionId}:${elementId}`,
      definitionId,
      elementId,
      new Date(dueAt).toISOString(),
      cycle,
      repetitions,
    );
  }
}

import { createHash } from 'node:crypto';
import { compileBpmn, cycleFirst, dateDue, durationDue, type CompiledProcess, type FeelLimits, type ValidationError } from '@baton/engine';
import type { Key } from '../keys/key-generator';
import { notify, type RuntimeObserver } from '../observer';
import type { Repositories, RuntimeStore } from '../ports/repositories';
import { DEFAULT_TENANT, type DefinitionRecord, type StartEventRecord, type StartTimerRecord, type TenantScope } from '../ports/records';
import { RuntimeError, RuntimeErrorCode } from '../runtime-error';
import { DecisionRegistry, isDmnDocument, type CompiledDmnDocument, type DeployedDmn } from '../decisions/decision-registry';
import { compileForm, insertFormVersions, isFormResource, type CompiledForm, type DeployedForm } from '../forms/form-registry';

/** The cache port the registry reads through (Redis or memory). */
export interface DefinitionCachePort {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  delete(keys: readonly string[]): Promise<void>;
}

export type DeployedDefinition = DefinitionRecord;

export interface LoadedDefinition extends DefinitionRecord {
  readonly process: CompiledProcess;
}

export interface DeployResult {
  /** Whether anything in the file was new. */
  readonly created: boolean;
  readonly deploymentId: Key;
  readonly processes: DeployedDefinition[];
  /** Problems that do not stop the deployment (diagram references, non-executable processes). */
  readonly warnings: readonly ValidationError[];
}

/** {@link DefinitionRegistry.deployResources}: one deployment, the versions of each document in request order. */
export interface DeployResourcesResult {
  /** Whether any process was new. */
  readonly created: boolean;
  readonly deploymentId: Key;
  readonly tenantId: string;
  readonly resources: readonly {
    readonly name: string;
    readonly processes: readonly DeployedDefinition[];
    /** A DMN document: its decision requirements and decisions. */
    readonly dmn?: DeployedDmn;
    /** A Camunda Form (`.form`): its version. */
    readonly form?: DeployedForm;
  }[];
  readonly warnings: readonly ValidationError[];
}

interface CompiledDocument {
  readonly xml: string;
  readonly hash: string;
  readonly processes: readonly CompiledProcess[];
  readonly warnings: readonly ValidationError[];
}

interface CachedRow extends Omit<DefinitionRecord, 'deployedAt'> {
  readonly deployedAt: string;
  readonly xml: string;
}

export interface DefinitionRegistryOptions {
  readonly cacheTtlSeconds: number;
  /** Compiled definitions kept in this process. */
  readonly memoSize?: number;
  readonly observer?: RuntimeObserver;
  readonly clock?: () => number;
  /** Bounds of the FEEL evaluations made at deploy (timer start events); the defaults when absent. */
  readonly feelLimits?: FeelLimits;
  /** Largest document deployed, in UTF-8 bytes (MAX_MODEL_BYTES); unbounded when absent. */
  readonly maxModelBytes?: number;
  /** Most XML elements in a deployed document, diagram included (MAX_MODEL_ELEMENTS); unbounded when absent. */
  readonly maxModelElements?: number;
}

/**
 * Deployed definitions: deploys (versioning, identical-XML dedupe) and reads
 * compiled processes through an in-process memo, then the shared cache, then
 * the store. A deployed version never changes, so entries by id never need
 * invalidation; only "latest version of a process id" is invalidated on deploy.
 */
export class DefinitionRegistry {
  private readonly memo = new Map<Key, Promise<LoadedDefinition | null>>();
  private readonly memoSize: number;
  private readonly observer: RuntimeObserver;
  private readonly clock: () => number;
  /** Deployed DMN decisions: deployed with the processes, read through the same store and cache. */
  readonly decisions: DecisionRegistry;

  constructor(
    private readonly store: RuntimeStore,
    private readonly cache: DefinitionCachePort,
    private readonly newKey: () => Key,
    private readonly options: DefinitionRegistryOptions,
  ) {
    this.memoSize = options.memoSize ?? 500;
    this.observer = options.observer ?? {};
    this.clock = options.clock ?? Date.now;
    this.decisions = new DecisionRegistry(store, cache, newKey, {
      cacheTtlSeconds: options.cacheTtlSeconds,
      clock: this.clock,
      feelLimits: options.feelLimits,
      maxModelBytes: options.maxModelBytes,
      maxModelElements: options.maxModelElements,
    });
  }

  async deploy(xml: string, options: { tenantId?: string } = {}): Promise<DeployResult> {
    const tenantId = options.tenantId ?? DEFAULT_TENANT;
    const compiled = await this.compile(xml);
    const deploymentId = this.newKey();
    const result = await this.store.transaction((tx) => this.insertVersions(tx, deploymentId, tenantId, [compiled], false));
    const processes = compiled.processes;
    if (result.created) await this.cache.delete(processes.map((p) => latestKey(tenantId, p.id)));
    // An unchanged file names the deployment that first brought its processes.
    const deployment = result.created ? deploymentId : (result.processes[0]?.deploymentId ?? deploymentId);
    return { created: result.created, processes: result.processes, deploymentId: deployment, warnings: compiled.warnings };
  }

  /**
   * Several BPMN and DMN documents as one deployment (Camunda's `POST /v2/deployments`;
   * a document is DMN when its name ends in `.dmn` or its root element is in a DMN namespace):
   * all compile or none is deployed; one transaction, one deployment key; each
   * document's processes are versioned as {@link deploy} versions them (an
   * unchanged document keeps its versions). A process id in two documents is
   * refused.
   */
  async deployResources(
    documents: readonly { readonly name: string; readonly xml: string }[],
    options: { tenantId?: string } = {},
  ): Promise<DeployResourcesResult> {
    const tenantId = options.tenantId ?? DEFAULT_TENANT;
    if (documents.length === 0) throw RuntimeError.badRequest('resources', 'no resources to deploy');
    const compiled: CompiledDocument[] = [];
    const dmn: CompiledDmnDocument[] = [];
    const forms: CompiledForm[] = [];
    const kinds: ('bpmn' | 'dmn' | 'form')[] = [];
    for (const document of documents) {
      if (isFormResource(document.name)) {
        kinds.push('form');
        forms.push(compileForm(document.name, document.xml, this.options.maxModelBytes));
        continue;
      }
      const isDmn = /\.dmn$/i.test(document.name) || isDmnDocument(document.xml);
      kinds.push(isDmn ? 'dmn' : 'bpmn');
      try {
        if (isDmn) dmn.push(await this.decisions.compile(document.name, document.xml));
        else compiled.push(await this.compile(document.xml));
      } catch (e) {
        if (e instanceof RuntimeError && !isDmn) throw new RuntimeError(e.code, `'${document.name}': ${e.message}`, e.errors);
        throw e;
      }
    }
    const bpmnNames = documents.filter((_, i) => kinds[i] === 'bpmn').map((d) => d.name);
    const seen = new Map<string, string>();
    compiled.forEach((document, i) => {
      for (const process of document.processes) {
        const other = seen.get(process.id);
        if (other !== undefined) {
          throw RuntimeError.badRequest(
            'resources',
            `process id '${process.id}' is in both '${other}' and '${bpmnNames[i]}'; a deployment takes each process id once`,
          );
        }
        seen.set(process.id, bpmnNames[i]);
      }
    });
    const deploymentId = this.newKey();
    const result = await this.store.transaction(async (tx) => {
      const bpmn = await this.insertVersions(tx, deploymentId, tenantId, compiled, true);
      const decisions = await this.decisions.insertVersions(tx, deploymentId, tenantId, dmn, async () => undefined);
      const deployedForms = await insertFormVersions(tx, this.newKey, deploymentId, tenantId, forms, async () => undefined);
      return { ...bpmn, decisions, forms: deployedForms };
    });
    if (result.created) await this.cache.delete(compiled.flatMap((d) => d.processes.map((p) => latestKey(tenantId, p.id))));
    await this.decisions.invalidate(tenantId, result.decisions);
    let at = 0;
    let bpmnIndex = 0;
    let dmnIndex = 0;
    let formIndex = 0;
    const resources = documents.map((document, i) => {
      if (kinds[i] === 'dmn') return { name: document.name, processes: [], dmn: result.decisions[dmnIndex++] };
      if (kinds[i] === 'form') return { name: document.name, processes: [], form: result.forms[formIndex++] };
      const count = compiled[bpmnIndex++].processes.length;
      const processes = result.processes.slice(at, at + count);
      at += count;
      return { name: document.name, processes };
    });
    const created = result.created || result.decisions.some((d) => d.created) || result.forms.some((f) => f.created);
    return { created, deploymentId, tenantId, resources, warnings: compiled.flatMap((d) => d.warnings) };
  }

  private async compile(xml: string): Promise<CompiledDocument> {
    this.checkSize(xml);
    const compiled = await compileBpmn(xml);
    if (!compiled.ok) {
      throw new RuntimeError(
        RuntimeErrorCode.InvalidDefinition,
        `the BPMN document was refused: ${compiled.errors.length} problem(s), first: ${describe(compiled.errors[0])}`,
        compiled.errors.map((e) => ({ elementId: e.elementId, elementType: e.elementType, message: e.message })),
      );
    }
    return {
      xml,
      hash: createHash('sha256').update(xml).digest('hex'),
      processes: compiled.definitions.processes,
      warnings: compiled.warnings ?? [],
    };
  }

  /**
   * A new version of each process whose latest version has other XML; the
   * latest version otherwise. The deployment row is written with the first new
   * version, or at once when `alwaysRecord` (a deployment that brought nothing
   * new still has its own key).
   */
  private async insertVersions(
    tx: Repositories,
    deploymentId: Key,
    tenantId: string,
    documents: readonly CompiledDocument[],
    alwaysRecord: boolean,
  ): Promise<{ created: boolean; processes: DefinitionRecord[] }> {
    const deployed: DefinitionRecord[] = [];
    let created = false;
    let recorded = false;
    if (alwaysRecord) {
      await tx.definitions.insertDeployment({ id: deploymentId, tenantId });
      recorded = true;
    }
    for (const { xml, hash, processes } of documents) {
      for (const process of processes) {
        await tx.definitions.lockProcessId(tenantId, process.id);
        const latest = await tx.definitions.latest(tenantId, process.id);
        if (latest !== null && latest.hash === hash) {
          deployed.push(latest);
          continue;
        }
        if (!recorded) await tx.definitions.insertDeployment({ id: deploymentId, tenantId });
        recorded = true;
        const row = await tx.definitions.insert({
          id: this.newKey(),
          deploymentId,
          tenantId,
          bpmnProcessId: process.id,
          // Deleted versions keep their numbers (Camunda never reuses a version).
          version: (await tx.definitions.highestVersion(tenantId, process.id)) + 1,
          versionTag: process.versionTag ?? null,
          name: process.name ?? null,
          xml,
          hash,
        });
        await tx.startEvents.replace(tenantId, process.id, this.startEvents(process, row));
        await tx.timers.replaceStartTimers(tenantId, process.id, this.startTimers(process, row));
        deployed.push(row);
        created = true;
      }
    }
    return { created, processes: deployed };
  }

  /**
   * Deletes one deployed version (Camunda 8.8's resource deletion): no new
   * instance starts on it (by id, version or key), searches and "latest" leave
   * it out. A version with instances still running (active or suspended) is
   * refused (409), as Zeebe 8.8 refuses it (`INVALID_STATE`); its row stays, so
   * that the history of its ended instances stays readable. When it was the
   * latest version, the version before it (if any) becomes the latest again and
   * its message, signal, timer and conditional start events take over, timers armed from
   * now, as a new deployment's would be. Null when the key names no deployed
   * version (or one already deleted, or one outside `tenants`).
   */
  async deleteVersion(id: Key, tenants?: TenantScope): Promise<DefinitionRecord | null> {
    const deleted = await this.store.transaction(async (tx) => {
      const row = await tx.definitions.byId(id);
      if (row === null || (tenants !== undefined && !tenants.includes(row.tenantId))) return null;
      await tx.definitions.lockProcessId(row.tenantId, row.bpmnProcessId);
      if (await hasRunningInstances(tx, id)) {
        throw RuntimeError.conflict(`process definition ${id} (${row.bpmnProcessId} version ${row.version}) still has running instances; cancel them or let them end first`);
      }
      const wasLatest = (await tx.definitions.latest(row.tenantId, row.bpmnProcessId))?.id === row.id;
      const marked = await tx.definitions.markDeleted(id);
      if (marked === null || !wasLatest) return marked;
      const previous = await tx.definitions.latest(row.tenantId, row.bpmnProcessId);
      const loaded = previous === null ? null : await this.byId(previous.id, tx);
      await tx.startEvents.replace(row.tenantId, row.bpmnProcessId, loaded === null ? [] : this.startEvents(loaded.process, loaded));
      await tx.timers.replaceStartTimers(row.tenantId, row.bpmnProcessId, loaded === null ? [] : this.startTimers(loaded.process, loaded, true));
      return marked;
    });
    if (deleted !== null) await this.cache.delete([latestKey(deleted.tenantId, deleted.bpmnProcessId)]);
    return deleted;
  }

  /** A deployed version by key, compiled. `repos` reads through a transaction's connection. */
  byId(id: Key, repos?: Repositories): Promise<LoadedDefinition | null> {
    const memoised = this.memo.get(id);
    if (memoised !== undefined) {
      notify(this.observer, 'definitionLookup', 'hit');
      // Refresh its place in the LRU order.
      this.memo.delete(id);
      this.memo.set(id, memoised);
      return memoised;
    }
    notify(this.observer, 'definitionLookup', 'miss');
    const loading = this.load(id, repos).catch((e: unknown) => {
      this.memo.delete(id);
      throw e;
    });
    this.memo.set(id, loading);
    if (this.memo.size > this.memoSize) this.memo.delete(this.memo.keys().next().value as Key);
    return loading;
  }

  /** The latest version of a process id, or a given version. */
  async byProcessId(
    bpmnProcessId: string,
    options: { version?: number; tenantId?: string; repos?: Repositories } = {},
  ): Promise<LoadedDefinition | null> {
    const tenantId = options.tenantId ?? DEFAULT_TENANT;
    const repos = options.repos ?? this.store.repos;
    if (options.version !== undefined) {
      const row = await repos.definitions.byVersion(tenantId, bpmnProcessId, options.version);
      return row === null ? null : this.byId(row.id, repos);
    }
    const cachedId = await this.cache.get(latestKey(tenantId, bpmnProcessId));
    if (cachedId !== null) return this.byId(cachedId, repos);
    const row = await repos.definitions.latest(tenantId, bpmnProcessId);
    if (row === null) return null;
    await this.cache.set(latestKey(tenantId, bpmnProcessId), row.id, this.options.cacheTtlSeconds);
    return this.byId(row.id, repos);
  }

  /**
   * The version a link binds (Camunda 8's `bindingType`): the latest; the one
   * deployed by `deploymentId` (the caller's own deployment); or the latest
   * carrying a `zeebe:versionTag`.
   */
  async byBinding(
    bpmnProcessId: string,
    binding: { readonly bindingType: 'latest' | 'deployment' | 'versionTag'; readonly versionTag?: string },
    options: { tenantId?: string; deploymentId: Key | null; repos?: Repositories },
  ): Promise<LoadedDefinition | null> {
    if (binding.bindingType === 'latest') return this.byProcessId(bpmnProcessId, options);
    const tenantId = options.tenantId ?? DEFAULT_TENANT;
    const repos = options.repos ?? this.store.repos;
    const row =
      binding.bindingType === 'deployment'
        ? options.deploymentId === null
          ? null
          : await repos.definitions.inDeployment(tenantId, bpmnProcessId, options.deploymentId)
        : await repos.definitions.byVersionTag(tenantId, bpmnProcessId, binding.versionTag ?? '');
    return row === null ? null : this.byId(row.id, repos);
  }

  /** Refuses a document over the model limits before anything parses it: their cost is the parse. */
  private checkSize(xml: string): void {
    const { maxModelBytes, maxModelElements } = this.options;
    const refuse = (message: string) =>
      new RuntimeError(RuntimeErrorCode.InvalidDefinition, `the BPMN document was refused: ${message}`, [
        { elementId: null, elementType: null, message },
      ]);
    if (maxModelBytes !== undefined && xml.length > maxModelBytes / 3) {
      const bytes = Buffer.byteLength(xml, 'utf8');
      if (bytes > maxModelBytes) throw refuse(`it is ${bytes} bytes, over the limit of ${maxModelBytes} (MAX_MODEL_BYTES)`);
    }
    if (maxModelElements !== undefined) {
      let elements = 0;
      for (let i = xml.indexOf('<'); i !== -1; i = xml.indexOf('<', i + 1)) {
        const next = xml.charCodeAt(i + 1);
        // A start tag: a name follows (not '/', '!' or '?').
        if (next !== 0x2f && next !== 0x21 && next !== 0x3f && ++elements > maxModelElements) {
          throw refuse(`it has more than ${maxModelElements} XML elements (MAX_MODEL_ELEMENTS), diagram included`);
        }
      }
    }
  }

  /** The XML of a deployed version. */
  async xml(id: Key): Promise<string | null> {
    return (await this.row(id))?.xml ?? null;
  }

  private async load(id: Key, repos?: Repositories): Promise<LoadedDefinition | null> {
    const row = await this.row(id, repos);
    if (row === null) return null;
    const compiled = await compileBpmn(row.xml);
    if (!compiled.ok) {
      throw new Error(`stored definition ${id} (${row.bpmnProcessId} v${row.version}) no longer compiles: ${describe(compiled.errors[0])}`);
    }
    const process = compiled.definitions.processes.find((p) => p.id === row.bpmnProcessId);
    if (process === undefined) throw new Error(`stored definition ${id} has no process '${row.bpmnProcessId}'`);
    const { xml: _xml, ...record } = row;
    return { ...record, deployedAt: new Date(row.deployedAt), process };
  }

  private async row(id: Key, repos: Repositories = this.store.repos): Promise<CachedRow | null> {
    const cached = await this.cache.get(idKey(id));
    if (cached !== null) return JSON.parse(cached) as CachedRow;
    const row = await repos.definitions.byId(id);
    if (row === null) return null;
    const value: CachedRow = { ...row, deployedAt: row.deployedAt.toISOString() };
    await this.cache.set(idKey(id), JSON.stringify(value), this.options.cacheTtlSeconds);
    return value;
  }

  /** Message, signal, timer and conditional start events, for lookups by name when messages and signals arrive (by kind for conditions). */
  private startEvents(process: CompiledProcess, definition: DefinitionRecord): StartEventRecord[] {
    const rows: StartEventRecord[] = [];
    const add = (kind: StartEventRecord['kind'], elementIds: readonly string[]) => {
      for (const elementId of elementIds) {
        const event = process.nodes.get(elementId)?.event;
        const condition = kind === 'CONDITIONAL' ? event?.conditional?.condition : undefined;
        const value = kind === 'TIMER' ? event?.timer?.value : event?.name;
        if (value === undefined && condition === undefined) continue;
        const name = condition !== undefined ? `=${condition.source}` : value?.kind === 'literal' ? value.value : `=${value?.expression.source}`;
        rows.push({
          id: this.newKey(),
          tenantId: definition.tenantId,
          definitionId: definition.id,
          bpmnProcessId: process.id,
          kind,
          name,
          elementId,
        });
      }
    };
    add('MESSAGE', process.startEvents.message);
    add('SIGNAL', process.startEvents.signal);
    add('TIMER', process.startEvents.timer);
    add('CONDITIONAL', process.startEvents.conditional);
    return rows;
  }

  /**
   * Timer start events of a new version replace the schedule of the versions
   * before it (Camunda semantics): armed from now. `rearmed`: the version's
   * timers armed again, when the version after it was deleted.
   */
  private startTimers(process: CompiledProcess, definition: DefinitionRecord, rearmed = false): StartTimerRecord[] {
    const now = this.clock();
    const timers: StartTimerRecord[] = [];
    for (const elementId of process.startEvents.timer) {
      const timer = process.nodes.get(elementId)?.event?.timer;
      if (timer === undefined) continue;
      let value: unknown;
      try {
        value = timer.value.kind === 'literal' ? timer.value.value : timer.value.expression.evaluate({}, { now: () => now, feelLimits: this.options.feelLimits });
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
      const id = this.newKey();
      timers.push({
        id,
        // A version's timers armed again (its successor deleted) need keys of their own: the first ones keep theirs.
        key: rearmed ? `start:${definition.id}:${elementId}:${id}` : `start:${definition.id}:${elementId}`,
        tenantId: definition.tenantId,
        definitionId: definition.id,
        elementId,
        dueAt: new Date(dueAt),
        cycle,
        repetitions,
      });
    }
    return timers;
  }
}

const latestKey = (tenantId: string, bpmnProcessId: string): string => `latest:${tenantId}:${bpmnProcessId}`;

/** Whether an instance of this version has not ended (active or suspended); the instances' index by definition answers it. */
async function hasRunningInstances(tx: Repositories, definitionId: Key): Promise<boolean> {
  const running = await tx.instances.search({
    conditions: [
      { field: 'definitionId', op: 'eq', value: definitionId },
      { field: 'status', op: 'in', value: ['ACTIVE', 'SUSPENDED'] },
    ],
    sort: [{ field: 'id', descending: false }],
    limit: 1,
  });
  return running.length > 0;
}
const idKey = (id: Key): string => `id:${id}`;

function describe(error: { elementId: string | null; message: string } | undefined): string {
  if (error === undefined) return 'unknown';
  return error.elementId === null ? error.message : `${error.elementId}: ${error.message}`;
}

import { createHash } from 'node:crypto';
import { compileDmn, evaluateDecision, type CompiledDrg, type DecisionEvaluation, type DmnLimits } from '@baton/dmn';
import type { EngineEvent, FeelLimits } from '@baton/engine';
import type { Key } from '../keys/key-generator';
import type { Repositories, RuntimeStore } from '../ports/repositories';
import {
  DEFAULT_TENANT,
  type DecisionDefinitionRecord,
  type DecisionInstanceRecord,
  type DecisionRequirementsRecord,
  type TenantScope,
} from '../ports/records';
import { RuntimeError, RuntimeErrorCode } from '../runtime-error';
import type { DefinitionCachePort } from '../definitions/definition-registry';

/** A DMN document compiled at deploy time. */
export interface CompiledDmnDocument {
  readonly name: string;
  readonly xml: string;
  readonly hash: string;
  readonly drg: CompiledDrg;
}

/** What one DMN document deployed: its decision requirements version and its decisions' versions. */
export interface DeployedDmn {
  readonly name: string;
  readonly requirements: DecisionRequirementsRecord;
  readonly decisions: readonly DecisionDefinitionRecord[];
  /** Whether this document brought a new version. */
  readonly created: boolean;
}

export interface DecisionDeployResult {
  readonly created: boolean;
  readonly deploymentId: Key;
  readonly tenantId: string;
  readonly resources: readonly DeployedDmn[];
}

/** How a business rule task (`zeebe:calledDecision bindingType`) picks the decision version. */
export interface DecisionBinding {
  readonly bindingType: 'latest' | 'deployment' | 'versionTag';
  readonly versionTag?: string | null;
  /** The deployment of the calling process (`bindingType: deployment`). */
  readonly deploymentId?: Key | null;
}

/** An evaluation outcome with the decision version that was evaluated. */
export interface DecisionResult {
  readonly decision: DecisionDefinitionRecord;
  readonly evaluation: DecisionEvaluation;
}

export interface DecisionRegistryOptions {
  readonly cacheTtlSeconds: number;
  /** Compiled decision requirements kept in this process. */
  readonly memoSize?: number;
  readonly clock?: () => number;
  readonly feelLimits?: FeelLimits;
  /** Largest DMN document, in UTF-8 bytes (MAX_MODEL_BYTES). */
  readonly maxModelBytes?: number;
  /** Most XML elements in a DMN document (MAX_MODEL_ELEMENTS). */
  readonly maxModelElements?: number;
}

/** A business rule task's request, answered in the unit of work that raised it. */
export interface DecisionRequest {
  readonly tenantId: string;
  readonly processInstanceId: Key;
  readonly processDeploymentId: Key | null;
  readonly elementInstanceId: string;
  readonly elementId: string;
  readonly decisionId: string;
  readonly bindingType: 'latest' | 'deployment' | 'versionTag';
  readonly versionTag: string | null;
  readonly variables: Record<string, unknown>;
}

/**
 * Deployed DMN decisions: deploys DMN documents (a version per decision
 * requirements id and per decision id and tenant; an identical document keeps
 * its versions), finds the version a caller binds to, and evaluates it.
 * Documents are compiled once per process (an LRU of compiled graphs keyed by
 * decision requirements key, the XML read through the shared cache), never
 * per evaluation.
 */
export class DecisionRegistry {
  private readonly memo = new Map<Key, Promise<CompiledDrg | null>>();
  private readonly memoSize: number;
  private readonly clock: () => number;

  constructor(
    private readonly store: RuntimeStore,
    private readonly cache: DefinitionCachePort,
    private readonly newKey: () => Key,
    private readonly options: DecisionRegistryOptions,
  ) {
    this.memoSize = options.memoSize ?? 200;
    this.clock = options.clock ?? Date.now;
  }

  /** A new key for a decision instance. */
  newInstanceKey(): Key {
    return this.newKey();
  }

  /** Compiles a DMN document; a document with problems is a 400 naming each decision, rule, input or output. */
  async compile(name: string, xml: string): Promise<CompiledDmnDocument> {
    const compiled = await compileDmn(xml, { limits: this.limits() });
    if (!compiled.ok) {
      const first = compiled.errors[0];
      const where = first === undefined ? 'unknown' : first.elementId === null ? first.message : `${first.elementId}: ${first.message}`;
      throw new RuntimeError(
        RuntimeErrorCode.InvalidDefinition,
        `the DMN document '${name}' was refused: ${compiled.errors.length} problem(s), first: ${where}`,
        compiled.errors.map((e) => ({ elementId: e.elementId, elementType: e.elementType, message: e.message })),
      );
    }
    return { name, xml, hash: createHash('sha256').update(xml).digest('hex'), drg: compiled.definitions };
  }

  private limits(): Partial<DmnLimits> {
    const limits: { -readonly [K in keyof DmnLimits]?: DmnLimits[K] } = {};
    if (this.options.maxModelBytes !== undefined) limits.maxXmlBytes = this.options.maxModelBytes;
    if (this.options.maxModelElements !== undefined) limits.maxXmlElements = this.options.maxModelElements;
    return limits;
  }

  /** One DMN document as its own deployment (`POST /api/v1/decisions` and `/processes` with a DMN body). */
  async deploy(xml: string, options: { tenantId?: string; name?: string } = {}): Promise<DecisionDeployResult> {
    const tenantId = options.tenantId ?? DEFAULT_TENANT;
    const document = await this.compile(options.name ?? 'decision.dmn', xml);
    const deploymentId = this.newKey();
    const resources = await this.store.transaction(async (tx) => {
      const deployed = await this.insertVersions(tx, deploymentId, tenantId, [document], async () => {
        await tx.definitions.insertDeployment({ id: deploymentId, tenantId });
      });
      return deployed;
    });
    await this.invalidate(tenantId, resources);
    const created = resources.some((r) => r.created);
    return { created, deploymentId: created ? deploymentId : resources[0].requirements.deploymentId, tenantId, resources };
  }

  /**
   * Versions of each document inside a deployment transaction: a document
   * whose decision requirements id's latest version has the same hash keeps
   * that version (and its decisions'); otherwise a new version of it and a
   * new version of each of its decisions. `record` writes the deployment row
   * before the first new version (once).
   */
  async insertVersions(
    tx: Repositories,
    deploymentId: Key,
    tenantId: string,
    documents: readonly CompiledDmnDocument[],
    record: () => Promise<void>,
  ): Promise<DeployedDmn[]> {
    const seen = new Map<string, string>();
    for (const document of documents) {
      for (const id of [document.drg.id, ...document.drg.decisions.map((d) => d.id)]) {
        const other = seen.get(id);
        if (other !== undefined) {
          throw RuntimeError.badRequest(
            'resources',
            `decision or decision requirements id '${id}' is in both '${other}' and '${document.name}'; a deployment takes each id once`,
          );
        }
        seen.set(id, document.name);
      }
    }
    const deployed: DeployedDmn[] = [];
    let recorded = false;
    for (const document of documents) {
      const { drg } = document;
      await tx.decisions.lockRequirementsId(tenantId, drg.id);
      const latest = await tx.decisions.latestRequirements(tenantId, drg.id);
      if (latest !== null && latest.hash === document.hash) {
        deployed.push({ name: document.name, requirements: latest, decisions: await tx.decisions.decisionsOf(latest.id), created: false });
        continue;
      }
      if (!recorded) await record();
      recorded = true;
      const requirements = await tx.decisions.insertRequirements({
        id: this.newKey(),
        deploymentId,
        tenantId,
        decisionRequirementsId: drg.id,
        // Deleted versions keep their numbers (Camunda never reuses a version).
        version: (await tx.decisions.highestRequirementsVersion(tenantId, drg.id)) + 1,
        name: drg.name,
        resourceName: document.name,
        xml: document.xml,
        hash: document.hash,
      });
      const rows: Omit<DecisionDefinitionRecord, 'deployedAt'>[] = [];
      for (const decision of drg.decisions) {
        const highest = await tx.decisions.highestDecisionVersion(tenantId, decision.id);
        rows.push({
          id: this.newKey(),
          deploymentId,
          tenantId,
          decisionId: decision.id,
          version: highest + 1,
          versionTag: decision.versionTag ?? null,
          name: decision.name,
          decisionRequirementsKey: requirements.id,
          decisionRequirementsId: drg.id,
        });
      }
      deployed.push({ name: document.name, requirements, decisions: await tx.decisions.insertDecisions(rows), created: true });
    }
    return deployed;
  }

  /** After a deployment committed: "latest version of decision X" is looked up again. */
  async invalidate(tenantId: string, resources: readonly DeployedDmn[]): Promise<void> {
    const keys = resources.filter((r) => r.created).flatMap((r) => r.decisions.map((d) => latestKey(tenantId, d.decisionId)));
    if (keys.length > 0) await this.cache.delete(keys);
  }

  /**
   * Deletes one decision requirements version and its decisions (Camunda's
   * resource deletion): nothing evaluates them any more, the version before
   * of each decision is the latest again, searches leave them out. Their rows
   * stay, so that evaluations made with them stay readable. Null when the key
   * names no decision requirements version (or one deleted, or outside `tenants`).
   */
  async deleteRequirements(id: Key, tenants?: TenantScope): Promise<DecisionRequirementsRecord | null> {
    const deleted = await this.store.transaction(async (tx) => {
      const row = await tx.decisions.requirementsById(id);
      if (row === null || (tenants !== undefined && !tenants.includes(row.tenantId))) return null;
      await tx.decisions.lockRequirementsId(row.tenantId, row.decisionRequirementsId);
      return tx.decisions.markRequirementsDeleted(id);
    });
    if (deleted === null) return null;
    const keys = deleted.decisions.map((d) => latestKey(d.tenantId, d.decisionId));
    if (keys.length > 0) await this.cache.delete(keys);
    return deleted.requirements;
  }

  /** The decision version a caller binds to, or null when none is deployed. */
  async find(tenantId: string, decisionId: string, binding: DecisionBinding, repos: Repositories = this.store.repos): Promise<DecisionDefinitionRecord | null> {
    if (binding.bindingType === 'versionTag') {
      return binding.versionTag ? repos.decisions.decisionByVersionTag(tenantId, decisionId, binding.versionTag) : null;
    }
    if (binding.bindingType === 'deployment') {
      return binding.deploymentId ? repos.decisions.decisionInDeployment(tenantId, decisionId, binding.deploymentId) : null;
    }
    const cached = await this.cache.get(latestKey(tenantId, decisionId));
    if (cached !== null) return reviveDecision(JSON.parse(cached) as CachedDecision);
    const row = await repos.decisions.latestDecision(tenantId, decisionId);
    if (row !== null) await this.cache.set(latestKey(tenantId, decisionId), JSON.stringify(row), this.options.cacheTtlSeconds);
    return row;
  }

  /** Evaluates a decision version with these variables; never throws for what the model or the variables do. */
  async evaluate(decision: DecisionDefinitionRecord, variables: Record<string, unknown>, repos?: Repositories): Promise<DecisionEvaluation> {
    const drg = await this.drg(decision.decisionRequirementsKey, repos);
    if (drg === null) throw new Error(`the decision requirements ${decision.decisionRequirementsKey} of decision '${decision.decisionId}' are missing`);
    return evaluateDecision(drg, decision.decisionId, variables, { now: this.clock, feelLimits: this.options.feelLimits });
  }

  /**
   * Answers a business rule task within its unit of work: the engine event
   * to feed back (`decisionEvaluated`, or an incident: CALLED_DECISION_ERROR
   * when no version binds, DECISION_EVALUATION_ERROR when it fails) and the
   * decision instance to record (none when nothing was found).
   */
  async answer(tx: Repositories, request: DecisionRequest): Promise<{ event: EngineEvent; instance: Omit<DecisionInstanceRecord, 'evaluatedAt'> | null }> {
    const incident = (incidentType: 'CALLED_DECISION_ERROR' | 'DECISION_EVALUATION_ERROR', message: string): EngineEvent => ({
      type: 'incident',
      elementInstanceId: request.elementInstanceId,
      incidentType,
      message,
    });
    const decision = await this.find(
      request.tenantId,
      request.decisionId,
      { bindingType: request.bindingType, versionTag: request.versionTag, deploymentId: request.processDeploymentId },
      tx,
    );
    if (decision === null) {
      const which =
        request.bindingType === 'versionTag'
          ? ` with version tag '${request.versionTag ?? ''}'`
          : request.bindingType === 'deployment'
            ? ' in the deployment of the process'
            : '';
      return {
        event: incident(
          'CALLED_DECISION_ERROR',
          `Expected to evaluate decision '${request.decisionId}'${which}, but no decision found for id '${request.decisionId}'`,
        ),
        instance: null,
      };
    }
    const evaluation = await this.evaluate(decision, request.variables, tx);
    const instance = decisionInstanceOf(this.newKey(), decision, evaluation, {
      tenantId: request.tenantId,
      processInstanceId: request.processInstanceId,
      elementInstanceId: request.elementInstanceId,
      elementId: request.elementId,
    });
    if (!evaluation.ok) return { event: incident('DECISION_EVALUATION_ERROR', evaluation.error.message), instance };
    return { event: { type: 'decisionEvaluated', elementInstanceId: request.elementInstanceId, output: evaluation.output ?? null }, instance };
  }

  /** A compiled decision requirements version, compiled once per process. */
  drg(key: Key, repos?: Repositories): Promise<CompiledDrg | null> {
    const memoised = this.memo.get(key);
    if (memoised !== undefined) {
      this.memo.delete(key);
      this.memo.set(key, memoised);
      return memoised;
    }
    const loading = this.loadDrg(key, repos).catch((e: unknown) => {
      this.memo.delete(key);
      throw e;
    });
    this.memo.set(key, loading);
    if (this.memo.size > this.memoSize) this.memo.delete(this.memo.keys().next().value as Key);
    return loading;
  }

  /** The XML of a decision requirements version. */
  async xml(key: Key, repos: Repositories = this.store.repos): Promise<string | null> {
    const cached = await this.cache.get(xmlKey(key));
    if (cached !== null) return cached;
    const row = await repos.decisions.requirementsById(key);
    if (row === null) return null;
    await this.cache.set(xmlKey(key), row.xml, this.options.cacheTtlSeconds);
    return row.xml;
  }

  private async loadDrg(key: Key, repos?: Repositories): Promise<CompiledDrg | null> {
    const xml = await this.xml(key, repos);
    if (xml === null) return null;
    // Stored documents compiled once already; the deploy-time limits do not apply again.
    const compiled = await compileDmn(xml);
    if (!compiled.ok) throw new Error(`stored decision requirements ${key} no longer compile: ${compiled.errors[0]?.message ?? 'unknown'}`);
    return compiled.definitions;
  }
}

type CachedDecision = Omit<DecisionDefinitionRecord, 'deployedAt'> & { readonly deployedAt: string };

const reviveDecision = (row: CachedDecision): DecisionDefinitionRecord => ({ ...row, deployedAt: new Date(row.deployedAt) });

const latestKey = (tenantId: string, decisionId: string): string => `dmn:latest:${tenantId}:${decisionId}`;
const xmlKey = (key: Key): string => `dmn:xml:${key}`;

/**
 * The record of one evaluation of `decision`: by a business rule task
 * (`caller` names its instance and element) or over REST (all null).
 */
export function decisionInstanceOf(
  id: Key,
  decision: DecisionDefinitionRecord,
  evaluation: DecisionEvaluation,
  caller: Pick<DecisionInstanceRecord, 'tenantId' | 'processInstanceId' | 'elementInstanceId' | 'elementId'>,
): Omit<DecisionInstanceRecord, 'evaluatedAt'> {
  return {
    id,
    ...caller,
    decisionKey: decision.id,
    decisionId: decision.decisionId,
    decisionVersion: decision.version,
    decisionRequirementsKey: decision.decisionRequirementsKey,
    state: evaluation.ok ? 'EVALUATED' : 'FAILED',
    output: evaluation.ok ? (evaluation.output ?? null) : null,
    failureMessage: evaluation.ok ? null : evaluation.error.message,
    evaluatedDecisions: evaluation.evaluatedDecisions,
  };
}

/**
 * Whether an XML document is DMN rather than BPMN: its root element's
 * namespace is one of the OMG DMN namespaces (1.1 to 1.5). Decided on the
 * root start tag only, before anything parses the document.
 */
export function isDmnDocument(xml: string): boolean {
  const root = rootStartTag(xml);
  if (root === null) return false;
  const name = /^<([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)/.exec(root);
  if (name === null) return false;
  const prefix = name[1] === undefined ? '' : name[1].slice(0, -1);
  const attr = prefix === '' ? 'xmlns' : `xmlns:${prefix}`;
  const ns = new RegExp(`\\s${attr.replace('.', '\\.')}\\s*=\\s*["']([^"']*)["']`).exec(root);
  return ns !== null && /^https?:\/\/www\.omg\.org\/spec\/DMN\//.test(ns[1]);
}

/** The document's first element start tag (after the XML declaration, comments and processing instructions), or null. */
function rootStartTag(xml: string): string | null {
  let i = 0;
  const limit = Math.min(xml.length, 1 << 20);
  while (i < limit) {
    const lt = xml.indexOf('<', i);
    if (lt === -1 || lt >= limit) return null;
    if (xml.startsWith('<?', lt)) {
      const end = xml.indexOf('?>', lt + 2);
      if (end === -1) return null;
      i = end + 2;
      continue;
    }
    if (xml.startsWith('<!--', lt)) {
      const end = xml.indexOf('-->', lt + 4);
      if (end === -1) return null;
      i = end + 3;
      continue;
    }
    if (xml.startsWith('<!', lt)) return null;
    const gt = xml.indexOf('>', lt);
    return gt === -1 ? null : xml.slice(lt, gt + 1);
  }
  return null;
}

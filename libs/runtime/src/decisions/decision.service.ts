import type { DecisionEvaluation, EvaluatedDecision } from '@baton/dmn';
import { isKey, type Key } from '../keys/key-generator';
import { pageOf } from '../instances/listing';
import type { RuntimeStore } from '../ports/repositories';
import {
  DEFAULT_TENANT,
  type DecisionDefinitionRecord,
  type DecisionInstanceRecord,
  type DecisionRequirementsRecord,
  type Page,
  type PageRequest,
  type TenantScope,
} from '../ports/records';
import { RuntimeError } from '../runtime-error';
import { decisionInstanceOf, type DecisionRegistry, type DeployedDmn } from './decision-registry';

/** A deployed decision version as `/api/v1` clients see it. */
export interface DecisionView {
  /** The decision definition key (64-bit, decimal). */
  readonly id: Key;
  /** The DMN `<decision id>`. */
  readonly key: string;
  readonly version: number;
  readonly name: string | null;
  readonly versionTag: string | null;
  readonly decisionRequirementsId: string;
  readonly decisionRequirementsKey: Key;
  readonly deploymentId: Key;
  readonly tenantId: string;
  readonly deployedAt: string;
}

export const decisionView = (row: DecisionDefinitionRecord): DecisionView => ({
  id: row.id,
  key: row.decisionId,
  version: row.version,
  name: row.name,
  versionTag: row.versionTag,
  decisionRequirementsId: row.decisionRequirementsId,
  decisionRequirementsKey: row.decisionRequirementsKey,
  deploymentId: row.deploymentId,
  tenantId: row.tenantId,
  deployedAt: row.deployedAt.toISOString(),
});

/** A deployed DMN document (decision requirements version) as `/api/v1` clients see it. */
export interface DecisionRequirementsView {
  readonly id: Key;
  readonly key: string;
  readonly version: number;
  readonly name: string | null;
  readonly resourceName: string;
  readonly deploymentId: Key;
  readonly tenantId: string;
  readonly deployedAt: string;
}

export const decisionRequirementsView = (row: DecisionRequirementsRecord): DecisionRequirementsView => ({
  id: row.id,
  key: row.decisionRequirementsId,
  version: row.version,
  name: row.name,
  resourceName: row.resourceName,
  deploymentId: row.deploymentId,
  tenantId: row.tenantId,
  deployedAt: row.deployedAt.toISOString(),
});

/** What deploying DMN documents answers on `/api/v1`. */
export const deployedDmnView = (resources: readonly DeployedDmn[]) => ({
  decisionRequirements: resources.map((r) => decisionRequirementsView(r.requirements)),
  decisions: resources.flatMap((r) => r.decisions.map(decisionView)),
});

/** One evaluation of a decision, as the REST APIs answer it (values as JSON values). */
export interface DecisionEvaluationResult {
  readonly decision: DecisionDefinitionRecord;
  readonly requirements: DecisionRequirementsRecord | null;
  readonly decisionInstanceKey: Key;
  /** One key per evaluated decision (Camunda's `decisionEvaluationInstanceKey`), in `evaluatedDecisions` order. */
  readonly evaluatedDecisionKeys: readonly Key[];
  readonly evaluation: DecisionEvaluation;
}

/** A decision evaluated by a business rule task (history), as `/api/v1` clients see it. */
export interface DecisionInstanceView {
  readonly id: Key;
  readonly processInstanceId: Key | null;
  readonly elementInstanceId: Key | null;
  readonly elementId: string | null;
  readonly decisionId: string;
  readonly decisionKey: Key;
  readonly decisionVersion: number;
  readonly decisionRequirementsKey: Key;
  readonly state: 'EVALUATED' | 'FAILED';
  readonly output: unknown;
  readonly failureMessage: string | null;
  readonly evaluatedDecisions: readonly EvaluatedDecision[];
  readonly evaluatedAt: string;
  readonly tenantId: string;
}

export const decisionInstanceView = (row: DecisionInstanceRecord): DecisionInstanceView => ({
  id: row.id,
  processInstanceId: row.processInstanceId,
  elementInstanceId: row.elementInstanceId,
  elementId: row.elementId,
  decisionId: row.decisionId,
  decisionKey: row.decisionKey,
  decisionVersion: row.decisionVersion,
  decisionRequirementsKey: row.decisionRequirementsKey,
  state: row.state,
  output: row.output,
  failureMessage: row.failureMessage,
  evaluatedDecisions: (row.evaluatedDecisions ?? []) as EvaluatedDecision[],
  evaluatedAt: row.evaluatedAt.toISOString(),
  tenantId: row.tenantId,
});

/** Reads and evaluations of deployed decisions (deploying is the {@link DecisionRegistry}'s). */
export class DecisionService {
  constructor(
    private readonly store: RuntimeStore,
    private readonly registry: DecisionRegistry,
  ) {}

  /** The latest version of each decision id (and tenant), by decision id; the cursor is opaque. */
  async listLatest(page: PageRequest & { tenants?: TenantScope }): Promise<Page<DecisionView>> {
    const after = page.cursor === undefined ? undefined : decodeCursor(page.cursor);
    const rows = await this.store.repos.decisions.listLatest({ limit: page.limit + 1, after }, page.tenants);
    return pageOf(rows, page.limit, decisionView, (r) => encodeCursor(r));
  }

  /** A version of a decision (the latest when `version` is left out). */
  async get(decisionId: string, version?: number, tenantId = DEFAULT_TENANT): Promise<DecisionDefinitionRecord> {
    const row = version === undefined ? await this.store.repos.decisions.latestDecision(tenantId, decisionId) : await this.store.repos.decisions.decisionByVersion(tenantId, decisionId, version);
    if (row === null) throw RuntimeError.notFound(version === undefined ? `decision '${decisionId}'` : `version ${version} of decision '${decisionId}'`);
    return row;
  }

  /** A decision version by its key, in one of the caller's tenants. */
  async byKey(key: string, tenantId?: string): Promise<DecisionDefinitionRecord> {
    const row = isKey(key) ? await this.store.repos.decisions.decisionById(key) : null;
    if (row === null || (tenantId !== undefined && row.tenantId !== tenantId)) throw RuntimeError.notFound(`decision definition with key '${key}'`);
    return row;
  }

  /** The decisions deployed with a decision version (same DMN document version), by decision id. */
  async versionsIn(decision: DecisionDefinitionRecord): Promise<Map<string, DecisionDefinitionRecord>> {
    const rows = await this.store.repos.decisions.decisionsOf(decision.decisionRequirementsKey);
    return new Map(rows.map((r) => [r.decisionId, r]));
  }

  /** The XML of the DMN document a decision version belongs to. */
  async xml(decision: DecisionDefinitionRecord): Promise<string> {
    const xml = await this.registry.xml(decision.decisionRequirementsKey);
    if (xml === null) throw RuntimeError.notFound(`decision requirements of decision '${decision.decisionId}'`);
    return xml;
  }

  /**
   * Evaluates a decision version with these variables (Camunda's
   * `EvaluateDecision`): an evaluation that fails is an answer too (with the
   * failed decision and its message), recorded as a decision instance either way.
   */
  async evaluate(decision: DecisionDefinitionRecord, variables: Record<string, unknown>): Promise<DecisionEvaluationResult> {
    const evaluation = await this.registry.evaluate(decision, variables);
    const decisionInstanceKey = this.registry.newInstanceKey();
    await this.store.repos.decisions.insertInstances([
      decisionInstanceOf(decisionInstanceKey, decision, evaluation, {
        tenantId: decision.tenantId,
        processInstanceId: null,
        elementInstanceId: null,
        elementId: null,
      }),
    ]);
    const requirements = await this.store.repos.decisions.requirementsById(decision.decisionRequirementsKey);
    // The decision called is recorded under the evaluation's key (a /v2 decision instance); the decisions it requires get keys of their own.
    const called = evaluation.evaluatedDecisions.map((d) => d.decisionId).lastIndexOf(decision.decisionId);
    const evaluatedDecisionKeys = evaluation.evaluatedDecisions.map((_, i) => (i === called ? decisionInstanceKey : this.registry.newInstanceKey()));
    return { decision, requirements, decisionInstanceKey, evaluatedDecisionKeys, evaluation };
  }

  /** The decisions a process instance's business rule tasks evaluated, oldest first. */
  async ofInstance(processInstanceId: string): Promise<DecisionInstanceView[]> {
    if (!isKey(processInstanceId)) throw RuntimeError.notFound(`process instance '${processInstanceId}'`);
    const instance = await this.store.repos.instances.get(processInstanceId);
    if (instance === null) throw RuntimeError.notFound(`process instance '${processInstanceId}'`);
    return (await this.store.repos.decisions.instancesOf(processInstanceId)).map(decisionInstanceView);
  }
}

function encodeCursor(row: { decisionId: string; tenantId: string }): string {
  return Buffer.from(JSON.stringify([row.decisionId, row.tenantId])).toString('base64url');
}

function decodeCursor(cursor: string): { decisionId: string; tenantId: string } {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'string')) {
      return { decisionId: value[0] as string, tenantId: value[1] as string };
    }
  } catch {
    // Reported below.
  }
  throw RuntimeError.badRequest('cursor', `cursor '${cursor.slice(0, 40)}' is not a cursor of this list`);
}

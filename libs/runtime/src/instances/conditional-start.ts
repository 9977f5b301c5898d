import { evaluateConditionalStarts, type FeelLimits, type Variables } from '@baton/engine';
import type { DefinitionRegistry, LoadedDefinition } from '../definitions/definition-registry';
import { isKey, type Key } from '../keys/key-generator';
import type { RuntimeStore } from '../ports/repositories';
import { DEFAULT_TENANT } from '../ports/records';
import { RuntimeError } from '../runtime-error';
import type { VariableLimits } from '../variable-limits';
import type { InstanceStarter } from './instance-starter';

export interface ConditionalEvaluationCommand {
  /** Evaluated against the conditions, and the variables of every instance started. */
  readonly variables: Variables;
  readonly tenantId?: string;
  /** Only this deployed version's conditional start events (none when it is no longer the latest version). */
  readonly processDefinitionKey?: string;
  /**
   * Called with the process ids about to start, before anything starts; it
   * throws to refuse the whole evaluation (Camunda 8 answers 403 when the
   * caller may not start one of the matched processes).
   */
  readonly authorize?: (bpmnProcessIds: readonly string[]) => void;
}

export interface ConditionallyStarted {
  readonly processInstanceKey: Key;
  readonly processDefinitionKey: Key;
  readonly bpmnProcessId: string;
  readonly version: number;
  readonly startEventId: string;
}

export interface ConditionalEvaluationResult {
  readonly conditionalEvaluationKey: Key;
  readonly tenantId: string;
  /** One per conditional start event whose condition held, by process id then model order; empty when none held. */
  readonly processInstances: readonly ConditionallyStarted[];
}

export interface ConditionalStartOptions {
  /** Bounds of the condition evaluations; the defaults when absent. */
  readonly feelLimits?: FeelLimits;
  /** `now()` in a condition. */
  readonly clock?: () => number;
}

/**
 * Camunda 8.9's evaluation of root-level conditional start events
 * (`POST /v2/conditionals/evaluation`): every conditional start event of the
 * latest version of each process of the tenant (or of one version) whose
 * condition is true for the given variables starts one instance at that
 * event, with those variables. The candidates come from the start
 * subscription rows (only the latest version of a process has them), the
 * processes from the registry's cache: a call does not load every definition.
 * A condition that fails to evaluate counts as false.
 */
export class ConditionalStartService {
  private readonly clock: () => number;

  constructor(
    private readonly store: RuntimeStore,
    private readonly registry: DefinitionRegistry,
    private readonly starter: InstanceStarter,
    private readonly limits: VariableLimits,
    private readonly newKey: () => Key,
    private readonly options: ConditionalStartOptions = {},
  ) {
    this.clock = options.clock ?? Date.now;
  }

  async evaluate(command: ConditionalEvaluationCommand): Promise<ConditionalEvaluationResult> {
    const tenantId = command.tenantId ?? DEFAULT_TENANT;
    this.limits.check(command.variables);
    const key = command.processDefinitionKey;
    if (key !== undefined) {
      const definition = isKey(key) ? await this.registry.byId(key) : null;
      if (definition === null || definition.tenantId !== tenantId) throw RuntimeError.notFound(`process definition ${key}`);
    }
    const rows = await this.store.repos.startEvents.ofKind(tenantId, 'CONDITIONAL', key);
    const byDefinition = new Map<Key, string[]>();
    for (const row of rows) {
      const list = byDefinition.get(row.definitionId);
      if (list === undefined) byDefinition.set(row.definitionId, [row.elementId]);
      else list.push(row.elementId);
    }
    const env = { now: this.clock, feelLimits: this.options.feelLimits };
    const matches: { definition: LoadedDefinition; startEventId: string }[] = [];
    for (const [definitionId, candidates] of byDefinition) {
      const definition = await this.registry.byId(definitionId);
      if (definition === null) continue;
      for (const startEventId of evaluateConditionalStarts(definition.process, command.variables, { candidates, env })) {
        matches.push({ definition, startEventId });
      }
    }
    command.authorize?.([...new Set(matches.map((m) => m.definition.bpmnProcessId))]);
    // Started together: the starter writes them in one INSERT.
    const started = await Promise.all(
      matches.map(({ definition, startEventId }) =>
        this.starter.start({ definition, variables: command.variables, startEventId }).then((s) => ({
          processInstanceKey: s.id,
          processDefinitionKey: s.definitionId,
          bpmnProcessId: s.bpmnProcessId,
          version: s.version,
          startEventId,
        })),
      ),
    );
    return { conditionalEvaluationKey: this.newKey(), tenantId, processInstances: started };
  }
}

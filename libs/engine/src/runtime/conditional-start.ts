import { FeelEvaluationError, type FeelEnv } from '../feel/feel.types';
import type { CompiledProcess } from '../model/model.types';
import type { Variables } from './runtime.types';

/**
 * The conditional start events of a process (Camunda 8.9's root-level
 * conditional start events) whose condition holds for `variables`, in model
 * order: each starts one instance. Only `true` holds; a condition that fails
 * to evaluate or is not a boolean counts as false, as in Camunda 8.
 * `candidates` narrows the events looked at (the host's start rows); absent:
 * every conditional start event of the process. Pure: the clock, if a
 * condition reads it, comes from `env`.
 */
export function evaluateConditionalStarts(
  process: CompiledProcess,
  variables: Variables,
  options: { readonly candidates?: readonly string[]; readonly env?: FeelEnv } = {},
): string[] {
  const wanted = options.candidates === undefined ? undefined : new Set(options.candidates);
  const holding: string[] = [];
  for (const id of process.startEvents.conditional) {
    if (wanted !== undefined && !wanted.has(id)) continue;
    const condition = process.nodes.get(id)?.event?.conditional?.condition;
    if (condition === undefined) continue;
    const context: Record<string, unknown> = {};
    for (const name of condition.variables) context[name] = hasOwn.call(variables, name) ? variables[name] : null;
    try {
      if (condition.evaluate(context, options.env) === true) holding.push(id);
    } catch (e) {
      if (!(e instanceof FeelEvaluationError)) throw e;
    }
  }
  return holding;
}

const hasOwn = Object.prototype.hasOwnProperty;

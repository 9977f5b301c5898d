import { EngineError, EngineErrorCode } from './engine-errors';
import type { ElementInstance } from './runtime.types';

/**
 * The element instance lifecycle, as Zeebe's `ProcessInstanceLifecycle`:
 *
 * ```
 * ACTIVATING -> ACTIVATED -> COMPLETING -> COMPLETED
 *      |            |            |
 *      +------------+------------+-----> TERMINATED
 * ```
 *
 * An element that finishes its work while activating (a script task, a
 * gateway) goes from ACTIVATING straight to COMPLETING. A phase that failed
 * with an incident is retried in the same state when the incident is
 * resolved. The state is derived from the stored fields (`state`, `pending`,
 * `incident`, `listener`), so stored instances need no migration.
 */
export type Lifecycle = 'ACTIVATING' | 'ACTIVATED' | 'COMPLETING' | 'COMPLETED' | 'TERMINATED';

export const TRANSITIONS: Readonly<Record<Lifecycle, readonly Lifecycle[]>> = {
  ACTIVATING: ['ACTIVATING', 'ACTIVATED', 'COMPLETING', 'TERMINATED'],
  ACTIVATED: ['COMPLETING', 'TERMINATED'],
  COMPLETING: ['COMPLETING', 'COMPLETED', 'TERMINATED'],
  COMPLETED: [],
  TERMINATED: [],
};

export function lifecycleOf(inst: ElementInstance): Lifecycle {
  if (inst.state === 'READY') return inst.pending === 'complete' ? 'COMPLETING' : 'ACTIVATING';
  const phase = inst.incident?.phase;
  if (phase === 'activate') return 'ACTIVATING';
  if (phase === 'complete') return 'COMPLETING';
  // Waiting for an execution listener's job: still activating (start) or completing (end), as in Zeebe.
  // (A user task's task listeners run while the element is activated; its canceling ones while it is
  // terminating, `terminating` set, still ACTIVATED here until it is TERMINATED.)
  if (
    inst.listener !== undefined &&
    (inst.listener.event === 'start' || inst.listener.event === 'end')
  )
    return inst.listener.event === 'start' ? 'ACTIVATING' : 'COMPLETING';
  return 'ACTIVATED';
}

/** Throws a bug error unless the table allows `inst` to move to `to`. */
export function checkTransition(inst: ElementInstance, to: Lifecycle): void {
  const from = lifecycleOf(inst);
  if (!TRANSITIONS[from].includes(to)) {
    throw new EngineError(
      EngineErrorCode.Bug,
      `element instance ${inst.id} of '${inst.elementId}' cannot go from ${from} to ${to}`,
    );
  }
}

import { FeelEvaluationError } from '../../feel/feel.types';
import type { CompiledProcess, ConditionalDefinition, FlowNode } from '../../model/model.types';
import type { Execution } from '../execution';
import type { ElementInstance, Variables } from '../runtime.types';

/**
 * Conditional events (Camunda 8.9): boundary events, intermediate catch
 * events and event subprocess starts whose FEEL condition is watched.
 *
 * A subscription is open while its owner (the activity of a boundary event,
 * the catch event itself, the scope of an event subprocess) lists the event
 * in `conditions`. Its condition is evaluated
 *
 * - once right after it opened (a condition already true fires at once), and
 * - after every element step and every applied event, when a variable it
 *   depends on (the names the condition reads, or the filter's
 *   `variableNames`) was created or updated (as the filter's `variableEvents`
 *   allows) in the owner or a scope above it, and the owner sees that
 *   variable (no scope in between shadows it).
 *
 * Changes are found by comparing each scope's variables with what they were
 * at the previous check (the engine replaces variable maps, never mutates
 * them). A subscription is evaluated at most once per check, so one command
 * that changes several variables triggers it once. Owners are visited top
 * down (outer scopes first), so an interrupting event of an outer scope wins
 * over the events inside it. As in Camunda 8, a condition that fails to
 * evaluate or is not a boolean counts as false: no incident, the event waits
 * for the next change.
 */
export class ConditionalWatch {
  /**
   * The variables map of each scope a subscription can see changes in (its
   * owner and the owner's ancestors), as of the last check. Only those scopes
   * are compared: the cost of a check grows with the subscriptions' depth,
   * not with the size of the instance.
   */
  private readonly seen = new Map<string, Variables | undefined>();
  /** Ids of the element instances that own open subscriptions (some may have ended since). */
  private readonly owners = new Set<string>();
  /** `<owner id>:<event id>` of subscriptions opened (or retried) since the last check. */
  private readonly fresh = new Set<string>();

  constructor(private readonly x: Execution) {
    const elements = x.elements;
    for (const id in elements) if (elements[id].conditions !== undefined) this.owners.add(id);
    for (const id of this.watchedScopes()) this.seen.set(id, elements[id].variables);
  }

  /** Whether a process has conditional events at all (cached: the watch costs nothing for the others). */
  static needed(process: CompiledProcess): boolean {
    let has = NEEDED.get(process);
    if (has === undefined) {
      has = false;
      for (const node of process.nodes.values()) {
        // The process's own conditional start events are the host's (evaluateConditionalStarts), not a subscription.
        if (node.event?.kind === 'conditional' && !(node.type === 'startEvent' && node.scopeId === process.id)) {
          has = true;
          break;
        }
      }
      NEEDED.set(process, has);
    }
    return has;
  }

  open(owner: ElementInstance, event: FlowNode): void {
    const list = owner.conditions ?? [];
    if (!list.includes(event.id)) owner.conditions = [...list, event.id];
    this.owners.add(owner.id);
    this.fresh.add(`${owner.id}:${event.id}`);
  }

  close(owner: ElementInstance, event: FlowNode): void {
    const list = owner.conditions;
    if (list === undefined || !list.includes(event.id)) return;
    const rest = list.filter((id) => id !== event.id);
    if (rest.length > 0) {
      owner.conditions = rest;
      return;
    }
    delete owner.conditions;
    this.owners.delete(owner.id);
  }

  /** Every open subscription is evaluated again at the next check (the instance was resumed). */
  retryAll(): void {
    for (const id of this.owners) {
      for (const eventId of this.x.elements[id]?.conditions ?? []) this.fresh.add(`${id}:${eventId}`);
    }
  }

  /** Evaluates the subscriptions that opened or whose variables changed since the last check; fires the true ones. */
  check(): void {
    if (this.owners.size === 0) {
      this.fresh.clear();
      return;
    }
    const changes = this.diff();
    if (this.x.state.status !== 'ACTIVE') {
      this.fresh.clear();
      return;
    }
    if (changes.size === 0 && this.fresh.size === 0) return;
    const fresh = new Set(this.fresh);
    this.fresh.clear();
    for (const sub of this.subscriptions()) {
      const { owner, event } = sub;
      // An earlier trigger in this check may have ended the owner or closed the subscription.
      if (this.x.elements[owner.id] !== owner || owner.conditions?.includes(event.id) !== true) continue;
      if (!isActive(owner, event)) continue;
      const definition = event.event?.conditional as ConditionalDefinition;
      if (!fresh.has(`${owner.id}:${event.id}`) && !this.concerns(owner, definition, changes)) continue;
      if (this.holds(owner, definition)) this.fire(owner, event);
    }
  }

  /** Per scope instance: the variables created or updated since the last check, which become the new baseline. */
  private diff(): Map<string, Map<string, 'create' | 'update'>> {
    const changes = new Map<string, Map<string, 'create' | 'update'>>();
    const elements = this.x.elements;
    for (const id of this.watchedScopes()) {
      const now = elements[id].variables;
      const before = this.seen.get(id);
      if (now === before || now === undefined) continue;
      this.seen.set(id, now);
      let changed: Map<string, 'create' | 'update'> | undefined;
      for (const name in now) {
        let kind: 'create' | 'update' | undefined;
        if (before === undefined || !hasOwn.call(before, name)) kind = 'create';
        else if (!sameValue(before[name], now[name])) kind = 'update';
        if (kind === undefined) continue;
        changed ??= new Map();
        changed.set(name, kind);
      }
      if (changed !== undefined) changes.set(id, changed);
    }
    return changes;
  }

  /** The live owners and their ancestors; owners that ended are forgotten. */
  private watchedScopes(): Set<string> {
    const elements = this.x.elements;
    const watched = new Set<string>();
    for (const id of this.owners) {
      let current: ElementInstance | undefined = elements[id];
      if (current === undefined || current.conditions === undefined) {
        this.owners.delete(id);
        continue;
      }
      while (current !== undefined && !watched.has(current.id)) {
        watched.add(current.id);
        current = current.parentId === null ? undefined : elements[current.parentId];
      }
    }
    return watched;
  }

  /** Open subscriptions, outer owners first; per owner its boundary events, then event subprocesses, in model order. */
  private subscriptions(): Array<{ owner: ElementInstance; event: FlowNode; depth: number; order: number }> {
    const subs: Array<{ owner: ElementInstance; event: FlowNode; depth: number; order: number }> = [];
    const elements = this.x.elements;
    for (const id of this.owners) {
      const owner = elements[id];
      if (owner?.conditions === undefined) continue;
      const depth = depthOf(elements, owner);
      owner.conditions.forEach((eventId, i) => {
        const event = this.x.nodeById(eventId);
        const order = (event.type === 'boundaryEvent' ? 0 : event.type === 'startEvent' ? 1 : 2) * 10_000 + i;
        subs.push({ owner, event, depth, order });
      });
    }
    return subs.sort((a, b) => a.depth - b.depth || a.order - b.order);
  }

  /** Whether a change since the last check is one the subscription listens to and its owner sees. */
  private concerns(
    owner: ElementInstance,
    definition: ConditionalDefinition,
    changes: Map<string, Map<string, 'create' | 'update'>>,
  ): boolean {
    if (changes.size === 0) return false;
    const names = definition.variableNames ?? definition.condition.variables;
    const events = definition.variableEvents;
    // From the owner up: a change in a scope counts unless a scope below it (the owner included) has its own variable of that name.
    const below = new Set<string>();
    let current: ElementInstance | undefined = owner;
    while (current !== undefined) {
      const changed = changes.get(current.id);
      if (changed !== undefined) {
        for (const name of names) {
          const kind = changed.get(name);
          if (kind !== undefined && (events === undefined || events.includes(kind)) && !below.has(name)) return true;
        }
      }
      if (current.variables !== undefined) for (const name of names) if (hasOwn.call(current.variables, name)) below.add(name);
      current = current.parentId === null ? undefined : this.x.elements[current.parentId];
    }
    return false;
  }

  /** Evaluates the condition in the owner's scope: only `true` holds; a failure or any other value does not (Camunda 8). */
  private holds(owner: ElementInstance, definition: ConditionalDefinition): boolean {
    try {
      return this.x.evaluate(definition.condition, owner.id) === true;
    } catch (e) {
      if (e instanceof FeelEvaluationError) return false;
      throw e;
    }
  }

  private fire(owner: ElementInstance, event: FlowNode): void {
    const interrupting = event.interrupting ?? true;
    if (event.type === 'boundaryEvent') {
      this.x.triggerBoundary(owner, event, undefined, interrupting);
    } else if (event.type === 'startEvent') {
      this.x.triggerEventSubProcess(owner, event, undefined, interrupting);
    } else {
      // An intermediate catch event: it goes on.
      this.close(owner, event);
      this.x.schedule(owner, 'complete');
    }
  }
}

const NEEDED = new WeakMap<CompiledProcess, boolean>();
const hasOwn = Object.prototype.hasOwnProperty;

/**
 * Whether the owner still waits as it did when the subscription opened: an
 * activity or catch event about to complete, a scope that was interrupted or
 * waits for its end listener, no longer listens.
 */
function isActive(owner: ElementInstance, event: FlowNode): boolean {
  if (owner.state !== 'WAITING' || !owner.entered) return false;
  return event.type !== 'startEvent' || (owner.interrupted !== true && owner.listener === undefined);
}

function depthOf(elements: Record<string, ElementInstance>, inst: ElementInstance): number {
  let depth = 0;
  let id = inst.parentId;
  while (id !== null) {
    depth++;
    id = elements[id]?.parentId ?? null;
  }
  return depth;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

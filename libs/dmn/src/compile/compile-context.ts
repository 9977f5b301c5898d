import type { DmnValidationError } from '../dmn.types';
import { idOf, nearestWithId, tagOf, type El } from '../parse/moddle-tree';
import type { Culprit } from '../evaluate/frame';
import type { TypeRegistry } from './types';

/**
 * Collects compile problems. Each is reported against a moddle element; the
 * collector names the element a modeler should look at (the element
 * itself, or its nearest ancestor with an id) and drops duplicates.
 */
export class Problems {
  private readonly items: DmnValidationError[] = [];
  private readonly seen = new Set<string>();

  get errors(): readonly DmnValidationError[] {
    return this.items;
  }

  get count(): number {
    return this.items.length;
  }

  at(el: El | undefined, message: string): void {
    const culprit = culpritOf(el);
    this.add({ ...culprit, message });
  }

  document(message: string): void {
    this.add({ elementId: null, elementType: null, message });
  }

  add(error: DmnValidationError): void {
    const key = `${error.elementId}\u0000${error.message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.items.push(error);
  }
}

export function culpritOf(el: El | undefined): Culprit {
  const owner = nearestWithId(el);
  const id = idOf(owner);
  return owner && id
    ? { elementId: id, elementType: tagOf(owner) }
    : { elementId: null, elementType: null };
}

/** `'Rule_1' (rule)` or `a rule without id`: how messages name an element. */
export function describe(el: El): string {
  const id = idOf(el);
  return id ? `'${id}' (${tagOf(el)})` : `a ${tagOf(el)} without id`;
}

export interface CompileContext {
  readonly problems: Problems;
  readonly types: TypeRegistry;
}

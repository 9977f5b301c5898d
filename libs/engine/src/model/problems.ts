import type { ValidationError } from './model.types';
import { idOf, nearestWithId, tagOf, type ModdleElement } from './moddle-element';

/**
 * Collects deploy problems. Every check reports against a moddle element;
 * the collector resolves which element a modeler should look at (the element
 * itself, or its nearest ancestor with an id) and drops exact duplicates.
 */
export class Problems {
  private readonly items: ValidationError[] = [];
  private readonly seen = new Set<string>();

  get errors(): readonly ValidationError[] {
    return this.items;
  }

  get count(): number {
    return this.items.length;
  }

  /** Reports a problem on `el` (or, for id-less elements, its nearest identified ancestor). */
  at(el: ModdleElement, message: string): void {
    const owner = nearestWithId(el);
    const id = idOf(owner);
    if (!owner || !id) {
      this.document(message);
      return;
    }
    this.add({ elementId: id, elementType: tagOf(owner), message });
  }

  document(message: string): void {
    this.add({ elementId: null, elementType: null, message });
  }

  add(error: ValidationError): void {
    const key = `${error.elementId}\u0000${error.message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.items.push(error);
  }
}

/** `'Task_1' (serviceTask)`: how messages name another element. */
export function describe(el: ModdleElement): string {
  const id = idOf(el);
  return id ? `'${id}' (${tagOf(el)})` : `a ${tagOf(el)} without id`;
}

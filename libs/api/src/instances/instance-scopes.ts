import { isKey, RuntimeError, type RuntimeStore } from '@baton/runtime';
import type { Variables } from '@baton/engine';

/** A scope of an instance that holds variables (`GET /api/v1/instances/{id}/scopes`). */
export interface ScopeView {
  readonly id: string;
  readonly elementId: string;
  readonly elementType: string;
  readonly parentId: string | null;
  readonly variables: Variables;
}

/**
 * The variable scopes of an instance, read from its stored state: the
 * process (keyed by the instance id, always listed), then each live element
 * instance with local variables (subprocesses with input mappings,
 * multi-instance inner instances, tasks), by key: the rows `/v2/variables/search`
 * returns, grouped by `scopeKey` and named by element.
 */
export async function instanceScopes(store: RuntimeStore, id: string): Promise<ScopeView[]> {
  const row = isKey(id) ? await store.repos.instances.get(id) : null;
  if (row === null) throw RuntimeError.notFound(`process instance '${id.slice(0, 40)}'`);
  const { rootId, elements } = row.state;
  const scopeOf = (elementInstanceId: string | null): string | null =>
    elementInstanceId === null ? null : elementInstanceId === rootId ? row.id : elementInstanceId;
  const inner: ScopeView[] = [];
  for (const [key, element] of Object.entries(elements)) {
    if (key === rootId || !isKey(key)) continue;
    const variables = element.variables ?? {};
    if (Object.keys(variables).length === 0) continue;
    inner.push({
      id: key,
      elementId: element.elementId,
      elementType: element.elementType,
      parentId: scopeOf(element.parentId),
      variables,
    });
  }
  inner.sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : BigInt(a.id) > BigInt(b.id) ? 1 : 0));
  const process: ScopeView = {
    id: row.id,
    elementId: row.bpmnProcessId,
    elementType: 'process',
    parentId: null,
    variables: row.variables,
  };
  return [process, ...inner];
}
